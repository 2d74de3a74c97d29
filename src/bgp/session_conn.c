/*
 * Connections of the session module: their life cycle (a bufferevent, timers, the detach and
 * bounded flush on close), the NOTIFICATIONs we send, the end of a session with its graceful
 * restart verdict, the hold, keepalive and send-hold timers, and the opening of connections
 * (outgoing connects, accepted sockets, refusals). What the messages mean is session_fsm.c.
 *
 * Leaving Established calls 'down' with gr_keep per RFC 4724 / RFC 8538: graceful restart
 * negotiated, and the TCP connection lost without NOTIFICATION, or (with the N bit negotiated)
 * any NOTIFICATION but Cease / Hard Reset sent or received, hold timer expiry included. With N
 * negotiated, our Cease 1-3 (maximum prefixes, shutdown, de-configured) and 8 (out of
 * resources: a limit) go out inside Hard Reset (RFC 8538 section 5), so both sides flush.
 */
#include <errno.h>
#include <linux/tcp.h> /* struct tcp_info with tcpi_bytes_acked (not in netinet/tcp.h) */
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "bgp/session_int.h"
#include "lib/log.h"

static void conn_writecb(struct bufferevent *bev, void *arg);
static void conn_eventcb(struct bufferevent *bev, short what, void *arg);
static void hold_cb(evutil_socket_t fd, short what, void *arg);
static void keepalive_cb(evutil_socket_t fd, short what, void *arg);

static void
tv_set(struct timeval *tv, double s)
{
	if (s < 0)
		s = 0;
	tv->tv_sec = (time_t)s;
	tv->tv_usec = (suseconds_t)((s - (double)tv->tv_sec) * 1e6);
}

void
bgp_session_timer(struct event *ev, double s)
{
	struct timeval tv;
	tv_set(&tv, s);
	evtimer_add(ev, &tv);
}

/* ---- life cycle of a connection ---- */

static void
conn_destroy(struct bgp_conn *c)
{
	struct bgp_speaker *sp = c->sp;
	for (struct bgp_conn **pp = &sp->closing; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	struct event *evs[] = {c->hold_ev, c->ka_ev, c->more_ev, c->flush_ev};
	for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++) {
		if (evs[i] != NULL)
			event_free(evs[i]);
	}
	if (c->bev != NULL) {
		/* Read what the neighbor sent last, so that close() sends FIN and not RST. */
		int fd = (int)bufferevent_getfd(c->bev);
		uint8_t junk[4096];
		for (int i = 0; fd >= 0 && i < 16; i++) {
			if (recv(fd, junk, sizeof junk, MSG_DONTWAIT) <= 0)
				break;
		}
		bufferevent_free(c->bev);
	}
	free(c);
}

static void
conn_maybe_free(struct bgp_conn *c)
{
	if (c->dead && c->busy == 0 && !c->flushing)
		conn_destroy(c);
}

void
bgp_session_conn_hold(struct bgp_conn *c)
{
	c->busy++;
}

void
bgp_session_conn_release(struct bgp_conn *c)
{
	c->busy--;
	conn_maybe_free(c);
}

static void
flush_done(struct bgp_conn *c)
{
	if (!c->flushing)
		return;
	c->flushing = false;
	conn_maybe_free(c);
}

static void
flush_writecb(struct bufferevent *bev, void *arg)
{
	(void)bev;
	flush_done(arg);
}

static void
flush_eventcb(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	(void)what;
	flush_done(arg);
}

static void
flush_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	flush_done(arg);
}

/*
 * Detaches c from its peer and closes it; with flush, what is queued (the NOTIFICATION) is
 * written first, for at most BGP_SESS_FLUSH_MS.
 */
