/*
 * The pure mapping functions of src/xlat (rfc6052.c, eam.c): every worked example of
 * rfc6052.md section 7 and the reverse-mapping rules of section 3, translation prefix checks,
 * the non-global IPv4 set, and a property test over every IPv4 length and every translation
 * length against a bit-by-bit model written from the spec's v6bit().
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

/* ---- rfc6052.md section 7: addresses ---- */

static const struct {
	const char *t, *v6;
} addr_examples[] = {
    {"2001:db8::/32", "2001:db8:c000:221::"},
    {"2001:db8:100::/40", "2001:db8:1c0:2:21::"},
    {"2001:db8:122::/48", "2001:db8:122:c000:2:2100::"},
    {"2001:db8:122:300::/56", "2001:db8:122:3c0:0:221::"},
    {"2001:db8:122:344::/64", "2001:db8:122:344:c0:2:2100:0"},
    {"2001:db8:122:344::/96", "2001:db8:122:344::192.0.2.33"},
};

static void
test_addr_examples(void **state)
{
	(void)state;
	uint8_t v4[4] = {192, 0, 2, 33}, v6[16], want[16], back[4];

	for (size_t i = 0; i < sizeof addr_examples / sizeof addr_examples[0]; i++) {
		struct prefix t = P(addr_examples[i].t);
		A(addr_examples[i].v6, want);
		xlat_addr_4to6(&t, v4, v6);
		assert_memory_equal(v6, want, 16);
		assert_int_equal(xlat_addr_6to4(&t, want, back), 0);
		assert_memory_equal(back, v4, 4);
	}
	/* /96 is also ...::c000:221 */
	A("2001:db8:122:344::c000:221", want);
	struct prefix t96 = P("2001:db8:122:344::/96");
	xlat_addr_4to6(&t96, v4, v6);
	assert_memory_equal(v6, want, 16);
}

static void
test_addr_reverse_refusals(void **state)
{
	(void)state;
	uint8_t v6[16], v4[4];
	struct prefix t40 = P("2001:db8:100::/40");

	/* Not inside T. */
	A("2001:db8:200:2:21::", v6);
	assert_int_equal(xlat_addr_6to4(&t40, v6, v4), -1);
	/* Non-zero u-octet. */
	A("2001:db8:1c0:2:121::", v6);
	assert_int_equal(xlat_addr_6to4(&t40, v6, v4), -1);
	/* Non-zero suffix is ignored. */
	A("2001:db8:1c0:2:21:ffff:ffff:ffff", v6);
	assert_int_equal(xlat_addr_6to4(&t40, v6, v4), 0);
	assert_memory_equal(v4, ((uint8_t[]){192, 0, 2, 33}), 4);
}

/* ---- rfc6052.md section 7: prefixes ---- */

