/*
 * The control socket: a unix stream listener on the daemon's event loop, one bufferevent per
 * client, one request line at a time.
 *
 * A request is answered before the next line is read. Small documents are written whole; a
 * show rib streams: ctl_rib_step() writes a slice, then the connection waits until its output
 * has drained below CTL_OUT_LOW (the bufferevent write watermark) or, when the slice wrote
 * little, until the next loop iteration (the 'resume' event), so BGP keepalives and updates
 * are served between slices and a slow client holds at most CTL_OUT_HIGH bytes of output.
 *
 * Life of a connection: it stays open for further requests; after the client has shut down
 * its side (EOF) the remaining requests are answered, the output is flushed, and the
 * connection is freed. A client that sends nothing for control.idle-timeout while idle, or
 * reads nothing for CTL_WRITE_SECS, is dropped; the connection limits are in ctl.h. Helpers return
 * -1 once they freed the connection.
 */
#include "cli/ctl_impl.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/pool.h"

#define CTL_WRITE_SECS 120

struct ctl_conn {
	struct ctl_conn *prev, *next;
	struct ctl *ctl;
	struct bufferevent *bev;
	struct event *resume; /* continues a stream or the request queue from the loop */
	uid_t uid;	      /* the client's, for the log of commands that change state */
	bool streaming;
	bool eof;
	bool discard; /* after a line too long */
	struct ctl_jw jw;
	struct ctl_rib_walk walk;
};

struct ctl {
	struct event_base *base;
	struct rde *rde;
	struct evconnlistener *lev;
	char *path;
	dev_t dev; /* of the socket file we created, to remove only ours */
	ino_t ino;
	int (*reload)(void *arg, char *err, size_t errlen);
	void *arg;
	struct ctl_conn *conns;
	size_t n_conns;
	bool read_only;
	unsigned idle_secs;
	time_t refused_logged; /* last refusal logged (one a second) */
	unsigned long refused; /* refusals since */
};

static int process_input(struct ctl_conn *cc);

static void
conn_free(struct ctl_conn *cc)
{
	struct ctl *c = cc->ctl;

	if (cc->prev != NULL)
		cc->prev->next = cc->next;
	else
		c->conns = cc->next;
	if (cc->next != NULL)
		cc->next->prev = cc->prev;
	c->n_conns--;
	event_free(cc->resume);
	bufferevent_free(cc->bev);
	free(cc);
}

static void
set_idle(struct ctl_conn *cc, bool streaming)
{
	struct timeval rd = {(time_t)cc->ctl->idle_secs, 0}, wr = {CTL_WRITE_SECS, 0};

	cc->streaming = streaming;
	/* No read timeout while streaming: the client only reads then. */
	bufferevent_set_timeouts(cc->bev, streaming ? NULL : &rd, &wr);
	/* Streaming: wake at the low watermark. Idle: wake when all is sent (to close). */
	bufferevent_setwatermark(cc->bev, EV_WRITE, streaming ? CTL_OUT_LOW : 0, 0);
}

/* Frees the connection when the client is gone and everything it asked for is sent. */
static int
maybe_close(struct ctl_conn *cc)
{
	struct evbuffer *in = bufferevent_get_input(cc->bev);
	struct evbuffer *out = bufferevent_get_output(cc->bev);

	if (!cc->eof || cc->streaming || evbuffer_get_length(out) > 0)
		return 0;
	if (evbuffer_get_length(in) > 0)
		return 0; /* requests left: process_input() comes back here */
	conn_free(cc);
	return -1;
}

static int
stream_continue(struct ctl_conn *cc)
{
	struct evbuffer *out = bufferevent_get_output(cc->bev);

	bool done = ctl_rib_step(&cc->walk, cc->ctl->rde, &cc->jw, CTL_SLICE_NODES);
	if (cc->jw.err) {
		log_warn("control: output failed, connection dropped");
		conn_free(cc);
		return -1;
	}
	/* A 0 s timer, not event_active(): the next slice comes after the loop polled I/O. */
	static const struct timeval zero = {0, 0};
	if (done) {
		set_idle(cc, false);
		event_add(cc->resume, &zero); /* queued requests, or close */
	} else if (evbuffer_get_length(out) <= CTL_OUT_LOW) {
		event_add(cc->resume, &zero); /* no drain event will come */
	}
	return 0;
}

static void
log_command(const struct ctl_conn *cc, const struct ctl_request *req)
{
	char a[ADDR_STRLEN];

	if (req->cmd == CTL_RELOAD)
		log_info("control: reload requested by uid %u", (unsigned)cc->uid);
	else if (req->cmd == CTL_NEIGHBOR)
		log_info("control: neighbor %s %s requested by uid %u",
			 addr_fmt(req->nbr_af, req->nbr, a), ctl_action_name(req->action),
			 (unsigned)cc->uid);
}

