/*
 * rtnetlink for the FIB: the sockets, the batches, the replies.
 *
 * Sockets come from libnl (nl_socket_alloc, nl_connect) with libnl's sequence check and
 * auto-ACK off: we number and match requests ourselves. Options libnl 3.7 does not know are
 * set on the fd: NETLINK_EXT_ACK (the kernel's reason with each error), NETLINK_CAP_ACK (an
 * error echoes only the request's header), SO_RCVBUFFORCE / SO_SNDBUFFORCE (past rmem_max,
 * needs CAP_NET_ADMIN, which installing routes needs anyway).
 *
 * A batch: each pending request becomes one message built by libnl
 * (rtnl_route_build_add_request / _del_request), copied NLMSG_ALIGNed behind the previous one
 * into a FIB_BATCH_BYTES buffer, with its own sequence number and NLM_F_ACK on the last
 * message only. One send() per batch. The kernel handles the messages in order, each on its
 * own; it answers a failed one with an NLMSG_ERROR whatever its flags, and the last one with
 * an error or an ACK, which tells that every earlier message without an error succeeded.
 *
 * In-flight requests sit in a ring: the request numbered ring_seq + i is ring[ring_head + i].
 * The ring is limited to what the receive buffer can hold as error replies (about 1 KiB of
 * kernel memory each), so that a batch failing as a whole cannot overflow it. If it overflows
 * anyway (ENOBUFS from recv: replies were dropped), the ACK that ends a batch no longer proves
 * that the requests before it succeeded (their error may be among the dropped replies): the
 * replies still queued are read and noted one by one, no new batch goes out, and once the
 * socket is empty every request without a reply is queued again, unless a newer one for its
 * prefix is in flight or waits. Set (create or replace) and delete (absent is fine) are
 * idempotent.
 */
#include "fib/fib_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/route.h>
#include <netlink/socket.h>

#include "lib/log.h"

#define FIB_REQ_RCVBUF	(8 * 1024 * 1024) /* the kernel doubles it */
#define FIB_REQ_SNDBUF	(1024 * 1024)
#define FIB_DUMP_RCVBUF (1024 * 1024)
#define FIB_REPLY_COST	1024 /* receive-buffer charge of one error reply (truesize), a bound */
#define FIB_RING_MIN	64

static void
fib_nl_oom(void)
{
	log_err("fib: out of memory in libnl, aborting");
	abort(); /* out of memory policy (lib/pool.h) */
}

/* ---- sockets ---- */

/*
 * A non-blocking NETLINK_ROUTE socket; dump sockets ask for kernel-side filtering
 * (NETLINK_GET_STRICT_CHK, Linux >= 4.20; without it we filter in user space only).
 */
struct nl_sock *
fib_nl_socket(bool dump, char *err, size_t errlen)
{
	struct nl_sock *sk = nl_socket_alloc();
	if (sk == NULL)
		fib_nl_oom();
	nl_socket_disable_seq_check(sk);
	nl_socket_disable_auto_ack(sk);
	int e = nl_connect(sk, NETLINK_ROUTE);
	if (e == 0)
		e = nl_socket_set_nonblocking(sk);
	if (e < 0) {
		snprintf(err, errlen, "fib: netlink socket: %s", nl_geterror(e));
		nl_socket_free(sk);
		return NULL;
	}
	int fd = nl_socket_get_fd(sk), one = 1;
	if (setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one) < 0)
		log_debug("fib: NETLINK_EXT_ACK: %s", strerror(errno));
	if (setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one) < 0)
		log_debug("fib: NETLINK_CAP_ACK: %s", strerror(errno));
	if (dump && setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof one) < 0)
		log_debug("fib: NETLINK_GET_STRICT_CHK: %s", strerror(errno));
	int rcv = dump ? FIB_DUMP_RCVBUF : FIB_REQ_RCVBUF, snd = FIB_REQ_SNDBUF;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof rcv) < 0 ||
	    (!dump && setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &snd, sizeof snd) < 0)) {
		snprintf(err, errlen,
			 "fib: netlink socket buffers: %s (installing routes needs CAP_NET_ADMIN)",
			 strerror(errno));
		nl_socket_free(sk);
		return NULL;
	}
	return sk;
}