static const struct {
	const char *v4, *t, *v6;
} prefix_examples[] = {
    {"198.51.100.0/24", "64:ff9b::/96", "64:ff9b::c633:6400/120"},
    {"8.8.8.8/32", "64:ff9b::/96", "64:ff9b::808:808/128"},
    {"1.0.0.0/8", "64:ff9b::/96", "64:ff9b::100:0/104"},
    {"9.9.9.128/25", "64:ff9b::/96", "64:ff9b::909:980/121"},
    {"0.0.0.0/0", "2001:db8::/32", "2001:db8::/32"},
    {"10.0.0.0/8", "2001:db8::/32", "2001:db8:a00::/40"},
    {"100.64.0.0/10", "2001:db8::/32", "2001:db8:6440::/42"},
    {"198.51.100.0/24", "2001:db8::/32", "2001:db8:c633:6400::/56"},
    {"192.0.2.33/32", "2001:db8::/32", "2001:db8:c000:221::/64"},
    {"0.0.0.0/0", "2001:db8:100::/40", "2001:db8:100::/40"},
    {"172.16.128.0/17", "2001:db8:100::/40", "2001:db8:1ac:1080::/57"},
    {"198.51.100.0/24", "2001:db8:100::/40", "2001:db8:1c6:3364::/64"},
    {"198.51.100.128/25", "2001:db8:100::/40", "2001:db8:1c6:3364:80::/73"},
    {"192.0.2.33/32", "2001:db8:100::/40", "2001:db8:1c0:2:21::/80"},
    {"10.0.0.0/8", "2001:db8:122::/48", "2001:db8:122:a00::/56"},
    {"172.16.128.0/17", "2001:db8:122::/48", "2001:db8:122:ac10:80::/73"},
    {"198.51.100.0/24", "2001:db8:122::/48", "2001:db8:122:c633:64::/80"},
    {"203.0.113.7/32", "2001:db8:122::/48", "2001:db8:122:cb00:71:700::/88"},
    {"10.0.0.0/8", "2001:db8:122:300::/56", "2001:db8:122:30a::/64"},
    {"172.16.128.0/17", "2001:db8:122:300::/56", "2001:db8:122:3ac:10:8000::/81"},
    {"198.51.100.0/24", "2001:db8:122:300::/56", "2001:db8:122:3c6:33:6400::/88"},
    {"0.0.0.0/0", "2001:db8:122:344::/64", "2001:db8:122:344::/64"},
    {"198.51.100.0/24", "2001:db8:122:344::/64", "2001:db8:122:344:c6:3364::/96"},
    {"198.51.100.128/25", "2001:db8:122:344::/64", "2001:db8:122:344:c6:3364:8000:0/97"},
    {"192.0.2.33/32", "2001:db8:122:344::/64", "2001:db8:122:344:c0:2:2100:0/104"},
    {"192.0.2.0/24", "2001:db8:122:344::/96", "2001:db8:122:344::c000:200/120"},
    {"192.168.1.0/24", "64:ff9b:1::/48", "64:ff9b:1:c0a8:1::/80"},
    {"100.64.0.0/10", "64:ff9b:1:2::/64", "64:ff9b:1:2:64:4000::/82"},
};

static void
test_prefix_examples(void **state)
{
	(void)state;
	size_t n = sizeof prefix_examples / sizeof prefix_examples[0];
	assert_int_equal(n, 28);

	for (size_t i = 0; i < n; i++) {
		struct prefix v4 = P(prefix_examples[i].v4), t = P(prefix_examples[i].t);
		struct prefix v6 = P(prefix_examples[i].v6), got, back;
		bool narrower = true;

		xlat_prefix_4to6(&t, &v4, &got);
		assert_prefix(&got, prefix_examples[i].v6);
		assert_int_equal(xlat_prefix_6to4(&t, &v6, &back, &narrower), 0);
		assert_prefix(&back, prefix_examples[i].v4);
		assert_false(narrower);
	}
}

static void
test_prefix_4to6_host_bits(void **state)
{
	(void)state;
	struct prefix t = P("2001:db8:100::/40"), v4 = P("198.51.100.0/24"), got;

	v4.a[3] = 77; /* 198.51.100.77/24: host bits are ignored */
	xlat_prefix_4to6(&t, &v4, &got);
	assert_prefix(&got, "2001:db8:1c6:3364::/64");
}