static int
ok_result(struct ctl_jw *w)
{
	ctl_jw_obj_open(w, NULL);
	ctl_jw_str(w, "result", "ok");
	ctl_jw_obj_close(w);
	ctl_jw_end(w);
	return 0;
}

/* Answers one request line. */
static int
handle(struct ctl_conn *cc, const char *line, size_t len)
{
	struct ctl *c = cc->ctl;
	struct evbuffer *out = bufferevent_get_output(cc->bev);
	struct ctl_request req;
	struct ctl_jw w;
	char err[CTL_ERRLEN] = "";
	int rc = -1;

	if (ctl_request_parse(line, len, &req, err, sizeof err) < 0) {
		ctl_jw_error(out, err);
		return 0;
	}
	if (c->read_only && !ctl_cmd_is_show(req.cmd)) {
		snprintf(err, sizeof err,
			 "%s: not allowed on the read-only control socket %s (show commands only)",
			 ctl_cmd_name(req.cmd), c->path);
		ctl_jw_error(out, err);
		return 0;
	}
	log_command(cc, &req);
	ctl_jw_init(&w, out);
	switch (req.cmd) {
	case CTL_SHOW_SUMMARY:
		rc = ctl_show_summary(c->rde, &w);
		break;
	case CTL_SHOW_NEIGHBORS:
		rc = ctl_show_neighbors(c->rde, &req, &w, err, sizeof err);
		break;
	case CTL_SHOW_NEXTHOPS:
		rc = ctl_show_nexthops(c->rde, &w);
		break;
	case CTL_SHOW_FIB:
		rc = ctl_show_fib(c->rde, &w);
		break;
	case CTL_SHOW_TRANSLATION:
		rc = ctl_show_translation(c->rde, &req, &w, err, sizeof err);
		break;
	case CTL_NEIGHBOR:
		rc = ctl_neighbor_cmd(c->rde, &req, &w, err, sizeof err);
		break;
	case CTL_RELOAD:
		if (c->reload == NULL) {
			snprintf(err, sizeof err, "reload: not available");
		} else if (c->reload(c->arg, err, sizeof err) == 0) {
			rc = ok_result(&w);
		}
		break;
	case CTL_SHOW_CONFIG:
		rc = ctl_show_config(c->rde, &w);
		break;
	case CTL_LOG_LEVEL:
		log_set_level((enum log_level)req.level);
		log_info("control: log level %s set by uid %u", log_level_name(log_threshold),
			 (unsigned)cc->uid);
		rc = ok_result(&w);
		break;
	case CTL_LOG_UPDATES:
		if (rde_neighbor_debug_updates(c->rde, req.nbr_af, req.nbr, req.on) < 0) {
			char a[ADDR_STRLEN];
			snprintf(err, sizeof err, "neighbor %s: not configured",
				 addr_fmt(req.nbr_af, req.nbr, a));
			break;
		}
		rc = ok_result(&w);
		break;
	case CTL_SHOW_RIB_OUT:
		if (ctl_rib_out_check(c->rde, &req, err, sizeof err) < 0)
			break;
		ctl_jw_init(&cc->jw, out);
		ctl_rib_out_begin(&cc->walk, &req, &cc->jw);
		set_idle(cc, true);
		return stream_continue(cc);
	case CTL_SHOW_RIB:
		if (ctl_rib_check(c->rde, &req, err, sizeof err) < 0)
			break;
		ctl_jw_init(&cc->jw, out);
		ctl_rib_begin(&cc->walk, c->rde, &req, &cc->jw);
		set_idle(cc, true);
		return stream_continue(cc);
	}
	if (rc < 0)
		ctl_jw_error(out, err[0] != '\0' ? err : "failed");
	else if (w.err) {
		log_warn("control: output failed, connection dropped");
		conn_free(cc);
		return -1;
	}
	return 0;
}

static int
process_input(struct ctl_conn *cc)
{
	struct evbuffer *in = bufferevent_get_input(cc->bev);
	struct evbuffer *out = bufferevent_get_output(cc->bev);

	while (!cc->streaming && !cc->discard) {
		size_t n;
		char *line = evbuffer_readln(in, &n, EVBUFFER_EOL_CRLF);
		if (line == NULL && cc->eof && (n = evbuffer_get_length(in)) > 0 &&
		    n <= CTL_LINE_MAX) {
			/* A last request without its newline is still a request. */
			line = xmalloc(n + 1);
			evbuffer_remove(in, line, n);
			line[n] = '\0';
		}
		if (line == NULL) {
			if (evbuffer_get_length(in) <= CTL_LINE_MAX)
				break;
			/* No newline in sight: answer, and ignore this client from now on. */
			ctl_jw_error(out, "request: line too long");
			cc->discard = true;
			break;
		}
		size_t skip = strspn(line, " \t");
		int rc = skip == n ? 0 : handle(cc, line, n);
		free(line);
		if (rc < 0)
			return -1;
	}
	if (cc->discard) /* read and dropped until the client closes or idles out */
		evbuffer_drain(in, evbuffer_get_length(in));
	return maybe_close(cc);
}

