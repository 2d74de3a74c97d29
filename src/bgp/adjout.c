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
 *   IPv6 target: IPv4 best paths translated (rde_translate) - originated by bgp64d, so with
 *                no ORIGINATOR_ID/CLUSTER_LIST and no split horizon, the border gets its own
 *                routes back translated - and native IPv6 best paths reflected. When both exist
 *                for one IPv6 prefix the decision process (rib_path_cmp) picks one.
 * Withdrawals are sent for every dirty prefix that has nothing to export (a withdrawal of a
 * prefix the peer never had is harmless), so no per-peer state is needed to know what was sent.
 *
 * Update groups: peers with the same export policy (struct ao_key) share one adj-out, so each
 * change is derived, grouped and packed once and the same bytes are written to every member.
 * A peer starts in a group of its own (its initial table is its own walk) and joins an equal
 * group when both are idle - everything current sent to each - so they are in the same state.
 * The group writes only when every member's socket has room (the slowest member paces it).
 * Split horizon inside a group: a reflected route goes to the members other than the one it
 * came from, which gets a withdrawal of the prefix instead. A member asking for a route
 * refresh leaves its group and starts over alone.
 */
#include "bgp/rde_impl.h"

#include <stdlib.h>
#include <string.h>

#include "bgp/update.h"
#include "lib/log.h"
#include "lib/pool.h"

#define AO_BATCH   4096
#define AO_CACHE_N 512

enum ao_kind { AO_REFLECT, AO_XLAT, AO_EXTNH };

struct ao_item {
	struct attrs *a; /* NULL = withdraw; else a reference */
	struct prefix p;
	uint8_t fam;
	uint16_t skip; /* member that must not get it (split horizon), 0 = none */
};

/* Everything that makes two peers' exports identical. */
struct ao_key {
	uint8_t targets, fams;
	bool ebgp, extnh, rr_client, copy_unknown, allow_wkp;
	bool self4_ok, self6_ok, ll_ok;
	uint8_t self4[4], self6[16], ll[16];
	struct bgp_enc_ctx enc;
};

struct ao_cache {
	struct attrs *src; /* referenced, so its address cannot be reused while cached */
	struct attrs *out; /* referenced; NULL = "do not export" */
	uint16_t peer;
	uint8_t kind;
	uint8_t nh[16];
};

struct ao_walk {
	bool needed, started, done;
	struct prefix last;
};

struct adjout {
	struct rde *r;
	struct rde_peer **members;
	size_t n_members, cap_members;
	struct adjout *next_group; /* the engine's list of groups */
	int exp;
	struct ao_key key;
	struct ao_walk walk[BGP_FAM_N]; /* by source tree */
	uint8_t eor_sent;
	uint8_t eorr_pending; /* families whose refresh ends with an EoRR (RFC 7313) */
	struct prefix *wd;    /* explicit withdrawals (reload) */
	uint8_t *wd_fam;
	size_t n_wd, cap_wd;
	struct ao_cache cache[AO_CACHE_N];
	struct ao_item items[AO_BATCH + 1 + RDE_XROUTES_MAX];
	size_t n_items;
	uint8_t buf[BGP_MAX_EXT_MSG];
	uint8_t buf2[BGP_MAX_EXT_MSG]; /* split-horizon withdrawals */
};

static void
member_add(struct adjout *ao, struct rde_peer *rp)
{
	if (ao->n_members == ao->cap_members) {
		ao->cap_members = ao->cap_members ? ao->cap_members * 2 : 4;
		ao->members = xrealloc(ao->members, ao->cap_members * sizeof *ao->members);
	}
	ao->members[ao->n_members++] = rp;
	rp->ao = ao;
}

