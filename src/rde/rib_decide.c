/*
 * The decision process (RFC 4271 9.1.2.2 with the RFC 4456 9 tie-breaks), bgp-rib.md section 2.
 *
 * MED is compared only between paths from the same neighbouring AS. Because that makes the
 * pairwise order non-transitive, rib_decide() is deterministic-MED: it first finds the best
 * path of each neighbour-AS group (where MED always applies), then compares the group winners
 * without MED. The result does not depend on arrival order.
 */
#include "rde/rib.h"

#include <string.h>

#define RIB_DEFAULT_LOCAL_PREF 100

static uint32_t
path_local_pref(const struct rib *r, const struct rib_path *p)
{
	const struct rib_peer *pe = rib_peer_get(r, p->peer);
	/* LOCAL_PREF is only accepted from iBGP; eBGP paths get the policy default. */
	if (pe != NULL && pe->ibgp && (p->attrs->flags & ATTRS_LOCAL_PREF))
		return p->attrs->local_pref;
	return RIB_DEFAULT_LOCAL_PREF;
}

static uint32_t
path_neighbor_as(const struct rib *r, const struct rib_path *p)
{
	uint32_t as = attr_aspath_first(p->attrs);
	if (as == 0) {
		const struct rib_peer *pe = rib_peer_get(r, p->peer);
		/* An empty path is from our own AS (iBGP-originated). */
		as = pe != NULL && !pe->ibgp ? pe->as : 0;
	}
	return as;
}

static int
cmp_u32(uint32_t a, uint32_t b)
{
	return a < b ? -1 : a > b ? 1 : 0;
}

/* < 0 when a is better. use_med: step 4 applies (same neighbour AS checked here too). */
static int
path_cmp(const struct rib *r, const struct rib_path *a, const struct rib_path *b, bool use_med)
{
	const struct rib_peer *pa = rib_peer_get(r, a->peer);
	const struct rib_peer *pb = rib_peer_get(r, b->peer);
	int c;

	/* 1. Highest degree of preference. */
	if ((c = cmp_u32(path_local_pref(r, b), path_local_pref(r, a))) != 0)
		return c;
	/* 2. Shortest AS_PATH. */
	if ((c = cmp_u32(attr_aspath_len(a->attrs), attr_aspath_len(b->attrs))) != 0)
		return c;
	/* 3. Lowest ORIGIN. */
	if ((c = cmp_u32(a->attrs->origin, b->attrs->origin)) != 0)
		return c;
	/* 4. Lowest MED among paths from the same neighbouring AS; missing counts as 0. */
	if (use_med && path_neighbor_as(r, a) == path_neighbor_as(r, b)) {
		uint32_t ma = (a->attrs->flags & ATTRS_MED) ? a->attrs->med : 0;
		uint32_t mb = (b->attrs->flags & ATTRS_MED) ? b->attrs->med : 0;
		if ((c = cmp_u32(ma, mb)) != 0)
			return c;
	}
	/* 5. eBGP over iBGP. */
	bool ea = pa != NULL && !pa->ibgp, eb = pb != NULL && !pb->ibgp;
	if (ea != eb)
		return ea ? -1 : 1;
	/* 6. IGP cost to the next hop: bgp64d has no IGP view; all equal. */
	/* 7. Lowest BGP Identifier, ORIGINATOR_ID instead when present (RFC 4456). */
	uint32_t ida =
	    (a->attrs->flags & ATTRS_ORIGINATOR) ? a->attrs->originator_id : (pa ? pa->bgp_id : 0);
	uint32_t idb =
	    (b->attrs->flags & ATTRS_ORIGINATOR) ? b->attrs->originator_id : (pb ? pb->bgp_id : 0);
	if ((c = cmp_u32(ida, idb)) != 0)
		return c;
	/* 8. Shortest CLUSTER_LIST (RFC 4456 9). */
	if ((c = cmp_u32(attr_cluster_len(a->attrs), attr_cluster_len(b->attrs))) != 0)
		return c;
	/* 9. Lowest peer address. */
	if (pa != NULL && pb != NULL) {
		if (pa->af != pb->af)
			return pa->af == AF_INET ? -1 : 1;
		if ((c = memcmp(pa->addr, pb->addr, af_bytes(pa->af))) != 0)
			return c < 0 ? -1 : 1;
	}
	return cmp_u32(a->peer, b->peer);
}

int
rib_path_cmp(const struct rib *r, const struct rib_path *a, const struct rib_path *b)
{
	return path_cmp(r, a, b, true);
}

/*
 * The best of the paths in the list from head for which ok() holds (all when ok is NULL):
 * the winner of each neighbour-AS group (MED applies inside a group), then the best of the
 * winners without MED. A path is a group winner when no path of its group beats it.
 */
static struct rib_path *
select_best(const struct rib *r, struct rib_path *head, rib_path_pred ok, void *arg)
{
	struct rib_path *best = NULL;
	for (struct rib_path *p = head; p != NULL; p = p->next) {
		if (ok != NULL && !ok(p, arg))
			continue;
		uint32_t as = path_neighbor_as(r, p);
		bool winner = true;
		for (struct rib_path *q = head; q != NULL && winner; q = q->next)
			if (q != p && (ok == NULL || ok(q, arg)) && path_neighbor_as(r, q) == as &&
			    path_cmp(r, q, p, true) < 0)
				winner = false;
		if (winner && (best == NULL || path_cmp(r, p, best, false) < 0))
			best = p;
	}
	return best;
}

const struct rib_path *
rib_best_among(const struct rib *r, const struct rib_path *head, rib_path_pred ok, void *arg)
{
	/* select_best() only reads the list. */
	return select_best(r, (struct rib_path *)(uintptr_t)head, ok, arg);
}

void
rib_decide(const struct rib *r, struct radix_node *n)
{
	struct rib_path *head = rib_best(n);
	if (head == NULL || head->next == NULL)
		return;
	struct rib_path *best = select_best(r, head, NULL, NULL);
	if (best == head)
		return;
	struct rib_path **pp = &head;
	while (*pp != best)
		pp = &(*pp)->next;
	*pp = best->next;
	best->next = head;
	radix_set_value(n, best);
}
