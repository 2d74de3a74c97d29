/*
 * Translation core (no I/O): RFC 6052 address and prefix mapping for the six translation
 * prefix lengths, RFC 7757 explicit address mappings (EAM), and the next-hop table (longest
 * prefix match from an IPv4 next hop to an IPv6 next hop), all kept in radix trees.
 *
 * The pure mapping functions (xlat_addr_*, xlat_prefix_*) take the translation prefix as an
 * argument. 'struct xlat' bundles one configuration (translation prefix, EAMs, next hops,
 * policies) and is immutable once built; a reload builds a new one and diffs. Run-time state
 * (how many best paths use an unmatched next hop) belongs to the route engine, not here.
 */
#ifndef BGP64_XLAT_H
#define BGP64_XLAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/prefix.h"

#define XLAT_DEVLEN 16 /* IFNAMSIZ */

/* ---- RFC 6052 (rfc6052.c) ---- */

/* True for the six valid lengths 32, 40, 48, 56, 64, 96. */
bool xlat_len_valid(unsigned pl);
/*
 * Checks a translation prefix: IPv6, valid length, no host bits, u-octet (byte 8) zero.
 * On error returns -1 and writes a reason to err. Returns 1 (not an error) for the well-known
 * prefix 64:ff9b::/96, 0 for a network-specific prefix.
 */
int xlat_prefix_check(const struct prefix *t, char *err, size_t errlen);
bool xlat_is_wkp(const struct prefix *t);
/* Embeds an IPv4 address into the translation prefix t (u-octet and suffix zero). */
void xlat_addr_4to6(const struct prefix *t, const uint8_t v4[4], uint8_t v6[16]);
/* Extracts the IPv4 address; -1 when v6 is not inside t or its u-octet is non-zero. */
int xlat_addr_6to4(const struct prefix *t, const uint8_t v6[16], uint8_t v4[4]);
/* Maps an IPv4 prefix (host bits ignored) into t (rfc6052.md section 2). */
void xlat_prefix_4to6(const struct prefix *t, const struct prefix *v4, struct prefix *v6);
/*
 * Reverse mapping (rfc6052.md section 3). -1 when not translatable. *narrower (may be NULL) is
 * set when the IPv6 prefix is longer than the IPv4 /32 it contains.
 */
int xlat_prefix_6to4(const struct prefix *t, const struct prefix *v6, struct prefix *v4,
		     bool *narrower);
/*
 * False when the IPv4 prefix lies inside a block that is not globally reachable (IANA special
 * purpose registry, plus multicast 224/4 and 192.88.99.0/24), unless it lies inside one of the
 * global exceptions 192.0.0.9/32, 192.0.0.10/32. A prefix that covers such a block (0.0.0.0/0,
 * 8.0.0.0/5) is global.
 */
bool xlat_v4_is_global(const struct prefix *v4);

/* ---- RFC 7757 explicit mappings (eam.c) ---- */

/*
 * Maps v4 (inside eam4) through the EAM eam4 <-> eam6 (left-aligned suffix); the IPv6 length is
 * l6 + (L - l4). Requires 32 - l4 <= 128 - l6 (as xlat_add_eam enforces).
 */
void xlat_eam_4to6(const struct prefix *eam4, const struct prefix *eam6, const struct prefix *v4,
		   struct prefix *v6);
/*
 * Reverse: v6 (inside eam6) to IPv4, length l4 + (M - l6) capped at 32; *narrower (may be NULL)
 * is set when the IPv6 prefix is longer than the IPv4 /32 it maps to.
 */
void xlat_eam_6to4(const struct prefix *eam4, const struct prefix *eam6, const struct prefix *v6,
		   struct prefix *v4, bool *narrower);

/* ---- the translation context (xlat.c, nhtab.c) ---- */

enum xlat_unknown_policy {
	XLAT_UNKNOWN_REJECT,  /* not translated, counted per next hop */
	XLAT_UNKNOWN_DEFAULT, /* the configured default IPv6 next hop */
};

enum xlat_rule {
	XLAT_RULE_RFC6052,
	XLAT_RULE_EAM,
};