static void
on_read(struct bufferevent *bev, void *arg)
{
	(void)bev;
	process_input(arg);
}

static void
on_write(struct bufferevent *bev, void *arg)
{
	struct ctl_conn *cc = arg;
	(void)bev;
	if (cc->streaming)
		stream_continue(cc);
	else
		maybe_close(cc);
}

static void
on_resume(evutil_socket_t fd, short what, void *arg)
{
	struct ctl_conn *cc = arg;
	(void)fd;
	(void)what;
	if (cc->streaming)
		stream_continue(cc);
	else
		process_input(cc);
}

static void
on_event(struct bufferevent *bev, short what, void *arg)
{
	struct ctl_conn *cc = arg;
	(void)bev;
	if (what & BEV_EVENT_EOF) {
		cc->eof = true;
		process_input(cc);
		return;
	}
	if (what & BEV_EVENT_TIMEOUT)
		log_info("control: client %s, connection dropped",
			 (what & BEV_EVENT_READING) ? "idle" : "not reading");
	conn_free(cc);
}

/* NULL when a client of this uid may connect, else why not. */
static const char *
over_limit(const struct ctl *c, uid_t uid)
{
	if (c->n_conns >= CTL_MAX_CONNS)
		return "all connections in use";
	if (uid == 0)
		return NULL;
	if (c->n_conns >= CTL_MAX_CONNS - CTL_ROOT_RESERVED)
		return "the remaining connections are kept for root";
	unsigned mine = 0;
	for (const struct ctl_conn *cc = c->conns; cc != NULL; cc = cc->next)
		mine += cc->uid == uid;
	return mine >= CTL_MAX_PER_UID ? "connection limit of this uid reached" : NULL;
}

static void
refused(struct ctl *c, uid_t uid, const char *why)
{
	time_t now = time(NULL);
	c->refused++;
	if (now == c->refused_logged)
		return;
	log_warn("control socket %s: connection of uid %u refused: %s (%lu refused since the "
		 "last such line; limits: %d per uid, %d in all)",
		 c->path, (unsigned)uid, why, c->refused, CTL_MAX_PER_UID, CTL_MAX_CONNS);
	c->refused_logged = now;
	c->refused = 0;
}

static void
on_accept(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *sa, int salen, void *arg)
{
	struct ctl *c = arg;
	struct ucred cred;
	socklen_t credlen = sizeof cred;
	(void)lev;
	(void)sa;
	(void)salen;

	uid_t uid = (uid_t)-1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &credlen) == 0)
		uid = cred.uid;
	const char *why = over_limit(c, uid);
	if (why != NULL) {
		refused(c, uid, why);
		close(fd);
		return;
	}
	struct ctl_conn *cc = calloc(1, sizeof *cc);
	if (cc == NULL) {
		close(fd);
		return;
	}
	cc->ctl = c;
	cc->uid = uid;
	cc->bev = bufferevent_socket_new(c->base, fd, BEV_OPT_CLOSE_ON_FREE);
	cc->resume = event_new(c->base, -1, 0, on_resume, cc);
	if (cc->bev == NULL || cc->resume == NULL) {
		if (cc->bev != NULL)
			bufferevent_free(cc->bev);
		else
			close(fd);
		if (cc->resume != NULL)
			event_free(cc->resume);
		free(cc);
		return;
	}
	cc->next = c->conns;
	if (c->conns != NULL)
		c->conns->prev = cc;
	c->conns = cc;
	c->n_conns++;
	bufferevent_setcb(cc->bev, on_read, on_write, on_event, cc);
	/* Stop reading while several lines wait (a client pipelining behind a stream). */
	bufferevent_setwatermark(cc->bev, EV_READ, 0, 4 * CTL_LINE_MAX);
	set_idle(cc, false);
	bufferevent_enable(cc->bev, EV_READ | EV_WRITE);
}

/*
 * Removes a socket left by a daemon that died; refuses a live one (something accepts
 * connections there) and anything that is not a socket.
 */