int
fib_nl_open(struct fib *f, char *err, size_t errlen)
{
	f->req_sk = fib_nl_socket(false, err, errlen);
	if (f->req_sk == NULL)
		return -1;
	f->req_fd = nl_socket_get_fd(f->req_sk);
	int rcv = 0;
	socklen_t len = sizeof rcv;
	if (getsockopt(f->req_fd, SOL_SOCKET, SO_RCVBUF, &rcv, &len) < 0)
		rcv = 0;
	size_t lim = (size_t)rcv / FIB_REPLY_COST;
	f->ring_limit = lim < FIB_RING_MIN ? FIB_RING_MIN : lim > f->ring_cap ? f->ring_cap : lim;
	return 0;
}

void
fib_nl_close(struct fib *f)
{
	if (f->req_sk != NULL)
		nl_socket_free(f->req_sk); /* closes the fd */
	f->req_sk = NULL;
	f->req_fd = -1;
}

/* ---- messages ---- */

const char *
fib_route_fmt(const struct fib_route *r, char *buf, size_t len)
{
	char pb[PREFIX_STRLEN], gb[ADDR_STRLEN];
	int n = snprintf(buf, len, "%s %s", r->kind == FIB_SET ? "set" : "delete",
			 prefix_fmt(&r->dst, pb));
	if (r->gw_af != 0 && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, " via %s%s",
			      r->gw_af != r->dst.af ? (r->gw_af == AF_INET6 ? "inet6 " : "inet ")
						    : "",
			      addr_fmt(r->gw_af, r->gw, gb));
	if (r->ifindex != 0 && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, " oif %u", r->ifindex);
	if (n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " metric %u", r->metric);
	return buf;
}

static struct nl_addr *
fib_nl_addr(int af, const uint8_t *a, unsigned plen)
{
	struct nl_addr *x = nl_addr_build(af, a, af_bytes(af));
	if (x == NULL)
		fib_nl_oom();
	nl_addr_set_prefixlen(x, (int)plen);
	return x;
}

/*
 * One route message, built by libnl: RTA_TABLE (and rtm_table when < 256), RTA_DST,
 * RTA_PRIORITY, and for a set RTA_GATEWAY (same family) or RTA_VIA (the other) and RTA_OIF.
 * A delete names no next hop, scope NOWHERE and type UNSPEC (any), our protocol and metric.
 * NULL (failure counted) when libnl refuses.
 */
