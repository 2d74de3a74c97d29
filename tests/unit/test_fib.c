/*
 * FIB module tests against the real kernel, in a network namespace of the test process's own
 * (unshare(CLONE_NEWNET): needs root; the test fails loudly without it). The namespace has lo
 * and a veth pair v0/v1 with 2001:db8:64::2/64 and 198.18.0.1/24 on v0, so the gateways
 * 2001:db8:64::1 and ::3 are reachable; nothing leaves the namespace.
 *
 * The kernel's view is read with a netlink dump written here (raw sockets, not the module's
 * code), and pre-existing routes are added with ip(8). Each test runs the libevent loop until
 * the module has nothing queued.
 *
 * FIB_BENCH_N (default 100000) sets the size of test_scale, which prints install and flush
 * rates; run it once by hand with FIB_BENCH_N=1000000.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "fib/fib.h"
#include "fib/fib_impl.h" /* test_enobufs shrinks the receive buffer under the module */
#include "lib/log.h"

#define TABLE  1000
#define PROTO  186
#define METRIC 20

static struct event_base *base;
static unsigned v0_index;

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
pump(double s)
{
	struct timeval tv = {(time_t)s, (suseconds_t)((s - (double)(time_t)s) * 1e6)};
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

/* Runs the loop until the module is idle; fails after secs. */
static void
settle(struct fib *f, double secs)
{
	double until = now() + secs;
	while ((fib_queued(f) > 0 || fib_sync_active(f)) && now() < until)
		pump(0.002);
	assert_int_equal(fib_queued(f), 0);
	assert_false(fib_sync_active(f));
}

static void
sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	int rc = system(cmd);
	if (rc != 0)
		fail_msg("command failed (%d): %s", rc, cmd);
}

/* ---- the kernel's view: a netlink dump of our own ---- */

struct kroute {
	struct prefix dst;
	uint32_t table, metric, oif;
	uint8_t proto, type;
	uint8_t gw_af; /* from RTA_GATEWAY (same family) or RTA_VIA */
	uint8_t gw[16];
	bool via;
};

static struct kroute *kr;
static size_t nkr, kr_cap;

static void
kr_add(struct nlmsghdr *h)
{
	struct rtmsg *rtm = NLMSG_DATA(h);
	if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6)
		return;
	if (rtm->rtm_flags & RTM_F_CLONED)
		return;
	struct kroute r = {
	    .table = rtm->rtm_table, .proto = rtm->rtm_protocol, .type = rtm->rtm_type};
	r.dst.af = rtm->rtm_family;
	r.dst.len = rtm->rtm_dst_len;
	int len = (int)RTM_PAYLOAD(h);
	for (struct rtattr *a = RTM_RTA(rtm); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		const uint8_t *d = RTA_DATA(a);
		size_t dl = RTA_PAYLOAD(a);
		switch (a->rta_type) {
		case RTA_DST:
			memcpy(r.dst.a, d, dl <= 16 ? dl : 16);
			break;
		case RTA_TABLE:
			memcpy(&r.table, d, 4);
			break;
		case RTA_PRIORITY:
			memcpy(&r.metric, d, 4);
			break;
		case RTA_OIF:
			memcpy(&r.oif, d, 4);
			break;
		case RTA_GATEWAY:
			r.gw_af = r.dst.af;
			memcpy(r.gw, d, dl <= 16 ? dl : 16);
			break;
		case RTA_VIA: {
			uint16_t fam;
			memcpy(&fam, d, 2);
			r.gw_af = (uint8_t)fam;
			r.via = true;
			memcpy(r.gw, d + 2, dl - 2 <= 16 ? dl - 2 : 16);
			break;
		}
		}
	}
	if (nkr == kr_cap) {
		kr_cap = kr_cap ? 2 * kr_cap : 1024;
		kr = realloc(kr, kr_cap * sizeof *kr);
		assert_non_null(kr);
	}
	kr[nkr++] = r;
}

