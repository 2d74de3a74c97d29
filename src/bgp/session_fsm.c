/*
 * Connections and the RFC 4271 FSM (spec/bgp-errors.md section 4): a connection is opened by
 * us (Connect until TCP is up) or accepted, sends its OPEN at once (no DelayOpen), and moves
 * OpenSent -> OpenConfirm on a valid OPEN -> Established on the first KEEPALIVE.
 *
 * Input is framed from the bufferevent's input buffer and dispatched by message type. The work
 * per callback is bounded (BGP_SESS_SLICE_NS): a neighbor sending a full table yields the loop
 * after a slice and continues from a zero-timeout timer, so other neighbors' keepalives and
 * timers run in between; the input buffer's high watermark stops reading the socket meanwhile.
 *
 * Collisions (RFC 4271 6.8): when an OPEN arrives while the other connection of the peer is in
 * OpenConfirm, the connection opened by the speaker with the higher BGP Identifier (then the
 * larger AS) is kept and the other gets Cease 6/7. A connection still waiting for TCP is simply
 * dropped. Against an Established session, a new connection is a restart of the neighbor: with
 * graceful restart negotiated the old session is closed without NOTIFICATION and its routes kept
 * (RFC 4724 4.2), otherwise the newcomer gets 6/7. The exception is a session Established less
 * than BGP_SESS_COLLISION_GUARD ago by the other direction: that is the tail of a collision both
 * sides started at once, and it is resolved by identifiers as above, which both sides compute
 * alike.
 *
 * Leaving Established calls 'down' with gr_keep per RFC 4724 / RFC 8538: graceful restart
 * negotiated, and the TCP connection lost without NOTIFICATION, or (with the N bit negotiated)
 * any NOTIFICATION but Cease / Hard Reset sent or received, hold timer expiry included.
 */
#include <errno.h>
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

enum down_why {
	DOWN_TCP,      /* connection lost, no NOTIFICATION */
	DOWN_NOTIF_RX, /* NOTIFICATION received */
	DOWN_NOTIF_TX, /* NOTIFICATION sent (it is written here) */
	DOWN_REPLACED, /* a new connection of a restarting neighbor took over */
	DOWN_QUIET,    /* closed without a word (a pending connect, a local error) */
};

static void conn_readcb(struct bufferevent *bev, void *arg);
static void conn_writecb(struct bufferevent *bev, void *arg);
static void conn_eventcb(struct bufferevent *bev, short what, void *arg);

static void
tv_set(struct timeval *tv, double s)
{
	if (s < 0)
		s = 0;
	tv->tv_sec = (time_t)s;
	tv->tv_usec = (suseconds_t)((s - (double)tv->tv_sec) * 1e6);
}

static void
timer_start(struct event *ev, double s)
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

static void
conn_hold(struct bgp_conn *c)
{
	c->busy++;
}

static void
conn_release(struct bgp_conn *c)
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
static void
conn_close(struct bgp_conn *c, bool flush)
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
				timer_start(c->flush_ev, BGP_SESS_FLUSH_MS / 1000.0);
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

static void hold_cb(evutil_socket_t fd, short what, void *arg);
static void keepalive_cb(evutil_socket_t fd, short what, void *arg);
static void more_cb(evutil_socket_t fd, short what, void *arg);

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
	c->more_ev = evtimer_new(sp->base, more_cb, c);
	if (c->bev == NULL || c->hold_ev == NULL || c->ka_ev == NULL || c->more_ev == NULL) {
		log_err("%s: cannot set up a connection", p->name);
		if (c->bev == NULL)
			close(fd);
		c->dead = true;
		conn_destroy(c);
		return NULL;
	}
	bufferevent_setcb(c->bev, conn_readcb, conn_writecb, conn_eventcb, c);
	bufferevent_setwatermark(c->bev, EV_READ, 0, BGP_SESS_IN_HIGH);
	bufferevent_setwatermark(c->bev, EV_WRITE, BGP_SESS_OUT_LOW, 0);
	evbuffer_add_cb(bufferevent_get_output(c->bev), out_drain_cb, c);
	c->out_progress = bgp_session_now();
	return c;
}