static struct nl_msg *
fib_nl_msg(struct fib *f, const struct fib_route *r)
{
	struct rtnl_route *rt = rtnl_route_alloc();
	if (rt == NULL)
		fib_nl_oom();
	struct nl_addr *dst = fib_nl_addr(r->dst.af, r->dst.a, r->dst.len);
	rtnl_route_set_family(rt, r->dst.af);
	rtnl_route_set_dst(rt, dst); /* takes its own reference */
	nl_addr_put(dst);
	rtnl_route_set_table(rt, f->cfg.table);
	rtnl_route_set_protocol(rt, f->cfg.protocol);
	rtnl_route_set_priority(rt, r->metric);
	struct nl_msg *m = NULL;
	int e;
	if (r->kind == FIB_SET) {
		rtnl_route_set_type(rt, RTN_UNICAST);
		/* libnl would guess LINK for a route whose only gateway is an RTA_VIA */
		rtnl_route_set_scope(rt, r->gw_af != 0 ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
		struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
		if (nh == NULL)
			fib_nl_oom();
		if (r->gw_af != 0) {
			struct nl_addr *gw = fib_nl_addr(r->gw_af, r->gw, af_bits(r->gw_af));
			if (r->gw_af == r->dst.af)
				rtnl_route_nh_set_gateway(nh, gw);
			else
				rtnl_route_nh_set_via(nh, gw);
			nl_addr_put(gw);
		}
		if (r->ifindex != 0)
			rtnl_route_nh_set_ifindex(nh, (int)r->ifindex);
		rtnl_route_add_nexthop(rt, nh); /* the route owns nh */
		e = rtnl_route_build_add_request(rt, NLM_F_REPLACE, &m);
	} else {
		rtnl_route_set_type(rt, RTN_UNSPEC);
		rtnl_route_set_scope(rt, RT_SCOPE_NOWHERE);
		e = rtnl_route_build_del_request(rt, 0, &m);
	}
	rtnl_route_put(rt);
	if (e < 0) {
		char rb[160];
		if (e == -NLE_NOMEM)
			fib_nl_oom();
		fib_fail(f, "%s: cannot build the request: %s", fib_route_fmt(r, rb, sizeof rb),
			 nl_geterror(e));
		return NULL;
	}
	return m;
}

/* ---- the ring of requests in flight ---- */

size_t
fib_ring_free(const struct fib *f)
{
	return f->ring_len < f->ring_limit ? f->ring_limit - f->ring_len : 0;
}

static struct fib_flight *
fib_ring_at(const struct fib *f, size_t i)
{
	return &f->ring[(f->ring_head + i) % f->ring_cap];
}

/* The requests at positions 0..last are answered: those without an error succeeded. */
static void
fib_ring_complete(struct fib *f, size_t last)
{
	for (size_t i = 0; i <= last; i++) {
		const struct fib_flight *e = fib_ring_at(f, 0);
		if (!e->failed) {
			if (e->r.kind == FIB_SET)
				f->stats.installed++;
			else
				f->stats.deleted++;
		}
		f->ring_head = (f->ring_head + 1) % f->ring_cap;
		f->ring_len--;
		f->ring_seq++;
	}
}

static void
fib_ring_failed(struct fib *f, struct fib_flight *e, int err, const char *why)
{
	if (e->failed)
		return;
	e->failed = true;
	if (e->r.kind == FIB_DEL && err == ESRCH) {
		f->stats.absent++;
		return;
	}
	char rb[160];
	fib_fail(f, "%s: %s%s%s%s", fib_route_fmt(&e->r, rb, sizeof rb), strerror(err),
		 why != NULL ? " (" : "", why != NULL ? why : "", why != NULL ? ")" : "");
}

/*
 * After an overflow (f->lost): the replies still queued have been read and noted one by one.
 * A request without a reply is queued again when it is the newest in flight for its prefix
 * and no newer one waits (walking from the newest, a temporary tree remembers the prefixes
 * seen); then the ring starts afresh.
 */
static void
fib_ring_requeue(struct fib *f)
{
	struct radix *seen[2] = {radix_new(AF_INET), radix_new(AF_INET6)};
	if (seen[0] == NULL || seen[1] == NULL)
		fib_nl_oom();
	size_t again = 0, n = f->ring_len;
	for (size_t i = n; i-- > 0;) {
		const struct fib_flight *e = fib_ring_at(f, i);
		bool newest = true;
		if (e->r.metric == f->cfg.metric) { /* coalesced per prefix, see fib_op_push */
			struct radix_node *x =
			    radix_get(seen[fib_fam(e->r.dst.af)], e->r.dst.a, e->r.dst.len);
			if (x == NULL)
				fib_nl_oom();
			newest = radix_uflags(x) == 0;
			radix_set_uflags(x, 1);
		}
		if (e->acked && !e->failed) {
			if (e->r.kind == FIB_SET)
				f->stats.installed++;
			else
				f->stats.deleted++;
		} else if (!e->failed && newest && fib_op_push(f, &e->r, true)) {
			again++;
		}
	}
	radix_free(seen[0], NULL, NULL);
	radix_free(seen[1], NULL, NULL);
	f->ring_seq += (uint32_t)n; /* a late reply for them is ignored */
	f->ring_len = 0;
	f->ring_head = 0;
	f->out_len = 0; /* an unsent batch was in the ring too */
	f->out_msgs = 0;
	f->lost = false;
	if (f->ring_limit / 2 >= FIB_RING_MIN)
		f->ring_limit /= 2;
	f->stats.resent += again;
	log_warn("fib: netlink replies lost (ENOBUFS): %zu requests of unknown outcome queued "
		 "again, at most %zu in flight from now on",
		 again, f->ring_limit);
	fib_schedule(f);
}

/* ---- batches ---- */

/* Fills f->out from the pending queue, moving each request into the ring. */
static void
fib_batch_build(struct fib *f)
{
	size_t off = 0, msgs = 0;
	struct nlmsghdr *last = NULL;
	while (f->head != NULL && fib_ring_free(f) > 0 && off + FIB_MSG_MAX <= FIB_BATCH_BYTES) {
		const struct fib_route *r = &f->head->r;
		struct nl_msg *m = fib_nl_msg(f, r);
		if (m == NULL) {
			fib_op_drop(f);
			continue;
		}
		const struct nlmsghdr *h = nlmsg_hdr(m);
		size_t len = h->nlmsg_len, alen = NLMSG_ALIGN(len);
		if (alen > FIB_MSG_MAX) {
			/* cannot happen with the attributes we set; keeps the bound honest */
			char rb[160];
			fib_fail(f, "%s: request of %zu bytes", fib_route_fmt(r, rb, sizeof rb),
				 len);
			nlmsg_free(m);
			fib_op_drop(f);
			continue;
		}
		struct nlmsghdr *o = (struct nlmsghdr *)(void *)(f->out + off);
		memcpy(o, h, len);
		memset(f->out + off + len, 0, alen - len);
		nlmsg_free(m);
		o->nlmsg_flags |= NLM_F_REQUEST;
		o->nlmsg_seq = f->ring_seq + (uint32_t)f->ring_len;
		o->nlmsg_pid = 0;
		struct fib_flight *e = fib_ring_at(f, f->ring_len++);
		e->r = *r;
		e->failed = false;
		e->acked = false;
		e->last = false;
		fib_op_drop(f);
		off += alen;
		msgs++;
		last = o;
	}
	if (last != NULL) {
		last->nlmsg_flags |= NLM_F_ACK;
		fib_ring_at(f, f->ring_len - 1)->last = true;
	}
	f->out_len = off;
	f->out_msgs = msgs;
}

/* send() failed for good: every request of the batch (the ring's tail) failed. */
static void
fib_batch_failed(struct fib *f, int err)
{
	size_t first = f->ring_len - f->out_msgs;
	for (size_t i = first; i < f->ring_len; i++)
		fib_ring_failed(f, fib_ring_at(f, i), err, "sending the batch");
	f->ring_len = first; /* never sent: their sequence numbers are reused */
	f->out_len = 0;
	f->out_msgs = 0;
}

bool
fib_nl_send(struct fib *f)
{
	if (f->out_blocked || f->lost)
		return false;
	if (f->out_len == 0)
		fib_batch_build(f);
	if (f->out_len == 0)
		return false;
	for (;;) {
		ssize_t n = send(f->req_fd, f->out, f->out_len, 0);
		if (n >= 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			fib_wait_out(f, false);
			return false;
		}
		if (errno == ENOBUFS || errno == ENOMEM) {
			fib_wait_out(f, true);
			return false;
		}
		fib_batch_failed(f, errno);
		return true;
	}
	f->stats.batches++;
	f->out_len = 0;
	f->out_msgs = 0;
	return true;
}

/* ---- replies ---- */

/* The kernel's reason (NLMSGERR_ATTR_MSG) in an error reply, or NULL. */
static const char *
fib_ext_ack(struct nlmsghdr *h, const struct nlmsgerr *e)
{
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	size_t off = sizeof *e;
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len >= NLMSG_HDRLEN ? e->msg.nlmsg_len - NLMSG_HDRLEN : 0;
	int dlen = nlmsg_datalen(h);
	if (dlen < 0 || off >= (size_t)dlen)
		return NULL;
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	struct nlattr *head = (struct nlattr *)(void *)((char *)nlmsg_data(h) + off);
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, head, dlen - (int)off, NULL) < 0)
		return NULL;
	struct nlattr *msg = tb[NLMSGERR_ATTR_MSG];
	if (msg == NULL || nla_len(msg) < 1 || ((const char *)nla_data(msg))[nla_len(msg) - 1])
		return NULL;
	return nla_data(msg);
}