void
bgp_session_conn_close(struct bgp_conn *c, bool flush)
{
	if (c->dead)
		return;
	c->dead = true;
	struct bgp_peer *p = c->peer;
	c->peer = NULL;
	if (p != NULL) {
		for (int i = 0; i < 2; i++) {
			if (p->conns[i] == c)
				p->conns[i] = NULL;
		}
		if (p->sess == c)
			p->sess = NULL;
	}
	evtimer_del(c->hold_ev);
	evtimer_del(c->ka_ev);
	evtimer_del(c->more_ev);
	if (c->bev != NULL) {
		bufferevent_disable(c->bev, EV_READ);
		struct evbuffer *out = bufferevent_get_output(c->bev);
		if (flush && c->state != BGP_CONNECT && evbuffer_get_length(out) > 0) {
			evbuffer_write(out, bufferevent_getfd(c->bev));
			if (evbuffer_get_length(out) > 0) {
				c->flushing = true;
				bufferevent_setcb(c->bev, NULL, flush_writecb, flush_eventcb, c);
				bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
				bufferevent_enable(c->bev, EV_WRITE);
				c->flush_ev = evtimer_new(c->sp->base, flush_timeout_cb, c);
				bgp_session_timer(c->flush_ev, BGP_SESS_FLUSH_MS / 1000.0);
				c->next = c->sp->closing;
				c->sp->closing = c;
			}
		}
		if (!c->flushing)
			bufferevent_disable(c->bev, EV_READ | EV_WRITE);
	}
	conn_maybe_free(c);
	if (p != NULL && p->conns[0] == NULL && p->conns[1] == NULL)
		bgp_session_conns_gone(p);
}

static void
out_drain_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
	struct bgp_conn *c = arg;
	(void)buf;
	/* Progress: bytes written, or the first bytes queued after the buffer was empty. */
	if (info->n_deleted > 0 || info->orig_size == 0)
		c->out_progress = bgp_session_now();
}

static struct bgp_conn *
conn_new(struct bgp_peer *p, int fd, bool outgoing, int af, const uint8_t *addr, uint16_t port)
{
	struct bgp_speaker *sp = p->sp;
	struct bgp_conn *c = calloc(1, sizeof *c);
	if (c == NULL) {
		log_err("%s: out of memory for a connection", p->name);
		close(fd);
		return NULL;
	}
	c->sp = sp;
	c->peer = p;
	c->outgoing = outgoing;
	c->state = BGP_CONNECT;
	c->af = af;
	memcpy(c->addr, addr, 16);
	c->port = port;
	c->bev = bufferevent_socket_new(sp->base, fd, BEV_OPT_CLOSE_ON_FREE);
	c->hold_ev = evtimer_new(sp->base, hold_cb, c);
	c->ka_ev = evtimer_new(sp->base, keepalive_cb, c);
	c->more_ev = evtimer_new(sp->base, bgp_session_more_cb, c);
	if (c->bev == NULL || c->hold_ev == NULL || c->ka_ev == NULL || c->more_ev == NULL) {
		log_err("%s: cannot set up a connection", p->name);
		if (c->bev == NULL)
			close(fd);
		c->dead = true;
		conn_destroy(c);
		return NULL;
	}
	bufferevent_setcb(c->bev, bgp_session_readcb, conn_writecb, conn_eventcb, c);
	bufferevent_setwatermark(c->bev, EV_READ, 0, BGP_SESS_IN_HIGH);
	bufferevent_setwatermark(c->bev, EV_WRITE, BGP_SESS_OUT_LOW, 0);
	evbuffer_add_cb(bufferevent_get_output(c->bev), out_drain_cb, c);
	c->out_progress = bgp_session_now();
	return c;
}

/* ---- NOTIFICATIONs ---- */

/* "Cease/Administrative Shutdown", with the inner error of a Hard Reset in parentheses. */
void
bgp_session_notify_text(const struct bgp_notify *n, char *buf, size_t len)
{
	const char *c = bgp_notify_code_name(n->code);
	const char *s = bgp_notify_subcode_name(n->code, n->subcode);
	int w;
	if (s != NULL && *s != '\0')
		w = snprintf(buf, len, "%s/%s", c != NULL ? c : "?", s);
	else
		w = snprintf(buf, len, "%s (subcode %u)", c != NULL ? c : "?", n->subcode);
	if (w < 0 || (size_t)w >= len)
		return;
	if (n->code == BGP_ERR_CEASE && n->subcode == BGP_CEASE_HARD_RESET && n->data_len >= 2) {
		const char *ic = bgp_notify_code_name(n->data[0]);
		const char *is = bgp_notify_subcode_name(n->data[0], n->data[1]);
		snprintf(buf + w, len - (size_t)w, " (%s/%s)", ic != NULL ? ic : "?",
			 is != NULL ? is : "?");
	}
}