/* rfc6052.md section 3 */
static void
test_reverse_rules(void **state)
{
	(void)state;
	struct prefix t40 = P("2001:db8:100::/40"), v4, q;
	bool narrower;

	/* The section 3 example: /64, /68 and /72 all give 198.51.100.0/24. */
	const char *qs[] = {"2001:db8:1c6:3364::/64", "2001:db8:1c6:3364::/68",
			    "2001:db8:1c6:3364::/72"};
	for (size_t i = 0; i < 3; i++) {
		q = P(qs[i]);
		assert_int_equal(xlat_prefix_6to4(&t40, &q, &v4, &narrower), 0);
		assert_prefix(&v4, "198.51.100.0/24");
		assert_false(narrower);
	}
	/* M > 72: L = M - PL - 8. */
	q = P("2001:db8:1c6:3364:80::/73");
	assert_int_equal(xlat_prefix_6to4(&t40, &q, &v4, NULL), 0);
	assert_prefix(&v4, "198.51.100.128/25");
	/* Past the IPv4 bits: the /32, flagged narrower; suffix bits ignored. */
	q = P("2001:db8:1c0:2:21:ff00::/88");
	assert_int_equal(xlat_prefix_6to4(&t40, &q, &v4, &narrower), 0);
	assert_prefix(&v4, "192.0.2.33/32");
	assert_true(narrower);
	q = P("2001:db8:1c0:2:21::/80");
	assert_int_equal(xlat_prefix_6to4(&t40, &q, &v4, &narrower), 0);
	assert_false(narrower);
	/* M < PL, outside T: not translatable. */
	q = P("2001:db8::/32");
	assert_int_equal(xlat_prefix_6to4(&t40, &q, &v4, NULL), -1);
	q = P("2001:db8:200::/48");
	assert_int_equal(xlat_prefix_6to4(&t40, &q, &v4, NULL), -1);
	/* A u-octet bit inside the first M bits. */
	q = P("2001:db8:1c6:3364:8000::/65");
	assert_int_equal(xlat_prefix_6to4(&t40, &q, &v4, NULL), -1);
	q = P("2001:db8:1c6:3364:100::/72");
	assert_int_equal(xlat_prefix_6to4(&t40, &q, &v4, NULL), -1);
	/* IPv4 in, not IPv6. */
	q = P("10.0.0.0/8");
	assert_int_equal(xlat_prefix_6to4(&t40, &q, &v4, NULL), -1);

	/* PL 96: L = M - 96; the /96 itself is 0.0.0.0/0. */
	struct prefix wkp = P("64:ff9b::/96");
	q = P("64:ff9b::/96");
	assert_int_equal(xlat_prefix_6to4(&wkp, &q, &v4, &narrower), 0);
	assert_prefix(&v4, "0.0.0.0/0");
	assert_false(narrower);
	/* PL 64: M in 65..72 gives 0.0.0.0/0. */
	struct prefix t64 = P("2001:db8:122:344::/64");
	q = P("2001:db8:122:344::/70");
	assert_int_equal(xlat_prefix_6to4(&t64, &q, &v4, NULL), 0);
	assert_prefix(&v4, "0.0.0.0/0");
	/* PL 32: never narrower up to /64, the /32 at /64. */
	struct prefix t32 = P("2001:db8::/32");
	q = P("2001:db8:c000:221::/64");
	assert_int_equal(xlat_prefix_6to4(&t32, &q, &v4, &narrower), 0);
	assert_prefix(&v4, "192.0.2.33/32");
	assert_false(narrower);
	q = P("2001:db8:c000:221::/73");
	assert_int_equal(xlat_prefix_6to4(&t32, &q, &v4, &narrower), 0);
	assert_prefix(&v4, "192.0.2.33/32");
	assert_true(narrower);
}

/* ---- property test ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t
rnd(void)
{
	/* xorshift64*: fixed seed, so a failure reproduces */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* rfc6052.md section 1, verbatim */
static unsigned
v6bit(unsigned pl, unsigned i)
{
	if (pl == 96)
		return 96 + i;
	return (i < 64 - pl) ? pl + i : pl + i + 8;
}

static const unsigned pls[] = {32, 40, 48, 56, 64, 96};

static struct prefix
random_t(unsigned pl)
{
	struct prefix t = {.af = AF_INET6, .len = (uint8_t)pl};
	for (unsigned i = 0; i < pl / 8; i++)
		t.a[i] = (uint8_t)rnd();
	t.a[8] = 0;
	return t;
}

