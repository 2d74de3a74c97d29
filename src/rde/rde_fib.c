/*
 * The kernel as an export (DESIGN.md "The kernel is a peer too"): the translated IPv6 routes
 * are installed through src/fib, pulled like a BGP peer's exports. The FIB has its own RIB
 * reader of the IPv4 table: changed prefixes are re-derived (rde_translate) and set or deleted
 * while the FIB's queue has room, and its drained callback resumes the pump.
 *
 * Start-up: fib_sync_begin() dumps our routes already in the kernel (a previous run, graceful
 * restart); the initial walk sets every translated route; fib_sync_end() - once the walk is
 * over and every IPv4 source sent its End-of-RIB (or eor-wait ran out) - deletes the kernel
 * routes nobody set. Only translated routes are installed; native IPv6 BGP routes are left to
 * the routers that learn them.
 */
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "rde/rde_impl.h"
#include "fib/fib.h"
#include "lib/log.h"

struct rde_fib {
	struct fib *fib;
	struct rib_reader *rd;
	bool synced;
	char dev[XLAT_DEVLEN]; /* one-entry cache of if_nametoindex */
	unsigned ifindex;
	struct rde_nhmemo nhmemo;
};

static void
drained(void *arg)
{
	rde_kick(arg);
}

int
rde_fib_start(struct rde *r)
{
	const struct cfg *c = r->cfg;
	if (!c->fib.enabled)
		return 0;
	/* the translated routes are IPv6: the FIB dumps, reconciles and cleans IPv6 only */
	struct fib_cfg fc = {.table = c->fib.table,
			     .families = FIB_FAM_V6,
			     .protocol = c->fib.protocol,
			     .metric = c->fib.metric,
			     .keep_on_exit = c->fib.keep_on_exit};
	char err[256];
	struct rde_fib *rf = calloc(1, sizeof *rf);
	if (rf == NULL)
		abort();
	rf->fib = fib_new(r->base, &fc, err, sizeof err);
	if (rf->fib == NULL) {
		log_err("fib: %s", err);
		free(rf);
		return -1;
	}
	rf->rd = rib_reader_new(r->rib, BGP_FAM_BIT(BGP_FAM_V4));
	fib_set_drained_cb(rf->fib, drained, r);
	fib_sync_begin(rf->fib);
	r->fibx = rf;
	log_info("fib: installing translated routes in table %u, protocol %u, metric %u", fc.table,
		 fc.protocol, fc.metric);
	return 0;
}

void
rde_fib_free(struct rde *r)
{
	struct rde_fib *rf = r->fibx;
	if (rf == NULL)
		return;
	fib_free(rf->fib);
	rib_reader_free(r->rib, rf->rd);
	free(rf);
	r->fibx = NULL;
}

const struct fib *
rde_fib(const struct rde *r)
{
	return r->fibx != NULL ? r->fibx->fib : NULL;
}

static unsigned
ifindex_of(struct rde_fib *rf, const char *dev)
{
	if (dev[0] == '\0')
		return 0;
	if (strcmp(dev, rf->dev) != 0) {
		strncpy(rf->dev, dev, sizeof rf->dev - 1);
		rf->ifindex = if_nametoindex(dev);
		if (rf->ifindex == 0)
			log_warn("fib: device %s not found; routes via it get no device", dev);
	}
	return rf->ifindex;
}

/* Sets or deletes the kernel routes derived from one IPv4 prefix. */
static void
fib_node(struct rde *r, struct rde_fib *rf, struct radix_node *n)
{
	struct prefix p;
	radix_prefix(rib_tree(r->rib, BGP_FAM_V4), n, &p);
	struct rde_xroute xr[RDE_XROUTES_MAX];
	int cnt = rde_translate_memo(r, &rf->nhmemo, &p, rib_best(n), xr, RDE_XROUTES_MAX, NULL);
	for (int i = 0; i < cnt; i++) {
		if (xr[i].has_nh)
			fib_route_set(rf->fib, &xr[i].v6, AF_INET6, xr[i].nh.v6,
				      ifindex_of(rf, xr[i].nh.dev));
		else
			fib_route_del(rf->fib, &xr[i].v6);
	}
}

void
rde_fib_withdraw(struct rde *r, const struct prefix *v6)
{
	if (r->fibx != NULL)
		fib_route_del(r->fibx->fib, v6);
}

bool
rde_fib_pump(struct rde *r, size_t budget)
{
	struct rde_fib *rf = r->fibx;
	if (rf == NULL)
		return false;
	while (budget > 0 && fib_queued(rf->fib) < FIB_QUEUE_HIGH) {
		struct radix_node *n = rib_reader_next(r->rib, rf->rd, BGP_FAM_V4, &budget);
		if (n == NULL)
			break;
		fib_node(r, rf, n);
	}
	if (!rib_reader_walking(rf->rd, BGP_FAM_V4) && !rf->synced && rde_v4_sources_done(r)) {
		rf->synced = true;
		fib_sync_end(rf->fib);
		log_info("fib: initial table installed; stale kernel routes removed");
	}
	return budget == 0 && fib_queued(rf->fib) < FIB_QUEUE_HIGH;
}
