/*
 * BGP speaker and peers: the public side of the session module (session.h). A speaker holds
 * its listeners and its configured neighbors; this file owns their life cycle, the
 * administrative actions (start, shutdown, reset, remove), lookups and accessors, the output
 * API of an Established session, the ConnectRetry back-off, and the calls into the pipeline.
 * Connections are in session_conn.c, the FSM in session_fsm.c, sockets in session_sock.c;
 * session_int.h describes the objects and their lifetimes.
 *
 * ConnectRetry (RFC 4271 8, 10): an active neighbor is connected at once when it starts; the
 * next attempts follow after min(connect-retry, 5 s), doubling up to 4 x connect-retry, each
 * with a jitter factor in [0.75, 1.0]. The same timer bounds a pending connect. After the
 * neighbor sent Cease 2/3/5/8 (RFC 4486) the delays start at max(4 x connect-retry, 60 s), up to
 * 300 s. The back-off resets when a session stayed Established for BGP_SESS_STABLE.
 */
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

static const char *const state_names[] = {
    "Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established",
};

const char *
bgp_state_name(enum bgp_state s)
{
	return (unsigned)s < sizeof state_names / sizeof state_names[0] ? state_names[s] : "?";
}

double
bgp_session_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double
bgp_session_jitter(struct bgp_speaker *sp)
{
	/* xorshift64*: timers need spread, not secrecy. */
	uint64_t x = sp->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	sp->rng = x;
	uint64_t r = x * 0x2545F4914F6CDD1DULL;
	return 0.75 + 0.25 * (double)(r >> 11) / 9007199254740992.0;
}

/* ---- peer life cycle ---- */

static void
cfg_free_strings(struct cfg_neighbor *n)
{
	free(n->description);
	free(n->password);
	free(n->tcp_ao.key);
	free(n->tcp_ao.algorithm);
}

static void
peer_free(struct bgp_peer *p)
{
	if (p->retry_ev != NULL)
		event_free(p->retry_ev);
	cfg_free_strings(&p->cfg);
	free(p->pending_msg);
	free(p);
}

void
bgp_session_peer_hold(struct bgp_peer *p)
{
	p->busy++;
}

void
bgp_session_peer_release(struct bgp_peer *p)
{
	if (--p->busy == 0 && p->removed)
		peer_free(p);
}

static double
backoff(struct bgp_peer *p)
{
	double cr = p->cfg.connect_retry != 0 ? p->cfg.connect_retry : 30;
	double base = cr < 5 ? cr : 5, cap = cr * 4, d;
	unsigned k = p->retries > 1 ? p->retries - 1 : 0;
	if (p->long_backoff) {
		double lo = cap > 60 ? cap : 60, hi = cap > 300 ? cap : 300;
		d = lo * (double)(1u << (k > 3 ? 3 : k));
		d = d > hi ? hi : d;
	} else {
		d = base * (double)(1u << (k > 16 ? 16 : k));
		d = d > cap ? cap : d;
	}
	return d * bgp_session_jitter(p->sp);
}

static bool
peer_may_connect(const struct bgp_peer *p)
{
	return !p->admin_down && !p->removed && !p->broken && !p->cfg.passive;
}

/* ConnectRetry timer: abort a pending connect, start the next attempt when idle. */
static void
retry_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct bgp_peer *p = arg;
	if (!peer_may_connect(p))
		return;
	bgp_session_peer_hold(p);
	bgp_session_abort_connect(p);
	if (p->conns[0] == NULL && p->conns[1] == NULL && peer_may_connect(p)) {
		p->retries++;
		bgp_session_timer(p->retry_ev, backoff(p));
		bgp_session_connect(p);
	}
	bgp_session_peer_release(p);
}

void
bgp_session_conns_gone(struct bgp_peer *p)
{
	if (peer_may_connect(p) && !evtimer_pending(p->retry_ev, NULL))
		bgp_session_timer(p->retry_ev, backoff(p));
}

static void peer_reset_now(struct bgp_peer *p, uint8_t subcode, const char *msg);
static void peer_shutdown_now(struct bgp_peer *p, uint8_t subcode, const char *msg);
static void peer_remove_now(struct bgp_peer *p, uint8_t subcode);

