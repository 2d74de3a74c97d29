/*
 * Inside of the translation module (not for other rooms): the layout of struct xlat, shared by
 * xlat.c (prefix, EAMs, route mapping) and nhtab.c (next hops and the unknown next-hop policy).
 */
#ifndef BGP64_XLAT_IMPL_H
#define BGP64_XLAT_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/prefix.h"
#include "lib/radix.h"
#include "xlat/xlat.h"

/* One explicit mapping; owned by the IPv4 tree, the IPv6 tree points to the same object. */
struct xlat_eam {
	struct prefix v4, v6;
};

struct xlat {
	struct prefix t; /* translation prefix, valid when has_t */
	bool has_t;
	bool wkp;	      /* t is 64:ff9b::/96 */
	bool wkp_global_only; /* default true */

	struct radix *eam4; /* IPv4 side -> struct xlat_eam (owned) */
	struct radix *eam6; /* IPv6 side -> the same struct xlat_eam */

	struct radix *nh; /* IPv4 prefix -> struct xlat_nh (owned) */
	enum xlat_unknown_policy policy;
	bool has_dflt;
	struct xlat_nh dflt;
};

/* Writes a message to err (when err is not NULL and errlen > 0). */
void xlat_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
