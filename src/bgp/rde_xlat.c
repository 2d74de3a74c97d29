/*
 * Derivation of IPv6 routes from IPv4 best paths (DESIGN.md "Hold the table once"): the
 * translated table is a pure function of the IPv4 best path, the translation settings and the
 * next-hop table, computed here whenever an export, the control socket or the FIB needs it.
 *
 * IPv6 next hop of a translated route, first match wins:
 *   1. the next-hop table (longest match on the IPv4 next hop),
 *   2. the "ipv6-next-hop" of the neighbor the IPv4 best path came from,
 *   3. the default next hop when unknown-next-hop is "default",
 *   4. none: the route is not announced (unknown-next-hop "reject"), and counted per next hop.
 */
#include "bgp/rde_impl.h"

#include "lib/log.h"

#include <string.h>

static const struct cfg_neighbor *
source_neighbor(const struct rde *r, uint16_t peer)
{
	const struct rde_peer *rp = rde_peer_of(r, peer);
	return rp != NULL ? bgp_peer_cfg(rp->bp) : NULL;
}

bool
rde_nexthop6(const struct rde *r, const struct rib_path *best, struct xlat_nh *out,
	     enum rde_nh_source *src)
{
	const struct cfg *c = r->cfg;
	const struct xlat_nh *nh = NULL;
	if (best->attrs->nh_len == 4)
		nh = xlat_map_nexthop(c->xlat, best->attrs->nh);
	bool is_default = nh != NULL && c->unknown_policy == XLAT_UNKNOWN_DEFAULT &&
			  memcmp(nh, &c->unknown_default, sizeof *nh) == 0;
	if (nh != NULL && !is_default) {
		*out = *nh;
		*src = RDE_NH_TABLE;
		return true;
	}
	const struct cfg_neighbor *cn = source_neighbor(r, best->peer);
	if (cn != NULL && cn->has_nexthop6) {
		memset(out, 0, sizeof *out);
		memcpy(out->v6, cn->nexthop6, 16);
		*src = RDE_NH_NEIGHBOR;
		return true;
	}
	if (c->unknown_policy == XLAT_UNKNOWN_DEFAULT) {
		*out = c->unknown_default;
		*src = RDE_NH_DEFAULT;
		return true;
	}
	return false;
}

int
rde_translate(const struct rde *r, const struct prefix *v4, const struct rib_path *best,
	      struct rde_xroute *out, int max, enum xlat_reason *why)
{
	struct xlat_route xr[RDE_XROUTES_MAX];
	enum xlat_reason reason = XLAT_OK;
	if (max > RDE_XROUTES_MAX)
		max = RDE_XROUTES_MAX;
	int n = xlat_map_prefix(r->cfg->xlat, v4, xr, max, &reason);
	if (why != NULL)
		*why = reason;
	if (n <= 0)
		return 0;
	struct xlat_nh nh;
	enum rde_nh_source src = RDE_NH_TABLE;
	bool has_nh = best != NULL && rde_nexthop6(r, best, &nh, &src);
	if (!has_nh && why != NULL)
		*why = XLAT_NO_NEXTHOP;
	for (int i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof out[i]);
		out[i].v6 = xr[i].v6;
		out[i].rule = xr[i].rule;
		out[i].rule_src = xr[i].src;
		out[i].has_nh = has_nh;
		if (has_nh) {
			out[i].nh = nh;
			out[i].nh_source = src;
		}
	}
	return n;
}

/* True when the IPv4 best path (peer, attrs) would stay untranslated for want of a next hop. */
static bool
unmatched(const struct rde *r, uint16_t peer, const struct attrs *a)
{
	if (a->nh_len != 4)
		return false;
	struct rib_path p = {.attrs = (struct attrs *)(uintptr_t)a, .peer = peer};
	struct xlat_nh nh;
	enum rde_nh_source src;
	return !rde_nexthop6(r, &p, &nh, &src);
}

/* RIB hook: keeps the per-next-hop counts of untranslatable IPv4 best paths. */
void
rde_best_changed(void *arg, enum bgp_fam f, const struct radix_node *n, uint16_t old_peer,
		 const struct attrs *old, const struct rib_path *best)
{
	struct rde *r = arg;
	if (f != BGP_FAM_V4)
		return;
	if (old != NULL && unmatched(r, old_peer, old)) {
		xlat_unknown_ref(r->cfg->xlat, old->nh, -1);
		r->stats.no_nexthop--;
	}
	if (best != NULL && unmatched(r, best->peer, best->attrs)) {
		xlat_unknown_ref(r->cfg->xlat, best->attrs->nh, 1);
		r->stats.no_nexthop++;
	}
	/* RFC 6052 3.1: prefixes present but not translated under the well-known prefix. */
	if ((old == NULL) != (best == NULL) && r->cfg->wkp_global_only &&
	    xlat_is_wkp(&r->cfg->xlat_prefix)) {
		struct prefix p;
		radix_prefix(rib_tree(r->rib, BGP_FAM_V4), n, &p);
		if (!xlat_v4_is_global(&p)) {
			if (best != NULL) {
				r->stats.non_global_skipped++;
				if (!r->logged_non_global) {
					char buf[PREFIX_STRLEN];
					r->logged_non_global = true;
					log_warn(
					    "not translating IPv4 routes that are not globally "
					    "reachable under the well-known prefix (RFC 6052 3.1), "
					    "e.g. %s; counted in show summary (logged once)",
					    prefix_fmt(&p, buf));
				}
			} else {
				r->stats.non_global_skipped--;
			}
		}
	}
}