/* ---- NOTIFICATIONs ---- */

/* "Cease/Administrative Shutdown", with the inner error of a Hard Reset in parentheses. */
static void
notify_text(const struct bgp_notify *n, char *buf, size_t len)
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
static void
notify_inner(const struct bgp_notify *n, struct bgp_notify *inner)
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
	notify_text(n, text, sizeof text);
	struct bgp_notify inner;
	notify_inner(n, &inner);
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

static bool
gr_negotiated(const struct bgp_peer *p)
{
	return p->neg_valid && p->cfg.graceful_restart && p->neg.peer_open.caps.gr;
}

/* RFC 8538: both sides set N (we always do with graceful restart). */
static bool
gr_n_negotiated(const struct bgp_peer *p)
{
	return gr_negotiated(p) && p->neg.peer_open.caps.gr_notification;
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
	if (subcode != BGP_CEASE_MAX_PREFIX && subcode != BGP_CEASE_ADMIN_SHUTDOWN &&
	    subcode != BGP_CEASE_PEER_DECONFIGURED)
		return;
	uint8_t d[BGP_NOTIFY_DATA_MAX];
	size_t l = n->data_len < sizeof d - 2 ? n->data_len : sizeof d - 2;
	d[0] = n->code;
	d[1] = n->subcode;
	memcpy(d + 2, n->data, l);
	bgp_notify_set(n, BGP_ERR_CEASE, BGP_CEASE_HARD_RESET, d, l + 2);
}

static bool
gr_keep(const struct bgp_peer *p, enum down_why why, const struct bgp_notify *n)
{
	if (!gr_negotiated(p))
		return false;
	switch (why) {
	case DOWN_TCP:
	case DOWN_REPLACED:
		return true;
	case DOWN_NOTIF_RX:
	case DOWN_NOTIF_TX:
		return gr_n_negotiated(p) &&
		       !(n->code == BGP_ERR_CEASE && n->subcode == BGP_CEASE_HARD_RESET);
	case DOWN_QUIET:
		break;
	}
	return false;
}

/*
 * Ends connection c: writes n first (DOWN_NOTIF_TX), closes, and when it carried the
 * Established session tells the pipeline, with the graceful restart verdict.
 */
static void
conn_down(struct bgp_conn *c, enum down_why why, const struct bgp_notify *n, const char *text)
{
	if (c->dead)
		return;
	struct bgp_peer *p = c->peer;
	conn_hold(c);
	if (why == DOWN_NOTIF_TX)
		notify_send(c, n);
	bool was_est = p != NULL && p->sess == c && c->state == BGP_ESTABLISHED;
	bool keep = p != NULL && was_est && gr_keep(p, why, n);
	if (p != NULL) {
		bgp_session_peer_hold(p);
		if (was_est && bgp_session_now() - c->est_time >= BGP_SESS_STABLE)
			p->retries = 0;
	}
	conn_close(c, why == DOWN_NOTIF_TX);
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
	conn_release(c);
}

static void
conn_fail(struct bgp_conn *c, uint8_t code, uint8_t subcode, const char *text)
{
	struct bgp_notify n;
	bgp_notify_set(&n, code, subcode, NULL, 0);
	conn_down(c, DOWN_NOTIF_TX, &n, text);
}

static void
conn_cease(struct bgp_conn *c, uint8_t subcode, const char *msg, const char *text)
{
	struct bgp_notify n;
	cease_build(c, &n, subcode, msg);
	conn_down(c, DOWN_NOTIF_TX, &n, text);
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
			conn_close(c, false);
			continue;
		}
		char text[64];
		snprintf(text, sizeof text, "Cease/%s",
			 subcode == BGP_CEASE_ADMIN_SHUTDOWN ? "administrative shutdown"
			 : subcode == BGP_CEASE_ADMIN_RESET  ? "administrative reset"
			 : subcode == BGP_CEASE_PEER_DECONFIGURED ? "neighbor removed"
								  : "closed locally");
		conn_cease(c, subcode, msg, text);
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
			conn_close(c, false);
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