static void
run_pending(struct bgp_peer *p)
{
	enum bgp_pending what = p->pending;
	char *msg = p->pending_msg;
	p->pending = BGP_PEND_NONE;
	p->pending_msg = NULL;
	switch (what) {
	case BGP_PEND_RESET:
		peer_reset_now(p, p->pending_subcode, msg);
		break;
	case BGP_PEND_SHUTDOWN:
		peer_shutdown_now(p, p->pending_subcode, msg);
		break;
	case BGP_PEND_REMOVE:
		peer_remove_now(p, p->pending_subcode);
		break;
	case BGP_PEND_NONE:
		break;
	}
	free(msg);
}

/* An action asked for from inside a callback of p: done when the callback returns. */
static void
defer(struct bgp_peer *p, enum bgp_pending what, uint8_t subcode, const char *msg)
{
	if (p->pending == BGP_PEND_REMOVE)
		return;
	free(p->pending_msg);
	p->pending_msg = msg != NULL ? strdup(msg) : NULL;
	p->pending = what;
	p->pending_subcode = subcode;
}

static void
ops_begin(struct bgp_peer *p)
{
	bgp_session_peer_hold(p);
	p->in_ops++;
}

static void
ops_end(struct bgp_peer *p)
{
	if (--p->in_ops == 0 && !p->removed && p->pending != BGP_PEND_NONE)
		run_pending(p);
	bgp_session_peer_release(p);
}

void
bgp_session_call_established(struct bgp_peer *p)
{
	struct bgp_speaker *sp = p->sp;
	if (sp->ops.established == NULL)
		return;
	ops_begin(p);
	sp->ops.established(sp->arg, p);
	ops_end(p);
}

void
bgp_session_call_down(struct bgp_peer *p, bool gr_keep, uint16_t gr_time)
{
	struct bgp_speaker *sp = p->sp;
	if (sp->ops.down == NULL)
		return;
	ops_begin(p);
	sp->ops.down(sp->arg, p, gr_keep, gr_time);
	ops_end(p);
}

void
bgp_session_call_update(struct bgp_peer *p, struct bgp_update *u)
{
	struct bgp_speaker *sp = p->sp;
	if (sp->ops.update == NULL)
		return;
	ops_begin(p);
	sp->ops.update(sp->arg, p, u);
	ops_end(p);
}

void
bgp_session_call_refresh(struct bgp_peer *p, enum bgp_fam f, uint8_t subtype)
{
	struct bgp_speaker *sp = p->sp;
	if (sp->ops.refresh == NULL)
		return;
	ops_begin(p);
	sp->ops.refresh(sp->arg, p, f, subtype);
	ops_end(p);
}

void
bgp_session_call_input_done(struct bgp_peer *p)
{
	struct bgp_speaker *sp = p->sp;
	if (sp->ops.input_done == NULL)
		return;
	ops_begin(p);
	sp->ops.input_done(sp->arg, p);
	ops_end(p);
}

void
bgp_session_call_writable(struct bgp_peer *p)
{
	struct bgp_speaker *sp = p->sp;
	if (sp->ops.writable == NULL)
		return;
	ops_begin(p);
	sp->ops.writable(sp->arg, p);
	ops_end(p);
}

/* ---- speaker ---- */

struct bgp_speaker *
bgp_speaker_new(struct event_base *base, const struct bgp_local *local,
		const struct bgp_speaker_ops *ops, void *arg)
{
	struct bgp_speaker *sp = calloc(1, sizeof *sp);
	if (sp == NULL || (sp->ctx = calloc(1, sizeof *sp->ctx)) == NULL) {
		free(sp);
		return NULL;
	}
	sp->base = base;
	sp->local = *local;
	if (ops != NULL)
		sp->ops = *ops;
	sp->arg = arg;
	sp->next_id = 1;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	sp->rng = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 40) ^
		  (uint64_t)(uintptr_t)sp;
	if (sp->rng == 0)
		sp->rng = 0x9e3779b97f4a7c15ULL;
	return sp;
}

int
bgp_speaker_listen(struct bgp_speaker *sp, const struct cfg_listen *l, size_t n)
{
	return bgp_session_listen(sp, l, n);
}

/* The ids of all peers, so that a walk survives callbacks removing peers. */
static uint16_t *
peer_ids(struct bgp_speaker *sp, size_t *n)
{
	size_t k = 0;
	for (struct bgp_peer *p = sp->peers; p != NULL; p = p->next)
		k++;
	uint16_t *ids = calloc(k + 1, sizeof *ids);
	if (ids == NULL) {
		log_err("out of memory");
		abort();
	}
	k = 0;
	for (struct bgp_peer *p = sp->peers; p != NULL; p = p->next)
		ids[k++] = p->id;
	*n = k;
	return ids;
}