struct adjout *
adjout_new(struct rde *r, struct rde_peer *rp)
{
	struct adjout *ao = xcalloc(1, sizeof *ao); /* zeroed: the key compares with memcmp */
	struct ao_key *k = &ao->key;
	const struct cfg_neighbor *cn = bgp_peer_cfg(rp->bp);
	const struct bgp_neg *neg = bgp_peer_neg(rp->bp);
	ao->r = r;
	ao->exp = -1;
	if (cn->fam[BGP_FAM_V4].export || cn->fam[BGP_FAM_V6].export) {
		ao->exp = rib_export_add(r->rib);
		if (ao->exp < 0)
			log_err("%s: too many export groups (max %d), not exporting to it",
				bgp_peer_name(rp->bp), RIB_MAX_EXPORTS);
	}
	for (int f = 0; f < BGP_FAM_N && ao->exp >= 0; f++) /* else End-of-RIBs only */
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
	ao->walk[BGP_FAM_V4].needed = k->targets != 0;
	ao->walk[BGP_FAM_V6].needed = (k->targets & BGP_FAM_BIT(BGP_FAM_V6)) != 0;
	for (int f = 0; f < BGP_FAM_N; f++)
		ao->walk[f].done = !ao->walk[f].needed;
	member_add(ao, rp);
	ao->next_group = r->groups;
	r->groups = ao;
	return ao;
}

static void
group_free(struct adjout *ao)
{
	struct adjout **pp = &ao->r->groups;
	while (*pp != NULL && *pp != ao)
		pp = &(*pp)->next_group;
	if (*pp == ao)
		*pp = ao->next_group;
	if (ao->exp >= 0)
		rib_export_del(ao->r->rib, ao->exp);
	adjout_flush_cache(ao);
	free(ao->members);
	free(ao->wd);
	free(ao->wd_fam);
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
			ao->members[i] = ao->members[--ao->n_members];
			break;
		}
	if (ao->n_members == 0)
		group_free(ao);
}

struct adjout *
adjout_next(const struct adjout *ao)
{
	return ao->next_group;
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
}

void
adjout_withdraw(struct adjout *ao, enum bgp_fam f, const struct prefix *p)
{
	if (ao->n_wd == ao->cap_wd) {
		ao->cap_wd = ao->cap_wd ? ao->cap_wd * 2 : 256;
		ao->wd = xrealloc(ao->wd, ao->cap_wd * sizeof *ao->wd);
		ao->wd_fam = xrealloc(ao->wd_fam, ao->cap_wd);
	}
	ao->wd[ao->n_wd] = *p;
	ao->wd_fam[ao->n_wd++] = (uint8_t)f;
}

/* ---- export attribute sets ---- */

static bool
has_no_advertise(const struct attrs *a, bool ebgp)
{
	if (attr_has_community(a, 0xFFFFFF02)) /* NO_ADVERTISE */
		return true;
	/* NO_EXPORT, NO_EXPORT_SUBCONFED: not beyond the AS */
	return ebgp && (attr_has_community(a, 0xFFFFFF01) || attr_has_community(a, 0xFFFFFF03));
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
      enum bgp_fam fam)
{
	const struct rde *r = ao->r;
	struct attrs t;
	struct attr_blob *tmp[4];
	size_t ntmp = 0;
	attr_copy(&t, best->attrs);
	if (kind == AO_XLAT) {
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
	struct attrs *out = attr_intern(&t);
	for (size_t i = 0; i < ntmp; i++)
		attr_blob_unref(tmp[i]);
	return out;
}

/* Cached build(): a full table has few attribute sets, and prefixes sharing one arrive
 * together, so most exports are a cache hit. Returns a new reference or NULL. */
static struct attrs *
export_attrs(struct adjout *ao, const struct rib_path *best, enum ao_kind kind, const uint8_t *nh6,
	     enum bgp_fam fam)
{
	uintptr_t h = (uintptr_t)best->attrs >> 4;
	h ^= (uintptr_t)best->peer * 0x9e3779b1u ^ (uintptr_t)kind * 0x85ebca6bu;
	if (nh6 != NULL)
		for (int i = 12; i < 16; i++)
			h = h * 31 + nh6[i];
	struct ao_cache *c = &ao->cache[h % AO_CACHE_N];
	if (c->src == best->attrs && c->peer == best->peer && c->kind == kind &&
	    (nh6 == NULL || memcmp(c->nh, nh6, 16) == 0))
		return c->out ? attr_ref(c->out) : NULL;
	struct attrs *out = build(ao, best, kind, nh6, fam);
	if (c->src != NULL)
		attr_unref(c->src);
	if (c->out != NULL)
		attr_unref(c->out);
	c->src = attr_ref(best->attrs);
	c->out = out ? attr_ref(out) : NULL;
	c->peer = best->peer;
	c->kind = (uint8_t)kind;
	if (nh6 != NULL)
		memcpy(c->nh, nh6, 16);
	else
		memset(c->nh, 0, 16);
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

static void
node_v4_to_v4(struct adjout *ao, const struct prefix *p, const struct rib_path *best)
{
	struct attrs *a = NULL;
	if (best != NULL && may_reflect(ao, best)) {
		if (ao->key.extnh) {
			struct xlat_nh nh;
			enum rde_nh_source src;
			if (rde_nexthop6(ao->r, best, &nh, &src))
				a = export_attrs(ao, best, AO_EXTNH, nh.v6, BGP_FAM_V4);
		} else {
			a = export_attrs(ao, best, AO_REFLECT, NULL, BGP_FAM_V4);
		}
	}
	item_add(ao, BGP_FAM_V4, p, a, best != NULL ? best->peer : 0);
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
			ao->r->stats.wkp_specifics_blocked++;
			if (!ao->r->logged_wkp_blocked) {
				char buf[PREFIX_STRLEN];
				ao->r->logged_wkp_blocked = true;
				log_warn(
				    "%s: not sending more-specifics of the well-known prefix to "
				    "eBGP (RFC 6052 3.1), e.g. %s; set allow-wkp-specifics to "
				    "send them (logged once)",
				    bgp_peer_name(ao->members[0]->bp), prefix_fmt(&xr->v6, buf));
			}
		} else {
			a = export_attrs(ao, best, AO_XLAT, xr->nh.v6, BGP_FAM_V6);
		}
	}
	item_add(ao, BGP_FAM_V6, &xr->v6, a, 0); /* originated by us: no split horizon */
}

