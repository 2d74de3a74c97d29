/*
 * Reload by difference (SIGHUP, bgp64ctl reload). The new config is already validated.
 *   - router-id, local-as and cluster-id cannot change at run time (restart needed);
 *   - listeners are reopened when their list changed;
 *   - neighbors removed from the file get Cease/Peer De-configured and lose their routes,
 *     changed ones are re-created (their session restarts), new ones start, the others are
 *     untouched. The engine's record of a removed peer stays, retired, until its paths are
 *     flushed, so they are derived and counted with the ipv6-next-hop they came in with;
 *   - the new config applies at once to every derivation (r->cfg). When the translation
 *     settings changed, peers and the kernel may still hold routes derived under the old ones:
 *     a job walks the IPv4 tree in slices of RELOAD_BUDGET prefixes (the event loop runs
 *     between two), derives each prefix under the old and the new settings, re-exports the
 *     prefixes whose derivation changed (rde_deriv_same: every field a peer or the kernel
 *     gets) and withdraws the IPv6 prefixes that no longer exist. Nothing else is sent.
 *
 * The job owns the old configs it compares with and frees them when the walk ends. A reload
 * that changes the translation again while it walks adds the config it replaces to that list
 * and restarts the walk, so every prefix is compared with each config whose routes may still
 * be out there. A prefix that loses its last path before the walk reached it may be deleted
 * before the walk gets there: the RIB hook calls rde_reload_gone(), which withdraws its old
 * routes at once.
 *
 * An IPv6 prefix that an IPv4 prefix no longer yields is withdrawn only when no other source
 * has it now: when another IPv4 prefix yields it under the new settings (translation prefix or
 * EAM moved) that one is re-marked instead, and a native IPv6 route of that prefix is
 * re-marked so that its export decides again.
 */
#include "rde/rde_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/log.h"
#include "lib/pool.h"

#define RELOAD_BUDGET 4096 /* IPv4 prefixes per slice, each derived twice or more */

struct rde_reload {
	struct event *ev;
	struct cfg **olds; /* owned: configs whose routes peers may still hold, oldest first */
	size_t n_olds;
	bool started;
	struct prefix last;			  /* cursor: the last IPv4 prefix visited */
	size_t changed, withdrawn, slices, walks; /* for the log line */
};

static bool
listen_changed(const struct cfg *a, const struct cfg *b)
{
	if (a->n_listen != b->n_listen)
		return true;
	for (size_t i = 0; i < a->n_listen; i++)
		if (a->listen[i].af != b->listen[i].af || a->listen[i].port != b->listen[i].port ||
		    memcmp(a->listen[i].addr, b->listen[i].addr, 16) != 0)
			return true;
	return false;
}

/* Stops a removed (Cease/Peer De-configured) or changed (Cease/Other Configuration Change,
 * RFC 4486 subcodes 3 and 6) neighbor and flushes its routes. */
static void
peer_drop(struct rde *r, struct bgp_peer *bp, uint8_t subcode)
{
	uint16_t id = bgp_peer_id(bp);
	struct rde_peer *rp = rde_peer_of(r, id);
	if (subcode == BGP_CEASE_PEER_DECONFIGURED)
		log_info("%s: removed from the configuration", bgp_peer_name(bp));
	bgp_peer_remove(bp, subcode);
	rib_peer_flush(r->rib, id, BGP_FAM_BIT(BGP_FAM_V4) | BGP_FAM_BIT(BGP_FAM_V6));
	if (rp != NULL) {
		/* Retired: no session, no exports, but its ipv6-next-hop stays for its paths. */
		adjout_leave(rp);
		rde_filtered_flush(r, rp);
		if (rp->gr_timer != NULL) {
			event_free(rp->gr_timer);
			rp->gr_timer = NULL;
		}
		rp->bp = NULL;
		rp->up = false;
		rp->stale_fams = 0;
		rp->retired = true;
	}
}

/* Frees the records of removed peers whose IPv4 paths are all gone. */
static void
peers_reap(struct rde *r)
{
	for (size_t id = 0; id < r->n_peers; id++) {
		struct rde_peer *rp = r->peers[id];
		if (rp == NULL || !rp->retired)
			continue;
		const struct rib_peer *pe = rib_peer_get(r->rib, (uint16_t)id);
		if (pe == NULL || pe->paths[BGP_FAM_V4] == 0) {
			rde_peer_free(rp);
			r->peers[id] = NULL;
		}
	}
}

/* The receiving side's timers change without a session reset; a running timer keeps its
 * deadline, the next one started takes the new value. */