static void
send_msg(struct bgp_conn *c, const uint8_t *buf, size_t len, uint8_t type)
{
	if (len == 0 || c->bev == NULL)
		return;
	bufferevent_write(c->bev, buf, len);
	if (c->peer != NULL)
		c->peer->stats.msgs_out[type]++;
}

static void
send_keepalive(struct bgp_conn *c)
{
	uint8_t buf[BGP_HDR_LEN];
	send_msg(c, buf, bgp_keepalive_encode(buf, sizeof buf), BGP_KEEPALIVE);
}

/* Our OPEN to p (spec/bgp-wire.md sections 2-3). */
static void
open_local(const struct bgp_peer *p, struct bgp_open *o)
{
	const struct bgp_local *l = &p->sp->local;
	memset(o, 0, sizeof *o);
	o->version = 4;
	o->my_as = l->as > 0xffff ? BGP_AS_TRANS : (uint16_t)l->as;
	o->as = l->as;
	o->hold = p->cfg.hold_time;
	o->bgp_id = l->router_id;
	struct bgp_caps *k = &o->caps;
	k->mp = BGP_FAM_BIT(BGP_FAM_V4) | BGP_FAM_BIT(BGP_FAM_V6);
	k->mp_any = true;
	k->route_refresh = true;
	k->enhanced_rr = true;
	k->ext_msg = true;
	k->as4 = true;
	k->as4_value = l->as;
	k->ext_nh = p->cfg.extended_nexthop ? BGP_FAM_BIT(BGP_FAM_V4) : 0;
	if (p->cfg.graceful_restart) {
		/* Helper only: R = 0, no families (so no F), N for RFC 8538. */
		k->gr = true;
		k->gr_notification = true;
		k->gr_time = p->cfg.gr_restart_time > 4095 ? 4095 : p->cfg.gr_restart_time;
	}
}

/* TCP is up: send our OPEN, hold timer 4 minutes (RFC 4271 8.2.2). */
static void
conn_tcp_up(struct bgp_conn *c)
{
	struct bgp_peer *p = c->peer;
	struct bgp_open o;
	uint8_t buf[BGP_MAX_MSG];
	open_local(p, &o);
	size_t len = bgp_open_encode(buf, sizeof buf, &o);
	if (len == 0) {
		log_err("%s: cannot encode our OPEN", p->name);
		conn_close(c, false);
		return;
	}
	c->state = BGP_OPENSENT;
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	send_msg(c, buf, len, BGP_OPEN);
	timer_start(c->hold_ev, BGP_SESS_OPENSENT_HOLD);
	log_debug("%s: %s connection up, OPEN sent", p->name, c->outgoing ? "outgoing" : "incoming");
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
	conn_fail(c, BGP_ERR_HOLD, 0, "hold timer expired");
}

static void
hold_restart(struct bgp_conn *c)
{
	const struct bgp_peer *p = c->peer;
	if (p->neg.hold > 0)
		timer_start(c->hold_ev, p->neg.hold);
	else if (c->state == BGP_ESTABLISHED)
		evtimer_del(c->hold_ev);
	else
		timer_start(c->hold_ev, BGP_SESS_OPENSENT_HOLD);
}

/* Send hold time (RFC 9687): how long the output may stay stuck. */
static double
send_hold(const struct bgp_peer *p)
{
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
	if (evbuffer_get_length(out) > 0 && bgp_session_now() - c->out_progress > send_hold(p)) {
		log_warn("%s: send hold timer expired: the neighbor reads nothing", p->name);
		conn_fail(c, BGP_ERR_SEND_HOLD, 0, "send hold timer expired");
		return;
	}
	send_keepalive(c);
	double ka = p->neg.keepalive * bgp_session_jitter(c->sp);
	timer_start(c->ka_ev, ka < 1 ? 1 : ka);
}

