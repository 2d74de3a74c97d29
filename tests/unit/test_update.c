/*
 * UPDATE parsing with RFC 7606 error handling (one test per error class of bgp-errors.md
 * section 3, with the exact approach and, for resets, the NOTIFICATION), 2-octet AS
 * reconstruction, unknown attributes, End-of-RIB, ADD-PATH, and builder -> parser round trips
 * (same prefixes, same interned attribute set, never above the maximum message size).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "bgp/update.h"

static struct bgp_parse_ctx ctx;
static struct bgp_update u;

/* ---- building test messages ---- */

struct tb {
	uint8_t wd[4096], at[70000], nl[70000], body[140000];
	size_t wl, al, nll, bl;
};
static struct tb T;

static void
tb_reset(void)
{
	T.wl = T.al = T.nll = T.bl = 0;
}

static void
tb_attr(uint8_t flags, uint8_t type, const void *v, size_t len)
{
	uint8_t *o = T.at + T.al;
	*o++ = flags;
	*o++ = type;
	if (flags & ATTR_FLAG_EXTLEN)
		*o++ = (uint8_t)(len >> 8);
	*o++ = (uint8_t)len;
	if (len > 0)
		memcpy(o, v, len);
	T.al = (size_t)(o - T.at) + len;
}

static void
tb_raw_attr(const void *v, size_t len)
{
	memcpy(T.at + T.al, v, len);
	T.al += len;
}

/* "a.b.c.d/len" or IPv6 into a field, with an optional path id */
static size_t
put_prefix(uint8_t *o, const char *s, bool addpath, uint32_t id)
{
	struct prefix p;
	size_t n = 0;
	assert_int_equal(prefix_parse(s, &p, false, false), 0);
	if (addpath) {
		o[0] = (uint8_t)(id >> 24), o[1] = (uint8_t)(id >> 16);
		o[2] = (uint8_t)(id >> 8), o[3] = (uint8_t)id;
		n = 4;
	}
	o[n++] = p.len;
	memcpy(o + n, p.a, (p.len + 7u) / 8);
	return n + (p.len + 7u) / 8;
}

static void
tb_nlri(const char *s)
{
	T.nll += put_prefix(T.nl + T.nll, s, false, 0);
}

static void
tb_withdrawn(const char *s)
{
	T.wl += put_prefix(T.wd + T.wl, s, false, 0);
}

static const uint8_t origin_igp[] = {0};
static const uint8_t path_4[] = {2, 2, 0, 0, 0xfb, 0xf4, 0, 0, 0xfd, 0xe8}; /* 64500 65000 */
static const uint8_t nh_v4[] = {192, 0, 2, 1};

static void
tb_std(void)
{
	tb_attr(0x40, ATTR_ORIGIN, origin_igp, 1);
	tb_attr(0x40, ATTR_AS_PATH, path_4, sizeof path_4);
	tb_attr(0x40, ATTR_NEXT_HOP, nh_v4, 4);
}

static size_t
tb_body(void)
{
	uint8_t *o = T.body;
	*o++ = (uint8_t)(T.wl >> 8), *o++ = (uint8_t)T.wl;
	memcpy(o, T.wd, T.wl), o += T.wl;
	*o++ = (uint8_t)(T.al >> 8), *o++ = (uint8_t)T.al;
	memcpy(o, T.at, T.al), o += T.al;
	memcpy(o, T.nl, T.nll), o += T.nll;
	T.bl = (size_t)(o - T.body);
	return T.bl;
}

static int
parse(void)
{
	tb_body();
	return bgp_update_parse(T.body, T.bl, &ctx, &u);
}

static void
ctx_set(bool as4, bool ibgp)
{
	ctx.as4 = as4;
	ctx.ibgp = ibgp;
	ctx.check_first_as = false;
	ctx.peer_as = ibgp ? 64496 : 64500;
	ctx.local_as = 64496;
	ctx.addpath_rx = 0;
	ctx.fams = BGP_FAM_BIT(BGP_FAM_V4) | BGP_FAM_BIT(BGP_FAM_V6);
}

static int
setup(void **state)
{
	(void)state;
	ctx_set(true, false);
	tb_reset();
	return 0;
}

/* MP_REACH value for IPv6 unicast with one next hop and prefixes already encoded */
static size_t
mp_reach_v6(uint8_t *o, const uint8_t *nh, uint8_t nhl, const uint8_t *nlri, size_t nl)
{
	o[0] = 0, o[1] = 2, o[2] = 1, o[3] = nhl;
	memcpy(o + 4, nh, nhl);
	o[4 + nhl] = 0;
	memcpy(o + 5 + nhl, nlri, nl);
	return 5 + nhl + nl;
}

static const uint8_t nh6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};

static void
expect_prefixes(struct bgp_nlri *n, const char *const *want, size_t count)
{
	struct prefix p, w;
	char a[PREFIX_STRLEN], b[PREFIX_STRLEN];
	size_t i = 0;
	while (bgp_nlri_next(n, &p, NULL) == 1) {
		assert_true(i < count);
		assert_int_equal(prefix_parse(want[i], &w, false, true), 0);
		if (!prefix_eq(&p, &w))
			fail_msg("prefix %zu: %s, want %s", i, prefix_fmt(&p, a),
				 prefix_fmt(&w, b));
		i++;
	}
	assert_int_equal(i, count);
}

static void
expect_action(enum bgp_upd_action act, const char *reason_prefix)
{
	if (u.action != act)
		fail_msg("action %d, want %d (reason '%s')", u.action, act, u.reason);
	if (reason_prefix != NULL && strncmp(u.reason, reason_prefix, strlen(reason_prefix)) != 0)
		fail_msg("reason '%s', want '%s...'", u.reason, reason_prefix);
}

static void
expect_reset(uint8_t sub)
{
	assert_int_equal(u.action, BGP_UPD_RESET);
	assert_int_equal(u.notify.code, BGP_ERR_UPDATE);
	if (u.notify.subcode != sub)
		fail_msg("subcode %u, want %u (reason '%s')", u.notify.subcode, sub, u.reason);
}

/* ---- valid messages ---- */

static void
test_valid(void **state)
{
	(void)state;
	static const uint8_t med[] = {0, 0, 0, 50};
	static const uint8_t comm[] = {0xfd, 0xe8, 0, 1, 0xff, 0xff, 0xff, 0x01};
	tb_std();
	tb_attr(0x80, ATTR_MED, med, 4);
	tb_attr(0xc0, ATTR_COMMUNITIES, comm, sizeof comm);
	tb_nlri("10.0.0.0/8");
	tb_nlri("198.51.100.0/24");
	tb_nlri("0.0.0.0/0");
	tb_withdrawn("192.0.2.128/25");
	assert_int_equal(parse(), 0);
	expect_action(BGP_UPD_OK, NULL);
	assert_string_equal(u.reason, "");
	assert_true(u.has_attrs);
	assert_false(u.eor);
	assert_int_equal(u.attrs.origin, ORIGIN_IGP);
	assert_int_equal(u.attrs.nh_len, 4);
	assert_memory_equal(u.attrs.nh, nh_v4, 4);
	assert_true(u.attrs.flags & ATTRS_MED);
	assert_int_equal(u.attrs.med, 50);
	assert_int_equal(u.attrs.comms->len, 8);
	assert_int_equal(attr_aspath_len(&u.attrs), 2);
	assert_int_equal(attr_aspath_first(&u.attrs), 64500);
	assert_true(attr_has_community(&u.attrs, 0xffffff01));
	static const char *const want[] = {"10.0.0.0/8", "198.51.100.0/24", "0.0.0.0/0"};
	expect_prefixes(&u.nlri, want, 3);
	static const char *const wd[] = {"192.0.2.128/25"};
	expect_prefixes(&u.withdrawn, wd, 1);

	/* the template interns */
	struct attrs *a = attr_intern(&u.attrs);
	assert_int_equal(a->med, 50);
	attr_unref(a);
	struct attr_stats s;
	attr_stats(&s);
	assert_int_equal(s.sets, 0);
	assert_int_equal(s.blobs, 0);
}

static void
test_host_bits_ignored(void **state)
{
	(void)state;
	/* 10.1.2.3/16 on the wire as 10.1 only; trailing bits in the last octet cleared */
	static const uint8_t nl[] = {12, 10, 0xff, 23, 192, 0, 3};
	tb_std();
	memcpy(T.nl, nl, sizeof nl);
	T.nll = sizeof nl;
	assert_int_equal(parse(), 0);
	static const char *const want[] = {"10.240.0.0/12", "192.0.2.0/23"};
	expect_prefixes(&u.nlri, want, 2);
}

/* ---- RFC 7606 error classes ---- */

static void
test_bad_origin_taw(void **state)
{
	(void)state;
	static const uint8_t two[] = {0, 0};
	static const uint8_t three[] = {3};
	/* 3e: ORIGIN value > 2 -> treat-as-withdraw, prefixes still iterable */
	tb_attr(0x40, ATTR_ORIGIN, three, 1);
	tb_attr(0x40, ATTR_AS_PATH, path_4, sizeof path_4);
	tb_attr(0x40, ATTR_NEXT_HOP, nh_v4, 4);
	tb_nlri("10.0.0.0/8");
	tb_nlri("10.1.0.0/16");
	assert_int_equal(parse(), 0);
	expect_action(BGP_UPD_TREAT_AS_WITHDRAW, "ORIGIN: bad value");
	static const char *const want[] = {"10.0.0.0/8", "10.1.0.0/16"};
	expect_prefixes(&u.nlri, want, 2);

	/* length != 1 */
	tb_reset();
	tb_attr(0x40, ATTR_ORIGIN, two, 2);
	tb_attr(0x40, ATTR_AS_PATH, path_4, sizeof path_4);
	tb_attr(0x40, ATTR_NEXT_HOP, nh_v4, 4);
	tb_nlri("10.0.0.0/8");
	assert_int_equal(parse(), 0);
	expect_action(BGP_UPD_TREAT_AS_WITHDRAW, "ORIGIN: bad length");
}

