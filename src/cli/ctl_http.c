/*
 * A small HTTP/1.x server for one read-only page (GET /metrics), with the bounds a listener on
 * a network address needs and libevent 2.1's evhttp does not have: its timeout restarts with
 * every byte read (a client sending one byte a second holds a connection for ever) and it has
 * no connection cap.
 *
 * Each connection has CTL_HTTP_REQ_SECS from its accept to deliver the request line and
 * headers (an absolute deadline, so a slow sender is dropped however it paces its bytes), at
 * most CTL_HTTP_HDR_MAX bytes of them (else 431), and no body (a Content-Length other than 0
 * or a Transfer-Encoding is 413). The answer carries Connection: close; once it is sent the
 * write side is shut and what the client still sends is drained for CTL_HTTP_LINGER_SECS
 * before the socket closes (closing with unread input would reset the connection and could
 * destroy the answer in flight). A response the client does not take within
 * CTL_HTTP_SEND_SECS ends the connection.
 *
 * At most CTL_HTTP_MAX_CONNS connections exist at once. The listener never stops accepting
 * (a queue in the kernel backlog would make a normal scrape wait behind an idle flood): when
 * a new connection would pass the cap, one still waiting for its request yields (make_room:
 * never one whose request has arrived whole; first one silent for a while, then one with an
 * incomplete request), and when none can, the new one is closed. Sockets are closed at once
 * (conn_free), not when libevent finalizes the freed bufferevent at the end of the loop turn:
 * the listener accepts until the backlog is empty, and a client that keeps connecting keeps it
 * full, so deferred closes would hold a descriptor per accept of the burst.
 *
 * The request parser (ctl_http_parse) is a pure function over the bytes received, fuzzed by
 * tests/fuzz/fuzz_ctl_http.c. The page itself comes from a callback (ctl_metrics.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "cli/ctl_http.h"
#include "lib/log.h"

/* ---- request parsing ---- */

/* Searches the end of the header block: CRLF CRLF (a bare LF LF is tolerated). */
static const char *
hdr_end(const char *b, size_t len, size_t *skip)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (b[i] != '\n')
			continue;
		if (b[i + 1] == '\n') {
			*skip = 2;
			return b + i;
		}
		if (b[i + 1] == '\r' && i + 2 < len && b[i + 2] == '\n') {
			*skip = 3;
			return b + i;
		}
	}
	return NULL;
}

