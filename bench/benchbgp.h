/*
 * benchbgp.h - the code the bench tools feeder.c and sink.c share: event lines and errors, the
 * common options, table lines and addresses, the TCP transport, BGP message framing, the OPEN
 * exchange and the session's reader.
 *
 * Each tool stays one .c file (bench/CMakeLists.txt builds every .c file of bench/ into an
 * executable of its own) and includes this header. Every function here is static inline, so a
 * tool compiles what it calls and no unused-function warning comes from the rest. Define
 * BENCH_PROG (the tool's name, the prefix of die()'s messages) before the #include.
 *
 * Standalone C11 + POSIX, like the tools: no dependency on the daemon's sources.
 */
#ifndef BENCHBGP_H
#define BENCHBGP_H

#ifndef BENCH_PROG
#error "define BENCH_PROG (the tool's name) before including benchbgp.h"
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define BGP_HDR	      19
#define BGP_OPEN_MAX  64 /* the longest OPEN build_open() writes */
#define BGP_OPEN      1
#define BGP_UPDATE    2
#define BGP_NOTIFY    3
#define BGP_KEEPALIVE 4
#define AS_TRANS      23456
#define RX_BUF	      (1u << 20)
#define NEVER	      1e300 /* a time that never comes */

/* Exit statuses both tools use: 2 usage or table error, 3 the session failed. */
enum { EXIT_USAGE = 2, EXIT_SESSION = 3 };

/* ---- signals, time, event lines, errors ---- */

static volatile sig_atomic_t got_signal __attribute__((unused));

static inline void
on_signal(int sig)
{
	got_signal = sig;
}

