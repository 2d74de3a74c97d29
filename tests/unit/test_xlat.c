/*
 * The translation context (xlat.c, nhtab.c): translation prefix and WKP policy, explicit
 * mappings (precedence, covered EAMs, overlap refusal, reverse mapping), the next-hop table
 * (longest match, reject and default policies, refusals, walks). The counts of unmatched next
 * hops are the route engine's (test_rde.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "lib/prefix.h"
#include "xlat/xlat.h"

static struct prefix
P(const char *s) {
	struct prefix p;
	if (prefix_parse(s, &p, false, false) != 0)
		fail_msg("bad prefix literal %s", s);
	return p;
}

static void
A(const char *s, uint8_t out[16])
{
	int af;
	if (addr_parse(s, &af, out) != 0)
		fail_msg("bad address literal %s", s);
}

static void
assert_prefix(const struct prefix *got, const char *want)
{
	struct prefix w = P(want);
	char b[PREFIX_STRLEN];
	if (!prefix_eq(got, &w))
		fail_msg("got %s, want %s", prefix_fmt(got, b), want);
}

static struct xlat *
new_with_prefix(const char *t)
{
	char err[128];
	struct xlat *x = xlat_new();
	assert_non_null(x);
	struct prefix tp = P(t);
	if (xlat_set_prefix(x, &tp, err, sizeof err) != 0)
		fail_msg("set_prefix %s: %s", t, err);
	return x;
}

static void
add_eam(struct xlat *x, const char *v4, const char *v6)
{
	char err[160];
	struct prefix p4 = P(v4), p6 = P(v6);
	if (xlat_add_eam(x, &p4, &p6, err, sizeof err) != 0)
		fail_msg("add_eam %s %s: %s", v4, v6, err);
}

static void
refuse_eam(struct xlat *x, const char *v4, const char *v6, const char *why)
{
	char err[160] = "";
	struct prefix p4 = P(v4), p6 = P(v6);
	if (xlat_add_eam(x, &p4, &p6, err, sizeof err) != -1)
		fail_msg("add_eam %s %s accepted", v4, v6);
	if (strstr(err, why) == NULL)
		fail_msg("add_eam %s %s: \"%s\" lacks \"%s\"", v4, v6, err, why);
}

static int
map1(const struct xlat *x, const char *v4, struct xlat_route *out, int max, enum xlat_reason *why)
{
	struct prefix p = P(v4);
	return xlat_map_prefix(x, &p, out, max, why);
}

/* ---- translation prefix ---- */

static void
test_set_prefix(void **state)
{
	(void)state;
	char err[128];
	struct xlat *x = xlat_new();
	assert_non_null(x);
	assert_null(xlat_get_prefix(x));

	const char *bad[] = {"2001:db8::/44", "2001:db8:122:344:ff00::/96", "64:ff9b::/64",
			     "10.0.0.0/8"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct prefix t = P(bad[i]);
		err[0] = '\0';
		assert_int_equal(xlat_set_prefix(x, &t, err, sizeof err), -1);
		assert_true(err[0] != '\0');
		assert_null(xlat_get_prefix(x));
	}
	struct prefix t = P("2001:db8:100::/40");
	t.a[6] = 0x80; /* host bit */
	assert_int_equal(xlat_set_prefix(x, &t, err, sizeof err), -1);
	assert_null(xlat_get_prefix(x));

	/* Without a prefix (and no EAM) nothing maps. */
	struct xlat_route r[2];
	enum xlat_reason why = XLAT_OK;
	assert_int_equal(map1(x, "8.8.8.0/24", r, 2, &why), 0);
	assert_int_equal(why, XLAT_NO_PREFIX);
	struct prefix q = P("64:ff9b::808:800/120"), v4;
	assert_int_equal(xlat_unmap_prefix(x, &q, &v4, NULL), -1);

	t = P("2001:db8:100::/40");
	assert_int_equal(xlat_set_prefix(x, &t, err, sizeof err), 0);
	assert_prefix(xlat_get_prefix(x), "2001:db8:100::/40");
	/* A refused change keeps the prefix. */
	t = P("2001:db8::/44");
	assert_int_equal(xlat_set_prefix(x, &t, err, sizeof err), -1);
	assert_prefix(xlat_get_prefix(x), "2001:db8:100::/40");
	xlat_free(x);
	xlat_free(NULL);
}