/* Reads every IPv4 and IPv6 route of the namespace into kr[]. */
static void
kdump(void)
{
	nkr = 0;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	assert_true(fd >= 0);
	int big = 4 << 20;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
	for (int fam = 0; fam < 2; fam++) {
		struct {
			struct nlmsghdr h;
			struct rtmsg r;
		} req = {.h = {.nlmsg_len = sizeof req,
			       .nlmsg_type = RTM_GETROUTE,
			       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			       .nlmsg_seq = 7},
			 .r = {.rtm_family = fam ? AF_INET : AF_INET6}};
		assert_int_equal(send(fd, &req, sizeof req, 0), sizeof req);
		static uint8_t buf[64 * 1024];
		for (bool done = false; !done;) {
			ssize_t n = recv(fd, buf, sizeof buf, 0);
			assert_true(n > 0);
			int left = (int)n;
			for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, (unsigned)left);
			     h = NLMSG_NEXT(h, left)) {
				if (h->nlmsg_type == NLMSG_DONE) {
					done = true;
					break;
				}
				assert_int_not_equal(h->nlmsg_type, NLMSG_ERROR);
				kr_add(h);
			}
		}
	}
	close(fd);
}

static size_t
kcount(uint32_t table, int proto)
{
	size_t n = 0;
	for (size_t i = 0; i < nkr; i++)
		if (kr[i].table == table && (proto < 0 || kr[i].proto == proto))
			n++;
	return n;
}

static const struct kroute *
kfind(uint32_t table, const struct prefix *p)
{
	for (size_t i = 0; i < nkr; i++)
		if (kr[i].table == table && prefix_eq(&kr[i].dst, p))
			return &kr[i];
	return NULL;
}

/* ---- routes of the tests ---- */

/* 64:ff9b::<10.0.0.0 + i*256>/120, the RFC 6052 image of an IPv4 /24 */
static struct prefix
pfx(uint32_t i)
{
	struct prefix p = {.af = AF_INET6, .len = 120};
	uint32_t v4 = (10u << 24) + (i << 8);
	p.a[1] = 0x64;
	p.a[2] = 0xff;
	p.a[3] = 0x9b;
	p.a[12] = (uint8_t)(v4 >> 24);
	p.a[13] = (uint8_t)(v4 >> 16);
	p.a[14] = (uint8_t)(v4 >> 8);
	return p;
}

static struct prefix
parse_pfx(const char *s)
{
	struct prefix p;
	assert_int_equal(prefix_parse(s, &p, false, false), 0);
	return p;
}

static const uint8_t *
gwaddr(const char *s)
{
	static uint8_t a[4][16];
	static int k;
	int af;
	uint8_t *out = a[k++ % 4];
	memset(out, 0, 16);
	assert_int_equal(addr_parse(s, &af, out), 0);
	return out;
}

static struct fib *
mkfib_fams(bool keep, uint8_t fams)
{
	struct fib_cfg c = {.table = TABLE,
			    .families = fams,
			    .protocol = PROTO,
			    .metric = METRIC,
			    .keep_on_exit = keep};
	char err[200] = "";
	struct fib *f = fib_new(base, &c, err, sizeof err);
	if (f == NULL)
		fail_msg("fib_new: %s", err);
	return f;
}

static struct fib *
mkfib(bool keep)
{
	return mkfib_fams(keep, FIB_FAM_V4 | FIB_FAM_V6);
}

static void
flush_table(void)
{
	sh("ip -6 route flush table %d 2>/dev/null; ip -4 route flush table %d 2>/dev/null; "
	   "ip -6 route flush table %d 2>/dev/null; true",
	   TABLE, TABLE, TABLE + 1);
}

/* ---- tests ---- */

