/*
 * Route decision engine: ingest of UPDATEs into the RIB, peer life cycle (graceful restart,
 * max-prefix, flush in slices), scheduling of exports and RIB jobs, reload by difference.
 * Exports themselves are in adjout.c, the IPv6 derivation in rde_xlat.c.
 */
#include "rde/rde_impl.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/log.h"
#include "lib/pool.h"

#define RDE_JOB_BUDGET	  20000	   /* RIB nodes per slice of a peer-wide job */
#define RDE_PUMP_BUDGET	  8192	   /* prefixes per peer per pump slice */
#define RDE_REAP_BUDGET	  20000	   /* withdrawn nodes deleted per pump slice */
#define RDE_PUMP_SLICE_NS 2000000L /* export work per turn of the loop, at least one round */
#define RDE_TRIM_PATHS	  10000	   /* paths removed that make the heap worth trimming */
#define RDE_TRIM_QUIET	  1	   /* seconds the engine is not busy before the trim */
/*
 * Upper bound on how long stale routes are kept once the session is back (RFC 4724 4.2) or
 * after a BoRR without its EoRR (RFC 7313 4): the routes not re-sent by then are removed.
 */

static void rde_established(void *arg, struct bgp_peer *p);
static void rde_down(void *arg, struct bgp_peer *p, bool gr_keep, uint16_t gr_time);
static void rde_update(void *arg, struct bgp_peer *p, struct bgp_update *u);
static void rde_refresh(void *arg, struct bgp_peer *p, enum bgp_fam f, uint8_t subtype);
static void rde_writable(void *arg, struct bgp_peer *p);
static void rde_input_done(void *arg, struct bgp_peer *p);

static const struct bgp_speaker_ops rde_ops = {
    .established = rde_established,
    .down = rde_down,
    .update = rde_update,
    .refresh = rde_refresh,
    .writable = rde_writable,
    .input_done = rde_input_done,
};

struct rde_peer *
rde_peer_of(const struct rde *r, uint16_t id)
{
	return id < r->n_peers ? r->peers[id] : NULL;
}

struct rde_peer *
rde_peer_slot(struct rde *r, struct bgp_peer *bp)
{
	uint16_t id = bgp_peer_id(bp);
	if (id >= r->n_peers) {
		size_t n = (size_t)id + 8;
		r->peers = xrealloc(r->peers, n * sizeof *r->peers);
		memset(r->peers + r->n_peers, 0, (n - r->n_peers) * sizeof *r->peers);
		r->n_peers = n;
	}
	if (r->peers[id] != NULL && r->peers[id]->retired) {
		/* The id of a removed peer, reused: ids come back only after 65535 others, long
		 * after its paths were flushed. */
		rde_peer_free(r->peers[id]);
		r->peers[id] = NULL;
	}
	if (r->peers[id] == NULL) {
		struct rde_peer *rp = xcalloc(1, sizeof *rp);
		const struct cfg_neighbor *cn = bgp_peer_cfg(bp);
		rp->rde = r;
		rp->bp = bp;
		rp->id = id;
		rp->has_nh6 = cn->has_nexthop6;
		rp->stale_time = cn->gr_stale_time;
		rp->eorr_time = cn->eorr_time;
		memcpy(rp->nh6, cn->nexthop6, 16);
		rde_policy_peer(r, rp);
		r->peers[id] = rp;
	}
	return r->peers[id];
}

/* ---- scheduling ---- */

/*
 * Runs ev's callback on a later turn of the loop, after it polled the sockets: a 0 s timer.
 * (event_active() from an event's own callback would run it again before any I/O, so a long
 * job in slices would still starve keepalives.)
 */
void
rde_soon(struct event *ev)
{
	static const struct timeval zero = {0, 0};
	/* Not again when already due: re-adding a due timer takes it off the active queue and
	 * puts it behind whatever runs first on the next turn (the input of a busy session
	 * would then push the exports back for as long as a table comes in). */
	if (!event_pending(ev, EV_TIMEOUT, NULL))
		event_add(ev, &zero);
}