/* ---- RFC 6052 mapping through the context, WKP policy ---- */

static void
test_map_rfc6052(void **state)
{
	(void)state;
	struct xlat *x = new_with_prefix("2001:db8:100::/40");
	struct xlat_route r[4];
	enum xlat_reason why = XLAT_NON_GLOBAL;

	assert_int_equal(map1(x, "198.51.100.128/25", r, 4, &why), 1);
	assert_int_equal(why, XLAT_OK);
	assert_prefix(&r[0].v6, "2001:db8:1c6:3364:80::/73");
	assert_int_equal(r[0].rule, XLAT_RULE_RFC6052);
	assert_prefix(&r[0].src, "2001:db8:100::/40");

	/* Host bits of the route are ignored; why may be NULL. */
	struct prefix p = P("198.51.100.0/24");
	p.a[3] = 9;
	assert_int_equal(xlat_map_prefix(x, &p, r, 4, NULL), 1);
	assert_prefix(&r[0].v6, "2001:db8:1c6:3364::/64");

	/* An IPv6 prefix is not a route to translate. */
	assert_int_equal(map1(x, "2001:db8::/32", r, 4, &why), 0);
	assert_int_equal(why, XLAT_NOT_IPV4);

	struct prefix v4, q = P("2001:db8:1c6:3364::/68");
	enum xlat_rule rule = XLAT_RULE_EAM;
	assert_int_equal(xlat_unmap_prefix(x, &q, &v4, &rule), 0);
	assert_prefix(&v4, "198.51.100.0/24");
	assert_int_equal(rule, XLAT_RULE_RFC6052);
	q = P("2001:db8:200::/48");
	assert_int_equal(xlat_unmap_prefix(x, &q, &v4, &rule), -1);
	q = P("10.0.0.0/8");
	assert_int_equal(xlat_unmap_prefix(x, &q, &v4, &rule), -1);
	xlat_free(x);
}

static void
test_wkp_non_global(void **state)
{
	(void)state;
	struct xlat *x = new_with_prefix("64:ff9b::/96");
	struct xlat_route r[4];
	enum xlat_reason why;

	const char *refused[] = {"10.0.0.0/8",	    "192.168.1.0/24", "100.64.0.0/10",
				 "198.51.100.0/24", "224.0.0.0/24",   "192.0.0.8/32"};
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		why = XLAT_OK;
		if (map1(x, refused[i], r, 4, &why) != 0)
			fail_msg("%s translated under the WKP", refused[i]);
		assert_int_equal(why, XLAT_NON_GLOBAL);
	}
	assert_int_equal(map1(x, "8.8.8.8/32", r, 4, &why), 1);
	assert_prefix(&r[0].v6, "64:ff9b::808:808/128");
	assert_int_equal(map1(x, "192.0.0.9/32", r, 4, &why), 1);
	assert_prefix(&r[0].v6, "64:ff9b::c000:9/128");
	/* A covering route is global. */
	assert_int_equal(map1(x, "0.0.0.0/0", r, 4, &why), 1);
	assert_prefix(&r[0].v6, "64:ff9b::/96");
	assert_int_equal(map1(x, "8.0.0.0/5", r, 4, &why), 1);

	/* The switch off: everything maps. */
	xlat_set_wkp_global_only(x, false);
	assert_int_equal(map1(x, "198.51.100.0/24", r, 4, &why), 1);
	assert_int_equal(why, XLAT_OK);
	assert_prefix(&r[0].v6, "64:ff9b::c633:6400/120");
	xlat_set_wkp_global_only(x, true);
	assert_int_equal(map1(x, "198.51.100.0/24", r, 4, &why), 0);
	xlat_free(x);
}

