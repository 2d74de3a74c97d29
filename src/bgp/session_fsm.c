/*
 * The RFC 4271 FSM of a connection (spec/bgp-errors.md section 4) and the messages it reads: a
 * connection opened by us (Connect until TCP is up) or accepted sends its OPEN at once (no
 * DelayOpen) and moves OpenSent -> OpenConfirm on a valid OPEN -> Established on the first
 * KEEPALIVE. OPEN checks and capability negotiation (spec/bgp-wire.md sections 2-3) are here;
 * connection life cycle, timers and NOTIFICATIONs sent are in session_conn.c.
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
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "bgp/session_int.h"
#include "lib/log.h"

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
void
bgp_session_tcp_up(struct bgp_conn *c)
{
	struct bgp_peer *p = c->peer;
	struct bgp_open o;
	uint8_t buf[BGP_MAX_MSG];
	open_local(p, &o);
	size_t len = bgp_open_encode(buf, sizeof buf, &o);
	if (len == 0) {
		log_err("%s: cannot encode our OPEN", p->name);
		bgp_session_conn_close(c, false);
		return;
	}
	c->state = BGP_OPENSENT;
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	bgp_session_send(c, buf, len, BGP_OPEN);
	bgp_session_timer(c->hold_ev, BGP_SESS_OPENSENT_HOLD);
	log_debug("%s: %s connection up, OPEN sent", p->name,
		  c->outgoing ? "outgoing" : "incoming");
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
		bgp_session_conn_close(other, false);
		return true;
	}
	if (other->state == BGP_ESTABLISHED &&
	    (other->outgoing == c->outgoing ||
	     bgp_session_now() - other->est_time >= BGP_SESS_COLLISION_GUARD)) {
		if (bgp_session_gr_negotiated(p)) {
			log_info("%s: new connection while Established: the neighbor restarted",
				 p->name);
			bgp_session_conn_down(other, BGP_DOWN_REPLACED, NULL,
					      "neighbor restarted (new connection)");
			return true;
		}
		log_info("%s: new connection refused: session already Established", p->name);
		bgp_session_conn_cease(c, BGP_CEASE_COLLISION, NULL, "connection collision");
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
	bgp_session_conn_cease(keep_c ? other : c, BGP_CEASE_COLLISION, NULL,
			       "connection collision");
	return keep_c;
}

static void
on_open(struct bgp_conn *c, const uint8_t *body, size_t len)
{
	struct bgp_peer *p = c->peer;
	struct bgp_open o, l;
	struct bgp_notify n;
	if (c->state != BGP_OPENSENT) {
		bgp_session_conn_fail(c, BGP_ERR_FSM, c->state == BGP_OPENCONFIRM ? 2 : 3,
				      "unexpected OPEN");
		return;
	}
	if (bgp_open_parse(body, len, &o, &n) < 0) {
		bgp_session_conn_down(c, BGP_DOWN_NOTIF_TX, &n, "bad OPEN");
		return;
	}
	if (o.as != p->cfg.remote_as) {
		log_warn("%s: OPEN with AS %u, expected AS %u", p->name, o.as, p->cfg.remote_as);
		bgp_session_conn_fail(c, BGP_ERR_OPEN, 2, "bad peer AS");
		return;
	}
	if (o.as == p->sp->local.as && o.bgp_id == p->sp->local.router_id) {
		log_warn("%s: OPEN with our own BGP identifier", p->name);
		bgp_session_conn_fail(c, BGP_ERR_OPEN, 3, "bad BGP identifier");
		return;
	}
	/* The loser's 'down' may have run a deferred reset that closed c too. */
	if (!collision(c, &o) || c->dead)
		return;
	open_local(p, &l);
	negotiate(p, &l, &o);
	p->sess = c;
	c->state = BGP_OPENCONFIRM;
	if (p->neg.fams == 0)
		log_warn("%s: no address family in common", p->name);
	bgp_session_send_keepalive(c);
	bgp_session_hold_restart(c);
	if (p->neg.keepalive > 0)
		bgp_session_timer(c->ka_ev, bgp_session_ka_interval(c));
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
	bgp_session_hold_restart(c);
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
		 bgp_session_gr_negotiated(p) ? ", graceful restart" : "");
	bgp_session_call_established(p);
	if (!c->dead && p->sess == c)
		bgp_session_call_writable(p);
}

static void
on_keepalive(struct bgp_conn *c)
{
	switch (c->state) {
	case BGP_OPENSENT:
		bgp_session_conn_fail(c, BGP_ERR_FSM, 1, "KEEPALIVE in OpenSent");
		break;
	case BGP_OPENCONFIRM:
		established(c);
		break;
	default:
		bgp_session_hold_restart(c);
		break;
	}
}

