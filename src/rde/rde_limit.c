/*
 * Per-neighbor limits (bgp64d.json(5) "Limits"; DESIGN.md "A neighbor can only hurt its own
 * session"): the prefixes a neighbor may hold per family (and, as in earlier versions, in
 * total), each with an action:
 *   warn     log and count each crossing once (counted again after it fell back under);
 *   block    keep the session; a prefix the neighbor does not hold yet is ignored while the
 *            family is at its limit (announcements of prefixes it holds are applied, and
 *            withdrawals); ignored prefixes are counted and come back only when the neighbor
 *            sends them again (route refresh, a new session);
 *   restart  Cease (RFC 4486 subcode 1) and the session is started again after the limit's
 *            restart-time, or stays down (until "bgp64ctl neighbor ADDR start", a reset or a
 *            reload that changes it) when that is 0.
 * The counts are the Adj-RIB-In sizes the RIB keeps per peer (rib_peer.paths), so checking
 * costs nothing per prefix except for a "block" limit that is reached.
 *
 * Attribute limits are checked once per UPDATE, as its attribute set is interned
 * (rde_limit_intern): the ASes in its AS_PATH and its communities (warn: logged once a
 * session; block: the UPDATE's announcements are treated as withdrawals, RFC 7606 style), and
 * the bytes a new set would add (attr_intern_if, in the interning lookup itself) against
 *   - the attribute bytes held for the neighbor: what the sets it created and that are still
 *     alive cost (attr_owner_bytes; a set shared later with others stays charged to its
 *     creator), with the same actions (restart: Cease subcode 8, out of resources);
 *   - the daemon's memory budget for interned attributes (limits.memory-budget; by default
 *     half of the physical memory): when the set would pass it, the neighbor holding the most
 *     attribute bytes (the one sending, in the usual case) is closed with Cease/out of
 *     resources and restarted after its attribute-bytes restart-time; its flushed paths give
 *     the memory back. While that flush runs (RIB jobs pending) UPDATEs of others pass, so
 *     the budget may be passed by what arrives meanwhile, never by a neighbor that keeps
 *     sending (it is closed), and no second session is closed for the same excess.
 * So a neighbor costs its own session, never the daemon: the allocator's out-of-memory policy
 * (abort, lib/pool.c) stays for the daemon's own needs, which the limits keep far away.
 *
 * State: struct rde_limits in the rde_peer record, its timer freed with the record.
 */
#include "rde/rde_impl.h"

#include <stdlib.h>
#include <unistd.h>

#include "lib/log.h"

static const char *const action_name[] = {
    [CFG_LIMIT_WARN] = "warn",
    [CFG_LIMIT_BLOCK] = "block",
    [CFG_LIMIT_RESTART] = "restart",
};

static void
restart_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct rde_peer *rp = arg;
	if (rp->bp == NULL || rp->retired)
		return;
	log_info("%s: restart-time of the limit over: starting the session again",
		 bgp_peer_name(rp->bp));
	bgp_peer_start(rp->bp);
}

void
rde_limit_down(struct rde *r, struct rde_peer *rp, uint8_t subcode, uint32_t restart_time)
{
	if (rp->lim.down)
		return; /* already going down in this session */
	rp->lim.down = true;
	rp->lim.sessions_closed++;
	bgp_peer_stop(rp->bp, subcode, NULL);
	if (restart_time == 0) {
		log_warn("%s: stays down until \"bgp64ctl neighbor ... start\" (restart-time 0)",
			 bgp_peer_name(rp->bp));
		return;
	}
	if (rp->lim.restart_ev == NULL)
		rp->lim.restart_ev = evtimer_new(r->base, restart_cb, rp);
	struct timeval tv = {(time_t)restart_time, 0};
	evtimer_add(rp->lim.restart_ev, &tv);
}

