/*
 * Route engine (rde_xlat.c, rde_count.c, rde_reload.c) driven without sockets: an engine on a
 * config, peers added to its speaker (passive, never connected), paths put into its RIB, reloads
 * applied and the event loop run until the sliced jobs are done.
 *
 *   - the comparison of two derivations sees every field that reaches a peer or the kernel
 *     (next-hop device included, the RFC 8950 next hop of an untranslated prefix);
 *   - the untranslated-path counts stay equal to a recount from the RIB over announcements,
 *     withdrawals, reloads of the translation (also while the re-derivation walks, and a second
 *     reload in the middle), and the removal of a neighbor with ipv6-next-hop before its paths
 *     are flushed;
 *   - the re-derivation runs in slices and re-marks exactly the prefixes whose derivation
 *     changed, against every config whose routes may still be out there;
 *   - translatable-best: a prefix whose best path is untranslatable gets its IPv6 route from
 *     the best translatable path (the IPv4 best unchanged), a change of that other path
 *     re-marks the prefix, and with the switch off (or reloaded off) there is no route.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <event2/event.h>

#include "rde/rde_impl.h"
#include "config.h"

#define HDR "'router-id':'192.0.2.1','local-as':64500"
#define NBRS                                                                                       \
	"'neighbors':[{'address':'192.0.2.10','remote-as':64500,'passive':true,"                   \
	"'ipv6-next-hop':'2001:db8:a::1'},"                                                        \
	"{'address':'192.0.2.11','remote-as':64500,'passive':true}]"
#define NBR_B_ONLY  "'neighbors':[{'address':'192.0.2.11','remote-as':64500,'passive':true}]"
#define RULE_X(dev) "{'ipv4':'198.51.100.0/24','ipv6':'2001:db8:64::1'" dev "}"
#define XLAT(nh)    "'translation':{'prefix':'2001:db8:6464::/96','next-hops':[" nh "]}"

static struct cfg *
parse(const char *sq)
{
	char *s = strdup(sq), err[CFG_ERRLEN];
	assert_non_null(s);
	for (char *c = s; *c != '\0'; c++)
		if (*c == '\'')
			*c = '"';
	struct cfg *c = cfg_parse(s, strlen(s), "t.json", err, sizeof err);
	free(s);
	if (c == NULL)
		fail_msg("config refused: %s", err);
	return c;
}

struct eng {
	struct event_base *base;
	struct rde *r;
	struct rib_reader *rd; /* an export of our own, to see which prefixes were marked */
};

static void
add_peers(struct eng *e)
{
	const struct cfg *c = rde_cfg(e->r);
	for (size_t i = 0; i < c->n_neighbors; i++) {
		if (bgp_peer_by_addr(rde_speaker(e->r), c->neighbors[i].af, c->neighbors[i].addr))
			continue;
		struct bgp_peer *bp = bgp_peer_add(rde_speaker(e->r), &c->neighbors[i]);
		assert_non_null(bp);
		rde_peer_slot(e->r, bp);
		struct rib_peer pe = {0};
		pe.ibgp = true;
		pe.bgp_id = 0x0a000000u + bgp_peer_id(bp);
		pe.as = 64500;
		pe.af = AF_INET;
		memcpy(pe.addr, c->neighbors[i].addr, 4);
		rib_peer_set(rde_rib(e->r), bgp_peer_id(bp), &pe);
	}
}

static void
eng_new(struct eng *e, const char *sq)
{
	e->base = event_base_new();
	assert_non_null(e->base);
	e->r = rde_new(e->base, parse(sq));
	e->rd = rib_reader_new(rde_rib(e->r), BGP_FAM_BIT(BGP_FAM_V4)); /* freed with the RIB */
	add_peers(e);
}

static void
eng_free(struct eng *e)
{
	rde_free(e->r);
	event_base_free(e->base);
}

static uint16_t
peer_id(struct eng *e, const char *addr)
{
	uint8_t a[16] = {0};
	assert_int_equal(inet_pton(AF_INET, addr, a), 1);
	struct bgp_peer *bp = bgp_peer_by_addr(rde_speaker(e->r), AF_INET, a);
	assert_non_null(bp);
	return bgp_peer_id(bp);
}