static void
jobs_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct rde *r = arg;
	rde_import_flush(r);
	if (rib_jobs_run(r->rib, RDE_JOB_BUDGET))
		rde_soon(r->jobs_ev);
	rde_kick(r);
}

void
kick_rib_jobs(struct rde *r)
{
	if (rib_jobs_pending(r->rib))
		rde_soon(r->jobs_ev);
}

/*
 * A flushed table frees its paths, attribute sets and (once reaped) nodes; the pools give
 * their empty slabs back at once but one, kept for reuse, and what glibc's heap holds free
 * between live objects stays resident until malloc_trim(). After RDE_TRIM_PATHS paths were
 * removed, once the engine has not been busy for RDE_TRIM_QUIET seconds, the pools return
 * their spare slabs and the heap is trimmed: a millisecond or so, not once per withdrawal.
 * The update groups' export caches are emptied first: they hold references on the attribute
 * sets of the last exports, which may be the gone peer's, and would keep those sets and their
 * slabs; they refill with the next exports.
 */
static void
trim_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct rde *r = arg;
	struct rib_stats s;
	rib_stats(r->rib, &s);
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (struct adjout *g = r->groups; g != NULL; g = adjout_next(g))
		adjout_flush_cache(g);
	rib_trim(r->rib);
	attr_trim();
	pool_malloc_trim();
	clock_gettime(CLOCK_MONOTONIC, &b);
	log_debug("heap trimmed after %" PRIu64 " paths removed, in %.1f ms",
		  s.paths_removed - r->trim_mark,
		  (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6);
	r->trim_mark = s.paths_removed;
}

/*
 * Schedules the trim when many paths went since the last one; pushes it back while the
 * engine is busy (a flush, exports or deletions in slices), not for the odd UPDATE of a
 * table's normal churn, which would postpone it for ever.
 */
static void
trim_later(struct rde *r, bool busy)
{
	struct rib_stats s;
	rib_stats(r->rib, &s);
	if (s.paths_removed - r->trim_mark < RDE_TRIM_PATHS)
		return;
	if (busy || !evtimer_pending(r->trim_ev, NULL)) {
		struct timeval tv = {RDE_TRIM_QUIET, 0};
		evtimer_add(r->trim_ev, &tv);
	}
}

static void
pump_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct rde *r = arg;
	rde_import_flush(r);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	bool more;
	/* Rounds until the work is done, the sockets are full or the slice is used up (as
	 * much time as the input of one session gets per turn of the loop, so exports keep
	 * pace with a table coming in). */
	for (;;) {
		/* Between rounds: close the RIB's epoch (what changed becomes readable), trim
		 * its journal, delete a slice of withdrawn nodes every reader has seen. */
		more = rib_maintain(r->rib, RDE_REAP_BUDGET);
		if (rde_fib_pump(r, RDE_PUMP_BUDGET))
			more = true;
		for (struct adjout *g = r->groups; g != NULL; g = adjout_next(g))
			if (adjout_pump(g, RDE_PUMP_BUDGET))
				more = true;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		long ns = (t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec);
		if (!more || ns >= RDE_PUMP_SLICE_NS)
			break;
	}
	/* What the exports just read may be deletable now (withdrawals everybody sent). */
	if (rib_maintain(r->rib, RDE_REAP_BUDGET))
		more = true;
	adjout_merge_groups(r);
	/* Work left while sockets still take data: continue after other events ran. Peers
	 * whose socket is full are resumed by their 'writable' callback. */
	if (more)
		rde_soon(r->pump_ev);
	trim_later(r, more || rib_jobs_pending(r->rib));
}

void
rde_kick(struct rde *r)
{
	if (!r->shutting_down)
		rde_soon(r->pump_ev);
}

static void
eor_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct rde *r = arg;
	if (!r->eor_wait_over) {
		r->eor_wait_over = true;
		log_info("eor-wait of %u s over: IPv6 End-of-RIB no longer waits for IPv4 sources",
			 r->cfg->eor_wait);
		rde_kick(r);
	}
}