static void
on_update(struct bgp_conn *c, const uint8_t *body, size_t len)
{
	struct bgp_peer *p = c->peer;
	if (c->state != BGP_ESTABLISHED) {
		bgp_session_conn_fail(c, BGP_ERR_FSM, c->state == BGP_OPENSENT ? 1 : 2,
				      "UPDATE before Established");
		return;
	}
	c->hold_due = true; /* once for the slice, not a timer re-armed per UPDATE */
	struct bgp_update u;
	bgp_update_parse(body, len, bgp_session_ctx(p), &u);
	p->stats.updates_in++;
	p->stats.attr_discarded += u.discarded;
	uint8_t news = u.ignored_fams & (uint8_t)~p->neg.ignored_logged;
	for (int f = 0; f < BGP_FAM_N; f++)
		if (news & BGP_FAM_BIT(f))
			log_warn(
			    "%s: UPDATE with %s NLRI, a family not negotiated: ignored for this "
			    "session (RFC 4760)",
			    p->name, bgp_fam_name((enum bgp_fam)f));
	p->neg.ignored_logged |= news;
	switch (u.action) {
	case BGP_UPD_RESET:
	case BGP_UPD_AFI_DISABLE: /* bgp64d resets on MP errors (spec/bgp-errors.md) */
		log_warn("%s: malformed UPDATE: %s", p->name, u.reason);
		if (u.notify.code == 0)
			bgp_notify_set(&u.notify, BGP_ERR_UPDATE, 1, NULL, 0);
		bgp_session_conn_down(c, BGP_DOWN_NOTIF_TX, &u.notify, "malformed UPDATE");
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
		bgp_session_conn_fail(c, BGP_ERR_FSM, c->state == BGP_OPENSENT ? 1 : 2,
				      "ROUTE-REFRESH before Established");
		return;
	}
	struct bgp_rrefresh rr;
	struct bgp_notify n;
	if (bgp_rrefresh_parse(body, len, &rr, &n) < 0) {
		bgp_session_conn_down(c, BGP_DOWN_NOTIF_TX, &n, "malformed ROUTE-REFRESH");
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
	bgp_session_notify_inner(&n, &inner);
	char text[128], msg[300] = "";
	bgp_session_notify_text(&n, text, sizeof text);
	if (inner.code == BGP_ERR_CEASE &&
	    (inner.subcode == BGP_CEASE_ADMIN_SHUTDOWN || inner.subcode == BGP_CEASE_ADMIN_RESET)) {
		char comm[sizeof p->stats.last_shutdown_msg];
		int r = bgp_notify_shutdown_msg(&inner, comm, sizeof comm);
		if (r > 0) {
			snprintf(p->stats.last_shutdown_msg, sizeof p->stats.last_shutdown_msg,
				 "%s", comm);
			snprintf(msg, sizeof msg, ": \"%s\"", comm);
		} else if (r < 0) {
			snprintf(msg, sizeof msg, " (malformed shutdown communication)");
		}
	}
	if (inner.code == BGP_ERR_CEASE && (inner.subcode == BGP_CEASE_ADMIN_SHUTDOWN ||
					    inner.subcode == BGP_CEASE_PEER_DECONFIGURED ||
					    inner.subcode == BGP_CEASE_CONN_REJECTED ||
					    inner.subcode == BGP_CEASE_OUT_OF_RESOURCES))
		p->long_backoff = true; /* RFC 4486: damp reconnects */
	snprintf(p->stats.last_error, sizeof p->stats.last_error, "received %s", text);
	if (n.code == BGP_ERR_CEASE)
		log_info("%s: NOTIFICATION received: %s%s", p->name, text, msg);
	else
		log_warn("%s: NOTIFICATION received: %s%s", p->name, text, msg);
	bgp_session_conn_down(c, BGP_DOWN_NOTIF_RX, &n, text);
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
void
bgp_session_input(struct bgp_conn *c, bool all)
{
	if (c->dead || c->state == BGP_CONNECT)
		return;
	struct bgp_peer *p = c->peer;
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	bgp_session_conn_hold(c);
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
			bgp_session_conn_down(c, BGP_DOWN_NOTIF_TX, &err, "bad message header");
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
					bgp_session_timer(c->more_ev, 0);
				break;
			}
		}
	}
	if (c->hold_due && !c->dead) {
		c->hold_due = false;
		bgp_session_hold_restart(c);
	}
	bgp_session_call_input_done(p);
	bgp_session_peer_release(p);
	bgp_session_conn_release(c);
}

void
bgp_session_more_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	bgp_session_input(arg, false);
}

void
bgp_session_readcb(struct bufferevent *bev, void *arg)
{
	(void)bev;
	bgp_session_input(arg, false);
}
