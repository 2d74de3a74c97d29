/*
 * Adj-RIB-Out: exports to one established peer, pulled when its socket can take more.
 *
 * Nothing is stored per advertised prefix. The RIB marks changed prefixes dirty for this
 * peer's export id; adjout_pump() takes a batch of them (after the initial table walk, which
 * is a cursor over the RIB trees), computes what the peer should now have for each, groups
 * the results by export attribute set and packs each group into as few UPDATEs as fit. A
 * prefix that changed twice before it was pulled is sent once, and a slow peer costs only
 * its dirty marks.
 *
 * What a peer gets (bgp-rib.md sections 3 and 4):
 *   IPv4 target: reflected IPv4 best paths (RFC 4456 rules, split horizon; eBGP rules), with
 *                the mapped IPv6 next hop instead when the neighbor is in RFC 8950 mode;
 *   IPv6 target: IPv4 best (translatable) paths translated (rde_translate) - originated by bgp64d,
 * so with no ORIGINATOR_ID/CLUSTER_LIST and no split horizon, the border gets its own routes back
 * translated - and native IPv6 best paths reflected. When both exist for one IPv6 prefix the
 * decision process (rib_path_cmp) picks one. Withdrawals are sent for every dirty prefix that has
 * nothing to export (a withdrawal of a prefix the peer never had is harmless), so no per-peer state
 * is needed to know what was sent; except for translated routes of an IPv4 node that no export ever
 * announced (one sticky bit per node, rib_node_xlat), such as a prefix whose next hop was never
 * known: those are not withdrawn, so a peer sees no withdrawal of what it never had.
 *
 * Update groups: peers with the same export policy (struct ao_key) share one adj-out, so each
 * change is derived, grouped and packed once and the same bytes are written to every member.
 * There is no limit on groups or members: a group reads the RIB through a rib_reader (see
 * rib.h), and readers share one change journal. A new peer starts in a group of its own (its
 * initial table is its own walk) and joins an equal group as soon as both have read the same
 * changes and sent the same End-of-RIBs, so they are in the same state; while the group lacks
 * the peer's initial table, nothing waits for it.
 * Writing: a message goes out while some member has room (below BGP_OUT_HIGH) and none is
 * BGP_OUT_LAG behind; the batch being sent is resumed message by message. A member that falls
 * BGP_OUT_LAG behind while others have room is split out into a group of its own in the same
 * state (its reader cloned, the rest of the batch copied), so one slow reader never holds the
 * others back, and rejoins when it has caught up. A stuck one is dropped by its send hold
 * timer (RFC 9687, session layer).
 * Split horizon inside a group: a reflected route goes to the members other than the one it
 * came from, which gets a withdrawal of the prefix instead; likewise a route we originate
 * (translated, or RFC 8950) skips the member whose own address is its next hop (RFC 4271
 * 5.1.3). The withdrawal is left out when the reader says the member cannot hold the prefix
 * (a table walk's node unchanged since the walk began: rib_reader_last_current()). A member
 * asking for a route refresh is split out and its reader walks the table again.
 */
#include "rde/rde_impl.h"

#include <stdlib.h>
#include <string.h>

#include "bgp/update.h"
#include "lib/log.h"
#include "lib/pool.h"

#define AO_BATCH     2048
#define AO_CACHE_N   256
#define AO_PREFETCH  32 /* nodes whose paths and attributes are fetched together */
#define AO_ITEMS_MAX (AO_BATCH + AO_PREFETCH * (1 + RDE_XROUTES_MAX))

enum ao_kind { AO_REFLECT, AO_XLAT, AO_EXTNH };

struct ao_item {
	struct attrs *a; /* NULL = withdraw; else a reference */
	struct prefix p;
	uint8_t fam;
	uint16_t skip; /* member that must not get it (split horizon), 0 = none */
	bool quiet;    /* that member never got the prefix: it owes no withdrawal either */
};

/* Everything that makes two peers' exports identical. */
struct ao_key {
	uint8_t targets, fams;
	bool ebgp, extnh, rr_client, copy_unknown, allow_wkp;
	bool self4_ok, self6_ok, ll_ok;
	uint8_t self4[4], self6[16], ll[16];
	struct bgp_enc_ctx enc;
	/* export policy per target family by content (policy.hash), 0 for none: neighbors
	 * whose export policies are equal share the group, whatever the policies' names */
	uint64_t exp_hash[BGP_FAM_N];
};

struct ao_cache {
	struct attrs *src; /* referenced, so its address cannot be reused while cached */
	struct attrs *out; /* referenced; NULL = "do not export" */
	uint16_t peer;
	uint8_t kind;
	int16_t xrule; /* rule of the translation policy (AO_XLAT), -1 for none */
	uint8_t nh[16];
};

/* Export policy results: (attributes built, rule) -> attributes sent. */
#define AO_PCACHE_N 64
struct ao_pcache {
	struct attrs *in, *out; /* referenced */
	int16_t rule;
};

struct adjout {
	struct rde *r;
	struct rde_peer **members;
	size_t n_members, cap_members;
	struct adjout *next_group; /* the engine's list of groups */
	struct rib_reader *rd;	   /* NULL when the group exports nothing (End-of-RIBs only) */
	struct ao_key key;
	const struct policy *exp[BGP_FAM_N]; /* the export policies the key's hashes stand for */
	struct ao_pcache pcache[AO_PCACHE_N];
	uint8_t eor_sent;
	uint8_t borr_pending; /* families whose refresh starts with a BoRR not sent yet */
	uint8_t eorr_pending; /* families whose refresh ends with an EoRR (RFC 7313) */
	struct ao_cache cache[AO_CACHE_N];
	struct rde_nhmemo nhmemo; /* the translated next hop of the last run of prefixes */
	/* The member whose own address the last translated next hop was (RFC 4271 5.1.3), and
	 * whether any member has an IPv6 session address at all; reset when members change. */
	bool self_nh_ok, any_v6_known, any_v6;
	uint16_t self_nh_member; /* 0 = none */
	uint8_t self_nh[16];
	/* The batch being sent (sorted), and where sending resumes. */
	struct ao_item *items; /* AO_ITEMS_MAX, allocated while a batch is under way */
	size_t n_items;
	size_t run, run_end; /* the run of items being sent: [run, run_end) */
	size_t next;	     /* next item of the run to pack */
	bool skip_phase;     /* sending the run's split-horizon withdrawals */
	bool peeking;	     /* adjout_peek(): compute only, no counters or logs */
	bool node_current;   /* the node being exported: rib_reader_last_current() */
};