static void
test_roundtrip_every_length(void **state)
{
	(void)state;
	char b1[PREFIX_STRLEN], b2[PREFIX_STRLEN];

	for (size_t k = 0; k < sizeof pls / sizeof pls[0]; k++) {
		unsigned pl = pls[k];
		for (unsigned len = 0; len <= 32; len++) {
			for (int iter = 0; iter < 300; iter++) {
				struct prefix t = random_t(pl);
				assert_true(xlat_prefix_check(&t, NULL, 0) >= 0);
				struct prefix v4 = {.af = AF_INET, .len = (uint8_t)len};
				uint32_t r = (uint32_t)rnd();
				memcpy(v4.a, &r, 4);
				prefix_mask(&v4);

				struct prefix v6, back;
				bool narrower = true;
				xlat_prefix_4to6(&t, &v4, &v6);

				/* The bit-by-bit model. */
				struct prefix want = {.af = AF_INET6};
				memcpy(want.a, t.a, 16);
				for (unsigned i = 0; i < len; i++)
					bit_set(want.a, v6bit(pl, i), bit_get(v4.a, i));
				want.len = (uint8_t)(len == 0 ? pl : v6bit(pl, len - 1) + 1);
				if (!prefix_eq(&v6, &want))
					fail_msg("%s in /%u: got %s, want %s", prefix_fmt(&v4, b1),
						 pl, prefix_fmt(&v6, b2), prefix_fmt(&want, b1));

				assert_false(v6.len >= 65 && v6.len <= 72);
				assert_int_equal(v6.a[8], 0);
				assert_true(prefix_is_masked(&v6));
				assert_true(prefix_contains(&t, &v6));
				assert_int_equal(xlat_prefix_6to4(&t, &v6, &back, &narrower), 0);
				if (!prefix_eq(&back, &v4))
					fail_msg("%s in /%u -> %s -> %s", prefix_fmt(&v4, b1), pl,
						 prefix_fmt(&v6, b2), prefix_fmt(&back, b1));
				assert_false(narrower);

				/* Addresses: embed, extract, and the /32's prefix. */
				uint8_t a6[16], a4[4];
				xlat_addr_4to6(&t, v4.a, a6);
				assert_int_equal(xlat_addr_6to4(&t, a6, a4), 0);
				assert_memory_equal(a4, v4.a, 4);
				struct prefix host = v4;
				host.len = 32;
				xlat_prefix_4to6(&t, &host, &v6);
				assert_memory_equal(v6.a, a6, 16);
			}
		}
	}
}

/* Any IPv6 prefix inside T with a zero u-octet maps back to an IPv4 prefix whose image covers
 * it, exactly so outside 65..72 when not narrower. */
static void
test_reverse_property(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof pls / sizeof pls[0]; k++) {
		unsigned pl = pls[k];
		for (unsigned m = pl; m <= 128; m++) {
			for (int iter = 0; iter < 50; iter++) {
				struct prefix t = random_t(pl), q = {.af = AF_INET6};
				for (unsigned i = 0; i < 16; i++)
					q.a[i] = (uint8_t)rnd();
				memcpy(q.a, t.a, pl / 8);
				q.a[8] = 0;
				q.len = (uint8_t)m;
				prefix_mask(&q);

				struct prefix v4, v6;
				bool narrower;
				assert_int_equal(xlat_prefix_6to4(&t, &q, &v4, &narrower), 0);
				assert_true(v4.len <= 32);
				xlat_prefix_4to6(&t, &v4, &v6);
				assert_true(prefix_contains(&v6, &q));
				bool exact = !narrower && (pl == 96 || m <= 64 || m > 72);
				assert_int_equal(prefix_eq(&v6, &q), exact);

				if (pl < 96 && m > 64) {
					q.a[8] =
					    (uint8_t)(0x80u >> (rnd() % (m - 64 < 8 ? m - 64 : 8)));
					assert_int_equal(xlat_prefix_6to4(&t, &q, &v4, NULL), -1);
				}
			}
		}
	}
}

/* ---- translation prefix checks ---- */