static struct attrs *
attrs_nh(const char *nh, uint32_t lp)
{
	struct attrs t;
	memset(&t, 0, sizeof t);
	t.nh_len = 4;
	assert_int_equal(inet_pton(AF_INET, nh, t.nh), 1);
	t.flags |= ATTRS_LOCAL_PREF;
	t.local_pref = lp;
	return attr_intern(&t);
}

static struct prefix
v4(uint32_t i)
{
	/* 20.0.0.0/24, 20.0.1.0/24, ... */
	struct prefix p = {0};
	p.af = AF_INET;
	p.len = 24;
	p.a[0] = 20;
	p.a[1] = (uint8_t)(i >> 8);
	p.a[2] = (uint8_t)i;
	return p;
}

static void
announce(struct eng *e, uint16_t peer, uint32_t i, struct attrs *a)
{
	struct prefix p = v4(i);
	rib_update(rde_rib(e->r), BGP_FAM_V4, &p, peer, attr_ref(a));
}

static void
withdraw(struct eng *e, uint16_t peer, uint32_t i)
{
	struct prefix p = v4(i);
	rib_withdraw(rde_rib(e->r), BGP_FAM_V4, &p, peer);
}

/* Runs the loop until the RIB jobs and the re-derivation are done; the number of passes. */
static int
settle(struct eng *e)
{
	int passes = 0;
	while (e->r->reload != NULL || rib_jobs_pending(rde_rib(e->r))) {
		event_base_loop(e->base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		assert_true(++passes < 100000);
	}
	return passes;
}

static void
reload(struct eng *e, const char *sq)
{
	char err[256];
	assert_int_equal(rde_reload(e->r, parse(sq), err, sizeof err), 0);
	add_peers(e); /* rib_peer_set for the new ones, as rde_established would */
}

/* Drops the marks of our export (as if it had sent them); how many there were. */
static size_t
drain(struct eng *e)
{
	size_t n = 0, budget = SIZE_MAX;
	rib_maintain(rde_rib(e->r), 0);
	while (rib_reader_next(rde_rib(e->r), e->rd, BGP_FAM_V4, &budget) != NULL)
		n++;
	return n;
}

/* The untranslated best paths, counted afresh from the RIB under the running config. */
static uint64_t
recount(struct eng *e)
{
	struct radix *t = rib_tree(rde_rib(e->r), BGP_FAM_V4);
	uint64_t n = 0;
	for (struct radix_node *x = radix_first(t); x != NULL; x = radix_next(t, x)) {
		const struct rib_path *best = rib_best(x);
		struct xlat_nh nh;
		enum rde_nh_source src;
		if (best != NULL && best->attrs->nh_len == 4 &&
		    !rde_nexthop6(e->r, best, &nh, &src))
			n++;
	}
	return n;
}

struct walk {
	int n;
	uint64_t sum;
	char s[4][64];
};

static void
walk_one(const uint8_t a[4], uint64_t n, void *arg)
{
	struct walk *w = arg;
	char buf[INET_ADDRSTRLEN];
	if (w->n < 4)
		snprintf(w->s[w->n], sizeof w->s[0], "%s %llu",
			 inet_ntop(AF_INET, a, buf, sizeof buf), (unsigned long long)n);
	w->n++;
	w->sum += n;
}

/* The gauges agree with a recount, per next hop and in total. */
static uint64_t
check_counts(struct eng *e)
{
	struct walk w = {0};
	rde_unknown_walk(e->r, walk_one, &w);
	uint64_t n = recount(e);
	assert_int_equal(w.sum, n);
	assert_int_equal(rde_untranslated_paths(e->r), n);
	return n;
}

/* ---- the comparison of derivations ---- */

static void
test_deriv_same(void **state)
{
	(void)state;
	struct eng e;
	eng_new(&e, "{" HDR "," XLAT(RULE_X(",'device':'eth0'")) "," NBRS "}");
	struct cfg *same = parse("{" HDR "," XLAT(RULE_X(",'device':'eth0'")) "}");
	struct cfg *dev = parse("{" HDR "," XLAT(RULE_X(",'device':'eth1'")) "}");
	struct cfg *nh = parse("{" HDR ",'translation':{'prefix':'2001:db8:6464::/96','next-hops':"
			       "[{'ipv4':'198.51.100.0/24','ipv6':'2001:db8:64::2'}]}}");
	struct cfg *none = parse("{" HDR "," XLAT("") "}");
	struct cfg *wkp =
	    parse("{" HDR ",'translation':{'prefix':'64:ff9b::/96','next-hops':[" RULE_X(
		",'device':'eth0'") "]}}");
	struct cfg *wkp_dev =
	    parse("{" HDR ",'translation':{'prefix':'64:ff9b::/96','next-hops':[" RULE_X(
		",'device':'eth1'") "]}}");
	struct attrs *a = attrs_nh("198.51.100.7", 100);
	struct rib_path best = {.attrs = a, .peer = peer_id(&e, "192.0.2.11")};
	struct prefix p = v4(1);
	struct rde_deriv d0, d1;

	rde_derive(e.r, rde_cfg(e.r), &p, &best, &d0);
	assert_int_equal(d0.n, 1);
	assert_true(d0.has_nh);
	rde_derive(e.r, same, &p, &best, &d1);
	assert_true(rde_deriv_same(&d0, &d1));
	/* only the device differs: the kernel route changes */
	rde_derive(e.r, dev, &p, &best, &d1);
	assert_false(rde_deriv_same(&d0, &d1));
	rde_derive(e.r, nh, &p, &best, &d1);
	assert_false(rde_deriv_same(&d0, &d1));
	/* no next hop under reject: the route is withdrawn */
	rde_derive(e.r, none, &p, &best, &d1);
	assert_int_equal(d1.n, 1);
	assert_false(d1.has_nh);
	assert_false(rde_deriv_same(&d0, &d1));
	/* another IPv6 prefix */
	rde_derive(e.r, wkp, &p, &best, &d1);
	assert_false(rde_deriv_same(&d0, &d1));

	/* Not translated (not global under the WKP) in both, but the RFC 8950 next hop of the
	 * IPv4 route still counts. */
	struct prefix priv = {.af = AF_INET, .len = 24, .a = {10, 1, 2, 0}};
	rde_derive(e.r, wkp, &priv, &best, &d0);
	assert_int_equal(d0.n, 0);
	rde_derive(e.r, wkp_dev, &priv, &best, &d1);
	assert_false(rde_deriv_same(&d0, &d1));
	rde_derive(e.r, wkp, &priv, &best, &d1);
	assert_true(rde_deriv_same(&d0, &d1));

	/* A source with ipv6-next-hop: the table still wins, its own next hop otherwise. */
	best.peer = peer_id(&e, "192.0.2.10");
	rde_derive(e.r, none, &p, &best, &d0);
	assert_true(d0.has_nh && d0.xr[0].has_nh);
	assert_int_equal(d0.xr[0].nh_source, RDE_NH_NEIGHBOR);

	attr_unref(a);
	cfg_free(same);
	cfg_free(dev);
	cfg_free(nh);
	cfg_free(none);
	cfg_free(wkp);
	cfg_free(wkp_dev);
	eng_free(&e);
}

/* ---- counters ---- */

static void
test_counts_add_remove(void **state)
{
	(void)state;
	struct eng e;
	eng_new(&e, "{" HDR "," XLAT("") "," NBRS "}");
	uint16_t pa = peer_id(&e, "192.0.2.10"), pb = peer_id(&e, "192.0.2.11");
	struct attrs *unk = attrs_nh("198.51.100.1", 100), *unk2 = attrs_nh("203.0.113.5", 100);
	struct attrs *better = attrs_nh("198.51.100.1", 200);

	for (uint32_t i = 0; i < 5; i++)
		announce(&e, pb, i, unk);
	announce(&e, pb, 5, unk2);
	announce(&e, pa, 10, unk); /* A has an ipv6-next-hop: translated */
	assert_int_equal(check_counts(&e), 6);
	struct walk w = {0};
	rde_unknown_walk(e.r, walk_one, &w);
	assert_int_equal(w.n, 2);
	assert_string_equal(w.s[0], "198.51.100.1 5");
	assert_string_equal(w.s[1], "203.0.113.5 1");

	/* A's better path takes over prefix 0, and goes again */
	announce(&e, pa, 0, better);
	assert_int_equal(check_counts(&e), 5);
	withdraw(&e, pa, 0);
	assert_int_equal(check_counts(&e), 6);
	/* B's path of prefix 5 changes next hop: its count moves */
	announce(&e, pb, 5, unk);
	assert_int_equal(check_counts(&e), 6);
	w = (struct walk){0};
	rde_unknown_walk(e.r, walk_one, &w);
	assert_int_equal(w.n, 1);
	assert_string_equal(w.s[0], "198.51.100.1 6");
	for (uint32_t i = 0; i < 6; i++)
		withdraw(&e, pb, i);
	withdraw(&e, pa, 10);
	assert_int_equal(check_counts(&e), 0);
	w = (struct walk){0};
	rde_unknown_walk(e.r, walk_one, &w);
	assert_int_equal(w.n, 0);

	attr_unref(unk);
	attr_unref(unk2);
	attr_unref(better);
	eng_free(&e);
}

/* The neighbor with ipv6-next-hop is removed while it holds the best paths: its flush must
 * subtract what adding them added (nothing), not wrap the counter. */
static void
test_counts_neighbor_removed(void **state)
{
	(void)state;
	struct eng e;
	eng_new(&e, "{" HDR "," XLAT("") "," NBRS "}");
	uint16_t pa = peer_id(&e, "192.0.2.10"), pb = peer_id(&e, "192.0.2.11");
	struct attrs *unk = attrs_nh("198.51.100.1", 100), *pref = attrs_nh("198.51.100.1", 200);
	for (uint32_t i = 0; i < 3000; i++) {
		announce(&e, pa, i, pref);
		if (i % 2 == 0)
			announce(&e, pb, i, unk);
	}
	assert_int_equal(check_counts(&e), 0);

	reload(&e, "{" HDR "," XLAT("") "," NBR_B_ONLY "}");
	assert_true(e.r->peers[pa]->retired);
	/* B's paths take over as A's are flushed in slices */
	while (rib_jobs_pending(rde_rib(e.r))) {
		event_base_loop(e.base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		check_counts(&e);
	}
	assert_int_equal(check_counts(&e), 1500);
	assert_true(rde_untranslated_paths(e.r) < 1u << 20); /* no wrap */

	/* A comes back without ipv6-next-hop (a new session, a new id) */
	reload(&e, "{" HDR "," XLAT(
		       "") ","
			   "'neighbors':[{'address':'192.0.2.10','remote-as':64500,'passive':true},"
			   "{'address':'192.0.2.11','remote-as':64500,'passive':true}]}");
	assert_null(e.r->peers[pa]); /* reaped: no path left */
	uint16_t pa2 = peer_id(&e, "192.0.2.10");
	assert_int_not_equal(pa2, pa);
	for (uint32_t i = 0; i < 3000; i += 3)
		announce(&e, pa2, i, pref);
	assert_int_equal(check_counts(&e), 2000);
	/* and is changed to have one again: session reset, paths flushed, counts follow */
	reload(&e, "{" HDR "," XLAT("") "," NBRS "}");
	settle(&e);
	assert_int_equal(check_counts(&e), 1500);

	attr_unref(unk);
	attr_unref(pref);
	eng_free(&e);
}

/* Reloads of the translation: the counts follow the new config at once and stay exact while
 * routes change during the walk and when a second reload restarts it. */
static void
test_counts_reload_translation(void **state)
{
	(void)state;
	struct eng e;
	eng_new(&e, "{" HDR "," XLAT("") "," NBRS "}");
	uint16_t pb = peer_id(&e, "192.0.2.11");
	struct attrs *x = attrs_nh("198.51.100.1", 100), *y = attrs_nh("203.0.113.1", 100);
	for (uint32_t i = 0; i < 10000; i++)
		announce(&e, pb, i, i % 4 == 0 ? y : x);
	assert_int_equal(check_counts(&e), 10000);

	reload(&e, "{" HDR "," XLAT(RULE_X("")) "," NBRS "}");
	assert_int_equal(check_counts(&e), 2500); /* before the walk */
	int pass = 0;
	while (e.r->reload != NULL) {
		event_base_loop(e.base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		/* routes come and go in the middle of the walk */
		withdraw(&e, pb, (uint32_t)(9999 - pass));
		announce(&e, pb, 20000 + (uint32_t)pass, x);
		announce(&e, pb, 30000 + (uint32_t)pass, y);
		check_counts(&e);
		if (pass == 1) /* a second reload in the middle: the rule goes again */
			reload(&e, "{" HDR "," XLAT("") "," NBRS "}");
		pass++;
	}
	assert_true(pass > 2);
	assert_int_equal(check_counts(&e), 10000 - (uint64_t)pass + 2 * (uint64_t)pass);

	attr_unref(x);
	attr_unref(y);
	eng_free(&e);
}

/* ---- the sliced re-derivation ---- */

static void
test_reload_slices_and_marks(void **state)
{
	(void)state;
	struct eng e;
	eng_new(&e, "{" HDR "," XLAT(RULE_X(",'device':'eth0'")) "," NBRS "}");
	uint16_t pb = peer_id(&e, "192.0.2.11");
	struct attrs *x = attrs_nh("198.51.100.1", 100), *y = attrs_nh("203.0.113.1", 100);
	for (uint32_t i = 0; i < 10000; i++)
		announce(&e, pb, i, i % 4 == 0 ? y : x);
	assert_int_equal(drain(&e), 10000);

	/* the device of the rule for x changes: exactly x's 7500 prefixes are re-exported */
	reload(&e, "{" HDR "," XLAT(RULE_X(",'device':'eth1'")) "," NBRS "}");
	assert_non_null(e.r->reload);
	assert_int_equal(drain(&e), 0); /* nothing done inside the reload call */
	int passes = settle(&e);
	assert_true(passes >= 3); /* 10000 prefixes, 4096 per slice */
	assert_int_equal(drain(&e), 7500);

	/* nothing that reaches a peer or the kernel changes: nothing is re-exported */
	reload(&e,
	       "{" HDR ",'translation':{'prefix':'2001:db8:6464::/96','next-hops':["
	       "{'ipv4':'198.51.100.0/25','ipv6':'2001:db8:64::1','device':'eth1'},"
	       "{'ipv4':'198.51.100.128/25','ipv6':'2001:db8:64::1','device':'eth1'}]}," NBRS "}");
	settle(&e);
	assert_int_equal(drain(&e), 0);

	/* A second reload back to the first config while the walk is in its second slice:
	 * prefixes already walked were exported under the middle config and must be re-sent
	 * too, although the first and the last configs agree. */
	reload(&e, "{" HDR "," XLAT(RULE_X(",'device':'eth2'")) "," NBRS "}");
	event_base_loop(e.base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	assert_non_null(e.r->reload);
	size_t first = drain(&e); /* sent under eth2 */
	assert_true(first > 0 && first < 7500);
	reload(&e, "{" HDR "," XLAT(RULE_X(",'device':'eth1'")) "," NBRS "}");
	settle(&e);
	assert_int_equal(drain(&e), 7500);

	/* the translation prefix changes: every prefix */
	reload(&e, "{" HDR ",'translation':{'prefix':'64:ff9b::/96','next-hops':[" RULE_X(
		       ",'device':'eth1'") "]}," NBRS "}");
	settle(&e);
	assert_int_equal(drain(&e), 10000);

	attr_unref(x);
	attr_unref(y);
	eng_free(&e);
}

/* ---- translatable best path ---- */

#define NBRS3                                                                                      \
	"'neighbors':[{'address':'192.0.2.11','remote-as':64500,'passive':true},"                  \
	"{'address':'192.0.2.12','remote-as':64500,'passive':true},"                               \
	"{'address':'192.0.2.13','remote-as':64500,'passive':true}]"

/* The IPv6 route of prefix i: whether announced, and the peer of the path it derives from. */
static bool
xlat_of(struct eng *e, uint32_t i, uint16_t *from)
{
	struct prefix p = v4(i);
	struct radix_node *n = radix_find(rib_tree(rde_rib(e->r), BGP_FAM_V4), p.a, p.len);
	assert_non_null(n);
	struct rde_xroute xr[RDE_XROUTES_MAX];
	assert_int_equal(rde_translate(e->r, &p, rib_best(n), xr, RDE_XROUTES_MAX, NULL), 1);
	*from = xr[0].has_nh ? xr[0].path->peer : 0;
	return xr[0].has_nh;
}

static uint16_t
best_peer(struct eng *e, uint32_t i)
{
	struct prefix p = v4(i);
	struct radix_node *n = radix_find(rib_tree(rde_rib(e->r), BGP_FAM_V4), p.a, p.len);
	assert_non_null(n);
	return rib_best(n)->peer;
}

static void
test_translatable_best(void **state)
{
	(void)state;
	struct eng e;
	eng_new(&e, "{" HDR "," XLAT(RULE_X("")) "," NBRS3 "}");
	uint16_t b = peer_id(&e, "192.0.2.11"), c = peer_id(&e, "192.0.2.12");
	uint16_t d = peer_id(&e, "192.0.2.13"), from = 0;
	struct attrs *unmapped = attrs_nh("203.0.113.1", 200);
	struct attrs *mapped = attrs_nh("198.51.100.7", 100);
	struct attrs *mapped2 = attrs_nh("198.51.100.8", 150);
	struct attrs *mapped_hi = attrs_nh("198.51.100.9", 300);

	/* The best IPv4 path (local-pref 200) has no mapped next hop: the IPv6 route comes
	 * from the other one, and the IPv4 best stays. */
	announce(&e, b, 1, unmapped);
	assert_false(xlat_of(&e, 1, &from));
	announce(&e, c, 1, mapped);
	assert_int_equal(best_peer(&e, 1), b);
	assert_true(xlat_of(&e, 1, &from));
	assert_int_equal(from, c);
	/* The best of the translatable ones, by the decision process. */
	announce(&e, d, 1, mapped2);
	assert_int_equal(best_peer(&e, 1), b);
	assert_true(xlat_of(&e, 1, &from));
	assert_int_equal(from, d);

	/* A change of a path that is not the best re-marks the prefix while the fallback is in
	 * use (its IPv6 route changes), and only then. */
	drain(&e);
	announce(&e, c, 1, mapped2);
	assert_int_equal(drain(&e), 1);
	withdraw(&e, d, 1);
	assert_int_equal(drain(&e), 1);
	assert_true(xlat_of(&e, 1, &from));
	assert_int_equal(from, c);
	withdraw(&e, c, 1);
	assert_int_equal(drain(&e), 1);
	assert_false(xlat_of(&e, 1, &from));
	/* A translatable best path: the others do not matter. */
	announce(&e, c, 2, mapped_hi);
	announce(&e, b, 2, unmapped);
	drain(&e);
	announce(&e, d, 2, mapped);
	withdraw(&e, b, 2);
	assert_int_equal(drain(&e), 0);
	assert_true(xlat_of(&e, 2, &from));
	assert_int_equal(from, c);

	/* Reloaded with the switch off: the prefix is re-exported and has no IPv6 route. */
	announce(&e, c, 1, mapped);
	drain(&e);
	assert_true(xlat_of(&e, 1, &from));
	reload(&e, "{" HDR ",'translation':{'prefix':'2001:db8:6464::/96','next-hops':[" RULE_X(
		       "") "],'translatable-best':false}," NBRS3 "}");
	settle(&e);
	assert_int_equal(drain(&e), 1); /* prefix 1 only: prefix 2's best is translatable */
	assert_false(xlat_of(&e, 1, &from));
	assert_true(xlat_of(&e, 2, &from));
	/* and no marks from other paths */
	announce(&e, c, 1, mapped2);
	assert_int_equal(drain(&e), 0);

	attr_unref(unmapped);
	attr_unref(mapped);
	attr_unref(mapped2);
	attr_unref(mapped_hi);
	eng_free(&e);
}

/* ---- prefix limits ---- */

static void
test_prefix_limit_block_warn(void **state)
{
	(void)state;
	struct eng e;
	eng_new(
	    &e,
	    "{" HDR "," XLAT(
		"") ",'neighbors':["
		    "{'address':'192.0.2.11','remote-as':64500,'passive':true,'families':{'ipv4':"
		    "{'max-prefixes':{'limit':3,'action':'block'}}}},"
		    "{'address':'192.0.2.12','remote-as':64500,'passive':true,'families':{'ipv4':"
		    "{'max-prefixes':{'limit':3,'action':'warn'}}}}]}");
	uint16_t b = peer_id(&e, "192.0.2.11"), w = peer_id(&e, "192.0.2.12");
	struct rde_peer *rb = rde_peer_of(e.r, b), *rw = rde_peer_of(e.r, w);
	struct attrs *a = attrs_nh("198.51.100.7", 100);
	struct rde_limit_stats ls;

	assert_true(rde_limit_blocking(e.r, rb, BGP_FAM_V4));
	assert_false(rde_limit_blocking(e.r, rb, BGP_FAM_V6));
	assert_false(rde_limit_blocking(e.r, rw, BGP_FAM_V4));
	for (uint32_t i = 0; i < 3; i++) {
		struct prefix p = v4(i);
		assert_true(rde_limit_admit_prefix(e.r, rb, BGP_FAM_V4, &p));
		announce(&e, b, i, a);
	}
	/* at the limit: a new prefix is refused and counted, a held one still admitted */
	struct prefix p3 = v4(3), p1 = v4(1);
	assert_false(rde_limit_admit_prefix(e.r, rb, BGP_FAM_V4, &p3));
	assert_true(rde_limit_admit_prefix(e.r, rb, BGP_FAM_V4, &p1));
	rde_limit_check_prefixes(e.r, rb);
	rde_peer_limit_stats(e.r, b, &ls);
	assert_int_equal(ls.prefixes_blocked[BGP_FAM_V4], 1);
	assert_int_equal(ls.exceeded, 1);
	assert_int_equal(ls.sessions_closed, 0);
	withdraw(&e, b, 0);
	assert_true(rde_limit_admit_prefix(e.r, rb, BGP_FAM_V4, &p3));

	/* warn: every prefix accepted, each crossing counted once */
	for (uint32_t i = 0; i < 5; i++) {
		announce(&e, w, i, a);
		rde_limit_check_prefixes(e.r, rw);
	}
	rde_peer_limit_stats(e.r, w, &ls);
	assert_int_equal(ls.exceeded, 1);
	withdraw(&e, w, 4);
	withdraw(&e, w, 3);
	rde_limit_check_prefixes(e.r, rw);
	announce(&e, w, 3, a);
	announce(&e, w, 4, a);
	rde_limit_check_prefixes(e.r, rw);
	rde_peer_limit_stats(e.r, w, &ls);
	assert_int_equal(ls.exceeded, 2);
	assert_int_equal(ls.prefixes_blocked[BGP_FAM_V4], 0);

	attr_unref(a);
	eng_free(&e);
}

/* ---- attribute limits and the memory budget ---- */

/* A template with a unique unknown attribute of 4000 octets (mem: 8 KB scratch). */
static void
big_template(struct attrs *t, uint8_t *mem, uint32_t i)
{
	uint8_t v[4000];
	memset(t, 0, sizeof *t);
	t->nh_len = 4;
	t->nh[0] = 198, t->nh[1] = 51, t->nh[2] = 100, t->nh[3] = 7;
	memset(v, 0x5a, sizeof v);
	memcpy(v, &i, sizeof i);
	t->unknown = attr_blob_tmp(mem, 8192, ATTR_BLOB_UNKNOWN, v, sizeof v);
	assert_non_null(t->unknown);
}

static struct attrs *
must_intern(struct rde *r, struct rde_peer *rp, const struct attrs *t)
{
	struct attrs *a = rde_limit_intern(r, rp, t);
	assert_non_null(a);
	return a;
}

static void
test_attr_limits_budget(void **state)
{
	(void)state;
	struct eng e;
	eng_new(&e,
		"{" HDR
		"," XLAT("") ",'limits':{'memory-budget':1048576},'neighbors':["
			     "{'address':'192.0.2.11','remote-as':64500,'passive':true,'limits':"
			     "{'attribute-bytes':{'limit':65536,'action':'block'}}},"
			     "{'address':'192.0.2.12','remote-as':64500,'passive':true},"
			     "{'address':'192.0.2.13','remote-as':64500,'passive':true,'limits':"
			     "{'as-path-length':3,'communities':{'limit':2,'action':'warn'}}}]}");
	struct rde_peer *ra = rde_peer_of(e.r, peer_id(&e, "192.0.2.11"));
	struct rde_peer *rb = rde_peer_of(e.r, peer_id(&e, "192.0.2.12"));
	struct rde_peer *rc = rde_peer_of(e.r, peer_id(&e, "192.0.2.13"));
	struct rde_limit_stats ls;
	uint8_t mem[8192], seg4[18] = {AS_SEQUENCE, 4}, cm[12] = {0};
	struct attrs t, *held[400];
	size_t n_held = 0;
	assert_int_equal(rde_memory_budget(e.r), 1048576);

	/* per route: 4 ASes over 3 (block), 3 communities over 2 (warn) */
	memset(&t, 0, sizeof t);
	t.aspath = attr_blob_tmp(mem, 64, ATTR_AS_PATH, seg4, sizeof seg4);
	assert_null(rde_limit_intern(e.r, rc, &t));
	seg4[1] = 3;
	t.aspath = attr_blob_tmp(mem, 64, ATTR_AS_PATH, seg4, 14);
	held[n_held++] = must_intern(e.r, rc, &t);
	t.comms = attr_blob_tmp(mem + 64, 64, ATTR_COMMUNITIES, cm, 12);
	held[n_held++] = must_intern(e.r, rc, &t);
	held[n_held++] = must_intern(e.r, rc, &t);
	rde_peer_limit_stats(e.r, rc->id, &ls);
	assert_int_equal(ls.updates_blocked, 1);
	assert_int_equal(ls.exceeded, 2); /* each limit once */
	assert_false(rc->lim.down);

	/* attribute bytes, block: about 16 sets of 4 KB fit in 64 KiB, then refused */
	uint32_t i = 0;
	for (;; i++) {
		big_template(&t, mem, i);
		struct attrs *h = rde_limit_intern(e.r, ra, &t);
		if (h == NULL)
			break;
		held[n_held++] = h;
		assert_true(n_held < 40);
	}
	assert_true(n_held >= 3 + 14 && n_held <= 3 + 16);
	assert_true(attr_owner_bytes(ra->id) <= 65536);
	assert_false(ra->lim.down);
	rde_peer_limit_stats(e.r, ra->id, &ls);
	assert_int_equal(ls.updates_blocked, 1);
	/* a set it holds already costs nothing more */
	big_template(&t, mem, 0);
	held[n_held++] = must_intern(e.r, ra, &t);

	/* the budget: b (default attribute-bytes 256 MiB) fills it and loses its session */
	size_t from_b = 0;
	for (i = 1000;; i++) {
		big_template(&t, mem, i);
		struct attrs *h = rde_limit_intern(e.r, rb, &t);
		if (h == NULL)
			break;
		held[n_held++] = h;
		from_b++;
		assert_true(n_held < 400);
	}
	struct attr_stats as;
	attr_stats(&as);
	assert_true(as.bytes <= 1048576);
	assert_true(from_b > 200);
	assert_true(rb->lim.down);
	assert_false(ra->lim.down);
	assert_int_equal(rde_budget_closed(e.r), 1);
	rde_peer_limit_stats(e.r, rb->id, &ls);
	assert_int_equal(ls.sessions_closed, 1);
	assert_true(ls.restart_pending);
	/* once closing, nothing more from it */
	big_template(&t, mem, 0);
	assert_null(rde_limit_intern(e.r, rb, &t));

	/* While b's flush runs (as the session's down callback queues it), another neighbor's
	 * new set passes and nobody else is closed for the same excess. */
	rib_peer_flush(rde_rib(e.r), rb->id, BGP_FAM_BIT(BGP_FAM_V4) | BGP_FAM_BIT(BGP_FAM_V6));
	kick_rib_jobs(e.r);
	big_template(&t, mem, 5000);
	held[n_held++] = must_intern(e.r, rc, &t);
	assert_int_equal(rde_budget_closed(e.r), 1);
	assert_false(ra->lim.down);
	/* Flushed, and the memory still not back (the test holds b's sets): the biggest holder
	 * left, a, goes next; c's UPDATE passes. */
	settle(&e);
	big_template(&t, mem, 5001);
	held[n_held++] = must_intern(e.r, rc, &t);
	assert_int_equal(rde_budget_closed(e.r), 2);
	assert_true(ra->lim.down);
	assert_false(rc->lim.down);

	for (size_t k = 0; k < n_held; k++)
		attr_unref(held[k]);
	assert_int_equal(attr_owner_bytes(ra->id), 0);
	assert_int_equal(attr_owner_bytes(rb->id), 0);
	eng_free(&e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_deriv_same),
	    cmocka_unit_test(test_counts_add_remove),
	    cmocka_unit_test(test_counts_neighbor_removed),
	    cmocka_unit_test(test_counts_reload_translation),
	    cmocka_unit_test(test_reload_slices_and_marks),
	    cmocka_unit_test(test_translatable_best),
	    cmocka_unit_test(test_prefix_limit_block_warn),
	    cmocka_unit_test(test_attr_limits_budget),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