/* Messages are packed here and written at once: one buffer serves every group. */
static uint8_t ao_buf[BGP_MAX_EXT_MSG];

static void
member_add(struct adjout *ao, struct rde_peer *rp)
{
	if (ao->n_members == ao->cap_members) {
		ao->cap_members = ao->cap_members ? ao->cap_members * 2 : 4;
		ao->members = xrealloc(ao->members, ao->cap_members * sizeof *ao->members);
	}
	ao->members[ao->n_members++] = rp;
	rp->ao = ao;
	ao->self_nh_ok = ao->any_v6_known = false;
}

struct adjout *
adjout_new(struct rde *r, struct rde_peer *rp)
{
	struct adjout *ao = xcalloc(1, sizeof *ao); /* zeroed: the key compares with memcmp */
	struct ao_key *k = &ao->key;
	const struct cfg_neighbor *cn = bgp_peer_cfg(rp->bp);
	const struct bgp_neg *neg = bgp_peer_neg(rp->bp);
	ao->r = r;
	for (int f = 0; f < BGP_FAM_N; f++)
		if (cn->fam[f].export && (neg->fams & BGP_FAM_BIT(f)))
			k->targets |= (uint8_t)BGP_FAM_BIT(f);
	k->fams = neg->fams;
	k->ebgp = !neg->ibgp;
	k->extnh = cn->extended_nexthop && (neg->ext_nh & BGP_FAM_BIT(BGP_FAM_V4));
	k->rr_client = cn->rr_client;
	k->copy_unknown = cn->copy_unknown_attrs;
	k->allow_wkp = cn->allow_wkp_specifics;
	k->ll_ok = cn->has_nexthop6_ll;
	if (k->ll_ok)
		memcpy(k->ll, cn->nexthop6_ll, 16);
	k->enc.as4 = neg->as4;
	k->enc.max_msg = bgp_peer_max_msg(rp->bp);
	k->enc.addpath_tx = neg->addpath_tx;
	for (int f = 0; f < BGP_FAM_N; f++) {
		ao->exp[f] = rp->exp[f];
		k->exp_hash[f] = rp->exp[f] != NULL ? rp->exp[f]->hash : 0;
	}
	int af;
	uint8_t a[16];
	if (k->ebgp && bgp_peer_local_addr(rp->bp, &af, a) == 0) {
		if (af == AF_INET) {
			memcpy(k->self4, a, 4);
			k->self4_ok = true;
		} else if (!(a[0] == 0xfe && (a[1] & 0xc0) == 0x80)) {
			memcpy(k->self6, a, 16);
			k->self6_ok = true;
		}
	}
	/* Translated and reflected IPv4 routes come from the IPv4 tree, native IPv6 ones from
	 * the IPv6 tree. */
	uint8_t fams = 0;
	if (k->targets != 0)
		fams |= BGP_FAM_BIT(BGP_FAM_V4);
	if (k->targets & BGP_FAM_BIT(BGP_FAM_V6))
		fams |= BGP_FAM_BIT(BGP_FAM_V6);
	if (fams != 0)
		ao->rd = rib_reader_new(r->rib, fams);
	member_add(ao, rp);
	ao->next_group = r->groups;
	r->groups = ao;
	return ao;
}

static void
items_free(struct adjout *ao)
{
	for (size_t i = 0; i < ao->n_items; i++)
		if (ao->items[i].a != NULL)
			attr_unref(ao->items[i].a);
	ao->n_items = 0;
	free(ao->items);
	ao->items = NULL;
}

/* A new group in the same state as ao (same reader position, same batch left to send). */
static struct adjout *
group_clone(struct adjout *ao)
{
	struct adjout *ng = xcalloc(1, sizeof *ng);
	ng->r = ao->r;
	ng->key = ao->key;
	memcpy(ng->exp, ao->exp, sizeof ng->exp);
	ng->rd = ao->rd != NULL ? rib_reader_clone(ao->r->rib, ao->rd) : NULL;
	ng->eor_sent = ao->eor_sent;
	ng->eorr_pending = ao->eorr_pending;
	ng->borr_pending = ao->borr_pending;
	if (ao->n_items > 0) {
		ng->items = xmalloc(AO_ITEMS_MAX * sizeof *ng->items);
		memcpy(ng->items, ao->items, ao->n_items * sizeof *ng->items);
		ng->n_items = ao->n_items;
		for (size_t i = 0; i < ng->n_items; i++)
			if (ng->items[i].a != NULL)
				attr_ref(ng->items[i].a);
		ng->run = ao->run;
		ng->run_end = ao->run_end;
		ng->next = ao->next;
		ng->skip_phase = ao->skip_phase;
	}
	ng->next_group = ao->r->groups;
	ao->r->groups = ng;
	return ng;
}

static void
group_free(struct adjout *ao)
{
	struct adjout **pp = &ao->r->groups;
	while (*pp != NULL && *pp != ao)
		pp = &(*pp)->next_group;
	if (*pp == ao)
		*pp = ao->next_group;
	rib_reader_free(ao->r->rib, ao->rd);
	adjout_flush_cache(ao);
	items_free(ao);
	free(ao->members);
	free(ao);
}

void
adjout_leave(struct rde_peer *rp)
{
	struct adjout *ao = rp->ao;
	if (ao == NULL)
		return;
	rp->ao = NULL;
	for (size_t i = 0; i < ao->n_members; i++)
		if (ao->members[i] == rp) {
			memmove(ao->members + i, ao->members + i + 1,
				(ao->n_members - i - 1) * sizeof *ao->members);
			ao->n_members--;
			break;
		}
	ao->self_nh_ok = ao->any_v6_known = false;
	if (ao->n_members == 0)
		group_free(ao);
}

/* Moves members from ao to a new group in the same state. */
static struct adjout *
split(struct adjout *ao, struct rde_peer **which, size_t n)
{
	struct adjout *ng = group_clone(ao);
	for (size_t i = 0; i < n; i++) {
		adjout_leave(which[i]);
		member_add(ng, which[i]);
	}
	return ng;
}

struct adjout *
adjout_next(const struct adjout *ao)
{
	return ao->next_group;
}

size_t
adjout_members(const struct adjout *ao)
{
	return ao->n_members;
}