/* The error a Hard Reset wraps, or n itself. */
void
bgp_session_notify_inner(const struct bgp_notify *n, struct bgp_notify *inner)
{
	if (n->code == BGP_ERR_CEASE && n->subcode == BGP_CEASE_HARD_RESET && n->data_len >= 2)
		bgp_notify_set(inner, n->data[0], n->data[1], n->data + 2, n->data_len - 2u);
	else
		*inner = *n;
}

/* Copies s into out with control characters and quotes replaced, for log lines. */
static void
sanitise(const char *s, char *out, size_t len)
{
	size_t i = 0;
	for (; s != NULL && *s != '\0' && i + 1 < len; s++)
		out[i++] = ((unsigned char)*s < 0x20 || *s == 0x7f || *s == '"') ? '?' : *s;
	out[i] = '\0';
}

static void
notify_send(struct bgp_conn *c, const struct bgp_notify *n)
{
	struct bgp_peer *p = c->peer;
	uint8_t buf[BGP_HDR_LEN + 2 + BGP_NOTIFY_DATA_MAX];
	size_t len = bgp_notify_encode(buf, sizeof buf, n);
	if (len > 0 && c->bev != NULL && c->state != BGP_CONNECT)
		bufferevent_write(c->bev, buf, len);
	char text[128], msg[140] = "", comm[130];
	bgp_session_notify_text(n, text, sizeof text);
	struct bgp_notify inner;
	bgp_session_notify_inner(n, &inner);
	if (inner.code == BGP_ERR_CEASE &&
	    (inner.subcode == BGP_CEASE_ADMIN_SHUTDOWN || inner.subcode == BGP_CEASE_ADMIN_RESET) &&
	    inner.data_len > 0) {
		char raw[BGP_NOTIFY_DATA_MAX + 1];
		size_t l = inner.data[0] < inner.data_len ? inner.data[0] : inner.data_len - 1u;
		memcpy(raw, inner.data + 1, l);
		raw[l] = '\0';
		sanitise(raw, comm, sizeof comm);
		snprintf(msg, sizeof msg, " \"%s\"", comm);
	}
	if (p == NULL)
		return;
	p->stats.msgs_out[BGP_NOTIFICATION]++;
	snprintf(p->stats.last_error, sizeof p->stats.last_error, "sent %s", text);
	if (n->code == BGP_ERR_CEASE)
		log_info("%s: NOTIFICATION sent: %s%s", p->name, text, msg);
	else
		log_warn("%s: NOTIFICATION sent: %s%s", p->name, text, msg);
}

bool
bgp_session_gr_negotiated(const struct bgp_peer *p)
{
	return p->neg_valid && p->cfg.graceful_restart && p->neg.peer_open.caps.gr;
}

/* RFC 8538: both sides set N (we always do with graceful restart). */
static bool
gr_n_negotiated(const struct bgp_peer *p)
{
	return bgp_session_gr_negotiated(p) && p->neg.peer_open.caps.gr_notification;
}

/*
 * Cease(subcode, msg) for connection c; with RFC 8538 negotiated on its session, the subcodes
 * RFC 8538 section 5 maps to a flush (maximum prefixes, administrative shutdown, peer
 * de-configured) go out as Hard Reset around the Cease.
 */