static void
test_bad_flags_taw(void **state)
{
	(void)state;
	/* 3c: ORIGIN marked optional -> treat-as-withdraw */
	tb_attr(0xc0, ATTR_ORIGIN, origin_igp, 1);
	tb_attr(0x40, ATTR_AS_PATH, path_4, sizeof path_4);
	tb_attr(0x40, ATTR_NEXT_HOP, nh_v4, 4);
	tb_nlri("10.0.0.0/8");
	assert_int_equal(parse(), 0);
	expect_action(BGP_UPD_TREAT_AS_WITHDRAW, "ORIGIN: bad flags");
	/* the Partial and low bits do not matter */
	tb_reset();
	tb_attr(0x40 | 0x20 | 0x0f, ATTR_ORIGIN, origin_igp, 1);
	tb_attr(0x50, ATTR_AS_PATH, path_4, sizeof path_4); /* extended length, short value */
	tb_attr(0x40, ATTR_NEXT_HOP, nh_v4, 4);
	tb_nlri("10.0.0.0/8");
	assert_int_equal(parse(), 0);
	expect_action(BGP_UPD_OK, NULL);
	/* COMMUNITIES marked non-transitive */
	static const uint8_t comm[] = {0, 1, 0, 1};
	tb_reset();
	tb_std();
	tb_attr(0x80, ATTR_COMMUNITIES, comm, 4);
	tb_nlri("10.0.0.0/8");
	assert_int_equal(parse(), 0);
	expect_action(BGP_UPD_TREAT_AS_WITHDRAW, "COMMUNITIES: bad flags");
}

static void
check_aspath(const uint8_t *path, size_t len, enum bgp_upd_action act)
{
	tb_reset();
	tb_attr(0x40, ATTR_ORIGIN, origin_igp, 1);
	tb_attr(0x40, ATTR_AS_PATH, path, len);
	tb_attr(0x40, ATTR_NEXT_HOP, nh_v4, 4);
	tb_nlri("10.0.0.0/8");
	assert_int_equal(parse(), 0);
	expect_action(act, act == BGP_UPD_OK ? NULL : "AS_PATH");
}

static void
test_bad_aspath_taw(void **state)
{
	(void)state;
	static const uint8_t bad_type[] = {5, 1, 0, 0, 0, 1};
	static const uint8_t zero_count[] = {2, 0};
	static const uint8_t overrun[] = {2, 2, 0, 0, 0, 1};
	static const uint8_t trailing[] = {2, 1, 0, 0, 0, 1, 2};
	static const uint8_t two_octet[] = {2,	  2,	0xfb,
					    0xf4, 0xfd, 0xe8}; /* on a 4-octet session */
	static const uint8_t confed[] = {3, 1, 0, 0, 0xfc, 0x00, 2, 1, 0, 0, 0xfb, 0xf4};
	check_aspath(bad_type, sizeof bad_type, BGP_UPD_TREAT_AS_WITHDRAW);
	check_aspath(zero_count, sizeof zero_count, BGP_UPD_TREAT_AS_WITHDRAW);
	check_aspath(overrun, sizeof overrun, BGP_UPD_TREAT_AS_WITHDRAW);
	check_aspath(trailing, sizeof trailing, BGP_UPD_TREAT_AS_WITHDRAW);
	check_aspath(two_octet, sizeof two_octet, BGP_UPD_TREAT_AS_WITHDRAW);
	/* confederation segments from an eBGP peer (we have no confederation) */
	check_aspath(confed, sizeof confed, BGP_UPD_TREAT_AS_WITHDRAW);
	ctx_set(true, true);
	check_aspath(confed, sizeof confed, BGP_UPD_OK);
	/* empty AS_PATH is fine (iBGP-originated) */
	check_aspath(NULL, 0, BGP_UPD_OK);
	assert_null(u.attrs.aspath);
	/* optional leftmost-AS check */
	ctx_set(true, false);
	ctx.check_first_as = true;
	ctx.peer_as = 65000;
	check_aspath(path_4, sizeof path_4, BGP_UPD_TREAT_AS_WITHDRAW);
	assert_string_equal(u.reason, "AS_PATH: leftmost AS is not the peer's");
	ctx.peer_as = 64500;
	check_aspath(path_4, sizeof path_4, BGP_UPD_OK);
}

static void
test_bad_nexthop_taw(void **state)
{
	(void)state;
	static const uint8_t bad[][4] = {
	    {0, 0, 0, 0}, {127, 0, 0, 1}, {224, 0, 0, 5}, {240, 0, 0, 1}, {255, 255, 255, 255},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		tb_reset();
		tb_attr(0x40, ATTR_ORIGIN, origin_igp, 1);
		tb_attr(0x40, ATTR_AS_PATH, path_4, sizeof path_4);
		tb_attr(0x40, ATTR_NEXT_HOP, bad[i], 4);
		tb_nlri("10.0.0.0/8");
		assert_int_equal(parse(), 0);
		expect_action(BGP_UPD_TREAT_AS_WITHDRAW, "NEXT_HOP: not a unicast host address");
	}
	tb_reset();
	tb_attr(0x40, ATTR_ORIGIN, origin_igp, 1);
	tb_attr(0x40, ATTR_AS_PATH, path_4, sizeof path_4);
	tb_attr(0x40, ATTR_NEXT_HOP, nh6, 16);
	tb_nlri("10.0.0.0/8");
	assert_int_equal(parse(), 0);
	expect_action(BGP_UPD_TREAT_AS_WITHDRAW, "NEXT_HOP: bad length");
}

/* The attribute given is malformed: expect approach act. */
static void
check_attr(bool ibgp, uint8_t flags, uint8_t type, const void *v, size_t len,
	   enum bgp_upd_action act)
{
	ctx_set(true, ibgp);
	tb_reset();
	tb_std();
	tb_attr(flags, type, v, len);
	tb_nlri("10.0.0.0/8");
	assert_int_equal(parse(), 0);
	expect_action(act, NULL);
	assert_int_equal(u.discarded, act == BGP_UPD_ATTR_DISCARD ? 1 : 0);
}

static void
test_attr_lengths(void **state)
{
	(void)state;
	static const uint8_t b[40] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
	/* 3e: MED length != 4 -> t-a-w */
	check_attr(false, 0x80, ATTR_MED, b, 3, BGP_UPD_TREAT_AS_WITHDRAW);
	check_attr(false, 0x80, ATTR_MED, b, 0, BGP_UPD_TREAT_AS_WITHDRAW);
	/* LOCAL_PREF from iBGP with length != 4 -> t-a-w */
	check_attr(true, 0x40, ATTR_LOCAL_PREF, b, 5, BGP_UPD_TREAT_AS_WITHDRAW);
	/* 3f: ATOMIC_AGGREGATE and AGGREGATOR malformed -> attribute discard */
	check_attr(false, 0x40, ATTR_ATOMIC_AGGREGATE, b, 1, BGP_UPD_ATTR_DISCARD);
	assert_false(u.attrs.flags & ATTRS_ATOMIC_AGG);
	check_attr(false, 0xc0, ATTR_AGGREGATOR, b, 7, BGP_UPD_ATTR_DISCARD);
	assert_false(u.attrs.flags & ATTRS_AGGREGATOR);
	assert_string_equal(u.reason, "AGGREGATOR: bad length");
	check_attr(false, 0xc0, ATTR_AGGREGATOR, b, 6, BGP_UPD_ATTR_DISCARD); /* 4-octet session */
	check_attr(false, 0xc0, ATTR_AGGREGATOR, b, 8, BGP_UPD_OK);
	assert_int_equal(u.attrs.agg_as, 0x01020304);
	assert_int_equal(u.attrs.agg_id, 0x05060708);
	check_attr(false, 0x40, ATTR_ATOMIC_AGGREGATE, b, 0, BGP_UPD_OK);
	assert_true(u.attrs.flags & ATTRS_ATOMIC_AGG);
	/* communities: length 0 or not a multiple of 4 / 8 / 12 / 20 -> t-a-w */
	check_attr(false, 0xc0, ATTR_COMMUNITIES, b, 0, BGP_UPD_TREAT_AS_WITHDRAW);
	check_attr(false, 0xc0, ATTR_COMMUNITIES, b, 6, BGP_UPD_TREAT_AS_WITHDRAW);
	check_attr(false, 0xc0, ATTR_EXT_COMMUNITIES, b, 12, BGP_UPD_TREAT_AS_WITHDRAW);
	check_attr(false, 0xc0, ATTR_EXT_COMMUNITIES, b, 16, BGP_UPD_OK);
	assert_int_equal(u.attrs.ecomms->len, 16);
	check_attr(false, 0xc0, ATTR_LARGE_COMMUNITIES, b, 13, BGP_UPD_TREAT_AS_WITHDRAW);
	check_attr(false, 0xc0, 25, b, 21, BGP_UPD_TREAT_AS_WITHDRAW);
	check_attr(false, 0xc0, 25, b, 20, BGP_UPD_OK);
	assert_non_null(u.attrs.unknown); /* passed on like an unknown transitive */
	/* OTC length != 4 -> t-a-w */
	check_attr(false, 0xc0, ATTR_OTC, b, 3, BGP_UPD_TREAT_AS_WITHDRAW);
	check_attr(false, 0xc0, ATTR_OTC, b, 4, BGP_UPD_OK);
	assert_true(u.attrs.flags & ATTRS_OTC);
	/* ORIGINATOR_ID / CLUSTER_LIST from iBGP malformed -> t-a-w */
	check_attr(true, 0x80, ATTR_ORIGINATOR_ID, b, 3, BGP_UPD_TREAT_AS_WITHDRAW);
	check_attr(true, 0x80, ATTR_CLUSTER_LIST, b, 0, BGP_UPD_TREAT_AS_WITHDRAW);
	check_attr(true, 0x80, ATTR_CLUSTER_LIST, b, 9, BGP_UPD_TREAT_AS_WITHDRAW);
	check_attr(true, 0x80, ATTR_CLUSTER_LIST, b, 8, BGP_UPD_OK);
	assert_int_equal(attr_cluster_len(&u.attrs), 2);
	/* ATTR_SET shorter than its origin AS */
	check_attr(false, 0xc0, 128, b, 3, BGP_UPD_TREAT_AS_WITHDRAW);
}