/* ---- OPEN ---- */

static void
negotiate(struct bgp_peer *p, const struct bgp_open *l, const struct bgp_open *r)
{
	struct bgp_neg *g = &p->neg;
	memset(g, 0, sizeof *g);
	uint8_t peer_mp = r->caps.mp_any ? r->caps.mp : BGP_FAM_BIT(BGP_FAM_V4);
	g->fams = l->caps.mp & peer_mp;
	g->as4 = l->caps.as4 && r->caps.as4;
	g->route_refresh = l->caps.route_refresh && r->caps.route_refresh;
	g->enhanced_rr = l->caps.enhanced_rr && r->caps.enhanced_rr;
	g->ext_msg_rx = l->caps.ext_msg;
	g->ext_msg_tx = r->caps.ext_msg;
	g->ext_nh = l->caps.ext_nh & r->caps.ext_nh & g->fams;
	g->addpath_rx = l->caps.addpath_rx & r->caps.addpath_tx & g->fams;
	g->addpath_tx = l->caps.addpath_tx & r->caps.addpath_rx & g->fams;
	g->hold = (l->hold == 0 || r->hold == 0) ? 0 : (l->hold < r->hold ? l->hold : r->hold);
	g->keepalive = g->hold / 3;
	g->ibgp = r->as == p->sp->local.as;
	g->peer_open = *r;
	p->neg_valid = true;
}

/*
 * Collision detection for connection c, whose OPEN o just arrived (see the file comment).
 * Returns true when c goes on; the loser has been closed.
 */
static bool
collision(struct bgp_conn *c, const struct bgp_open *o)
{
	struct bgp_peer *p = c->peer;
	const struct bgp_local *l = &p->sp->local;
	struct bgp_conn *other = p->conns[0] == c ? p->conns[1] : p->conns[0];
	if (other == NULL || other->state == BGP_OPENSENT)
		return true;
	if (other->state == BGP_CONNECT) {
		log_debug("%s: OPEN received, dropping our pending connect", p->name);
		conn_close(other, false);
		return true;
	}
	if (other->state == BGP_ESTABLISHED &&
	    (other->outgoing == c->outgoing ||
	     bgp_session_now() - other->est_time >= BGP_SESS_COLLISION_GUARD)) {
		if (gr_negotiated(p)) {
			log_info("%s: new connection while Established: the neighbor restarted",
				 p->name);
			conn_down(other, DOWN_REPLACED, NULL, "neighbor restarted (new connection)");
			return true;
		}
		log_info("%s: new connection refused: session already Established", p->name);
		conn_cease(c, BGP_CEASE_COLLISION, NULL, "connection collision");
		return false;
	}
	bool keep_c;
	if (other->outgoing == c->outgoing) {
		keep_c = true; /* both from the neighbor: it gave up the older one */
	} else {
		bool we_dominate =
		    l->router_id > o->bgp_id || (l->router_id == o->bgp_id && l->as > o->as);
		keep_c = c->outgoing == we_dominate;
		log_info("%s: connection collision: keeping the connection opened by %s", p->name,
			 we_dominate ? "us" : "the neighbor");
	}
	conn_cease(keep_c ? other : c, BGP_CEASE_COLLISION, NULL, "connection collision");
	return keep_c;
}