static void
peer_timers(struct rde *r, struct bgp_peer *bp, const struct cfg_neighbor *n)
{
	struct rde_peer *rp = bp != NULL ? rde_peer_of(r, bgp_peer_id(bp)) : NULL;
	if (rp == NULL || (rp->stale_time == n->gr_stale_time && rp->eorr_time == n->eorr_time))
		return;
	log_info("%s: graceful-restart stale time %u s, EoRR time %u s", bgp_peer_name(bp),
		 n->gr_stale_time, n->eorr_time);
	rp->stale_time = n->gr_stale_time;
	rp->eorr_time = n->eorr_time;
}

static void
reload_neighbors(struct rde *r, const struct cfg *next)
{
	/* removed or changed */
	for (size_t i = 0; i < r->cfg->n_neighbors; i++) {
		const struct cfg_neighbor *o = &r->cfg->neighbors[i];
		const struct cfg_neighbor *n = cfg_neighbor_find(next, o->af, o->addr);
		struct bgp_peer *bp = bgp_peer_by_addr(r->sp, o->af, o->addr);
		if (n != NULL && !cfg_neighbor_changed(o, n)) {
			peer_timers(r, bp, n);
			continue;
		}
		if (bp == NULL)
			continue;
		if (n == NULL) {
			peer_drop(r, bp, BGP_CEASE_PEER_DECONFIGURED);
			continue;
		}
		/* Changed: the session restarts under the new settings, the counters carry on. */
		char diff[256];
		log_info("%s: configuration changed (%s): session reset with Cease/Other "
			 "Configuration Change",
			 bgp_peer_name(bp), cfg_neighbor_diff(o, n, diff, sizeof diff));
		struct bgp_peer_stats st = *bgp_peer_stats(bp);
		if (bgp_peer_state(bp) == BGP_ESTABLISHED) {
			st.flaps++;
			st.down_at = time(NULL);
		}
		snprintf(st.last_error, sizeof st.last_error,
			 "sent Cease/Other Configuration Change (reload: %.100s)", diff);
		peer_drop(r, bp, BGP_CEASE_CONFIG_CHANGE);
		struct bgp_peer *nbp = bgp_peer_add(r->sp, n);
		if (nbp == NULL)
			continue;
		bgp_peer_carry_stats(nbp, &st);
		rde_peer_slot(r, nbp);
	}
	/* added or changed */
	for (size_t i = 0; i < next->n_neighbors; i++) {
		const struct cfg_neighbor *n = &next->neighbors[i];
		if (bgp_peer_by_addr(r->sp, n->af, n->addr) != NULL)
			continue;
		struct bgp_peer *bp = bgp_peer_add(r->sp, n);
		if (bp == NULL)
			continue;
		rde_peer_slot(r, bp);
	}
	kick_rib_jobs(r);
}

/*
 * Import and export policies of the neighbors kept (the config's pointers changed even where
 * the policies did not). An import policy changed in content re-runs over the neighbor's
 * routes through a route refresh (RFC 2918; with RFC 7313 the routes not re-sent are swept):
 * each prefix re-sent is decided by the new policy, a rejected one withdrawn. A neighbor
 * without route refresh keeps its routes as imported until its session restarts (logged).
 */
static void
reload_policies(struct rde *r)
{
	for (size_t id = 0; id < r->n_peers; id++) {
		struct rde_peer *rp = r->peers[id];
		if (rp == NULL || rp->bp == NULL)
			continue;
		const struct policy *old[BGP_FAM_N];
		memcpy(old, rp->imp, sizeof old);
		rde_policy_peer(r, rp);
		for (int f = 0; f < BGP_FAM_N; f++) {
			if (policy_equal(old[f], rp->imp[f]) || !rp->up)
				continue;
			const struct bgp_neg *neg = bgp_peer_neg(rp->bp);
			if (!(neg->fams & BGP_FAM_BIT(f)))
				continue;
			if (neg->route_refresh) {
				log_info(
				    "%s: import policy changed: route refresh requested for %s",
				    bgp_peer_name(rp->bp), bgp_fam_name((enum bgp_fam)f));
				bgp_peer_request_refresh(rp->bp, (enum bgp_fam)f);
			} else {
				log_warn(
				    "%s: import policy changed but the neighbor does not support "
				    "route refresh: it applies to routes received from now on "
				    "(reset the session to re-run it)",
				    bgp_peer_name(rp->bp));
			}
		}
	}
	adjout_policy_reload(r);
}

/* ---- re-derivation of the translated routes ---- */