static void
test_prefix_check(void **state)
{
	(void)state;
	char err[128];
	const char *ok[] = {
	    "2001:db8::/32",	     "2001:db8:100::/40",     "2001:db8:122::/48",
	    "2001:db8:122:300::/56", "2001:db8:122:344::/64", "2001:db8:122:344::/96",
	    "64:ff9b:1::/48",	     "64:ff9b:1:2::/64",      "64:ff9b:1::/96"};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		struct prefix t = P(ok[i]);
		err[0] = '\0';
		if (xlat_prefix_check(&t, err, sizeof err) != 0)
			fail_msg("%s refused: %s", ok[i], err);
		assert_false(xlat_is_wkp(&t));
	}

	struct prefix wkp = P("64:ff9b::/96");
	assert_int_equal(xlat_prefix_check(&wkp, err, sizeof err), 1);
	assert_true(xlat_is_wkp(&wkp));

	const char *bad[] = {
	    "2001:db8::/44",	     /* invalid length */
	    "2001:db8::/72",	     /* invalid length */
	    "2001:db8::/128",	     /* invalid length */
	    "::/0",		     /* invalid length */
	    "2001:db8:122:344::/80", /* invalid length */
	    "64:ff9b::/64",	     /* the WKP only as /96 */
	    "64:ff9b::/32",	     /* the WKP only as /96 */
	    "10.0.0.0/8",	     /* not IPv6 */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct prefix t = P(bad[i]);
		err[0] = '\0';
		if (xlat_prefix_check(&t, err, sizeof err) != -1)
			fail_msg("%s accepted", bad[i]);
		assert_true(err[0] != '\0');
	}

	/* Host bits (prefix_parse refuses them, so build by hand). */
	struct prefix t = P("2001:db8::/32");
	t.a[5] = 1;
	assert_int_equal(xlat_prefix_check(&t, err, sizeof err), -1);
	assert_non_null(strstr(err, "host bits"));
	/* u-octet non-zero in a /96. */
	t = P("2001:db8:122:344:100::/96");
	assert_int_equal(xlat_prefix_check(&t, err, sizeof err), -1);
	assert_non_null(strstr(err, "u-octet"));
	/* ...and beyond a /64 it is also a host bit, reported as the u-octet. */
	t = P("2001:db8:122:344::/64");
	t.a[8] = 0x40;
	assert_int_equal(xlat_prefix_check(&t, err, sizeof err), -1);
	assert_non_null(strstr(err, "u-octet"));
	/* err may be NULL. */
	assert_int_equal(xlat_prefix_check(&t, NULL, 0), -1);
}

static void
test_is_wkp(void **state)
{
	(void)state;
	struct prefix p = P("64:ff9b::/96");
	assert_true(xlat_is_wkp(&p));
	p = P("64:ff9b:1::/96");
	assert_false(xlat_is_wkp(&p));
	p = P("64:ff9b::/64");
	assert_false(xlat_is_wkp(&p));
	p = P("64:ff9b::100:0/104");
	assert_false(xlat_is_wkp(&p));
}

/* ---- rfc6052.md section 4 ---- */

static void
test_v4_is_global(void **state)
{
	(void)state;
	const char *nonglobal[] = {
	    "0.0.0.0/8",
	    "0.1.2.0/24",
	    "10.0.0.0/8",
	    "10.20.30.0/24",
	    "100.64.0.0/10",
	    "100.127.255.0/24",
	    "127.0.0.1/32",
	    "169.254.0.0/16",
	    "172.16.0.0/12",
	    "172.31.255.255/32",
	    "192.0.0.0/24",
	    "192.0.0.8/32",
	    "192.0.0.8/29",
	    "192.0.0.170/31",
	    "192.0.2.0/24",
	    "192.0.2.33/32",
	    "192.88.99.0/24",
	    "192.88.99.1/32",
	    "192.168.0.0/16",
	    "192.168.1.0/24",
	    "198.18.0.0/15",
	    "198.19.255.0/24",
	    "198.51.100.0/24",
	    "203.0.113.0/24",
	    "203.0.113.7/32",
	    "224.0.0.0/4",
	    "232.1.2.0/24",
	    "239.255.255.255/32",
	    "240.0.0.0/4",
	    "250.0.0.0/8",
	    "255.255.255.255/32",
	    /* at /16 boundaries (the fast path's map) */
	    "10.1.0.0/16",
	    "172.16.5.0/24",
	    "100.127.0.0/16",
	    "198.19.0.0/16",
	    "192.168.255.0/24",
	};
	const char *global[] = {
	    "0.0.0.0/0",
	    "8.0.0.0/5",
	    "8.8.8.0/24",
	    "1.0.0.0/8",
	    "11.0.0.0/8",
	    "100.128.0.0/9",
	    "100.0.0.0/8",
	    "172.32.0.0/11",
	    "172.15.0.0/16",
	    "192.0.0.9/32",
	    "192.0.0.10/32",
	    "192.0.1.0/24",
	    "192.0.0.0/16",
	    "192.88.98.0/24",
	    "198.20.0.0/14",
	    "198.17.0.0/16",
	    "192.0.0.0/8",
	    "223.255.255.0/24",
	    "198.51.101.0/24",
	    "203.0.112.0/24",
	    "224.0.0.0/3",
	    /* at /16 boundaries (the fast path's map) */
	    "172.32.1.0/24",
	    "100.128.0.0/16",
	    "100.63.255.0/24",
	    "192.1.0.0/24",
	    "192.0.3.0/24",
	    "198.17.255.0/24",
	    "203.1.0.0/16",
	    "172.15.255.0/24",
	};
	for (size_t i = 0; i < sizeof nonglobal / sizeof nonglobal[0]; i++) {
		struct prefix p = P(nonglobal[i]);
		if (xlat_v4_is_global(&p))
			fail_msg("%s taken as global", nonglobal[i]);
	}
	for (size_t i = 0; i < sizeof global / sizeof global[0]; i++) {
		struct prefix p = P(global[i]);
		if (!xlat_v4_is_global(&p))
			fail_msg("%s taken as non-global", global[i]);
	}
}