enum xlat_reason {
	XLAT_OK,
	XLAT_NOT_IPV4,
	XLAT_NON_GLOBAL,    /* under the WKP, not globally reachable (RFC 6052 3.1) */
	XLAT_NO_NEXTHOP,    /* next hop unmatched and policy reject */
	XLAT_NO_PREFIX,	    /* no EAM contains it and no translation prefix is set */
	XLAT_POLICY_REJECT, /* the translation policy rejects the best path (src/rde) */
};

struct xlat_nh {
	uint8_t v6[16];
	char dev[XLAT_DEVLEN]; /* "" when not on-link */
};

struct xlat_route {
	struct prefix v6;
	enum xlat_rule rule;
	struct prefix src; /* the rule's source: the translation prefix or the EAM's IPv4 prefix */
};

struct xlat;

struct xlat *xlat_new(void);
void xlat_free(struct xlat *x);

/* Building (from the config). Each returns 0, or -1 with a reason in err. */
int xlat_set_prefix(struct xlat *x, const struct prefix *t, char *err, size_t errlen);
/*
 * Explicit mapping (both prefixes without host bits). The IPv4 suffix must not be longer than
 * the IPv6 one (32 - l4 <= 128 - l6, RFC 7757 as Jool enforces it; equal counts give a
 * one-to-one mapping, a longer IPv6 suffix keeps its low bits zero). An EAM overlapping
 * another on either side (duplicate, inside or covering) is refused.
 */
int xlat_add_eam(struct xlat *x, const struct prefix *v4, const struct prefix *v6, char *err,
		 size_t errlen);
/*
 * Next-hop rule: IPv4 prefix (no host bits) -> IPv6 address (+ optional device, NULL or "" for
 * none); duplicates refused, as are the unspecified address, multicast, and a link-local
 * address without a device.
 */
int xlat_add_nexthop(struct xlat *x, const struct prefix *v4, const uint8_t v6[16], const char *dev,
		     char *err, size_t errlen);
/* dflt is copied; under DEFAULT with dflt NULL, unmatched next hops stay unmapped. */
void xlat_set_unknown_policy(struct xlat *x, enum xlat_unknown_policy p,
			     const struct xlat_nh *dflt);
/* Under the WKP: translate only globally reachable IPv4 (default true). */
void xlat_set_wkp_global_only(struct xlat *x, bool on);

const struct prefix *xlat_get_prefix(const struct xlat *x);

/*
 * Maps an IPv4 route prefix. out[0] is the main mapping: through the longest EAM containing
 * v4, else RFC 6052. Then one entry per EAM that v4 strictly covers (RFC 7757 precedence: the
 * covered EAM's IPv6 prefix is announced too), in IPv4 order. Returns the number of entries
 * written (at most max, max >= 1; excess EAMs are dropped) with *why XLAT_OK, or 0 with *why set
 * when the prefix is not translated (why may be NULL). Host bits of v4 are ignored.
 * Under the WKP with global-only on, a non-global v4 mapped by RFC 6052 gives 0 and
 * XLAT_NON_GLOBAL, covered EAMs included (they are announced through their own routes); a
 * route inside an EAM is mapped through it whatever its address.
 */
int xlat_map_prefix(const struct xlat *x, const struct prefix *v4, struct xlat_route *out, int max,
		    enum xlat_reason *why);
/*
 * Maps an IPv4 next hop: longest match in the next-hop table, else the default when the
 * policy is DEFAULT. NULL when unmatched under REJECT.
 */
const struct xlat_nh *xlat_map_nexthop(const struct xlat *x, const uint8_t v4[4]);
/*
 * Reverse: an IPv6 prefix back to IPv4: through the EAM whose IPv6 side contains it, else
 * RFC 6052 (rfc6052.md section 3). -1 if not translatable. rule may be NULL.
 */
int xlat_unmap_prefix(const struct xlat *x, const struct prefix *v6, struct prefix *v4,
		      enum xlat_rule *rule);

/* Visits next-hop rules in order (for show nexthops and config diff). */
void xlat_nexthop_walk(const struct xlat *x,
		       void (*fn)(const struct prefix *v4, const struct xlat_nh *nh, void *arg),
		       void *arg);
void xlat_eam_walk(const struct xlat *x,
		   void (*fn)(const struct prefix *v4, const struct prefix *v6, void *arg),
		   void *arg);

#endif