/*
 * Marks the IPv4 prefixes with a path that yield p6, announced, under the running config -
 * the prefix it maps back to, and those covering it (the IPv6 side of an EAM they cover) - so
 * that their export sends p6 again. False when there is none.
 */
static bool
resend_sources(struct rde *r, const struct prefix *p6)
{
	struct prefix v4;
	if (xlat_unmap_prefix(r->cfg->xlat, p6, &v4, NULL) < 0)
		return false;
	struct radix *t = rib_tree(r->rib, BGP_FAM_V4);
	bool found = false;
	for (int len = v4.len; len >= 0; len--) {
		struct radix_node *n = radix_find(t, v4.a, (unsigned)len);
		if (n == NULL || rib_best(n) == NULL)
			continue;
		struct prefix p;
		struct rde_xroute xr[RDE_XROUTES_MAX];
		radix_prefix(t, n, &p);
		int k = rde_translate(r, &p, rib_best(n), xr, RDE_XROUTES_MAX, NULL);
		for (int i = 0; i < k; i++) {
			if (xr[i].has_nh && prefix_eq(&xr[i].v6, p6)) {
				rib_mark(r->rib, BGP_FAM_V4, n);
				found = true;
				break;
			}
		}
	}
	return found;
}

/* The native IPv6 node of p6 when it has a path: its export decides between it and a
 * translated route of the same prefix (adjout.c). */
static bool
mark_native(struct rde *r, const struct prefix *p6)
{
	struct radix_node *n = radix_find(rib_tree(r->rib, BGP_FAM_V6), p6->a, p6->len);
	if (n == NULL || rib_best(n) == NULL)
		return false;
	rib_mark(r->rib, BGP_FAM_V6, n);
	return true;
}

/* An IPv4 prefix no longer yields p6. */
static void
v6_gone(struct rde *r, struct rde_reload *j, const struct prefix *p6)
{
	bool native = mark_native(r, p6);
	if (resend_sources(r, p6))
		return; /* another source has it now: re-sent, not withdrawn */
	j->withdrawn++;
	rde_fib_withdraw(r, p6);
	if (!native) /* every export of IPv6 reads the prefix again, finds nothing: withdrawal */
		rib_touch(r->rib, BGP_FAM_V6, p6);
}

static bool
yields(const struct rde_deriv *d, const struct prefix *p6)
{
	for (int i = 0; i < d->n; i++)
		if (prefix_eq(&d->xr[i].v6, p6))
			return true;
	return false;
}

/* Yielded and announced (with a next hop). */
static bool
announces(const struct rde_deriv *d, const struct prefix *p6)
{
	for (int i = 0; i < d->n; i++)
		if (prefix_eq(&d->xr[i].v6, p6))
			return d->xr[i].has_nh;
	return false;
}

/* Compares one IPv4 prefix under each old config and the running one (n NULL: the prefix has
 * no path and may be deleted; only what it yielded is withdrawn). */
static void
rederive(struct rde *r, struct rde_reload *j, struct radix_node *n, const struct prefix *v4)
{
	const struct rib_path *best = n != NULL ? rib_best(n) : NULL;
	struct rde_deriv now, then;
	bool changed = false;
	rde_derive(r, r->cfg, v4, best, &now);
	for (size_t k = 0; k < j->n_olds; k++) {
		rde_derive(r, j->olds[k], v4, best, &then);
		if (rde_deriv_same(&then, &now))
			continue;
		changed = true;
		for (int i = 0; i < then.n; i++) {
			bool dup = false; /* already handled for an older config */
			for (size_t m = 0; m < k && !dup; m++) {
				struct rde_deriv older;
				rde_derive(r, j->olds[m], v4, best, &older);
				dup = yields(&older, &then.xr[i].v6);
			}
			if (!dup && !yields(&now, &then.xr[i].v6))
				v6_gone(r, j, &then.xr[i].v6);
			else if (!dup && then.xr[i].has_nh && !announces(&now, &then.xr[i].v6))
				j->withdrawn++; /* still derived, but without a next hop: the
						   export withdraws it (unknown-next-hop reject) */
		}
	}
	if (!changed || best == NULL)
		return;
	j->changed++;
	rib_mark(r->rib, BGP_FAM_V4, n);
	for (int i = 0; i < now.n; i++)
		mark_native(r, &now.xr[i].v6);
}

static void
job_end(struct rde *r)
{
	struct rde_reload *j = r->reload;
	log_info("reload: translation re-derived in %zu slices (%zu walks): %zu IPv4 prefixes "
		 "re-exported, %zu IPv6 prefixes withdrawn",
		 j->slices, j->walks, j->changed, j->withdrawn);
	rde_reload_free(r);
	peers_reap(r);
}

