/*
 * Unit tests of src/lib/prefix.c: address and prefix parsing (with and without host bits),
 * masking, containment, the total order, and formatting (RFC 5952 for IPv6). Table cases pin the
 * documented behaviour; seeded random cases compare masking, containment and formatting with
 * bit-by-bit references written here. Set PREFIX_TEST_SEED to replay a run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/prefix.h"

static uint64_t rng_state;

static uint64_t
rng(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned
rng_below(unsigned n)
{
	return (unsigned)(rng() % n);
}

static struct prefix
parse_ok(const char *s)
{
	struct prefix p;
	int r = prefix_parse(s, &p, false, false);
	if (r != 0)
		fail_msg("prefix_parse(\"%s\") = %d, expected 0", s, r);
	return p;
}

static void
random_prefix(struct prefix *p, int af)
{
	memset(p, 0, sizeof *p);
	p->af = (uint8_t)af;
	for (unsigned i = 0; i < af_bytes(af); i++)
		p->a[i] = (uint8_t)rng();
	p->len = (uint8_t)rng_below(af_bits(af) + 1);
}

/* Parsing. */

static void
test_addr_parse(void **state)
{
	(void)state;
	int af;
	uint8_t a[16];
	static const uint8_t v4[4] = {192, 0, 2, 1};
	static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};

	assert_int_equal(addr_parse("192.0.2.1", &af, a), 0);
	assert_int_equal(af, AF_INET);
	assert_memory_equal(a, v4, 4);
	for (int i = 4; i < 16; i++)
		assert_int_equal(a[i], 0);

	assert_int_equal(addr_parse("2001:DB8::1", &af, a), 0);
	assert_int_equal(af, AF_INET6);
	assert_memory_equal(a, v6, 16);

	static const char *const bad[] = {
	    "",		  "1.2.3",    "1.2.3.4.5", "256.0.0.1", "1.2.3.4 ", " 1.2.3.4",
	    "1.2.3.-1",	  "01.2.3.4", ":::",	   "1::2::3",	"::g",	    "1:2:3:4:5:6:7:8:9",
	    "fe80::1%lo", "[::1]",    "::1/128",   "localhost",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (addr_parse(bad[i], &af, a) != -1)
			fail_msg("addr_parse(\"%s\") accepted", bad[i]);
}