void
adjout_flush_cache(struct adjout *ao)
{
	for (int i = 0; i < AO_CACHE_N; i++) {
		struct ao_cache *c = &ao->cache[i];
		if (c->src != NULL)
			attr_unref(c->src);
		if (c->out != NULL)
			attr_unref(c->out);
		memset(c, 0, sizeof *c);
	}
	for (int i = 0; i < AO_PCACHE_N; i++) {
		struct ao_pcache *c = &ao->pcache[i];
		if (c->in != NULL)
			attr_unref(c->in);
		if (c->out != NULL)
			attr_unref(c->out);
		memset(c, 0, sizeof *c);
	}
}

/* ---- export attribute sets ---- */

static bool
has_no_advertise(const struct attrs *a, bool ebgp)
{
	if (a->wkc & ATTRS_WKC_NO_ADVERTISE)
		return true;
	/* NO_EXPORT, NO_EXPORT_SUBCONFED: not beyond the AS */
	return ebgp && (a->wkc & (ATTRS_WKC_NO_EXPORT | ATTRS_WKC_NO_EXPORT_SUBCONFED));
}

/* Rules common to every export toward this peer's kind (iBGP / eBGP). */
static void
export_rules(const struct adjout *ao, struct attrs *t, struct attr_blob **tmp, size_t *ntmp)
{
	const struct cfg *c = ao->r->cfg;
	if (ao->key.ebgp) {
		struct attr_blob *b = attr_aspath_prepend(t->aspath, c->local_as);
		t->aspath = b;
		tmp[(*ntmp)++] = b;
		/* LOCAL_PREF never to eBGP; a MED from another AS is not passed on. */
		t->flags &= (uint8_t) ~(ATTRS_LOCAL_PREF | ATTRS_MED | ATTRS_ORIGINATOR);
		t->clusters = NULL;
	} else if (!(t->flags & ATTRS_LOCAL_PREF)) {
		t->flags |= ATTRS_LOCAL_PREF;
		t->local_pref = 100;
	}
}

static struct attrs *
build(const struct adjout *ao, const struct rib_path *best, enum ao_kind kind, const uint8_t *nh6,
      enum bgp_fam fam, int xrule)
{
	const struct rde *r = ao->r;
	struct attrs t;
	struct attr_blob *tmp[4];
	size_t ntmp = 0;
	struct policy_tmp ptmp = {0};
	attr_copy(&t, best->attrs);
	if (kind == AO_XLAT) {
		/* what the translation policy's rule sets (its next hop is nh6 already) */
		policy_apply(r->cfg->xlat_policy, xrule, &t, false, r->cfg->local_as, 0, &ptmp);
		/* Originated by bgp64d: nothing inherited from reflection of the IPv4 route. */
		t.flags &= (uint8_t)~ATTRS_ORIGINATOR;
		t.clusters = NULL;
		if (!ao->key.copy_unknown)
			t.unknown = NULL;
		t.nh_len = 16;
		memcpy(t.nh, nh6, 16);
		if (ao->key.ll_ok) {
			/* RFC 2545: global + link-local (ipv6-link-local-next-hop) */
			t.nh_len = 32;
			memcpy(t.nh + 16, ao->key.ll, 16);
		}
	} else {
		const struct rib_peer *src = rib_peer_get(r->rib, best->peer);
		if (!ao->key.ebgp && src != NULL && src->ibgp) {
			/* Reflection (RFC 4456): ORIGINATOR_ID kept or set, our cluster id first.
			 */
			if (!(t.flags & ATTRS_ORIGINATOR)) {
				t.flags |= ATTRS_ORIGINATOR;
				t.originator_id = src->bgp_id;
			}
			struct attr_blob *cl =
			    attr_clusters_prepend(t.clusters, r->cfg->cluster_id);
			t.clusters = cl;
			tmp[ntmp++] = cl;
		}
		if (kind == AO_EXTNH) {
			t.nh_len = 16;
			memcpy(t.nh, nh6, 16);
		} else if (ao->key.ebgp) {
			/* next hop self */
			if (fam == BGP_FAM_V4 && ao->key.self4_ok) {
				t.nh_len = 4;
				memcpy(t.nh, ao->key.self4, 4);
			} else if (fam == BGP_FAM_V6 && ao->key.self6_ok) {
				t.nh_len = 16;
				memcpy(t.nh, ao->key.self6, 16);
			} else {
				return NULL;
			}
		}
	}
	export_rules(ao, &t, tmp, &ntmp);
	/* The group's own: the export cache holds it while its source set is exported. */
	struct attrs *out = attr_private(&t);
	for (size_t i = 0; i < ntmp; i++)
		attr_blob_unref(tmp[i]);
	policy_tmp_release(&ptmp);
	return out;
}

/* Cached build(): a full table has few attribute sets, and prefixes sharing one arrive
 * together, so most exports are a cache hit. Returns a new reference or NULL. */
static struct attrs *
export_attrs(struct adjout *ao, const struct rib_path *best, enum ao_kind kind, const uint8_t *nh6,
	     enum bgp_fam fam, int xrule)
{
	uintptr_t h = (uintptr_t)best->attrs >> 4;
	h ^= (uintptr_t)best->peer * 0x9e3779b1u ^ (uintptr_t)kind * 0x85ebca6bu;
	h ^= (uintptr_t)(xrule + 1) * 0xc2b2ae35u;
	if (nh6 != NULL)
		for (int i = 12; i < 16; i++)
			h = h * 31 + nh6[i];
	struct ao_cache *c = &ao->cache[h % AO_CACHE_N];
	if (c->src == best->attrs && c->peer == best->peer && c->kind == kind &&
	    c->xrule == xrule && (nh6 == NULL || memcmp(c->nh, nh6, 16) == 0))
		return c->out ? attr_ref(c->out) : NULL;
	struct attrs *out = build(ao, best, kind, nh6, fam, xrule);
	if (c->src != NULL)
		attr_unref(c->src);
	if (c->out != NULL)
		attr_unref(c->out);
	c->src = attr_ref(best->attrs);
	c->out = out ? attr_ref(out) : NULL;
	c->peer = best->peer;
	c->kind = (uint8_t)kind;
	c->xrule = (int16_t)xrule;
	if (nh6 != NULL)
		memcpy(c->nh, nh6, 16);
	else
		memset(c->nh, 0, 16);
	return out;
}

/*
 * The group's export policy for family fam on a route about to be sent with attributes a (a
 * reference, taken over): the attributes to send (a new reference), or NULL when rejected.
 * Matched on the attributes as built for the group; the neighbor is the path's source.
 */
