/*
 * Counters the route engine derives from the RIB for show summary, show nexthops and
 * /metrics: IPv4 best paths left untranslated for want of an IPv6 next hop (in total and per
 * IPv4 next hop), and IPv4 prefixes not translated under the well-known prefix because they are
 * not globally reachable (RFC 6052 3.1).
 *
 * DESIGN.md "Configuration is immutable": these are run-time state, so they live here and what
 * is counted does not depend on the config, only on the RIB:
 *   - per IPv4 next hop, the best paths that use it and come from a source without
 *     "ipv6-next-hop" (the source's setting is kept in its rde_peer record until its paths are
 *     gone, so removing a best path subtracts exactly what adding it added);
 *   - the IPv4 prefixes holding a path that are not globally reachable.
 * The running config filters when the figures are read: a next hop is untranslated when the
 * translation gives a path from such a source no IPv6 next hop (rde_nh4_unmatched), and the
 * non-global prefixes are "skipped" under the well-known prefix with wkp-global-only. A reload,
 * or several while routes come and go and a re-derivation is still walking, can therefore
 * neither reset nor wrap a counter, and the figures follow the new config at once, as the
 * exports do.
 *
 * Memory: one radix node per IPv4 next hop in use (its value is the count), in struct
 * rde_counts, created on first use and freed with the engine.
 */
#include "rde/rde_impl.h"

#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/pool.h"

struct rde_counts {
	struct radix *nh; /* IPv4 /32 -> (uintptr_t) best paths, never 0 */
	/* The node of the last next hop counted: the prefixes of a table come in runs that
	 * share their attributes, so most counts skip the lookup. NULL when deleted. */
	struct radix_node *last;
	uint8_t last_nh[4];
	uint64_t non_global; /* IPv4 prefixes with a path, not globally reachable */
};

static struct rde_counts *
counts(struct rde *r)
{
	if (r->counts == NULL) {
		r->counts = xcalloc(1, sizeof *r->counts);
		r->counts->nh = radix_new(AF_INET);
		if (r->counts->nh == NULL)
			abort(); /* out of memory policy */
	}
	return r->counts;
}

void
rde_counts_free(struct rde *r)
{
	if (r->counts == NULL)
		return;
	radix_free(r->counts->nh, NULL, NULL);
	free(r->counts);
	r->counts = NULL;
}

void
rde_count_best(struct rde *r, uint16_t peer, const struct attrs *a, int delta)
{
	if (a->nh_len != 4)
		return;
	const struct rde_peer *rp = rde_peer_of(r, peer);
	if (rp != NULL && rp->has_nh6)
		return; /* always translated */
	struct rde_counts *c = counts(r);
	struct radix_node *n = c->last;
	if (n == NULL || memcmp(c->last_nh, a->nh, 4) != 0) {
		n = delta > 0 ? radix_get(c->nh, a->nh, 32) : radix_find(c->nh, a->nh, 32);
		if (n == NULL && delta > 0)
			abort(); /* out of memory policy */
		if (n == NULL) {
			log_err("internal: next-hop count of a best path not counted");
			return;
		}
		c->last = n;
		memcpy(c->last_nh, a->nh, 4);
	}
	uintptr_t v = (uintptr_t)radix_value(n);
	if (delta > 0) {
		radix_set_value(n, (void *)(v + 1));
	} else if (v == 1) {
		radix_delete(c->nh, n);
		c->last = NULL;
	} else {
		radix_set_value(n, (void *)(v - 1));
	}
}

void
rde_count_prefix(struct rde *r, const struct prefix *v4, int delta)
{
	if (xlat_v4_is_global(v4))
		return;
	struct rde_counts *c = counts(r);
	if (delta < 0) {
		c->non_global--;
		return;
	}
	c->non_global++;
	/* Logged for a prefix the running translation skips: one inside an explicit mapping is
	 * translated through it whatever its address (xlat_map_prefix). */
	struct xlat_route xr[1];
	enum xlat_reason why = XLAT_OK;
	if (!r->logged_non_global && r->cfg->wkp_global_only && xlat_is_wkp(&r->cfg->xlat_prefix) &&
	    xlat_map_prefix(r->cfg->xlat, v4, xr, 1, &why) == 0 && why == XLAT_NON_GLOBAL) {
		char buf[PREFIX_STRLEN];
		r->logged_non_global = true;
		log_warn(
		    "not translating IPv4 routes that are not globally reachable under the "
		    "well-known prefix (RFC 6052 3.1), e.g. %s; counted in show summary (logged "
		    "once)",
		    prefix_fmt(v4, buf));
	}
}

struct eam_count {
	const struct radix *t;
	uint64_t n;
};

static int
eam_count_one(struct radix_node *n, void *arg)
{
	struct eam_count *ec = arg;
	struct prefix p;
	if (rib_best(n) == NULL)
		return 0;
	radix_prefix(ec->t, n, &p);
	if (!xlat_v4_is_global(&p))
		ec->n++;
	return 0;
}

static void
eam_visit(const struct prefix *v4, const struct prefix *v6, void *arg)
{
	(void)v6;
	struct eam_count *ec = arg;
	radix_walk_sub(ec->t, v4->a, v4->len, eam_count_one, ec);
}

/*
 * The counted non-global prefixes less those inside an explicit mapping of the running config
 * (translated through it whatever their address). The walk covers only the IPv4 prefixes under
 * the mappings, at read time, so the count stays a function of the RIB and the config.
 */
uint64_t
rde_non_global_skipped(const struct rde *r)
{
	const struct cfg *c = r->cfg;
	if (r->counts == NULL || !c->wkp_global_only || !xlat_is_wkp(&c->xlat_prefix))
		return 0;
	struct eam_count ec = {rib_tree(r->rib, BGP_FAM_V4), 0};
	xlat_eam_walk(c->xlat, eam_visit, &ec);
	return r->counts->non_global - ec.n;
}

struct unknown_walk {
	const struct cfg *c;
	void (*fn)(const uint8_t v4[4], uint64_t n, void *arg);
	void *arg;
};

static int
unknown_one(struct radix_node *n, void *arg)
{
	struct unknown_walk *w = arg;
	if (rde_nh4_unmatched(w->c, radix_key(n)))
		w->fn(radix_key(n), (uint64_t)(uintptr_t)radix_value(n), w->arg);
	return 0;
}

void
rde_unknown_walk(const struct rde *r, void (*fn)(const uint8_t v4[4], uint64_t n, void *arg),
		 void *arg)
{
	if (r->counts == NULL)
		return;
	struct unknown_walk w = {r->cfg, fn, arg};
	radix_walk(r->counts->nh, unknown_one, &w);
}

static void
sum_one(const uint8_t v4[4], uint64_t n, void *arg)
{
	(void)v4;
	*(uint64_t *)arg += n;
}

uint64_t
rde_untranslated_paths(const struct rde *r)
{
	uint64_t sum = 0;
	rde_unknown_walk(r, sum_one, &sum);
	return sum;
}