static int
clear_stale(const char *path, const struct sockaddr_un *sun)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		log_err("control socket %s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		log_err("control socket %s: exists and is not a socket", path);
		return -1;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_err("control socket: socket: %s", strerror(errno));
		return -1;
	}
	int rc = connect(fd, (const struct sockaddr *)sun, sizeof *sun);
	int e = errno;
	close(fd);
	if (rc == 0 || e == EAGAIN) {
		log_err("control socket %s: in use by another process (another bgp64d running?)",
			path);
		return -1;
	}
	if (e != ECONNREFUSED) {
		log_err("control socket %s: %s", path, strerror(e));
		return -1;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		log_err("control socket %s: cannot remove the stale socket: %s", path,
			strerror(errno));
		return -1;
	}
	log_info("control socket %s: removed a stale socket", path);
	return 0;
}

/* Binds path with the given mode and group; the listening descriptor or -1. */
static int
sock_open(struct ctl *c, mode_t mode, const char *group)
{
	struct sockaddr_un sun;
	struct stat st;
	const char *path = c->path;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		log_err("control socket %s: path too long (at most %zu bytes)", path,
			sizeof sun.sun_path - 1);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	/* The directory (/run/bgp64d): made by the unit's RuntimeDirectory=, here when run by
	 * hand; only the last component, never a tree. */
	char dir[sizeof sun.sun_path];
	memcpy(dir, path, strlen(path) + 1);
	char *slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) == 0)
			log_info("control socket: created the directory %s", dir);
	}
	if (clear_stale(path, &sun) < 0)
		return -1;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_err("control socket: socket: %s", strerror(errno));
		return -1;
	}
	mode_t old = umask(0177); /* nobody else may connect before the chmod */
	int rc = bind(fd, (struct sockaddr *)&sun, sizeof sun);
	umask(old);
	if (rc < 0) {
		log_err("control socket %s: bind: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (group != NULL) {
		struct group *g = getgrnam(group);
		if (g == NULL) {
			log_err("control socket %s: no group \"%s\"", path, group);
			goto fail;
		}
		if (chown(path, (uid_t)-1, g->gr_gid) < 0) {
			if (errno == EPERM)
				log_err("control socket %s: cannot give it to group %s: uid %u is "
					"not a member (add it, e.g. SupplementaryGroups=%s in the "
					"unit)",
					path, group, (unsigned)geteuid(), group);
			else
				log_err("control socket %s: chown to group %s: %s", path, group,
					strerror(errno));
			goto fail;
		}
	}
	if (chmod(path, mode) < 0) {
		log_err("control socket %s: chmod %04o: %s", path, (unsigned)mode, strerror(errno));
		goto fail;
	}
	if (listen(fd, 16) < 0) {
		log_err("control socket %s: listen: %s", path, strerror(errno));
		goto fail;
	}
	if (lstat(path, &st) == 0) {
		c->dev = st.st_dev;
		c->ino = st.st_ino;
	}
	return fd;
fail:
	unlink(path);
	close(fd);
	return -1;
}

struct ctl *
ctl_new(struct event_base *base, struct rde *rde, const struct ctl_sock_cfg *s,
	int (*reload)(void *arg, char *err, size_t errlen), void *arg)
{
	struct ctl *c = calloc(1, sizeof *c);
	const char *path = s->path;
	mode_t mode = s->mode;

	if (c == NULL || (c->path = strdup(path)) == NULL) {
		log_err("control socket %s: out of memory", path);
		free(c);
		return NULL;
	}
	c->base = base;
	c->rde = rde;
	c->reload = s->read_only ? NULL : reload;
	c->arg = arg;
	c->read_only = s->read_only;
	c->idle_secs = s->idle_seconds > 0 ? s->idle_seconds : 30;
	int fd = sock_open(c, mode, s->group);
	if (fd < 0) {
		free(c->path);
		free(c);
		return NULL;
	}
	c->lev = evconnlistener_new(base, on_accept, c,
				    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
	if (c->lev == NULL) {
		log_err("control socket %s: cannot listen on the event loop", path);
		unlink(path);
		close(fd);
		free(c->path);
		free(c);
		return NULL;
	}
	log_info("control socket %s: listening (mode %04o%s%s%s)", path, (unsigned)mode,
		 s->group != NULL ? ", group " : "", s->group != NULL ? s->group : "",
		 s->read_only ? ", read-only: show commands only" : "");
	return c;
}

void
ctl_free(struct ctl *c)
{
	struct stat st;

	if (c == NULL)
		return;
	while (c->conns != NULL)
		conn_free(c->conns);
	evconnlistener_free(c->lev);
	if (lstat(c->path, &st) == 0 && st.st_dev == c->dev && st.st_ino == c->ino)
		unlink(c->path);
	free(c->path);
	free(c);
}

size_t
ctl_conn_count(const struct ctl *c)
{
	return c->n_conns;
}