/* SIGTERM and SIGINT set got_signal; SIGPIPE is ignored (sends use MSG_NOSIGNAL anyway). */
static inline void
signals_init(void)
{
	struct sigaction sa = {.sa_handler = on_signal};

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static inline double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* When not empty, event() writes it after the time: the session of a multi-session tool. */
static char event_tag[24] __attribute__((unused));

/* Prints one event line: "<EVENT> <sec.nsec>", event_tag if set, and the optional
 * printf-formatted rest. */
static inline void event(const char *name, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static inline void
event(const char *name, const char *fmt, ...)
{
	struct timespec ts;
	va_list ap;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	printf("%s %lld.%09ld", name, (long long)ts.tv_sec, ts.tv_nsec);
	if (event_tag[0])
		printf(" %s", event_tag);
	if (fmt && *fmt) {
		putchar(' ');
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	putchar('\n');
	fflush(stdout);
}

/* Prints "<BENCH_PROG>: <message>" to stderr and exits with 'status'. */
static inline void die(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

static inline void
die(int status, const char *fmt, ...)
{
	va_list ap;

	fputs(BENCH_PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

/* realloc() that cannot fail: running out of memory ends the tool with EXIT_USAGE. */
static inline void *
xrealloc(void *p, size_t size)
{
	p = realloc(p, size);
	if (!p)
		die(EXIT_USAGE, "out of memory");
	return p;
}

/* ---- options both tools take ---- */

/* The session's end: --connect/--listen/--bind, --id, --as, --hold, --timeout. */
struct bench_conn {
	const char *connect, *listen, *bind, *id;
	uint32_t as;
	unsigned hold;
	double timeout;
};

/* The defaults: AS 64500, hold time 180 s, 60 s to connect and to open the session. */
static inline struct bench_conn
conn_defaults(void)
{
	return (struct bench_conn){.as = 64500, .hold = 180, .timeout = 60};
}

/* A number option in [min, max]; anything else ends the tool with EXIT_USAGE. */
static inline double
num_arg(const char *name, const char *s, double min, double max)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || !(v >= min && v <= max))
		die(EXIT_USAGE, "--%s: bad value '%s'", name, s);
	return v;
}

/* Takes getopt_long's 'opt' if it is one of the session options (the letters c, l, b, i, a, H
 * and T in both tools' tables). Returns false for any other option. */
static inline bool
conn_opt(struct bench_conn *c, int opt, const char *arg)
{
	switch (opt) {
	case 'c':
		c->connect = arg;
		break;
	case 'l':
		c->listen = arg;
		break;
	case 'b':
		c->bind = arg;
		break;
	case 'i':
		c->id = arg;
		break;
	case 'a':
		c->as = (uint32_t)num_arg("as", arg, 1, UINT32_MAX);
		break;
	case 'H':
		c->hold = (unsigned)num_arg("hold", arg, 0, 65535);
		break;
	case 'T':
		c->timeout = num_arg("timeout", arg, 0.1, 1e9);
		break;
	default:
		return false;
	}
	return true;
}

/* The BGP identifier: --id, else the IPv4 bind/listen address, else 'dflt' (host order). */
static inline uint32_t
router_id(const struct bench_conn *c, uint32_t dflt)
{
	struct in_addr a;
	const char *cand[] = {c->id, c->bind, c->listen};
	char host[INET_ADDRSTRLEN];

	for (size_t i = 0; i < 3; i++) {
		size_t n;

		if (!cand[i])
			continue;
		n = strcspn(cand[i], ":");
		if (n < sizeof(host)) {
			memcpy(host, cand[i], n);
			host[n] = 0;
			if (inet_pton(AF_INET, host, &a) == 1 && a.s_addr != 0)
				return ntohl(a.s_addr);
		}
		if (i == 0)
			die(EXIT_USAGE, "--id: need an IPv4 address");
	}
	return dflt;
}

/* --xlat6 PREFIX/96: the 12 bytes of the RFC 6052 prefix. Ends the tool if malformed. */
static inline void
parse_xlat96(const char *arg, uint8_t out[12])
{
	char a[INET6_ADDRSTRLEN];
	const char *slash = strchr(arg, '/');
	uint8_t pfx[16];

	if (!slash || strcmp(slash, "/96") != 0 || (size_t)(slash - arg) >= sizeof(a))
		die(EXIT_USAGE, "--xlat6: need an IPv6 /96 prefix");
	memcpy(a, arg, (size_t)(slash - arg));
	a[slash - arg] = 0;
	if (inet_pton(AF_INET6, a, pfx) != 1)
		die(EXIT_USAGE, "--xlat6: bad address '%s'", a);
	memcpy(out, pfx, 12);
}

/* ---- the table (gen_table.py format) ---- */

static inline FILE *
table_open(const char *path)
{
	FILE *fp = fopen(path, "r");

	if (!fp)
		die(EXIT_USAGE, "%s: %s", path, strerror(errno));
	return fp;
}

/* The next line that is neither empty nor a '#' comment, without its newline; NULL at the end
 * of the file. *line and *cap are getline()'s buffer, *lineno counts every line read. */
static inline char *
table_line(FILE *fp, char **line, size_t *cap, unsigned long *lineno)
{
	ssize_t n;

	while ((n = getline(line, cap, fp)) >= 0) {
		char *l = *line;

		++*lineno;
		if (n > 0 && l[n - 1] == '\n')
			l[--n] = 0;
		if (n > 0 && l[0] != '#')
			return l;
	}
	return NULL;
}

/* Parses a dotted quad at *s into out (network order); advances *s. Returns -1 if malformed. */
static inline int
parse_ipv4(const char **s, uint8_t out[4])
{
	const char *p = *s;

	for (int i = 0; i < 4; i++) {
		unsigned o = 0, digits = 0;

		while (*p >= '0' && *p <= '9' && digits < 4) {
			o = o * 10 + (unsigned)(*p++ - '0');
			digits++;
		}
		if (!digits || o > 255)
			return -1;
		out[i] = (uint8_t)o;
		if (i < 3 && *p++ != '.')
			return -1;
	}
	*s = p;
	return 0;
}

/* The next "a.b.c.d/len" of a space-separated prefix list at *s; the address is not masked.
 * Returns 1 and advances *s, 0 at the end of the list, -1 if malformed. */
static inline int
next_prefix(const char **s, uint8_t addr[4], unsigned *len)
{
	const char *p = *s;
	unsigned l = 0, digits = 0;

	while (*p == ' ')
		p++;
	if (!*p || *p == '\n')
		return 0;
	if (parse_ipv4(&p, addr) < 0 || *p++ != '/')
		return -1;
	while (*p >= '0' && *p <= '9' && digits < 3) {
		l = l * 10 + (unsigned)(*p++ - '0');
		digits++;
	}
	if (!digits || l > 32 || (*p && *p != ' ' && *p != '\n'))
		return -1;
	*len = l;
	*s = p;
	return 1;
}

/* The first floor(F * N) prefixes in file order: what the feeder withdraws and the sink
 * expects gone. */
static inline size_t
withdraw_count(double fraction, size_t n)
{
	double w = fraction * (double)n + 1e-6; /* tolerate 0.29 * 100 = 28.999... */

	if (w < 1)
		return 0;
	return w >= (double)n ? n : (size_t)w; /* truncation is floor for w > 0 */
}

/* ---- transport ---- */

/* Parses "ADDR", "ADDR:PORT", "[V6]:PORT" or a bare IPv6 address (port dport). */
static inline int
parse_sockaddr(const char *s, struct sockaddr_storage *ss, socklen_t *sl, unsigned dport)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *port = NULL;
	size_t hl;
	unsigned long pn = dport;

	if (s[0] == '[') {
		const char *e = strchr(s, ']');

		if (!e)
			return -1;
		hl = (size_t)(e - s - 1);
		s++;
		if (e[1] == ':')
			port = e + 2;
		else if (e[1])
			return -1;
	} else {
		const char *c = strchr(s, ':');

		if (c && !strchr(c + 1, ':')) {
			hl = (size_t)(c - s);
			port = c + 1;
		} else {
			hl = strlen(s);
		}
	}
	if (hl >= sizeof(host))
		return -1;
	memcpy(host, s, hl);
	host[hl] = 0;
	if (port) {
		char *end;

		pn = strtoul(port, &end, 10);
		if (end == port || *end || pn > 65535)
			return -1;
	}
	memset(ss, 0, sizeof(*ss));
	if (strchr(host, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)pn);
		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			return -1;
		*sl = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)pn);
		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			return -1;
		*sl = sizeof(*a);
	}
	return 0;
}