static void
test_ebgp_discards(void **state)
{
	(void)state;
	static const uint8_t lp[] = {0, 0, 0, 200};
	static const uint8_t cl[] = {10, 0, 0, 1};
	/* LOCAL_PREF from eBGP -> discard, whatever its content */
	check_attr(false, 0x40, ATTR_LOCAL_PREF, lp, 4, BGP_UPD_ATTR_DISCARD);
	assert_false(u.attrs.flags & ATTRS_LOCAL_PREF);
	assert_string_equal(u.reason, "LOCAL_PREF: from an eBGP peer");
	check_attr(false, 0x40, ATTR_LOCAL_PREF, lp, 3, BGP_UPD_ATTR_DISCARD);
	check_attr(true, 0x40, ATTR_LOCAL_PREF, lp, 4, BGP_UPD_OK);
	assert_true(u.attrs.flags & ATTRS_LOCAL_PREF);
	assert_int_equal(u.attrs.local_pref, 200);
	/* ORIGINATOR_ID and CLUSTER_LIST from eBGP -> discard */
	check_attr(false, 0x80, ATTR_ORIGINATOR_ID, cl, 4, BGP_UPD_ATTR_DISCARD);
	assert_false(u.attrs.flags & ATTRS_ORIGINATOR);
	check_attr(false, 0x80, ATTR_CLUSTER_LIST, cl, 4, BGP_UPD_ATTR_DISCARD);
	assert_null(u.attrs.clusters);
	check_attr(true, 0x80, ATTR_ORIGINATOR_ID, cl, 4, BGP_UPD_OK);
	assert_int_equal(u.attrs.originator_id, 0x0a000001);
	/* AS4_PATH / AS4_AGGREGATOR from a 4-octet speaker -> discard */
	static const uint8_t as4p[] = {2, 1, 0, 1, 0, 0};
	static const uint8_t as4a[] = {0, 1, 0, 0, 1, 2, 3, 4};
	check_attr(false, 0xc0, ATTR_AS4_PATH, as4p, sizeof as4p, BGP_UPD_ATTR_DISCARD);
	assert_int_equal(attr_aspath_first(&u.attrs), 64500);
	check_attr(false, 0xc0, ATTR_AS4_AGGREGATOR, as4a, sizeof as4a, BGP_UPD_ATTR_DISCARD);
}

static void
test_duplicates(void **state)
{
	(void)state;
	static const uint8_t egp[] = {1};
	/* 3g: other attributes repeated -> keep the first, discard the rest */
	tb_std();
	tb_attr(0x40, ATTR_ORIGIN, egp, 1);
	tb_nlri("10.0.0.0/8");
	assert_int_equal(parse(), 0);
	expect_action(BGP_UPD_ATTR_DISCARD, "ORIGIN: duplicate");
	assert_int_equal(u.attrs.origin, ORIGIN_IGP);
	assert_int_equal(u.discarded, 1);

	/* 3g: MP_REACH twice -> reset 3/1 */
	uint8_t v[64];
	uint8_t pfx[] = {32, 0x20, 0x01, 0x0d, 0xb8};
	size_t l = mp_reach_v6(v, nh6, 16, pfx, sizeof pfx);
	tb_reset();
	tb_attr(0x90, ATTR_MP_REACH, v, l);
	tb_attr(0x40, ATTR_ORIGIN, origin_igp, 1);
	tb_attr(0x40, ATTR_AS_PATH, path_4, sizeof path_4);
	tb_attr(0x90, ATTR_MP_REACH, v, l);
	assert_int_equal(parse(), -1);
	expect_reset(1);
	/* MP_UNREACH twice -> reset 3/1 */
	static const uint8_t unr[] = {0, 2, 1};
	tb_reset();
	tb_attr(0x80, ATTR_MP_UNREACH, unr, 3);
	tb_attr(0x80, ATTR_MP_UNREACH, unr, 3);
	assert_int_equal(parse(), -1);
	expect_reset(1);
}

static void
test_bad_nlri_reset(void **state)
{
	(void)state;
	/* 5.3: IPv4 prefix length 33 -> reset 3/10 */
	static const uint8_t len33[] = {33, 10, 0, 0, 0, 0};
	tb_std();
	memcpy(T.nl, len33, sizeof len33);
	T.nll = sizeof len33;
	assert_int_equal(parse(), -1);
	expect_reset(10);
	assert_int_equal(u.notify.data_len, 0);
	/* last prefix overruns the field */
	static const uint8_t over[] = {8, 10, 24, 192, 0};
	tb_reset();
	tb_std();
	memcpy(T.nl, over, sizeof over);
	T.nll = sizeof over;
	assert_int_equal(parse(), -1);
	expect_reset(10);
	/* 3i: Withdrawn checked like NLRI */
	tb_reset();
	memcpy(T.wd, len33, sizeof len33);
	T.wl = sizeof len33;
	assert_int_equal(parse(), -1);
	expect_reset(10);
	/* 3b: lengths overrunning the message -> 3/1 */
	static const uint8_t wrl_over[] = {0, 9, 8, 10};
	assert_int_equal(bgp_update_parse(wrl_over, sizeof wrl_over, &ctx, &u), -1);
	expect_reset(1);
	static const uint8_t tpal_over[] = {0, 0, 0, 9, 0x40, 1, 1, 0};
	assert_int_equal(bgp_update_parse(tpal_over, sizeof tpal_over, &ctx, &u), -1);
	expect_reset(1);
	assert_int_equal(bgp_update_parse(tpal_over, 1, &ctx, &u), -1);
	expect_reset(1);
}

static void
test_bad_mp_reset(void **state)
{
	(void)state;
	uint8_t v[128];
	size_t l;
	/* IPv6 prefix length 129 in MP_REACH -> reset 3/1 */
	static const uint8_t p129[] = {129, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
				       0,   0,	  0,	0,    0,    0, 0, 0};
	l = mp_reach_v6(v, nh6, 16, p129, sizeof p129);
	tb_attr(0x40, ATTR_ORIGIN, origin_igp, 1);
	tb_attr(0x40, ATTR_AS_PATH, path_4, sizeof path_4);
	tb_attr(0x80, ATTR_MP_REACH, v, l);
	assert_int_equal(parse(), -1);
	expect_reset(1);
	/* next-hop length inconsistent with the AFI -> reset 3/1 */
	static const uint8_t pfx[] = {32, 0x20, 0x01, 0x0d, 0xb8};
	static const uint8_t nhl[] = {4, 8, 24, 0};
	static const uint8_t nh_big[32] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	for (size_t i = 0; i < sizeof nhl; i++) {
		tb_reset();
		l = mp_reach_v6(v, nh_big, nhl[i], pfx, sizeof pfx);
		tb_attr(0x40, ATTR_ORIGIN, origin_igp, 1);
		tb_attr(0x40, ATTR_AS_PATH, path_4, sizeof path_4);
		tb_attr(0x80, ATTR_MP_REACH, v, l);
		assert_int_equal(parse(), -1);
		expect_reset(1);
		assert_string_equal(u.reason, "MP_REACH_NLRI: bad next hop length");
	}
	/* MP_REACH shorter than 5, next hop running past the attribute -> reset 3/1 */
	static const uint8_t short4[] = {0, 2, 1, 0};
	static const uint8_t nh_over[] = {0, 2, 1, 16, 0x20, 0x01, 0};
	tb_reset();
	tb_attr(0x80, ATTR_MP_REACH, short4, sizeof short4);
	assert_int_equal(parse(), -1);
	expect_reset(1);
	tb_reset();
	tb_attr(0x80, ATTR_MP_REACH, nh_over, sizeof nh_over);
	assert_int_equal(parse(), -1);
	expect_reset(1);
	/* MP_UNREACH shorter than 3, or with a bad prefix -> reset 3/1 */
	static const uint8_t unr2[] = {0, 2};
	static const uint8_t unr_bad[] = {0, 1, 1, 40, 10, 0, 0, 0, 0};
	tb_reset();
	tb_attr(0x80, ATTR_MP_UNREACH, unr2, sizeof unr2);
	assert_int_equal(parse(), -1);
	expect_reset(1);
	tb_reset();
	tb_attr(0x80, ATTR_MP_UNREACH, unr_bad, sizeof unr_bad);
	assert_int_equal(parse(), -1);
	expect_reset(1);
	/* MP flags wrong (transitive) -> reset 3/4 with the attribute */
	tb_reset();
	l = mp_reach_v6(v, nh6, 16, pfx, sizeof pfx);
	tb_attr(0x40, ATTR_ORIGIN, origin_igp, 1);
	tb_attr(0x40, ATTR_AS_PATH, path_4, sizeof path_4);
	tb_attr(0xc0, ATTR_MP_REACH, v, l);
	assert_int_equal(parse(), -1);
	expect_reset(4);
	assert_int_equal(u.notify.data_len, 3 + l);
	assert_int_equal(u.notify.data[0], 0xc0);
	assert_int_equal(u.notify.data[1], ATTR_MP_REACH);
	/* unknown AFI/SAFI: skipped, not an error */
	static const uint8_t vpn[] = {0, 1, 128, 12, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 1, 0};
	tb_reset();
	tb_attr(0x40, ATTR_ORIGIN, origin_igp, 1);
	tb_attr(0x40, ATTR_AS_PATH, path_4, sizeof path_4);
	tb_attr(0x80, ATTR_MP_REACH, vpn, sizeof vpn);
	assert_int_equal(parse(), 0);
	expect_action(BGP_UPD_OK, NULL);
	assert_false(u.has_mp_reach);
}