/* The next slice after the loop polled I/O. */
static void
job_next(struct rde_reload *j)
{
	rde_soon(j->ev);
}

static void
job_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct rde *r = arg;
	struct rde_reload *j = r->reload;
	struct radix *t = rib_tree(r->rib, BGP_FAM_V4);
	struct radix_node *n =
	    j->started ? radix_next_after(t, j->last.a, j->last.len) : radix_first(t);
	j->started = true;
	j->slices++;
	for (size_t budget = RELOAD_BUDGET; n != NULL && budget > 0; budget--) {
		radix_prefix(t, n, &j->last);
		rederive(r, j, n, &j->last);
		n = radix_next(t, n);
	}
	if (n != NULL)
		job_next(j);
	else
		job_end(r);
	rde_kick(r);
}

/* Starts the walk comparing with 'old' (taken over), or restarts a running one. */
static void
job_start(struct rde *r, struct cfg *old)
{
	struct rde_reload *j = r->reload;
	size_t prefixes = radix_count(rib_tree(r->rib, BGP_FAM_V4));
	if (j == NULL) {
		j = r->reload = xcalloc(1, sizeof *j);
		j->ev = evtimer_new(r->base, job_cb, r);
		if (j->ev == NULL)
			abort(); /* out of memory policy */
		log_info("reload: translation changed: re-deriving %zu IPv4 prefixes in slices",
			 prefixes);
	} else {
		log_info("reload: translation changed again while re-deriving: walk restarted over "
			 "%zu IPv4 prefixes against %zu earlier configurations",
			 prefixes, j->n_olds + 1);
	}
	j->olds = xrealloc(j->olds, (j->n_olds + 1) * sizeof *j->olds);
	j->olds[j->n_olds++] = old;
	j->started = false;
	j->walks++;
	job_next(j);
}

void
rde_reload_gone(struct rde *r, const struct prefix *v4)
{
	struct rde_reload *j = r->reload;
	if (j == NULL || (j->started && prefix_cmp(v4, &j->last) <= 0))
		return; /* no walk, or the walk has been there */
	rederive(r, j, NULL, v4);
}

void
rde_reload_free(struct rde *r)
{
	struct rde_reload *j = r->reload;
	if (j == NULL)
		return;
	for (size_t k = 0; k < j->n_olds; k++)
		cfg_free(j->olds[k]);
	free(j->olds);
	event_free(j->ev);
	free(j);
	r->reload = NULL;
}

int
rde_reload(struct rde *r, struct cfg *next, char *err, size_t errlen)
{
	struct cfg *old = r->cfg;
	if (old->router_id != next->router_id || old->local_as != next->local_as ||
	    old->cluster_id != next->cluster_id) {
		snprintf(err, errlen,
			 "%s: router-id, local-as and cluster-id cannot change at run time "
			 "(restart bgp64d)",
			 next->path);
		return -1;
	}
	if (listen_changed(old, next) &&
	    bgp_speaker_listen(r->sp, next->listen, next->n_listen) < 0) {
		snprintf(err, errlen, "%s: cannot open the new listeners (see the log)",
			 next->path);
		bgp_speaker_listen(r->sp, old->listen, old->n_listen);
		return -1;
	}
	if (old->fib.enabled != next->fib.enabled || old->fib.table != next->fib.table ||
	    old->fib.protocol != next->fib.protocol || old->fib.metric != next->fib.metric ||
	    old->fib.keep_on_exit != next->fib.keep_on_exit)
		log_warn("reload: fib settings changed; they apply at the next start of bgp64d");
	if (cfg_control_changed(old, next))
		log_warn("reload: control settings (socket, mode, group, idle-timeout, read-only, "
			 "user) changed; they apply at the next start of bgp64d");
	if (old->metrics.enabled != next->metrics.enabled ||
	    old->metrics.port != next->metrics.port ||
	    memcmp(old->metrics.addr, next->metrics.addr, 16) != 0)
		log_warn("reload: metrics address changed; it applies at the next start of bgp64d");
	peers_reap(r);
	reload_neighbors(r, next);
	r->cfg = next;
	r->cfg_gen++;
	rde_policy_counters(r, old);
	reload_policies(r);
	for (struct adjout *g = r->groups; g != NULL; g = adjout_next(g))
		adjout_flush_cache(g);
	if (cfg_xlat_changed(old, next))
		job_start(r, old); /* keeps old until the walk ends */
	else
		cfg_free(old);
	log_info("configuration reloaded from %s", next->path);
	rde_kick(r);
	return 0;
}