void
bgp_speaker_shutdown(struct bgp_speaker *sp, const char *msg)
{
	bgp_session_listen_close(sp);
	size_t n;
	uint16_t *ids = peer_ids(sp, &n);
	for (size_t i = 0; i < n; i++) {
		struct bgp_peer *p = bgp_peer_by_id(sp, ids[i]);
		if (p == NULL)
			continue;
		p->admin_down = true;
		evtimer_del(p->retry_ev);
		bgp_session_close_all(p, BGP_CEASE_ADMIN_SHUTDOWN, msg);
	}
	free(ids);
}

size_t
bgp_speaker_flushing(const struct bgp_speaker *sp)
{
	size_t n = 0;
	for (const struct bgp_conn *c = sp->closing; c != NULL; c = c->next)
		n++;
	return n;
}

void
bgp_speaker_free(struct bgp_speaker *sp)
{
	if (sp == NULL)
		return;
	bgp_session_listen_close(sp);
	while (sp->peers != NULL) {
		struct bgp_peer *p = sp->peers;
		sp->peers = p->next;
		p->admin_down = true;
		bgp_session_conns_free(p);
		peer_free(p);
	}
	bgp_session_closing_free(sp);
	free(sp->ctx);
	free(sp);
}

/* ---- peers ---- */

static int
dup_str(char **dst, const char *src)
{
	*dst = NULL;
	if (src == NULL)
		return 0;
	*dst = strdup(src);
	return *dst != NULL ? 0 : -1;
}

static int
peer_cfg_copy(struct cfg_neighbor *d, const struct cfg_neighbor *s)
{
	*d = *s;
	/* Policies belong to the config and the route engine, not to a session (and the config
	 * they point into is freed at a reload). */
	for (int f = 0; f < 2; f++) {
		d->fam[f].import_policy_name = d->fam[f].export_policy_name = NULL;
		d->fam[f].import_policy = d->fam[f].export_policy = NULL;
	}
	int rc = dup_str(&d->description, s->description);
	rc |= dup_str(&d->password, s->password);
	rc |= dup_str(&d->tcp_ao.key, s->tcp_ao.key);
	rc |= dup_str(&d->tcp_ao.algorithm, s->tcp_ao.algorithm);
	return rc;
}

static uint16_t
peer_new_id(struct bgp_speaker *sp)
{
	/* Ids are not reused soon: the pipeline may still hold one of a removed peer. */
	for (unsigned tries = 0; tries < 65535; tries++) {
		uint16_t id = sp->next_id;
		sp->next_id = sp->next_id == 65535 ? 1 : (uint16_t)(sp->next_id + 1);
		if (bgp_peer_by_id(sp, id) == NULL)
			return id;
	}
	return 0;
}

struct bgp_peer *
bgp_peer_add(struct bgp_speaker *sp, const struct cfg_neighbor *n)
{
	char a[ADDR_STRLEN];
	if (n->af != AF_INET && n->af != AF_INET6) {
		log_err("neighbor: bad address family %d", n->af);
		return NULL;
	}
	addr_fmt(n->af, n->addr, a);
	if (n->remote_as == 0 || n->hold_time == 1 || n->hold_time == 2) {
		log_err("neighbor %s: bad remote AS %u or hold time %u", a, n->remote_as,
			n->hold_time);
		return NULL;
	}
	if (bgp_peer_by_addr(sp, n->af, n->addr) != NULL) {
		log_err("neighbor %s: configured twice", a);
		return NULL;
	}
	struct bgp_peer *p = calloc(1, sizeof *p);
	if (p == NULL || peer_cfg_copy(&p->cfg, n) < 0) {
		log_err("neighbor %s: out of memory", a);
		if (p != NULL)
			peer_free(p);
		return NULL;
	}
	p->sp = sp;
	snprintf(p->name, sizeof p->name, "%s AS%u", a, n->remote_as);
	p->id = peer_new_id(sp);
	p->retry_ev = evtimer_new(sp->base, retry_cb, p);
	if (p->id == 0 || p->retry_ev == NULL) {
		log_err("%s: cannot add the neighbor", p->name);
		peer_free(p);
		return NULL;
	}
	struct bgp_peer **tail = &sp->peers;
	while (*tail != NULL)
		tail = &(*tail)->next;
	*tail = p;
	if (n->tcp_ao.key != NULL && n->password != NULL)
		log_warn("%s: both TCP-AO and a TCP MD5 password configured; using TCP-AO",
			 p->name);
	if (bgp_session_listen_keys(sp, p, true) < 0)
		p->broken = true;
	log_debug("%s: added (%s)", p->name, n->passive ? "passive" : "active");
	if (peer_may_connect(p))
		bgp_session_timer(p->retry_ev, 0);
	return p;
}