static void
test_attr_overrun_taw(void **state)
{
	(void)state;
	/* 4: an attribute running past TPAL -> treat-as-withdraw, NLRI found through TPAL */
	static const uint8_t med_cut[] = {0x80, ATTR_MED, 4, 0, 0};
	tb_std();
	tb_raw_attr(med_cut, sizeof med_cut);
	tb_nlri("10.0.0.0/8");
	tb_nlri("172.16.0.0/12");
	assert_int_equal(parse(), 0);
	expect_action(BGP_UPD_TREAT_AS_WITHDRAW, "attribute list");
	static const char *const want[] = {"10.0.0.0/8", "172.16.0.0/12"};
	expect_prefixes(&u.nlri, want, 2);
	assert_int_equal(u.attrs.nh_len, 4); /* attributes before it were read */
	/* fewer than 3 octets left for a header */
	static const uint8_t hdr_cut[] = {0x40, ATTR_ORIGIN};
	tb_reset();
	tb_std();
	tb_raw_attr(hdr_cut, sizeof hdr_cut);
	tb_nlri("10.0.0.0/8");
	assert_int_equal(parse(), 0);
	expect_action(BGP_UPD_TREAT_AS_WITHDRAW, NULL);
	/* extended length flag but only 3 octets */
	static const uint8_t ext_cut[] = {0x90, 99, 0};
	tb_reset();
	tb_std();
	tb_raw_attr(ext_cut, sizeof ext_cut);
	tb_nlri("10.0.0.0/8");
	assert_int_equal(parse(), 0);
	expect_action(BGP_UPD_TREAT_AS_WITHDRAW, NULL);
	/* the overrunning attribute is MP_REACH: its NLRI cannot be found -> reset 3/1 */
	static const uint8_t mp_cut[] = {0x90, ATTR_MP_REACH, 0, 40, 0, 2, 1};
	tb_reset();
	tb_std();
	tb_raw_attr(mp_cut, sizeof mp_cut);
	assert_int_equal(parse(), -1);
	expect_reset(1);
}

static void
test_missing_wellknown(void **state)
{
	(void)state;
	/* 3d: AS_PATH missing -> treat-as-withdraw */
	tb_attr(0x40, ATTR_ORIGIN, origin_igp, 1);
	tb_attr(0x40, ATTR_NEXT_HOP, nh_v4, 4);
	tb_nlri("10.0.0.0/8");
	assert_int_equal(parse(), 0);
	expect_action(BGP_UPD_TREAT_AS_WITHDRAW, "AS_PATH: missing");
	static const char *const want[] = {"10.0.0.0/8"};
	expect_prefixes(&u.nlri, want, 1);
	/* ORIGIN missing */
	tb_reset();
	tb_attr(0x40, ATTR_AS_PATH, path_4, sizeof path_4);
	tb_attr(0x40, ATTR_NEXT_HOP, nh_v4, 4);
	tb_nlri("10.0.0.0/8");
	assert_int_equal(parse(), 0);
	expect_action(BGP_UPD_TREAT_AS_WITHDRAW, "ORIGIN: missing");
	/* NEXT_HOP missing with classic NLRI */
	tb_reset();
	tb_attr(0x40, ATTR_ORIGIN, origin_igp, 1);
	tb_attr(0x40, ATTR_AS_PATH, path_4, sizeof path_4);
	tb_nlri("10.0.0.0/8");
	assert_int_equal(parse(), 0);
	expect_action(BGP_UPD_TREAT_AS_WITHDRAW, "NEXT_HOP: missing");
	/* ... but not needed with MP NLRI only, and a bad one is ignored there */
	uint8_t v[64];
	static const uint8_t pfx[] = {32, 0x20, 0x01, 0x0d, 0xb8};
	size_t l = mp_reach_v6(v, nh6, 16, pfx, sizeof pfx);
	static const uint8_t nh_bad[] = {127, 0, 0, 1};
	tb_reset();
	tb_attr(0x90, ATTR_MP_REACH, v, l);
	tb_attr(0x40, ATTR_ORIGIN, origin_igp, 1);
	tb_attr(0x40, ATTR_AS_PATH, path_4, sizeof path_4);
	tb_attr(0x40, ATTR_NEXT_HOP, nh_bad, 4);
	assert_int_equal(parse(), 0);
	expect_action(BGP_UPD_OK, NULL);
	assert_int_equal(u.attrs.nh_len, 16);
	/* withdrawals only: nothing is mandatory */
	tb_reset();
	tb_withdrawn("10.0.0.0/8");
	assert_int_equal(parse(), 0);
	expect_action(BGP_UPD_OK, NULL);
	assert_false(u.has_attrs);
	/* MP NLRI need AS_PATH too */
	tb_reset();
	tb_attr(0x40, ATTR_ORIGIN, origin_igp, 1);
	tb_attr(0x90, ATTR_MP_REACH, v, l);
	assert_int_equal(parse(), 0);
	expect_action(BGP_UPD_TREAT_AS_WITHDRAW, "AS_PATH: missing");
}

static void
test_rfc7606_5_2(void **state)
{
	(void)state;
	/* attributes, no NLRI, error stronger than discard, not an EoR -> reset */
	static const uint8_t three[] = {3};
	tb_attr(0x40, ATTR_ORIGIN, three, 1);
	tb_attr(0x40, ATTR_AS_PATH, path_4, sizeof path_4);
	tb_withdrawn("10.0.0.0/8");
	assert_int_equal(parse(), -1);
	expect_reset(6); /* Invalid ORIGIN, data = the attribute */
	static const uint8_t attr[] = {0x40, 1, 1, 3};
	assert_int_equal(u.notify.data_len, sizeof attr);
	assert_memory_equal(u.notify.data, attr, sizeof attr);
	/* the same with only an attribute-discard error: processed */
	static const uint8_t agg_bad[] = {1, 2, 3};
	tb_reset();
	tb_attr(0x40, ATTR_ORIGIN, origin_igp, 1);
	tb_attr(0xc0, ATTR_AGGREGATOR, agg_bad, 3);
	tb_withdrawn("10.0.0.0/8");
	assert_int_equal(parse(), 0);
	expect_action(BGP_UPD_ATTR_DISCARD, "AGGREGATOR");
	static const char *const want[] = {"10.0.0.0/8"};
	expect_prefixes(&u.withdrawn, want, 1);
	/* attributes only, bad COMMUNITIES -> reset 3/5 */
	static const uint8_t c3[] = {1, 2, 3};
	tb_reset();
	tb_attr(0xc0, ATTR_COMMUNITIES, c3, 3);
	assert_int_equal(parse(), -1);
	expect_reset(5);
}

/* ---- 2-octet sessions (RFC 6793) ---- */

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Reads the merged path as "T:a,b,c T:d" for comparison. */
static void
path_str(const struct attrs *a, char *out, size_t len)
{
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; a->aspath != NULL && i + 2 <= a->aspath->len;) {
		uint8_t t = a->aspath->data[i], c = a->aspath->data[i + 1];
		o += (size_t)snprintf(out + o, len - o, "%s%u:", o ? " " : "", t);
		for (unsigned k = 0; k < c; k++)
			o += (size_t)snprintf(out + o, len - o, "%s%u", k ? "," : "",
					      get32(a->aspath->data + i + 2 + 4 * k));
		i += 2 + 4 * (size_t)c;
	}
}

static void
as2_update(const uint8_t *path, size_t pl, const uint8_t *as4, size_t l4, const uint8_t *agg,
	   const uint8_t *agg4)
{
	tb_reset();
	tb_attr(0x40, ATTR_ORIGIN, origin_igp, 1);
	tb_attr(0x40, ATTR_AS_PATH, path, pl);
	tb_attr(0x40, ATTR_NEXT_HOP, nh_v4, 4);
	if (agg != NULL)
		tb_attr(0xc0, ATTR_AGGREGATOR, agg, 6);
	if (as4 != NULL)
		tb_attr(0xc0, ATTR_AS4_PATH, as4, l4);
	if (agg4 != NULL)
		tb_attr(0xc0, ATTR_AS4_AGGREGATOR, agg4, 8);
	tb_nlri("10.0.0.0/8");
}

