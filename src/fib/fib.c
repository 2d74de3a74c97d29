/*
 * The FIB module's life cycle, its public calls and its queue.
 *
 * Requests wait in a FIFO of pending ops (fixed-size objects from a pool) and, while they wait,
 * are indexed by prefix in one radix tree per family: a second request for the same prefix
 * overwrites the first in place (a set then a delete goes out once, as the delete; a route
 * set twice goes out once, with the last gateway). Deletes of routes of ours found with
 * another metric (fib_sync.c) carry that metric and bypass the index.
 *
 * The work runs in slices (fib_step): read replies, sweep stale routes (reconciliation), send
 * at most FIB_BATCHES_PER_STEP batches, each followed by a read of its replies (the kernel
 * handles a netlink batch during the sendmsg, so they are usually there). A slice that leaves
 * more to do re-arms a zero-timeout timer, so the loop polls its other sockets in between.
 * When the ring of requests in flight is full, the next slice comes from the socket's EV_READ.
 *
 * fib_free runs the same slices outside the loop, with poll(2), for a bounded time.
 */
#include "fib/fib_impl.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "lib/log.h"

#define FIB_EXIT_TIMEOUT_MS 20000
#define FIB_LOG_PER_SEC	    20	 /* failure lines per second, the rest are counted */
#define FIB_SWEEP_BUDGET    4096 /* stale routes queued per slice */
#define FIB_RETRY_MS	    10	 /* after a transient send failure (ENOBUFS, ENOMEM) */

static void
fib_oom(void)
{
	log_err("fib: out of memory, aborting");
	abort(); /* out of memory policy (lib/pool.h) */
}

int
fib_fam(int af)
{
	return af == AF_INET6;
}

unsigned
fib_fam_bit(int af)
{
	return af == AF_INET ? FIB_FAM_V4 : af == AF_INET6 ? FIB_FAM_V6 : 0;
}

uint32_t
fib_metric_of(const struct fib *f, int af)
{
	/* IPv6 stores a route of metric 0 with IP6_RT_PRIO_USER */
	if (af == AF_INET6 && f->cfg.metric == 0)
		return 1024;
	return f->cfg.metric;
}

static uint64_t
now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static uint64_t
now_ms(void)
{
	return now_us() / 1000;
}

/* ---- failures: counted always, logged one line each at most FIB_LOG_PER_SEC per second ---- */

static void
fib_log_flush(struct fib *f, uint64_t sec)
{
	if (sec == f->log_window)
		return;
	if (f->log_suppressed > 0)
		log_warn("fib: %" PRIu64 " more failures not logged (last: %s)", f->log_suppressed,
			 f->stats.last_error);
	f->log_window = sec;
	f->log_lines = 0;
	f->log_suppressed = 0;
}

void
fib_fail(struct fib *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->stats.last_error, sizeof f->stats.last_error, fmt, ap);
	va_end(ap);
	f->stats.errors++;
	fib_log_flush(f, now_ms() / 1000);
	if (f->log_lines < FIB_LOG_PER_SEC) {
		f->log_lines++;
		log_warn("fib: %s", f->stats.last_error);
	} else {
		f->log_suppressed++;
	}
}

/* ---- the queue of pending requests ---- */

/*
 * Queues r. Requests with the configured metric are coalesced per prefix: a pending one is
 * overwritten, or kept when only_if_absent (a re-send must not undo a newer request).
 * Returns whether r was queued.
 */
bool
fib_op_push(struct fib *f, const struct fib_route *r, bool only_if_absent)
{
	struct radix_node *n = NULL;
	if (r->metric == f->cfg.metric) {
		n = radix_get(f->pend[fib_fam(r->dst.af)], r->dst.a, r->dst.len);
		if (n == NULL)
			fib_oom();
		struct fib_op *old = radix_value(n);
		if (old != NULL) {
			if (only_if_absent)
				return false;
			old->r = *r;
			return true;
		}
	}
	struct fib_op *op = pool_alloc(&f->ops);
	op->r = *r;
	op->node = n;
	if (n != NULL)
		radix_set_value(n, op);
	if (f->tail != NULL)
		f->tail->next = op;
	else
		f->head = op;
	f->tail = op;
	f->npending++;
	if (fib_queued(f) >= FIB_QUEUE_LOW)
		f->above_low = true;
	return true;
}

/* Removes the oldest pending request (f->head, which must exist). */
void
fib_op_drop(struct fib *f)
{
	struct fib_op *op = f->head;
	f->head = op->next;
	if (f->head == NULL)
		f->tail = NULL;
	if (op->node != NULL)
		radix_delete(f->pend[fib_fam(op->r.dst.af)], op->node);
	pool_free(&f->ops, op);
	f->npending--;
}

static void
fib_ops_clear(struct fib *f)
{
	while (f->head != NULL)
		fib_op_drop(f);
}

/* ---- slices ---- */

static bool
fib_more_now(const struct fib *f)
{
	if (f->sync.state == FIB_SYNC_SWEEP && fib_queued(f) < FIB_QUEUE_HIGH)
		return true;
	if (f->lost)
		return true; /* read the rest of the replies */
	if (f->out_blocked)
		return false;
	return f->out_len > 0 || (f->head != NULL && fib_ring_free(f) > 0);
}

