/*
 * Routes rejected by an import policy, kept for `bgp64ctl show rib filtered` (like BIRD's
 * "import keep filtered" or bgpctl's "show rib in"): one radix tree per family beside the RIB,
 * created on first use, each node a list of (neighbor, attributes as received, deciding rule).
 * They take no part in the decision process and are never exported.
 *
 * An entry goes when the neighbor withdraws the prefix, announces it again and it is accepted,
 * or its session goes down. At most RDE_FILTERED_MAX per neighbor are kept (the rest are
 * rejected all the same, only not shown), so a neighbor sending a table that its policy rejects
 * costs bounded memory.
 */
#include "rde/rde_impl.h"

#include <stdlib.h>

#include "lib/pool.h"
#include "lib/radix.h"

struct rde_filtered {
	struct rde_filtered *next;
	struct attrs *attrs; /* a reference */
	uint16_t peer;
	int16_t rule; /* of the neighbor's import policy for the family, -1: its default */
};

static struct radix *
tree(struct rde *r, enum bgp_fam f, bool create)
{
	if (r->filtered[f] == NULL && create) {
		r->filtered[f] = radix_new(f == BGP_FAM_V4 ? AF_INET : AF_INET6);
		if (r->filtered[f] == NULL)
			abort(); /* out of memory policy */
	}
	return r->filtered[f];
}

void
rde_filtered_add(struct rde *r, struct rde_peer *rp, enum bgp_fam f, const struct prefix *p,
		 struct attrs *a, int rule)
{
	struct radix_node *n = radix_get(tree(r, f, true), p->a, p->len);
	if (n == NULL)
		abort();
	for (struct rde_filtered *e = radix_value(n); e != NULL; e = e->next)
		if (e->peer == rp->id) {
			attr_unref(e->attrs);
			e->attrs = attr_ref(a);
			e->rule = (int16_t)rule;
			return;
		}
	if (rp->n_filtered >= RDE_FILTERED_MAX) {
		if (radix_value(n) == NULL)
			radix_delete(r->filtered[f], n);
		return;
	}
	struct rde_filtered *e = xcalloc(1, sizeof *e);
	e->attrs = attr_ref(a);
	e->peer = rp->id;
	e->rule = (int16_t)rule;
	e->next = radix_value(n);
	radix_set_value(n, e);
	rp->n_filtered++;
}

/* Removes the entries of peer at node n (all peers' when peer is -1). */
static void
node_del(struct rde *r, enum bgp_fam f, struct radix_node *n, int peer)
{
	struct rde_filtered *head = radix_value(n), **pp = &head;
	while (*pp != NULL) {
		struct rde_filtered *e = *pp;
		if (peer >= 0 && e->peer != peer) {
			pp = &e->next;
			continue;
		}
		*pp = e->next;
		struct rde_peer *rp = rde_peer_of(r, e->peer);
		if (rp != NULL && rp->n_filtered > 0)
			rp->n_filtered--;
		attr_unref(e->attrs);
		free(e);
	}
	radix_set_value(n, head);
	if (head == NULL)
		radix_delete(r->filtered[f], n);
}

void
rde_filtered_del(struct rde *r, struct rde_peer *rp, enum bgp_fam f, const struct prefix *p)
{
	if (rp->n_filtered == 0 || r->filtered[f] == NULL)
		return;
	struct radix_node *n = radix_find(r->filtered[f], p->a, p->len);
	if (n != NULL)
		node_del(r, f, n, rp->id);
}

void
rde_filtered_flush(struct rde *r, struct rde_peer *rp)
{
	for (int f = 0; f < BGP_FAM_N && rp->n_filtered > 0; f++) {
		struct radix *t = r->filtered[f];
		for (struct radix_node *n = t != NULL ? radix_first(t) : NULL, *next; n != NULL;
		     n = next) {
			next = radix_next(t, n);
			node_del(r, (enum bgp_fam)f, n, rp->id);
		}
	}
	rp->n_filtered = 0;
}

void
rde_filtered_free(struct rde *r)
{
	for (int f = 0; f < BGP_FAM_N; f++) {
		struct radix *t = r->filtered[f];
		if (t == NULL)
			continue;
		for (struct radix_node *n = radix_first(t), *next; n != NULL; n = next) {
			next = radix_next(t, n);
			node_del(r, (enum bgp_fam)f, n, -1);
		}
		radix_free(t, NULL, NULL);
		r->filtered[f] = NULL;
	}
}

/* ---- readers (show rib filtered) ---- */

struct radix *
rde_filtered_tree(const struct rde *r, enum bgp_fam f)
{
	return r->filtered[f];
}

const struct rde_filtered *
rde_filtered_first(const struct radix_node *n)
{
	return radix_value(n);
}

const struct rde_filtered *
rde_filtered_next(const struct rde_filtered *e)
{
	return e->next;
}

void
rde_filtered_get(const struct rde *r, const struct rde_filtered *e, enum bgp_fam f,
		 struct rde_filtered_info *out)
{
	const struct rde_peer *rp = rde_peer_of(r, e->peer);
	const struct policy *pol = rp != NULL ? rp->imp[f] : NULL;
	out->peer = e->peer;
	out->attrs = e->attrs;
	out->policy = pol != NULL ? pol->name : NULL;
	out->rule_index = pol != NULL && e->rule < (int)pol->n_rules ? e->rule : -1;
	out->rule = policy_rule_name(pol, out->rule_index);
}