static struct attrs *
export_policy(struct adjout *ao, enum bgp_fam fam, const struct prefix *p, struct attrs *a,
	      uint16_t src)
{
	const struct policy *pol = ao->exp[fam];
	if (a == NULL || pol == NULL)
		return a;
	bool accept;
	int k = rde_export_eval(ao->r, pol, p, a, src, &accept);
	if (!accept) {
		attr_unref(a);
		return NULL;
	}
	if (!policy_has_actions(pol, k))
		return a;
	uintptr_t h = ((uintptr_t)a >> 4) ^ (uintptr_t)(k + 1) * 0x9e3779b1u;
	struct ao_pcache *c = &ao->pcache[h % AO_PCACHE_N];
	if (c->in == a && c->rule == k) {
		attr_unref(a);
		return attr_ref(c->out);
	}
	struct attrs t;
	struct policy_tmp tmp = {0};
	attr_copy(&t, a);
	policy_apply(pol, k, &t, ao->key.ebgp, ao->r->cfg->local_as,
		     t.nh_len == 4 ? AF_INET : AF_INET6, &tmp);
	if (ao->key.ebgp) /* LOCAL_PREF never to eBGP */
		t.flags &= (uint8_t)~ATTRS_LOCAL_PREF;
	struct attrs *out = attr_intern(&t);
	policy_tmp_release(&tmp);
	if (c->in != NULL)
		attr_unref(c->in);
	if (c->out != NULL)
		attr_unref(c->out);
	c->in = a; /* the reference taken over */
	c->out = attr_ref(out);
	c->rule = (int16_t)k;
	return out;
}

/* ---- what the peer should have for one RIB node ---- */

static void
item_add(struct adjout *ao, enum bgp_fam fam, const struct prefix *p, struct attrs *a,
	 uint16_t skip)
{
	struct ao_item *it = &ao->items[ao->n_items++];
	it->a = a;
	it->p = *p;
	it->fam = (uint8_t)fam;
	it->skip = a != NULL ? skip : 0;
	it->quiet = it->skip != 0 && ao->node_current;
}

/* May a best path learned from a peer be reflected to this group? (RFC 4456; split horizon
 * toward its source member is applied when sending, see ao_item.skip) */
static bool
may_reflect(const struct adjout *ao, const struct rib_path *best)
{
	if (has_no_advertise(best->attrs, ao->key.ebgp))
		return false;
	const struct rib_peer *src = rib_peer_get(ao->r->rib, best->peer);
	if (ao->key.ebgp || src == NULL || !src->ibgp)
		return true;
	/* iBGP to iBGP: only through reflection. */
	return src->rr_client || ao->key.rr_client;
}

/*
 * The member an IPv6 next hop belongs to: RFC 4271 5.1.3, a route we originate is not
 * advertised to a peer with an address of that peer as NEXT_HOP. The addresses known are the
 * member's session address (its configured neighbor address, global or link-local), compared
 * with the global next hop and, when one is sent, the link-local one. 0 = nobody.
 */
static uint16_t
self_nh_member(struct adjout *ao, const uint8_t nh6[16])
{
	if (!ao->any_v6_known) {
		ao->any_v6 = false;
		for (size_t i = 0; i < ao->n_members; i++)
			if (bgp_peer_cfg(ao->members[i]->bp)->af == AF_INET6)
				ao->any_v6 = true;
		ao->any_v6_known = true;
	}
	if (!ao->any_v6)
		return 0; /* IPv4 sessions only: no next hop of ours is a member's address */
	if (ao->self_nh_ok && memcmp(ao->self_nh, nh6, 16) == 0)
		return ao->self_nh_member;
	uint16_t id = 0;
	for (size_t i = 0; i < ao->n_members && id == 0; i++) {
		const struct cfg_neighbor *cn = bgp_peer_cfg(ao->members[i]->bp);
		if (cn->af == AF_INET6 &&
		    (memcmp(cn->addr, nh6, 16) == 0 ||
		     (ao->key.ll_ok && memcmp(cn->addr, ao->key.ll, 16) == 0)))
			id = ao->members[i]->id;
	}
	memcpy(ao->self_nh, nh6, 16);
	ao->self_nh_member = id;
	ao->self_nh_ok = true;
	return id;
}

static struct rde_peer *member_by_id(const struct adjout *ao, uint16_t id);

static void
node_v4_to_v4(struct adjout *ao, const struct prefix *p, const struct rib_path *best)
{
	struct attrs *a = NULL;
	uint16_t skip = best != NULL ? best->peer : 0;
	if (best != NULL && may_reflect(ao, best)) {
		if (ao->key.extnh) {
			struct xlat_nh nh;
			enum rde_nh_source src;
			if (rde_nexthop6(ao->r, best, &nh, &src))
				a = export_attrs(ao, best, AO_EXTNH, nh.v6, BGP_FAM_V4, -1);
			/* RFC 8950: the IPv6 next hop is ours to choose, so RFC 4271 5.1.3 as
			 * for translated routes; one member is skipped per item, and split
			 * horizon toward a source in the group comes first. */
			uint16_t self = a != NULL ? self_nh_member(ao, nh.v6) : 0;
			if (self != 0 && self != skip && member_by_id(ao, skip) == NULL) {
				skip = self;
				if (!ao->peeking)
					ao->r->stats.nexthop_is_peer++;
			}
		} else {
			a = export_attrs(ao, best, AO_REFLECT, NULL, BGP_FAM_V4, -1);
		}
		a = export_policy(ao, BGP_FAM_V4, p, a, best->peer);
	}
	item_add(ao, BGP_FAM_V4, p, a, skip);
}

/* The native IPv6 best path of a prefix, if any. */
static const struct rib_path *
native6(const struct adjout *ao, const struct prefix *v6)
{
	struct radix_node *n = radix_find(rib_tree(ao->r->rib, BGP_FAM_V6), v6->a, v6->len);
	return n != NULL ? rib_best(n) : NULL;
}