static void
test_install_replace_delete(void **state)
{
	(void)state;
	const uint32_t N = 10000;
	struct fib *f = mkfib(false);
	const uint8_t *gw1 = gwaddr("2001:db8:64::1"), *gw3 = gwaddr("2001:db8:64::3");
	for (uint32_t i = 0; i < N; i++) {
		struct prefix p = pfx(i);
		fib_route_set(f, &p, AF_INET6, gw1, 0);
	}
	assert_int_equal(fib_queued(f), N);
	settle(f, 10);
	const struct fib_stats *st = fib_stats(f);
	assert_int_equal(st->installed, N);
	assert_int_equal(st->errors, 0);
	/* batched: ~390 routes per 32 KiB send() */
	assert_true(st->batches >= N / 1000 && st->batches <= N / 300);
	kdump();
	assert_int_equal(kcount(TABLE, PROTO), N);
	for (uint32_t i = 0; i < N; i += 997) {
		struct prefix p = pfx(i);
		const struct kroute *k = kfind(TABLE, &p);
		assert_non_null(k);
		assert_int_equal(k->metric, METRIC);
		assert_int_equal(k->gw_af, AF_INET6);
		assert_memory_equal(k->gw, gw1, 16);
	}

	/* replace the gateway of the first 1000: still N routes, 1000 via ::3 */
	for (uint32_t i = 0; i < 1000; i++) {
		struct prefix p = pfx(i);
		fib_route_set(f, &p, AF_INET6, gw3, 0);
	}
	settle(f, 10);
	assert_int_equal(st->installed, N + 1000);
	kdump();
	assert_int_equal(kcount(TABLE, PROTO), N);
	size_t via3 = 0;
	for (size_t i = 0; i < nkr; i++)
		if (kr[i].table == TABLE && memcmp(kr[i].gw, gw3, 16) == 0)
			via3++;
	assert_int_equal(via3, 1000);

	/* delete the even half */
	for (uint32_t i = 0; i < N; i += 2) {
		struct prefix p = pfx(i);
		fib_route_del(f, &p);
	}
	settle(f, 10);
	assert_int_equal(st->deleted, N / 2);
	assert_int_equal(st->errors, 0);
	kdump();
	assert_int_equal(kcount(TABLE, PROTO), N / 2);
	for (uint32_t i = 0; i < 10; i++) {
		struct prefix p = pfx(i);
		assert_true((kfind(TABLE, &p) != NULL) == (i % 2 == 1));
	}

	/* coalescing: set twice then delete a new prefix, set twice another: two requests */
	uint64_t inst = st->installed, absent = st->absent, batches = st->batches;
	struct prefix a = pfx(N + 1), b = pfx(N + 2);
	fib_route_set(f, &a, AF_INET6, gw1, 0);
	fib_route_set(f, &a, AF_INET6, gw3, 0);
	fib_route_del(f, &a);
	fib_route_set(f, &b, AF_INET6, gw1, 0);
	fib_route_set(f, &b, AF_INET6, gw3, 0);
	assert_int_equal(fib_queued(f), 2);
	settle(f, 5);
	assert_int_equal(st->installed, inst + 1);
	assert_int_equal(st->absent, absent + 1); /* the delete of a never installed */
	assert_int_equal(st->batches, batches + 1);
	kdump();
	assert_null(kfind(TABLE, &a));
	assert_non_null(kfind(TABLE, &b));
	assert_memory_equal(kfind(TABLE, &b)->gw, gw3, 16);

	/* fib_free deletes every route of ours */
	fib_free(f);
	kdump();
	assert_int_equal(kcount(TABLE, PROTO), 0);
}

