/*
 * Derivation of IPv6 routes from IPv4 best paths (DESIGN.md "Hold the table once"): the
 * translated table is a pure function of the IPv4 best path, the translation settings and the
 * next-hop table, computed here whenever an export, the control socket or the FIB needs it.
 *
 * IPv6 next hop of a translated route, first match wins:
 *   1. the next-hop table (longest match on the IPv4 next hop),
 *   2. the "ipv6-next-hop" of the neighbor the IPv4 best path came from,
 *   3. the default next hop when unknown-next-hop is "default",
 *   4. none: the route is not announced (unknown-next-hop "reject"), and counted per next hop
 *      (rde_count.c).
 * The translation policy (rde_policy.c) comes first: a best path it rejects is not translated,
 * and a "next-hop" its rule sets overrides all of the above.
 * The neighbor's setting is read from its rde_peer record, which keeps it until the peer's
 * paths are gone, also after a reload removed the neighbor.
 *
 * The _cfg variants and rde_derive() take the config to derive under, so that a reload can
 * derive a prefix under the old and the new settings and compare everything that reaches a
 * peer or the kernel (rde_deriv_same); the others use the running config.
 */
#include "rde/rde_impl.h"

#include <string.h>

/* The next-hop logic above; nh4 NULL when the next hop is not IPv4, src NULL for a source
 * without an ipv6-next-hop. */
static bool
nexthop6(const struct cfg *c, const uint8_t *nh4, const struct rde_peer *src, struct xlat_nh *out,
	 enum rde_nh_source *how)
{
	const struct xlat_nh *nh = nh4 != NULL ? xlat_map_nexthop(c->xlat, nh4) : NULL;
	bool is_default = nh != NULL && c->unknown_policy == XLAT_UNKNOWN_DEFAULT &&
			  memcmp(nh, &c->unknown_default, sizeof *nh) == 0;
	if (nh != NULL && !is_default) {
		*out = *nh;
		*how = RDE_NH_TABLE;
		return true;
	}
	if (src != NULL && src->has_nh6) {
		memset(out, 0, sizeof *out);
		memcpy(out->v6, src->nh6, 16);
		*how = RDE_NH_NEIGHBOR;
		return true;
	}
	if (c->unknown_policy == XLAT_UNKNOWN_DEFAULT) {
		*out = c->unknown_default;
		*how = RDE_NH_DEFAULT;
		return true;
	}
	return false;
}

bool
rde_nexthop6_cfg(const struct rde *r, const struct cfg *c, const struct rib_path *best,
		 struct xlat_nh *out, enum rde_nh_source *src)
{
	const uint8_t *nh4 = best->attrs->nh_len == 4 ? best->attrs->nh : NULL;
	return nexthop6(c, nh4, rde_peer_of(r, best->peer), out, src);
}

bool
rde_nexthop6(const struct rde *r, const struct rib_path *best, struct xlat_nh *out,
	     enum rde_nh_source *src)
{
	return rde_nexthop6_cfg(r, r->cfg, best, out, src);
}

bool
rde_nh4_unmatched(const struct cfg *c, const uint8_t nh4[4])
{
	struct xlat_nh nh;
	enum rde_nh_source how;
	return !nexthop6(c, nh4, NULL, &nh, &how);
}

int
rde_translate_cfg(const struct rde *r, const struct cfg *c, const struct prefix *v4,
		  const struct rib_path *best, struct rde_xroute *out, int max,
		  enum xlat_reason *why)
{
	struct xlat_route xr[RDE_XROUTES_MAX];
	enum xlat_reason reason = XLAT_OK;
	if (max > RDE_XROUTES_MAX)
		max = RDE_XROUTES_MAX;
	int n = xlat_map_prefix(c->xlat, v4, xr, max, &reason);
	if (why != NULL)
		*why = reason;
	if (n <= 0)
		return 0;
	int prule = -1;
	if (!policy_xlat_accepts(r, c, v4, best, &prule)) {
		if (why != NULL)
			*why = XLAT_POLICY_REJECT;
		return 0;
	}
	struct xlat_nh nh;
	enum rde_nh_source src = RDE_NH_TABLE;
	bool has_nh = best != NULL && rde_nexthop6_cfg(r, c, best, &nh, &src);
	const struct policy_rule *pr = prule >= 0 ? &c->xlat_policy->rules[prule] : NULL;
	if (best != NULL && pr != NULL && (pr->a.what & PA_NEXT_HOP) && pr->a.nh_af == AF_INET6) {
		/* the translation policy overrides the IPv6 next hop */
		memset(&nh, 0, sizeof nh);
		memcpy(nh.v6, pr->a.nh, 16);
		src = RDE_NH_POLICY;
		has_nh = true;
	}
	if (!has_nh && why != NULL)
		*why = XLAT_NO_NEXTHOP;
	for (int i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof out[i]);
		out[i].v6 = xr[i].v6;
		out[i].rule = xr[i].rule;
		out[i].rule_src = xr[i].src;
		out[i].pol_rule = prule;
		out[i].prule = pr;
		out[i].has_nh = has_nh;
		if (has_nh) {
			out[i].nh = nh;
			out[i].nh_source = src;
		}
	}
	return n;
}