static void
fib_reply(struct fib *f, struct nlmsghdr *h)
{
	if (h->nlmsg_len < (uint32_t)nlmsg_size(sizeof(struct nlmsgerr)))
		return;
	const struct nlmsgerr *e = nlmsg_data(h);
	uint32_t i = h->nlmsg_seq - f->ring_seq;
	if (i >= f->ring_len) {
		log_debug("fib: reply to request %u, not in flight", h->nlmsg_seq);
		return;
	}
	struct fib_flight *fl = fib_ring_at(f, i);
	int err = -e->error;
	if (err != 0)
		fib_ring_failed(f, fl, err, fib_ext_ack(h, e));
	else
		fl->acked = true;
	if (!f->lost && (err == 0 || fl->last))
		fib_ring_complete(f, i);
}

void
fib_nl_recv(struct fib *f, unsigned budget)
{
	while (budget-- > 0 && f->req_sk != NULL) {
		ssize_t n = recv(f->req_fd, f->rx, FIB_RX_BYTES, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				if (f->lost)
					fib_ring_requeue(f);
				return;
			}
			if (errno == ENOBUFS) {
				f->lost = true;
				f->stats.enobufs++;
				continue;
			}
			log_warn("fib: netlink receive: %s", strerror(errno));
			return;
		}
		int left = (int)n;
		for (struct nlmsghdr *h = (struct nlmsghdr *)(void *)f->rx; nlmsg_ok(h, left);
		     h = nlmsg_next(h, &left))
			if (h->nlmsg_type == NLMSG_ERROR)
				fib_reply(f, h);
	}
}