static void
cease_build(const struct bgp_conn *c, struct bgp_notify *n, uint8_t subcode, const char *msg)
{
	bgp_notify_cease(n, subcode, msg);
	const struct bgp_peer *p = c->peer;
	if (p == NULL || p->sess != c || !gr_n_negotiated(p))
		return;
	/* Out of resources: a limit of ours closed the session to give its memory back (RFC
	 * 8538 section 5 leaves this subcode to the implementation). */
	if (subcode != BGP_CEASE_MAX_PREFIX && subcode != BGP_CEASE_ADMIN_SHUTDOWN &&
	    subcode != BGP_CEASE_PEER_DECONFIGURED && subcode != BGP_CEASE_OUT_OF_RESOURCES)
		return;
	uint8_t d[BGP_NOTIFY_DATA_MAX];
	size_t l = n->data_len < sizeof d - 2 ? n->data_len : sizeof d - 2;
	d[0] = n->code;
	d[1] = n->subcode;
	memcpy(d + 2, n->data, l);
	bgp_notify_set(n, BGP_ERR_CEASE, BGP_CEASE_HARD_RESET, d, l + 2);
}

static bool
gr_keep(const struct bgp_peer *p, enum bgp_down_why why, const struct bgp_notify *n)
{
	if (!bgp_session_gr_negotiated(p))
		return false;
	switch (why) {
	case BGP_DOWN_TCP:
	case BGP_DOWN_REPLACED:
		return true;
	case BGP_DOWN_NOTIF_RX:
	case BGP_DOWN_NOTIF_TX:
		return gr_n_negotiated(p) &&
		       !(n->code == BGP_ERR_CEASE && n->subcode == BGP_CEASE_HARD_RESET);
	case BGP_DOWN_QUIET:
		break;
	}
	return false;
}

/*
 * Ends connection c: writes n first (BGP_DOWN_NOTIF_TX), closes, and when it carried the
 * Established session tells the pipeline, with the graceful restart verdict.
 */
void
bgp_session_conn_down(struct bgp_conn *c, enum bgp_down_why why, const struct bgp_notify *n,
		      const char *text)
{
	if (c->dead)
		return;
	struct bgp_peer *p = c->peer;
	bgp_session_conn_hold(c);
	if (why == BGP_DOWN_NOTIF_TX)
		notify_send(c, n);
	bool was_est = p != NULL && p->sess == c && c->state == BGP_ESTABLISHED;
	bool keep = p != NULL && was_est && gr_keep(p, why, n);
	if (p != NULL) {
		bgp_session_peer_hold(p);
		if (was_est && bgp_session_now() - c->est_time >= BGP_SESS_STABLE)
			p->retries = 0;
	}
	bgp_session_conn_close(c, why == BGP_DOWN_NOTIF_TX);
	if (was_est) {
		p->stats.flaps++;
		p->stats.down_at = time(NULL);
		log_info("%s: session down: %s%s", p->name, text,
			 keep ? " (graceful restart: routes kept as stale)" : "");
		bgp_session_call_down(p, keep, keep ? p->neg.peer_open.caps.gr_time : 0);
	}
	if (p != NULL) {
		if (p->sess == NULL)
			p->neg_valid = false;
		bgp_session_peer_release(p);
	}
	bgp_session_conn_release(c);
}

void
bgp_session_conn_fail(struct bgp_conn *c, uint8_t code, uint8_t subcode, const char *text)
{
	struct bgp_notify n;
	bgp_notify_set(&n, code, subcode, NULL, 0);
	bgp_session_conn_down(c, BGP_DOWN_NOTIF_TX, &n, text);
}

void
bgp_session_conn_cease(struct bgp_conn *c, uint8_t subcode, const char *msg, const char *text)
{
	struct bgp_notify n;
	cease_build(c, &n, subcode, msg);
	bgp_session_conn_down(c, BGP_DOWN_NOTIF_TX, &n, text);
}