static void
test_errors(void **state)
{
	(void)state;
	struct fib *f = mkfib(false);
	const struct fib_stats *st = fib_stats(f);
	const uint8_t *gw = gwaddr("2001:db8:64::1"), *bad = gwaddr("2001:db8:99::1");
	/* one unreachable gateway in the middle of a batch, another as its last message */
	for (uint32_t i = 0; i < 201; i++) {
		struct prefix p = pfx(i);
		fib_route_set(f, &p, AF_INET6, i == 100 || i == 200 ? bad : gw, 0);
	}
	settle(f, 5);
	assert_int_equal(st->batches, 1);
	assert_int_equal(st->errors, 2);
	assert_int_equal(st->installed, 199);
	char pb[PREFIX_STRLEN];
	struct prefix p200 = pfx(200);
	assert_non_null(strstr(st->last_error, prefix_fmt(&p200, pb)));
	assert_non_null(strstr(st->last_error, "2001:db8:99::1"));
	kdump();
	assert_int_equal(kcount(TABLE, PROTO), 199);
	struct prefix p100 = pfx(100);
	assert_null(kfind(TABLE, &p100));

	/* the kernel's reason (extended ACK) goes with the error */
	struct prefix p300 = pfx(300), p301 = pfx(301);
	fib_route_set(f, &p300, AF_INET, gwaddr("198.18.0.2"), 0);
	settle(f, 5);
	assert_int_equal(st->errors, 3);
	assert_non_null(strstr(st->last_error, "RTA_VIA")); /* IPv6 takes no IPv4 gateway */
	fib_route_set(f, &p301, AF_INET6, gwaddr("fe80::1"), 0);
	settle(f, 5);
	assert_int_equal(st->errors, 4);
	assert_non_null(strstr(st->last_error, "fe80::1"));
	assert_non_null(strstr(st->last_error, "device")); /* "Egress device not specified" */

	/* bad requests refused before the kernel: counted too */
	struct prefix junk = {.af = 7, .len = 8};
	fib_route_set(f, &junk, AF_INET6, gw, 0);
	struct prefix p1 = pfx(1);
	fib_route_set(f, &p1, AF_UNSPEC, gw, 0);
	assert_int_equal(st->errors, 6);
	assert_int_equal(fib_queued(f), 0);

	/* a delete of a route that is not there is not an error */
	struct prefix none = pfx(5000);
	fib_route_del(f, &none);
	settle(f, 5);
	assert_int_equal(st->errors, 6);
	assert_int_equal(st->absent, 1);
	fib_free(f);
	kdump();
	assert_int_equal(kcount(TABLE, PROTO), 0);
}

static void
test_via_oif(void **state)
{
	(void)state;
	struct fib *f = mkfib(false);
	const struct fib_stats *st = fib_stats(f);
	/* RFC 8950: IPv4 routes via an IPv6 gateway (RTA_VIA), with and without an interface */
	struct prefix v4a = parse_pfx("203.0.113.0/24"), v4b = parse_pfx("198.51.100.0/24");
	struct prefix ll = parse_pfx("64:ff9b::c000:200/120"), dev = parse_pfx("2001:db8:77::/64");
	struct prefix v4c = parse_pfx("192.0.2.0/24");
	fib_route_set(f, &v4a, AF_INET6, gwaddr("2001:db8:64::1"), 0);
	fib_route_set(f, &v4b, AF_INET6, gwaddr("2001:db8:64::1"), v0_index);
	/* a link-local gateway needs its interface (RTA_OIF) */
	fib_route_set(f, &ll, AF_INET6, gwaddr("fe80::1"), v0_index);
	/* no gateway, an interface */
	fib_route_set(f, &dev, AF_UNSPEC, NULL, v0_index);
	/* IPv4 via IPv4 */
	fib_route_set(f, &v4c, AF_INET, gwaddr("198.18.0.2"), 0);
	settle(f, 5);
	if (st->errors != 0)
		fail_msg("errors: %s", st->last_error);
	assert_int_equal(st->installed, 5);
	kdump();
	assert_int_equal(kcount(TABLE, PROTO), 5);
	const struct kroute *k = kfind(TABLE, &v4a);
	assert_non_null(k);
	assert_true(k->via);
	assert_int_equal(k->gw_af, AF_INET6);
	assert_memory_equal(k->gw, gwaddr("2001:db8:64::1"), 16);
	assert_int_equal(k->metric, METRIC);
	k = kfind(TABLE, &v4b);
	assert_non_null(k);
	assert_true(k->via);
	assert_int_equal(k->oif, v0_index);
	k = kfind(TABLE, &ll);
	assert_non_null(k);
	assert_memory_equal(k->gw, gwaddr("fe80::1"), 16);
	assert_int_equal(k->oif, v0_index);
	k = kfind(TABLE, &dev);
	assert_non_null(k);
	assert_int_equal(k->gw_af, 0);
	assert_int_equal(k->oif, v0_index);
	k = kfind(TABLE, &v4c);
	assert_non_null(k);
	assert_false(k->via);
	assert_int_equal(k->gw_af, AF_INET);
	assert_memory_equal(k->gw, gwaddr("198.18.0.2"), 4);

	/* deletes of both families */
	fib_route_del(f, &v4a);
	fib_route_del(f, &ll);
	settle(f, 5);
	assert_int_equal(st->deleted, 2);
	kdump();
	assert_int_equal(kcount(TABLE, PROTO), 3);
	assert_null(kfind(TABLE, &v4a));
	assert_null(kfind(TABLE, &ll));
	fib_free(f);
	kdump();
	assert_int_equal(kcount(TABLE, PROTO), 0);
}