int
rde_translate(const struct rde *r, const struct prefix *v4, const struct rib_path *best,
	      struct rde_xroute *out, int max, enum xlat_reason *why)
{
	return rde_translate_cfg(r, r->cfg, v4, best, out, max, why);
}

void
rde_derive(const struct rde *r, const struct cfg *c, const struct prefix *v4,
	   const struct rib_path *best, struct rde_deriv *out)
{
	memset(out, 0, sizeof *out);
	out->n = rde_translate_cfg(r, c, v4, best, out->xr, RDE_XROUTES_MAX, NULL);
	if (best != NULL) {
		enum rde_nh_source src;
		out->has_nh = rde_nexthop6_cfg(r, c, best, &out->nh, &src);
	}
}

static bool
nh_eq(const struct xlat_nh *a, const struct xlat_nh *b)
{
	return memcmp(a->v6, b->v6, 16) == 0 && strncmp(a->dev, b->dev, sizeof a->dev) == 0;
}

/*
 * What leaves the daemon from one IPv4 best path (adjout.c, rde_fib.c):
 *   - per translated route: the IPv6 prefix, whether it is announced (has a next hop), the IPv6
 *     next hop (BGP next hop and kernel gateway), its device (kernel ifindex), and the rule
 *     (an RFC 6052 more-specific of the well-known prefix is held back from eBGP);
 *   - the IPv6 next hop of the best path itself, which an RFC 8950 neighbor gets with the
 *     IPv4 route even when the prefix is not translated;
 *   - what the translation policy's rule sets on the translated route (policy_action_equal).
 * Not compared: the rule's source prefix and where the next hop came from (nh_source): only
 * show commands render them, and those derive afresh.
 */
bool
rde_deriv_same(const struct rde_deriv *a, const struct rde_deriv *b)
{
	if (a->n != b->n || a->has_nh != b->has_nh || (a->has_nh && !nh_eq(&a->nh, &b->nh)))
		return false;
	for (int i = 0; i < a->n; i++) {
		const struct rde_xroute *x = &a->xr[i], *y = &b->xr[i];
		if (!prefix_eq(&x->v6, &y->v6) || x->rule != y->rule || x->has_nh != y->has_nh ||
		    (x->has_nh && !nh_eq(&x->nh, &y->nh)) ||
		    !policy_action_equal(x->prule, y->prule))
			return false;
	}
	return true;
}

/* RIB hook: the counters of rde_count.c, and a prefix leaving while a reload re-derives. */
void
rde_best_changed(void *arg, enum bgp_fam f, const struct radix_node *n, uint16_t old_peer,
		 const struct attrs *old, const struct rib_path *best)
{
	struct rde *r = arg;
	if (f != BGP_FAM_V4)
		return;
	if (old != NULL)
		rde_count_best(r, old_peer, old, -1);
	if (best != NULL)
		rde_count_best(r, best->peer, best->attrs, 1);
	if (best != NULL && r->cfg->xlat_policy != NULL) {
		struct prefix p;
		radix_prefix(rib_tree(r->rib, BGP_FAM_V4), n, &p);
		rde_policy_count_xlat(r, &p, best);
	}
	if ((old == NULL) != (best == NULL)) {
		struct prefix p;
		radix_prefix(rib_tree(r->rib, BGP_FAM_V4), n, &p);
		rde_count_prefix(r, &p, best != NULL ? 1 : -1);
		if (best == NULL)
			rde_reload_gone(r, &p);
	}
}