/* Export of one translated route (or its withdrawal when xr is NULL or has no next hop). */
static void
emit_xlat(struct adjout *ao, const struct rde_xroute *xr, const struct rib_path *best)
{
	struct attrs *a = NULL;
	const struct cfg *c = ao->r->cfg;
	if (best != NULL && xr->has_nh && !has_no_advertise(best->attrs, ao->key.ebgp)) {
		/* RFC 6052 3.1: more-specifics of the WKP are not announced to eBGP unless
		 * this neighbor allows it. */
		if (ao->key.ebgp && xr->rule == XLAT_RULE_RFC6052 && xlat_is_wkp(&c->xlat_prefix) &&
		    xr->v6.len > 96 && !ao->key.allow_wkp) {
			if (!ao->peeking)
				ao->r->stats.wkp_specifics_blocked++;
			if (!ao->peeking && !ao->r->logged_wkp_blocked) {
				char buf[PREFIX_STRLEN];
				ao->r->logged_wkp_blocked = true;
				log_warn(
				    "%s: not sending more-specifics of the well-known prefix to "
				    "eBGP (RFC 6052 3.1), e.g. %s; set allow-wkp-specifics to "
				    "send them (logged once)",
				    bgp_peer_name(ao->members[0]->bp), prefix_fmt(&xr->v6, buf));
			}
		} else {
			a = export_attrs(ao, best, AO_XLAT, xr->nh.v6, BGP_FAM_V6, xr->pol_rule);
			a = export_policy(ao, BGP_FAM_V6, &xr->v6, a, best->peer);
		}
	}
	/* Originated by us: no split horizon toward the IPv4 source, but the member whose own
	 * address is the next hop gets a withdrawal instead (see ao_item.skip). */
	uint16_t skip = a != NULL ? self_nh_member(ao, xr->nh.v6) : 0;
	if (skip != 0 && !ao->peeking)
		ao->r->stats.nexthop_is_peer++;
	item_add(ao, BGP_FAM_V6, &xr->v6, a, skip);
}

/* A native IPv6 best path, reflected (or its withdrawal when best is NULL). */
static void
emit_native(struct adjout *ao, const struct prefix *p, const struct rib_path *best)
{
	struct attrs *a = NULL;
	if (best != NULL && may_reflect(ao, best)) {
		a = export_attrs(ao, best, AO_REFLECT, NULL, BGP_FAM_V6, -1);
		a = export_policy(ao, BGP_FAM_V6, p, a, best->peer);
	}
	item_add(ao, BGP_FAM_V6, p, a, best != NULL ? best->peer : 0);
}

/*
 * The translated routes of an IPv4 node. A withdrawal of a translation is sent only when some
 * export may have announced one for this node (rib_node_xlat): a prefix whose next hop was
 * never known, or that is held back from eBGP, is never withdrawn from peers that never got it.
 */
static void
node_v4_to_v6(struct adjout *ao, struct radix_node *node, const struct prefix *p,
	      const struct rib_path *best)
{
	struct rde_xroute xr[RDE_XROUTES_MAX];
	int n = rde_translate_memo(ao->r, &ao->nhmemo, p, best, xr, RDE_XROUTES_MAX, NULL);
	for (int i = 0; i < n; i++) {
		const struct rib_path *nat = native6(ao, &xr[i].v6);
		/* A native IPv6 path for the same prefix: the decision process picks one, whichever
		 * side changed (the same choice as node_v6). */
		if (nat != NULL &&
		    !(xr[i].has_nh && rib_path_cmp(ao->r->rib, xr[i].path, nat) < 0)) {
			emit_native(ao, &xr[i].v6, nat);
			continue;
		}
		emit_xlat(ao, &xr[i], xr[i].path);
		const struct ao_item *it = &ao->items[ao->n_items - 1];
		if (it->a != NULL && !ao->peeking)
			rib_node_set_xlat(node);
		else if (it->a == NULL && !rib_node_xlat(node))
			ao->n_items--; /* never announced by anyone: nothing to withdraw */
	}
}

static void
node_v6(struct adjout *ao, const struct prefix *p, const struct rib_path *best)
{
	/* The translated candidate for the same prefix, if the prefix maps back to IPv4. */
	struct prefix v4;
	enum xlat_rule rule;
	const struct rib_path *xbest = NULL;
	struct rde_xroute xr[RDE_XROUTES_MAX];
	int xi = -1;
	struct radix_node *vn = NULL;
	if (xlat_unmap_prefix(ao->r->cfg->xlat, p, &v4, &rule) == 0) {
		vn = radix_find(rib_tree(ao->r->rib, BGP_FAM_V4), v4.a, v4.len);
		xbest = vn != NULL ? rib_best(vn) : NULL;
		int n = xbest ? rde_translate(ao->r, &v4, xbest, xr, RDE_XROUTES_MAX, NULL) : 0;
		for (int i = 0; i < n; i++)
			if (prefix_eq(&xr[i].v6, p) && xr[i].has_nh)
				xi = i;
		xbest = xi >= 0 ? xr[xi].path : NULL; /* the best translatable path */
	}
	if (xi >= 0 && (best == NULL || rib_path_cmp(ao->r->rib, xbest, best) < 0)) {
		emit_xlat(ao, &xr[xi], xbest);
		if (ao->items[ao->n_items - 1].a != NULL && !ao->peeking)
			rib_node_set_xlat(vn); /* its withdrawal will come through vn */
		return;
	}
	emit_native(ao, p, best);
}

static void
node_export(struct adjout *ao, enum bgp_fam src, struct radix_node *n)
{
	struct prefix p;
	radix_prefix(rib_tree(ao->r->rib, src), n, &p);
	const struct rib_path *best = rib_best(n);
	if (src == BGP_FAM_V4) {
		if (ao->key.targets & BGP_FAM_BIT(BGP_FAM_V4))
			node_v4_to_v4(ao, &p, best);
		if (ao->key.targets & BGP_FAM_BIT(BGP_FAM_V6))
			node_v4_to_v6(ao, n, &p, best);
	} else if (ao->key.targets & BGP_FAM_BIT(BGP_FAM_V6)) {
		node_v6(ao, &p, best);
	}
}

/* The export of one node to one member, computed through the same functions as a batch
 * into a local item array (a v4 node yields its reflected route and its translations). */
size_t
adjout_peek(struct adjout *ao, uint16_t member, enum bgp_fam src, struct radix_node *n,
	    rde_out_fn fn, void *arg)
{
	struct ao_item local[1 + RDE_XROUTES_MAX];
	struct ao_item *saved = ao->items;
	size_t saved_n = ao->n_items, k = 0;

	ao->items = local;
	ao->n_items = 0;
	ao->peeking = true;
	node_export(ao, src, n);
	ao->peeking = false;
	for (size_t i = 0; i < ao->n_items; i++) {
		struct ao_item *it = &local[i];
		if (it->a == NULL)
			continue;
		if (it->skip != member) {
			fn((enum bgp_fam)it->fam, &it->p, it->a, arg);
			k++;
		}
		attr_unref(it->a);
	}
	ao->items = saved;
	ao->n_items = saved_n;
	return k;
}