static void
node_v4_to_v6(struct adjout *ao, const struct prefix *p, const struct rib_path *best)
{
	struct rde_xroute xr[RDE_XROUTES_MAX];
	int n = rde_translate(ao->r, p, best, xr, RDE_XROUTES_MAX, NULL);
	for (int i = 0; i < n; i++) {
		const struct rib_path *nat = native6(ao, &xr[i].v6);
		/* A native IPv6 path for the same prefix: the IPv6 node's export decides. */
		if (nat != NULL)
			continue;
		emit_xlat(ao, &xr[i], best);
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
	if (xlat_unmap_prefix(ao->r->cfg->xlat, p, &v4, &rule) == 0) {
		struct radix_node *vn = radix_find(rib_tree(ao->r->rib, BGP_FAM_V4), v4.a, v4.len);
		xbest = vn != NULL ? rib_best(vn) : NULL;
		int n = xbest ? rde_translate(ao->r, &v4, xbest, xr, RDE_XROUTES_MAX, NULL) : 0;
		for (int i = 0; i < n; i++)
			if (prefix_eq(&xr[i].v6, p) && xr[i].has_nh)
				xi = i;
	}
	if (xi >= 0 && (best == NULL || rib_path_cmp(ao->r->rib, xbest, best) < 0)) {
		emit_xlat(ao, &xr[xi], xbest);
		return;
	}
	struct attrs *a = NULL;
	if (best != NULL && may_reflect(ao, best))
		a = export_attrs(ao, best, AO_REFLECT, NULL, BGP_FAM_V6);
	item_add(ao, BGP_FAM_V6, p, a, best != NULL ? best->peer : 0);
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
			node_v4_to_v6(ao, &p, best);
	} else if (ao->key.targets & BGP_FAM_BIT(BGP_FAM_V6)) {
		node_v6(ao, &p, best);
	}
}

/* ---- batches ---- */

static int
item_cmp(const void *x, const void *y)
{
	const struct ao_item *a = x, *b = y;
	if (a->fam != b->fam)
		return a->fam < b->fam ? -1 : 1;
	if (a->a != b->a)
		return (uintptr_t)a->a < (uintptr_t)b->a ? -1 : 1; /* withdrawals (NULL) first */
	if (a->skip != b->skip)
		return a->skip < b->skip ? -1 : 1;
	return prefix_cmp(&a->p, &b->p);
}