static bool
tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* One header line [p, e) (no CR/LF); 0 or the status it calls for. */
static int
header_line(const char *p, const char *e)
{
	const char *c = p;
	while (c < e && tchar(*c))
		c++;
	if (c == p || c == e || *c != ':')
		return 400; /* no name, or a space before the colon (RFC 9112 5.1) */
	size_t nl = (size_t)(c - p);
	const char *v = c + 1;
	while (v < e && (*v == ' ' || *v == '\t'))
		v++;
	size_t vl = (size_t)(e - v);
	while (vl > 0 && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
		vl--;
	if (nl == 17 && strncasecmp(p, "transfer-encoding", nl) == 0)
		return 413; /* no request body is accepted */
	if (nl == 14 && strncasecmp(p, "content-length", nl) == 0) {
		bool nonzero = false;
		if (vl == 0)
			return 400;
		for (size_t i = 0; i < vl; i++) {
			if (v[i] < '0' || v[i] > '9')
				return 400;
			nonzero |= v[i] != '0';
		}
		return nonzero ? 413 : 0;
	}
	return 0;
}

int
ctl_http_parse(const char *buf, size_t len, struct ctl_http_req *r)
{
	memset(r, 0, sizeof *r);
	size_t skip = 0;
	size_t scan = len < CTL_HTTP_HDR_MAX ? len : CTL_HTTP_HDR_MAX;
	const char *end = hdr_end(buf, scan, &skip);
	if (end == NULL)
		return len >= CTL_HTTP_HDR_MAX ? 431 : 0;
	r->consumed = (size_t)(end - buf) + skip;
	/* request line: METHOD SP TARGET SP HTTP/1.x */
	const char *p = buf, *le = memchr(buf, '\n', (size_t)(end - buf) + 1);
	const char *lend = le > p && le[-1] == '\r' ? le - 1 : le;
	const char *sp1 = memchr(p, ' ', (size_t)(lend - p));
	if (sp1 == NULL || sp1 == p)
		return 400;
	for (const char *c = p; c < sp1; c++)
		if (!tchar(*c))
			return 400;
	const char *t = sp1 + 1;
	const char *sp2 = memchr(t, ' ', (size_t)(lend - t));
	if (sp2 == NULL || sp2 == t)
		return 400;
	const char *v = sp2 + 1;
	size_t vl = (size_t)(lend - v);
	if (vl != 8 || memcmp(v, "HTTP/1.", 7) != 0)
		return vl >= 5 && memcmp(v, "HTTP/", 5) == 0 ? 505 : 400;
	if (v[7] != '0' && v[7] != '1')
		return 505;
	if (*t != '/')
		return 400; /* only the origin form (RFC 9112 3.2.1) */
	for (const char *c = t; c < sp2; c++)
		if ((unsigned char)*c <= 0x20 || *c == 0x7f)
			return 400;
	/* headers */
	for (const char *h = le + 1; h < end + 1;) {
		const char *he = memchr(h, '\n', (size_t)(end + 1 - h));
		if (he == NULL)
			break;
		const char *hl = he > h && he[-1] == '\r' ? he - 1 : he;
		if (hl > h && (*h == ' ' || *h == '\t'))
			return 400; /* obsolete line folding (RFC 9112 5.2) */
		if (hl > h) {
			int st = header_line(h, hl);
			if (st != 0)
				return st;
		}
		h = he + 1;
	}
	size_t ml = (size_t)(sp1 - p);
	if (ml == 4 && memcmp(p, "HEAD", 4) == 0)
		r->head = true;
	else if (ml != 3 || memcmp(p, "GET", 3) != 0)
		return 405;
	size_t tl = (size_t)(sp2 - t);
	const char *q = memchr(t, '?', tl);
	size_t pl = q != NULL ? (size_t)(q - t) : tl;
	if (pl >= sizeof r->path)
		return 414;
	memcpy(r->path, t, pl);
	r->path[pl] = '\0';
	return 200;
}

/* ---- the server ---- */

enum http_state { HTTP_READING, HTTP_WRITING, HTTP_LINGER };

struct http_conn {
	struct ctl_http *srv;
	struct http_conn *prev, *next; /* in accept order */
	struct bufferevent *bev;
	struct event *deadline;
	enum http_state state;
	struct timeval accepted; /* the loop's cached time at accept */
};

struct ctl_http {
	struct event_base *base;
	struct evconnlistener *lev;
	ctl_http_page_fn page;
	void *arg;
	struct http_conn *head, *tail;
	size_t nconns;
	struct ctl_http_stats stats;
};

static void
conn_free(struct http_conn *c)
{
	struct ctl_http *s = c->srv;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		s->head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		s->tail = c->prev;
	s->nconns--;
	event_free(c->deadline);
	/* the socket closes now, not when libevent finalizes the freed bufferevent at the end of
	 * the loop turn: a burst of evictions must not hold a descriptor each */
	evutil_socket_t fd = bufferevent_getfd(c->bev);
	bufferevent_free(c->bev);
	evutil_closesocket(fd);
	free(c);
}

static void
deadline_in(struct http_conn *c, int secs)
{
	struct timeval tv = {secs, 0};
	evtimer_add(c->deadline, &tv);
}

static void
on_deadline(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct http_conn *c = arg;
	if (c->state == HTTP_READING)
		c->srv->stats.timeouts++;
	conn_free(c);
}

static const char *
reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 413:
		return "Content Too Large";
	case 414:
		return "URI Too Long";
	case 431:
		return "Request Header Fields Too Large";
	case 505:
		return "HTTP Version Not Supported";
	default:
		return "Service Unavailable";
	}
}

