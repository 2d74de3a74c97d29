/*
 * Reconciliation of the kernel table with the caller's view: at start-up (fib_sync_begin, the
 * caller sets what it wants, fib_sync_end) and at exit (fib_free: the same with nothing set).
 *
 * fib_sync_begin opens a netlink socket of its own and dumps our routes, IPv6 then IPv4, each only
 * if it is one of cfg.families: a family we never write is never ours to delete (RTM_GETROUTE with
 * rtm_protocol and RTA_TABLE; NETLINK_GET_STRICT_CHK makes the kernel filter, and every reply is
 * filtered again here: family, protocol, table, no cached clone, no source prefix). The dump is
 * read from the event loop a few datagrams at a time. Each route found goes into a temporary radix
 * tree (one per family) marked DUMPED, unless it was set since begin; a route set while the dump
 * runs and not yet seen leaves a SET mark, so that the dump finding it later knows it is wanted. A
 * route found with another metric than ours is deleted at once (it can never be one the caller
 * sets). If a reply carries NLM_F_DUMP_INTR (the table changed under the dump) the dump runs again,
 * up to 3 times: marks are idempotent.
 *
 * fib_sync_end (or the dump's end, when fib_sync_end came first) starts the sweep: the trees
 * are emptied in slices, each DUMPED route becoming a delete request, while the queue stays
 * under FIB_QUEUE_HIGH. Deleting a route that went away meanwhile only counts as 'absent'.
 */
#include "fib/fib_impl.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/event.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

#include "lib/log.h"

#define FIB_DUMP_BUDGET	  8 /* datagrams (about 32 KiB, 300 routes each) per slice */
#define FIB_DUMP_RESTARTS 3

static void
fib_sync_oom(void)
{
	log_err("fib: out of memory, aborting");
	abort(); /* out of memory policy (lib/pool.h) */
}

/* The family dumped first: IPv6 unless only IPv4 is ours. */
static int
fib_first_fam(const struct fib *f)
{
	return (f->cfg.families & FIB_FAM_V6) ? AF_INET6 : AF_INET;
}

static void
fib_sync_on_read(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	fib_sync_read(arg, FIB_DUMP_BUDGET);
}

static void
fib_dump_close(struct fib *f)
{
	struct fib_sync *s = &f->sync;
	if (s->ev != NULL)
		event_free(s->ev);
	s->ev = NULL;
	if (s->sk != NULL)
		nl_socket_free(s->sk);
	s->sk = NULL;
	s->fd = -1;
}

void
fib_sync_reset(struct fib *f)
{
	struct fib_sync *s = &f->sync;
	fib_dump_close(f);
	for (int i = 0; i < 2; i++) {
		if (s->t[i] != NULL)
			radix_free(s->t[i], NULL, NULL);
		s->t[i] = NULL;
	}
	s->state = FIB_SYNC_IDLE;
	s->end_requested = false;
}

/* The dump is over (or failed): sweep now, or when fib_sync_end comes. */
static void
fib_dump_over(struct fib *f)
{
	struct fib_sync *s = &f->sync;
	fib_dump_close(f);
	s->state = s->end_requested ? FIB_SYNC_SWEEP : FIB_SYNC_COLLECT;
	log_info("fib: %" PRIu64 " routes of ours in table %" PRIu32 " at sync (%" PRIu64
		 " with another metric)",
		 s->found, f->cfg.table, f->stats.stale - s->stale_before);
	fib_schedule(f);
}

/* Sends the dump request for s->fam; false on failure (logged). */
static bool
fib_dump_send(struct fib *f)
{
	struct fib_sync *s = &f->sync;
	struct nl_msg *m = nlmsg_alloc_simple(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP);
	if (m == NULL)
		fib_sync_oom();
	struct rtmsg rtm = {
	    .rtm_family = (unsigned char)s->fam,
	    .rtm_protocol = f->cfg.protocol,
	    .rtm_table = f->cfg.table < 256 ? (unsigned char)f->cfg.table : RT_TABLE_UNSPEC,
	};
	if (nlmsg_append(m, &rtm, sizeof rtm, NLMSG_ALIGNTO) < 0 ||
	    nla_put_u32(m, RTA_TABLE, f->cfg.table) < 0)
		fib_sync_oom();
	struct nlmsghdr *h = nlmsg_hdr(m);
	h->nlmsg_seq = ++s->seq;
	ssize_t n;
	do
		n = send(s->fd, h, h->nlmsg_len, 0);
	while (n < 0 && errno == EINTR);
	nlmsg_free(m);
	if (n < 0) {
		log_err("fib: route dump request: %s; stale routes stay", strerror(errno));
		return false;
	}
	return true;
}