bool
rde_v4_sources_done(const struct rde *r)
{
	if (r->eor_wait_over)
		return true;
	for (size_t i = 0; i < r->cfg->n_neighbors; i++) {
		const struct cfg_neighbor *n = &r->cfg->neighbors[i];
		if (!n->fam[BGP_FAM_V4].import)
			continue;
		struct bgp_peer *bp = bgp_peer_by_addr(r->sp, n->af, n->addr);
		struct rde_peer *rp = bp ? rde_peer_of(r, bgp_peer_id(bp)) : NULL;
		if (rp == NULL || !rp->up || !(rp->eor_rx & BGP_FAM_BIT(BGP_FAM_V4)))
			return false;
	}
	return true;
}

/* ---- life cycle ---- */

struct rde *
rde_new(struct event_base *base, struct cfg *cfg)
{
	struct rde *r = xcalloc(1, sizeof *r);
	r->base = base;
	r->cfg = cfg;
	struct rib_local rl = {cfg->router_id, cfg->local_as, cfg->cluster_id};
	r->rib = rib_new(&rl);
	rib_set_best_hook(r->rib, rde_best_changed, r);
	rib_set_alt_hook(r->rib, rde_alt_changed, r);
	struct bgp_local bl = {cfg->router_id, cfg->local_as, cfg->cluster_id};
	r->sp = bgp_speaker_new(base, &bl, &rde_ops, r);
	r->pump_ev = event_new(base, -1, 0, pump_cb, r);
	r->jobs_ev = event_new(base, -1, 0, jobs_cb, r);
	r->eor_timer = evtimer_new(base, eor_timer_cb, r);
	r->trim_ev = evtimer_new(base, trim_cb, r);
	if (r->sp == NULL || r->pump_ev == NULL || r->jobs_ev == NULL || r->eor_timer == NULL ||
	    r->trim_ev == NULL)
		abort(); /* out of memory policy */
	r->started_at = time(NULL);
	rde_policy_counters(r, NULL);
	return r;
}

int
rde_start(struct rde *r)
{
	if (rde_fib_start(r) < 0)
		return -1;
	int rc = bgp_speaker_listen(r->sp, r->cfg->listen, r->cfg->n_listen);
	for (size_t i = 0; i < r->cfg->n_neighbors; i++) {
		struct bgp_peer *bp = bgp_peer_add(r->sp, &r->cfg->neighbors[i]);
		if (bp != NULL)
			rde_peer_slot(r, bp);
	}
	struct timeval tv = {r->cfg->eor_wait, 0};
	evtimer_add(r->eor_timer, &tv);
	return rc;
}

void
rde_shutdown(struct rde *r, const char *msg)
{
	r->shutting_down = true;
	bgp_speaker_shutdown(r->sp, msg);
}

void
rde_peer_free(struct rde_peer *rp)
{
	adjout_leave(rp);
	if (rp->gr_timer != NULL)
		event_free(rp->gr_timer);
	if (rp->rr_timer != NULL)
		event_free(rp->rr_timer);
	rde_limit_free(rp);
	free(rp);
}

void
rde_free(struct rde *r)
{
	if (r == NULL)
		return;
	rde_import_flush(r);
	rde_filtered_free(r); /* before the peers its entries count in */
	for (size_t i = 0; i < r->n_peers; i++)
		if (r->peers[i] != NULL)
			rde_peer_free(r->peers[i]);
	free(r->peers);
	rde_reload_free(r);
	rde_counts_free(r);
	rde_fib_free(r);
	bgp_speaker_free(r->sp);
	rib_free(r->rib);
	event_free(r->pump_ev);
	event_free(r->jobs_ev);
	event_free(r->eor_timer);
	event_free(r->trim_ev);
	cfg_free(r->cfg);
	free(r->pol_hits);
	free(r);
}

const struct cfg *
rde_cfg(const struct rde *r)
{
	return r->cfg;
}

struct rib *
rde_rib(const struct rde *r)
{
	return r->rib;
}

struct bgp_speaker *
rde_speaker(const struct rde *r)
{
	return r->sp;
}