static void
test_prefix_parse(void **state)
{
	(void)state;
	struct prefix p;

	p = parse_ok("10.0.0.0/8");
	assert_int_equal(p.af, AF_INET);
	assert_int_equal(p.len, 8);
	assert_int_equal(p.a[0], 10);

	p = parse_ok("0.0.0.0/0");
	assert_int_equal(p.len, 0);
	p = parse_ok("255.255.255.255/32");
	assert_int_equal(p.len, 32);
	p = parse_ok("::/0");
	assert_int_equal(p.af, AF_INET6);
	assert_int_equal(p.len, 0);
	p = parse_ok("2001:db8::/32");
	assert_int_equal(p.len, 32);
	assert_int_equal(p.a[3], 0xb8);
	p = parse_ok("2001:db8::1/128");
	assert_int_equal(p.len, 128);
	assert_int_equal(p.a[15], 1);

	/* Host bits: an error unless mask is set, which clears them. */
	assert_int_equal(prefix_parse("10.1.2.3/8", &p, false, false), -2);
	assert_int_equal(prefix_parse("10.1.2.3/8", &p, false, true), 0);
	assert_true(prefix_eq(&p, &(struct prefix){.af = AF_INET, .len = 8, .a = {10}}));
	assert_int_equal(prefix_parse("10.0.0.128/25", &p, false, false), 0);
	assert_int_equal(prefix_parse("10.0.0.128/24", &p, false, false), -2);
	assert_int_equal(prefix_parse("10.0.0.1/31", &p, false, false), -2);
	assert_int_equal(prefix_parse("2001:db8::1/127", &p, false, false), -2);
	assert_int_equal(prefix_parse("2001:db8::1/64", &p, false, true), 0);
	assert_true(prefix_eq(
	    &p, &(struct prefix){.af = AF_INET6, .len = 64, .a = {0x20, 0x01, 0x0d, 0xb8}}));
	assert_int_equal(prefix_parse("2001:db8:ffff::/33", &p, false, true), 0);
	assert_int_equal(p.a[4], 0x80);
	assert_int_equal(p.a[5], 0);
	assert_int_equal(prefix_parse("255.255.255.255/0", &p, false, true), 0);
	assert_true(prefix_eq(&p, &(struct prefix){.af = AF_INET, .len = 0}));

	/* A bare address is a host prefix only when allowed. */
	assert_int_equal(prefix_parse("192.0.2.1", &p, false, false), -1);
	assert_int_equal(prefix_parse("192.0.2.1", &p, true, false), 0);
	assert_int_equal(p.len, 32);
	assert_int_equal(p.a[3], 1);
	assert_int_equal(prefix_parse("2001:db8::1", &p, true, false), 0);
	assert_int_equal(p.len, 128);

	static const char *const bad[] = {
	    "10.0.0.0/33",
	    "::/129",
	    "10.0.0.0/",
	    "10.0.0.0/-1",
	    "10.0.0.0/+8",
	    "10.0.0.0/8x",
	    "10.0.0.0/ 8",
	    "10.0.0.0/8 ",
	    "10.0.0.0/8/8",
	    "/8",
	    "10.0.0/8",
	    "10.0.0.0//8",
	    "2001:db8::/1000",
	    "2001:db8::/0x20",
	    "::/4294967296",
	    "10.0.0.0/0008",
	    "",
	    "/",
	    "2001:0db8:0000:0000:0000:0000:0000:0000:0000/32",
	    "0000:0000:0000:0000:0000:ffff:255.255.255.255/128000000",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int r = prefix_parse(bad[i], &p, true, true);
		if (r != -1)
			fail_msg("prefix_parse(\"%s\") = %d, expected -1", bad[i], r);
	}
	/* The longest spelling there is still fits. */
	assert_int_equal(
	    prefix_parse("0000:0000:0000:0000:0000:ffff:255.255.255.255/128", &p, false, false), 0);
	assert_int_equal(p.a[10], 0xff);
	assert_int_equal(p.a[15], 255);
}

/* Masking and containment against bit-by-bit references. */

static void
ref_mask(struct prefix *p)
{
	for (unsigned i = p->len; i < 128; i++)
		p->a[i / 8] &= (uint8_t) ~(0x80u >> (i % 8));
	if (p->af == AF_INET)
		memset(p->a + 4, 0, 12);
}

static bool
ref_contains(const struct prefix *o, const struct prefix *in)
{
	if (o->af != in->af || in->len < o->len)
		return false;
	for (unsigned i = 0; i < o->len; i++)
		if (((o->a[i / 8] ^ in->a[i / 8]) & (0x80u >> (i % 8))) != 0)
			return false;
	return true;
}

static void
test_mask(void **state)
{
	(void)state;
	struct prefix p = {.af = AF_INET, .len = 9, .a = {0xff, 0xff, 0xff, 0xff, 0xaa}};
	assert_false(prefix_is_masked(&p));
	prefix_mask(&p);
	static const uint8_t want[16] = {0xff, 0x80};
	assert_memory_equal(p.a, want, 16); /* bytes past the family's are cleared too */
	assert_true(prefix_is_masked(&p));

	for (int i = 0; i < 20000; i++) {
		int af = i % 2 ? AF_INET6 : AF_INET;
		unsigned bits = af_bits(af);
		struct prefix y, m;
		random_prefix(&y, af);
		/* Half masked, half with one host bit set. */
		ref_mask(&y);
		if (y.len < bits && rng_below(2))
			bit_set(y.a, y.len + rng_below(bits - y.len), 1);
		m = y;
		ref_mask(&m);
		assert_int_equal(prefix_is_masked(&y), memcmp(m.a, y.a, 16) == 0);
		prefix_mask(&y);
		assert_memory_equal(y.a, m.a, 16);
		assert_true(prefix_is_masked(&y));
	}
}