void
fib_sync_begin(struct fib *f)
{
	struct fib_sync *s = &f->sync;
	fib_sync_reset(f);
	s->t[0] = radix_new(AF_INET);
	s->t[1] = radix_new(AF_INET6);
	if (s->t[0] == NULL || s->t[1] == NULL)
		fib_sync_oom();
	s->state = FIB_SYNC_DUMPING;
	s->restarts = 0;
	s->intr = false;
	s->found = 0;
	s->stale_before = f->stats.stale;
	s->fam = fib_first_fam(f);
	char err[160];
	s->sk = fib_nl_socket(true, err, sizeof err);
	if (s->sk == NULL) {
		log_err("%s; stale routes stay", err);
		fib_dump_over(f);
		return;
	}
	s->fd = nl_socket_get_fd(s->sk);
	if (!f->freeing) {
		s->ev = event_new(f->base, s->fd, EV_READ | EV_PERSIST, fib_sync_on_read, f);
		if (s->ev == NULL)
			fib_sync_oom();
		event_add(s->ev, NULL);
	}
	if (!fib_dump_send(f))
		fib_dump_over(f);
}

void
fib_sync_end(struct fib *f)
{
	struct fib_sync *s = &f->sync;
	switch (s->state) {
	case FIB_SYNC_IDLE:
		log_warn("fib: sync end without a sync begin, ignored");
		break;
	case FIB_SYNC_DUMPING:
		s->end_requested = true;
		break;
	case FIB_SYNC_COLLECT:
		s->state = FIB_SYNC_SWEEP;
		fib_schedule(f);
		break;
	case FIB_SYNC_SWEEP:
		break;
	}
}

bool
fib_sync_active(const struct fib *f)
{
	return f->sync.state != FIB_SYNC_IDLE;
}

/* ---- marks ---- */

void
fib_sync_note_set(struct fib *f, const struct prefix *p)
{
	struct fib_sync *s = &f->sync;
	if (s->state == FIB_SYNC_IDLE)
		return;
	struct radix *t = s->t[fib_fam(p->af)];
	struct radix_node *n = radix_find(t, p->a, p->len);
	if (n != NULL) {
		if (radix_uflags(n) & FIB_SYNC_DUMPED)
			radix_delete(t, n); /* wanted: not stale */
		return;
	}
	if (s->state == FIB_SYNC_DUMPING) {
		n = radix_get(t, p->a, p->len);
		if (n == NULL)
			fib_sync_oom();
		radix_set_uflags(n, FIB_SYNC_SET);
	}
}

void
fib_sync_note_del(struct fib *f, const struct prefix *p)
{
	struct fib_sync *s = &f->sync;
	if (s->state == FIB_SYNC_IDLE)
		return;
	struct radix *t = s->t[fib_fam(p->af)];
	struct radix_node *n = radix_find(t, p->a, p->len);
	if (n != NULL)
		radix_delete(t, n); /* the delete request covers it */
}

/* ---- the dump ---- */

static void
fib_dump_route(struct fib *f, struct nlmsghdr *h)
{
	struct fib_sync *s = &f->sync;
	if (h->nlmsg_len < (uint32_t)nlmsg_size(sizeof(struct rtmsg)))
		return;
	const struct rtmsg *rtm = nlmsg_data(h);
	int af = rtm->rtm_family;
	if (!(f->cfg.families & fib_fam_bit(af)) || rtm->rtm_protocol != f->cfg.protocol ||
	    (rtm->rtm_flags & RTM_F_CLONED) || rtm->rtm_src_len != 0 || rtm->rtm_tos != 0 ||
	    rtm->rtm_dst_len > af_bits(af))
		return;
	struct nlattr *tb[RTA_MAX + 1];
	if (nlmsg_parse(h, sizeof *rtm, tb, RTA_MAX, NULL) < 0)
		return;
	uint32_t table = tb[RTA_TABLE] != NULL ? nla_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	if (table != f->cfg.table)
		return;
	struct fib_route r = {.kind = FIB_DEL};
	r.dst.af = (uint8_t)af;
	r.dst.len = rtm->rtm_dst_len;
	if (tb[RTA_DST] != NULL) {
		if (nla_len(tb[RTA_DST]) != (int)af_bytes(af))
			return;
		memcpy(r.dst.a, nla_data(tb[RTA_DST]), af_bytes(af));
	}
	prefix_mask(&r.dst);
	r.metric = tb[RTA_PRIORITY] != NULL ? nla_get_u32(tb[RTA_PRIORITY]) : 0;
	s->found++;
	if (r.metric != fib_metric_of(f, af)) {
		fib_op_push(f, &r, false); /* never ours to keep: a left-over of another config */
		f->stats.stale++;
		fib_schedule(f);
		return;
	}
	struct radix *t = s->t[fib_fam(af)];
	struct radix_node *n = radix_find(t, r.dst.a, r.dst.len);
	if (n != NULL) {
		if (radix_uflags(n) & FIB_SYNC_SET)
			radix_delete(t, n); /* set since begin: wanted */
		return;			    /* else seen twice (a dump restarted) */
	}
	n = radix_get(t, r.dst.a, r.dst.len);
	if (n == NULL)
		fib_sync_oom();
	radix_set_uflags(n, FIB_SYNC_DUMPED);
}