/*
 * Routes found at start-up: 50 stale of ours (IPv6), 2 of ours with another metric, one IPv4
 * of ours via IPv6; one of another protocol in our table and one of ours in another table,
 * both to be left alone.
 */
static void
preinstall(void)
{
	FILE *b = fopen("/tmp/test_fib.batch", "w");
	assert_non_null(b);
	char pb[PREFIX_STRLEN];
	for (uint32_t i = 0; i < 50; i++) {
		struct prefix p = pfx(i);
		fprintf(b, "route add %s via 2001:db8:64::1 table %d proto %d metric %d\n",
			prefix_fmt(&p, pb), TABLE, PROTO, METRIC);
	}
	fprintf(b, "route add 64:ff9b::1:0/120 via 2001:db8:64::1 table %d proto %d metric 30\n",
		TABLE, PROTO);
	fprintf(b, "route add 64:ff9b::1:100/120 via 2001:db8:64::1 table %d proto %d metric 30\n",
		TABLE, PROTO);
	fprintf(b,
		"route add 203.0.113.0/24 via inet6 2001:db8:64::1 table %d proto %d metric %d\n",
		TABLE, PROTO, METRIC);
	fprintf(b,
		"route add 64:ff9b::2:0/120 via 2001:db8:64::1 table %d proto static metric %d\n",
		TABLE, METRIC);
	fprintf(b, "route add 64:ff9b::3:0/120 via 2001:db8:64::1 table %d proto %d metric %d\n",
		TABLE + 1, PROTO, METRIC);
	fclose(b);
	sh("ip -batch /tmp/test_fib.batch");
	unlink("/tmp/test_fib.batch");
	kdump();
	assert_int_equal(kcount(TABLE, PROTO), 53);
	assert_int_equal(kcount(TABLE, -1), 54);
	assert_int_equal(kcount(TABLE + 1, PROTO), 1);
}

/* After the sync: 20 of the 50 kept (10 with a new gateway), 10 new, the others untouched. */
static void
check_synced(struct fib *f)
{
	const struct fib_stats *st = fib_stats(f);
	assert_int_equal(st->stale, 30 + 2 + 1);
	assert_int_equal(st->errors, 0);
	kdump();
	assert_int_equal(kcount(TABLE, PROTO), 30);
	for (uint32_t i = 0; i < 50; i++) {
		struct prefix p = pfx(i);
		const struct kroute *k = kfind(TABLE, &p);
		assert_true((k != NULL) == (i < 20));
		if (i < 10)
			assert_memory_equal(k->gw, gwaddr("2001:db8:64::3"), 16);
	}
	for (uint32_t i = 100; i < 110; i++) {
		struct prefix p = pfx(i);
		assert_non_null(kfind(TABLE, &p));
	}
	struct prefix other = parse_pfx("64:ff9b::2:0/120"), v4 = parse_pfx("203.0.113.0/24");
	const struct kroute *k = kfind(TABLE, &other);
	assert_non_null(k);
	assert_int_equal(k->proto, RTPROT_STATIC);
	assert_null(kfind(TABLE, &v4));
	assert_int_equal(kcount(TABLE + 1, PROTO), 1);
}

static void
sync_set_wanted(struct fib *f)
{
	for (uint32_t i = 0; i < 20; i++) {
		struct prefix p = pfx(i);
		fib_route_set(f, &p, AF_INET6, gwaddr(i < 10 ? "2001:db8:64::3" : "2001:db8:64::1"),
			      0);
	}
	for (uint32_t i = 100; i < 110; i++) {
		struct prefix p = pfx(i);
		fib_route_set(f, &p, AF_INET6, gwaddr("2001:db8:64::1"), 0);
	}
}