static void
test_as4_merge(void **state)
{
	(void)state;
	char s[256];
	ctx_set(false, false);
	/* AS_PATH 64500 23456 23456 {1,2} with AS4_PATH 4200000001 4200000002 {1,2} */
	static const uint8_t path[] = {2, 3, 0xfb, 0xf4, 0x5b, 0xa0, 0x5b, 0xa0, 1, 2, 0, 1, 0, 2};
	static const uint8_t as4[] = {2, 2, 0xfa, 0x56, 0xea, 0x01, 0xfa, 0x56, 0xea, 0x02,
				      1, 2, 0,	  0,	0,    1,    0,	  0,	0,    2};
	as2_update(path, sizeof path, as4, sizeof as4, NULL, NULL);
	assert_int_equal(parse(), 0);
	expect_action(BGP_UPD_OK, NULL);
	path_str(&u.attrs, s, sizeof s);
	assert_string_equal(s, "2:64500 2:4200000001,4200000002 1:1,2");
	assert_int_equal(attr_aspath_len(&u.attrs), 4);

	/* no AS4_PATH: widened as it is */
	as2_update(path, sizeof path, NULL, 0, NULL, NULL);
	assert_int_equal(parse(), 0);
	path_str(&u.attrs, s, sizeof s);
	assert_string_equal(s, "2:64500,23456,23456 1:1,2");

	/* AS4_PATH longer than AS_PATH: ignored */
	static const uint8_t short_path[] = {2, 1, 0x5b, 0xa0};
	as2_update(short_path, sizeof short_path, as4, sizeof as4, NULL, NULL);
	assert_int_equal(parse(), 0);
	path_str(&u.attrs, s, sizeof s);
	assert_string_equal(s, "2:23456");

	/* AGGREGATOR not AS_TRANS: AS4_PATH and AS4_AGGREGATOR ignored */
	static const uint8_t agg[] = {0xfb, 0xf4, 10, 0, 0, 1};
	static const uint8_t agg4[] = {0xfa, 0x56, 0xea, 0x01, 10, 0, 0, 2};
	as2_update(path, sizeof path, as4, sizeof as4, agg, agg4);
	assert_int_equal(parse(), 0);
	path_str(&u.attrs, s, sizeof s);
	assert_string_equal(s, "2:64500,23456,23456 1:1,2");
	assert_int_equal(u.attrs.agg_as, 64500);
	assert_int_equal(u.attrs.agg_id, 0x0a000001);
	/* AGGREGATOR AS_TRANS: AS4_AGGREGATOR replaces it, AS4_PATH merged */
	static const uint8_t agg_trans[] = {0x5b, 0xa0, 10, 0, 0, 1};
	as2_update(path, sizeof path, as4, sizeof as4, agg_trans, agg4);
	assert_int_equal(parse(), 0);
	assert_int_equal(u.attrs.agg_as, 4200000001u);
	assert_int_equal(u.attrs.agg_id, 0x0a000002);
	path_str(&u.attrs, s, sizeof s);
	assert_string_equal(s, "2:64500 2:4200000001,4200000002 1:1,2");

	/* confed segments inside AS4_PATH dropped, the rest used */
	static const uint8_t as4c[] = {3,    1,	   0,	 0,    0xfc, 0,	   2,	 2, 0xfa,
				       0x56, 0xea, 0x01, 0xfa, 0x56, 0xea, 0x02, 1, 2,
				       0,    0,	   0,	 1,    0,    0,	   0,	 2};
	as2_update(path, sizeof path, as4c, sizeof as4c, NULL, NULL);
	assert_int_equal(parse(), 0);
	path_str(&u.attrs, s, sizeof s);
	assert_string_equal(s, "2:64500 2:4200000001,4200000002 1:1,2");

	/* malformed AS4_PATH -> attribute discard, AS_PATH widened */
	static const uint8_t as4bad[] = {2, 2, 0, 0, 0, 1};
	as2_update(path, sizeof path, as4bad, sizeof as4bad, NULL, NULL);
	assert_int_equal(parse(), 0);
	expect_action(BGP_UPD_ATTR_DISCARD, "AS4_PATH");
	path_str(&u.attrs, s, sizeof s);
	assert_string_equal(s, "2:64500,23456,23456 1:1,2");
	/* malformed AS4_AGGREGATOR -> discard */
	as2_update(path, sizeof path, NULL, 0, agg_trans, NULL);
	tb_attr(0xc0, ATTR_AS4_AGGREGATOR, agg4, 7);
	assert_int_equal(parse(), 0);
	expect_action(BGP_UPD_ATTR_DISCARD, "AS4_AGGREGATOR");
	assert_int_equal(u.attrs.agg_as, BGP_AS_TRANS);

	/* a 2-octet AGGREGATOR is 6 octets; 8 is an error on a 2-octet session */
	as2_update(path, sizeof path, NULL, 0, NULL, NULL);
	tb_attr(0xc0, ATTR_AGGREGATOR, agg4, 8);
	assert_int_equal(parse(), 0);
	expect_action(BGP_UPD_ATTR_DISCARD, "AGGREGATOR: bad length");
	/* a 4-octet AS_PATH sent on a 2-octet session is malformed */
	static const uint8_t p4[] = {2, 1, 0, 0, 0xfb, 0xf4};
	check_aspath(p4, sizeof p4, BGP_UPD_TREAT_AS_WITHDRAW);
}

/* ---- unknown attributes ---- */

static void
test_unknown_attrs(void **state)
{
	(void)state;
	static const uint8_t v1[] = {1, 2, 3};
	static uint8_t v2[300];
	memset(v2, 0xab, sizeof v2);
	/* unknown optional transitive: kept, Partial set, ascending type, extended when long */
	tb_std();
	tb_attr(0xc0, 200, v1, sizeof v1);
	tb_attr(0xd0, 99, v2, sizeof v2);
	tb_attr(0xe0, 150, NULL, 0);
	tb_attr(0x80, 201, v1, sizeof v1); /* optional non-transitive: dropped */
	tb_nlri("10.0.0.0/8");
	assert_int_equal(parse(), 0);
	expect_action(BGP_UPD_OK, NULL);
	const struct attr_blob *b = u.attrs.unknown;
	assert_non_null(b);
	assert_int_equal(b->kind, ATTR_BLOB_UNKNOWN);
	assert_int_equal(b->len, 4 + 300 + 3 + 3 + 3);
	assert_int_equal(b->data[0], 0xf0); /* O T P X */
	assert_int_equal(b->data[1], 99);
	assert_int_equal(b->data[2] << 8 | b->data[3], 300);
	assert_int_equal(b->data[304], 0xe0);
	assert_int_equal(b->data[305], 150);
	assert_int_equal(b->data[306], 0);
	assert_int_equal(b->data[307], 0xe0);
	assert_int_equal(b->data[308], 200);
	assert_int_equal(b->data[309], 3);
	assert_memory_equal(b->data + 310, v1, 3);

	/* deprecated types are dropped, never passed on (bgp-wire.md 6) */
	static const uint8_t dpa[] = {0, 0, 0xfd, 0xe8, 0, 0, 0, 1};
	tb_reset();
	tb_std();
	tb_attr(0xc0, 11, dpa, sizeof dpa);
	tb_attr(0xc0, 21, dpa, 5);
	tb_nlri("10.0.0.0/8");
	assert_int_equal(parse(), 0);
	expect_action(BGP_UPD_OK, NULL);
	assert_null(u.attrs.unknown);

	/* unknown well-known -> reset 3/2 with the attribute */
	tb_reset();
	tb_std();
	tb_attr(0x40, 99, v1, sizeof v1);
	tb_nlri("10.0.0.0/8");
	assert_int_equal(parse(), -1);
	expect_reset(2);
	static const uint8_t want[] = {0x40, 99, 3, 1, 2, 3};
	assert_int_equal(u.notify.data_len, sizeof want);
	assert_memory_equal(u.notify.data, want, sizeof want);
}

/* ---- End-of-RIB ---- */

static void
test_eor(void **state)
{
	(void)state;
	uint8_t msg[64];
	/* both forms, from the encoder */
	size_t l = bgp_eor_encode(msg, sizeof msg, BGP_FAM_V4);
	assert_int_equal(bgp_update_parse(msg + 19, l - 19, &ctx, &u), 0);
	assert_true(u.eor);
	assert_int_equal(u.eor_fam, BGP_FAM_V4);
	expect_action(BGP_UPD_OK, NULL);
	l = bgp_eor_encode(msg, sizeof msg, BGP_FAM_V6);
	assert_int_equal(bgp_update_parse(msg + 19, l - 19, &ctx, &u), 0);
	assert_true(u.eor);
	assert_int_equal(u.eor_fam, BGP_FAM_V6);
	assert_true(u.has_mp_unreach);
	assert_int_equal(u.mp_unreach.len, 0);
	/* IPv4 in the MP form */
	static const uint8_t unr4[] = {0, 1, 1};
	tb_attr(0x80, ATTR_MP_UNREACH, unr4, 3);
	assert_int_equal(parse(), 0);
	assert_true(u.eor);
	assert_int_equal(u.eor_fam, BGP_FAM_V4);
	/* an MP_UNREACH with prefixes, or with other attributes, is no EoR */
	static const uint8_t unr6[] = {0, 2, 1, 16, 0x20, 0x01};
	tb_reset();
	tb_attr(0x80, ATTR_MP_UNREACH, unr6, sizeof unr6);
	assert_int_equal(parse(), 0);
	assert_false(u.eor);
	static const char *const want[] = {"2001::/16"};
	expect_prefixes(&u.mp_unreach, want, 1);
	tb_reset();
	tb_attr(0x80, ATTR_MP_UNREACH, unr4, 3);
	tb_attr(0x40, ATTR_ORIGIN, origin_igp, 1);
	assert_int_equal(parse(), 0);
	assert_false(u.eor);
	/* withdrawals only is no EoR either */
	tb_reset();
	tb_withdrawn("10.0.0.0/8");
	assert_int_equal(parse(), 0);
	assert_false(u.eor);
}

/* ---- ADD-PATH and MP_REACH next hops ---- */