/* The dump of s->fam ended (err: 0 or an errno); next family, a restart, or the end. */
static void
fib_dump_done(struct fib *f, int err)
{
	struct fib_sync *s = &f->sync;
	if (err != 0 && err != ENOENT) /* ENOENT: the table does not exist (yet) */
		log_warn("fib: route dump (%s) failed: %s; stale routes may stay",
			 s->fam == AF_INET6 ? "IPv6" : "IPv4", strerror(err));
	if (s->fam == AF_INET6 && (f->cfg.families & FIB_FAM_V4)) {
		s->fam = AF_INET;
	} else if (s->intr && s->restarts < FIB_DUMP_RESTARTS) {
		log_info("fib: the table changed during the route dump, dumping again");
		s->restarts++;
		s->intr = false;
		s->fam = fib_first_fam(f);
	} else {
		fib_dump_over(f);
		return;
	}
	if (!fib_dump_send(f))
		fib_dump_over(f);
}

/* Handles one datagram of the dump; false when the current dump request is over. */
static bool
fib_dump_datagram(struct fib *f, int len)
{
	struct fib_sync *s = &f->sync;
	for (struct nlmsghdr *h = (struct nlmsghdr *)(void *)f->rx; nlmsg_ok(h, len);
	     h = nlmsg_next(h, &len)) {
		if (h->nlmsg_seq != s->seq)
			continue;
		if (h->nlmsg_flags & NLM_F_DUMP_INTR)
			s->intr = true;
		if (h->nlmsg_type == NLMSG_DONE) {
			int err = 0;
			if (nlmsg_datalen(h) >= (int)sizeof err)
				memcpy(&err, nlmsg_data(h), sizeof err);
			fib_dump_done(f, -err);
			return false;
		}
		if (h->nlmsg_type == NLMSG_ERROR) {
			int err = 0;
			if (nlmsg_datalen(h) >= (int)sizeof(struct nlmsgerr))
				err = -((const struct nlmsgerr *)nlmsg_data(h))->error;
			fib_dump_done(f, err);
			return false;
		}
		if (h->nlmsg_type == RTM_NEWROUTE)
			fib_dump_route(f, h);
	}
	return true;
}

void
fib_sync_read(struct fib *f, unsigned budget)
{
	struct fib_sync *s = &f->sync;
	while (budget-- > 0 && s->state == FIB_SYNC_DUMPING && s->sk != NULL) {
		ssize_t n = recv(s->fd, f->rx, FIB_RX_BYTES, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			fib_dump_done(f, errno);
			return;
		}
		if (!fib_dump_datagram(f, (int)n))
			return; /* one request per slice */
	}
}

/* ---- the sweep ---- */

void
fib_sync_sweep(struct fib *f, unsigned budget)
{
	struct fib_sync *s = &f->sync;
	for (int i = 0; i < 2; i++) {
		struct radix *t = s->t[i];
		struct radix_node *n;
		while (budget > 0 && fib_queued(f) < FIB_QUEUE_HIGH &&
		       (n = radix_first(t)) != NULL) {
			if (radix_uflags(n) & FIB_SYNC_DUMPED) {
				struct fib_route r = {.kind = FIB_DEL, .metric = f->cfg.metric};
				radix_prefix(t, n, &r.dst);
				fib_op_push(f, &r, false);
				f->stats.stale++;
			}
			radix_delete(t, n);
			budget--;
		}
		if (radix_count(t) > 0)
			return;
	}
	log_info("fib: sync done, %" PRIu64 " stale routes queued for deletion",
		 f->stats.stale - s->stale_before);
	fib_sync_reset(f);
}