static void
test_contains(void **state)
{
	(void)state;
	struct prefix a = parse_ok("10.0.0.0/8"), b = parse_ok("10.1.0.0/16");
	struct prefix c = parse_ok("11.0.0.0/8"), d = parse_ok("0.0.0.0/0");
	struct prefix e = parse_ok("::/0"), f = parse_ok("2001:db8::/32");
	assert_true(prefix_contains(&a, &b));
	assert_false(prefix_contains(&b, &a));
	assert_true(prefix_contains(&a, &a));
	assert_false(prefix_contains(&a, &c));
	assert_true(prefix_contains(&d, &c));
	assert_false(prefix_contains(&d, &e)); /* families differ */
	assert_false(prefix_contains(&e, &d));
	assert_true(prefix_contains(&e, &f));

	for (int i = 0; i < 50000; i++) {
		int af = i % 2 ? AF_INET6 : AF_INET;
		struct prefix o, in;
		random_prefix(&o, af);
		ref_mask(&o);
		/* inner: outer's bits with a random tail, sometimes one bit flipped */
		in = o;
		in.len = (uint8_t)(o.len + rng_below(af_bits(af) - o.len + 1));
		for (unsigned k = o.len; k < in.len; k++)
			bit_set(in.a, k, (unsigned)rng() & 1);
		if (o.len > 0 && rng_below(2))
			bit_set(in.a, rng_below(o.len), (unsigned)rng() & 1);
		if (rng_below(8) == 0)
			in.len = (uint8_t)rng_below(af_bits(af) + 1);
		ref_mask(&in);
		assert_int_equal(prefix_contains(&o, &in), ref_contains(&o, &in));
	}
}

static void
test_cmp(void **state)
{
	(void)state;
	static const char *const sorted[] = {
	    "0.0.0.0/0",
	    "0.0.0.0/1",
	    "0.0.0.0/32",
	    "9.255.255.255/32",
	    "10.0.0.0/8",
	    "10.0.0.0/9",
	    "10.0.0.0/16",
	    "10.0.0.0/24",
	    "10.0.0.1/32",
	    "10.1.0.0/16",
	    "10.128.0.0/9",
	    "255.255.255.255/32",
	    "::/0",
	    "::/128",
	    "::1/128",
	    "2001:db8::/32",
	    "2001:db8::/33",
	    "2001:db8::1/128",
	    "2001:db8:8000::/33",
	    "ffff::/16",
	};
	size_t n = sizeof sorted / sizeof sorted[0];
	for (size_t i = 0; i < n; i++) {
		struct prefix x = parse_ok(sorted[i]);
		for (size_t j = 0; j < n; j++) {
			struct prefix y = parse_ok(sorted[j]);
			int want = i < j ? -1 : i > j ? 1 : 0;
			if (prefix_cmp(&x, &y) != want)
				fail_msg("prefix_cmp(%s, %s) = %d, expected %d", sorted[i],
					 sorted[j], prefix_cmp(&x, &y), want);
			assert_int_equal(prefix_eq(&x, &y), i == j);
		}
	}
}

/* Formatting. */

/* RFC 5952 section 4 for addresses without an embedded IPv4 address. */
static void
ref_fmt6(const uint8_t a[16], char *out)
{
	unsigned w[8], best = 0, bestlen = 0;
	for (unsigned i = 0; i < 8; i++)
		w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	for (unsigned i = 0; i < 8;) {
		unsigned j = i;
		while (j < 8 && w[j] == 0)
			j++;
		if (j - i > bestlen) {
			best = i;
			bestlen = j - i;
		}
		i = j > i ? j : i + 1;
	}
	if (bestlen < 2)
		bestlen = 0; /* 4.2.2: a single 0 field is not shortened */
	char *p = out;
	for (unsigned i = 0; i < 8; i++) {
		if (bestlen > 0 && i == best) {
			p += sprintf(p, "::");
			i += bestlen - 1;
			continue;
		}
		if (i > 0 && p[-1] != ':')
			*p++ = ':';
		p += sprintf(p, "%x", w[i]);
	}
	*p = '\0';
}