static void
on_open(struct bgp_conn *c, const uint8_t *body, size_t len)
{
	struct bgp_peer *p = c->peer;
	struct bgp_open o, l;
	struct bgp_notify n;
	if (c->state != BGP_OPENSENT) {
		conn_fail(c, BGP_ERR_FSM, c->state == BGP_OPENCONFIRM ? 2 : 3, "unexpected OPEN");
		return;
	}
	if (bgp_open_parse(body, len, &o, &n) < 0) {
		conn_down(c, DOWN_NOTIF_TX, &n, "bad OPEN");
		return;
	}
	if (o.as != p->cfg.remote_as) {
		log_warn("%s: OPEN with AS %u, expected AS %u", p->name, o.as, p->cfg.remote_as);
		conn_fail(c, BGP_ERR_OPEN, 2, "bad peer AS");
		return;
	}
	if (o.as == p->sp->local.as && o.bgp_id == p->sp->local.router_id) {
		log_warn("%s: OPEN with our own BGP identifier", p->name);
		conn_fail(c, BGP_ERR_OPEN, 3, "bad BGP identifier");
		return;
	}
	if (!collision(c, &o))
		return;
	open_local(p, &l);
	negotiate(p, &l, &o);
	p->sess = c;
	c->state = BGP_OPENCONFIRM;
	if (p->neg.fams == 0)
		log_warn("%s: no address family in common", p->name);
	send_keepalive(c);
	hold_restart(c);
	if (p->neg.keepalive > 0)
		timer_start(c->ka_ev, p->neg.keepalive * bgp_session_jitter(c->sp));
}

/* ---- KEEPALIVE, UPDATE, ROUTE-REFRESH, NOTIFICATION ---- */

static void
established(struct bgp_conn *c)
{
	struct bgp_peer *p = c->peer;
	const struct bgp_neg *g = &p->neg;
	c->state = BGP_ESTABLISHED;
	c->est_time = bgp_session_now();
	p->long_backoff = false;
	p->stats.established_at = time(NULL);
	hold_restart(c);
	char fams[64] = "";
	for (int f = 0; f < BGP_FAM_N; f++) {
		if (g->fams & BGP_FAM_BIT(f)) {
			size_t k = strlen(fams);
			snprintf(fams + k, sizeof fams - k, "%s%s", k ? " " : "",
				 bgp_fam_name((enum bgp_fam)f));
		}
	}
	log_info("%s: Established (hold %u, %s%s%s%s%s)", p->name, g->hold,
		 fams[0] ? fams : "no family", g->as4 ? ", 4-octet AS" : ", 2-octet AS",
		 g->ext_msg_tx ? ", extended messages" : "", g->ext_nh ? ", extended next hop" : "",
		 gr_negotiated(p) ? ", graceful restart" : "");
	bgp_session_call_established(p);
	if (!c->dead && p->sess == c)
		bgp_session_call_writable(p);
}

static void
on_keepalive(struct bgp_conn *c)
{
	switch (c->state) {
	case BGP_OPENSENT:
		conn_fail(c, BGP_ERR_FSM, 1, "KEEPALIVE in OpenSent");
		break;
	case BGP_OPENCONFIRM:
		established(c);
		break;
	default:
		hold_restart(c);
		break;
	}
}

static void
on_update(struct bgp_conn *c, const uint8_t *body, size_t len)
{
	struct bgp_peer *p = c->peer;
	if (c->state != BGP_ESTABLISHED) {
		conn_fail(c, BGP_ERR_FSM, c->state == BGP_OPENSENT ? 1 : 2, "UPDATE before Established");
		return;
	}
	hold_restart(c);
	struct bgp_update u;
	bgp_update_parse(body, len, bgp_session_ctx(p), &u);
	p->stats.updates_in++;
	p->stats.attr_discarded += u.discarded;
	switch (u.action) {
	case BGP_UPD_RESET:
	case BGP_UPD_AFI_DISABLE: /* bgp64d resets on MP errors (spec/bgp-errors.md) */
		log_warn("%s: malformed UPDATE: %s", p->name, u.reason);
		if (u.notify.code == 0)
			bgp_notify_set(&u.notify, BGP_ERR_UPDATE, 1, NULL, 0);
		conn_down(c, DOWN_NOTIF_TX, &u.notify, "malformed UPDATE");
		return;
	case BGP_UPD_TREAT_AS_WITHDRAW:
		p->stats.withdraw_treated++;
		break; /* logged by the pipeline, which knows what it withdrew */
	case BGP_UPD_ATTR_DISCARD:
	case BGP_UPD_OK:
		break;
	}
	bgp_session_call_update(p, &u);
}