void
rde_limit_up(struct rde_peer *rp)
{
	rp->lim.down = false;
	for (int i = 0; i < RDE_LIM_N; i++)
		rp->lim.over[i] = false;
	if (rp->lim.restart_ev != NULL)
		evtimer_del(rp->lim.restart_ev);
}

void
rde_limit_free(struct rde_peer *rp)
{
	if (rp->lim.restart_ev != NULL)
		event_free(rp->lim.restart_ev);
	rp->lim.restart_ev = NULL;
}

/* The prefix limit of family f (RDE_LIM_V4, RDE_LIM_V6) or of both (RDE_LIM_TOTAL). */
static const struct cfg_limit *
prefix_limit(const struct cfg_neighbor *cn, int which)
{
	return which == RDE_LIM_TOTAL ? &cn->max_prefixes : &cn->fam[which].max_prefixes;
}

static uint64_t
prefix_count(const struct rib_peer *pe, int which)
{
	if (which == RDE_LIM_TOTAL)
		return pe->paths[BGP_FAM_V4] + pe->paths[BGP_FAM_V6];
	return pe->paths[which];
}

static const char *
limit_name(int which)
{
	return which == RDE_LIM_V4   ? "families.ipv4.max-prefixes"
	       : which == RDE_LIM_V6 ? "families.ipv6.max-prefixes"
				     : "max-prefixes";
}

/* Is a new prefix of family f from this peer over a "block" limit now? */
static bool
blocked_now(const struct cfg_neighbor *cn, const struct rib_peer *pe, enum bgp_fam f)
{
	const int which[2] = {(int)f, RDE_LIM_TOTAL};
	for (int i = 0; i < 2; i++) {
		const struct cfg_limit *l = prefix_limit(cn, which[i]);
		if (l->limit != 0 && l->action == CFG_LIMIT_BLOCK &&
		    prefix_count(pe, which[i]) >= l->limit)
			return true;
	}
	return false;
}

bool
rde_limit_blocking(const struct rde *r, const struct rde_peer *rp, enum bgp_fam f)
{
	const struct cfg_neighbor *cn = bgp_peer_cfg(rp->bp);
	const struct cfg_limit *a = prefix_limit(cn, (int)f), *t = prefix_limit(cn, RDE_LIM_TOTAL);
	(void)r;
	return (a->limit != 0 && a->action == CFG_LIMIT_BLOCK) ||
	       (t->limit != 0 && t->action == CFG_LIMIT_BLOCK);
}

bool
rde_limit_admit_prefix(struct rde *r, struct rde_peer *rp, enum bgp_fam f, const struct prefix *p)
{
	const struct rib_peer *pe = rib_peer_get(r->rib, rp->id);
	if (pe == NULL || !blocked_now(bgp_peer_cfg(rp->bp), pe, f))
		return true;
	if (rib_has_path(r->rib, f, p, rp->id))
		return true; /* a prefix it holds: the new attributes apply */
	rp->lim.blocked[f]++;
	return false;
}

/* The count went over the limit (or reached it, for block): the action, once per crossing. */
static void
prefix_over(struct rde *r, struct rde_peer *rp, int which, const struct cfg_limit *l, uint64_t n)
{
	const char *name = bgp_peer_name(rp->bp);
	rp->lim.over[which] = true;
	rp->lim.exceeded++;
	switch (l->action) {
	case CFG_LIMIT_WARN:
		log_warn("%s: %llu prefixes exceed %s %llu (action warn: accepted, logged once)",
			 name, (unsigned long long)n, limit_name(which),
			 (unsigned long long)l->limit);
		break;
	case CFG_LIMIT_BLOCK:
		log_warn("%s: %llu prefixes reach %s %llu (action block: new prefixes ignored, "
			 "session kept)",
			 name, (unsigned long long)n, limit_name(which),
			 (unsigned long long)l->limit);
		break;
	case CFG_LIMIT_RESTART:
		log_err("%s: %llu prefixes exceed %s %llu: closing the session (Cease/maximum "
			"number of prefixes reached), restart in %u s",
			name, (unsigned long long)n, limit_name(which),
			(unsigned long long)l->limit, l->restart_time);
		rde_limit_down(r, rp, BGP_CEASE_MAX_PREFIX, l->restart_time);
		break;
	}
}