/*
 * One bounded slice of work; true when more can be done at once. Batches go out while the
 * slice is younger than FIB_SLICE_US: the kernel works on a batch inside send(), ~2-4 ms for
 * 32 KiB of routes (more as the table grows), so a slice lasts a few milliseconds.
 */
static bool
fib_step(struct fib *f)
{
	uint64_t t0 = now_us();
	fib_nl_recv(f, FIB_RECV_BUDGET);
	if (f->sync.state == FIB_SYNC_SWEEP)
		fib_sync_sweep(f, FIB_SWEEP_BUDGET);
	for (int i = 0; i < FIB_BATCHES_PER_STEP && (i == 0 || now_us() - t0 < FIB_SLICE_US); i++) {
		if (!fib_nl_send(f))
			break;
		fib_nl_recv(f, FIB_RECV_BUDGET);
	}
	uint64_t t1 = now_us();
	if (t1 - t0 > f->stats.slice_max_us)
		f->stats.slice_max_us = t1 - t0;
	fib_log_flush(f, t1 / 1000000);
	if (f->above_low && fib_queued(f) < FIB_QUEUE_LOW) {
		f->above_low = false;
		if (f->drained_cb != NULL && !f->freeing)
			f->drained_cb(f->drained_arg);
	}
	return fib_more_now(f);
}

void
fib_schedule(struct fib *f)
{
	static const struct timeval zero = {0, 0};
	if (f->freeing || f->ev_work == NULL)
		return;
	if (!event_pending(f->ev_work, EV_TIMEOUT, NULL))
		event_add(f->ev_work, &zero);
}

void
fib_wait_out(struct fib *f, bool transient)
{
	f->out_blocked = true;
	if (f->freeing)
		return; /* fib_run_blocking polls */
	if (transient) {
		const struct timeval tv = {0, FIB_RETRY_MS * 1000};
		event_add(f->ev_retry, &tv);
	} else {
		event_add(f->ev_out, NULL);
	}
}

/* ev_req (replies), ev_work (the next slice) */
static void
fib_on_event(evutil_socket_t fd, short what, void *arg)
{
	struct fib *f = arg;
	(void)fd;
	(void)what;
	if (fib_step(f))
		fib_schedule(f);
}

/* ev_out (room in the send buffer), ev_retry (after a transient failure) */
static void
fib_on_unblock(evutil_socket_t fd, short what, void *arg)
{
	struct fib *f = arg;
	f->out_blocked = false;
	fib_on_event(fd, what, arg);
}

/*
 * Runs slices outside the event loop until the reconciliation is over and nothing is queued,
 * or timeout_ms. Returns whether it finished.
 */
static bool
fib_run_blocking(struct fib *f, unsigned timeout_ms)
{
	uint64_t deadline = now_ms() + timeout_ms;
	for (;;) {
		bool more = fib_step(f);
		if (f->sync.state == FIB_SYNC_IDLE && fib_queued(f) == 0)
			return true;
		uint64_t t = now_ms();
		if (t >= deadline)
			return false;
		struct pollfd p[2] = {{.fd = f->req_fd, .events = POLLIN},
				      {.fd = f->sync.fd, .events = POLLIN}};
		if (f->out_blocked)
			p[0].events |= POLLOUT;
		nfds_t n = f->sync.sk != NULL ? 2 : 1;
		int wait = more ? 0 : (int)(deadline - t < 100 ? deadline - t : 100);
		if (poll(p, n, wait) < 0 && errno != EINTR)
			return false;
		f->out_blocked = false;
		if (n == 2 && (p[1].revents & (POLLIN | POLLERR)))
			fib_sync_read(f, 64);
	}
}

/* ---- life cycle ---- */

static void
fib_free_mem(struct fib *f)
{
	struct event *evs[] = {f->ev_req, f->ev_out, f->ev_work, f->ev_retry};
	for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++)
		if (evs[i] != NULL)
			event_free(evs[i]);
	fib_sync_reset(f);
	fib_nl_close(f);
	fib_ops_clear(f);
	for (int i = 0; i < 2; i++)
		if (f->pend[i] != NULL)
			radix_free(f->pend[i], NULL, NULL);
	pool_destroy(&f->ops);
	free(f->ring);
	free(f->out);
	free(f->rx);
	free(f);
}

