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
 * Which path (translation.translatable-best, bgp64d.json(5)): the IPv6 routes of a prefix derive
 * from its IPv4 best path when that path is translatable (rde_xlat_path_ok, the one predicate),
 * else from the best of its translatable paths: for the IPv6 side an untranslatable path is
 * treated like one whose next hop is unresolvable (RFC 4271 9.1.2.1) and the decision process
 * runs again over the others (rib_best_among). The IPv4 best path and its reflection stay as
 * they are, and nothing is stored: the fallback is computed from the prefix's path list when
 * an export needs it. Since a change of a path that is not the best does not mark the prefix,
 * the RIB's alt hook (rde_alt_changed) marks it when the best path is untranslatable.
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

/* The IPv6 next hop of best under c, through the memo m when there is one. */
static bool
memo_nexthop6(const struct rde *r, const struct cfg *c, struct rde_nhmemo *m,
	      const struct rib_path *best, struct xlat_nh *nh, enum rde_nh_source *src)
{
	if (m == NULL)
		return rde_nexthop6_cfg(r, c, best, nh, src);
	const struct attrs *a = best->attrs;
	bool v4nh = a->nh_len == 4;
	if (m->gen != r->cfg_gen + 1 || m->peer != best->peer || m->v4nh != v4nh ||
	    (v4nh && memcmp(m->nh4, a->nh, 4) != 0)) {
		m->has_nh = rde_nexthop6_cfg(r, c, best, &m->nh, &m->src);
		m->gen = r->cfg_gen + 1;
		m->peer = best->peer;
		m->v4nh = v4nh;
		if (v4nh)
			memcpy(m->nh4, a->nh, 4);
	}
	if (m->has_nh) {
		*nh = m->nh;
		*src = m->src;
	}
	return m->has_nh;
}

/*
 * Whether path p of IPv4 prefix v4 is translated under c, and if so its IPv6 next hop and the
 * translation policy's deciding rule (*prule, -1 for none): the policy accepts it, and either
 * the accepting rule sets an IPv6 next hop or the next-hop logic gives one (through the memo m
 * when there is one).
 */
static bool
path_xlat(const struct rde *r, const struct cfg *c, struct rde_nhmemo *m, const struct prefix *v4,
	  const struct rib_path *p, struct xlat_nh *nh, enum rde_nh_source *src, int *prule)
{
	if (!policy_xlat_accepts(r, c, v4, p, prule))
		return false;
	const struct policy_rule *pr = *prule >= 0 ? &c->xlat_policy->rules[*prule] : NULL;
	if (pr != NULL && (pr->a.what & PA_NEXT_HOP) && pr->a.nh_af == AF_INET6) {
		/* the translation policy overrides the IPv6 next hop */
		memset(nh, 0, sizeof *nh);
		memcpy(nh->v6, pr->a.nh, 16);
		*src = RDE_NH_POLICY;
		return true;
	}
	return memo_nexthop6(r, c, m, p, nh, src);
}

/*
 * THE predicate "may this IPv4 path be translated": every decision whether a path yields IPv6
 * routes goes through here or path_xlat() (the fallback above, the exports, the kernel, show
 * commands): the translation policy accepts it and it gets an IPv6 next hop.
 */
bool
rde_xlat_path_ok(const struct rde *r, const struct cfg *c, const struct prefix *v4,
		 const struct rib_path *p)
{
	struct xlat_nh nh;
	enum rde_nh_source how;
	int rule;
	return path_xlat(r, c, NULL, v4, p, &nh, &how, &rule);
}

struct path_ok_arg {
	const struct rde *r;
	const struct cfg *c;
	const struct prefix *v4;
};

static bool
path_ok(const struct rib_path *p, void *arg)
{
	const struct path_ok_arg *a = arg;
	return rde_xlat_path_ok(a->r, a->c, a->v4, p);
}

const struct rib_path *
rde_xlat_source(const struct rde *r, const struct cfg *c, const struct prefix *v4,
		const struct rib_path *head)
{
	if (head == NULL || rde_xlat_path_ok(r, c, v4, head))
		return head;
	if (!c->translatable_best || head->next == NULL)
		return NULL;
	struct path_ok_arg a = {r, c, v4};
	return rib_best_among(r->rib, head->next, path_ok, &a);
}