/* ---- batches ---- */

/*
 * Groups the batch into runs of one (family, attribute set, split-horizon member, quiet), in the
 * order the runs first appear: a counting sort through a small hash table, linear in the
 * batch (items of a run usually arrive together, and the order inside a run does not matter).
 */
#define AO_GROUP_SLOTS 8192 /* a power of two, at least twice AO_ITEMS_MAX */
_Static_assert(AO_GROUP_SLOTS >= 2 * AO_ITEMS_MAX, "AO_GROUP_SLOTS");

struct ao_slot {
	const struct attrs *a;
	uint16_t skip;
	uint8_t fam, used;
	bool quiet;
	uint32_t count; /* items, then the next free position of the run */
};

static struct ao_item ao_sorted[AO_ITEMS_MAX];
static struct ao_slot ao_slots[AO_GROUP_SLOTS];
static uint16_t ao_slot_of[AO_ITEMS_MAX];
static uint16_t ao_order[AO_ITEMS_MAX]; /* slots in order of first appearance */

static void
group_items(struct adjout *ao)
{
	size_t n_groups = 0;
	for (size_t i = 0; i < ao->n_items; i++) {
		const struct ao_item *it = &ao->items[i];
		uintptr_t h = ((uintptr_t)it->a >> 4) * 0x9e3779b97f4a7c15u;
		h ^= ((uintptr_t)it->skip << 2 | (uintptr_t)it->quiet << 1 | it->fam) *
		     0xc2b2ae3d27d4eb4fu;
		size_t k = (h >> 20) & (AO_GROUP_SLOTS - 1);
		struct ao_slot *sl;
		for (;; k = (k + 1) & (AO_GROUP_SLOTS - 1)) {
			sl = &ao_slots[k];
			if (!sl->used) {
				*sl = (struct ao_slot){it->a, it->skip, it->fam, 1, it->quiet, 0};
				ao_order[n_groups++] = (uint16_t)k;
				break;
			}
			if (sl->a == it->a && sl->skip == it->skip && sl->fam == it->fam &&
			    sl->quiet == it->quiet)
				break;
		}
		sl->count++;
		ao_slot_of[i] = (uint16_t)k;
	}
	uint32_t pos = 0;
	for (size_t g = 0; g < n_groups; g++) {
		struct ao_slot *sl = &ao_slots[ao_order[g]];
		uint32_t c = sl->count;
		sl->count = pos;
		pos += c;
	}
	for (size_t i = 0; i < ao->n_items; i++)
		ao_sorted[ao_slots[ao_slot_of[i]].count++] = ao->items[i];
	memcpy(ao->items, ao_sorted, ao->n_items * sizeof *ao->items);
	for (size_t g = 0; g < n_groups; g++)
		ao_slots[ao_order[g]].used = 0;
}

static struct rde_peer *
member_by_id(const struct adjout *ao, uint16_t id)
{
	for (size_t i = 0; i < ao->n_members; i++)
		if (ao->members[i]->id == id)
			return ao->members[i];
	return NULL;
}

static size_t
queued(const struct rde_peer *rp)
{
	return bgp_peer_send_queued(rp->bp);
}

/* May the group write a message now? Some member has room and none lags too far. */
static bool
group_can_write(const struct adjout *ao)
{
	bool room = false;
	for (size_t i = 0; i < ao->n_members; i++) {
		size_t q = queued(ao->members[i]);
		if (q >= BGP_OUT_LAG)
			return false;
		if (q < BGP_OUT_HIGH)
			room = true;
	}
	return room;
}

/* Writes one message to every member but 'skip'. */
static void
group_send(struct adjout *ao, const uint8_t *msg, size_t len, const struct rde_peer *skip)
{
	for (size_t i = 0; i < ao->n_members; i++)
		if (ao->members[i] != skip)
			bgp_peer_send(ao->members[i]->bp, msg, len);
}

static int
ub_start(struct adjout *ao, struct bgp_upd_builder *b, const struct ao_item *it, bool withdraw)
{
	if (withdraw || it->a == NULL)
		return bgp_ub_withdraw(b, ao_buf, &ao->key.enc, (enum bgp_fam)it->fam);
	return bgp_ub_announce(b, ao_buf, &ao->key.enc, (enum bgp_fam)it->fam, it->a);
}

/* The run of items sharing (family, attribute set, skip) that starts at ao->run. */
static void
run_begin(struct adjout *ao)
{
	size_t e = ao->run + 1;
	const struct ao_item *a = &ao->items[ao->run];
	while (e < ao->n_items && ao->items[e].fam == a->fam && ao->items[e].a == a->a &&
	       ao->items[e].skip == a->skip && ao->items[e].quiet == a->quiet)
		e++;
	ao->run_end = e;
	ao->next = ao->run;
	ao->skip_phase = false;
}

static void
run_next(struct adjout *ao)
{
	ao->run = ao->run_end;
	if (ao->run < ao->n_items)
		run_begin(ao);
}

/*
 * Packs and writes the next message of the batch. False when it must wait for room. The
 * batch is freed once sent. A run is sent to every member but its split-horizon member, which
 * then gets the run's prefixes withdrawn.
 */
/* Per member: what one UPDATE written to the group (all but skip) carried. */
static void
count_sent(struct adjout *ao, const struct rde_peer *skip, uint8_t fam, bool withdraw, size_t count)
{
	for (size_t i = 0; i < ao->n_members; i++) {
		struct rde_peer *m = ao->members[i];
		if (m == skip)
			continue;
		if (withdraw)
			m->wdr_sent[fam] += count;
		else
			m->pfx_sent[fam] += count;
	}
}