void
rde_export_stats(const struct rde *r, struct rde_export_stats *s)
{
	memset(s, 0, sizeof *s);
	for (const struct adjout *g = r->groups; g != NULL; g = adjout_next(g)) {
		s->groups++;
		s->peers += adjout_members(g);
	}
	rib_export_stats(r->rib, &s->rib);
}

const struct rde_stats *
rde_stats(const struct rde *r)
{
	return &r->stats;
}

time_t
rde_started_at(const struct rde *r)
{
	return r->started_at;
}

/* ---- session events ---- */

static void
gr_expired(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct rde_peer *rp = arg;
	struct rde *r = rp->rde;
	if (rp->stale_fams == 0)
		return;
	if (rp->up)
		log_warn("%s: no End-of-RIB within %u s of the restart: removing the routes it "
			 "did not re-send",
			 bgp_peer_name(rp->bp), rp->stale_time);
	else
		log_warn("%s: graceful restart timer expired, removing its stale routes",
			 bgp_peer_name(rp->bp));
	rib_peer_sweep_stale(r->rib, rp->id, rp->stale_fams);
	rp->stale_fams = 0;
	kick_rib_jobs(r);
}

static void
rr_expired(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct rde_peer *rp = arg;
	struct rde *r = rp->rde;
	if (rp->borr_fams == 0)
		return;
	log_warn("%s: no EoRR within %u s of its BoRR (RFC 7313): removing the routes it did "
		 "not re-send",
		 bgp_peer_name(rp->bp), rp->eorr_time);
	rib_peer_sweep_stale(r->rib, rp->id, rp->borr_fams);
	rp->borr_fams = 0;
	kick_rib_jobs(r);
}

static void
rde_established(void *arg, struct bgp_peer *p)
{
	struct rde *r = arg;
	rde_import_flush(r);
	struct rde_peer *rp = rde_peer_slot(r, p);
	const struct bgp_neg *neg = bgp_peer_neg(p);
	const struct cfg_neighbor *cn = bgp_peer_cfg(p);
	struct rib_peer info = {0};
	info.ibgp = neg->ibgp;
	info.rr_client = cn->rr_client;
	info.bgp_id = neg->peer_open.bgp_id;
	info.as = cn->remote_as;
	info.af = (uint8_t)cn->af;
	memcpy(info.addr, cn->addr, 16);
	rib_peer_set(r->rib, rp->id, &info);
	rp->up = true;
	rp->eor_rx = 0;
	rde_limit_up(rp);
	memset(rp->pfx_sent, 0, sizeof rp->pfx_sent);
	memset(rp->wdr_sent, 0, sizeof rp->wdr_sent);

	/* Graceful restart, receiving side (RFC 4724 4.2): families the peer no longer
	 * preserves lose their stale routes now; the others wait for End-of-RIB. */
	if (rp->stale_fams != 0) {
		const struct bgp_caps *c = &neg->peer_open.caps;
		uint8_t keep = c->gr ? (uint8_t)(c->gr_fams & c->gr_fwd) : 0;
		uint8_t drop = (uint8_t)(rp->stale_fams & ~keep);
		if (drop != 0) {
			rib_peer_sweep_stale(r->rib, rp->id, drop);
			rp->stale_fams &= (uint8_t)~drop;
			kick_rib_jobs(r);
		}
		/* The restart time only bounds the wait for the session (RFC 4724 4.2); from
		 * now on the stale routes wait for End-of-RIB, at most the stale time. */
		if (rp->stale_fams != 0 && rp->gr_timer != NULL) {
			struct timeval tv = {rp->stale_time, 0};
			evtimer_add(rp->gr_timer, &tv);
		} else if (rp->gr_timer != NULL) {
			evtimer_del(rp->gr_timer);
		}
	}

	if (r->shutting_down)
		return;
	/* Every established peer gets an adj-out: it sends the End-of-RIBs even when the peer
	 * exports nothing. It starts alone and joins an equal update group when both idle. */
	rp->ao = adjout_new(r, rp);
	rde_kick(r);
}

