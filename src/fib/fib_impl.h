/*
 * Inside the FIB module: the state shared by its three files.
 *
 *   fib.c       life cycle, the public calls, the queue of pending requests (coalesced per
 *               prefix), the event-loop slices and the flow-control callback
 *   fib_nl.c    rtnetlink: the sockets, building a batch (libnl route objects, one message
 *               each, copied back to back), sending it, reading and matching the replies
 *   fib_sync.c  dumps of our routes and the reconciliation (start-up and exit)
 *
 * A request goes: fib_route_set -> pending op (pool, FIFO, indexed by prefix) -> batch
 * (popped into the in-flight ring, where its sequence number is its position) -> reply.
 */
#ifndef BGP64_FIB_IMPL_H
#define BGP64_FIB_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fib/fib.h"
#include "lib/pool.h"
#include "lib/prefix.h"
#include "lib/radix.h"

struct event;
struct nl_sock;

#define FIB_BATCH_BYTES	     (32 * 1024) /* one send(): ~390 sets or ~510 deletes */
#define FIB_MSG_MAX	     256	 /* bound of one route message (largest is ~92 bytes) */
#define FIB_BATCHES_PER_STEP 4
#define FIB_SLICE_US	     2000 /* no new batch in a slice older than this */
#define FIB_RING_MAX	     4096 /* requests in flight, at most (see fib_nl_open) */
#define FIB_RECV_BUDGET	     1024 /* reply datagrams read per step */
#define FIB_RX_BYTES	     (64 * 1024)

enum fib_kind { FIB_SET = 1, FIB_DEL = 2 };

/* One request: what one route message says. */
struct fib_route {
	struct prefix dst;
	uint8_t kind;  /* enum fib_kind */
	uint8_t gw_af; /* 0: no gateway */
	uint8_t gw[16];
	uint32_t ifindex;
	uint32_t metric;
};

/* A pending request (from fib.ops); 'node' is its entry in the prefix index, if any. */
struct fib_op {
	struct fib_op *next;
	struct radix_node *node;
	struct fib_route r;
};

/* A request sent and not yet answered; its sequence number is ring_seq + its position. */
struct fib_flight {
	struct fib_route r;
	bool failed; /* its error has been counted */
	bool acked;  /* its ACK came */
	bool last;   /* the batch's last message, the one carrying NLM_F_ACK */
};

enum fib_sync_state { FIB_SYNC_IDLE, FIB_SYNC_DUMPING, FIB_SYNC_COLLECT, FIB_SYNC_SWEEP };

/* radix uflags of the reconciliation trees */
#define FIB_SYNC_DUMPED 0x1 /* in the kernel at dump time, not set since begin */
#define FIB_SYNC_SET	0x2 /* set since begin, not (yet) seen by the dump */

struct fib_sync {
	enum fib_sync_state state;
	struct nl_sock *sk; /* a socket of its own per reconciliation, while it dumps */
	int fd;
	struct event *ev; /* EV_READ on fd */
	bool end_requested;
	struct radix *t[2]; /* [0] IPv4, [1] IPv6 */
	int fam;	    /* family being dumped: AF_INET6, then AF_INET (of cfg.families) */
	uint32_t seq;	    /* of the running dump request */
	bool intr;	    /* a reply carried NLM_F_DUMP_INTR */
	unsigned restarts;
	uint64_t found, stale_before;
};

struct fib {
	struct event_base *base;
	struct fib_cfg cfg;

	struct nl_sock *req_sk; /* requests and their replies */
	int req_fd;
	struct event *ev_req;	/* EV_READ on req_fd */
	struct event *ev_out;	/* EV_WRITE on req_fd, while a batch waits for room */
	struct event *ev_work;	/* zero timeout: the next slice */
	struct event *ev_retry; /* short timer after a transient send failure */

	/* pending requests: FIFO, indexed by prefix (ops with the configured metric) */
	struct pool ops;
	struct fib_op *head, *tail;
	size_t npending;
	struct radix *pend[2];

	/* in flight */
	struct fib_flight *ring;
	size_t ring_cap;   /* allocated */
	size_t ring_limit; /* usable, from the receive buffer's size */
	size_t ring_head, ring_len;
	uint32_t ring_seq; /* sequence number of ring[ring_head] */
	uint32_t seq_next;

	/* the batch being sent (out_len 0: none) */
	uint8_t *out;
	size_t out_len;
	size_t out_msgs;  /* its requests: the last out_msgs of the ring */
	bool out_blocked; /* send gave EAGAIN: waiting for EV_WRITE or the retry timer */
	bool lost;	  /* replies were dropped (ENOBUFS): reading what is left, one by one */

	uint8_t *rx; /* FIB_RX_BYTES, shared by both sockets */

	struct fib_sync sync;

	void (*drained_cb)(void *arg);
	void *drained_arg;
	bool above_low;
	bool freeing;

	/* rate limit of failure lines */
	uint64_t log_window; /* second of the current window */
	unsigned log_lines;
	uint64_t log_suppressed;

	struct fib_stats stats;
};

/* fib.c */
int fib_fam(int af);				     /* 0 for AF_INET, 1 for AF_INET6 */
unsigned fib_fam_bit(int af);			     /* FIB_FAM_V4 / FIB_FAM_V6, 0 for others */
uint32_t fib_metric_of(const struct fib *f, int af); /* the metric the kernel stores for ours */
bool fib_op_push(struct fib *f, const struct fib_route *r, bool only_if_absent);
void fib_op_drop(struct fib *f);
void fib_schedule(struct fib *f);
void fib_wait_out(struct fib *f, bool transient); /* a batch waits for room (or a retry) */
void fib_fail(struct fib *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* fib_nl.c */
int fib_nl_open(struct fib *f, char *err, size_t errlen);
struct nl_sock *fib_nl_socket(bool dump, char *err, size_t errlen);
void fib_nl_close(struct fib *f);
bool fib_nl_send(struct fib *f); /* builds (if needed) and sends one batch; false if none went */
void fib_nl_recv(struct fib *f, unsigned budget);
size_t fib_ring_free(const struct fib *f);
const char *fib_route_fmt(const struct fib_route *r, char *buf, size_t len);

/* fib_sync.c */
void fib_sync_note_set(struct fib *f, const struct prefix *p);
void fib_sync_note_del(struct fib *f, const struct prefix *p);
void fib_sync_sweep(struct fib *f, unsigned budget);
void fib_sync_read(struct fib *f, unsigned budget); /* dump socket readable */
void fib_sync_reset(struct fib *f);

#endif