struct fib *
fib_new(struct event_base *base, const struct fib_cfg *c, char *err, size_t errlen)
{
	if (c->table == 0) {
		snprintf(err, errlen, "fib: table 0 is not a routing table");
		return NULL;
	}
	if ((c->families & (FIB_FAM_V4 | FIB_FAM_V6)) == 0) {
		snprintf(err, errlen, "fib: no address family to write");
		return NULL;
	}
	struct fib *f = xcalloc(1, sizeof *f);
	f->base = base;
	f->cfg = *c;
	f->req_fd = -1;
	f->sync.fd = -1;
	pool_init(&f->ops, sizeof(struct fib_op));
	f->pend[0] = radix_new(AF_INET);
	f->pend[1] = radix_new(AF_INET6);
	if (f->pend[0] == NULL || f->pend[1] == NULL)
		fib_oom();
	f->out = xmalloc(FIB_BATCH_BYTES);
	f->rx = xmalloc(FIB_RX_BYTES);
	f->ring_cap = FIB_RING_MAX;
	f->ring = xcalloc(f->ring_cap, sizeof *f->ring);
	f->ring_seq = (uint32_t)time(NULL);
	if (fib_nl_open(f, err, errlen) < 0) {
		fib_free_mem(f);
		return NULL;
	}
	f->ev_req = event_new(base, f->req_fd, EV_READ | EV_PERSIST, fib_on_event, f);
	f->ev_out = event_new(base, f->req_fd, EV_WRITE, fib_on_unblock, f);
	f->ev_work = evtimer_new(base, fib_on_event, f);
	f->ev_retry = evtimer_new(base, fib_on_unblock, f);
	if (f->ev_req == NULL || f->ev_out == NULL || f->ev_work == NULL || f->ev_retry == NULL)
		fib_oom();
	event_add(f->ev_req, NULL);
	log_info("fib: table %" PRIu32 ", protocol %u, metric %" PRIu32 ", %s%s%s, %zu requests "
		 "in flight at most",
		 c->table, c->protocol, c->metric, (c->families & FIB_FAM_V6) ? "IPv6" : "",
		 (c->families & FIB_FAM_V6) && (c->families & FIB_FAM_V4) ? " and " : "",
		 (c->families & FIB_FAM_V4) ? "IPv4" : "", f->ring_limit);
	return f;
}

void
fib_free(struct fib *f)
{
	if (f == NULL)
		return;
	f->freeing = true;
	f->drained_cb = NULL;
	event_del(f->ev_out);
	event_del(f->ev_work);
	event_del(f->ev_retry);
	uint64_t del0 = f->stats.deleted, t0 = now_ms();
	if (!f->cfg.keep_on_exit) {
		fib_ops_clear(f);
		fib_sync_begin(f);
		fib_sync_end(f);
	} else {
		fib_sync_reset(f);
	}
	if (!fib_run_blocking(f, FIB_EXIT_TIMEOUT_MS))
		log_warn("fib: exit: gave up after %u ms with %zu requests queued",
			 FIB_EXIT_TIMEOUT_MS, fib_queued(f));
	else if (!f->cfg.keep_on_exit)
		log_info("fib: exit: %" PRIu64 " routes deleted in %" PRIu64 " ms",
			 f->stats.deleted - del0, now_ms() - t0);
	fib_free_mem(f);
}

/* ---- the public calls ---- */

static int
fib_route_init(struct fib *f, struct fib_route *r, const struct prefix *dst, enum fib_kind k)
{
	memset(r, 0, sizeof *r);
	if ((dst->af != AF_INET && dst->af != AF_INET6) || dst->len > af_bits(dst->af)) {
		fib_fail(f, "%s: not an IPv4 or IPv6 prefix (family %u, length %u)",
			 k == FIB_SET ? "set" : "delete", dst->af, dst->len);
		return -1;
	}
	if (!(f->cfg.families & fib_fam_bit(dst->af))) {
		char pb[PREFIX_STRLEN];
		fib_fail(f, "%s %s: not a family of this FIB", k == FIB_SET ? "set" : "delete",
			 prefix_fmt(dst, pb));
		return -1;
	}
	r->dst = *dst;
	prefix_mask(&r->dst);
	r->kind = (uint8_t)k;
	r->metric = f->cfg.metric;
	return 0;
}

void
fib_route_set(struct fib *f, const struct prefix *dst, int gw_af, const uint8_t gw[16],
	      unsigned ifindex)
{
	struct fib_route r;
	if (fib_route_init(f, &r, dst, FIB_SET) < 0)
		return;
	if (gw_af == AF_INET || gw_af == AF_INET6) {
		r.gw_af = (uint8_t)gw_af;
		memcpy(r.gw, gw, af_bytes(gw_af));
	} else if (gw_af != AF_UNSPEC || ifindex == 0) {
		char pb[PREFIX_STRLEN];
		fib_fail(f, "set %s: no gateway (family %d) and no interface",
			 prefix_fmt(&r.dst, pb), gw_af);
		return;
	}
	r.ifindex = ifindex;
	fib_sync_note_set(f, &r.dst);
	fib_op_push(f, &r, false);
	fib_schedule(f);
}

void
fib_route_del(struct fib *f, const struct prefix *dst)
{
	struct fib_route r;
	if (fib_route_init(f, &r, dst, FIB_DEL) < 0)
		return;
	fib_sync_note_del(f, &r.dst);
	fib_op_push(f, &r, false);
	fib_schedule(f);
}

size_t
fib_queued(const struct fib *f)
{
	return f->npending + f->ring_len;
}

void
fib_set_drained_cb(struct fib *f, void (*cb)(void *arg), void *arg)
{
	f->drained_cb = cb;
	f->drained_arg = arg;
}

const struct fib_stats *
fib_stats(const struct fib *f)
{
	return &f->stats;
}