static void
rde_down(void *arg, struct bgp_peer *p, bool gr_keep, uint16_t gr_time)
{
	struct rde *r = arg;
	rde_import_flush(r);
	struct rde_peer *rp = rde_peer_slot(r, p);
	rp->up = false;
	adjout_leave(rp);
	rde_filtered_flush(r, rp); /* a new session sends them again */
	rp->borr_fams = 0;	   /* the flush or the stale marking below covers it */
	if (rp->rr_timer != NULL)
		evtimer_del(rp->rr_timer);
	const struct bgp_neg *neg = bgp_peer_neg(p);
	uint8_t gr_fams = neg != NULL ? neg->peer_open.caps.gr_fams : 0;
	if (gr_keep && gr_fams != 0 && !r->shutting_down) {
		/* Helper mode: keep the routes as stale for the restart time. */
		log_info("%s: graceful restart: keeping its routes as stale for %u s",
			 bgp_peer_name(p), gr_time);
		rib_peer_flush(r->rib, rp->id,
			       (uint8_t)(BGP_FAM_BIT(BGP_FAM_V4) | BGP_FAM_BIT(BGP_FAM_V6)) &
				   (uint8_t)~gr_fams);
		rib_peer_sweep_stale(r->rib, rp->id, gr_fams); /* stale from an earlier restart */
		rib_peer_mark_stale(r->rib, rp->id, gr_fams);
		rp->stale_fams = gr_fams;
		if (rp->gr_timer == NULL)
			rp->gr_timer = evtimer_new(r->base, gr_expired, rp);
		struct timeval tv = {gr_time, 0};
		evtimer_add(rp->gr_timer, &tv);
	} else {
		rib_peer_flush(r->rib, rp->id, BGP_FAM_BIT(BGP_FAM_V4) | BGP_FAM_BIT(BGP_FAM_V6));
		rp->stale_fams = 0;
		if (rp->gr_timer != NULL)
			evtimer_del(rp->gr_timer);
	}
	kick_rib_jobs(r);
}

/* Import checks of one attribute set (bgp-rib.md section 1). NULL reason = accept. */
static const char *
import_check(const struct rde *r, const struct rib_peer *pe, const struct attrs *a)
{
	if ((a->flags & ATTRS_ORIGINATOR) && a->originator_id == r->cfg->router_id)
		return "ORIGINATOR_ID is our router id";
	if (attr_clusters_contain(a, r->cfg->cluster_id))
		return "CLUSTER_LIST holds our cluster id";
	if (pe != NULL && !pe->ibgp && attr_aspath_contains(a, r->cfg->local_as))
		return "AS_PATH holds our AS";
	return NULL;
}

static void
withdraw_all(struct rde *r, struct rde_peer *rp, struct bgp_nlri *n)
{
	struct prefix p;
	uint32_t pid;
	if (n->len == 0)
		return;
	rde_import_flush(r); /* an announcement before it in the input comes first */
	while (bgp_nlri_next(n, &p, &pid) == 1) {
		rib_withdraw(r->rib, n->fam, &p, rp->id);
		rde_filtered_del(r, rp, n->fam, &p);
		r->stats.withdraws_in++;
	}
}

/*
 * The import pipeline. The prefixes of one UPDATE land all over the RIB, and a full table
 * comes as UPDATEs of a few prefixes each: so that the cache misses of a tree descent
 * overlap across UPDATEs instead of adding up, an announced prefix enters a ring of
 * RDE_IMPORT_RING, its tree slot is prefetched at once, the slot's node RDE_IMPORT_STAGE
 * prefixes later, each node below on its path another RDE_IMPORT_STAGE later (up to
 * RDE_IMPORT_STAGES levels), and it is applied to the RIB after the last stage. The ring holds the
 * input of one session only and is emptied (rde_import_flush) before anything else reads or
 * changes that session's routes: a withdrawal, End-of-RIB, route refresh, the session going
 * down, another session's UPDATE, and at the end of every slice of input (input_done), so
 * nothing outside the input loop ever sees it non-empty.
 */