static void
check_fmt(const char *in, const char *want)
{
	struct prefix p;
	char buf[PREFIX_STRLEN];
	if (prefix_parse(in, &p, true, false) != 0)
		fail_msg("prefix_parse(\"%s\") failed", in);
	prefix_fmt(&p, buf);
	if (strcmp(buf, want) != 0)
		fail_msg("prefix_fmt(%s) = \"%s\", expected \"%s\"", in, buf, want);
}

static void
test_fmt(void **state)
{
	(void)state;
	check_fmt("192.0.2.0/24", "192.0.2.0/24");
	check_fmt("0.0.0.0/0", "0.0.0.0/0");
	check_fmt("255.255.255.255", "255.255.255.255/32");
	check_fmt("::/0", "::/0");
	check_fmt("::1", "::1/128");
	check_fmt("1::/16", "1::/16");
	/* 4.1 no leading zeros, 4.3 lower case */
	check_fmt("2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1/128");
	check_fmt("2001:DB8:AAAA:BBBB:CCCC:DDDD:EEEE:FFFF",
		  "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff/128");
	/* 4.2.1 shorten as much as possible */
	check_fmt("2001:db8:0:0:0:0:2:1", "2001:db8::2:1/128");
	/* 4.2.2 not a single 16-bit 0 field */
	check_fmt("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1/128");
	/* 4.2.3 the longest run, the first of equal runs */
	check_fmt("2001:0:0:1:0:0:0:1", "2001:0:0:1::1/128");
	check_fmt("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1/128");
	/* 5: IPv4-mapped addresses in mixed notation */
	check_fmt("::ffff:192.0.2.1", "::ffff:192.0.2.1/128");
	check_fmt("::ffff:c000:0201", "::ffff:192.0.2.1/128");
	check_fmt("64:ff9b::/96", "64:ff9b::/96");

	char buf[PREFIX_STRLEN], want[ADDR_STRLEN + 8];
	for (int i = 0; i < 50000; i++) {
		struct prefix p = {.af = AF_INET6, .len = 128};
		/* Fields zero half of the time, so runs of every length occur. */
		for (unsigned k = 0; k < 8; k++) {
			unsigned v =
			    rng_below(2) ? 0 : (unsigned)rng() & (rng_below(2) ? 0xffff : 0xf);
			p.a[2 * k] = (uint8_t)(v >> 8);
			p.a[2 * k + 1] = (uint8_t)v;
		}
		/* ::/80 is where glibc and musl put embedded IPv4 addresses differently. */
		static const uint8_t zero[10];
		if (memcmp(p.a, zero, 10) == 0)
			continue;
		ref_fmt6(p.a, want);
		strcat(want, "/128");
		prefix_fmt(&p, buf);
		if (strcmp(buf, want) != 0)
			fail_msg("prefix_fmt = \"%s\", expected \"%s\"", buf, want);
		struct prefix q;
		assert_int_equal(prefix_parse(buf, &q, false, false), 0);
		assert_true(prefix_eq(&p, &q));
	}
	/* Round trip of random prefixes of both families. */
	for (int i = 0; i < 20000; i++) {
		struct prefix p, q;
		random_prefix(&p, i % 2 ? AF_INET6 : AF_INET);
		prefix_mask(&p);
		prefix_fmt(&p, buf);
		assert_true(strlen(buf) < PREFIX_STRLEN);
		assert_int_equal(prefix_parse(buf, &q, false, false), 0);
		assert_true(prefix_eq(&p, &q));
	}
}

int
main(void)
{
	const char *env = getenv("PREFIX_TEST_SEED");
	uint64_t seed = env != NULL ? strtoull(env, NULL, 0) : (uint64_t)time(NULL);
	rng_state = seed;
	printf("test_prefix: seed %llu (PREFIX_TEST_SEED=%llu to replay)\n",
	       (unsigned long long)seed, (unsigned long long)seed);

	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_addr_parse), cmocka_unit_test(test_prefix_parse),
	    cmocka_unit_test(test_mask),       cmocka_unit_test(test_contains),
	    cmocka_unit_test(test_cmp),	       cmocka_unit_test(test_fmt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
