/*
 * RFC 6052 IPv4-embedded IPv6 addresses and prefixes (spec: rfc6052.md sections 1-4), as pure
 * functions of the translation prefix T.
 *
 * Everything is byte arithmetic: the translation prefix lengths are multiples of 8, so IPv4
 * octet j lands in IPv6 byte PL/8 + j, one byte further when that would be byte 8 (the u-octet,
 * always zero) or beyond; for /96 the octets are bytes 12..15. A prefix maps to exactly one
 * prefix: its length is the IPv6 bit after the last IPv4 bit, so an IPv4 prefix that runs past
 * the u-octet includes it as eight fixed zero bits (lengths 65..72 never appear), and one that
 * ends right at bit 64 takes the /64 form.
 *
 * Also here: the IANA special-purpose check that the well-known prefix needs (RFC 6052 3.1),
 * and the error-message helper shared by the module.
 */
#include "xlat/xlat.h"
#include "xlat/xlat_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* 64:ff9b::/96 */
static const uint8_t wkp_bytes[16] = {0x00, 0x64, 0xff, 0x9b};
#define WKP_LEN 96

void
xlat_err(char *err, size_t errlen, const char *fmt, ...)
{
	if (err == NULL || errlen == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

bool
xlat_len_valid(unsigned pl)
{
	switch (pl) {
	case 32:
	case 40:
	case 48:
	case 56:
	case 64:
	case 96:
		return true;
	default:
		return false;
	}
}

bool
xlat_is_wkp(const struct prefix *t)
{
	return t->af == AF_INET6 && t->len == WKP_LEN && memcmp(t->a, wkp_bytes, 16) == 0;
}

int
xlat_prefix_check(const struct prefix *t, char *err, size_t errlen)
{
	char buf[PREFIX_STRLEN];

	if (t->af != AF_INET6) {
		xlat_err(err, errlen, "translation prefix must be IPv6");
		return -1;
	}
	prefix_fmt(t, buf);
	if (!xlat_len_valid(t->len)) {
		xlat_err(err, errlen, "%s: length must be one of 32, 40, 48, 56, 64, 96", buf);
		return -1;
	}
	if (t->a[8] != 0) {
		xlat_err(err, errlen, "%s: bits 64..71 (the u-octet) must be zero", buf);
		return -1;
	}
	if (!prefix_is_masked(t)) {
		xlat_err(err, errlen, "%s: host bits set past /%u", buf, t->len);
		return -1;
	}
	/* RFC 6052 2.2: the well-known prefix exists only as a /96. */
	struct prefix wkp = {.af = AF_INET6, .len = WKP_LEN};
	memcpy(wkp.a, wkp_bytes, 16);
	if (t->len < WKP_LEN && prefix_contains(t, &wkp)) {
		xlat_err(err, errlen,
			 "%s: covers the well-known prefix 64:ff9b::/96, usable only as /96", buf);
		return -1;
	}
	return xlat_is_wkp(t) ? 1 : 0;
}

/* IPv6 byte that carries IPv4 octet j (0..3) under a translation prefix of length pl. */
static inline unsigned
v4_byte(unsigned pl, unsigned j)
{
	unsigned b = pl / 8 + j;
	return (pl == 96 || b < 8) ? b : b + 1;
}

/* IPv6 bit that carries IPv4 bit i (0..31); rfc6052.md section 1. */
static inline unsigned
v4_bit(unsigned pl, unsigned i)
{
	if (pl == 96)
		return 96 + i;
	return i < 64 - pl ? pl + i : pl + i + 8;
}

/* Writes T's first pl bits and zeros elsewhere. */
static void
copy_t(const struct prefix *t, uint8_t v6[16])
{
	memset(v6, 0, 16);
	memcpy(v6, t->a, t->len / 8);
}

void
xlat_addr_4to6(const struct prefix *t, const uint8_t v4[4], uint8_t v6[16])
{
	copy_t(t, v6);
	for (unsigned j = 0; j < 4; j++)
		v6[v4_byte(t->len, j)] = v4[j];
}

int
xlat_addr_6to4(const struct prefix *t, const uint8_t v6[16], uint8_t v4[4])
{
	unsigned pl = t->len;

	if (!xlat_len_valid(pl) || memcmp(v6, t->a, pl / 8) != 0)
		return -1;
	if (v6[8] != 0) /* inside T for /96 (zero there), the u-octet otherwise */
		return -1;
	for (unsigned j = 0; j < 4; j++)
		v4[j] = v6[v4_byte(pl, j)];
	return 0;
}

void
xlat_prefix_4to6(const struct prefix *t, const struct prefix *v4, struct prefix *v6)
{
	unsigned pl = t->len, len = v4->len > 32 ? 32 : v4->len;
	/* the IPv4 address masked to its length, in network byte order */
	uint8_t a[4];
	uint32_t m = len == 0 ? 0 : 0xffffffffu << (32 - len);
	for (unsigned j = 0; j < 4; j++)
		a[j] = (uint8_t)(v4->a[j] & (m >> (24 - 8 * j)));
	v6->af = AF_INET6;
	if (pl == 96) { /* the common case, one copy each */
		memcpy(v6->a, t->a, 12);
		memcpy(v6->a + 12, a, 4);
		v6->len = (uint8_t)(96 + len);
		return;
	}
	xlat_addr_4to6(t, a, v6->a);
	v6->len = (uint8_t)(len == 0 ? pl : v4_bit(pl, len - 1u) + 1);
}

int
xlat_prefix_6to4(const struct prefix *t, const struct prefix *v6, struct prefix *v4, bool *narrower)
{
	unsigned pl = t->len, m = v6->len, l;
	bool narrow = false;

	if (t->af != AF_INET6 || v6->af != AF_INET6 || !xlat_len_valid(pl) || m < pl || m > 128)
		return -1;
	struct prefix q = *v6;
	prefix_mask(&q);
	if (!prefix_contains(t, &q))
		return -1;
	/* q is masked: a u-octet bit inside the first m bits shows as a non-zero byte 8. */
	if (pl < 96 && q.a[8] != 0)
		return -1;

	if (pl == 96)
		l = m - 96;
	else if (m <= 64)
		l = m - pl;
	else if (m <= 72)
		l = 64 - pl;
	else if (m - pl - 8 > 32) {
		l = 32;
		narrow = true;
	} else
		l = m - pl - 8;

	memset(v4, 0, sizeof *v4);
	v4->af = AF_INET;
	v4->len = (uint8_t)l;
	for (unsigned j = 0; j < 4; j++)
		v4->a[j] = q.a[v4_byte(pl, j)];
	prefix_mask(v4);
	if (narrower != NULL)
		*narrower = narrow;
	return 0;
}

/*
 * IANA IPv4 special-purpose address registry, entries with "globally reachable" false, plus
 * multicast (224/4) and the deprecated 6to4 relay anycast block (192.88.99.0/24, RFC 7526).
 * Within 192.0.0.0/24, 192.0.0.9/32 (PCP anycast) and 192.0.0.10/32 (TURN anycast) are global.
 */
struct v4_block {
	uint32_t addr; /* host order */
	uint8_t len;
};

#define V4(a, b, c, d)                                                                             \
	(((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))

static const struct v4_block v4_nonglobal[] = {
    {V4(0, 0, 0, 0), 8},	  /* "this network", RFC 791 */
    {V4(10, 0, 0, 0), 8},	  /* private, RFC 1918 */
    {V4(100, 64, 0, 0), 10},	  /* shared address space, RFC 6598 */
    {V4(127, 0, 0, 0), 8},	  /* loopback, RFC 1122 */
    {V4(169, 254, 0, 0), 16},	  /* link local, RFC 3927 */
    {V4(172, 16, 0, 0), 12},	  /* private, RFC 1918 */
    {V4(192, 0, 0, 0), 24},	  /* IETF protocol assignments, RFC 6890 */
    {V4(192, 0, 2, 0), 24},	  /* documentation TEST-NET-1, RFC 5737 */
    {V4(192, 88, 99, 0), 24},	  /* deprecated 6to4 relay anycast, RFC 7526 */
    {V4(192, 168, 0, 0), 16},	  /* private, RFC 1918 */
    {V4(198, 18, 0, 0), 15},	  /* benchmarking, RFC 2544 */
    {V4(198, 51, 100, 0), 24},	  /* documentation TEST-NET-2, RFC 5737 */
    {V4(203, 0, 113, 0), 24},	  /* documentation TEST-NET-3, RFC 5737 */
    {V4(224, 0, 0, 0), 4},	  /* multicast, RFC 5771 */
    {V4(240, 0, 0, 0), 4},	  /* reserved, RFC 1112 */
    {V4(255, 255, 255, 255), 32}, /* limited broadcast, RFC 919 */
};

static const struct v4_block v4_global_exceptions[] = {
    {V4(192, 0, 0, 9), 32},  /* port control protocol anycast, RFC 7723 */
    {V4(192, 0, 0, 10), 32}, /* TURN anycast, RFC 8155 */
};

static bool
v4_inside(uint32_t addr, unsigned len, const struct v4_block *b)
{
	uint32_t mask = b->len == 0 ? 0 : ~(uint32_t)0 << (32 - b->len);
	return len >= b->len && ((addr ^ b->addr) & mask) == 0;
}

/* The /16s that some block above touches (bit x of the map: first two octets x): a prefix of
 * /16 or longer elsewhere is global without a look at the tables, and one of /8 or longer when
 * its whole /8 is untouched (the common case: every prefix of a full table is checked). */
static uint64_t v4_pairs[65536 / 64];
static uint64_t v4_octets[4];
static bool v4_pairs_ready;

static void
v4_pairs_init(void)
{
	const struct v4_block *tabs[] = {v4_nonglobal, v4_global_exceptions};
	size_t ns[] = {sizeof v4_nonglobal / sizeof v4_nonglobal[0],
		       sizeof v4_global_exceptions / sizeof v4_global_exceptions[0]};
	for (size_t t = 0; t < 2; t++)
		for (size_t i = 0; i < ns[t]; i++) {
			unsigned first = tabs[t][i].addr >> 16;
			unsigned span = tabs[t][i].len >= 16 ? 1 : 1u << (16 - tabs[t][i].len);
			for (unsigned x = first; x < first + span; x++) {
				v4_pairs[x / 64] |= (uint64_t)1 << (x % 64);
				v4_octets[(x >> 8) / 64] |= (uint64_t)1 << ((x >> 8) % 64);
			}
		}
	v4_pairs_ready = true;
}

bool
xlat_v4_is_global(const struct prefix *v4)
{
	uint32_t addr = V4(v4->a[0], v4->a[1], v4->a[2], v4->a[3]);
	size_t i;

	if (!v4_pairs_ready)
		v4_pairs_init();
	unsigned x = (unsigned)v4->a[0] << 8 | v4->a[1];
	if (v4->len >= 16 && !(v4_pairs[x / 64] & ((uint64_t)1 << (x % 64))))
		return true;
	if (v4->len >= 8 && !(v4_octets[v4->a[0] / 64] & ((uint64_t)1 << (v4->a[0] % 64))))
		return true;

	for (i = 0; i < sizeof v4_global_exceptions / sizeof v4_global_exceptions[0]; i++)
		if (v4_inside(addr, v4->len, &v4_global_exceptions[i]))
			return true;
	for (i = 0; i < sizeof v4_nonglobal / sizeof v4_nonglobal[0]; i++)
		if (v4_inside(addr, v4->len, &v4_nonglobal[i]))
			return false;
	return true;
}