static struct rde_peer *
member_by_id(const struct adjout *ao, uint16_t id)
{
	for (size_t i = 0; i < ao->n_members; i++)
		if (ao->members[i]->id == id)
			return ao->members[i];
	return NULL;
}

/* Writes one message to every member but 'skip'. */
static void
group_send(struct adjout *ao, const uint8_t *msg, size_t len, const struct rde_peer *skip)
{
	for (size_t i = 0; i < ao->n_members; i++)
		if (ao->members[i] != skip)
			bgp_peer_send(ao->members[i]->bp, msg, len);
}

static void
send_msg(struct adjout *ao, struct bgp_upd_builder *b, bool withdraw, const struct rde_peer *skip)
{
	size_t len = bgp_ub_finish(b);
	if (len == 0)
		return;
	group_send(ao, ao->buf, len, skip);
	ao->r->stats.updates_out++;
	if (withdraw)
		ao->r->stats.withdraws_out += b->count;
	else
		ao->r->stats.prefixes_out += b->count;
}

static int
ub_start(struct adjout *ao, struct bgp_upd_builder *b, const struct ao_item *it)
{
	if (it->a == NULL)
		return bgp_ub_withdraw(b, ao->buf, &ao->key.enc, (enum bgp_fam)it->fam);
	return bgp_ub_announce(b, ao->buf, &ao->key.enc, (enum bgp_fam)it->fam, it->a);
}

/* Split horizon: the member a run of reflected routes came from gets them withdrawn. */
static void
send_skip_withdrawals(struct adjout *ao, const struct ao_item *run, size_t n, struct rde_peer *skip)
{
	struct bgp_upd_builder b;
	if (bgp_ub_withdraw(&b, ao->buf2, &ao->key.enc, (enum bgp_fam)run[0].fam) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		if (bgp_ub_add(&b, &run[i].p) == 0)
			continue;
		size_t len = bgp_ub_finish(&b);
		if (len > 0)
			bgp_peer_send(skip->bp, ao->buf2, len);
		if (bgp_ub_withdraw(&b, ao->buf2, &ao->key.enc, (enum bgp_fam)run[0].fam) < 0 ||
		    bgp_ub_add(&b, &run[i].p) < 0)
			return;
	}
	size_t len = bgp_ub_finish(&b);
	if (len > 0)
		bgp_peer_send(skip->bp, ao->buf2, len);
}

/* Packs one run of items sharing (family, attribute set, skip). */
static void
emit_run(struct adjout *ao, const struct ao_item *run, size_t n)
{
	struct rde_peer *skip = run[0].skip ? member_by_id(ao, run[0].skip) : NULL;
	bool withdraw = run[0].a == NULL;
	struct bgp_upd_builder b;
	if (skip == NULL || ao->n_members > 1) {
		if (ub_start(ao, &b, &run[0]) < 0) {
			char buf[PREFIX_STRLEN];
			log_warn("%s: attributes of %s do not fit a message; not sent",
				 bgp_peer_name(ao->members[0]->bp), prefix_fmt(&run[0].p, buf));
			return;
		}
		for (size_t i = 0; i < n; i++) {
			if (bgp_ub_add(&b, &run[i].p) == 0)
				continue;
			send_msg(ao, &b, withdraw, skip);
			if (ub_start(ao, &b, &run[i]) < 0 || bgp_ub_add(&b, &run[i].p) < 0)
				return;
		}
		send_msg(ao, &b, withdraw, skip);
	}
	if (skip != NULL)
		send_skip_withdrawals(ao, run, n, skip);
}

/* Packs the batch: one run of UPDATEs per (family, attribute set, split-horizon member). */
static void
emit_batch(struct adjout *ao)
{
	qsort(ao->items, ao->n_items, sizeof ao->items[0], item_cmp);
	size_t start = 0;
	for (size_t i = 1; i <= ao->n_items; i++) {
		const struct ao_item *a = &ao->items[start], *b = &ao->items[i];
		if (i < ao->n_items && a->fam == b->fam && a->a == b->a && a->skip == b->skip)
			continue;
		emit_run(ao, a, i - start);
		start = i;
	}
	for (size_t i = 0; i < ao->n_items; i++)
		if (ao->items[i].a != NULL)
			attr_unref(ao->items[i].a);
	ao->n_items = 0;
}