void
rde_limit_check_prefixes(struct rde *r, struct rde_peer *rp)
{
	const struct cfg_neighbor *cn = bgp_peer_cfg(rp->bp);
	const struct rib_peer *pe = rib_peer_get(r->rib, rp->id);
	if (pe == NULL || rp->lim.down)
		return;
	for (int which = 0; which < RDE_LIM_PREFIX_N; which++) {
		const struct cfg_limit *l = prefix_limit(cn, which);
		if (l->limit == 0)
			continue;
		uint64_t n = prefix_count(pe, which);
		/* block acts at the limit, the others past it */
		bool over = l->action == CFG_LIMIT_BLOCK ? n >= l->limit : n > l->limit;
		if (over && !rp->lim.over[which])
			prefix_over(r, rp, which, l, n);
		else if (!over)
			rp->lim.over[which] = false;
		if (rp->lim.down)
			return;
	}
}

uint64_t
rde_memory_budget(const struct rde *r)
{
	static uint64_t auto_budget;
	if (r->cfg->memory_budget != 0)
		return r->cfg->memory_budget;
	if (auto_budget == 0) {
		long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
		auto_budget = pages > 0 && size > 0 ? (uint64_t)pages * (uint64_t)size / 2
						    : (uint64_t)4 << 30;
	}
	return auto_budget;
}

/*
 * A per-route limit (AS_PATH length, communities) or the attribute bytes: the action.
 * True when the UPDATE's announcements are accepted.
 */
static bool
attr_over(struct rde *r, struct rde_peer *rp, int which, const struct cfg_limit *l,
	  const char *what, uint64_t n)
{
	const char *name = bgp_peer_name(rp->bp);
	bool first = !rp->lim.over[which];
	rp->lim.over[which] = true;
	if (first)
		rp->lim.exceeded++;
	switch (l->action) {
	case CFG_LIMIT_WARN:
		if (first)
			log_warn("%s: %s %llu over its limit %llu (action warn: accepted, logged "
				 "once)",
				 name, what, (unsigned long long)n, (unsigned long long)l->limit);
		return true;
	case CFG_LIMIT_BLOCK:
		rp->lim.updates_blocked++;
		if (first)
			log_warn("%s: %s %llu over its limit %llu (action block: its "
				 "announcements are treated as withdrawals, session kept; logged "
				 "once)",
				 name, what, (unsigned long long)n, (unsigned long long)l->limit);
		return false;
	case CFG_LIMIT_RESTART:
		log_err("%s: %s %llu over its limit %llu: closing the session (Cease/out of "
			"resources), restart in %u s",
			name, what, (unsigned long long)n, (unsigned long long)l->limit,
			l->restart_time);
		rde_limit_down(r, rp, BGP_CEASE_OUT_OF_RESOURCES, l->restart_time);
		return false;
	}
	return true;
}

/* The neighbor holding the most attribute bytes whose session is not already closing. */
static struct rde_peer *
biggest_holder(const struct rde *r)
{
	struct rde_peer *best = NULL;
	size_t most = 0;
	for (size_t i = 0; i < r->n_peers; i++) {
		struct rde_peer *rp = r->peers[i];
		if (rp == NULL || rp->bp == NULL || rp->lim.down)
			continue;
		size_t b = attr_owner_bytes(rp->id);
		if (b > most) {
			most = b;
			best = rp;
		}
	}
	return best;
}

/* Interning cost bytes more would pass the memory budget: closes the biggest holder. True
 * when rp's UPDATE may go on. */