static void
on_refresh(struct bgp_conn *c, const uint8_t *body, size_t len)
{
	struct bgp_peer *p = c->peer;
	if (c->state != BGP_ESTABLISHED) {
		conn_fail(c, BGP_ERR_FSM, c->state == BGP_OPENSENT ? 1 : 2,
			  "ROUTE-REFRESH before Established");
		return;
	}
	struct bgp_rrefresh rr;
	struct bgp_notify n;
	if (bgp_rrefresh_parse(body, len, &rr, &n) < 0) {
		conn_down(c, DOWN_NOTIF_TX, &n, "malformed ROUTE-REFRESH");
		return;
	}
	int f = bgp_fam_of(rr.afi, rr.safi);
	if (f < 0 || !(p->neg.fams & BGP_FAM_BIT(f))) {
		log_debug("%s: ROUTE-REFRESH for AFI %u SAFI %u ignored (not negotiated)", p->name,
			  rr.afi, rr.safi);
		return;
	}
	if (rr.subtype > BGP_RR_EORR) {
		log_info("%s: ROUTE-REFRESH with unknown subtype %u ignored", p->name, rr.subtype);
		return;
	}
	bgp_session_call_refresh(p, (enum bgp_fam)f, rr.subtype);
}

static void
on_notification(struct bgp_conn *c, const uint8_t *body, size_t len)
{
	struct bgp_peer *p = c->peer;
	struct bgp_notify n, inner;
	if (bgp_notify_parse(body, len, &n) < 0)
		bgp_notify_set(&n, 0, 0, NULL, 0);
	notify_inner(&n, &inner);
	char text[128], msg[300] = "";
	notify_text(&n, text, sizeof text);
	if (inner.code == BGP_ERR_CEASE &&
	    (inner.subcode == BGP_CEASE_ADMIN_SHUTDOWN || inner.subcode == BGP_CEASE_ADMIN_RESET)) {
		char comm[sizeof p->stats.last_shutdown_msg];
		int r = bgp_notify_shutdown_msg(&inner, comm, sizeof comm);
		if (r > 0) {
			snprintf(p->stats.last_shutdown_msg, sizeof p->stats.last_shutdown_msg, "%s",
				 comm);
			snprintf(msg, sizeof msg, ": \"%s\"", comm);
		} else if (r < 0) {
			snprintf(msg, sizeof msg, " (malformed shutdown communication)");
		}
	}
	if (inner.code == BGP_ERR_CEASE &&
	    (inner.subcode == BGP_CEASE_ADMIN_SHUTDOWN || inner.subcode == BGP_CEASE_PEER_DECONFIGURED ||
	     inner.subcode == BGP_CEASE_CONN_REJECTED || inner.subcode == BGP_CEASE_OUT_OF_RESOURCES))
		p->long_backoff = true; /* RFC 4486: damp reconnects */
	snprintf(p->stats.last_error, sizeof p->stats.last_error, "received %s", text);
	if (n.code == BGP_ERR_CEASE)
		log_info("%s: NOTIFICATION received: %s%s", p->name, text, msg);
	else
		log_warn("%s: NOTIFICATION received: %s%s", p->name, text, msg);
	conn_down(c, DOWN_NOTIF_RX, &n, text);
}

static void
dispatch(struct bgp_conn *c, uint8_t type, const uint8_t *body, size_t len)
{
	struct bgp_peer *p = c->peer;
	p->stats.msgs_in[type]++;
	switch (type) {
	case BGP_OPEN:
		on_open(c, body, len);
		break;
	case BGP_UPDATE:
		on_update(c, body, len);
		break;
	case BGP_NOTIFICATION:
		on_notification(c, body, len);
		break;
	case BGP_KEEPALIVE:
		on_keepalive(c);
		break;
	case BGP_ROUTE_REFRESH:
		on_refresh(c, body, len);
		break;
	default:
		break; /* bgp_msg_header refuses other types */
	}
}