/* Queues the answer and switches to writing. */
static void
respond(struct http_conn *c, int status, bool head, const char *path)
{
	struct ctl_http *s = c->srv;
	struct evbuffer *body = evbuffer_new();
	struct evbuffer *out = bufferevent_get_output(c->bev);
	const char *ctype = "text/plain; charset=utf-8";
	if (body == NULL) {
		conn_free(c);
		return;
	}
	if (status == 200 && s->page(s->arg, path, body, &ctype) < 0)
		status = 404;
	if (status != 200) {
		evbuffer_drain(body, evbuffer_get_length(body));
		evbuffer_add_printf(body, "%d %s\n", status, reason(status));
		ctype = "text/plain; charset=utf-8";
		s->stats.errors++;
	} else {
		s->stats.requests++;
	}
	evbuffer_add_printf(out,
			    "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			    "%sConnection: close\r\n\r\n",
			    status, reason(status), ctype, evbuffer_get_length(body),
			    status == 405 ? "Allow: GET, HEAD\r\n" : "");
	if (!head)
		evbuffer_add_buffer(out, body);
	evbuffer_free(body);
	c->state = HTTP_WRITING;
	evtimer_del(c->deadline);
	deadline_in(c, CTL_HTTP_SEND_SECS);
	bufferevent_disable(c->bev, EV_READ);
	bufferevent_enable(c->bev, EV_WRITE);
}

static void
on_read(struct bufferevent *bev, void *arg)
{
	struct http_conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	if (c->state != HTTP_READING) { /* lingering: what comes now is discarded */
		evbuffer_drain(in, evbuffer_get_length(in));
		return;
	}
	size_t len = evbuffer_get_length(in);
	size_t n = len < CTL_HTTP_HDR_MAX ? len : CTL_HTTP_HDR_MAX;
	const char *b = (const char *)evbuffer_pullup(in, (ev_ssize_t)n);
	struct ctl_http_req r;
	int st = b != NULL ? ctl_http_parse(b, n, &r) : 0;
	if (st == 0)
		return; /* more to come, before the deadline */
	evbuffer_drain(in, len);
	respond(c, st, st == 200 ? r.head : false, r.path);
}

static void
on_write(struct bufferevent *bev, void *arg)
{
	struct http_conn *c = arg;
	if (c->state != HTTP_WRITING || evbuffer_get_length(bufferevent_get_output(bev)) > 0)
		return;
	/* sent: half-close, then drain the client's leftovers until it closes or time is up */
	c->state = HTTP_LINGER;
	shutdown(bufferevent_getfd(bev), SHUT_WR);
	evtimer_del(c->deadline);
	deadline_in(c, CTL_HTTP_LINGER_SECS);
	bufferevent_enable(bev, EV_READ);
}

static void
on_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	(void)what; /* EOF or an error: the connection is over in every state */
	conn_free(arg);
}

/* What a connection still reading its request has sent, as far as it decides who yields. */
enum http_progress { HTTP_SILENT, HTTP_PARTIAL, HTTP_COMPLETE };

static enum http_progress
conn_progress(struct http_conn *c)
{
	static char peek[CTL_HTTP_HDR_MAX];
	struct ctl_http_req r;
	if (evbuffer_get_length(bufferevent_get_input(c->bev)) > 0)
		return HTTP_PARTIAL; /* read and parsed already: incomplete, else it was answered */
	ssize_t n = recv(bufferevent_getfd(c->bev), peek, sizeof peek, MSG_PEEK | MSG_DONTWAIT);
	if (n <= 0)
		return HTTP_SILENT;
	return ctl_http_parse(peek, (size_t)n, &r) == 0 ? HTTP_PARTIAL : HTTP_COMPLETE;
}

/*
 * Makes room for one more connection; false when there is none to make. A connection whose
 * request has arrived whole (read or waiting in the socket) never yields. Among the others,
 * the victim is the oldest that has sent nothing for CTL_HTTP_GRACE_MS, else the oldest with
 * an incomplete request, else the oldest that has sent nothing yet: so a flood of idle or slow
 * connections cannot push out a scrape whose request is in flight.
 */