static void
test_sync(void **state)
{
	(void)state;
	/* the caller sets its routes and ends the sync before the dump has even been read */
	preinstall();
	struct fib *f = mkfib(false);
	fib_sync_begin(f);
	assert_true(fib_sync_active(f));
	sync_set_wanted(f);
	fib_sync_end(f);
	settle(f, 5);
	check_synced(f);
	fib_free(f);
	kdump();
	assert_int_equal(kcount(TABLE, PROTO), 0);
	assert_int_equal(kcount(TABLE, -1), 1); /* the static route */

	/* the same with the dump over first, the caller setting its routes later */
	flush_table();
	preinstall();
	f = mkfib(false);
	fib_sync_begin(f);
	double until = now() + 5;
	while (f->sync.state != FIB_SYNC_COLLECT && now() < until)
		pump(0.002);
	assert_int_equal(f->sync.state, FIB_SYNC_COLLECT);
	sync_set_wanted(f);
	fib_sync_end(f);
	settle(f, 5);
	check_synced(f);

	/* keep_on_exit: fib_free sends what is queued and deletes nothing */
	fib_free(f);
	kdump();
	assert_int_equal(kcount(TABLE, PROTO), 0);
	flush_table();
	preinstall();
	f = mkfib(true);
	struct prefix p = pfx(7000);
	fib_route_set(f, &p, AF_INET6, gwaddr("2001:db8:64::1"), 0);
	fib_free(f);
	kdump();
	assert_int_equal(kcount(TABLE, PROTO), 54);
	flush_table();
}

/*
 * A FIB that writes IPv6 only (what bgp64d does) never dumps, reconciles nor cleans IPv4, even
 * routes of its own protocol in its own table (issue 8 item 5: with a protocol number shared
 * with the system, an IPv4 sync deleted the host's own routes); it refuses IPv4 requests.
 */
static void
test_sync_family(void **state)
{
	(void)state;
	preinstall();
	sh("ip -4 route add 198.51.100.0/24 via 198.18.0.2 table %d proto %d metric %d", TABLE,
	   PROTO, METRIC);
	kdump();
	assert_int_equal(kcount(TABLE, PROTO), 54);
	struct fib *f = mkfib_fams(false, FIB_FAM_V6);
	const struct fib_stats *st = fib_stats(f);
	fib_sync_begin(f);
	sync_set_wanted(f);
	fib_sync_end(f);
	settle(f, 5);
	assert_int_equal(st->stale, 30 + 2); /* the IPv4 route via IPv6 is not ours any more */
	assert_int_equal(st->errors, 0);
	kdump();
	struct prefix v4 = parse_pfx("203.0.113.0/24"), v4b = parse_pfx("198.51.100.0/24");
	assert_non_null(kfind(TABLE, &v4));
	assert_non_null(kfind(TABLE, &v4b));
	assert_int_equal(kcount(TABLE, PROTO), 30 + 2);

	/* IPv4 requests are refused before the kernel */
	fib_route_del(f, &v4);
	fib_route_set(f, &v4b, AF_INET, gwaddr("198.18.0.3"), 0);
	assert_int_equal(st->errors, 2);
	assert_non_null(strstr(st->last_error, "not a family of this FIB"));
	assert_int_equal(fib_queued(f), 0);

	/* nor are they cleaned at exit */
	fib_free(f);
	kdump();
	assert_int_equal(kcount(TABLE, PROTO), 2);
	assert_non_null(kfind(TABLE, &v4));
	assert_non_null(kfind(TABLE, &v4b));
	flush_table();

	/* a FIB with no family is refused */
	struct fib_cfg c = {.table = TABLE, .protocol = PROTO, .metric = METRIC};
	char err[200] = "";
	assert_null(fib_new(base, &c, err, sizeof err));
	assert_non_null(strstr(err, "family"));
}

/*
 * The reply queue overflows (a receive buffer far too small for the requests in flight, all
 * failing): the requests of unknown outcome are sent again, and every outcome is still
 * counted exactly once.
 */