static void
import_apply(struct rde *r, struct rde_pending *e)
{
	r->stats.prefixes_in++;
	if (e->a == NULL) {
		rib_withdraw(r->rib, e->fam, &e->p, e->peer);
		return;
	}
	if (e->blocking) {
		/* a "block" prefix limit: judged on the RIB as it is now, not when it came in */
		struct rde_peer *rp = rde_peer_of(r, e->peer);
		if (rp != NULL && !rde_limit_admit_prefix(r, rp, e->fam, &e->p)) {
			attr_unref(e->a);
			return;
		}
	}
	rib_update(r->rib, e->fam, &e->p, e->peer, e->a);
}

/* Prefetch stage k (1..RDE_IMPORT_STAGES) of entry i (radix_prefetch). */
static void
import_stage(struct rde *r, uint32_t i, int k)
{
	struct rde_pending *e = &r->pend[i % RDE_IMPORT_RING];
	radix_prefetch(rib_tree(r->rib, e->fam), e->p.a, e->p.len, k);
}

void
rde_import_flush(struct rde *r)
{
	/* the stages each entry still lacks, a stage over all entries at a time */
	for (int k = 1; k <= RDE_IMPORT_STAGES; k++)
		for (uint32_t i = r->imp_out; i != r->imp_in; i++)
			if (r->imp_in - 1 - i < (uint32_t)k * RDE_IMPORT_STAGE)
				import_stage(r, i, k);
	while (r->imp_out != r->imp_in)
		import_apply(r, &r->pend[r->imp_out++ % RDE_IMPORT_RING]);
	r->imp_peer = NULL;
}

static void
import_push(struct rde *r, struct rde_peer *rp, enum bgp_fam fam, const struct prefix *p,
	    struct attrs *a, bool blocking)
{
	struct rde_pending *e = &r->pend[r->imp_in % RDE_IMPORT_RING];
	e->p = *p;
	e->a = a;
	e->blocking = blocking;
	e->peer = rp->id;
	e->fam = (uint8_t)fam;
	radix_prefetch(rib_tree(r->rib, fam), p->a, p->len, 0);
	r->imp_in++;
	r->imp_peer = rp;
	/* entry imp_in - 1 - k * RDE_IMPORT_STAGE reaches stage k */
	for (int k = 1; k <= RDE_IMPORT_STAGES; k++) {
		uint32_t back = (uint32_t)k * RDE_IMPORT_STAGE;
		if (r->imp_in - r->imp_out > back)
			import_stage(r, r->imp_in - 1 - back, k);
	}
	if (r->imp_in - r->imp_out > (RDE_IMPORT_STAGES + 1) * RDE_IMPORT_STAGE)
		import_apply(r, &r->pend[r->imp_out++ % RDE_IMPORT_RING]);
}

static void
announce_all(struct rde *r, struct rde_peer *rp, struct bgp_nlri *n, struct attrs *a)
{
	struct rde_import im;
	rde_import_begin(r, rp, n->fam, a, &im);
	bool blocking = rde_limit_blocking(r, rp, n->fam);
	struct prefix p;
	uint32_t pid;
	while (bgp_nlri_next(n, &p, &pid) == 1) {
		/* import policy: a rejected prefix leaves the RIB (it may have been accepted
		 * before), in its place in the input */
		struct attrs *pa = rde_import_prefix(r, &im, &p);
		if (pa != NULL) {
			import_push(r, rp, n->fam, &p, attr_ref(pa), blocking);
			rde_filtered_del(r, rp, n->fam, &p);
		} else {
			import_push(r, rp, n->fam, &p, NULL, false);
			rde_filtered_add(r, rp, n->fam, &p, a, im.rule);
		}
	}
	rde_import_end(&im);
}

static void
rde_eor(struct rde *r, struct rde_peer *rp, enum bgp_fam f)
{
	rp->eor_rx |= (uint8_t)BGP_FAM_BIT(f);
	log_info("%s: End-of-RIB received for %s", bgp_peer_name(rp->bp), bgp_fam_name(f));
	if (rp->stale_fams & BGP_FAM_BIT(f)) {
		rib_peer_sweep_stale(r->rib, rp->id, (uint8_t)BGP_FAM_BIT(f));
		rp->stale_fams &= (uint8_t)~BGP_FAM_BIT(f);
		if (rp->stale_fams == 0 && rp->gr_timer != NULL)
			evtimer_del(rp->gr_timer);
		kick_rib_jobs(r);
	}
	rde_kick(r); /* the IPv6 End-of-RIB may be due */
}