static bool
emit_step(struct adjout *ao)
{
	while (ao->run < ao->n_items) {
		const struct ao_item *first = &ao->items[ao->run];
		struct rde_peer *skip = first->skip ? member_by_id(ao, first->skip) : NULL;
		if (!ao->skip_phase && skip != NULL && ao->n_members == 1) {
			ao->skip_phase = true; /* nobody but the source: withdrawals only */
			ao->next = ao->run;
		}
		if (ao->skip_phase && (skip == NULL || first->quiet)) {
			run_next(ao);
			continue;
		}
		if (ao->skip_phase ? queued(skip) >= BGP_OUT_LAG : !group_can_write(ao))
			return false;
		bool withdraw = ao->skip_phase || first->a == NULL;
		struct bgp_upd_builder b;
		size_t n = 0;
		if (ub_start(ao, &b, first, ao->skip_phase) == 0)
			while (ao->next + n < ao->run_end &&
			       bgp_ub_add(&b, &ao->items[ao->next + n].p) == 0)
				n++;
		if (n == 0) {
			char buf[PREFIX_STRLEN];
			log_warn("%s: attributes of %s do not fit a message; not sent",
				 bgp_peer_name(ao->members[0]->bp),
				 prefix_fmt(&ao->items[ao->next].p, buf));
			n = ao->run_end - ao->next; /* the rest of the run cannot fit either */
		} else {
			size_t len = bgp_ub_finish(&b);
			if (ao->skip_phase) {
				bgp_peer_send(skip->bp, ao_buf, len);
				skip->wdr_sent[first->fam] += b.count;
			} else {
				group_send(ao, ao_buf, len, skip);
				count_sent(ao, skip, first->fam, withdraw, b.count);
				ao->r->stats.updates_out++;
				if (withdraw)
					ao->r->stats.withdraws_out += b.count;
				else
					ao->r->stats.prefixes_out += b.count;
			}
		}
		ao->next += n;
		if (ao->next < ao->run_end)
			return true;
		if (!ao->skip_phase && skip != NULL) {
			ao->skip_phase = true;
			ao->next = ao->run;
		} else {
			run_next(ao);
			if (ao->run >= ao->n_items)
				items_free(ao); /* the batch is sent */
		}
		return true;
	}
	items_free(ao);
	return true;
}

/* Fills a new batch with what the reader yields. */
static size_t
collect(struct adjout *ao, size_t max)
{
	size_t used = 0;
	if (ao->items == NULL)
		ao->items = xmalloc(AO_ITEMS_MAX * sizeof *ao->items);
	struct rib *rib = ao->r->rib;
	for (int s = 0; s < BGP_FAM_N && ao->rd != NULL; s++) {
		struct radix_node *nodes[AO_PREFETCH];
		bool current[AO_PREFETCH];
		size_t k = AO_PREFETCH;
		while (k == AO_PREFETCH && used < max && ao->n_items < AO_BATCH) {
			/* A handful of nodes first, their paths and attribute sets fetched
			 * together: a walk visits them in tree order, all over memory. */
			for (k = 0; k < AO_PREFETCH && used < max; k++) {
				size_t budget = max - used, before = budget;
				nodes[k] = rib_reader_next(rib, ao->rd, (enum bgp_fam)s, &budget);
				used += before - budget;
				if (nodes[k] == NULL)
					break;
				current[k] = rib_reader_last_current(ao->rd, (enum bgp_fam)s);
				__builtin_prefetch(radix_value(nodes[k]));
			}
			for (size_t i = 0; i < k; i++)
				if (rib_best(nodes[i]) != NULL)
					__builtin_prefetch(rib_best(nodes[i])->attrs);
			for (size_t i = 0; i < k; i++) {
				ao->node_current = current[i];
				node_export(ao, (enum bgp_fam)s, nodes[i]);
			}
		}
	}
	if (ao->n_items == 0) {
		free(ao->items);
		ao->items = NULL;
		return used;
	}
	group_items(ao);
	ao->run = 0;
	run_begin(ao);
	return used;
}

/* Writes a small control message (End-of-RIB, BoRR, EoRR) when the group may write. */
static bool
send_small(struct adjout *ao, size_t len)
{
	if (len == 0 || !group_can_write(ao))
		return false;
	group_send(ao, ao_buf, len, NULL);
	return true;
}

static bool
walking(const struct adjout *ao, enum bgp_fam f)
{
	return ao->rd != NULL && rib_reader_walking(ao->rd, f);
}

static void
send_eors(struct adjout *ao)
{
	for (int f = 0; f < BGP_FAM_N; f++) {
		if (!(ao->eorr_pending & BGP_FAM_BIT(f)) || walking(ao, BGP_FAM_V4) ||
		    (f == BGP_FAM_V6 && walking(ao, BGP_FAM_V6)) || ao->n_items > 0)
			continue;
		struct bgp_rrefresh rr = {bgp_fam_afi((enum bgp_fam)f), BGP_RR_EORR,
					  BGP_SAFI_UNICAST};
		if (!send_small(ao, bgp_rrefresh_encode(ao_buf, sizeof ao_buf, &rr)))
			return;
		ao->eorr_pending &= (uint8_t)~BGP_FAM_BIT(f);
	}
	for (int f = 0; f < BGP_FAM_N; f++) {
		if (!(ao->key.fams & BGP_FAM_BIT(f)) || (ao->eor_sent & BGP_FAM_BIT(f)))
			continue;
		/* RFC 4724: an End-of-RIB for every negotiated family, also those we send nothing
		 * of (a restarting peer waits for it). */
		bool exported = (ao->key.targets & BGP_FAM_BIT(f)) != 0;
		if (exported && (walking(ao, BGP_FAM_V4) || ao->n_items > 0))
			continue;
		if (exported && f == BGP_FAM_V6) {
			/* Only when every IPv4 source finished its table (or eor-wait ran out),
			 * so a restarting peer does not flush translations still coming. */
			if (walking(ao, BGP_FAM_V6) || !rde_v4_sources_done(ao->r))
				continue;
		}
		if (!send_small(ao, bgp_eor_encode(ao_buf, sizeof ao_buf, (enum bgp_fam)f)))
			return;
		ao->eor_sent |= (uint8_t)BGP_FAM_BIT(f);
		for (size_t i = 0; i < ao->n_members; i++)
			log_info("%s: End-of-RIB sent for %s", bgp_peer_name(ao->members[i]->bp),
				 bgp_fam_name((enum bgp_fam)f));
	}
}

void
adjout_refresh(struct adjout *ao, enum bgp_fam f, bool enhanced)
{
	/* A re-sent table is no initial table: no second End-of-RIB (RFC 7313 1). */
	if (ao->rd == NULL || !(ao->key.targets & BGP_FAM_BIT(f)))
		return;
	uint8_t fams = BGP_FAM_BIT(BGP_FAM_V4);
	if (f == BGP_FAM_V6)
		fams |= BGP_FAM_BIT(BGP_FAM_V6);
	rib_reader_refeed(ao->r->rib, ao->rd, fams);
	if (enhanced) /* BoRR goes out after the batch being sent, before the walk's routes */
		ao->borr_pending |= (uint8_t)BGP_FAM_BIT(f);
}