/* True when the node lies beyond the initial walk of its tree (the walk will send it). */
static bool
beyond_walk(const struct adjout *ao, enum bgp_fam src, const struct radix_node *n)
{
	const struct ao_walk *w = &ao->walk[src];
	if (w->done)
		return false;
	if (!w->started)
		return true;
	struct prefix p;
	radix_prefix(rib_tree(ao->r->rib, src), n, &p);
	return prefix_cmp(&p, &w->last) > 0;
}

/* Room for one more node's items (at most one IPv4 and RDE_XROUTES_MAX IPv6 each)? */
static bool
room(const struct adjout *ao, size_t used, size_t max)
{
	return used < max && ao->n_items < AO_BATCH;
}

/* Fills the batch: explicit withdrawals, then dirty prefixes, then the initial walk. */
static size_t
collect(struct adjout *ao, size_t max)
{
	size_t used = 0;
	while (ao->n_wd > 0 && room(ao, used, max)) {
		ao->n_wd--;
		item_add(ao, (enum bgp_fam)ao->wd_fam[ao->n_wd], &ao->wd[ao->n_wd], NULL, 0);
		used++;
	}
	struct rib *rib = ao->r->rib;
	for (int s = 0; s < BGP_FAM_N && ao->exp >= 0; s++) {
		struct radix_node *n;
		while (room(ao, used, max) &&
		       (n = rib_dirty_pop(rib, ao->exp, (enum bgp_fam)s)) != NULL) {
			used++;
			if (!ao->walk[s].needed || beyond_walk(ao, (enum bgp_fam)s, n))
				continue;
			node_export(ao, (enum bgp_fam)s, n);
		}
	}
	for (int s = 0; s < BGP_FAM_N && room(ao, used, max); s++) {
		struct ao_walk *w = &ao->walk[s];
		if (w->done)
			continue;
		struct radix *t = rib_tree(rib, (enum bgp_fam)s);
		struct radix_node *n =
		    w->started ? radix_next_after(t, w->last.a, w->last.len) : radix_first(t);
		w->started = true;
		for (; n != NULL && room(ao, used, max); n = radix_next(t, n)) {
			radix_prefix(t, n, &w->last);
			if (rib_best(n) != NULL)
				node_export(ao, (enum bgp_fam)s, n);
			used++;
		}
		if (n == NULL)
			w->done = true;
	}
	return used;
}

uint8_t
adjout_eor_sent(const struct adjout *ao)
{
	return ao->eor_sent;
}

void
adjout_refresh(struct adjout *ao, enum bgp_fam f, bool enhanced, uint8_t eor_sent)
{
	/* A re-sent table is no initial table: no second End-of-RIB for the families that
	 * had theirs (RFC 7313 1). */
	ao->eor_sent = eor_sent;
	if (!enhanced || !(ao->key.targets & BGP_FAM_BIT(f)))
		return;
	struct bgp_rrefresh rr = {bgp_fam_afi(f), BGP_RR_BORR, BGP_SAFI_UNICAST};
	size_t len = bgp_rrefresh_encode(ao->buf, sizeof ao->buf, &rr);
	if (len > 0) {
		group_send(ao, ao->buf, len, NULL);
		ao->eorr_pending |= (uint8_t)BGP_FAM_BIT(f);
	}
}