static void
peer_remove_now(struct bgp_peer *p, uint8_t subcode)
{
	if (p->removed)
		return;
	struct bgp_speaker *sp = p->sp;
	bgp_session_peer_hold(p);
	p->removed = true;
	p->admin_down = true;
	evtimer_del(p->retry_ev);
	bgp_session_close_all(p, subcode, NULL);
	bgp_session_listen_keys(sp, p, false);
	for (struct bgp_peer **pp = &sp->peers; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	}
	log_info("%s: removed", p->name);
	bgp_session_peer_release(p);
}

void
bgp_peer_remove(struct bgp_peer *p, uint8_t cease_subcode)
{
	if (p->in_ops > 0)
		defer(p, BGP_PEND_REMOVE, cease_subcode, NULL);
	else
		peer_remove_now(p, cease_subcode);
}

static void
peer_reset_now(struct bgp_peer *p, uint8_t subcode, const char *msg)
{
	if (p->removed)
		return;
	bgp_session_peer_hold(p);
	log_info("%s: reset", p->name);
	p->retries = 0;
	p->long_backoff = subcode == BGP_CEASE_MAX_PREFIX;
	evtimer_del(p->retry_ev);
	bgp_session_close_all(p, subcode, msg);
	if (p->conns[0] == NULL && p->conns[1] == NULL)
		bgp_session_conns_gone(p);
	bgp_session_peer_release(p);
}

void
bgp_peer_reset(struct bgp_peer *p, uint8_t cease_subcode, const char *msg)
{
	if (p->in_ops > 0)
		defer(p, BGP_PEND_RESET, cease_subcode, msg);
	else
		peer_reset_now(p, cease_subcode, msg);
}

static void
peer_shutdown_now(struct bgp_peer *p, uint8_t subcode, const char *msg)
{
	if (p->removed)
		return;
	bgp_session_peer_hold(p);
	log_info("%s: shut down", p->name);
	p->admin_down = true;
	evtimer_del(p->retry_ev);
	bgp_session_close_all(p, subcode, msg);
	bgp_session_peer_release(p);
}

void
bgp_peer_stop(struct bgp_peer *p, uint8_t cease_subcode, const char *msg)
{
	if (p->in_ops > 0)
		defer(p, BGP_PEND_SHUTDOWN, cease_subcode, msg);
	else
		peer_shutdown_now(p, cease_subcode, msg);
}

void
bgp_peer_shutdown(struct bgp_peer *p, const char *msg)
{
	bgp_peer_stop(p, BGP_CEASE_ADMIN_SHUTDOWN, msg);
}

void
bgp_peer_start(struct bgp_peer *p)
{
	if (p->removed)
		return;
	if (p->admin_down)
		log_info("%s: started", p->name);
	p->admin_down = false;
	p->retries = 0;
	p->long_backoff = false;
	if (p->broken) {
		/* Try the keys again: the kernel or the configuration may have changed. */
		p->broken = false;
		if (bgp_session_listen_keys(p->sp, p, true) < 0)
			p->broken = true;
	}
	if (peer_may_connect(p) && p->conns[0] == NULL && p->conns[1] == NULL)
		bgp_session_timer(p->retry_ev, 0);
}

void
bgp_peer_request_refresh(struct bgp_peer *p, enum bgp_fam f)
{
	if (bgp_peer_state(p) != BGP_ESTABLISHED || !p->neg.route_refresh ||
	    !(p->neg.fams & BGP_FAM_BIT(f)))
		return;
	struct bgp_rrefresh rr = {
	    .afi = bgp_fam_afi(f), .subtype = BGP_RR_REQUEST, .safi = BGP_SAFI_UNICAST};
	uint8_t buf[BGP_HDR_LEN + 4];
	size_t len = bgp_rrefresh_encode(buf, sizeof buf, &rr);
	if (len > 0)
		bgp_peer_send(p, buf, len);
}

/* ---- lookups and accessors ---- */

struct bgp_peer *
bgp_peer_first(struct bgp_speaker *sp)
{
	return sp->peers;
}

struct bgp_peer *
bgp_peer_next(struct bgp_peer *p)
{
	return p->next;
}

struct bgp_peer *
bgp_peer_by_id(struct bgp_speaker *sp, uint16_t id)
{
	for (struct bgp_peer *p = sp->peers; p != NULL; p = p->next) {
		if (p->id == id)
			return p;
	}
	return NULL;
}