void
rde_alt_changed(void *arg, enum bgp_fam f, struct radix_node *n)
{
	struct rde *r = arg;
	const struct rib_path *head = rib_best(n);
	/* Also when the changed path was the last other one: it may have been the source. */
	if (f != BGP_FAM_V4 || head == NULL || !r->cfg->translatable_best)
		return;
	struct prefix p;
	radix_prefix(rib_tree(r->rib, BGP_FAM_V4), n, &p);
	/* A translatable best path is the source whatever the others do. */
	if (!rde_xlat_path_ok(r, r->cfg, &p, head))
		rib_mark(r->rib, BGP_FAM_V4, n);
}

bool
rde_nh4_unmatched(const struct cfg *c, const uint8_t nh4[4])
{
	struct xlat_nh nh;
	enum rde_nh_source how;
	return !nexthop6(c, nh4, NULL, &nh, &how);
}

static int
translate(const struct rde *r, const struct cfg *c, struct rde_nhmemo *m, const struct prefix *v4,
	  const struct rib_path *head, struct rde_xroute *out, int max, enum xlat_reason *why)
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
	struct xlat_nh nh;
	enum rde_nh_source src = RDE_NH_TABLE;
	/* The best path when translatable (path_xlat(), its next hop through the memo), else the
	 * best translatable one (rde_xlat_source()). None: the routes go out without a next hop
	 * (withdrawn), the policy's rejecting rule named. */
	const struct rib_path *from = NULL;
	int prule = -1;
	bool has_nh = false;
	if (head != NULL && path_xlat(r, c, m, v4, head, &nh, &src, &prule)) {
		from = head;
		has_nh = true;
	} else if (head != NULL) {
		int head_rule = prule;
		bool rejected = !policy_xlat_accepts(r, c, v4, head, &head_rule);
		from = rde_xlat_source(r, c, v4, head);
		has_nh = from != NULL && path_xlat(r, c, NULL, v4, from, &nh, &src, &prule);
		if (!has_nh) {
			prule = head_rule;
			if (rejected)
				reason = XLAT_POLICY_REJECT;
		}
	}
	const struct policy_rule *pr = prule >= 0 ? &c->xlat_policy->rules[prule] : NULL;
	if (!has_nh && why != NULL)
		*why = reason == XLAT_POLICY_REJECT ? reason : XLAT_NO_NEXTHOP;
	for (int i = 0; i < n; i++) {
		out[i].v6 = xr[i].v6;
		out[i].rule = xr[i].rule;
		out[i].rule_src = xr[i].src;
		out[i].pol_rule = prule;
		out[i].prule = pr;
		out[i].has_nh = has_nh;
		out[i].path = has_nh ? from : NULL;
		if (has_nh) {
			out[i].nh = nh;
			out[i].nh_source = src;
		} else {
			memset(&out[i].nh, 0, sizeof out[i].nh);
			out[i].nh_source = RDE_NH_TABLE;
		}
	}
	return n;
}

int
rde_translate_cfg(const struct rde *r, const struct cfg *c, const struct prefix *v4,
		  const struct rib_path *head, struct rde_xroute *out, int max,
		  enum xlat_reason *why)
{
	return translate(r, c, NULL, v4, head, out, max, why);
}

int
rde_translate(const struct rde *r, const struct prefix *v4, const struct rib_path *head,
	      struct rde_xroute *out, int max, enum xlat_reason *why)
{
	return translate(r, r->cfg, NULL, v4, head, out, max, why);
}

int
rde_translate_memo(const struct rde *r, struct rde_nhmemo *m, const struct prefix *v4,
		   const struct rib_path *head, struct rde_xroute *out, int max,
		   enum xlat_reason *why)
{
	return translate(r, r->cfg, m, v4, head, out, max, why);
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
 *   - per translated route: the IPv6 prefix, whether it is announced (has a next hop), the IPv4
 *     path it derives from (its attributes), the IPv6
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
		    x->path != y->path || (x->has_nh && !nh_eq(&x->nh, &y->nh)) ||
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
