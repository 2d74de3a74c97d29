/*
 * Session module tests: real TCP over loopback in one event loop. Two speakers talk to each
 * other (one neighbor active, the other passive), and a hand-driven "fake" neighbor (a plain
 * socket writing raw messages) covers what a well-behaved speaker never does: staying silent,
 * wrong AS, connecting from an unknown address, restarting, blasting a table. The test looks
 * inside (session_int.h) only to count a peer's connections.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "bgp/session.h"
#include "bgp/session_int.h"
#include "lib/log.h"

static struct event_base *base;
static bool have_ipv6(void);
static bool md5_works(void);

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs the loop for about s seconds. */
static void
pump(double s)
{
	struct timeval tv = {(time_t)s, (suseconds_t)((s - (double)(time_t)s) * 1e6)};
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

#define WAIT_FOR(cond, secs)                                                                       \
	do {                                                                                       \
		double until_ = now() + (secs);                                                    \
		while (!(cond) && now() < until_)                                                  \
			pump(0.005);                                                               \
	} while (0)

/* ---- a speaker and its recorded callbacks ---- */

struct side {
	struct bgp_speaker *sp;
	struct bgp_peer *p;
	uint16_t port;
	int established, down, updates, refreshes, writable;
	bool gr_keep;
	uint16_t gr_time;
	struct prefix last_prefix;
	enum bgp_fam refresh_fam;
	double spin_us;			  /* time each 'update' callback burns */
	const unsigned *ticks;		  /* loop ticks counter, when set: */
	unsigned tick_seen, run, max_run; /* most updates delivered between two ticks */
	bool reset_in_update;
};

static void
cb_established(void *arg, struct bgp_peer *p)
{
	struct side *s = arg;
	assert_int_equal(bgp_peer_state(p), BGP_ESTABLISHED);
	assert_non_null(bgp_peer_neg(p));
	s->established++;
}

static void
cb_down(void *arg, struct bgp_peer *p, bool gr_keep, uint16_t gr_time)
{
	struct side *s = arg;
	assert_non_null(bgp_peer_neg(p)); /* still readable in 'down' */
	s->down++;
	s->gr_keep = gr_keep;
	s->gr_time = gr_time;
}

static void
cb_update(void *arg, struct bgp_peer *p, struct bgp_update *u)
{
	struct side *s = arg;
	s->updates++;
	struct bgp_nlri n = u->nlri;
	struct prefix pfx;
	while (bgp_nlri_next(&n, &pfx, NULL) == 1)
		s->last_prefix = pfx;
	if (s->ticks != NULL) {
		if (*s->ticks != s->tick_seen) {
			s->tick_seen = *s->ticks;
			s->run = 0;
		}
		if (++s->run > s->max_run)
			s->max_run = s->run;
	}
	if (s->spin_us > 0) {
		double until = now() + s->spin_us / 1e6;
		while (now() < until)
			continue;
	}
	if (s->reset_in_update) {
		int downs = s->down;
		s->reset_in_update = false;
		bgp_peer_reset(p, BGP_CEASE_MAX_PREFIX, NULL);
		/* Deferred: the session is still up inside the callback. */
		assert_int_equal(bgp_peer_state(p), BGP_ESTABLISHED);
		assert_int_equal(s->down, downs);
	}
}

static void
cb_refresh(void *arg, struct bgp_peer *p, enum bgp_fam f, uint8_t subtype)
{
	(void)p;
	(void)subtype;
	struct side *s = arg;
	s->refreshes++;
	s->refresh_fam = f;
}

static void
cb_writable(void *arg, struct bgp_peer *p)
{
	struct side *s = arg;
	assert_true(bgp_peer_send_queued(p) < BGP_OUT_HIGH);
	s->writable++;
}

static const struct bgp_speaker_ops ops = {
    .established = cb_established,
    .down = cb_down,
    .update = cb_update,
    .refresh = cb_refresh,
    .writable = cb_writable,
};

static void
addr(int af, const char *s, uint8_t out[16])
{
	int got;
	memset(out, 0, 16);
	assert_int_equal(addr_parse(s, &got, out), 0);
	assert_int_equal(got, af);
}

/* A port nobody listens on right now (bind to 0, read it back, close). */
static uint16_t
free_port(int af)
{
	int fd = socket(af, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	ss.ss_family = (sa_family_t)af;
	socklen_t sl = af == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	assert_int_equal(bind(fd, (struct sockaddr *)&ss, sl), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &sl), 0);
	uint16_t port = af == AF_INET ? ntohs(((struct sockaddr_in *)&ss)->sin_port)
				      : ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	close(fd);
	return port;
}

static void
side_start(struct side *s, int af, const char *listen_addr, uint32_t id, uint32_t as)
{
	memset(s, 0, sizeof *s);
	struct bgp_local l = {.router_id = id, .as = as, .cluster_id = id};
	s->sp = bgp_speaker_new(base, &l, &ops, s);
	assert_non_null(s->sp);
	struct cfg_listen cl = {.af = af};
	addr(af, listen_addr, cl.addr);
	for (int tries = 0; tries < 5; tries++) {
		cl.port = s->port = free_port(af);
		if (bgp_speaker_listen(s->sp, &cl, 1) == 0)
			return;
	}
	fail_msg("cannot listen");
}

static void
nb_init(struct cfg_neighbor *n, int af, const char *a, uint16_t port, uint32_t remote_as,
	bool passive)
{
	memset(n, 0, sizeof *n);
	n->af = af;
	addr(af, a, n->addr);
	n->port = port;
	n->remote_as = remote_as;
	n->fam[0].import = n->fam[0].export = true;
	n->fam[1].import = n->fam[1].export = true;
	n->hold_time = 3;
	n->connect_retry = 1;
	n->passive = passive;
	n->graceful_restart = true;
	n->gr_restart_time = 120;
}

static void
side_free(struct side *s)
{
	bgp_speaker_free(s->sp);
	s->sp = NULL;
}

static int
conn_count(const struct bgp_peer *p)
{
	return (p->conns[0] != NULL) + (p->conns[1] != NULL);
}

/* A (AS 64500, active) and B (AS 64501, passive) on 127.0.0.1, established. */
static void
pair_up(struct side *a, struct side *b, const char *pw_a, const char *pw_b)
{
	struct cfg_neighbor n;
	side_start(a, AF_INET, "127.0.0.1", 0x01010101, 64500);
	side_start(b, AF_INET, "127.0.0.1", 0x02020202, 64501);
	nb_init(&n, AF_INET, "127.0.0.1", a->port, 64500, true);
	n.password = (char *)(uintptr_t)pw_b;
	b->p = bgp_peer_add(b->sp, &n);
	nb_init(&n, AF_INET, "127.0.0.1", b->port, 64501, false);
	n.password = (char *)(uintptr_t)pw_a;
	a->p = bgp_peer_add(a->sp, &n);
	assert_non_null(a->p);
	assert_non_null(b->p);
}

/* ---- raw messages ---- */

static size_t
hdr(uint8_t *b, uint16_t len, uint8_t type)
{
	memset(b, 0xff, 16);
	b[16] = (uint8_t)(len >> 8);
	b[17] = (uint8_t)len;
	b[18] = type;
	return BGP_HDR_LEN;
}

enum { F_AS4 = 1, F_MP4 = 2, F_MP6 = 4, F_GR = 8, F_GR_N = 16, F_RR = 32 };

static size_t
raw_open(uint8_t *b, uint32_t as, uint32_t id, uint16_t hold, unsigned flags, uint16_t gr_time)
{
	uint8_t caps[64];
	size_t c = 0;
	if (flags & F_MP4) {
		const uint8_t mp[] = {1, 4, 0, 1, 0, 1};
		memcpy(caps + c, mp, sizeof mp), c += sizeof mp;
	}
	if (flags & F_MP6) {
		const uint8_t mp[] = {1, 4, 0, 2, 0, 1};
		memcpy(caps + c, mp, sizeof mp), c += sizeof mp;
	}
	if (flags & F_RR) {
		caps[c++] = 2;
		caps[c++] = 0;
	}
	if (flags & F_GR) {
		uint16_t w = (uint16_t)(((flags & F_GR_N) ? 0x4000 : 0) | (gr_time & 0xfff));
		const uint8_t gr[] = {64, 2, (uint8_t)(w >> 8), (uint8_t)w};
		memcpy(caps + c, gr, sizeof gr), c += sizeof gr;
	}
	if (flags & F_AS4) {
		const uint8_t a4[] = {
		    65,		4, (uint8_t)(as >> 24), (uint8_t)(as >> 16), (uint8_t)(as >> 8),
		    (uint8_t)as};
		memcpy(caps + c, a4, sizeof a4), c += sizeof a4;
	}
	size_t len = BGP_HDR_LEN + 10 + (c ? 2 + c : 0);
	hdr(b, (uint16_t)len, BGP_OPEN);
	uint8_t *o = b + BGP_HDR_LEN;
	uint16_t my_as = as > 0xffff ? BGP_AS_TRANS : (uint16_t)as;
	o[0] = 4;
	o[1] = (uint8_t)(my_as >> 8), o[2] = (uint8_t)my_as;
	o[3] = (uint8_t)(hold >> 8), o[4] = (uint8_t)hold;
	o[5] = (uint8_t)(id >> 24), o[6] = (uint8_t)(id >> 16), o[7] = (uint8_t)(id >> 8);
	o[8] = (uint8_t)id;
	o[9] = (uint8_t)(c ? 2 + c : 0);
	if (c) {
		o[10] = 2;
		o[11] = (uint8_t)c;
		memcpy(o + 12, caps, c);
	}
	return len;
}

/* UPDATE: ORIGIN IGP, AS_PATH [as] (4 or 2 octets), NEXT_HOP 192.0.2.1, NLRI 10.a.b.0/24. */
static size_t
raw_update(uint8_t *b, uint32_t as, bool as4, uint8_t x, uint8_t y)
{
	uint8_t attrs[32];
	size_t a = 0;
	const uint8_t origin[] = {0x40, 1, 1, 0};
	memcpy(attrs + a, origin, sizeof origin), a += sizeof origin;
	attrs[a++] = 0x40, attrs[a++] = 2, attrs[a++] = as4 ? 6 : 4;
	attrs[a++] = 2, attrs[a++] = 1;
	if (as4)
		attrs[a++] = (uint8_t)(as >> 24), attrs[a++] = (uint8_t)(as >> 16);
	attrs[a++] = (uint8_t)(as >> 8), attrs[a++] = (uint8_t)as;
	const uint8_t nh[] = {0x40, 3, 4, 192, 0, 2, 1};
	memcpy(attrs + a, nh, sizeof nh), a += sizeof nh;
	size_t len = BGP_HDR_LEN + 2 + 2 + a + 4;
	hdr(b, (uint16_t)len, BGP_UPDATE);
	uint8_t *u = b + BGP_HDR_LEN;
	u[0] = u[1] = 0;
	u[2] = 0, u[3] = (uint8_t)a;
	memcpy(u + 4, attrs, a);
	uint8_t *nl = u + 4 + a;
	nl[0] = 24, nl[1] = 10, nl[2] = x, nl[3] = y;
	return len;
}

static size_t
raw_keepalive(uint8_t *b)
{
	return hdr(b, BGP_HDR_LEN, BGP_KEEPALIVE);
}

static size_t
raw_notify(uint8_t *b, uint8_t code, uint8_t sub, const uint8_t *data, size_t dlen)
{
	size_t len = BGP_HDR_LEN + 2 + dlen;
	hdr(b, (uint16_t)len, BGP_NOTIFICATION);
	b[19] = code;
	b[20] = sub;
	if (dlen)
		memcpy(b + 21, data, dlen);
	return len;
}

/* ---- a fake neighbor: a plain socket driven by the test ---- */

struct fake {
	int fd;
	uint8_t buf[70000];
	size_t len;
	bool eof;
};

static void
fake_connect(struct fake *f, int af, const char *src, const char *dst, uint16_t port)
{
	memset(f, 0, sizeof *f);
	f->fd = socket(af, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_true(f->fd >= 0);
	uint8_t a[16];
	struct sockaddr_storage ss;
	if (src != NULL) {
		addr(af, src, a);
		socklen_t sl = bgp_session_sa_make(&ss, af, af, a, 0);
		assert_int_equal(bind(f->fd, (struct sockaddr *)&ss, sl), 0);
	}
	addr(af, dst, a);
	socklen_t sl = bgp_session_sa_make(&ss, af, af, a, port);
	int rc = connect(f->fd, (struct sockaddr *)&ss, sl);
	assert_true(rc == 0 || errno == EINPROGRESS);
	struct pollfd pf = {.fd = f->fd, .events = POLLOUT};
	assert_int_equal(poll(&pf, 1, 2000), 1);
}

static void
fake_send(struct fake *f, const uint8_t *b, size_t len)
{
	size_t off = 0;
	double until = now() + 5;
	while (off < len && now() < until) {
		ssize_t w = send(f->fd, b + off, len - off, MSG_NOSIGNAL);
		if (w > 0)
			off += (size_t)w;
		else if (errno == EAGAIN || errno == EWOULDBLOCK)
			pump(0.001);
		else
			fail_msg("send: %s", strerror(errno));
	}
	assert_int_equal(off, len);
}

/*
 * Next message from the speaker, pumping the loop meanwhile: its type (body copied into
 * body/blen), 0 on EOF, -1 on timeout. KEEPALIVEs are skipped when skip_ka.
 */
static int
fake_recv(struct fake *f, uint8_t *body, size_t *blen, double secs, bool skip_ka)
{
	double until = now() + secs;
	for (;;) {
		while (f->len >= BGP_HDR_LEN) {
			size_t ml = (size_t)(f->buf[16] << 8 | f->buf[17]);
			if (f->len < ml)
				break;
			uint8_t type = f->buf[18];
			if (body != NULL) {
				memcpy(body, f->buf + BGP_HDR_LEN, ml - BGP_HDR_LEN);
				*blen = ml - BGP_HDR_LEN;
			}
			memmove(f->buf, f->buf + ml, f->len - ml);
			f->len -= ml;
			if (!(skip_ka && type == BGP_KEEPALIVE))
				return type;
		}
		if (f->eof)
			return 0;
		if (now() >= until)
			return -1;
		ssize_t r = recv(f->fd, f->buf + f->len, sizeof f->buf - f->len, MSG_DONTWAIT);
		if (r > 0)
			f->len += (size_t)r;
		else if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
			f->eof = true;
		else
			pump(0.002);
	}
}

/* Expects a NOTIFICATION code/subcode (skipping OPEN and KEEPALIVE), then EOF. */
static void
fake_expect_notify(struct fake *f, uint8_t code, uint8_t sub, double secs)
{
	uint8_t body[4096];
	size_t bl;
	int t;
	do {
		t = fake_recv(f, body, &bl, secs, true);
	} while (t == BGP_OPEN);
	assert_int_equal(t, BGP_NOTIFICATION);
	assert_int_equal(body[0], code);
	assert_int_equal(body[1], sub);
	assert_int_equal(fake_recv(f, NULL, NULL, 2, true), 0);
}

static void
fake_close(struct fake *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

/* Speaker B (AS 64501, passive neighbor 127.0.0.1 AS 64500) and a fake at 127.0.0.1. */
static void
fake_up(struct side *b, struct fake *f, unsigned flags, bool b_gr)
{
	struct cfg_neighbor n;
	side_start(b, AF_INET, "127.0.0.1", 0x02020202, 64501);
	nb_init(&n, AF_INET, "127.0.0.1", 0, 64500, true);
	n.graceful_restart = b_gr;
	b->p = bgp_peer_add(b->sp, &n);
	assert_non_null(b->p);
	uint8_t m[256];
	fake_connect(f, AF_INET, NULL, "127.0.0.1", b->port);
	fake_send(f, m, raw_open(m, 64500, 0x0a0a0a0a, 3, flags, 90));
	fake_send(f, m, raw_keepalive(m));
	assert_int_equal(fake_recv(f, NULL, NULL, 2, false), BGP_OPEN);
	assert_int_equal(fake_recv(f, NULL, NULL, 2, false), BGP_KEEPALIVE);
	WAIT_FOR(bgp_peer_state(b->p) == BGP_ESTABLISHED, 2);
	assert_int_equal(bgp_peer_state(b->p), BGP_ESTABLISHED);
	assert_int_equal(b->established, 1);
}

/* ---- tests ---- */

static int
setup(void **state)
{
	(void)state;
	base = event_base_new();
	return base == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	event_base_free(base);
	base = NULL;
	return 0;
}

static void
test_establish_update_shutdown(void **state)
{
	(void)state;
	struct side a, b;
	pair_up(&a, &b, NULL, NULL);
	WAIT_FOR(a.established && b.established, 5);
	assert_int_equal(bgp_peer_state(a.p), BGP_ESTABLISHED);
	assert_int_equal(bgp_peer_state(b.p), BGP_ESTABLISHED);
	assert_int_equal(conn_count(a.p), 1);
	assert_int_equal(conn_count(b.p), 1);
	const struct bgp_neg *g = bgp_peer_neg(a.p);
	assert_non_null(g);
	assert_true(g->as4);
	assert_int_equal(g->fams, BGP_FAM_BIT(BGP_FAM_V4) | BGP_FAM_BIT(BGP_FAM_V6));
	assert_true(g->ext_msg_rx && g->ext_msg_tx);
	assert_true(g->route_refresh && g->enhanced_rr);
	assert_false(g->ibgp);
	assert_int_equal(g->hold, 3);
	assert_int_equal(g->keepalive, 1);
	assert_true(g->peer_open.caps.gr && g->peer_open.caps.gr_notification);
	assert_int_equal(g->peer_open.caps.gr_time, 120);
	assert_int_equal(g->peer_open.bgp_id, 0x02020202);
	assert_int_equal(bgp_peer_max_msg(a.p), BGP_MAX_EXT_MSG);
	assert_true(a.writable >= 1 && b.writable >= 1);
	assert_int_equal(bgp_peer_parse_ctx(b.p)->peer_as, 64500);
	assert_true(bgp_peer_parse_ctx(b.p)->as4);

	/* An UPDATE from A arrives at B. */
	uint8_t m[128];
	assert_int_equal(bgp_peer_send(a.p, m, raw_update(m, 64500, true, 1, 2)), 0);
	WAIT_FOR(b.updates == 1, 2);
	assert_int_equal(b.updates, 1);
	assert_int_equal(b.last_prefix.len, 24);
	assert_int_equal(b.last_prefix.a[0], 10);
	assert_int_equal(b.last_prefix.a[1], 1);
	assert_int_equal(b.last_prefix.a[2], 2);
	assert_int_equal(bgp_peer_stats(b.p)->updates_in, 1);
	assert_int_equal(bgp_peer_stats(a.p)->updates_out, 1);

	/* ROUTE-REFRESH from B to A. */
	bgp_peer_request_refresh(b.p, BGP_FAM_V6);
	WAIT_FOR(a.refreshes == 1, 2);
	assert_int_equal(a.refreshes, 1);
	assert_int_equal(a.refresh_fam, BGP_FAM_V6);

	/* Keepalives keep it up past the hold time. */
	pump(3.5);
	assert_int_equal(bgp_peer_state(b.p), BGP_ESTABLISHED);
	assert_int_equal(a.down + b.down, 0);

	/* Shutdown with a message: Hard Reset around 6/2 (RFC 8538 negotiated). */
	bgp_peer_shutdown(a.p, "maintenance\nwindow");
	assert_int_equal(a.down, 1);
	assert_false(a.gr_keep);
	WAIT_FOR(b.down == 1, 2);
	assert_int_equal(b.down, 1);
	assert_false(b.gr_keep);
	assert_string_equal(bgp_peer_stats(b.p)->last_shutdown_msg, "maintenance?window");
	assert_non_null(strstr(bgp_peer_stats(b.p)->last_error, "Hard Reset"));
	assert_int_equal(bgp_peer_stats(b.p)->flaps, 1);
	pump(1.5);
	assert_int_equal(bgp_peer_state(a.p), BGP_IDLE);
	assert_int_equal(bgp_peer_state(b.p), BGP_ACTIVE);
	assert_null(bgp_peer_neg(a.p));
	assert_int_equal(bgp_peer_send(a.p, m, raw_keepalive(m)), -1);

	/* Start again. */
	bgp_peer_start(a.p);
	WAIT_FOR(a.established == 2 && b.established == 2, 3);
	assert_int_equal(bgp_peer_state(b.p), BGP_ESTABLISHED);

	/* Reset: 6/4 keeps routes with N negotiated, and it comes back by itself. */
	bgp_peer_reset(a.p, BGP_CEASE_ADMIN_RESET, "new policy");
	WAIT_FOR(b.down == 2, 2);
	assert_true(a.gr_keep);
	assert_true(b.gr_keep);
	assert_int_equal(b.gr_time, 120);
	assert_string_equal(bgp_peer_stats(b.p)->last_shutdown_msg, "new policy");
	WAIT_FOR(a.established == 3 && b.established == 3, 4);
	assert_int_equal(bgp_peer_state(a.p), BGP_ESTABLISHED);

	/* Reset from inside 'update' is deferred until the callback returns. */
	b.reset_in_update = true;
	assert_int_equal(bgp_peer_send(a.p, m, raw_update(m, 64500, true, 3, 4)), 0);
	WAIT_FOR(b.down == 3, 2);
	assert_int_equal(b.down, 3);
	assert_false(b.gr_keep); /* max-prefix goes out as Hard Reset */

	/* Speaker shutdown: Cease to everyone, then free. */
	WAIT_FOR(a.established == 4 && b.established == 4, 4);
	assert_int_equal(bgp_peer_state(b.p), BGP_ESTABLISHED);
	bgp_speaker_shutdown(a.sp, "bye");
	WAIT_FOR(b.down == 4 && bgp_speaker_flushing(a.sp) == 0, 2);
	assert_int_equal(b.down, 4);
	assert_string_equal(bgp_peer_stats(b.p)->last_shutdown_msg, "bye");
	side_free(&a);
	side_free(&b);
}

static void
test_ipv6_ibgp(void **state)
{
	(void)state;
	struct side a, b;
	struct cfg_neighbor n;
	if (!have_ipv6())
		skip();
	side_start(&a, AF_INET6, "::1", 0x01010101, 64500);
	side_start(&b, AF_INET6, "::1", 0x02020202, 64500);
	nb_init(&n, AF_INET6, "::1", a.port, 64500, true);
	n.graceful_restart = false;
	b.p = bgp_peer_add(b.sp, &n);
	nb_init(&n, AF_INET6, "::1", b.port, 64500, false);
	n.hold_time = 0; /* no keepalives at all */
	n.extended_nexthop = true;
	a.p = bgp_peer_add(a.sp, &n);
	WAIT_FOR(a.established && b.established, 5);
	assert_int_equal(bgp_peer_state(a.p), BGP_ESTABLISHED);
	const struct bgp_neg *g = bgp_peer_neg(b.p);
	assert_true(g->ibgp);
	assert_int_equal(g->hold, 0);
	assert_int_equal(g->keepalive, 0);
	assert_true(g->peer_open.caps.gr); /* A advertises it; B does not */
	assert_false(bgp_peer_neg(a.p)->peer_open.caps.gr);
	assert_int_equal(bgp_peer_neg(a.p)->ext_nh, 0); /* B did not advertise it */
	assert_int_equal(bgp_peer_neg(b.p)->peer_open.caps.ext_nh, BGP_FAM_BIT(BGP_FAM_V4));
	side_free(&a);
	side_free(&b);
}

static void
test_hold_timer(void **state)
{
	(void)state;
	struct side b;
	struct fake f;
	/* GR with N: hold timer expiry keeps the routes (RFC 8538). */
	fake_up(&b, &f, F_AS4 | F_MP4 | F_GR | F_GR_N, true);
	double t0 = now();
	fake_expect_notify(&f, BGP_ERR_HOLD, 0, 5);
	double took = now() - t0;
	assert_true(took > 2.0 && took < 4.5);
	assert_int_equal(b.down, 1);
	assert_true(b.gr_keep);
	assert_int_equal(b.gr_time, 90);
	fake_close(&f);
	side_free(&b);
}

static void
test_gr_tcp_loss(void **state)
{
	(void)state;
	struct side b;
	struct fake f;
	/* GR without N, TCP lost without NOTIFICATION: keep. */
	fake_up(&b, &f, F_AS4 | F_MP4 | F_MP6 | F_GR, true);
	fake_close(&f);
	WAIT_FOR(b.down == 1, 2);
	assert_int_equal(b.down, 1);
	assert_true(b.gr_keep);
	assert_int_equal(b.gr_time, 90);
	assert_int_equal(bgp_peer_state(b.p), BGP_ACTIVE);
	side_free(&b);

	/* No GR from the neighbor: flush. */
	fake_up(&b, &f, F_AS4 | F_MP4, true);
	fake_close(&f);
	WAIT_FOR(b.down == 1, 2);
	assert_false(b.gr_keep);
	side_free(&b);

	/* GR but we do not advertise it: flush. */
	fake_up(&b, &f, F_AS4 | F_MP4 | F_GR, false);
	fake_close(&f);
	WAIT_FOR(b.down == 1, 2);
	assert_int_equal(b.down, 1);
	assert_false(b.gr_keep);
	side_free(&b);
}

static void
test_gr_notification(void **state)
{
	(void)state;
	struct side b;
	struct fake f;
	uint8_t m[64];
	/* N negotiated: Cease 6/4 keeps, Hard Reset flushes. */
	fake_up(&b, &f, F_AS4 | F_MP4 | F_GR | F_GR_N, true);
	fake_send(&f, m, raw_notify(m, BGP_ERR_CEASE, BGP_CEASE_ADMIN_RESET, NULL, 0));
	WAIT_FOR(b.down == 1, 2);
	assert_true(b.gr_keep);
	fake_close(&f);
	side_free(&b);

	fake_up(&b, &f, F_AS4 | F_MP4 | F_GR | F_GR_N, true);
	const uint8_t inner[] = {BGP_ERR_CEASE, BGP_CEASE_ADMIN_SHUTDOWN, 3, 'b', 'y', 'e'};
	fake_send(&f, m, raw_notify(m, BGP_ERR_CEASE, BGP_CEASE_HARD_RESET, inner, sizeof inner));
	WAIT_FOR(b.down == 1, 2);
	assert_int_equal(b.down, 1);
	assert_false(b.gr_keep);
	assert_string_equal(bgp_peer_stats(b.p)->last_shutdown_msg, "bye");
	fake_close(&f);
	side_free(&b);

	/* Without N any NOTIFICATION flushes. */
	fake_up(&b, &f, F_AS4 | F_MP4 | F_GR, true);
	fake_send(&f, m, raw_notify(m, BGP_ERR_CEASE, BGP_CEASE_ADMIN_RESET, NULL, 0));
	WAIT_FOR(b.down == 1, 2);
	assert_int_equal(b.down, 1);
	assert_false(b.gr_keep);
	fake_close(&f);
	side_free(&b);
}

static void
test_shutdown_message_plain(void **state)
{
	(void)state;
	struct side b;
	struct fake f;
	uint8_t body[4096];
	size_t bl;
	fake_up(&b, &f, F_AS4 | F_MP4, true);
	bgp_peer_shutdown(b.p, "going down");
	assert_int_equal(fake_recv(&f, body, &bl, 2, true), BGP_NOTIFICATION);
	assert_int_equal(bl, 2 + 1 + 10);
	assert_int_equal(body[0], BGP_ERR_CEASE);
	assert_int_equal(body[1], BGP_CEASE_ADMIN_SHUTDOWN);
	assert_int_equal(body[2], 10);
	assert_memory_equal(body + 3, "going down", 10);
	assert_int_equal(fake_recv(&f, NULL, NULL, 2, true), 0);
	fake_close(&f);
	/* Idle: a new connection is refused with 6/2. */
	fake_connect(&f, AF_INET, NULL, "127.0.0.1", b.port);
	fake_expect_notify(&f, BGP_ERR_CEASE, BGP_CEASE_ADMIN_SHUTDOWN, 2);
	fake_close(&f);
	assert_int_equal(bgp_peer_state(b.p), BGP_IDLE);
	side_free(&b);
}

static void
test_two_octet_no_mp(void **state)
{
	(void)state;
	struct side b;
	struct fake f;
	/* An old speaker: no capabilities at all -> IPv4 only, 2-octet AS. */
	fake_up(&b, &f, 0, true);
	const struct bgp_neg *g = bgp_peer_neg(b.p);
	assert_false(g->as4);
	assert_int_equal(g->fams, BGP_FAM_BIT(BGP_FAM_V4));
	assert_false(g->ext_msg_tx);
	assert_false(g->route_refresh);
	assert_int_equal(bgp_peer_max_msg(b.p), BGP_MAX_MSG);
	assert_false(bgp_peer_parse_ctx(b.p)->as4);
	uint8_t m[128];
	fake_send(&f, m, raw_update(m, 64500, false, 7, 8));
	WAIT_FOR(b.updates == 1, 2);
	assert_int_equal(b.updates, 1);
	assert_int_equal(b.last_prefix.a[1], 7);
	/* Refresh not negotiated: nothing sent. */
	bgp_peer_request_refresh(b.p, BGP_FAM_V4);
	assert_int_equal(bgp_peer_stats(b.p)->msgs_out[BGP_ROUTE_REFRESH], 0);
	fake_close(&f);
	side_free(&b);

	/* IPv6 only: the intersection, not a refusal. */
	fake_up(&b, &f, F_AS4 | F_MP6, true);
	assert_int_equal(bgp_peer_neg(b.p)->fams, BGP_FAM_BIT(BGP_FAM_V6));
	fake_close(&f);
	side_free(&b);
}

static void
test_unconfigured(void **state)
{
	(void)state;
	struct side b;
	struct fake f;
	struct cfg_neighbor n;
	side_start(&b, AF_INET, "127.0.0.1", 0x02020202, 64501);
	nb_init(&n, AF_INET, "127.0.0.1", 0, 64500, true);
	b.p = bgp_peer_add(b.sp, &n);
	/* a stranger gets no NOTIFICATION (nor an OPEN): the connection is closed, nothing else */
	fake_connect(&f, AF_INET, "127.0.0.9", "127.0.0.1", b.port);
	assert_int_equal(fake_recv(&f, NULL, NULL, 2, false), 0);
	assert_int_equal(f.len, 0);
	fake_close(&f);
	assert_int_equal(bgp_peer_state(b.p), BGP_ACTIVE);
	side_free(&b);
}

static void
test_open_errors(void **state)
{
	(void)state;
	struct side b;
	struct fake f;
	struct cfg_neighbor n;
	uint8_t m[128];
	side_start(&b, AF_INET, "127.0.0.1", 0x02020202, 64501);
	nb_init(&n, AF_INET, "127.0.0.1", 0, 64500, true);
	b.p = bgp_peer_add(b.sp, &n);

	/* Wrong AS: 2/2. */
	fake_connect(&f, AF_INET, NULL, "127.0.0.1", b.port);
	fake_send(&f, m, raw_open(m, 64999, 0x0a0a0a0a, 90, F_AS4 | F_MP4, 0));
	fake_expect_notify(&f, BGP_ERR_OPEN, 2, 2);
	fake_close(&f);
	assert_non_null(strstr(bgp_peer_stats(b.p)->last_error, "sent OPEN"));

	/* Hold time 2: 2/6 (from the parser). */
	fake_connect(&f, AF_INET, NULL, "127.0.0.1", b.port);
	fake_send(&f, m, raw_open(m, 64500, 0x0a0a0a0a, 2, F_AS4 | F_MP4, 0));
	fake_expect_notify(&f, BGP_ERR_OPEN, 6, 2);
	fake_close(&f);

	/* UPDATE in OpenSent: 5/1. */
	fake_connect(&f, AF_INET, NULL, "127.0.0.1", b.port);
	fake_send(&f, m, raw_update(m, 64500, true, 1, 1));
	fake_expect_notify(&f, BGP_ERR_FSM, 1, 2);
	fake_close(&f);

	/* Bad marker: 1/1. */
	fake_connect(&f, AF_INET, NULL, "127.0.0.1", b.port);
	size_t l = raw_keepalive(m);
	m[3] = 0;
	fake_send(&f, m, l);
	fake_expect_notify(&f, BGP_ERR_HEADER, 1, 2);
	fake_close(&f);
	assert_int_equal(b.established, 0);
	side_free(&b);

	/* iBGP neighbor using our identifier: 2/3. */
	side_start(&b, AF_INET, "127.0.0.1", 0x02020202, 64501);
	nb_init(&n, AF_INET, "127.0.0.1", 0, 64501, true);
	b.p = bgp_peer_add(b.sp, &n);
	fake_connect(&f, AF_INET, NULL, "127.0.0.1", b.port);
	fake_send(&f, m, raw_open(m, 64501, 0x02020202, 90, F_AS4 | F_MP4, 0));
	fake_expect_notify(&f, BGP_ERR_OPEN, 3, 2);
	fake_close(&f);
	side_free(&b);
}

static void
test_gr_restart_replaces(void **state)
{
	(void)state;
	struct side b;
	struct fake f, g;
	uint8_t m[128];
	/* GR neighbor connects again while Established: the old session gives way. */
	fake_up(&b, &f, F_AS4 | F_MP4 | F_GR, true);
	fake_connect(&g, AF_INET, NULL, "127.0.0.1", b.port);
	fake_send(&g, m, raw_open(m, 64500, 0x0a0a0a0a, 3, F_AS4 | F_MP4 | F_GR, 90));
	fake_send(&g, m, raw_keepalive(m));
	WAIT_FOR(b.down == 1 && b.established == 2, 2);
	assert_int_equal(b.down, 1);
	assert_true(b.gr_keep);
	assert_int_equal(b.established, 2);
	assert_int_equal(fake_recv(&f, NULL, NULL, 2, true),
			 0); /* old one closed, no NOTIFICATION */
	assert_int_equal(conn_count(b.p), 1);
	fake_close(&f);
	fake_close(&g);
	side_free(&b);

	/* Without GR the newcomer is refused and the session stays. */
	fake_up(&b, &f, F_AS4 | F_MP4, true);
	pump(0.5); /* past nothing in particular: same direction needs no guard */
	fake_connect(&g, AF_INET, NULL, "127.0.0.1", b.port);
	fake_send(&g, m, raw_open(m, 64500, 0x0a0a0a0a, 3, F_AS4 | F_MP4, 90));
	fake_expect_notify(&g, BGP_ERR_CEASE, BGP_CEASE_COLLISION, 2);
	assert_int_equal(b.down, 0);
	assert_int_equal(bgp_peer_state(b.p), BGP_ESTABLISHED);
	fake_close(&g);
	fake_close(&f);
	side_free(&b);
}

static void
collision_round(uint32_t id_a, uint32_t id_b)
{
	struct side a, b;
	struct cfg_neighbor n;
	side_start(&a, AF_INET, "127.0.0.1", id_a, 64500);
	side_start(&b, AF_INET, "127.0.0.1", id_b, 64501);
	nb_init(&n, AF_INET, "127.0.0.1", a.port, 64500, false);
	b.p = bgp_peer_add(b.sp, &n);
	nb_init(&n, AF_INET, "127.0.0.1", b.port, 64501, false);
	a.p = bgp_peer_add(a.sp, &n);
	WAIT_FOR(bgp_peer_state(a.p) == BGP_ESTABLISHED && bgp_peer_state(b.p) == BGP_ESTABLISHED,
		 8);
	assert_int_equal(bgp_peer_state(a.p), BGP_ESTABLISHED);
	assert_int_equal(bgp_peer_state(b.p), BGP_ESTABLISHED);
	pump(0.5); /* whatever the loser does, it is over by now */
	assert_int_equal(bgp_peer_state(a.p), BGP_ESTABLISHED);
	assert_int_equal(bgp_peer_state(b.p), BGP_ESTABLISHED);
	assert_int_equal(conn_count(a.p), 1);
	assert_int_equal(conn_count(b.p), 1);
	assert_int_equal(a.established - a.down, 1);
	assert_int_equal(b.established - b.down, 1);
	/* RFC 4271 6.8: the connection opened by the higher identifier (then AS) is kept. */
	bool a_dominates = id_a > id_b || (id_a == id_b && 64500 > 64501);
	assert_int_equal(a.p->sess->outgoing, a_dominates);
	assert_int_equal(b.p->sess->outgoing, !a_dominates);
	uint8_t m[128];
	assert_int_equal(bgp_peer_send(a.p, m, raw_update(m, 64500, true, 5, 5)), 0);
	WAIT_FOR(b.updates == 1, 2);
	assert_int_equal(b.updates, 1);
	side_free(&a);
	side_free(&b);
}

static void
test_collision(void **state)
{
	(void)state;
	for (int i = 0; i < 2; i++) {
		collision_round(0x01010101, 0x02020202);
		collision_round(0x02020202, 0x01010101);
	}
	collision_round(0x01010101, 0x01010101); /* eBGP, same id: the larger AS wins */
}

static bool
md5_works(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct tcp_md5sig m;
	memset(&m, 0, sizeof m);
	((struct sockaddr_in *)&m.tcpm_addr)->sin_family = AF_INET;
	m.tcpm_keylen = 1;
	m.tcpm_key[0] = 'x';
	bool ok = fd >= 0 && setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &m, sizeof m) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

static void
test_md5(void **state)
{
	(void)state;
	if (!md5_works())
		skip();
	struct side a, b;
	pair_up(&a, &b, "s3cret", "s3cret");
	WAIT_FOR(a.established && b.established, 5);
	assert_int_equal(bgp_peer_state(a.p), BGP_ESTABLISHED);
	assert_int_equal(bgp_peer_state(b.p), BGP_ESTABLISHED);
	side_free(&a);
	side_free(&b);

	pair_up(&a, &b, "s3cret", "other");
	pump(3);
	assert_int_equal(a.established + b.established, 0);
	assert_int_not_equal(bgp_peer_state(a.p), BGP_ESTABLISHED);
	side_free(&a);
	side_free(&b);
}

static void
test_tcp_ao(void **state)
{
	(void)state;
	struct side a, b;
	struct cfg_neighbor n;
	side_start(&a, AF_INET, "127.0.0.1", 0x01010101, 64500);
	side_start(&b, AF_INET, "127.0.0.1", 0x02020202, 64501);
	nb_init(&n, AF_INET, "127.0.0.1", a.port, 64500, true);
	n.tcp_ao.key = (char *)(uintptr_t) "ao-key";
	n.tcp_ao.send_id = n.tcp_ao.recv_id = 7;
	b.p = bgp_peer_add(b.sp, &n);
	nb_init(&n, AF_INET, "127.0.0.1", b.port, 64501, false);
	n.tcp_ao.key = (char *)(uintptr_t) "ao-key";
	n.tcp_ao.send_id = n.tcp_ao.recv_id = 7;
	a.p = bgp_peer_add(a.sp, &n);
	assert_non_null(a.p);
	if (a.p->broken) {
		/* Kernel without TCP-AO: both kept down, never an unauthenticated session. */
		pump(1.5);
		assert_int_equal(bgp_peer_state(a.p), BGP_IDLE);
		assert_int_equal(bgp_peer_state(b.p), BGP_IDLE);
		assert_int_equal(a.established + b.established, 0);
		assert_int_equal(bgp_peer_stats(b.p)->msgs_in[BGP_OPEN], 0);
	} else {
		WAIT_FOR(a.established && b.established, 5);
		assert_int_equal(bgp_peer_state(a.p), BGP_ESTABLISHED);
	}
	side_free(&a);
	side_free(&b);
}

static bool
have_ipv6(void)
{
	int fd = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 s6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	bool ok = fd >= 0 && bind(fd, (struct sockaddr *)&s6, sizeof s6) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

static void
test_dual_stack_listener(void **state)
{
	(void)state;
	if (!have_ipv6())
		skip();
	struct side a, b;
	struct cfg_neighbor n;
	/* B listens on "::" (IPv4 too), its neighbor is 127.0.0.2 with an MD5 key (v4-mapped). */
	side_start(&a, AF_INET, "127.0.0.1", 0x01010101, 64500);
	side_start(&b, AF_INET6, "::", 0x02020202, 64501);
	nb_init(&n, AF_INET, "127.0.0.2", 0, 64500, true);
	if (md5_works())
		n.password = (char *)(uintptr_t) "pw";
	b.p = bgp_peer_add(b.sp, &n);
	nb_init(&n, AF_INET, "127.0.0.1", b.port, 64501, false);
	n.has_local = true;
	addr(AF_INET, "127.0.0.2", n.local);
	if (md5_works())
		n.password = (char *)(uintptr_t) "pw";
	a.p = bgp_peer_add(a.sp, &n);
	WAIT_FOR(a.established && b.established, 5);
	assert_int_equal(bgp_peer_state(b.p), BGP_ESTABLISHED);
	assert_int_equal(b.p->sess->af, AF_INET);
	assert_false(b.p->sess->outgoing);
	/* Local address of the session, v4-mapped normalised: 127.0.0.1 at B, 127.0.0.2 at A. */
	int af;
	uint8_t la[16];
	assert_int_equal(bgp_peer_local_addr(b.p, &af, la), 0);
	assert_int_equal(af, AF_INET);
	assert_memory_equal(la, ((uint8_t[]){127, 0, 0, 1}), 4);
	assert_int_equal(bgp_peer_local_addr(a.p, &af, la), 0);
	assert_memory_equal(la, ((uint8_t[]){127, 0, 0, 2}), 4);
	bgp_peer_shutdown(a.p, NULL);
	assert_int_equal(bgp_peer_local_addr(a.p, &af, la), -1);
	side_free(&a);
	side_free(&b);
}

static void
test_gtsm(void **state)
{
	(void)state;
	struct side a, b;
	/* Both sides GTSM: TTL 255 out, 255 required in. */
	pair_up(&a, &b, NULL, NULL);
	bgp_peer_remove(a.p, BGP_CEASE_PEER_DECONFIGURED);
	bgp_peer_remove(b.p, BGP_CEASE_PEER_DECONFIGURED);
	struct cfg_neighbor n;
	nb_init(&n, AF_INET, "127.0.0.1", a.port, 64500, true);
	n.ttl_security = true;
	b.p = bgp_peer_add(b.sp, &n);
	nb_init(&n, AF_INET, "127.0.0.1", b.port, 64501, false);
	n.ttl_security = true;
	a.p = bgp_peer_add(a.sp, &n);
	WAIT_FOR(a.established && b.established, 5);
	assert_int_equal(bgp_peer_state(a.p), BGP_ESTABLISHED);
	assert_int_equal(bgp_peer_state(b.p), BGP_ESTABLISHED);
	/* A stops sending with TTL 255: B drops its segments and never gets there again. */
	bgp_peer_remove(a.p, BGP_CEASE_PEER_DECONFIGURED);
	WAIT_FOR(b.down == 1, 2);
	n.ttl_security = false;
	a.p = bgp_peer_add(a.sp, &n);
	pump(2);
	assert_int_equal(b.established, 1);
	assert_int_not_equal(bgp_peer_state(b.p), BGP_ESTABLISHED);
	side_free(&a);
	side_free(&b);
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(*(unsigned *)arg)++;
}

static void
test_bounded_input(void **state)
{
	(void)state;
	struct side b;
	struct fake f;
	enum { N = 1000 };
	fake_up(&b, &f, F_AS4 | F_MP4, true);
	/*
	 * Each 'update' takes 200 us. One 16 KiB read holds ~350 UPDATEs (70 ms of work): without
	 * slicing they all run between two ticks of a 1 ms timer; with 2 ms slices a few dozen do.
	 * Counting UPDATEs per tick, not time, keeps the test immune to a loaded machine.
	 */
	b.spin_us = 200;
	unsigned ticks = 0;
	b.ticks = &ticks;
	static uint8_t blast[N * 64];
	size_t off = 0;
	for (int i = 0; i < N; i++)
		off += raw_update(blast + off, 64500, true, (uint8_t)(i >> 8), (uint8_t)i);
	struct event *tick = event_new(base, -1, EV_PERSIST, tick_cb, &ticks);
	struct timeval ms = {0, 1000};
	event_add(tick, &ms);
	fake_send(&f, blast, off);
	WAIT_FOR(b.updates == N, 10);
	event_free(tick);
	assert_int_equal(b.updates, N);
	assert_true(b.max_run > 0 && b.max_run < 100);
	assert_int_equal(bgp_peer_state(b.p), BGP_ESTABLISHED);
	fake_close(&f);
	side_free(&b);
}

static void
test_remove_and_api(void **state)
{
	(void)state;
	struct side a, b;
	pair_up(&a, &b, NULL, NULL);
	WAIT_FOR(a.established && b.established, 5);
	assert_ptr_equal(bgp_peer_first(a.sp), a.p);
	assert_null(bgp_peer_next(a.p));
	assert_ptr_equal(bgp_peer_by_id(a.sp, bgp_peer_id(a.p)), a.p);
	uint8_t mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1};
	assert_ptr_equal(bgp_peer_by_addr(b.sp, AF_INET6, mapped), b.p);
	assert_string_equal(bgp_peer_name(b.p), "127.0.0.1 AS64500");
	assert_string_equal(bgp_state_name(BGP_OPENCONFIRM), "OpenConfirm");
	struct cfg_neighbor dup = *bgp_peer_cfg(a.p);
	assert_null(bgp_peer_add(a.sp, &dup)); /* same address twice */
	uint16_t id = bgp_peer_id(a.p);
	bgp_peer_remove(a.p, BGP_CEASE_PEER_DECONFIGURED);
	assert_int_equal(a.down, 1);
	assert_null(bgp_peer_first(a.sp));
	assert_null(bgp_peer_by_id(a.sp, id));
	WAIT_FOR(b.down == 1, 2);
	assert_int_equal(b.down, 1);
	assert_non_null(strstr(bgp_peer_stats(b.p)->last_error, "Peer De-configured"));
	side_free(&a);
	side_free(&b);
}

int
main(void)
{
	log_set_level(getenv("BGP64_TEST_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_WARN);
	signal(SIGPIPE, SIG_IGN); /* as bgp64d does: a write to a reset socket is an error */
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_establish_update_shutdown, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ipv6_ibgp, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hold_timer, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_gr_tcp_loss, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_gr_notification, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_shutdown_message_plain, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_two_octet_no_mp, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unconfigured, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_gr_restart_replaces, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_collision, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_md5, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tcp_ao, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dual_stack_listener, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_gtsm, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bounded_input, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_remove_and_api, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