struct bgp_peer *
bgp_peer_by_addr(struct bgp_speaker *sp, int af, const uint8_t *addr)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (af == AF_INET6 && memcmp(addr, mapped, sizeof mapped) == 0) {
		af = AF_INET;
		addr += 12;
	}
	for (struct bgp_peer *p = sp->peers; p != NULL; p = p->next) {
		if (p->cfg.af == af && memcmp(p->cfg.addr, addr, af_bytes(af)) == 0)
			return p;
	}
	return NULL;
}

uint16_t
bgp_peer_id(const struct bgp_peer *p)
{
	return p->id;
}

const struct cfg_neighbor *
bgp_peer_cfg(const struct bgp_peer *p)
{
	return &p->cfg;
}

enum bgp_state
bgp_peer_state(const struct bgp_peer *p)
{
	if (p->admin_down || p->broken)
		return BGP_IDLE;
	enum bgp_state s = BGP_IDLE;
	for (int i = 0; i < 2; i++) {
		if (p->conns[i] != NULL && p->conns[i]->state > s)
			s = p->conns[i]->state;
	}
	/* No connection: waiting for the neighbor or for the ConnectRetry timer. */
	return s == BGP_IDLE ? BGP_ACTIVE : s;
}

const struct bgp_neg *
bgp_peer_neg(const struct bgp_peer *p)
{
	return p->neg_valid ? &p->neg : NULL;
}

const struct bgp_peer_stats *
bgp_peer_stats(const struct bgp_peer *p)
{
	return &p->stats;
}

bool
bgp_peer_admin_down(const struct bgp_peer *p)
{
	return p->admin_down;
}

void
bgp_peer_carry_stats(struct bgp_peer *p, const struct bgp_peer_stats *st)
{
	p->stats = *st;
}

const char *
bgp_peer_name(const struct bgp_peer *p)
{
	return p->name;
}

static struct bgp_conn *
peer_established(const struct bgp_peer *p)
{
	struct bgp_conn *c = p->sess;
	return c != NULL && !c->dead && c->state == BGP_ESTABLISHED ? c : NULL;
}

int
bgp_peer_send(struct bgp_peer *p, const uint8_t *msg, size_t len)
{
	struct bgp_conn *c = peer_established(p);
	if (c == NULL || len < BGP_HDR_LEN || len > bgp_peer_max_msg(p))
		return -1;
	if (bufferevent_write(c->bev, msg, len) < 0)
		return -1;
	uint8_t type = msg[18];
	if (type >= BGP_OPEN && type <= BGP_ROUTE_REFRESH)
		p->stats.msgs_out[type]++;
	if (type == BGP_UPDATE)
		p->stats.updates_out++;
	return 0;
}

size_t
bgp_peer_send_queued(const struct bgp_peer *p)
{
	struct bgp_conn *c = peer_established(p);
	return c != NULL ? evbuffer_get_length(bufferevent_get_output(c->bev)) : SIZE_MAX;
}

size_t
bgp_peer_max_msg(const struct bgp_peer *p)
{
	return p->neg_valid && p->neg.ext_msg_tx ? BGP_MAX_EXT_MSG : BGP_MAX_MSG;
}

int
bgp_peer_local_addr(const struct bgp_peer *p, int *af, uint8_t addr[16])
{
	const struct bgp_conn *c = p->sess;
	if (c == NULL || c->dead || c->bev == NULL)
		return -1;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	uint16_t port;
	int fd = (int)bufferevent_getfd(c->bev);
	if (fd < 0 || getsockname(fd, (struct sockaddr *)&ss, &sl) < 0)
		return -1;
	return bgp_session_sa_parse((const struct sockaddr *)&ss, af, addr, &port);
}

struct bgp_parse_ctx *
bgp_session_ctx(const struct bgp_peer *p)
{
	struct bgp_parse_ctx *x = p->sp->ctx;
	x->as4 = p->neg.as4;
	x->ibgp = p->neg.ibgp;
	x->check_first_as = !p->neg.ibgp; /* RFC 4271 6.3 SHOULD; no route-server mode */
	x->peer_as = p->neg.peer_open.as;
	x->local_as = p->sp->local.as;
	x->addpath_rx = p->neg.addpath_rx;
	x->fams = p->neg.fams;
	return x;
}

const struct bgp_parse_ctx *
bgp_peer_parse_ctx(const struct bgp_peer *p)
{
	return bgp_session_ctx(p);
}