static bool
make_room(struct ctl_http *s)
{
	if (s->nconns < CTL_HTTP_MAX_CONNS)
		return true;
	struct timeval now, age;
	event_base_gettimeofday_cached(s->base, &now);
	struct http_conn *victim = NULL, *partial = NULL, *young = NULL;
	for (struct http_conn *c = s->head; c != NULL && victim == NULL; c = c->next) {
		if (c->state != HTTP_READING)
			continue;
		switch (conn_progress(c)) {
		case HTTP_SILENT:
			evutil_timersub(&now, &c->accepted, &age);
			if (age.tv_sec > 0 || age.tv_usec >= CTL_HTTP_GRACE_MS * 1000)
				victim = c;
			else if (young == NULL)
				young = c;
			break;
		case HTTP_PARTIAL:
			if (partial == NULL)
				partial = c;
			break;
		case HTTP_COMPLETE:
			break;
		}
	}
	if (victim == NULL)
		victim = partial != NULL ? partial : young;
	if (victim == NULL)
		return false;
	s->stats.evicted++;
	conn_free(victim);
	return true;
}

static void
on_accept(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *sa, int salen, void *arg)
{
	(void)lev;
	(void)sa;
	(void)salen;
	struct ctl_http *s = arg;
	s->stats.accepted++;
	if (!make_room(s)) {
		s->stats.refused++;
		evutil_closesocket(fd);
		return;
	}
	struct http_conn *c = calloc(1, sizeof *c);
	if (c == NULL) {
		evutil_closesocket(fd);
		return;
	}
	c->srv = s;
	event_base_gettimeofday_cached(s->base, &c->accepted);
	c->bev = bufferevent_socket_new(s->base, fd, 0); /* conn_free closes fd */
	c->deadline = evtimer_new(s->base, on_deadline, c);
	if (c->bev == NULL || c->deadline == NULL) {
		if (c->bev != NULL)
			bufferevent_free(c->bev);
		evutil_closesocket(fd);
		if (c->deadline != NULL)
			event_free(c->deadline);
		free(c);
		return;
	}
	c->prev = s->tail;
	if (s->tail != NULL)
		s->tail->next = c;
	else
		s->head = c;
	s->tail = c;
	s->nconns++;
	/* the input buffer never holds more than the header limit and a little */
	bufferevent_setwatermark(c->bev, EV_READ, 0, CTL_HTTP_HDR_MAX + 1);
	bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
	bufferevent_enable(c->bev, EV_READ);
	deadline_in(c, CTL_HTTP_REQ_SECS);
}

static void
on_accept_error(struct evconnlistener *lev, void *arg)
{
	(void)lev;
	(void)arg;
	/* EMFILE and the like: logged, the listener goes on (libevent retries on readiness) */
	log_warn("metrics: accept: %s", strerror(errno));
}

struct ctl_http *
ctl_http_new(struct event_base *base, int af, const uint8_t *addr, uint16_t port,
	     ctl_http_page_fn page, void *arg)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	memset(&ss, 0, sizeof ss);
	if (af == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, addr, 16);
		sl = sizeof *s6;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		memcpy(&s4->sin_addr, addr, 4);
		sl = sizeof *s4;
	}
	struct ctl_http *s = calloc(1, sizeof *s);
	if (s == NULL)
		return NULL;
	s->base = base;
	s->page = page;
	s->arg = arg;
	s->lev = evconnlistener_new_bind(
	    base, on_accept, s, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
	    CTL_HTTP_MAX_CONNS, (struct sockaddr *)&ss, (int)sl);
	if (s->lev == NULL) {
		free(s);
		return NULL;
	}
	evconnlistener_set_error_cb(s->lev, on_accept_error);
	return s;
}

void
ctl_http_free(struct ctl_http *s)
{
	if (s == NULL)
		return;
	while (s->head != NULL)
		conn_free(s->head);
	evconnlistener_free(s->lev);
	free(s);
}

const struct ctl_http_stats *
ctl_http_stats(const struct ctl_http *s)
{
	return &s->stats;
}

size_t
ctl_http_conns(const struct ctl_http *s)
{
	return s->nconns;
}
