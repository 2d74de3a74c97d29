/*
 * The next-hop table of a translation context: IPv4 prefix -> IPv6 next hop (and device),
 * looked up by longest prefix match on the IPv4 next hop of a best path, with the policy for
 * next hops that match no rule (reject, or a default IPv6 next hop).
 *
 * The table is immutable once built. Which next hops are in use but unmatched is run-time
 * state and is counted by the route engine (src/rde/rde_count.c), not here.
 *
 * Memory: the struct xlat_nh values are owned by the tree (xlat_free()).
 */
#include "xlat/xlat.h"
#include "xlat/xlat_impl.h"

#include <stdlib.h>
#include <string.h>

static bool
v6_is_unspecified(const uint8_t a[16])
{
	static const uint8_t zero[16];
	return memcmp(a, zero, 16) == 0;
}

int
xlat_add_nexthop(struct xlat *x, const struct prefix *v4, const uint8_t v6[16], const char *dev,
		 char *err, size_t errlen)
{
	char p[PREFIX_STRLEN], a[ADDR_STRLEN];

	if (v4->af != AF_INET || v4->len > 32) {
		xlat_err(err, errlen, "next-hop rule: the match must be an IPv4 prefix");
		return -1;
	}
	prefix_fmt(v4, p);
	if (!prefix_is_masked(v4)) {
		xlat_err(err, errlen, "next-hop rule %s: host bits set past /%u", p, v4->len);
		return -1;
	}
	if (dev == NULL)
		dev = "";
	if (strlen(dev) >= XLAT_DEVLEN) {
		xlat_err(err, errlen, "next-hop rule %s: device name \"%s\" longer than %d bytes",
			 p, dev, XLAT_DEVLEN - 1);
		return -1;
	}
	addr_fmt(AF_INET6, v6, a);
	if (v6_is_unspecified(v6) || v6[0] == 0xff) {
		xlat_err(err, errlen, "next-hop rule %s: %s is not a unicast address", p, a);
		return -1;
	}
	if (v6[0] == 0xfe && (v6[1] & 0xc0) == 0x80 && dev[0] == '\0') {
		xlat_err(err, errlen, "next-hop rule %s: link-local %s needs a device", p, a);
		return -1;
	}
	if (radix_find(x->nh, v4->a, v4->len) != NULL) {
		xlat_err(err, errlen, "next-hop rule %s: duplicate", p);
		return -1;
	}

	struct xlat_nh *nh = calloc(1, sizeof *nh);
	struct radix_node *n = nh != NULL ? radix_get(x->nh, v4->a, v4->len) : NULL;
	if (n == NULL) {
		free(nh);
		xlat_err(err, errlen, "next-hop rule %s: out of memory", p);
		return -1;
	}
	memcpy(nh->v6, v6, 16);
	memcpy(nh->dev, dev, strlen(dev) + 1);
	radix_set_value(n, nh);
	return 0;
}

void
xlat_set_unknown_policy(struct xlat *x, enum xlat_unknown_policy p, const struct xlat_nh *dflt)
{
	x->policy = p;
	x->has_dflt = dflt != NULL;
	if (dflt != NULL)
		x->dflt = *dflt;
	else
		memset(&x->dflt, 0, sizeof x->dflt);
}

const struct xlat_nh *
xlat_map_nexthop(const struct xlat *x, const uint8_t v4[4])
{
	struct radix_node *n = radix_lpm(x->nh, v4, 32);
	if (n != NULL)
		return radix_value(n);
	if (x->policy == XLAT_UNKNOWN_DEFAULT && x->has_dflt)
		return &x->dflt;
	return NULL;
}

struct nh_walk_ctx {
	const struct radix *t;
	void (*fn)(const struct prefix *v4, const struct xlat_nh *nh, void *arg);
	void *arg;
};

static int
nh_walk_one(struct radix_node *n, void *arg)
{
	struct nh_walk_ctx *c = arg;
	struct prefix p;
	radix_prefix(c->t, n, &p);
	c->fn(&p, radix_value(n), c->arg);
	return 0;
}

void
xlat_nexthop_walk(const struct xlat *x,
		  void (*fn)(const struct prefix *v4, const struct xlat_nh *nh, void *arg),
		  void *arg)
{
	struct nh_walk_ctx c = {x->nh, fn, arg};
	radix_walk(x->nh, nh_walk_one, &c);
}