static bool
budget_over(struct rde *r, struct rde_peer *rp, size_t total, size_t cost)
{
	/* The memory of a session closed for it is still being given back (its flush runs in
	 * slices): no second victim meanwhile. */
	if (r->budget_flushing && rib_jobs_pending(r->rib))
		return true;
	r->budget_flushing = false;
	struct rde_peer *v = biggest_holder(r);
	if (v == NULL)
		return true; /* nothing held by any neighbor that is not already going */
	const struct cfg_limit *l = &bgp_peer_cfg(v->bp)->limits.attr_bytes;
	v->lim.exceeded++;
	r->budget_closed++;
	log_err("%s: interning %zu more attribute bytes (for %s) would pass the memory budget "
		"(%zu of %llu bytes held, %zu by this neighbor, the most): closing its session "
		"(Cease/out of resources), restart in %u s",
		bgp_peer_name(v->bp), cost, v == rp ? "its UPDATE" : bgp_peer_name(rp->bp), total,
		(unsigned long long)rde_memory_budget(r), attr_owner_bytes(v->id), l->restart_time);
	rde_limit_down(r, v, BGP_CEASE_OUT_OF_RESOURCES, l->restart_time);
	r->budget_flushing = true;
	return v != rp;
}

struct limit_ctx {
	struct rde *r;
	struct rde_peer *rp;
};

/* attr_intern_if() callback: may rp's UPDATE add a new set of cost bytes? */
static bool
cost_ok(size_t cost, void *arg)
{
	struct limit_ctx *x = arg;
	struct rde *r = x->r;
	struct rde_peer *rp = x->rp;
	const struct cfg_limit *l = &bgp_peer_cfg(rp->bp)->limits.attr_bytes;
	size_t held = attr_owner_bytes(rp->id);
	if (l->limit != 0 && held + cost > l->limit) {
		if (!attr_over(r, rp, RDE_LIM_ATTR, l, "attribute bytes held", held + cost))
			return false;
	} else {
		rp->lim.over[RDE_LIM_ATTR] = false;
	}
	struct attr_stats as;
	attr_stats(&as);
	if (as.bytes + cost > rde_memory_budget(r))
		return budget_over(r, rp, as.bytes, cost);
	return true;
}

struct attrs *
rde_limit_intern(struct rde *r, struct rde_peer *rp, const struct attrs *t)
{
	const struct cfg_neighbor *cn = bgp_peer_cfg(rp->bp);
	if (rp->lim.down)
		return NULL; /* closing: what still arrives is not kept */
	const struct cfg_limit *l = &cn->limits.aspath_len;
	unsigned n = l->limit != 0 ? attr_aspath_count(t->aspath) : 0;
	if (n > l->limit && !attr_over(r, rp, RDE_LIM_ASPATH, l, "AS_PATH length", n))
		return NULL;
	l = &cn->limits.communities;
	n = l->limit != 0 ? attr_community_count(t) : 0;
	if (n > l->limit && !attr_over(r, rp, RDE_LIM_COMM, l, "communities", n))
		return NULL;
	/* An interned set adds nothing: the callback runs for new sets only. */
	struct limit_ctx x = {r, rp};
	return attr_intern_if(t, rp->id, cost_ok, &x);
}

const char *
rde_limit_action_name(enum cfg_limit_action a)
{
	return action_name[a];
}

void
rde_peer_limit_stats(const struct rde *r, uint16_t id, struct rde_limit_stats *s)
{
	const struct rde_peer *rp = rde_peer_of(r, id);
	memset(s, 0, sizeof *s);
	if (rp == NULL)
		return;
	for (int f = 0; f < BGP_FAM_N; f++)
		s->prefixes_blocked[f] = rp->lim.blocked[f];
	s->exceeded = rp->lim.exceeded;
	s->sessions_closed = rp->lim.sessions_closed;
	s->updates_blocked = rp->lim.updates_blocked;
	s->attribute_bytes = attr_owner_bytes(id);
	s->restart_pending =
	    rp->lim.restart_ev != NULL && evtimer_pending(rp->lim.restart_ev, NULL);
}

uint64_t
rde_budget_closed(const struct rde *r)
{
	return r->budget_closed;
}
