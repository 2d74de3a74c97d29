/*
 * Reload by difference (SIGHUP, bgp64ctl reload). The new config is already validated.
 *   - router-id, local-as and cluster-id cannot change at run time (restart needed);
 *   - listeners are reopened when their list changed;
 *   - neighbors removed from the file get Cease/Peer De-configured and lose their routes,
 *     changed ones are re-created (their session restarts), new ones start, the others are
 *     untouched;
 *   - when the translation settings changed, every IPv4 prefix is derived under the old and
 *     the new settings; prefixes whose derivation changed are re-exported, and IPv6 prefixes
 *     that no longer exist are withdrawn. Nothing else is sent.
 */
#include "bgp/rde_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"

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

static void
peer_drop(struct rde *r, struct bgp_peer *bp)
{
	uint16_t id = bgp_peer_id(bp);
	struct rde_peer *rp = rde_peer_of(r, id);
	log_info("%s: removed from the configuration", bgp_peer_name(bp));
	bgp_peer_remove(bp, BGP_CEASE_PEER_DECONFIGURED);
	rib_peer_flush(r->rib, id, BGP_FAM_BIT(BGP_FAM_V4) | BGP_FAM_BIT(BGP_FAM_V6));
	if (rp != NULL) {
		rde_peer_free(rp);
		r->peers[id] = NULL;
	}
}

static void
reload_neighbors(struct rde *r, const struct cfg *next)
{
	/* removed or changed */
	for (size_t i = 0; i < r->cfg->n_neighbors; i++) {
		const struct cfg_neighbor *o = &r->cfg->neighbors[i];
		const struct cfg_neighbor *n = cfg_neighbor_find(next, o->af, o->addr);
		if (n != NULL && !cfg_neighbor_changed(o, n))
			continue;
		struct bgp_peer *bp = bgp_peer_by_addr(r->sp, o->af, o->addr);
		if (bp != NULL)
			peer_drop(r, bp);
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

/* Re-derives every IPv4 prefix under the old (r->cfg) and new settings. */
static void
reload_translation(struct rde *r, struct cfg *next)
{
	struct radix *t = rib_tree(r->rib, BGP_FAM_V4);
	struct cfg *old = r->cfg;
	size_t changed = 0, withdrawn = 0;
	r->stats.no_nexthop = 0;
	for (struct radix_node *n = radix_first(t); n != NULL; n = radix_next(t, n)) {
		const struct rib_path *best = rib_best(n);
		struct prefix p;
		radix_prefix(t, n, &p);
		struct rde_xroute xo[RDE_XROUTES_MAX], xn[RDE_XROUTES_MAX];
		r->cfg = old;
		int no = rde_translate(r, &p, best, xo, RDE_XROUTES_MAX, NULL);
		r->cfg = next;
		int nn = rde_translate(r, &p, best, xn, RDE_XROUTES_MAX, NULL);
		if (best != NULL && best->attrs->nh_len == 4 && nn > 0 && !xn[0].has_nh) {
			xlat_unknown_ref(next->xlat, best->attrs->nh, 1);
			r->stats.no_nexthop++;
		}
		bool same = no == nn;
		for (int i = 0; same && i < no; i++)
			same = prefix_eq(&xo[i].v6, &xn[i].v6) && xo[i].has_nh == xn[i].has_nh &&
			       memcmp(xo[i].nh.v6, xn[i].nh.v6, 16) == 0;
		if (same)
			continue;
		changed++;
		rib_mark(r->rib, BGP_FAM_V4, n);
		for (int i = 0; i < no; i++) {
			bool kept = false;
			for (int j = 0; j < nn && !kept; j++)
				kept = prefix_eq(&xo[i].v6, &xn[j].v6);
			if (kept)
				continue;
			withdrawn++;
			rde_fib_withdraw(r, &xo[i].v6);
			for (struct adjout *g = r->groups; g != NULL; g = adjout_next(g))
				adjout_withdraw(g, BGP_FAM_V6, &xo[i].v6);
		}
	}
	r->cfg = old;
	log_info("reload: translation changed: %zu IPv4 prefixes re-derived, %zu IPv6 prefixes "
		 "withdrawn",
		 changed, withdrawn);
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
	if (strcmp(old->control.socket, next->control.socket) != 0 ||
	    old->metrics.enabled != next->metrics.enabled ||
	    old->metrics.port != next->metrics.port ||
	    memcmp(old->metrics.addr, next->metrics.addr, 16) != 0)
		log_warn("reload: control socket or metrics address changed; they apply at the "
			 "next start of bgp64d");
	bool xlat_changed = cfg_xlat_changed(old, next);
	if (xlat_changed)
		reload_translation(r, next);
	reload_neighbors(r, next);
	r->cfg = next;
	for (struct adjout *g = r->groups; g != NULL; g = adjout_next(g))
		adjout_flush_cache(g);
	cfg_free(old);
	log_info("configuration reloaded from %s", next->path);
	rde_kick(r);
	return 0;
}