static void
test_enobufs(void **state)
{
	(void)state;
	struct fib *f = mkfib(false);
	const struct fib_stats *st = fib_stats(f);
	int tiny = 1;
	assert_int_equal(setsockopt(f->req_fd, SOL_SOCKET, SO_RCVBUFFORCE, &tiny, sizeof tiny), 0);
	f->ring_limit = f->ring_cap;
	if (getenv("FIB_VERBOSE") == NULL)
		log_set_level(LOG_LVL_ERR); /* hundreds of failure lines otherwise (rate limited) */
	const uint8_t *gw = gwaddr("2001:db8:64::1"), *bad = gwaddr("2001:db8:99::1");
	for (uint32_t i = 0; i < 3000; i++) {
		struct prefix p = pfx(i);
		fib_route_set(f, &p, AF_INET6, i % 3 == 0 ? gw : bad, 0);
	}
	settle(f, 10);
	log_set_level(LOG_LVL_INFO);
	assert_true(st->enobufs > 0);
	assert_true(st->resent > 0);
	assert_int_equal(st->installed, 1000);
	assert_int_equal(st->errors, 2000);
	kdump();
	assert_int_equal(kcount(TABLE, PROTO), 1000);
	fib_free(f);
	kdump();
	assert_int_equal(kcount(TABLE, PROTO), 0);
}

struct producer {
	struct fib *f;
	uint32_t next, n;
	const uint8_t *gw;
	unsigned drained;
};

static void
produce(void *arg)
{
	struct producer *p = arg;
	p->drained++;
	while (p->next < p->n && fib_queued(p->f) < FIB_QUEUE_HIGH) {
		struct prefix x = pfx(p->next++);
		fib_route_set(p->f, &x, AF_INET6, p->gw, 0);
	}
}

/* Install rate through the pull model, compared in the report with ip -batch. */
static void
test_scale(void **state)
{
	(void)state;
	const char *e = getenv("FIB_BENCH_N");
	uint32_t n = e != NULL ? (uint32_t)strtoul(e, NULL, 10) : 100000;
	struct fib *f = mkfib(false);
	const struct fib_stats *st = fib_stats(f);
	struct producer p = {.f = f, .n = n, .gw = gwaddr("2001:db8:64::1")};
	fib_set_drained_cb(f, produce, &p);
	double t0 = now();
	produce(&p);
	double until = now() + 60 + n / 20000.0;
	while ((p.next < n || fib_queued(f) > 0) && now() < until)
		pump(0.002);
	double t1 = now();
	assert_int_equal(p.next, n);
	assert_int_equal(fib_queued(f), 0);
	assert_int_equal(st->installed, n);
	assert_int_equal(st->errors, 0);
	assert_true(p.drained > 1); /* the producer was called back */
	kdump();
	assert_int_equal(kcount(TABLE, PROTO), n);
	uint64_t batches = st->batches, slice = st->slice_max_us;
	double t2 = now();
	fib_free(f);
	double t3 = now();
	kdump();
	assert_int_equal(kcount(TABLE, PROTO), 0);
	printf("fib scale: %u IPv6 /120 routes installed in %.3f s (%.0f routes/s, %" PRIu64
	       " batches, longest slice %.1f ms), deleted by fib_free in %.3f s\n",
	       n, t1 - t0, n / (t1 - t0), batches, slice / 1000.0, t3 - t2);
}

static int
group_setup(void **state)
{
	(void)state;
	if (unshare(CLONE_NEWNET) != 0) {
		fprintf(stderr, "test_fib: unshare(CLONE_NEWNET): %s - these tests need root\n",
			strerror(errno));
		return -1;
	}
	sh("ip link set lo up && ip link add v0 type veth peer name v1 && ip link set v0 up && "
	   "ip link set v1 up && ip -6 addr add 2001:db8:64::2/64 dev v0 nodad && "
	   "ip addr add 198.18.0.1/24 dev v0");
	v0_index = if_nametoindex("v0");
	if (v0_index == 0)
		return -1;
	base = event_base_new();
	return base != NULL ? 0 : -1;
}

static int
group_teardown(void **state)
{
	(void)state;
	if (base != NULL)
		event_base_free(base);
	free(kr);
	return 0;
}

static int
setup(void **state)
{
	(void)state;
	flush_table();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_install_replace_delete, setup),
	    cmocka_unit_test_setup(test_errors, setup),
	    cmocka_unit_test_setup(test_via_oif, setup),
	    cmocka_unit_test_setup(test_sync, setup),
	    cmocka_unit_test_setup(test_sync_family, setup),
	    cmocka_unit_test_setup(test_enobufs, setup),
	    cmocka_unit_test_setup(test_scale, setup),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