/* A TCP socket with SO_REUSEADDR and, if rcvbuf is not 0, SO_RCVBUF. */
static inline int
tcp_socket(int family, int rcvbuf)
{
	int fd = socket(family, SOCK_STREAM, 0), one = 1;

	if (fd < 0)
		die(EXIT_SESSION, "socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (rcvbuf)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	return fd;
}

/* Connects to c->connect (retrying until c->timeout; a signal ends the retries only with
 * signal_stops_connect) or accepts one connection on c->listen. Returns the socket. */
static inline int
transport_open(const struct bench_conn *c, int rcvbuf, bool signal_stops_connect)
{
	struct sockaddr_storage ss, bs;
	socklen_t sl = 0, bl = 0;
	double deadline = now() + c->timeout;
	int fd, ls;

	if (parse_sockaddr(c->connect ? c->connect : c->listen, &ss, &sl, 179) < 0)
		die(EXIT_USAGE, "bad address '%s'", c->connect ? c->connect : c->listen);
	if (c->bind && parse_sockaddr(c->bind, &bs, &bl, 0) < 0)
		die(EXIT_USAGE, "bad address '%s'", c->bind);
	if (c->connect) {
		for (;;) {
			fd = tcp_socket(ss.ss_family, rcvbuf);
			if (c->bind && bind(fd, (struct sockaddr *)&bs, bl) < 0)
				die(EXIT_SESSION, "bind %s: %s", c->bind, strerror(errno));
			if (connect(fd, (struct sockaddr *)&ss, sl) == 0)
				return fd;
			if (now() > deadline || (signal_stops_connect && got_signal))
				die(EXIT_SESSION, "connect %s: %s", c->connect, strerror(errno));
			close(fd);
			usleep(200000);
		}
	}
	ls = tcp_socket(ss.ss_family, rcvbuf);
	if (bind(ls, (struct sockaddr *)&ss, sl) < 0 || listen(ls, 1) < 0)
		die(EXIT_SESSION, "listen %s: %s", c->listen, strerror(errno));
	for (;;) {
		struct pollfd p = {.fd = ls, .events = POLLIN};
		int left = (int)((deadline - now()) * 1000);

		if (got_signal)
			die(EXIT_SESSION, "signal while waiting for a connection");
		if (left <= 0)
			die(EXIT_SESSION, "no connection on %s", c->listen);
		if (poll(&p, 1, left > 200 ? 200 : left) > 0) {
			fd = accept(ls, NULL, NULL);
			if (fd >= 0)
				break;
		}
	}
	close(ls);
	return fd;
}

/* ---- messages ---- */

static inline void
set_u16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
set_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Builds a control message (KEEPALIVE, NOTIFICATION) of 'type' with an n-byte body into m. */
static inline size_t
ctl_msg(uint8_t m[BGP_HDR + 8], unsigned type, const uint8_t *body, size_t n)
{
	memset(m, 0xff, 16);
	m[16] = 0;
	m[17] = (uint8_t)(BGP_HDR + n);
	m[18] = (uint8_t)type;
	if (n)
		memcpy(m + BGP_HDR, body, n);
	return BGP_HDR + n;
}

/* Writes a small control message completely (polls while the socket is full). */
static inline int
send_small(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
			struct pollfd pf = {.fd = fd, .events = POLLOUT};

			poll(&pf, 1, 1000);
			continue;
		}
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static inline int
send_keepalive(int fd)
{
	uint8_t m[BGP_HDR + 8];

	return send_small(fd, m, ctl_msg(m, BGP_KEEPALIVE, NULL, 0));
}

/* The NOTIFICATION that ends a run: Cease, administrative shutdown. */
static inline void
send_cease(int fd)
{
	static const uint8_t cease[2] = {6, 2};
	uint8_t m[BGP_HDR + 8];

	send_small(fd, m, ctl_msg(m, BGP_NOTIFY, cease, sizeof(cease)));
}

/* Builds an OPEN into m and returns its length. Capabilities: multiprotocol IPv4 and IPv6
 * unicast, route refresh, 4-octet AS, and with gr graceful restart (helper only: no AFI). */
static inline size_t
build_open(uint8_t m[BGP_OPEN_MAX], uint32_t as, unsigned hold, uint32_t id, bool gr)
{
	static const uint8_t caps[] = {
	    1,	4, 0, 1, 0, 1, /* multiprotocol IPv4 unicast */
	    1,	4, 0, 2, 0, 1, /* multiprotocol IPv6 unicast */
	    2,	0,	       /* route refresh */
	    65, 4,	       /* 4-octet AS, the AS follows */
	};
	static const uint8_t gr_cap[] = {64, 2, 0, 120}; /* restart time 120 s */
	size_t capl = sizeof(caps) + 4 + (gr ? sizeof(gr_cap) : 0);
	size_t n = BGP_HDR + 10 + 2 + capl;

	memset(m, 0xff, 16);
	set_u16(m + 16, n);
	m[18] = BGP_OPEN;
	m[19] = 4;
	set_u16(m + 20, as > 65535 ? AS_TRANS : as);
	set_u16(m + 22, hold);
	set_u32(m + 24, id);
	m[28] = (uint8_t)(2 + capl); /* optional parameters: one, capabilities */
	m[29] = 2;
	m[30] = (uint8_t)capl;
	memcpy(m + 31, caps, sizeof(caps));
	set_u32(m + 31 + sizeof(caps), as);
	if (gr)
		memcpy(m + 31 + sizeof(caps) + 4, gr_cap, sizeof(gr_cap));
	return n;
}

/* ---- the session ---- */

struct bgp_sess {
	int fd;
	uint8_t *rx; /* RX_BUF bytes; messages at [roff, rlen) */
	size_t roff, rlen;
	uint32_t peer_as; /* from the peer's OPEN */
	unsigned hold;	  /* negotiated */
	bool as4;	  /* the peer has the 4-octet AS capability */
	char peer_id[INET_ADDRSTRLEN];
	double last_rx;
	double max_gap;	   /* the longest silence between two reads after the handshake */
	double rate;	   /* bytes read per second at most (0: as fast as they come) */
	double budget, bt; /* token bucket of 'rate': bytes allowed now, as of time bt */
};

/* With a read rate: milliseconds until a useful read is allowed (0 when it is now). */
static inline int
sess_rate_wait_ms(struct bgp_sess *s)
{
	if (s->rate <= 0)
		return 0;
	double t = now(), want = s->rate / 20 < 1024 ? s->rate / 20 : 1024;
	s->budget += (t - s->bt) * s->rate;
	s->bt = t;
	if (s->budget > s->rate / 10 + want)
		s->budget = s->rate / 10 + want; /* bursts of 100 ms at most */
	if (s->budget >= want)
		return 0;
	return (int)((want - s->budget) / s->rate * 1000) + 1;
}

/* Opens the transport (transport_open()), makes the socket non-blocking and prints
 * CONNECTED. */
static inline void
sess_connect(struct bgp_sess *s, const struct bench_conn *c, int rcvbuf, bool signal_stops_connect)
{
	s->fd = transport_open(c, rcvbuf, signal_stops_connect);
	s->rx = xrealloc(NULL, RX_BUF);
	fcntl(s->fd, F_SETFL, fcntl(s->fd, F_GETFL) | O_NONBLOCK);
	event("CONNECTED", NULL);
}

/* Reads what the socket has. Returns bytes read, 0 if nothing now, -1 on close or error. */
static inline int
sess_fill(struct bgp_sess *s)
{
	ssize_t n;

	if (s->roff) {
		memmove(s->rx, s->rx + s->roff, s->rlen - s->roff);
		s->rlen -= s->roff;
		s->roff = 0;
	}
	size_t room = RX_BUF - s->rlen;
	if (s->rate > 0) {
		if (sess_rate_wait_ms(s) > 0)
			return 0;
		if (room > (size_t)s->budget)
			room = (size_t)s->budget;
	}
	n = recv(s->fd, s->rx + s->rlen, room, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0)
		return -1;
	if (s->rate > 0)
		s->budget -= (double)n;
	s->rlen += (size_t)n;
	return (int)n;
}

/* Takes the next complete message. Returns 1 and sets type/body/len, 0 if none, -1 if bad. */
static inline int
sess_next(struct bgp_sess *s, unsigned *type, const uint8_t **body, size_t *len)
{
	const uint8_t *m = s->rx + s->roff;
	size_t have = s->rlen - s->roff, mlen;

	if (have < BGP_HDR)
		return 0;
	mlen = (size_t)m[16] << 8 | m[17];
	if (mlen < BGP_HDR)
		return -1;
	if (have < mlen)
		return 0;
	*type = m[18];
	*body = m + BGP_HDR;
	*len = mlen - BGP_HDR;
	s->roff += mlen;
	return 1;
}

static inline void
event_notification(const uint8_t *b, size_t len)
{
	event("NOTIFICATION", "%u %u", len > 0 ? b[0] : 0, len > 1 ? b[1] : 0);
}

/* Parses the peer's OPEN (RFC 4271 4.2, capabilities RFC 5492, RFC 9072 extended params). */
static inline int
parse_open(struct bgp_sess *s, const uint8_t *b, size_t len)
{
	size_t i, end, psz = 1;

	if (len < 10 || b[0] != 4)
		return -1;
	s->peer_as = (uint32_t)b[1] << 8 | b[2];
	s->hold = (unsigned)b[3] << 8 | b[4];
	inet_ntop(AF_INET, b + 5, s->peer_id, sizeof(s->peer_id));
	i = 10;
	end = 10 + b[9];
	if (b[9] == 255 && len >= 13 && b[10] == 255) {
		end = 13 + ((size_t)b[11] << 8 | b[12]);
		i = 13;
		psz = 2;
	}
	if (end > len)
		return -1;
	while (i + 1 + psz <= end) {
		unsigned ptype = b[i];
		size_t pl = psz == 1 ? b[i + 1] : ((size_t)b[i + 1] << 8 | b[i + 2]);
		size_t c = i + 1 + psz, ce = c + pl;

		if (ce > end)
			return -1;
		while (ptype == 2 && c + 2 <= ce) {
			unsigned code = b[c], cl = b[c + 1];

			if (c + 2 + cl > ce)
				return -1;
			if (code == 65 && cl == 4) {
				s->as4 = true;
				s->peer_as = (uint32_t)b[c + 2] << 24 | (uint32_t)b[c + 3] << 16 |
					     (uint32_t)b[c + 4] << 8 | b[c + 5];
			}
			c += 2 + cl;
		}
		i = ce;
	}
	return 0;
}

/* Sends OPEN (as, hold from c; id; gr), waits up to c->timeout for the peer's OPEN and
 * KEEPALIVE; later messages stay in the buffer. Failures end the tool with EXIT_SESSION. */
static inline void
session_open(struct bgp_sess *s, const struct bench_conn *c, uint32_t id, bool gr)
{
	uint8_t open[BGP_OPEN_MAX];
	double deadline = now() + c->timeout;
	bool got_open = false;

	if (send_small(s->fd, open, build_open(open, c->as, c->hold, id, gr)) < 0)
		die(EXIT_SESSION, "send OPEN: %s", strerror(errno));
	for (;;) {
		unsigned type;
		const uint8_t *body;
		size_t len, save = s->roff;
		int r = sess_next(s, &type, &body, &len);

		if (r < 0)
			die(EXIT_SESSION, "bad message header from peer");
		if (r == 0) {
			struct pollfd pf = {.fd = s->fd, .events = POLLIN};
			int left = (int)((deadline - now()) * 1000);

			if (left <= 0 || got_signal)
				die(EXIT_SESSION, "no session: handshake timed out");
			if (poll(&pf, 1, left) > 0 && sess_fill(s) < 0)
				die(EXIT_SESSION,
				    "peer closed the connection during the handshake");
			continue;
		}
		if (type == BGP_OPEN && !got_open) {
			if (parse_open(s, body, len) < 0)
				die(EXIT_SESSION, "malformed OPEN from peer");
			got_open = true;
			if (send_keepalive(s->fd) < 0)
				die(EXIT_SESSION, "send KEEPALIVE: %s", strerror(errno));
		} else if (type == BGP_NOTIFY) {
			event_notification(body, len);
			die(EXIT_SESSION, "NOTIFICATION during the handshake");
		} else if (got_open && type == BGP_KEEPALIVE) {
			break;
		} else if (got_open && type == BGP_UPDATE) {
			s->roff = save; /* leave it for the main loop */
			break;
		} else {
			die(EXIT_SESSION, "unexpected message type %u during the handshake", type);
		}
	}
	s->last_rx = now();
	if (s->hold > c->hold)
		s->hold = c->hold;
}

/* Prints ESTABLISHED and PEER <as> <id> <hold>. */
static inline void
sess_established(const struct bgp_sess *s)
{
	event("ESTABLISHED", NULL);
	event("PEER", "%u %s %u", s->peer_as, s->peer_id, s->hold);
}

/* Reads what the peer sent, at most 'rounds' socket reads, and hands each UPDATE body to
 * on_update (if not NULL); other messages but NOTIFICATION are ignored. Returns -1 (after a
 * SESSION_DOWN or NOTIFICATION line) when the session is over. */
static inline int
sess_read(struct bgp_sess *s, int rounds, void (*on_update)(void *, const uint8_t *, size_t),
	  void *ctx)
{
	for (int round = 0; round < rounds; round++) {
		int n = sess_fill(s);

		if (n < 0) {
			event("SESSION_DOWN", "peer-closed");
			return -1;
		}
		if (n > 0) {
			double t = now();
			if (t - s->last_rx > s->max_gap)
				s->max_gap = t - s->last_rx;
			s->last_rx = t;
		}
		for (;;) {
			unsigned type;
			const uint8_t *body;
			size_t len;
			int r = sess_next(s, &type, &body, &len);

			if (r < 0) {
				event("SESSION_DOWN", "bad-header");
				return -1;
			}
			if (r == 0)
				break;
			if (type == BGP_UPDATE && on_update) {
				on_update(ctx, body, len);
			} else if (type == BGP_NOTIFY) {
				event_notification(body, len);
				return -1;
			}
		}
		if (n == 0)
			break;
	}
	return 0;
}

/* True (after a SESSION_DOWN line) if the hold timer ran out at time t. */
static inline bool
sess_hold_expired(const struct bgp_sess *s, double t)
{
	if (!s->hold || t - s->last_rx <= s->hold)
		return false;
	event("SESSION_DOWN", "hold-timer-expired");
	return true;
}

#endif