static void
send_eors(struct adjout *ao)
{
	for (int f = 0; f < BGP_FAM_N; f++) {
		if (!(ao->eorr_pending & BGP_FAM_BIT(f)) || !ao->walk[BGP_FAM_V4].done ||
		    (f == BGP_FAM_V6 && !ao->walk[BGP_FAM_V6].done))
			continue;
		struct bgp_rrefresh rr = {bgp_fam_afi((enum bgp_fam)f), BGP_RR_EORR,
					  BGP_SAFI_UNICAST};
		size_t len = bgp_rrefresh_encode(ao->buf, sizeof ao->buf, &rr);
		if (len > 0)
			group_send(ao, ao->buf, len, NULL);
		ao->eorr_pending &= (uint8_t)~BGP_FAM_BIT(f);
	}
	for (int f = 0; f < BGP_FAM_N; f++) {
		if (!(ao->key.fams & BGP_FAM_BIT(f)) || (ao->eor_sent & BGP_FAM_BIT(f)))
			continue;
		/* RFC 4724: an End-of-RIB for every negotiated family, also those we send nothing
		 * of (a restarting peer waits for it). */
		bool exported = (ao->key.targets & BGP_FAM_BIT(f)) != 0;
		if (exported && !ao->walk[BGP_FAM_V4].done)
			continue;
		if (exported && f == BGP_FAM_V6) {
			/* Only when every IPv4 source finished its table (or eor-wait ran out),
			 * so a restarting peer does not flush translations still coming. */
			if (!ao->walk[BGP_FAM_V6].done || !rde_v4_sources_done(ao->r))
				continue;
		}
		size_t len = bgp_eor_encode(ao->buf, sizeof ao->buf, (enum bgp_fam)f);
		if (len == 0)
			continue;
		group_send(ao, ao->buf, len, NULL);
		ao->eor_sent |= (uint8_t)BGP_FAM_BIT(f);
		for (size_t i = 0; i < ao->n_members; i++)
			log_info("%s: End-of-RIB sent for %s", bgp_peer_name(ao->members[i]->bp),
				 bgp_fam_name((enum bgp_fam)f));
	}
}

static bool
work_left(const struct adjout *ao)
{
	if (ao->n_wd > 0)
		return true;
	if (ao->exp < 0)
		return false;
	for (int s = 0; s < BGP_FAM_N; s++)
		if (!ao->walk[s].done || rib_dirty_count(ao->r->rib, ao->exp, (enum bgp_fam)s) > 0)
			return true;
	return false;
}

/* Bytes every member can still take: the group moves at the pace of the slowest. */
static size_t
group_room(const struct adjout *ao)
{
	size_t room = SIZE_MAX;
	for (size_t i = 0; i < ao->n_members; i++) {
		struct bgp_peer *bp = ao->members[i]->bp;
		size_t r = bgp_peer_state(bp) == BGP_ESTABLISHED ? bgp_peer_send_room(bp) : 0;
		if (r < room)
			room = r;
	}
	return ao->n_members > 0 ? room : 0;
}

bool
adjout_pump(struct adjout *ao, size_t budget)
{
	while (budget > 0 && group_room(ao) >= ao->key.enc.max_msg) {
		size_t max = budget < AO_BATCH ? budget : AO_BATCH;
		size_t used = collect(ao, max);
		if (ao->n_items > 0)
			emit_batch(ao);
		if (used == 0)
			break;
		budget -= used < budget ? used : budget;
	}
	if (group_room(ao) >= BGP_HDR_LEN + 16)
		send_eors(ao);
	return work_left(ao) && group_room(ao) >= ao->key.enc.max_msg;
}

/* Idle: everything current sent, End-of-RIBs included. */
static bool
idle(const struct adjout *ao)
{
	return !work_left(ao) && ao->eor_sent == ao->key.fams && ao->eorr_pending == 0;
}

void
adjout_merge_groups(struct rde *r)
{
	for (struct adjout *g = r->groups; g != NULL; g = g->next_group) {
		if (!idle(g))
			continue;
		for (struct adjout *h = g->next_group; h != NULL; h = h->next_group) {
			if (!idle(h) || memcmp(&g->key, &h->key, sizeof g->key) != 0)
				continue;
			/* h joins g: both have sent everything current, so the members of h
			 * hold what g's members hold. */
			for (size_t left = h->n_members; left > 0; left--) {
				struct rde_peer *rp = h->members[left - 1];
				adjout_leave(rp); /* frees h with its last member */
				member_add(g, rp);
				log_info("%s: joins an update group of %zu peers",
					 bgp_peer_name(rp->bp), g->n_members);
			}
			return; /* the list changed: merge more on the next pump */
		}
	}
}