static void
test_addpath(void **state)
{
	(void)state;
	ctx.addpath_rx = BGP_FAM_BIT(BGP_FAM_V4) | BGP_FAM_BIT(BGP_FAM_V6);
	tb_std();
	T.nll += put_prefix(T.nl + T.nll, "10.0.0.0/8", true, 7);
	T.nll += put_prefix(T.nl + T.nll, "10.0.0.0/8", true, 8);
	T.wl += put_prefix(T.wd + T.wl, "192.0.2.0/24", true, 0xdeadbeef);
	uint8_t nl6[64], v[128];
	size_t n6 = put_prefix(nl6, "2001:db8::/32", true, 3);
	size_t l = mp_reach_v6(v, nh6, 16, nl6, n6);
	tb_attr(0x80, ATTR_MP_REACH, v, l);
	uint8_t unr[64] = {0, 2, 1};
	size_t ul = 3 + put_prefix(unr + 3, "2001:db8:1::/48", true, 9);
	tb_attr(0x80, ATTR_MP_UNREACH, unr, ul);
	assert_int_equal(parse(), 0);
	expect_action(BGP_UPD_OK, NULL);
	assert_true(u.nh_split);
	struct prefix p;
	uint32_t id;
	char s[PREFIX_STRLEN];
	assert_true(u.nlri.addpath);
	assert_int_equal(bgp_nlri_next(&u.nlri, &p, &id), 1);
	assert_string_equal(prefix_fmt(&p, s), "10.0.0.0/8");
	assert_int_equal(id, 7);
	assert_int_equal(bgp_nlri_next(&u.nlri, &p, &id), 1);
	assert_int_equal(id, 8);
	assert_int_equal(bgp_nlri_next(&u.nlri, &p, &id), 0);
	assert_int_equal(bgp_nlri_next(&u.withdrawn, &p, &id), 1);
	assert_int_equal(id, 0xdeadbeef);
	assert_string_equal(prefix_fmt(&p, s), "192.0.2.0/24");
	assert_int_equal(bgp_nlri_next(&u.mp_reach, &p, &id), 1);
	assert_string_equal(prefix_fmt(&p, s), "2001:db8::/32");
	assert_int_equal(id, 3);
	assert_int_equal(bgp_nlri_next(&u.mp_unreach, &p, &id), 1);
	assert_string_equal(prefix_fmt(&p, s), "2001:db8:1::/48");
	assert_int_equal(id, 9);
	/* both kinds of NLRI: attrs.nh is NEXT_HOP, the MP one is apart */
	assert_int_equal(u.attrs.nh_len, 4);
	assert_int_equal(u.mp_nh_len, 16);
	struct attrs t;
	bgp_update_mp_attrs(&u, &t);
	assert_int_equal(t.nh_len, 16);
	assert_memory_equal(t.nh, nh6, 16);

	/* ADD-PATH only for IPv6: the classic field has no path ids; a cut id is 3/10 */
	ctx.addpath_rx = BGP_FAM_BIT(BGP_FAM_V6);
	tb_reset();
	tb_std();
	static const uint8_t cut[] = {0, 0, 0, 1, 8, 10};
	memcpy(T.nl, cut, 3);
	T.nll = 3; /* three /0 prefixes */
	assert_int_equal(parse(), 0);
	ctx.addpath_rx = BGP_FAM_BIT(BGP_FAM_V4);
	assert_int_equal(parse(), -1);
	expect_reset(10);
	memcpy(T.nl, cut, sizeof cut);
	T.nll = sizeof cut;
	assert_int_equal(parse(), 0);
	assert_int_equal(bgp_nlri_next(&u.nlri, &p, &id), 1);
	assert_int_equal(id, 1);
	assert_string_equal(prefix_fmt(&p, s), "10.0.0.0/8");
}

static void
test_mp_next_hops(void **state)
{
	(void)state;
	uint8_t v[128];
	static const uint8_t pfx[] = {32, 0x20, 0x01, 0x0d, 0xb8};
	/* IPv6 global + link-local (32 octets) */
	uint8_t nh32[32];
	memcpy(nh32, nh6, 16);
	memset(nh32 + 16, 0, 16);
	nh32[16] = 0xfe, nh32[17] = 0x80, nh32[31] = 1;
	size_t l = mp_reach_v6(v, nh32, 32, pfx, sizeof pfx);
	tb_attr(0x90, ATTR_MP_REACH, v, l);
	tb_attr(0x40, ATTR_ORIGIN, origin_igp, 1);
	tb_attr(0x40, ATTR_AS_PATH, path_4, sizeof path_4);
	assert_int_equal(parse(), 0);
	expect_action(BGP_UPD_OK, NULL);
	assert_true(u.has_mp_reach);
	assert_int_equal(u.mp_reach.fam, BGP_FAM_V6);
	assert_int_equal(u.attrs.nh_len, 32);
	assert_memory_equal(u.attrs.nh, nh32, 32);
	assert_false(u.nh_split);
	static const char *const want[] = {"2001:db8::/32"};
	expect_prefixes(&u.mp_reach, want, 1);

	/* IPv4 NLRI with an IPv6 next hop (RFC 8950) */
	static const uint8_t nl4[] = {24, 198, 51, 100};
	tb_reset();
	l = mp_reach_v6(v, nh6, 16, nl4, sizeof nl4);
	v[1] = 1; /* AFI 1 */
	tb_attr(0x90, ATTR_MP_REACH, v, l);
	tb_attr(0x40, ATTR_ORIGIN, origin_igp, 1);
	tb_attr(0x40, ATTR_AS_PATH, path_4, sizeof path_4);
	assert_int_equal(parse(), 0);
	expect_action(BGP_UPD_OK, NULL);
	assert_int_equal(u.mp_reach.fam, BGP_FAM_V4);
	assert_int_equal(u.attrs.nh_len, 16);
	static const char *const want4[] = {"198.51.100.0/24"};
	expect_prefixes(&u.mp_reach, want4, 1);

	/* IPv4 NLRI in MP_REACH with an IPv4 next hop that is not a unicast host -> t-a-w */
	static const uint8_t nhz[4] = {0, 0, 0, 0};
	tb_reset();
	l = mp_reach_v6(v, nhz, 4, nl4, sizeof nl4);
	v[1] = 1;
	tb_attr(0x90, ATTR_MP_REACH, v, l);
	tb_attr(0x40, ATTR_ORIGIN, origin_igp, 1);
	tb_attr(0x40, ATTR_AS_PATH, path_4, sizeof path_4);
	assert_int_equal(parse(), 0);
	expect_action(BGP_UPD_TREAT_AS_WITHDRAW, "MP_REACH_NLRI: next hop");
	expect_prefixes(&u.mp_reach, want4, 1);
}