void
bgp_session_close_all(struct bgp_peer *p, uint8_t subcode, const char *msg)
{
	bgp_session_peer_hold(p);
	for (int i = 0; i < 2; i++) {
		struct bgp_conn *c = p->conns[i];
		if (c == NULL)
			continue;
		if (c->state == BGP_CONNECT) {
			bgp_session_conn_close(c, false);
			continue;
		}
		char text[64];
		snprintf(text, sizeof text, "Cease/%s",
			 subcode == BGP_CEASE_ADMIN_SHUTDOWN	  ? "administrative shutdown"
			 : subcode == BGP_CEASE_ADMIN_RESET	  ? "administrative reset"
			 : subcode == BGP_CEASE_PEER_DECONFIGURED ? "neighbor removed"
			 : subcode == BGP_CEASE_MAX_PREFIX ? "maximum number of prefixes reached"
			 : subcode == BGP_CEASE_OUT_OF_RESOURCES ? "out of resources"
								 : "closed locally");
		bgp_session_conn_cease(c, subcode, msg, text);
	}
	bgp_session_peer_release(p);
}

void
bgp_session_conns_free(struct bgp_peer *p)
{
	for (int i = 0; i < 2; i++) {
		struct bgp_conn *c = p->conns[i];
		if (c != NULL) {
			c->busy = 0;
			bgp_session_conn_close(c, false);
		}
	}
}

void
bgp_session_closing_free(struct bgp_speaker *sp)
{
	while (sp->closing != NULL) {
		struct bgp_conn *c = sp->closing;
		c->flushing = false;
		c->busy = 0;
		conn_destroy(c); /* unlinks itself */
	}
}

/* ---- output helpers ---- */

void
bgp_session_send(struct bgp_conn *c, const uint8_t *buf, size_t len, uint8_t type)
{
	if (len == 0 || c->bev == NULL)
		return;
	bufferevent_write(c->bev, buf, len);
	if (c->peer != NULL)
		c->peer->stats.msgs_out[type]++;
}

void
bgp_session_send_keepalive(struct bgp_conn *c)
{
	uint8_t buf[BGP_HDR_LEN];
	bgp_session_send(c, buf, bgp_keepalive_encode(buf, sizeof buf), BGP_KEEPALIVE);
}

/* ---- timers ---- */

static void
hold_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct bgp_conn *c = arg;
	if (c->peer != NULL)
		log_warn("%s: hold timer expired in %s", c->peer->name, bgp_state_name(c->state));
	bgp_session_conn_fail(c, BGP_ERR_HOLD, 0, "hold timer expired");
}

void
bgp_session_hold_restart(struct bgp_conn *c)
{
	const struct bgp_peer *p = c->peer;
	if (p->neg.hold > 0)
		bgp_session_timer(c->hold_ev, p->neg.hold);
	else if (c->state == BGP_ESTABLISHED)
		evtimer_del(c->hold_ev);
	else
		bgp_session_timer(c->hold_ev, BGP_SESS_OPENSENT_HOLD);
}

/* Send hold time (RFC 9687): how long the output may stay stuck. */
static double
send_hold(const struct bgp_peer *p)
{
	if (p->cfg.send_hold_time != 0)
		return p->cfg.send_hold_time;
	double t = 2.0 * p->neg.hold;
	return t > 480 ? t : 480;
}

static void
keepalive_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct bgp_conn *c = arg;
	struct bgp_peer *p = c->peer;
	if (p == NULL || p->neg.keepalive == 0)
		return;
	struct evbuffer *out = bufferevent_get_output(c->bev);
	bool waiting = evbuffer_get_length(out) > 0;
	/* Progress is what the neighbor acknowledged: bytes taken by our kernel are not read by
	 * the neighbor, and a neighbor that stopped reading still lets keepalives into our
	 * socket buffer until it is full. */
	struct tcp_info ti;
	socklen_t tl = sizeof ti;
	int sfd = (int)bufferevent_getfd(c->bev);
	if (sfd >= 0 && getsockopt(sfd, IPPROTO_TCP, TCP_INFO, &ti, &tl) == 0 &&
	    tl >= offsetof(struct tcp_info, tcpi_notsent_bytes) + sizeof ti.tcpi_notsent_bytes) {
		if (ti.tcpi_bytes_acked != c->acked) {
			c->acked = ti.tcpi_bytes_acked;
			c->out_progress = bgp_session_now();
		}
		waiting = waiting || ti.tcpi_notsent_bytes > 0 || ti.tcpi_unacked > 0;
		if (!waiting)
			c->out_progress = bgp_session_now();
	}
	if (waiting && bgp_session_now() - c->out_progress > send_hold(p)) {
		log_warn("%s: send hold timer expired: the neighbor reads nothing", p->name);
		bgp_session_conn_fail(c, BGP_ERR_SEND_HOLD, 0, "send hold timer expired");
		return;
	}
	bgp_session_send_keepalive(c);
	bgp_session_timer(c->ka_ev, bgp_session_ka_interval(c));
}

