/*
 * Where the policies of src/policy apply on the pipeline (DESIGN.md "Policy sits on the
 * pipeline"):
 *   - import: per neighbor and family, on each announced prefix before it enters the RIB
 *     (rde.c). A rejected prefix is withdrawn from the neighbor's paths (it may have been
 *     accepted before); an accepted one enters with the attributes the rule set. The results
 *     for one UPDATE are cached per rule, so an UPDATE of many prefixes interns each changed
 *     attribute set once;
 *   - translation: policy_xlat_accepts() decides whether an IPv4 best path is translated and
 *     which rule's actions the IPv6 route carries (rde_xlat.c, adjout.c);
 *   - export: per update group and target family (adjout.c), on the attributes as built for
 *     the group, which is why the export policy is part of the group's key.
 * A route matched by "neighbor"/"neighbor-as" is matched on the neighbor it was learned from.
 *
 * Counters per rule (policy_rule.id) live here, not in the immutable config: import counts
 * prefixes evaluated, translation counts best-path changes evaluated, export counts prefixes
 * evaluated per update group (one computation for all its members). A reload keeps the
 * counters of a policy whose name and content did not change.
 */
#include "rde/rde_impl.h"

#include <stdlib.h>
#include <string.h>

#include "lib/pool.h"

void
rde_policy_peer(struct rde *r, struct rde_peer *rp)
{
	const struct cfg_neighbor *cn = rp->bp != NULL ? bgp_peer_cfg(rp->bp) : NULL;
	cn = cn != NULL ? cfg_neighbor_find(r->cfg, cn->af, cn->addr) : NULL;
	for (int f = 0; f < BGP_FAM_N; f++) {
		rp->imp[f] = cn != NULL ? cn->fam[f].import_policy : NULL;
		rp->exp[f] = cn != NULL ? cn->fam[f].export_policy : NULL;
	}
}

void
rde_policy_counters(struct rde *r, const struct cfg *old)
{
	const struct policy_db *db = r->cfg->pol;
	uint32_t n = db != NULL ? db->n_counters : 0;
	uint64_t *hits = xcalloc(n + 1, sizeof *hits);
	for (size_t i = 0; old != NULL && db != NULL && i < db->n_pols; i++) {
		const struct policy *np = &db->pols[i];
		const struct policy *op = policy_find(old->pol, np->name);
		if (op == NULL || !policy_equal(op, np) || r->pol_hits == NULL)
			continue;
		for (size_t k = 0; k < np->n_rules; k++)
			hits[np->rules[k].id] = r->pol_hits[op->rules[k].id];
		hits[np->default_id] = r->pol_hits[op->default_id];
	}
	free(r->pol_hits);
	r->pol_hits = hits;
}

const uint64_t *
rde_policy_hits(const struct rde *r)
{
	return r->pol_hits;
}

void
rde_policy_count(struct rde *r, const struct policy *pol, int rule)
{
	if (pol != NULL)
		r->pol_hits[policy_counter_id(pol, rule)]++;
}

/* The source neighbor of a path, as policies see it. */
static void
route_of(const struct rde *r, uint16_t peer, struct policy_route *rt)
{
	const struct rib_peer *pe = rib_peer_get(r->rib, peer);
	if (pe != NULL && pe->known) {
		rt->nbr_af = pe->af;
		rt->nbr_addr = pe->addr;
		rt->nbr_as = pe->as;
	}
}

/* ---- import ---- */

void
rde_import_begin(struct rde *r, struct rde_peer *rp, enum bgp_fam f, struct attrs *a,
		 struct rde_import *im)
{
	memset(im, 0, sizeof *im);
	im->pol = rp->imp[f];
	im->fam = f;
	im->in = a;
	im->rt.a = a;
	route_of(r, rp->id, &im->rt);
	im->mask = policy_attr_mask(im->pol, &im->rt);
}

struct attrs *
rde_import_prefix(struct rde *r, struct rde_import *im, const struct prefix *p)
{
	if (im->pol == NULL)
		return im->in;
	bool accept;
	im->rt.p = p;
	int k = policy_eval_mask(im->pol, &im->rt, im->mask, &accept);
	rde_policy_count(r, im->pol, k);
	im->rule = k;
	if (!accept) {
		r->stats.import_filtered++;
		return NULL;
	}
	if (!policy_has_actions(im->pol, k))
		return im->in;
	struct attrs **slot = k < RDE_IMPORT_CACHE ? &im->cache[k] : &im->spare;
	if (*slot != NULL && slot != &im->spare)
		return *slot;
	if (*slot != NULL)
		attr_unref(*slot);
	struct attrs t;
	struct policy_tmp tmp = {0};
	attr_copy(&t, im->in);
	policy_apply(im->pol, k, &t, false, r->cfg->local_as,
		     im->fam == BGP_FAM_V4 ? AF_INET : AF_INET6, &tmp);
	*slot = attr_intern(&t);
	policy_tmp_release(&tmp);
	return *slot;
}

void
rde_import_end(struct rde_import *im)
{
	for (int i = 0; i < RDE_IMPORT_CACHE; i++)
		if (im->cache[i] != NULL)
			attr_unref(im->cache[i]);
	if (im->spare != NULL)
		attr_unref(im->spare);
	memset(im, 0, sizeof *im);
}

/* ---- translation ---- */

bool
policy_xlat_accepts(const struct rde *r, const struct cfg *c, const struct prefix *v4,
		    const struct rib_path *best, int *rule)
{
	*rule = -1;
	if (c->xlat_policy == NULL || best == NULL)
		return true;
	struct policy_route rt = {.p = v4, .a = best->attrs};
	bool accept;
	route_of(r, best->peer, &rt);
	*rule = policy_eval(c->xlat_policy, &rt, &accept);
	return accept;
}

bool
rde_xlat_decision(const struct rde *r, const struct prefix *v4, const struct rib_path *best,
		  const char **policy, const char **rule, int *index)
{
	const struct policy *pol = r->cfg->xlat_policy;
	bool ok = policy_xlat_accepts(r, r->cfg, v4, best, index);
	*policy = pol != NULL ? pol->name : NULL;
	*rule = policy_rule_name(pol, *index);
	return ok;
}

void
rde_policy_count_xlat(struct rde *r, const struct prefix *v4, const struct rib_path *best)
{
	int rule;
	if (r->cfg->xlat_policy == NULL)
		return;
	policy_xlat_accepts(r, r->cfg, v4, best, &rule);
	rde_policy_count(r, r->cfg->xlat_policy, rule);
}

/* ---- export ---- */

int
rde_export_eval(struct rde *r, const struct policy *pol, const struct prefix *p,
		const struct attrs *a, uint16_t src, bool *accept)
{
	struct policy_route rt = {.p = p, .a = a};
	route_of(r, src, &rt);
	int k = policy_eval(pol, &rt, accept);
	rde_policy_count(r, pol, k);
	return k;
}