static void
rde_update(void *arg, struct bgp_peer *p, struct bgp_update *u)
{
	struct rde *r = arg;
	struct rde_peer *rp = rde_peer_slot(r, p);
	const struct cfg_neighbor *cn = bgp_peer_cfg(p);
	r->stats.updates_in++;
	if (r->imp_peer != NULL && r->imp_peer != rp)
		rde_import_flush(r);
	if (rp->debug_updates)
		rde_debug_update(rp, u);
	if (u->eor) {
		rde_import_flush(r);
		rde_eor(r, rp, u->eor_fam);
		return;
	}
	if (u->has_mp_unreach)
		withdraw_all(r, rp, &u->mp_unreach);
	withdraw_all(r, rp, &u->withdrawn);

	struct bgp_nlri *ann[2] = {&u->nlri, u->has_mp_reach ? &u->mp_reach : NULL};
	const char *why = NULL;
	if (u->action == BGP_UPD_TREAT_AS_WITHDRAW) {
		/* RFC 7606: every prefix the UPDATE announces is withdrawn. */
		r->stats.treat_as_withdraw++;
		log_warn("%s: malformed UPDATE (%s): treat-as-withdraw", bgp_peer_name(p),
			 u->reason);
		why = u->reason;
	} else if (u->action == BGP_UPD_ATTR_DISCARD) {
		log_warn("%s: UPDATE attribute discarded (%s)", bgp_peer_name(p), u->reason);
	}
	struct attrs *a = NULL;
	if (why == NULL && (u->nlri.len > 0 || (u->has_mp_reach && u->mp_reach.len > 0))) {
		/* A limit (or the memory budget) may refuse the set before it is interned. */
		a = rde_limit_intern(r, rp, &u->attrs);
		if (a == NULL) {
			why = "over a limit";
		} else {
			why = import_check(r, rib_peer_get(r->rib, rp->id), a);
			if (why != NULL)
				r->stats.loops_dropped++;
		}
	}
	/* Both classic NLRI and MP_REACH with different next hops: the MP prefixes get a set
	 * of their own. */
	struct attrs *amp = a;
	if (a != NULL && u->nh_split && u->nlri.len > 0) {
		struct attrs t;
		bgp_update_mp_attrs(u, &t);
		amp = attr_intern_owned(&t, rp->id);
	}
	for (int i = 0; i < 2; i++) {
		struct bgp_nlri *n = ann[i];
		if (n == NULL || n->len == 0)
			continue;
		if (why != NULL || !cn->fam[n->fam].import) {
			if (why == NULL)
				r->stats.import_denied++;
			withdraw_all(r, rp, n);
		} else {
			announce_all(r, rp, n, i == 0 ? a : amp);
		}
	}
	if (amp != NULL && amp != a)
		attr_unref(amp);
	if (a != NULL)
		attr_unref(a);
	rde_limit_check_prefixes(r, rp);
	rde_kick(r);
}

static void
rde_refresh(void *arg, struct bgp_peer *p, enum bgp_fam f, uint8_t subtype)
{
	struct rde *r = arg;
	rde_import_flush(r);
	struct rde_peer *rp = rde_peer_slot(r, p);
	if (subtype == BGP_RR_REQUEST) {
		if (rp->ao != NULL) {
			/* Out of its group, in the same state: its table of f is re-sent. */
			adjout_refresh(adjout_split_member(rp), f, bgp_peer_neg(p)->enhanced_rr);
			rde_kick(r);
		}
	} else if (subtype == BGP_RR_BORR) {
		/* RFC 7313: routes not re-sent before EoRR are stale. */
		rib_peer_mark_stale(r->rib, rp->id, (uint8_t)BGP_FAM_BIT(f));
		rp->borr_fams |= (uint8_t)BGP_FAM_BIT(f);
		if (rp->rr_timer == NULL)
			rp->rr_timer = evtimer_new(r->base, rr_expired, rp);
		struct timeval tv = {rp->eorr_time, 0};
		evtimer_add(rp->rr_timer, &tv);
		kick_rib_jobs(r);
	} else if (subtype == BGP_RR_EORR) {
		rib_peer_sweep_stale(r->rib, rp->id, (uint8_t)BGP_FAM_BIT(f));
		rp->borr_fams &= (uint8_t)~BGP_FAM_BIT(f);
		if (rp->borr_fams == 0 && rp->rr_timer != NULL)
			evtimer_del(rp->rr_timer);
		kick_rib_jobs(r);
	}
}

