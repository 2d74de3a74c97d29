/*
 * The kernel FIB as an export: routes installed over rtnetlink (libnl-route-3), knowing nothing
 * about BGP. The caller says which routes it wants (fib_route_set / fib_route_del); the module
 * queues the requests, coalesces them per prefix, sends them in batches (many route messages
 * per sendmsg, one ACK per batch), matches the replies by sequence number from the event loop,
 * counts and logs failures, and reconciles the kernel table with the caller's view at start-up
 * (fib_sync_begin / fib_sync_end) and at exit (fib_free).
 *
 * Ownership of kernel routes: every route of protocol cfg.protocol in table cfg.table, of a
 * family in cfg.families, belongs to this module; routes of other protocols, tables or
 * families are never dumped, reconciled or touched.
 *
 * Flow control (pull model, like the BGP exports): the caller pushes while fib_queued() is
 * below FIB_QUEUE_HIGH, and is called back (fib_set_drained_cb) when the queue has fallen below
 * FIB_QUEUE_LOW after having reached it. Pushing more is allowed (memory grows by about 100
 * bytes per queued prefix), only slower.
 *
 * Every callback runs from the event loop in bounded slices (a batch or two of requests, a few
 * thousand dumped routes), so BGP keepalives are never late.
 */
#ifndef BGP64_FIB_H
#define BGP64_FIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/prefix.h"

struct event_base;

#define FIB_QUEUE_HIGH 16384 /* requests queued or in flight at which a producer should pause */
#define FIB_QUEUE_LOW  4096  /* below it the drained callback runs */

#define FIB_FAM_V4 0x1 /* destinations of fib_cfg.families */
#define FIB_FAM_V6 0x2

struct fib_cfg {
	uint32_t table;	   /* routing table id (RTA_TABLE), 1..2^32-1; 254 = main */
	uint8_t families;  /* FIB_FAM_*: the destination families written (at least one) */
	uint8_t protocol;  /* rtm_protocol marking our routes, e.g. RTPROT_BGP 186 */
	uint32_t metric;   /* RTA_PRIORITY of every route we install (IPv6 turns 0 into 1024) */
	bool keep_on_exit; /* fib_free leaves our routes installed (graceful restart) */
};

struct fib_stats {
	uint64_t installed;    /* route sets acknowledged */
	uint64_t deleted;      /* route deletes acknowledged */
	uint64_t absent;       /* deletes of routes that were not there (ESRCH), not errors */
	uint64_t errors;       /* requests the kernel refused (or that could not be sent) */
	uint64_t batches;      /* sendmsg calls carrying route requests */
	uint64_t stale;	       /* routes found by a sync dump and queued for deletion */
	uint64_t enobufs;      /* reply queue overflows (their requests were sent again) */
	uint64_t resent;       /* requests sent again after an overflow */
	uint64_t slice_max_us; /* the longest slice of work (the drained callback excluded) */
	char last_error[160];  /* the last failure, as logged */
};

struct fib;

/*
 * Opens the request and dump sockets (non-blocking, in the calling thread's network namespace)
 * and registers them with base. NULL on failure with a message in err (for instance without
 * CAP_NET_ADMIN). The fib must be freed before base.
 */
struct fib *fib_new(struct event_base *base, const struct fib_cfg *c, char *err, size_t errlen);

/*
 * Deletes every route of our protocol in our table (a dump and batched deletes, waiting at
 * most about 20 s) unless cfg.keep_on_exit, in which case the queued requests are sent first
 * (same bound). Requests still queued are then dropped. NULL is a no-op.
 */
void fib_free(struct fib *f);

/*
 * Adds or replaces (NLM_F_CREATE | NLM_F_REPLACE) the route to dst, host bits ignored.
 * gw_af: AF_INET6 or AF_INET for a gateway of gw (16 or 4 bytes); when it differs from dst's
 * family the gateway goes in RTA_VIA (RFC 8950: IPv4 via IPv6, Linux >= 5.2), else in
 * RTA_GATEWAY. gw_af AF_UNSPEC (0): no gateway, a route on ifindex alone. ifindex: RTA_OIF,
 * 0 for none (needed with a link-local gateway). Never fails at once: the outcome is counted
 * in fib_stats when the kernel replies.
 */
void fib_route_set(struct fib *f, const struct prefix *dst, int gw_af, const uint8_t gw[16],
		   unsigned ifindex);
/*
 * Deletes our route to dst (any gateway). A route that is not there counts as 'absent'.
 * Both calls refuse (and count as errors) a dst whose family is not in cfg.families.
 */
void fib_route_del(struct fib *f, const struct prefix *dst);

/*
 * Start-up reconciliation. fib_sync_begin dumps our routes (protocol, table) in the
 * background; the caller then sets every route it wants, at any pace; fib_sync_end (called
 * at any time after, even before the dump is over) deletes the dumped routes that were not
 * set since begin. Routes of our protocol with another metric are deleted as they are found.
 * A new fib_sync_begin restarts the reconciliation.
 */
void fib_sync_begin(struct fib *f);
void fib_sync_end(struct fib *f);
/* True from fib_sync_begin until the last stale route has been queued for deletion. */
bool fib_sync_active(const struct fib *f);

/* Requests queued or sent but not yet acknowledged. */
size_t fib_queued(const struct fib *f);
/* cb(arg) runs from the loop when fib_queued() falls below FIB_QUEUE_LOW (see above). */
void fib_set_drained_cb(struct fib *f, void (*cb)(void *arg), void *arg);

const struct fib_stats *fib_stats(const struct fib *f);

#endif