static void
test_nsp_private_ok(void **state)
{
	(void)state;
	const struct {
		const char *t, *v4, *v6;
	} cases[] = {
	    {"64:ff9b:1::/48", "192.168.1.0/24", "64:ff9b:1:c0a8:1::/80"},
	    {"64:ff9b:1:2::/64", "100.64.0.0/10", "64:ff9b:1:2:64:4000::/82"},
	    {"2001:db8::/32", "10.0.0.0/8", "2001:db8:a00::/40"},
	    {"2001:db8:122:344::/96", "192.0.2.0/24", "2001:db8:122:344::c000:200/120"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct xlat *x = new_with_prefix(cases[i].t);
		struct xlat_route r[1];
		enum xlat_reason why = XLAT_NON_GLOBAL;
		assert_int_equal(map1(x, cases[i].v4, r, 1, &why), 1);
		assert_int_equal(why, XLAT_OK);
		assert_prefix(&r[0].v6, cases[i].v6);
		xlat_free(x);
	}
}

/* ---- explicit mappings ---- */

static void
test_eam_examples_in_context(void **state)
{
	(void)state;
	struct xlat *x = new_with_prefix("64:ff9b::/96");
	add_eam(x, "203.0.113.0/24", "2001:db8:1234:64:ffff:ffff:ffff:ff00/120");
	add_eam(x, "192.0.2.128/26", "2001:db8:dddd::/64");

	const struct {
		const char *v4, *v6, *src;
	} cases[] = {
	    {"203.0.113.128/25", "2001:db8:1234:64:ffff:ffff:ffff:ff80/121", "203.0.113.0/24"},
	    {"203.0.113.7/32", "2001:db8:1234:64:ffff:ffff:ffff:ff07/128", "203.0.113.0/24"},
	    {"192.0.2.160/27", "2001:db8:dddd:0:8000::/65", "192.0.2.128/26"},
	    {"192.0.2.129/32", "2001:db8:dddd:0:400::/70", "192.0.2.128/26"},
	    {"192.0.2.128/26", "2001:db8:dddd::/64", "192.0.2.128/26"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct xlat_route r[4];
		enum xlat_reason why = XLAT_NON_GLOBAL;
		/* Documentation space under the WKP: an EAM route is not subject to the rule. */
		assert_int_equal(map1(x, cases[i].v4, r, 4, &why), 1);
		assert_int_equal(why, XLAT_OK);
		assert_prefix(&r[0].v6, cases[i].v6);
		assert_int_equal(r[0].rule, XLAT_RULE_EAM);
		assert_prefix(&r[0].src, cases[i].src);

		struct prefix q = P(cases[i].v6), v4;
		enum xlat_rule rule = XLAT_RULE_RFC6052;
		assert_int_equal(xlat_unmap_prefix(x, &q, &v4, &rule), 0);
		assert_prefix(&v4, cases[i].v4);
		assert_int_equal(rule, XLAT_RULE_EAM);
	}
	/* Just outside the EAM: RFC 6052 and the WKP rule again. */
	struct xlat_route r[4];
	enum xlat_reason why;
	assert_int_equal(map1(x, "192.0.2.64/26", r, 4, &why), 0);
	assert_int_equal(why, XLAT_NON_GLOBAL);
	xlat_free(x);
}

static void
test_eam_precedence_and_covered(void **state)
{
	(void)state;
	struct xlat *x = new_with_prefix("2001:db8::/32");
	add_eam(x, "203.0.113.0/24", "2001:db8:1234:64:ffff:ffff:ffff:ff00/120");
	add_eam(x, "198.51.100.0/24", "2001:db8:aaaa::/120");
	add_eam(x, "198.51.101.0/25", "2001:db8:bbbb::/121");
	struct xlat_route r[8];
	enum xlat_reason why;

	/* Inside an EAM: the EAM, not RFC 6052. */
	assert_int_equal(map1(x, "198.51.100.0/25", r, 8, &why), 1);
	assert_int_equal(r[0].rule, XLAT_RULE_EAM);
	assert_prefix(&r[0].v6, "2001:db8:aaaa::/121");

	/* Covering one EAM: main RFC 6052 mapping plus the EAM. */
	assert_int_equal(map1(x, "203.0.112.0/23", r, 8, &why), 2);
	assert_int_equal(r[0].rule, XLAT_RULE_RFC6052);
	assert_prefix(&r[0].v6, "2001:db8:cb00:7000::/55");
	assert_prefix(&r[0].src, "2001:db8::/32");
	assert_int_equal(r[1].rule, XLAT_RULE_EAM);
	assert_prefix(&r[1].v6, "2001:db8:1234:64:ffff:ffff:ffff:ff00/120");
	assert_prefix(&r[1].src, "203.0.113.0/24");

	/* Covering all three, in IPv4 order. */
	assert_int_equal(map1(x, "0.0.0.0/0", r, 8, &why), 4);
	assert_prefix(&r[0].v6, "2001:db8::/32");
	assert_prefix(&r[1].src, "198.51.100.0/24");
	assert_prefix(&r[1].v6, "2001:db8:aaaa::/120");
	assert_prefix(&r[2].src, "198.51.101.0/25");
	assert_prefix(&r[2].v6, "2001:db8:bbbb::/121");
	assert_prefix(&r[3].src, "203.0.113.0/24");
	assert_int_equal(why, XLAT_OK);

	/* Room for fewer: the main mapping first, excess EAMs dropped. */
	assert_int_equal(map1(x, "0.0.0.0/0", r, 2, &why), 2);
	assert_prefix(&r[0].v6, "2001:db8::/32");
	assert_prefix(&r[1].src, "198.51.100.0/24");
	assert_int_equal(map1(x, "0.0.0.0/0", r, 1, &why), 1);
	assert_prefix(&r[0].v6, "2001:db8::/32");

	/* The EAM route itself: one entry. */
	assert_int_equal(map1(x, "198.51.100.0/24", r, 8, &why), 1);
	assert_int_equal(r[0].rule, XLAT_RULE_EAM);
	assert_prefix(&r[0].v6, "2001:db8:aaaa::/120");

	/* Next to an EAM, not covering: RFC 6052 only. */
	assert_int_equal(map1(x, "198.51.101.128/25", r, 8, &why), 1);
	assert_int_equal(r[0].rule, XLAT_RULE_RFC6052);
	xlat_free(x);
}

static void
test_eam_wkp_covering_non_global(void **state)
{
	(void)state;
	struct xlat *x = new_with_prefix("64:ff9b::/96");
	add_eam(x, "10.1.0.0/16", "2001:db8:a::/112");
	struct xlat_route r[4];
	enum xlat_reason why;

	/* The EAM route maps though private; the non-global aggregate does not. */
	assert_int_equal(map1(x, "10.1.2.0/24", r, 4, &why), 1);
	assert_prefix(&r[0].v6, "2001:db8:a::200/120");
	assert_int_equal(map1(x, "10.0.0.0/8", r, 4, &why), 0);
	assert_int_equal(why, XLAT_NON_GLOBAL);
	/* A global aggregate covering it carries the EAM. */
	assert_int_equal(map1(x, "8.0.0.0/5", r, 4, &why), 2);
	assert_prefix(&r[0].v6, "64:ff9b::800:0/101");
	assert_prefix(&r[1].v6, "2001:db8:a::/112");
	xlat_free(x);
}

struct eam_list {
	int n;
	char s[8][2 * PREFIX_STRLEN + 8];
};

static void
eam_collect(const struct prefix *v4, const struct prefix *v6, void *arg)
{
	struct eam_list *w = arg;
	char a[PREFIX_STRLEN], b[PREFIX_STRLEN];
	if (w->n < 8)
		snprintf(w->s[w->n], sizeof w->s[0], "%s %s", prefix_fmt(v4, a), prefix_fmt(v6, b));
	w->n++;
}

static void
test_eam_refusals(void **state)
{
	(void)state;
	struct xlat *x = new_with_prefix("2001:db8::/32");
	add_eam(x, "198.51.100.0/24", "2001:db8:aaaa::/120");

	/* IPv4 side: duplicate, inside, covering. */
	refuse_eam(x, "198.51.100.0/24", "2001:db8:cccc::/120", "duplicates");
	refuse_eam(x, "198.51.100.128/25", "2001:db8:cccc::/121", "overlaps");
	refuse_eam(x, "198.51.0.0/16", "2001:db8:cccc::/112", "overlaps");
	/* IPv6 side: duplicate, inside, covering. */
	refuse_eam(x, "192.0.2.0/24", "2001:db8:aaaa::/120", "duplicates");
	refuse_eam(x, "192.0.2.0/25", "2001:db8:aaaa::80/121", "overlaps");
	refuse_eam(x, "192.0.2.0/24", "2001:db8:aaaa::/48", "overlaps");
	/* IPv4 suffix longer than the IPv6 suffix. */
	refuse_eam(x, "192.0.2.0/24", "2001:db8:cccc::/124", "suffix");
	refuse_eam(x, "10.0.0.0/8", "2001:db8:cccc::/112", "suffix");
	/* Families swapped. */
	refuse_eam(x, "2001:db8:cccc::/120", "192.0.2.0/24", "IPv4");
	refuse_eam(x, "192.0.2.0/24", "192.0.3.0/24", "IPv6");

	/* Host bits. */
	char err[160] = "";
	struct prefix p4 = P("192.0.2.0/24"), p6 = P("2001:db8:cccc::/120");
	p4.a[3] = 1;
	assert_int_equal(xlat_add_eam(x, &p4, &p6, err, sizeof err), -1);
	assert_non_null(strstr(err, "host bits"));
	p4.a[3] = 0;
	p6.a[15] = 1;
	assert_int_equal(xlat_add_eam(x, &p4, &p6, err, sizeof err), -1);
	assert_non_null(strstr(err, "host bits"));

	/* Nothing refused was stored; accepted: equal and longer IPv6 suffixes, IPv6 inside T. */
	add_eam(x, "192.0.2.0/24", "2001:db8:cccc::/120");
	add_eam(x, "192.0.3.0/24", "2001:db8:dddd::/64");
	add_eam(x, "192.0.4.1/32", "2001:db8:c000:401::1/128");

	struct eam_list w = {0};
	xlat_eam_walk(x, eam_collect, &w);
	assert_int_equal(w.n, 4);
	assert_string_equal(w.s[0], "192.0.2.0/24 2001:db8:cccc::/120");
	assert_string_equal(w.s[1], "192.0.3.0/24 2001:db8:dddd::/64");
	assert_string_equal(w.s[2], "192.0.4.1/32 2001:db8:c000:401::1/128");
	assert_string_equal(w.s[3], "198.51.100.0/24 2001:db8:aaaa::/120");

	/* The EAM inside T wins over RFC 6052 in both directions. */
	struct xlat_route r[2];
	assert_int_equal(map1(x, "192.0.4.1/32", r, 2, NULL), 1);
	assert_int_equal(r[0].rule, XLAT_RULE_EAM);
	assert_prefix(&r[0].v6, "2001:db8:c000:401::1/128");
	struct prefix q = P("2001:db8:c000:401::1/128"), v4;
	enum xlat_rule rule = XLAT_RULE_RFC6052;
	assert_int_equal(xlat_unmap_prefix(x, &q, &v4, &rule), 0);
	assert_int_equal(rule, XLAT_RULE_EAM);
	assert_prefix(&v4, "192.0.4.1/32");
	/* A /31 covers the /32 EAM. */
	assert_int_equal(map1(x, "192.0.4.0/31", r, 2, NULL), 2);
	assert_prefix(&r[0].v6, "2001:db8:c000:400::/63");
	assert_prefix(&r[1].v6, "2001:db8:c000:401::1/128");
	/* Its neighbour in the same /64 is RFC 6052. */
	q = P("2001:db8:c000:401::/64");
	assert_int_equal(xlat_unmap_prefix(x, &q, &v4, &rule), 0);
	assert_int_equal(rule, XLAT_RULE_RFC6052);
	assert_prefix(&v4, "192.0.4.1/32");
	xlat_free(x);
}

/* ---- next hops ---- */

static void
add_nh(struct xlat *x, const char *v4, const char *v6, const char *dev)
{
	char err[160];
	uint8_t a[16];
	struct prefix p = P(v4);
	A(v6, a);
	if (xlat_add_nexthop(x, &p, a, dev, err, sizeof err) != 0)
		fail_msg("add_nexthop %s %s: %s", v4, v6, err);
}

static void
refuse_nh(struct xlat *x, const char *v4, const char *v6, const char *dev, const char *why)
{
	char err[160] = "";
	uint8_t a[16];
	struct prefix p = P(v4);
	A(v6, a);
	if (xlat_add_nexthop(x, &p, a, dev, err, sizeof err) != -1)
		fail_msg("add_nexthop %s %s accepted", v4, v6);
	if (strstr(err, why) == NULL)
		fail_msg("add_nexthop %s %s: \"%s\" lacks \"%s\"", v4, v6, err, why);
}

static void
assert_nh(const struct xlat *x, const char *v4, const char *v6, const char *dev)
{
	uint8_t a4[16], want[16];
	char b[ADDR_STRLEN];
	A(v4, a4);
	const struct xlat_nh *nh = xlat_map_nexthop(x, a4);
	if (v6 == NULL) {
		if (nh != NULL)
			fail_msg("%s mapped to %s", v4, addr_fmt(AF_INET6, nh->v6, b));
		return;
	}
	if (nh == NULL)
		fail_msg("%s unmapped, want %s", v4, v6);
	A(v6, want);
	if (memcmp(nh->v6, want, 16) != 0)
		fail_msg("%s mapped to %s, want %s", v4, addr_fmt(AF_INET6, nh->v6, b), v6);
	assert_string_equal(nh->dev, dev);
}

static void
test_nexthop_lpm(void **state)
{
	(void)state;
	struct xlat *x = new_with_prefix("64:ff9b::/96");
	add_nh(x, "192.0.2.0/24", "2001:db8:64::1", NULL);
	add_nh(x, "192.0.2.128/25", "2001:db8:64::2", "");
	add_nh(x, "192.0.2.200/32", "fe80::1", "eth1");
	add_nh(x, "10.0.0.0/8", "2001:db8:64::10", "eth0");

	assert_nh(x, "192.0.2.1", "2001:db8:64::1", "");
	assert_nh(x, "192.0.2.127", "2001:db8:64::1", "");
	assert_nh(x, "192.0.2.128", "2001:db8:64::2", "");
	assert_nh(x, "192.0.2.199", "2001:db8:64::2", "");
	assert_nh(x, "192.0.2.200", "fe80::1", "eth1");
	assert_nh(x, "192.0.2.201", "2001:db8:64::2", "");
	assert_nh(x, "10.255.0.1", "2001:db8:64::10", "eth0");
	/* Unmatched under reject (the default policy). */
	assert_nh(x, "198.51.100.1", NULL, NULL);
	assert_nh(x, "192.0.3.1", NULL, NULL);

	/* Default policy. */
	struct xlat_nh d = {.dev = "eth9"};
	A("2001:db8:ffff::1", d.v6);
	xlat_set_unknown_policy(x, XLAT_UNKNOWN_DEFAULT, &d);
	memset(&d, 0, sizeof d); /* copied */
	assert_nh(x, "198.51.100.1", "2001:db8:ffff::1", "eth9");
	assert_nh(x, "192.0.2.1", "2001:db8:64::1", ""); /* a rule still wins */
	/* Default without an address: nothing. */
	xlat_set_unknown_policy(x, XLAT_UNKNOWN_DEFAULT, NULL);
	assert_nh(x, "198.51.100.1", NULL, NULL);
	/* Back to reject, with or without a default given. */
	A("2001:db8:ffff::1", d.v6);
	xlat_set_unknown_policy(x, XLAT_UNKNOWN_DEFAULT, &d);
	xlat_set_unknown_policy(x, XLAT_UNKNOWN_REJECT, &d);
	assert_nh(x, "198.51.100.1", NULL, NULL);
	xlat_set_unknown_policy(x, XLAT_UNKNOWN_DEFAULT, &d);
	xlat_set_unknown_policy(x, XLAT_UNKNOWN_REJECT, NULL);
	assert_nh(x, "198.51.100.1", NULL, NULL);

	/* A catch-all rule. */
	add_nh(x, "0.0.0.0/0", "2001:db8:64::ff", NULL);
	assert_nh(x, "198.51.100.1", "2001:db8:64::ff", "");
	assert_nh(x, "192.0.2.1", "2001:db8:64::1", "");
	xlat_free(x);
}

static void
test_nexthop_refusals(void **state)
{
	(void)state;
	struct xlat *x = xlat_new();
	assert_non_null(x);
	add_nh(x, "192.0.2.0/24", "2001:db8:64::1", NULL);

	refuse_nh(x, "192.0.2.0/24", "2001:db8:64::2", NULL, "duplicate");
	refuse_nh(x, "192.0.3.0/24", "::", NULL, "unicast");
	refuse_nh(x, "192.0.3.0/24", "ff02::1", "eth0", "unicast");
	refuse_nh(x, "192.0.3.0/24", "fe80::1", NULL, "device");
	refuse_nh(x, "192.0.3.0/24", "febf::1", "", "device");
	refuse_nh(x, "192.0.3.0/24", "2001:db8:64::3", "a-very-long-device-name", "device");
	refuse_nh(x, "2001:db8::/32", "2001:db8:64::3", NULL, "IPv4");

	char err[160] = "";
	uint8_t a[16];
	A("2001:db8:64::3", a);
	struct prefix p = P("192.0.3.0/24");
	p.a[3] = 5;
	assert_int_equal(xlat_add_nexthop(x, &p, a, NULL, err, sizeof err), -1);
	assert_non_null(strstr(err, "host bits"));

	/* The longest device name that fits, and a link-local one outside fe80::/10. */
	add_nh(x, "192.0.3.0/24", "fec0::1", "abcdefghijklmno");
	assert_nh(x, "192.0.3.9", "fec0::1", "abcdefghijklmno");
	/* Nothing refused was stored. */
	assert_nh(x, "192.0.2.9", "2001:db8:64::1", "");
	xlat_free(x);
}

struct nh_list {
	int n;
	char s[8][PREFIX_STRLEN + ADDR_STRLEN + XLAT_DEVLEN + 4];
};

static void
nh_collect(const struct prefix *v4, const struct xlat_nh *nh, void *arg)
{
	struct nh_list *w = arg;
	char a[PREFIX_STRLEN], b[ADDR_STRLEN];
	if (w->n < 8)
		snprintf(w->s[w->n], sizeof w->s[0], "%s %s %s", prefix_fmt(v4, a),
			 addr_fmt(AF_INET6, nh->v6, b), nh->dev);
	w->n++;
}

static void
test_nexthop_walk(void **state)
{
	(void)state;
	struct xlat *x = xlat_new();
	assert_non_null(x);
	add_nh(x, "192.0.2.128/25", "2001:db8:64::2", NULL);
	add_nh(x, "10.0.0.0/8", "2001:db8:64::10", "eth0");
	add_nh(x, "192.0.2.0/24", "2001:db8:64::1", NULL);
	add_nh(x, "0.0.0.0/0", "2001:db8:64::ff", NULL);

	struct nh_list w = {0};
	xlat_nexthop_walk(x, nh_collect, &w);
	assert_int_equal(w.n, 4);
	assert_string_equal(w.s[0], "0.0.0.0/0 2001:db8:64::ff ");
	assert_string_equal(w.s[1], "10.0.0.0/8 2001:db8:64::10 eth0");
	assert_string_equal(w.s[2], "192.0.2.0/24 2001:db8:64::1 ");
	assert_string_equal(w.s[3], "192.0.2.128/25 2001:db8:64::2 ");

	struct xlat *empty = xlat_new();
	assert_non_null(empty);
	w.n = 0;
	xlat_nexthop_walk(empty, nh_collect, &w);
	xlat_eam_walk(empty, eam_collect, &w);
	assert_int_equal(w.n, 0);
	xlat_free(empty);
	xlat_free(x);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_set_prefix),
	    cmocka_unit_test(test_map_rfc6052),
	    cmocka_unit_test(test_wkp_non_global),
	    cmocka_unit_test(test_nsp_private_ok),
	    cmocka_unit_test(test_eam_examples_in_context),
	    cmocka_unit_test(test_eam_precedence_and_covered),
	    cmocka_unit_test(test_eam_wkp_covering_non_global),
	    cmocka_unit_test(test_eam_refusals),
	    cmocka_unit_test(test_nexthop_lpm),
	    cmocka_unit_test(test_nexthop_refusals),
	    cmocka_unit_test(test_nexthop_walk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