/* The end of a slice of one session's input: its announcements reach the RIB. */
static void
rde_input_done(void *arg, struct bgp_peer *p)
{
	struct rde *r = arg;
	struct rde_peer *rp = r->imp_peer;
	(void)p;
	if (rp == NULL)
		return;
	rde_import_flush(r);
	rde_limit_check_prefixes(r, rp);
	rde_kick(r);
}

static void
rde_writable(void *arg, struct bgp_peer *p)
{
	struct rde *r = arg;
	(void)p;
	rde_kick(r);
}

/* ---- commands ---- */

static struct rde_peer *
peer_by_addr(struct rde *r, int af, const uint8_t *addr)
{
	struct bgp_peer *bp = bgp_peer_by_addr(r->sp, af, addr);
	return bp != NULL ? rde_peer_slot(r, bp) : NULL;
}

int
rde_neighbor_reset(struct rde *r, int af, const uint8_t *addr, const char *msg)
{
	struct rde_peer *rp = peer_by_addr(r, af, addr);
	if (rp == NULL)
		return -1;
	bgp_peer_reset(rp->bp, BGP_CEASE_ADMIN_RESET, msg);
	return 0;
}

int
rde_neighbor_shutdown(struct rde *r, int af, const uint8_t *addr, const char *msg)
{
	struct rde_peer *rp = peer_by_addr(r, af, addr);
	if (rp == NULL)
		return -1;
	bgp_peer_shutdown(rp->bp, msg);
	return 0;
}

int
rde_neighbor_start(struct rde *r, int af, const uint8_t *addr)
{
	struct rde_peer *rp = peer_by_addr(r, af, addr);
	if (rp == NULL)
		return -1;
	bgp_peer_start(rp->bp);
	return 0;
}

int
rde_neighbor_refresh(struct rde *r, int af, const uint8_t *addr)
{
	struct rde_peer *rp = peer_by_addr(r, af, addr);
	if (rp == NULL)
		return -1;
	bgp_peer_request_refresh(rp->bp, BGP_FAM_V4);
	bgp_peer_request_refresh(rp->bp, BGP_FAM_V6);
	return 0;
}

bool
rde_peer_sent(const struct rde *r, uint16_t id, uint64_t pfx[BGP_FAM_N], uint64_t wdr[BGP_FAM_N])
{
	const struct rde_peer *rp = rde_peer_of(r, id);
	if (rp == NULL)
		return false;
	memcpy(pfx, rp->pfx_sent, sizeof rp->pfx_sent);
	memcpy(wdr, rp->wdr_sent, sizeof rp->wdr_sent);
	return true;
}

int
rde_export_peek(struct rde *r, int af, const uint8_t *addr, enum bgp_fam src, struct radix_node *n,
		rde_out_fn fn, void *arg)
{
	struct rde_peer *rp = peer_by_addr(r, af, addr);
	if (rp == NULL || rp->ao == NULL)
		return -1;
	return (int)adjout_peek(rp->ao, rp->id, src, n, fn, arg);
}

int
rde_neighbor_debug_updates(struct rde *r, int af, const uint8_t *addr, bool on)
{
	struct rde_peer *rp = peer_by_addr(r, af, addr);
	if (rp == NULL)
		return -1;
	rp->debug_updates = on;
	rp->dbg_dropped = 0;
	log_info("%s: UPDATE debugging %s", bgp_peer_name(rp->bp), on ? "on" : "off");
	return 0;
}
