/*
 * IPv4 and IPv6 addresses and prefixes as bytes in network order, with parsing and canonical
 * formatting (RFC 5952 for IPv6, through inet_ntop). Every module uses these; the radix tree
 * takes the same byte keys.
 */
#ifndef BGP64_PREFIX_H
#define BGP64_PREFIX_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#define PREFIX_STRLEN 50 /* "ffff:...:ffff/128" and "255.255.255.255/32" with room */
#define ADDR_STRLEN   46 /* INET6_ADDRSTRLEN */

struct prefix {
	uint8_t af;    /* AF_INET or AF_INET6 */
	uint8_t len;   /* 0..32 or 0..128 */
	uint8_t a[16]; /* IPv4 uses a[0..3]; bytes past len are zero once masked */
};

static inline unsigned
af_bits(int af)
{
	return af == AF_INET ? 32 : 128;
}

static inline unsigned
af_bytes(int af)
{
	return af == AF_INET ? 4 : 16;
}

/* Parses "A.B.C.D" or an IPv6 address; sets *af and 4 or 16 bytes of out. 0 or -1. */
int addr_parse(const char *s, int *af, uint8_t out[16]);
/* Formats 4 or 16 bytes; returns buf. */
const char *addr_fmt(int af, const uint8_t *a, char buf[ADDR_STRLEN]);

/*
 * Parses "ADDR/LEN" (or a bare address as a host prefix when allow_host is true). Host bits set
 * beyond LEN are an error (returns -2) unless mask is true, in which case they are cleared.
 * Returns 0, -1 for syntax.
 */
int prefix_parse(const char *s, struct prefix *p, bool allow_host, bool mask);
const char *prefix_fmt(const struct prefix *p, char buf[PREFIX_STRLEN]);

/* Clears the bits past p->len. */
void prefix_mask(struct prefix *p);
/* True when bits past p->len are all zero. */
bool prefix_is_masked(const struct prefix *p);
/* True when inner lies inside outer (same family, inner->len >= outer->len). */
bool prefix_contains(const struct prefix *outer, const struct prefix *inner);
/* Total order: family, then address bytes, then length. */
int prefix_cmp(const struct prefix *x, const struct prefix *y);
bool prefix_eq(const struct prefix *x, const struct prefix *y);

/* Bit i (0 = most significant of a[0]) of a byte string. */
static inline unsigned
bit_get(const uint8_t *a, unsigned i)
{
	return (a[i >> 3] >> (7 - (i & 7))) & 1u;
}

static inline void
bit_set(uint8_t *a, unsigned i, unsigned v)
{
	uint8_t m = (uint8_t)(0x80u >> (i & 7));
	if (v)
		a[i >> 3] |= m;
	else
		a[i >> 3] &= (uint8_t)~m;
}

#endif