/*
 * Frames and dispatches the messages waiting in c's input. Unless 'all', stops after a slice
 * of BGP_SESS_SLICE_NS and continues from a zero-timeout timer (a timer, not event_active(),
 * so the loop polls sockets and timers in between).
 */
static void
conn_input(struct bgp_conn *c, bool all)
{
	if (c->dead || c->state == BGP_CONNECT)
		return;
	struct bgp_peer *p = c->peer;
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	conn_hold(c);
	bgp_session_peer_hold(p);
	for (unsigned n = 1; !c->dead; n++) {
		size_t avail = evbuffer_get_length(in);
		if (avail < BGP_HDR_LEN)
			break;
		uint8_t hdr[BGP_HDR_LEN], type;
		uint16_t mlen;
		struct bgp_notify err;
		evbuffer_copyout(in, hdr, sizeof hdr);
		/* We always advertise RFC 8654; OPEN and KEEPALIVE stay within 4096. */
		size_t max = c->state == BGP_OPENSENT ? BGP_MAX_MSG : BGP_MAX_EXT_MSG;
		if (bgp_msg_header(hdr, max, &type, &mlen, &err) < 0) {
			conn_down(c, DOWN_NOTIF_TX, &err, "bad message header");
			break;
		}
		if (avail < mlen)
			break;
		const uint8_t *m = evbuffer_pullup(in, mlen);
		dispatch(c, type, m + BGP_HDR_LEN, mlen - (size_t)BGP_HDR_LEN);
		if (c->dead)
			break;
		evbuffer_drain(in, mlen);
		if (!all && (n & 7) == 0) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			long ns = (t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec);
			if (ns >= BGP_SESS_SLICE_NS) {
				if (evbuffer_get_length(in) >= BGP_HDR_LEN)
					timer_start(c->more_ev, 0);
				break;
			}
		}
	}
	bgp_session_peer_release(p);
	conn_release(c);
}

static void
more_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	conn_input(arg, false);
}

static void
conn_readcb(struct bufferevent *bev, void *arg)
{
	(void)bev;
	conn_input(arg, false);
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
			conn_close(c, false);
			return;
		}
		conn_tcp_up(c);
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
		conn_close(c, false);
		return;
	}
	conn_hold(c);
	if (what & BEV_EVENT_EOF)
		conn_input(c, true); /* a NOTIFICATION may precede the FIN */
	if (!c->dead) {
		snprintf(p->stats.last_error, sizeof p->stats.last_error, "%s", err);
		if (c->state == BGP_ESTABLISHED)
			log_warn("%s: %s", p->name, err);
		else
			log_info("%s: %s in %s", p->name, err, bgp_state_name(c->state));
		conn_down(c, DOWN_TCP, NULL, err);
	}
	conn_release(c);
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
		conn_close(c, false);
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
			conn_close(c, false);
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
	notify_text(&n, text, sizeof text);
	size_t len = bgp_notify_encode(buf, sizeof buf, &n);
	log_info("connection from %s refused: %s (NOTIFICATION sent: %s)", who, why, text);
	if (len > 0 && send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		log_debug("connection from %s: send: %s", who, strerror(errno));
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
		reject(fd, BGP_CEASE_CONN_REJECTED, who, "not a configured neighbor");
		return;
	}
	if (p->admin_down) {
		reject(fd, BGP_CEASE_ADMIN_SHUTDOWN, p->name, "neighbor is shut down");
		return;
	}
	if (p->broken) {
		reject(fd, BGP_CEASE_CONN_REJECTED, p->name, "neighbor disabled (see earlier error)");
		return;
	}
	/* The neighbor gave up an incoming connection it has not finished: the new one wins. */
	for (int i = 0; i < 2; i++) {
		struct bgp_conn *o = p->conns[i];
		if (o != NULL && !o->outgoing && o->state != BGP_ESTABLISHED) {
			log_info("%s: new connection replaces an unfinished one", p->name);
			conn_cease(o, BGP_CEASE_COLLISION, NULL, "replaced by a new connection");
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
	conn_tcp_up(c);
}