/* ---- rfc6052.md sections 6 and 7: EAM ---- */

static const struct {
	const char *e4, *e6, *v4, *v6;
} eam_examples[] = {
    {"203.0.113.0/24", "2001:db8:1234:64:ffff:ffff:ffff:ff00/120", "203.0.113.128/25",
     "2001:db8:1234:64:ffff:ffff:ffff:ff80/121"},
    {"203.0.113.0/24", "2001:db8:1234:64:ffff:ffff:ffff:ff00/120", "203.0.113.7/32",
     "2001:db8:1234:64:ffff:ffff:ffff:ff07/128"},
    {"192.0.2.128/26", "2001:db8:dddd::/64", "192.0.2.160/27", "2001:db8:dddd:0:8000::/65"},
    {"192.0.2.128/26", "2001:db8:dddd::/64", "192.0.2.129/32", "2001:db8:dddd:0:400::/70"},
};

static void
test_eam_examples(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof eam_examples / sizeof eam_examples[0]; i++) {
		struct prefix e4 = P(eam_examples[i].e4), e6 = P(eam_examples[i].e6);
		struct prefix v4 = P(eam_examples[i].v4), v6 = P(eam_examples[i].v6), got, back;
		bool narrower = true;

		xlat_eam_4to6(&e4, &e6, &v4, &got);
		assert_prefix(&got, eam_examples[i].v6);
		xlat_eam_6to4(&e4, &e6, &v6, &back, &narrower);
		assert_prefix(&back, eam_examples[i].v4);
		assert_false(narrower);
	}
	/* The EAM prefixes map onto each other. */
	struct prefix e4 = P("192.0.2.128/26"), e6 = P("2001:db8:dddd::/64"), got;
	xlat_eam_4to6(&e4, &e6, &e4, &got);
	assert_prefix(&got, "2001:db8:dddd::/64");
	/* Reverse past the IPv4 bits: the /32, narrower. */
	struct prefix q = P("2001:db8:dddd:0:400::/80");
	bool narrower = false;
	xlat_eam_6to4(&e4, &e6, &q, &got, &narrower);
	assert_prefix(&got, "192.0.2.129/32");
	assert_true(narrower);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_addr_examples),    cmocka_unit_test(test_addr_reverse_refusals),
	    cmocka_unit_test(test_prefix_examples),  cmocka_unit_test(test_prefix_4to6_host_bits),
	    cmocka_unit_test(test_reverse_rules),    cmocka_unit_test(test_roundtrip_every_length),
	    cmocka_unit_test(test_reverse_property), cmocka_unit_test(test_prefix_check),
	    cmocka_unit_test(test_is_wkp),	     cmocka_unit_test(test_v4_is_global),
	    cmocka_unit_test(test_eam_examples),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