/* The BoRRs due before the next batch; false when the group cannot write now. */
static bool
send_borrs(struct adjout *ao)
{
	for (int f = 0; f < BGP_FAM_N; f++) {
		if (!(ao->borr_pending & BGP_FAM_BIT(f)))
			continue;
		struct bgp_rrefresh rr = {bgp_fam_afi((enum bgp_fam)f), BGP_RR_BORR,
					  BGP_SAFI_UNICAST};
		if (!send_small(ao, bgp_rrefresh_encode(ao_buf, sizeof ao_buf, &rr)))
			return false;
		ao->borr_pending &= (uint8_t)~BGP_FAM_BIT(f);
		ao->eorr_pending |= (uint8_t)BGP_FAM_BIT(f);
	}
	return true;
}

struct adjout *
adjout_split_member(struct rde_peer *rp)
{
	struct adjout *ao = rp->ao;
	if (ao == NULL || ao->n_members == 1)
		return ao;
	return split(ao, &rp, 1);
}

static bool
work_left(const struct adjout *ao)
{
	return ao->n_items > 0 || ao->borr_pending != 0 ||
	       (ao->rd != NULL && rib_reader_pending(ao->r->rib, ao->rd));
}

/* Members BGP_OUT_LAG behind while others have room leave for a group of their own. */
static bool
split_laggers(struct adjout *ao)
{
	if (ao->n_members < 2)
		return false;
	size_t n_lag = 0, n_room = 0;
	for (size_t i = 0; i < ao->n_members; i++) {
		size_t q = queued(ao->members[i]);
		if (q >= BGP_OUT_LAG)
			n_lag++;
		else if (q < BGP_OUT_HIGH)
			n_room++;
	}
	if (n_lag == 0 || n_room == 0)
		return false;
	struct rde_peer **lag = xmalloc(n_lag * sizeof *lag);
	size_t k = 0;
	for (size_t i = 0; i < ao->n_members; i++)
		if (queued(ao->members[i]) >= BGP_OUT_LAG)
			lag[k++] = ao->members[i];
	split(ao, lag, k);
	for (size_t i = 0; i < k; i++)
		log_info("%s: falls behind its update group of %zu peers; continues alone",
			 bgp_peer_name(lag[i]->bp), ao->n_members + k);
	free(lag);
	return true;
}

bool
adjout_pump(struct adjout *ao, size_t budget)
{
	while (budget > 0) {
		if (!group_can_write(ao)) {
			if (split_laggers(ao))
				continue;
			return false; /* resumed by 'writable' */
		}
		if (ao->n_items > 0) {
			emit_step(ao);
			continue;
		}
		if (!send_borrs(ao))
			continue;
		if (!work_left(ao))
			break;
		size_t max = budget < AO_BATCH ? budget : AO_BATCH;
		size_t used = collect(ao, max);
		budget -= used < budget ? used : budget;
		if (used == 0 && ao->n_items == 0)
			break;
	}
	if (ao->n_items == 0)
		send_eors(ao);
	return work_left(ao) && group_can_write(ao);
}

/* Nothing left to send: the group's peers hold everything it has read. */
static bool
idle(const struct adjout *ao)
{
	return !work_left(ao);
}

static bool
mergeable(const struct adjout *g, const struct adjout *h)
{
	if (g->eor_sent != h->eor_sent || g->eorr_pending != h->eorr_pending ||
	    g->borr_pending != h->borr_pending || memcmp(&g->key, &h->key, sizeof g->key) != 0)
		return false;
	if (g->rd == NULL || h->rd == NULL)
		return g->rd == h->rd;
	return rib_reader_same(g->r->rib, g->rd, h->rd);
}

void
adjout_merge_groups(struct rde *r)
{
	for (struct adjout *g = r->groups; g != NULL; g = g->next_group) {
		if (!idle(g))
			continue;
		for (struct adjout *h = g->next_group, *hn; h != NULL; h = hn) {
			hn = h->next_group;
			if (!idle(h) || !mergeable(g, h))
				continue;
			/* h joins g: both have sent everything they read, and read the same, so
			 * the members of h hold what g's members hold. */
			for (size_t left = h->n_members; left > 0; left--) {
				struct rde_peer *rp = h->members[left - 1];
				adjout_leave(rp); /* frees h with its last member */
				member_add(g, rp);
				log_info("%s: joins an update group of %zu peers",
					 bgp_peer_name(rp->bp), g->n_members);
			}
		}
	}
}

/*
 * A reload changed export policies (members' rde_peer.exp already point into the new config).
 * A member whose policy for a family changed in content leaves its group (in the same state)
 * for a group keyed on the new policy, which re-reads that family's table: every prefix is
 * decided again and what the new policy rejects is withdrawn. Groups whose policies did not
 * change only take the new config's pointers. The re-read groups join equal groups again once
 * they caught up.
 */
void
adjout_policy_reload(struct rde *r)
{
	for (struct adjout *g = r->groups; g != NULL; g = g->next_group) {
		for (size_t i = g->n_members; i > 0; i--) {
			struct rde_peer *rp = g->members[i - 1];
			uint8_t changed = 0;
			for (int f = 0; f < BGP_FAM_N; f++) {
				uint64_t h = rp->exp[f] != NULL ? rp->exp[f]->hash : 0;
				if (h != g->key.exp_hash[f])
					changed |= (uint8_t)BGP_FAM_BIT(f);
			}
			if (changed == 0)
				continue;
			struct adjout *ng = adjout_split_member(rp);
			for (int f = 0; f < BGP_FAM_N; f++) {
				ng->key.exp_hash[f] = rp->exp[f] != NULL ? rp->exp[f]->hash : 0;
				ng->exp[f] = rp->exp[f];
			}
			adjout_flush_cache(ng);
			for (int f = 0; f < BGP_FAM_N; f++)
				if (changed & BGP_FAM_BIT(f))
					adjout_refresh(ng, (enum bgp_fam)f, false);
			log_info("%s: export policy changed: %s%s%s table re-sent",
				 bgp_peer_name(rp->bp), (changed & 1) ? "IPv4" : "",
				 changed == 3 ? " and " : "", (changed & 2) ? "IPv6" : "");
		}
		if (g->n_members > 0)
			memcpy(g->exp, g->members[0]->exp, sizeof g->exp);
	}
}