/* The global slot of an IPv6 next hop: ::, multicast, link-local -> treat-as-withdraw. */
static void
test_mp_bad_v6_next_hops(void **state)
{
	(void)state;
	static const uint8_t pfx[] = {32, 0x20, 0x01, 0x0d, 0xb8};
	static const uint8_t nl4[] = {24, 198, 51, 100};
	static const uint8_t bad[][16] = {
	    {0},				 /* :: */
	    {0xff, 0x02, [15] = 1},		 /* ff02::1 */
	    {0xff, 0x0e, [15] = 5},		 /* ff0e::5 */
	    {0xfe, 0x80, [15] = 1},		 /* fe80::1 */
	    {0xfe, 0xbf, [14] = 0xab, [15] = 1}, /* febf::ab01, still fe80::/10 */
	};
	static const uint8_t good[][16] = {
	    {0xfe, 0xc0, [15] = 1}, /* fec0::1 (deprecated site-local, not ours to refuse) */
	    {0xfd, 0x00, [15] = 1}, /* fd00::1 (ULA) */
	    {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, /* ::1 */
	};
	uint8_t v[128], nh32[32];
	for (int fam = 0; fam < 2; fam++) {
		for (size_t i = 0; i < sizeof bad / sizeof bad[0] + sizeof good / sizeof good[0];
		     i++) {
			bool is_bad = i < sizeof bad / sizeof bad[0];
			const uint8_t *nh = is_bad ? bad[i] : good[i - sizeof bad / sizeof bad[0]];
			for (int nhl = 16; nhl <= 32; nhl += 16) {
				memcpy(nh32, nh, 16);
				memset(nh32 + 16, 0, 16);
				nh32[16] = 0xfe, nh32[17] = 0x80, nh32[31] = 9;
				tb_reset();
				size_t l =
				    fam == 0 ? mp_reach_v6(v, nh32, (uint8_t)nhl, nl4, sizeof nl4)
					     : mp_reach_v6(v, nh32, (uint8_t)nhl, pfx, sizeof pfx);
				if (fam == 0)
					v[1] = 1; /* RFC 8950: IPv4 NLRI, IPv6 next hop */
				tb_attr(0x90, ATTR_MP_REACH, v, l);
				tb_attr(0x40, ATTR_ORIGIN, origin_igp, 1);
				tb_attr(0x40, ATTR_AS_PATH, path_4, sizeof path_4);
				assert_int_equal(parse(), 0);
				if (is_bad) {
					expect_action(BGP_UPD_TREAT_AS_WITHDRAW,
						      "MP_REACH_NLRI: IPv6 next hop");
					/* the prefixes stay iterable, to be withdrawn */
					assert_true(u.has_mp_reach);
					assert_int_equal(u.mp_reach.len,
							 fam == 0 ? sizeof nl4 : sizeof pfx);
				} else {
					expect_action(BGP_UPD_OK, NULL);
				}
			}
		}
	}
}

/* RFC 4760 7: NLRI of a family that was not negotiated is ignored, never imported. */
static void
test_unnegotiated_family(void **state)
{
	(void)state;
	static const uint8_t pfx[] = {32, 0x20, 0x01, 0x0d, 0xb8};
	uint8_t v[128];
	/* IPv4-only session: an IPv6 MP_REACH is dropped, the classic NLRI is kept */
	ctx.fams = BGP_FAM_BIT(BGP_FAM_V4);
	tb_std();
	tb_nlri("10.0.0.0/8");
	size_t l = mp_reach_v6(v, nh6, 16, pfx, sizeof pfx);
	tb_attr(0x90, ATTR_MP_REACH, v, l);
	assert_int_equal(parse(), 0);
	expect_action(BGP_UPD_OK, NULL);
	assert_false(u.has_mp_reach);
	assert_int_equal(u.mp_reach.len, 0);
	assert_int_equal(u.ignored_fams, BGP_FAM_BIT(BGP_FAM_V6));
	static const char *const want[] = {"10.0.0.0/8"};
	expect_prefixes(&u.nlri, want, 1);
	assert_int_equal(u.attrs.nh_len, 4);

	/* only an IPv6 MP_REACH, not negotiated: nothing to announce, no missing attribute */
	tb_reset();
	tb_attr(0x90, ATTR_MP_REACH, v, l);
	assert_int_equal(parse(), 0);
	expect_action(BGP_UPD_OK, NULL);
	assert_false(u.has_mp_reach);
	assert_int_equal(u.ignored_fams, BGP_FAM_BIT(BGP_FAM_V6));

	/* and its withdrawals; an empty MP_UNREACH (End-of-RIB) is no ignored NLRI */
	uint8_t unr[16] = {0, 2, 1};
	memcpy(unr + 3, pfx, sizeof pfx);
	tb_reset();
	tb_attr(0x80, ATTR_MP_UNREACH, unr, 3 + sizeof pfx);
	assert_int_equal(parse(), 0);
	assert_false(u.has_mp_unreach);
	assert_int_equal(u.ignored_fams, BGP_FAM_BIT(BGP_FAM_V6));
	tb_reset();
	tb_attr(0x80, ATTR_MP_UNREACH, unr, 3);
	assert_int_equal(parse(), 0);
	assert_int_equal(u.ignored_fams, 0);

	/* IPv6-only session: classic withdrawn and NLRI fields are ignored */
	ctx.fams = BGP_FAM_BIT(BGP_FAM_V6);
	tb_reset();
	tb_std();
	tb_nlri("10.0.0.0/8");
	tb_withdrawn("192.0.2.0/24");
	assert_int_equal(parse(), 0);
	expect_action(BGP_UPD_OK, NULL);
	assert_int_equal(u.ignored_fams, BGP_FAM_BIT(BGP_FAM_V4));
	struct prefix p;
	assert_int_equal(bgp_nlri_next(&u.nlri, &p, NULL), 0);
	assert_int_equal(bgp_nlri_next(&u.withdrawn, &p, NULL), 0);
	/* ... and so is IPv4 NLRI in MP_REACH (RFC 8950) */
	static const uint8_t nl4[] = {24, 198, 51, 100};
	tb_reset();
	l = mp_reach_v6(v, nh6, 16, nl4, sizeof nl4);
	v[1] = 1;
	tb_attr(0x90, ATTR_MP_REACH, v, l);
	tb_attr(0x40, ATTR_ORIGIN, origin_igp, 1);
	tb_attr(0x40, ATTR_AS_PATH, path_4, sizeof path_4);
	assert_int_equal(parse(), 0);
	assert_false(u.has_mp_reach);
	assert_int_equal(u.ignored_fams, BGP_FAM_BIT(BGP_FAM_V4));
	/* a framing error in an ignored family still resets (the message is broken) */
	tb_reset();
	tb_std();
	static const uint8_t cut[] = {24, 10};
	memcpy(T.nl, cut, sizeof cut);
	T.nll = sizeof cut;
	assert_int_equal(parse(), -1);
	expect_reset(10);
}

static void
test_large_communities_dedup(void **state)
{
	(void)state;
	uint8_t v[48];
	for (int i = 0; i < 4; i++) {
		memset(v + 12 * i, 0, 12);
		v[12 * i + 11] = (uint8_t)(i == 3 ? 1 : 2 - i % 2); /* 2, 1, 2, 1 */
	}
	check_attr(false, 0xc0, ATTR_LARGE_COMMUNITIES, v, 48, BGP_UPD_OK);
	assert_int_equal(u.attrs.lcomms->len, 24);
	assert_int_equal(u.attrs.lcomms->data[11], 1);
	assert_int_equal(u.attrs.lcomms->data[23], 2);
}

/* ---- pack -> parse round trips ---- */

static struct attrs *
rich_attrs(void)
{
	struct attrs t;
	static const uint8_t path[] = {2,    3,	   0, 0, 0xfb, 0xf4, 0xfa, 0x56, 0xea, 0x01, 0, 0,
				       0xfd, 0xe8, 1, 2, 0,    0,    0,	   7,	 0,    0,    0, 8};
	static const uint8_t comm[] = {0xfd, 0xe8, 0, 1, 0xff, 0xff, 0xff, 0x01};
	static const uint8_t lcomm[] = {0, 0, 0xfd, 0xe8, 0, 0, 0, 1, 0, 0, 0, 2};
	static const uint8_t ecomm[] = {0, 2, 0xfd, 0xe8, 0, 0, 0, 1};
	static const uint8_t cl[] = {10, 0, 0, 1, 10, 0, 0, 2};
	static const uint8_t unk[] = {0xe0, 33, 2, 9, 9, 0xe0, 99, 1, 5};
	memset(&t, 0, sizeof t);
	t.origin = ORIGIN_EGP;
	t.flags = ATTRS_MED | ATTRS_LOCAL_PREF | ATTRS_ATOMIC_AGG | ATTRS_AGGREGATOR |
		  ATTRS_ORIGINATOR | ATTRS_OTC;
	t.med = 5;
	t.local_pref = 300;
	t.agg_as = 4200000001u;
	t.agg_id = 0x0a000009;
	t.originator_id = 0x0a0000ff;
	t.otc = 64500;
	t.nh_len = 4;
	memcpy(t.nh, nh_v4, 4);
	t.aspath = attr_blob_intern(ATTR_AS_PATH, path, sizeof path);
	t.comms = attr_blob_intern(ATTR_COMMUNITIES, comm, sizeof comm);
	t.lcomms = attr_blob_intern(ATTR_LARGE_COMMUNITIES, lcomm, sizeof lcomm);
	t.ecomms = attr_blob_intern(ATTR_EXT_COMMUNITIES, ecomm, sizeof ecomm);
	t.clusters = attr_blob_intern(ATTR_CLUSTER_LIST, cl, sizeof cl);
	t.unknown = attr_blob_intern(ATTR_BLOB_UNKNOWN, unk, sizeof unk);
	struct attrs *a = attr_intern(&t);
	attr_blob_unref(t.aspath);
	attr_blob_unref(t.comms);
	attr_blob_unref(t.lcomms);
	attr_blob_unref(t.ecomms);
	attr_blob_unref(t.clusters);
	attr_blob_unref(t.unknown);
	return a;
}

static void
gen_prefix(struct prefix *p, enum bgp_fam f, unsigned i)
{
	memset(p, 0, sizeof *p);
	if (f == BGP_FAM_V4) {
		p->af = AF_INET;
		p->len = (uint8_t)(16 + i % 17);
		p->a[0] = (uint8_t)(1 + i / 65536 % 200), p->a[1] = (uint8_t)(i >> 8);
		p->a[2] = (uint8_t)i, p->a[3] = (uint8_t)(i * 7);
	} else {
		p->af = AF_INET6;
		p->len = (uint8_t)(32 + i % 97);
		p->a[0] = 0x20, p->a[1] = 0x01, p->a[2] = (uint8_t)(i >> 8), p->a[3] = (uint8_t)i;
		for (int k = 4; k < 16; k++)
			p->a[k] = (uint8_t)(i * k);
	}
	prefix_mask(p);
}

/* Packs prefixes from 'first' until full; parses the result; checks attributes and prefixes. */
static unsigned
roundtrip(struct attrs *a, enum bgp_fam f, const struct bgp_enc_ctx *enc, unsigned first,
	  bool withdraw)
{
	static uint8_t buf[BGP_MAX_EXT_MSG];
	struct bgp_upd_builder b;
	if (withdraw)
		assert_int_equal(bgp_ub_withdraw(&b, buf, enc, f), 0);
	else
		assert_int_equal(bgp_ub_announce(&b, buf, enc, f, a), 0);
	unsigned n = 0;
	struct prefix p;
	for (;; n++) {
		gen_prefix(&p, f, first + n);
		if (bgp_ub_add(&b, &p) < 0)
			break;
	}
	assert_true(n > 0);
	size_t len = bgp_ub_finish(&b);
	assert_true(len <= enc->max_msg);
	/* full: not even the smallest further prefix would have fitted much */
	assert_true(len + (f == BGP_FAM_V4 ? 9 : 21) > enc->max_msg);
	uint8_t type;
	uint16_t mlen;
	struct bgp_notify nt;
	assert_int_equal(bgp_msg_header(buf, enc->max_msg, &type, &mlen, &nt), 0);
	assert_int_equal(type, BGP_UPDATE);
	assert_int_equal(mlen, len);

	ctx_set(enc->as4, true);
	ctx.addpath_rx = enc->addpath_tx;
	assert_int_equal(bgp_update_parse(buf + 19, len - 19, &ctx, &u), 0);
	expect_action(BGP_UPD_OK, NULL);
	struct bgp_nlri *nl;
	if (withdraw)
		nl = f == BGP_FAM_V4 ? &u.withdrawn : &u.mp_unreach;
	else
		nl = a->nh_len == 4 && f == BGP_FAM_V4 ? &u.nlri : &u.mp_reach;
	assert_int_equal(nl->fam, f);
	unsigned got = 0;
	struct prefix q;
	uint32_t id;
	while (bgp_nlri_next(nl, &q, &id) == 1) {
		gen_prefix(&p, f, first + got);
		assert_true(prefix_eq(&p, &q));
		assert_int_equal(id, (enc->addpath_tx & BGP_FAM_BIT(f)) ? 1 : 0);
		got++;
	}
	assert_int_equal(got, n);
	if (!withdraw) {
		struct attrs *back = attr_intern(&u.attrs);
		assert_ptr_equal(back, a); /* exactly the same set */
		attr_unref(back);
	} else {
		assert_false(u.has_attrs && f == BGP_FAM_V4);
	}
	return n;
}

/* Attribute type codes of an encoded UPDATE, in order. */
static size_t
attr_types(const uint8_t *msg, uint8_t *types)
{
	size_t wl = (size_t)(msg[19] << 8 | msg[20]);
	const uint8_t *p = msg + 21 + wl;
	size_t tl = (size_t)(p[0] << 8 | p[1]), n = 0;
	p += 2;
	for (size_t i = 0; i < tl;) {
		types[n++] = p[i + 1];
		size_t l = (p[i] & 0x10) ? (size_t)(p[i + 2] << 8 | p[i + 3]) : p[i + 2];
		i += ((p[i] & 0x10) ? 4 : 3) + l;
	}
	return n;
}

static void
test_pack_roundtrip_v4(void **state)
{
	(void)state;
	struct attrs *a = rich_attrs();
	struct bgp_enc_ctx enc = {.as4 = true, .max_msg = BGP_MAX_MSG, .addpath_tx = 0};
	unsigned n4096 = roundtrip(a, BGP_FAM_V4, &enc, 0, false);
	enc.max_msg = BGP_MAX_EXT_MSG;
	unsigned n65535 = roundtrip(a, BGP_FAM_V4, &enc, 0, false);
	assert_true(n65535 > 10 * n4096);
	enc.addpath_tx = BGP_FAM_BIT(BGP_FAM_V4);
	enc.max_msg = BGP_MAX_MSG;
	unsigned nap = roundtrip(a, BGP_FAM_V4, &enc, 100, false);
	assert_true(nap < n4096);
	/* withdrawals: classic field */
	roundtrip(a, BGP_FAM_V4, &enc, 0, true);
	enc.addpath_tx = 0;
	roundtrip(a, BGP_FAM_V4, &enc, 0, true);

	/* ascending type order, NEXT_HOP in its place, unknowns merged by type */
	static uint8_t buf[BGP_MAX_MSG];
	struct bgp_upd_builder b;
	struct prefix p;
	assert_int_equal(bgp_ub_announce(&b, buf, &enc, BGP_FAM_V4, a), 0);
	gen_prefix(&p, BGP_FAM_V4, 1);
	assert_int_equal(bgp_ub_add(&b, &p), 0);
	assert_true(bgp_ub_finish(&b) > 0);
	uint8_t types[64];
	size_t nt = attr_types(buf, types);
	static const uint8_t want[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 16, 32, 33, 35, 99};
	assert_int_equal(nt, sizeof want);
	assert_memory_equal(types, want, sizeof want);
	attr_unref(a);
}

static void
test_pack_roundtrip_v6(void **state)
{
	(void)state;
	struct attrs *r = rich_attrs();
	struct attrs t;
	attr_copy(&t, r);
	t.nh_len = 16;
	memcpy(t.nh, nh6, 16);
	struct attrs *a = attr_intern(&t);
	attr_unref(r);
	struct bgp_enc_ctx enc = {.as4 = true, .max_msg = BGP_MAX_MSG, .addpath_tx = 0};
	unsigned n4096 = roundtrip(a, BGP_FAM_V6, &enc, 0, false);
	enc.max_msg = BGP_MAX_EXT_MSG;
	unsigned n65535 = roundtrip(a, BGP_FAM_V6, &enc, 0, false);
	assert_true(n65535 > 10 * n4096);
	enc.addpath_tx = BGP_FAM_BIT(BGP_FAM_V6);
	roundtrip(a, BGP_FAM_V6, &enc, 7, false);
	roundtrip(a, BGP_FAM_V6, &enc, 7, true);
	enc.max_msg = BGP_MAX_MSG;
	roundtrip(a, BGP_FAM_V6, &enc, 7, true);
	/* RFC 8950: IPv4 prefixes in MP_REACH with the IPv6 next hop */
	enc.addpath_tx = 0;
	roundtrip(a, BGP_FAM_V4, &enc, 0, false);

	/* MP_REACH first, then the others ascending */
	static uint8_t buf[BGP_MAX_MSG];
	struct bgp_upd_builder b;
	struct prefix p;
	assert_int_equal(bgp_ub_announce(&b, buf, &enc, BGP_FAM_V6, a), 0);
	gen_prefix(&p, BGP_FAM_V6, 1);
	assert_int_equal(bgp_ub_add(&b, &p), 0);
	assert_true(bgp_ub_finish(&b) > 0);
	uint8_t types[64];
	size_t nt = attr_types(buf, types);
	static const uint8_t want[] = {14, 1, 2, 4, 5, 6, 7, 8, 9, 10, 16, 32, 33, 35, 99};
	assert_int_equal(nt, sizeof want);
	assert_memory_equal(types, want, sizeof want);
	attr_unref(a);
}

static void
test_pack_as2(void **state)
{
	(void)state;
	/* toward a 2-octet peer: AS_TRANS in AS_PATH/AGGREGATOR plus AS4_PATH/AS4_AGGREGATOR;
	 * parsed back on a 2-octet session, the same 4-octet set */
	struct attrs *a = rich_attrs();
	struct bgp_enc_ctx enc = {.as4 = false, .max_msg = BGP_MAX_MSG, .addpath_tx = 0};
	roundtrip(a, BGP_FAM_V4, &enc, 0, false);
	static uint8_t buf[BGP_MAX_MSG];
	struct bgp_upd_builder b;
	struct prefix p;
	assert_int_equal(bgp_ub_announce(&b, buf, &enc, BGP_FAM_V4, a), 0);
	gen_prefix(&p, BGP_FAM_V4, 1);
	assert_int_equal(bgp_ub_add(&b, &p), 0);
	assert_true(bgp_ub_finish(&b) > 0);
	uint8_t types[64];
	size_t nt = attr_types(buf, types);
	static const uint8_t want[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 16, 17, 18, 32, 33, 35, 99};
	assert_int_equal(nt, sizeof want);
	assert_memory_equal(types, want, sizeof want);
	/* AS_PATH: 64500 23456 65000 {7, 8} in 2 octets */
	static const uint8_t path2[] = {0x40, 2,    14, 2, 3, 0xfb, 0xf4, 0x5b, 0xa0,
					0xfd, 0xe8, 1,	2, 0, 7,    0,	  8};
	const uint8_t *at = buf + 23 + 4; /* after ORIGIN */
	assert_memory_equal(at, path2, sizeof path2);
	attr_unref(a);

	/* a path without wide ASes gets no AS4_PATH */
	struct attrs t;
	memset(&t, 0, sizeof t);
	static const uint8_t narrow[] = {2, 1, 0, 0, 0xfb, 0xf4};
	t.aspath = attr_blob_intern(ATTR_AS_PATH, narrow, sizeof narrow);
	t.nh_len = 4;
	memcpy(t.nh, nh_v4, 4);
	a = attr_intern(&t);
	attr_blob_unref(t.aspath);
	assert_int_equal(bgp_ub_announce(&b, buf, &enc, BGP_FAM_V4, a), 0);
	assert_int_equal(bgp_ub_add(&b, &p), 0);
	assert_true(bgp_ub_finish(&b) > 0);
	nt = attr_types(buf, types);
	static const uint8_t want2[] = {1, 2, 3};
	assert_int_equal(nt, sizeof want2);
	assert_memory_equal(types, want2, sizeof want2);
	attr_unref(a);
}

static void
test_pack_limits(void **state)
{
	(void)state;
	static uint8_t buf[BGP_MAX_EXT_MSG];
	struct bgp_upd_builder b;
	struct bgp_enc_ctx enc = {.as4 = true, .max_msg = BGP_MAX_MSG, .addpath_tx = 0};
	/* attributes alone larger than the message */
	static uint8_t big[5000];
	memset(big, 1, sizeof big);
	struct attrs t;
	memset(&t, 0, sizeof t);
	t.nh_len = 16;
	memcpy(t.nh, nh6, 16);
	t.comms = attr_blob_intern(ATTR_COMMUNITIES, big, sizeof big);
	struct attrs *a = attr_intern(&t);
	attr_blob_unref(t.comms);
	assert_int_equal(bgp_ub_announce(&b, buf, &enc, BGP_FAM_V6, a), -1);
	enc.max_msg = BGP_MAX_EXT_MSG;
	assert_int_equal(bgp_ub_announce(&b, buf, &enc, BGP_FAM_V6, a), 0);
	/* no prefix added: nothing to send */
	assert_int_equal(bgp_ub_finish(&b), 0);
	/* a prefix of the other family is refused */
	struct prefix p;
	gen_prefix(&p, BGP_FAM_V4, 0);
	assert_int_equal(bgp_ub_announce(&b, buf, &enc, BGP_FAM_V6, a), 0);
	assert_int_equal(bgp_ub_add(&b, &p), -1);
	attr_unref(a);
	/* IPv6 with an IPv4 next hop cannot be encoded */
	memset(&t, 0, sizeof t);
	t.nh_len = 4;
	a = attr_intern(&t);
	assert_int_equal(bgp_ub_announce(&b, buf, &enc, BGP_FAM_V6, a), -1);
	attr_unref(a);
	struct attr_stats s;
	attr_stats(&s);
	assert_int_equal(s.sets, 0);
	assert_int_equal(s.blobs, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_valid, setup),
	    cmocka_unit_test_setup(test_host_bits_ignored, setup),
	    cmocka_unit_test_setup(test_bad_origin_taw, setup),
	    cmocka_unit_test_setup(test_bad_flags_taw, setup),
	    cmocka_unit_test_setup(test_bad_aspath_taw, setup),
	    cmocka_unit_test_setup(test_bad_nexthop_taw, setup),
	    cmocka_unit_test_setup(test_attr_lengths, setup),
	    cmocka_unit_test_setup(test_ebgp_discards, setup),
	    cmocka_unit_test_setup(test_duplicates, setup),
	    cmocka_unit_test_setup(test_bad_nlri_reset, setup),
	    cmocka_unit_test_setup(test_bad_mp_reset, setup),
	    cmocka_unit_test_setup(test_attr_overrun_taw, setup),
	    cmocka_unit_test_setup(test_missing_wellknown, setup),
	    cmocka_unit_test_setup(test_rfc7606_5_2, setup),
	    cmocka_unit_test_setup(test_as4_merge, setup),
	    cmocka_unit_test_setup(test_unknown_attrs, setup),
	    cmocka_unit_test_setup(test_eor, setup),
	    cmocka_unit_test_setup(test_addpath, setup),
	    cmocka_unit_test_setup(test_mp_next_hops, setup),
	    cmocka_unit_test_setup(test_mp_bad_v6_next_hops, setup),
	    cmocka_unit_test_setup(test_unnegotiated_family, setup),
	    cmocka_unit_test_setup(test_large_communities_dedup, setup),
	    cmocka_unit_test_setup(test_pack_roundtrip_v4, setup),
	    cmocka_unit_test_setup(test_pack_roundtrip_v6, setup),
	    cmocka_unit_test_setup(test_pack_as2, setup),
	    cmocka_unit_test_setup(test_pack_limits, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