double
bgp_session_ka_interval(const struct bgp_conn *c)
{
	/* Also often enough to see the send hold time pass (a keepalive more is harmless). */
	double ka = c->peer->neg.keepalive * bgp_session_jitter(c->sp);
	if (ka > send_hold(c->peer) / 3)
		ka = send_hold(c->peer) / 3;
	return ka < 1 ? 1 : ka;
}

static void
conn_writecb(struct bufferevent *bev, void *arg)
{
	(void)bev;
	struct bgp_conn *c = arg;
	struct bgp_peer *p = c->peer;
	if (!c->dead && p != NULL && p->sess == c && c->state == BGP_ESTABLISHED)
		bgp_session_call_writable(p);
}

static void
conn_eventcb(struct bufferevent *bev, short what, void *arg)
{
	struct bgp_conn *c = arg;
	struct bgp_peer *p = c->peer;
	int e = EVUTIL_SOCKET_ERROR();
	if (c->dead || p == NULL)
		return;
	if (what & BEV_EVENT_CONNECTED) {
		if (bgp_session_sock_established(p, (int)bufferevent_getfd(bev), c->af) < 0) {
			bgp_session_conn_close(c, false);
			return;
		}
		bgp_session_tcp_up(c);
		return;
	}
	if (!(what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)))
		return;
	const char *err = (what & BEV_EVENT_EOF) ? "connection closed by the neighbor"
			  : e != 0		 ? evutil_socket_error_to_string(e)
						 : "connection error";
	if (c->state == BGP_CONNECT) {
		snprintf(p->stats.last_error, sizeof p->stats.last_error, "connect: %s", err);
		log_debug("%s: connect failed: %s", p->name, err);
		bgp_session_conn_close(c, false);
		return;
	}
	bgp_session_conn_hold(c);
	if (what & BEV_EVENT_EOF)
		bgp_session_input(c, true); /* a NOTIFICATION may precede the FIN */
	if (!c->dead) {
		snprintf(p->stats.last_error, sizeof p->stats.last_error, "%s", err);
		if (c->state == BGP_ESTABLISHED)
			log_warn("%s: %s", p->name, err);
		else
			log_info("%s: %s in %s", p->name, err, bgp_state_name(c->state));
		bgp_session_conn_down(c, BGP_DOWN_TCP, NULL, err);
	}
	bgp_session_conn_release(c);
}

/* ---- opening connections ---- */

void
bgp_session_connect(struct bgp_peer *p)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int slot = p->conns[0] == NULL ? 0 : p->conns[1] == NULL ? 1 : -1;
	if (slot < 0)
		return;
	int fd = bgp_session_sock_connect(p, &ss, &sl);
	if (fd < 0)
		return;
	struct bgp_conn *c = conn_new(p, fd, true, p->cfg.af, p->cfg.addr, p->cfg.port);
	if (c == NULL)
		return;
	p->conns[slot] = c;
	log_debug("%s: connecting", p->name);
	if (bufferevent_socket_connect(c->bev, (struct sockaddr *)&ss, (int)sl) < 0) {
		snprintf(p->stats.last_error, sizeof p->stats.last_error, "connect: %s",
			 strerror(errno));
		log_debug("%s: connect: %s", p->name, strerror(errno));
		bgp_session_conn_close(c, false);
	}
}

void
bgp_session_abort_connect(struct bgp_peer *p)
{
	for (int i = 0; i < 2; i++) {
		struct bgp_conn *c = p->conns[i];
		if (c != NULL && c->state == BGP_CONNECT) {
			snprintf(p->stats.last_error, sizeof p->stats.last_error,
				 "connect: timed out");
			log_debug("%s: connect timed out", p->name);
			bgp_session_conn_close(c, false);
		}
	}
}

/* Refuses a connection with a NOTIFICATION written straight to the new socket. */
static void
reject(int fd, uint8_t subcode, const char *who, const char *why)
{
	struct bgp_notify n;
	uint8_t buf[BGP_HDR_LEN + 2 + BGP_NOTIFY_DATA_MAX], junk[512];
	char text[160];
	bgp_notify_set(&n, BGP_ERR_CEASE, subcode, NULL, 0);
	bgp_session_notify_text(&n, text, sizeof text);
	size_t len = bgp_notify_encode(buf, sizeof buf, &n);
	log_info("connection from %s refused: %s (NOTIFICATION sent: %s)", who, why, text);
	if (len > 0 && send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		log_debug("connection from %s: send: %s", who, strerror(errno));
	while (recv(fd, junk, sizeof junk, MSG_DONTWAIT) > 0)
		continue;
	close(fd);
}

/*
 * Closes a connection from an address that is no neighbor, without a word on the wire (as
 * OpenBGPD does): a stranger learns nothing of the speaker, not even its identifier or that the
 * port speaks BGP. The log line is limited to one per second, with the count of the rest, so a
 * flood of attempts cannot flood the log.
 */
static void
drop_stranger(int fd, const char *who)
{
	static time_t last;
	static unsigned quiet;
	uint8_t junk[512];
	time_t now = time(NULL);
	if (now != last) {
		if (quiet > 0)
			log_info("%u more connections from unconfigured addresses closed", quiet);
		log_info("connection from %s closed: not a configured neighbor", who);
		last = now;
		quiet = 0;
	} else {
		quiet++;
	}
	/* drained first, so that the close is a FIN and not a reset for data unread */
	while (recv(fd, junk, sizeof junk, MSG_DONTWAIT) > 0)
		continue;
	close(fd);
}

void
bgp_session_accept(struct bgp_speaker *sp, int fd, const struct sockaddr *sa)
{
	int af;
	uint8_t addr[16];
	uint16_t port;
	char who[ADDR_STRLEN + 16];
	if (bgp_session_sa_parse(sa, &af, addr, &port) < 0) {
		close(fd);
		return;
	}
	addr_fmt(af, addr, who);
	struct bgp_peer *p = bgp_peer_by_addr(sp, af, addr);
	if (p == NULL) {
		drop_stranger(fd, who);
		return;
	}
	if (p->admin_down) {
		reject(fd, BGP_CEASE_ADMIN_SHUTDOWN, p->name, "neighbor is shut down");
		return;
	}
	if (p->broken) {
		reject(fd, BGP_CEASE_CONN_REJECTED, p->name,
		       "neighbor disabled (see earlier error)");
		return;
	}
	/* The neighbor gave up an incoming connection it has not finished: the new one wins. */
	for (int i = 0; i < 2; i++) {
		struct bgp_conn *o = p->conns[i];
		if (o != NULL && !o->outgoing && o->state != BGP_ESTABLISHED) {
			log_info("%s: new connection replaces an unfinished one", p->name);
			bgp_session_conn_cease(o, BGP_CEASE_COLLISION, NULL,
					       "replaced by a new connection");
		}
	}
	int slot = p->conns[0] == NULL ? 0 : p->conns[1] == NULL ? 1 : -1;
	if (slot < 0) {
		reject(fd, BGP_CEASE_COLLISION, p->name, "two connections already");
		return;
	}
	if (bgp_session_sock_established(p, fd, af) < 0) {
		close(fd);
		return;
	}
	struct bgp_conn *c = conn_new(p, fd, false, af, addr, port);
	if (c == NULL)
		return;
	p->conns[slot] = c;
	log_debug("%s: connection accepted from port %u", p->name, port);
	bgp_session_tcp_up(c);
}
