/*
 * feeder - bench tool: a BGP speaker that sends a pre-built IPv4 table to the device under test.
 *
 * It reads a table written by gen_table.py and builds every UPDATE into one contiguous buffer
 * before any socket exists: ORIGIN IGP, a 4-octet AS_PATH, NEXT_HOP, MED, LOCAL_PREF (iBGP only),
 * COMMUNITIES and LARGE_COMMUNITIES as the table says, the prefixes of one attribute set packed
 * into UPDATEs of at most 4096 bytes, then the IPv4 End-of-RIB. The withdrawal of the first
 * --withdraw-fraction of the prefixes (file order) is pre-built the same way.
 *
 * The session is opened with --connect or --listen. Once Established, one poll loop writes the
 * buffer with large non-blocking writes, reads and discards whatever the peer sends (a
 * NOTIFICATION or a closed socket ends the run with status 3), and sends KEEPALIVEs at message
 * boundaries. The feeder never answers anything else.
 *
 * stdout carries one line per event, "<EVENT> <CLOCK_MONOTONIC seconds> [values]" (README.md);
 * diagnostics go to stderr. Standalone C11 + POSIX: no dependency on the daemon's sources.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BGP_HDR	      19
#define BGP_MAX_MSG   4096
#define BGP_OPEN      1
#define BGP_UPDATE    2
#define BGP_NOTIFY    3
#define BGP_KEEPALIVE 4
#define AS_TRANS      23456
#define RX_BUF	      (1u << 20)
#define NEVER	      1e300 /* a time that never comes */

/* Exit status: 0 done, 2 usage or table error, 3 session failure. */
enum { EXIT_USAGE = 2, EXIT_SESSION = 3 };

struct opts {
	const char *table, *connect, *listen, *bind, *id, *nexthop, *xlat6, *nexthop6;
	uint32_t as, peer_as, local_pref;
	unsigned hold;
	bool gr;
	double exit_after, withdraw_fraction, withdraw_delay, hold_after, timeout;
	int sndbuf;
};

/* A growable byte buffer; the owner frees p. Allocation failure is fatal. */
struct buf {
	uint8_t *p;
	size_t len, cap;
};

struct v4pfx {
	uint32_t addr;
	uint8_t len;
};

/* Everything built from the table before the session opens. */
struct feed {
	struct buf table;    /* all UPDATEs of the table, then the End-of-RIB */
	struct buf withdraw; /* the withdrawal UPDATEs */
	size_t prefixes, updates, table_bytes, wd_count;
	struct v4pfx *pfx; /* every prefix in file order */
	size_t npfx, pfx_cap;
	size_t sets;
	bool ibgp;
	uint32_t nh_override; /* network order, 0 = none */
	bool xlat;
	uint8_t xlat96[12], nh6[16];
	/* the message being filled */
	size_t msg_off, len_off, mp_len_off;
};

static volatile sig_atomic_t got_signal;

static void
on_signal(int sig)
{
	got_signal = sig;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Prints one event line: "<EVENT> <sec.nsec>" and the optional printf-formatted rest. */
static void event(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
event(const char *name, const char *fmt, ...)
{
	struct timespec ts;
	va_list ap;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	printf("%s %lld.%09ld", name, (long long)ts.tv_sec, ts.tv_nsec);
	if (fmt && *fmt) {
		putchar(' ');
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	putchar('\n');
	fflush(stdout);
}

static void die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

static void
die(int status, const char *fmt, ...)
{
	va_list ap;

	fputs("feeder: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

/* ---- buffer ---- */

static uint8_t *
buf_grow(struct buf *b, size_t n)
{
	uint8_t *p;

	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 65536;

		while (cap < b->len + n)
			cap *= 2;
		b->p = realloc(b->p, cap);
		if (!b->p)
			die(EXIT_USAGE, "out of memory");
		b->cap = cap;
	}
	p = b->p + b->len;
	b->len += n;
	return p;
}

static void
buf_put(struct buf *b, const void *d, size_t n)
{
	memcpy(buf_grow(b, n), d, n);
}

static void
buf_u8(struct buf *b, unsigned v)
{
	*buf_grow(b, 1) = (uint8_t)v;
}

static void
buf_u16(struct buf *b, unsigned v)
{
	uint8_t *p = buf_grow(b, 2);

	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
buf_u32(struct buf *b, uint32_t v)
{
	uint8_t *p = buf_grow(b, 4);

	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void
set_u16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
buf_header(struct buf *b, unsigned type)
{
	memset(buf_grow(b, 16), 0xff, 16);
	buf_u16(b, BGP_HDR);
	buf_u8(b, type);
}

/* Path attribute: flags get the extended-length bit when the value needs it. */
static void
buf_attr(struct buf *b, unsigned flags, unsigned type, const struct buf *val)
{
	if (val->len > 255) {
		buf_u8(b, flags | 0x10);
		buf_u8(b, type);
		buf_u16(b, (unsigned)val->len);
	} else {
		buf_u8(b, flags);
		buf_u8(b, type);
		buf_u8(b, (unsigned)val->len);
	}
	buf_put(b, val->p, val->len);
}

/* ---- table parsing ---- */

/* Parses a dotted quad at *s into host order; advances *s. Returns -1 if malformed. */
static int
parse_v4(const char **s, uint32_t *out)
{
	const char *p = *s;
	uint32_t a = 0;

	for (int i = 0; i < 4; i++) {
		unsigned o = 0, digits = 0;

		while (*p >= '0' && *p <= '9' && digits < 4) {
			o = o * 10 + (unsigned)(*p++ - '0');
			digits++;
		}
		if (!digits || o > 255)
			return -1;
		a = a << 8 | o;
		if (i < 3 && *p++ != '.')
			return -1;
	}
	*s = p;
	*out = a;
	return 0;
}

static int
parse_v4pfx(const char **s, struct v4pfx *out)
{
	unsigned len = 0, digits = 0;

	if (parse_v4(s, &out->addr) < 0 || **s != '/')
		return -1;
	(*s)++;
	while (**s >= '0' && **s <= '9' && digits < 3) {
		len = len * 10 + (unsigned)(*(*s)++ - '0');
		digits++;
	}
	if (!digits || len > 32)
		return -1;
	out->len = (uint8_t)len;
	if (len < 32)
		out->addr &= len ? ~(UINT32_MAX >> len) : 0;
	return 0;
}

/* Splits a line into TAB-separated fields in place. Returns the number of fields. */
static int
split_tabs(char *line, char **f, int max)
{
	int n = 0;

	f[n++] = line;
	for (char *p = line; *p && n < max; p++) {
		if (*p == '\t') {
			*p = 0;
			f[n++] = p + 1;
		}
	}
	return n;
}

/* Appends the AS_PATH value (AS_SEQUENCE segments of at most 255 four-octet ASNs). */
static int
build_aspath(struct buf *v, const char *s, uint32_t prepend)
{
	uint32_t asn[1024];
	size_t n = 0;
	char *end;

	if (prepend)
		asn[n++] = prepend;
	while (*s) {
		unsigned long a;

		while (*s == ' ')
			s++;
		if (!*s || (*s == '-' && s[1] == 0))
			break;
		errno = 0;
		a = strtoul(s, &end, 10);
		if (end == s || errno || a > UINT32_MAX || n == sizeof(asn) / sizeof(asn[0]))
			return -1;
		asn[n++] = (uint32_t)a;
		s = end;
	}
	for (size_t i = 0; i < n; i += 255) {
		size_t k = n - i < 255 ? n - i : 255;

		buf_u8(v, 2); /* AS_SEQUENCE */
		buf_u8(v, (unsigned)k);
		for (size_t j = 0; j < k; j++)
			buf_u32(v, asn[i + j]);
	}
	return 0;
}

/* Appends "a:b" (parts == 2, 16-bit each) or "a:b:c" (parts == 3, 32-bit each) values. */
static int
build_comms(struct buf *v, const char *s, int parts)
{
	char *end;

	while (*s) {
		while (*s == ' ')
			s++;
		if (!*s || (*s == '-' && s[1] == 0))
			break;
		for (int i = 0; i < parts; i++) {
			unsigned long x;

			errno = 0;
			x = strtoul(s, &end, 10);
			if (end == s || errno || x > (parts == 2 ? 65535ul : UINT32_MAX))
				return -1;
			if (parts == 2)
				buf_u16(v, (unsigned)x);
			else
				buf_u32(v, (uint32_t)x);
			s = end;
			if (i < parts - 1 && *s++ != ':')
				return -1;
		}
	}
	return 0;
}

/* Starts an UPDATE carrying 'attrs' (and an MP_REACH_NLRI header in xlat mode). */
static void
upd_begin(struct feed *fd, const struct buf *attrs)
{
	struct buf *b = &fd->table;

	fd->msg_off = b->len;
	buf_header(b, BGP_UPDATE);
	buf_u16(b, 0); /* withdrawn routes length */
	fd->len_off = b->len;
	buf_u16(b, (unsigned)attrs->len);
	buf_put(b, attrs->p, attrs->len);
	if (fd->xlat) {
		buf_u8(b, 0x90); /* optional, extended length */
		buf_u8(b, 14);
		fd->mp_len_off = b->len;
		buf_u16(b, 0);
		buf_u16(b, 2); /* AFI IPv6 */
		buf_u8(b, 1);  /* SAFI unicast */
		buf_u8(b, 16);
		buf_put(b, fd->nh6, 16);
		buf_u8(b, 0); /* reserved */
	}
}

static void
upd_end(struct feed *fd)
{
	struct buf *b = &fd->table;
	size_t mlen = b->len - fd->msg_off;

	set_u16(b->p + fd->msg_off + 16, mlen);
	if (fd->xlat) {
		size_t mp = b->len - fd->mp_len_off - 2;
		size_t alen = b->len - fd->len_off - 2;

		set_u16(b->p + fd->mp_len_off, mp);
		set_u16(b->p + fd->len_off, alen);
	}
	fd->updates++;
}

static size_t
pfx_wire_len(const struct feed *fd, const struct v4pfx *p)
{
	return 1 + (fd->xlat ? 12u : 0u) + (p->len + 7u) / 8;
}

static void
pfx_put(const struct feed *fd, struct buf *b, const struct v4pfx *p)
{
	uint8_t a[4] = {(uint8_t)(p->addr >> 24), (uint8_t)(p->addr >> 16), (uint8_t)(p->addr >> 8),
			(uint8_t)p->addr};

	buf_u8(b, p->len + (fd->xlat ? 96u : 0u));
	if (fd->xlat)
		buf_put(b, fd->xlat96, 12);
	buf_put(b, a, (p->len + 7u) / 8);
}

static void
pfx_remember(struct feed *fd, const struct v4pfx *p)
{
	if (fd->npfx == fd->pfx_cap) {
		fd->pfx_cap = fd->pfx_cap ? fd->pfx_cap * 2 : 65536;
		fd->pfx = realloc(fd->pfx, fd->pfx_cap * sizeof(*fd->pfx));
		if (!fd->pfx)
			die(EXIT_USAGE, "out of memory");
	}
	fd->pfx[fd->npfx++] = *p;
}

/* Builds the attributes of one table line into 'a'. Returns -1 on a malformed field. */
static int
build_attrs(struct feed *fd, const struct opts *o, char **f, int nf, struct buf *a)
{
	struct buf v = {0};
	const char *s = f[0];
	uint32_t nh;
	const char *comms = f[2], *med = nf == 6 ? f[3] : "-", *large = nf == 6 ? f[4] : "-";
	int rc = -1;

	if (parse_v4(&s, &nh) < 0 || *s)
		goto out;
	if (fd->nh_override)
		nh = ntohl(fd->nh_override);
	a->len = 0;
	v.len = 0;
	buf_u8(&v, 0); /* ORIGIN IGP */
	buf_attr(a, 0x40, 1, &v);
	v.len = 0;
	if (build_aspath(&v, f[1], fd->ibgp ? 0 : o->as) < 0)
		goto out;
	buf_attr(a, 0x40, 2, &v);
	if (!fd->xlat) {
		v.len = 0;
		buf_u32(&v, nh);
		buf_attr(a, 0x40, 3, &v);
	}
	if (strcmp(med, "-") != 0) {
		char *end;
		unsigned long m;

		errno = 0;
		m = strtoul(med, &end, 10);
		if (end == med || *end || errno || m > UINT32_MAX)
			goto out;
		v.len = 0;
		buf_u32(&v, (uint32_t)m);
		buf_attr(a, 0x80, 4, &v);
	}
	if (fd->ibgp) {
		v.len = 0;
		buf_u32(&v, o->local_pref);
		buf_attr(a, 0x40, 5, &v);
	}
	v.len = 0;
	if (build_comms(&v, comms, 2) < 0)
		goto out;
	if (v.len)
		buf_attr(a, 0xc0, 8, &v);
	v.len = 0;
	if (build_comms(&v, large, 3) < 0)
		goto out;
	if (v.len)
		buf_attr(a, 0xc0, 32, &v);
	rc = 0;
out:
	free(v.p);
	return rc;
}

/* Packs the prefixes of one line (field 'list') into UPDATEs carrying 'attrs'. */
static int
build_nlri(struct feed *fd, const struct buf *attrs, const char *list)
{
	size_t fixed = BGP_HDR + 4 + attrs->len + (fd->xlat ? 4 + 5 + 16 : 0);
	bool open = false;
	const char *s = list;

	if (fixed + 1 + 12 + 4 > BGP_MAX_MSG)
		return -1;
	for (;;) {
		struct v4pfx p;
		size_t k;

		while (*s == ' ')
			s++;
		if (!*s || *s == '\n')
			break;
		if (parse_v4pfx(&s, &p) < 0 || (*s && *s != ' ' && *s != '\n'))
			return -1;
		k = pfx_wire_len(fd, &p);
		if (open && fd->table.len - fd->msg_off + k > BGP_MAX_MSG) {
			upd_end(fd);
			open = false;
		}
		if (!open) {
			upd_begin(fd, attrs);
			open = true;
		}
		pfx_put(fd, &fd->table, &p);
		pfx_remember(fd, &p);
		fd->prefixes++;
	}
	if (open)
		upd_end(fd);
	return 0;
}

static void
read_table(struct feed *fd, const struct opts *o)
{
	FILE *fp = fopen(o->table, "r");
	struct buf attrs = {0};
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned long lineno = 0;

	if (!fp)
		die(EXIT_USAGE, "%s: %s", o->table, strerror(errno));
	while ((n = getline(&line, &cap, fp)) >= 0) {
		char *f[7];
		int nf;

		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = 0;
		if (n == 0 || line[0] == '#')
			continue;
		nf = split_tabs(line, f, 7);
		if (nf != 4 && nf != 6)
			die(EXIT_USAGE, "%s:%lu: expected 4 or 6 TAB-separated fields", o->table,
			    lineno);
		if (build_attrs(fd, o, f, nf, &attrs) < 0 || build_nlri(fd, &attrs, f[nf - 1]) < 0)
			die(EXIT_USAGE, "%s:%lu: malformed line", o->table, lineno);
		fd->sets++;
	}
	free(line);
	free(attrs.p);
	fclose(fp);
	fd->table_bytes = fd->table.len;
	/* End-of-RIB: an empty UPDATE (IPv4), or an empty MP_UNREACH_NLRI (IPv6). */
	buf_header(&fd->table, BGP_UPDATE);
	if (fd->xlat) {
		static const uint8_t eor6[] = {0, 0, 0, 6, 0x80, 15, 3, 0, 2, 1};

		buf_put(&fd->table, eor6, sizeof(eor6));
	} else {
		buf_u16(&fd->table, 0);
		buf_u16(&fd->table, 0);
	}
	set_u16(fd->table.p + fd->table_bytes + 16, fd->table.len - fd->table_bytes);
}

/* The first floor(F * N) prefixes in file order; sink.c uses the same definition. */
static size_t
withdraw_count(double fraction, size_t n)
{
	double w = fraction * (double)n + 1e-6; /* tolerate 0.29 * 100 = 28.999... */

	if (w < 1)
		return 0;
	return w >= (double)n ? n : (size_t)w; /* truncation is floor for w > 0 */
}

/* Withdrawal UPDATEs: the withdrawn-routes field, or MP_UNREACH_NLRI in xlat mode. */
static void
wd_begin(struct feed *fd, size_t *msg, size_t *field)
{
	struct buf *b = &fd->withdraw;

	*msg = b->len;
	buf_header(b, BGP_UPDATE);
	if (fd->xlat) {
		buf_u16(b, 0); /* withdrawn routes length */
		buf_u16(b, 0); /* attribute length, patched */
		buf_u8(b, 0x90);
		buf_u8(b, 15);
		*field = b->len;
		buf_u16(b, 0); /* attribute value length, patched */
		buf_u16(b, 2);
		buf_u8(b, 1);
	} else {
		*field = b->len;
		buf_u16(b, 0); /* withdrawn routes length, patched */
	}
}

static void
wd_end(struct feed *fd, size_t msg, size_t field)
{
	struct buf *b = &fd->withdraw;

	set_u16(b->p + field, b->len - field - 2);
	if (fd->xlat)
		set_u16(b->p + field - 4, b->len - field + 2);
	else
		buf_u16(b, 0); /* no path attributes */
	set_u16(b->p + msg + 16, b->len - msg);
}

static void
build_withdrawals(struct feed *fd, double fraction)
{
	/* room: header, both length fields, and in xlat mode the MP_UNREACH header */
	size_t fixed = BGP_HDR + 4 + (fd->xlat ? 7 : 0), used = 0, msg = 0, field = 0;
	bool open = false;

	fd->wd_count = withdraw_count(fraction, fd->npfx);
	for (size_t i = 0; i < fd->wd_count; i++) {
		size_t k = pfx_wire_len(fd, &fd->pfx[i]);

		if (open && fixed + used + k > BGP_MAX_MSG) {
			wd_end(fd, msg, field);
			open = false;
		}
		if (!open) {
			wd_begin(fd, &msg, &field);
			open = true;
			used = 0;
		}
		pfx_put(fd, &fd->withdraw, &fd->pfx[i]);
		used += k;
	}
	if (open)
		wd_end(fd, msg, field);
}

/* ---- transport ---- */

/* Parses "ADDR", "ADDR:PORT", "[V6]:PORT" or a bare IPv6 address (port 179). */
static int
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

/* Connects (retrying until the deadline) or accepts one connection. Returns the socket. */
static int
transport_open(const struct opts *o)
{
	struct sockaddr_storage ss, bs;
	socklen_t sl, bl;
	double deadline = now() + o->timeout;
	int fd;

	if (parse_sockaddr(o->connect ? o->connect : o->listen, &ss, &sl, 179) < 0)
		die(EXIT_USAGE, "bad address '%s'", o->connect ? o->connect : o->listen);
	if (o->bind && parse_sockaddr(o->bind, &bs, &bl, 0) < 0)
		die(EXIT_USAGE, "bad address '%s'", o->bind);
	if (o->connect) {
		for (;;) {
			int one = 1;

			fd = socket(ss.ss_family, SOCK_STREAM, 0);
			if (fd < 0)
				die(EXIT_SESSION, "socket: %s", strerror(errno));
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
			if (o->bind && bind(fd, (struct sockaddr *)&bs, bl) < 0)
				die(EXIT_SESSION, "bind %s: %s", o->bind, strerror(errno));
			if (connect(fd, (struct sockaddr *)&ss, sl) == 0)
				return fd;
			if (now() > deadline)
				die(EXIT_SESSION, "connect %s: %s", o->connect, strerror(errno));
			close(fd);
			usleep(200000);
		}
	}
	int ls = socket(ss.ss_family, SOCK_STREAM, 0), one = 1;

	if (ls < 0)
		die(EXIT_SESSION, "socket: %s", strerror(errno));
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(ls, (struct sockaddr *)&ss, sl) < 0 || listen(ls, 1) < 0)
		die(EXIT_SESSION, "listen %s: %s", o->listen, strerror(errno));
	for (;;) {
		struct pollfd p = {.fd = ls, .events = POLLIN};
		int left = (int)((deadline - now()) * 1000);

		if (got_signal)
			die(EXIT_SESSION, "signal while waiting for a connection");
		if (left <= 0)
			die(EXIT_SESSION, "no connection on %s", o->listen);
		if (poll(&p, 1, left > 200 ? 200 : left) > 0) {
			fd = accept(ls, NULL, NULL);
			if (fd >= 0)
				break;
		}
	}
	close(ls);
	return fd;
}

/* ---- session ---- */

/* Builds a control message (KEEPALIVE, NOTIFICATION) of 'type' with an n-byte body into m. */
static size_t
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

struct peer {
	int fd;
	uint8_t *rx;
	size_t roff, rlen;
	uint32_t as;
	unsigned hold;
	bool as4;
	char id[INET_ADDRSTRLEN];
	double last_rx;
	unsigned long rx_updates;
};

/* Writes a small control message completely (polls while the socket is full). */
static int
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

static void
build_open(struct buf *b, const struct opts *o, uint32_t id)
{
	size_t start = b->len, optl;

	buf_header(b, BGP_OPEN);
	buf_u8(b, 4);
	buf_u16(b, o->as > 65535 ? AS_TRANS : o->as);
	buf_u16(b, o->hold);
	buf_u32(b, id);
	optl = b->len;
	buf_u8(b, 0);
	buf_u8(b, 2); /* capabilities */
	buf_u8(b, 0);
	for (unsigned afi = 1; afi <= 2; afi++) {
		buf_u8(b, 1); /* multiprotocol: AFI, reserved, SAFI unicast */
		buf_u8(b, 4);
		buf_u16(b, afi);
		buf_u8(b, 0);
		buf_u8(b, 1);
	}
	buf_u8(b, 2); /* route refresh */
	buf_u8(b, 0);
	buf_u8(b, 65); /* 4-octet AS */
	buf_u8(b, 4);
	buf_u32(b, o->as);
	if (o->gr) {
		buf_u8(b, 64); /* graceful restart, helper only: no AFI entries */
		buf_u8(b, 2);
		buf_u16(b, 120);
	}
	b->p[optl] = (uint8_t)(b->len - optl - 1);
	b->p[optl + 2] = (uint8_t)(b->len - optl - 3);
	set_u16(b->p + start + 16, b->len - start);
}

/* Reads what the socket has. Returns bytes read, 0 if nothing now, -1 on close or error. */
static int
peer_fill(struct peer *p)
{
	ssize_t n;

	if (p->roff) {
		memmove(p->rx, p->rx + p->roff, p->rlen - p->roff);
		p->rlen -= p->roff;
		p->roff = 0;
	}
	n = recv(p->fd, p->rx + p->rlen, RX_BUF - p->rlen, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0)
		return -1;
	p->rlen += (size_t)n;
	return (int)n;
}

/* Takes the next complete message. Returns 1 and sets type/body/len, 0 if none, -1 if bad. */
static int
peer_next(struct peer *p, unsigned *type, const uint8_t **body, size_t *len)
{
	const uint8_t *m = p->rx + p->roff;
	size_t have = p->rlen - p->roff, mlen;

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
	p->roff += mlen;
	return 1;
}

static void
print_notification(const uint8_t *b, size_t len)
{
	event("NOTIFICATION", "%u %u", len > 0 ? b[0] : 0, len > 1 ? b[1] : 0);
}

/* Parses the peer's OPEN (RFC 4271 4.2, capabilities RFC 5492, RFC 9072 extended params). */
static int
parse_open(struct peer *p, const uint8_t *b, size_t len)
{
	size_t i, end, plen_sz = 1;

	if (len < 10 || b[0] != 4)
		return -1;
	p->as = (uint32_t)b[1] << 8 | b[2];
	p->hold = (unsigned)b[3] << 8 | b[4];
	inet_ntop(AF_INET, b + 5, p->id, sizeof(p->id));
	i = 10;
	end = 10 + b[9];
	if (b[9] == 255 && len >= 13 && b[10] == 255) {
		end = 13 + ((size_t)b[11] << 8 | b[12]);
		i = 13;
		plen_sz = 2;
	}
	if (end > len)
		return -1;
	while (i + 1 + plen_sz <= end) {
		unsigned ptype = b[i];
		size_t pl = plen_sz == 1 ? b[i + 1] : ((size_t)b[i + 1] << 8 | b[i + 2]);
		size_t c = i + 1 + plen_sz, ce = c + pl;

		if (ce > end)
			return -1;
		while (ptype == 2 && c + 2 <= ce) {
			unsigned code = b[c], cl = b[c + 1];

			if (c + 2 + cl > ce)
				return -1;
			if (code == 65 && cl == 4) {
				p->as4 = true;
				p->as = (uint32_t)b[c + 2] << 24 | (uint32_t)b[c + 3] << 16 |
					(uint32_t)b[c + 4] << 8 | b[c + 5];
			}
			c += 2 + cl;
		}
		i = ce;
	}
	return 0;
}

/* Sends OPEN, waits for the peer's OPEN and KEEPALIVE. Leaves later messages in the buffer. */
static void
session_open(struct peer *p, const struct opts *o, uint32_t id)
{
	struct buf open = {0};
	double deadline = now() + o->timeout;
	bool got_open = false;

	build_open(&open, o, id);
	if (send_small(p->fd, open.p, open.len) < 0)
		die(EXIT_SESSION, "send OPEN: %s", strerror(errno));
	free(open.p);
	for (;;) {
		unsigned type;
		const uint8_t *body;
		size_t len;
		size_t save = p->roff;
		int r = peer_next(p, &type, &body, &len);

		if (r < 0)
			die(EXIT_SESSION, "bad message header from peer");
		if (r == 0) {
			struct pollfd pf = {.fd = p->fd, .events = POLLIN};
			int left = (int)((deadline - now()) * 1000);

			if (left <= 0 || got_signal)
				die(EXIT_SESSION, "no session: handshake timed out");
			if (poll(&pf, 1, left) > 0 && peer_fill(p) < 0)
				die(EXIT_SESSION,
				    "peer closed the connection during the handshake");
			continue;
		}
		if (type == BGP_OPEN && !got_open) {
			if (parse_open(p, body, len) < 0)
				die(EXIT_SESSION, "malformed OPEN from peer");
			got_open = true;
			uint8_t ka[BGP_HDR + 8];

			if (send_small(p->fd, ka, ctl_msg(ka, BGP_KEEPALIVE, NULL, 0)) < 0)
				die(EXIT_SESSION, "send KEEPALIVE: %s", strerror(errno));
		} else if (type == BGP_NOTIFY) {
			print_notification(body, len);
			die(EXIT_SESSION, "NOTIFICATION during the handshake");
		} else if (got_open && type == BGP_KEEPALIVE) {
			break;
		} else if (got_open && type == BGP_UPDATE) {
			p->roff = save; /* leave it for the main loop */
			break;
		} else {
			die(EXIT_SESSION, "unexpected message type %u during the handshake", type);
		}
	}
	p->last_rx = now();
	if (p->hold > o->hold)
		p->hold = o->hold;
}

/* Consumes what the peer sent. Returns -1 if the session is over. */
static int
peer_read(struct peer *p)
{
	for (int rounds = 0; rounds < 16; rounds++) {
		int n = peer_fill(p);

		if (n < 0) {
			event("SESSION_DOWN", "peer-closed");
			return -1;
		}
		if (n > 0)
			p->last_rx = now();
		for (;;) {
			unsigned type;
			const uint8_t *body;
			size_t len;
			int r = peer_next(p, &type, &body, &len);

			if (r < 0) {
				event("SESSION_DOWN", "bad-header");
				return -1;
			}
			if (r == 0)
				break;
			if (type == BGP_NOTIFY) {
				print_notification(body, len);
				return -1;
			}
			if (type == BGP_UPDATE)
				p->rx_updates++;
		}
		if (n == 0)
			break;
	}
	return 0;
}

/* ---- the send loop ---- */

/* One region of pre-built messages being written. */
struct region {
	const uint8_t *p;
	size_t len, off;
	size_t bound; /* a message boundary >= off once advanced */
};

enum phase { PH_TABLE, PH_WAIT_WITHDRAW, PH_WITHDRAW, PH_IDLE };

struct sender {
	struct region r;
	uint8_t ctl[64];
	size_t ctl_len, ctl_off;
	bool ka_due;
};

/* Writes as much as the socket takes, a due KEEPALIVE first at the next message boundary.
 * Returns 0, or -1 on a socket error. */
static int
sender_write(struct sender *s, int fd)
{
	for (;;) {
		size_t limit = s->r.len;
		ssize_t w;

		if (s->ctl_off < s->ctl_len) {
			w = send(fd, s->ctl + s->ctl_off, s->ctl_len - s->ctl_off, MSG_NOSIGNAL);
			if (w < 0)
				return errno == EAGAIN || errno == EINTR ? 0 : -1;
			s->ctl_off += (size_t)w;
			continue;
		}
		if (s->ka_due) {
			while (s->r.bound < s->r.off)
				s->r.bound +=
				    (size_t)s->r.p[s->r.bound + 16] << 8 | s->r.p[s->r.bound + 17];
			if (s->r.bound == s->r.off) {
				s->ctl_len = ctl_msg(s->ctl, BGP_KEEPALIVE, NULL, 0);
				s->ctl_off = 0;
				s->ka_due = false;
				continue;
			}
			limit = s->r.bound;
		}
		if (s->r.off == limit)
			return 0;
		w = send(fd, s->r.p + s->r.off, limit - s->r.off, MSG_NOSIGNAL);
		if (w < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		s->r.off += (size_t)w;
	}
}

static void
region_set(struct sender *s, const uint8_t *p, size_t len)
{
	s->r.p = p;
	s->r.len = len;
	s->r.off = 0;
	s->r.bound = 0;
}

/* Ends the run: a Cease NOTIFICATION when no message is half written, then exit. */
static void finish(struct peer *p, struct sender *s, int status) __attribute__((noreturn));

static void
finish(struct peer *p, struct sender *s, int status)
{
	static const uint8_t cease[2] = {6, 2}; /* Cease, administrative shutdown */
	uint8_t m[BGP_HDR + 8];
	bool boundary = s->ctl_off == s->ctl_len;

	if (boundary && s->r.off < s->r.len) {
		while (s->r.bound < s->r.off)
			s->r.bound +=
			    (size_t)s->r.p[s->r.bound + 16] << 8 | s->r.p[s->r.bound + 17];
		boundary = s->r.bound == s->r.off;
	}
	if (status != EXIT_SESSION && boundary)
		send_small(p->fd, m, ctl_msg(m, BGP_NOTIFY, cease, sizeof(cease)));
	close(p->fd);
	event("EXIT", "%d", status);
	exit(status);
}

static bool
sender_busy(const struct sender *s)
{
	return s->ka_due || s->ctl_off < s->ctl_len || s->r.off < s->r.len;
}

/* The poll loop: table, End-of-RIB, optional withdrawal, then keepalives until the end. */
static void
run(struct peer *p, struct feed *fd, const struct opts *o)
{
	struct sender s = {0};
	enum phase ph = PH_TABLE;
	double ka_ival = p->hold ? p->hold / 3.0 : 0, t = now();
	double ka_next = ka_ival ? t + ka_ival : NEVER, t_wd = NEVER, t_exit = NEVER;

	region_set(&s, fd->table.p, fd->table.len);
	event("FIRST_UPDATE", NULL);
	for (;;) {
		struct pollfd pf = {.fd = p->fd, .events = POLLIN};
		double next;
		int ms;

		if (sender_busy(&s) && sender_write(&s, p->fd) < 0) {
			event("SESSION_DOWN", "send-error");
			finish(p, &s, EXIT_SESSION);
		}
		if (ph == PH_TABLE && s.r.off == s.r.len) {
			event("SENT_ALL", "%zu %zu %zu", fd->prefixes, fd->updates,
			      fd->table_bytes);
			region_set(&s, NULL, 0);
			ph = fd->wd_count ? PH_WAIT_WITHDRAW : PH_IDLE;
			if (fd->wd_count)
				t_wd = now() + o->withdraw_delay;
			else if (o->exit_after > 0)
				t_exit = now() + o->exit_after;
		} else if (ph == PH_WITHDRAW && s.r.off == s.r.len) {
			double after = o->hold_after >= 0 ? o->hold_after : o->exit_after;

			event("WITHDRAWN", "%zu", fd->wd_count);
			region_set(&s, NULL, 0);
			ph = PH_IDLE;
			if (after > 0)
				t_exit = now() + after;
		}
		t = now();
		if (got_signal || t >= t_exit)
			finish(p, &s, 0);
		if (t >= ka_next) {
			s.ka_due = true; /* goes out at the next message boundary */
			ka_next = t + ka_ival;
		}
		if (ph == PH_WAIT_WITHDRAW && t >= t_wd) {
			ph = PH_WITHDRAW;
			region_set(&s, fd->withdraw.p, fd->withdraw.len);
			event("WITHDRAW_START", "%zu", fd->wd_count);
		}
		if (p->hold && t - p->last_rx > p->hold) {
			event("SESSION_DOWN", "hold-timer-expired");
			finish(p, &s, EXIT_SESSION);
		}
		if (sender_busy(&s))
			pf.events |= POLLOUT;
		next = ka_next < t_exit ? ka_next : t_exit;
		if (ph == PH_WAIT_WITHDRAW && t_wd < next)
			next = t_wd;
		ms = next - t > 1 ? 1000 : (int)((next - t) * 1000) + 1;
		if (poll(&pf, 1, ms) > 0 && (pf.revents & (POLLIN | POLLHUP | POLLERR)) &&
		    peer_read(p) < 0)
			finish(p, &s, EXIT_SESSION);
	}
}

/* ---- main ---- */

static void
usage(void)
{
	fputs(
	    "usage: feeder --table FILE (--connect ADDR:PORT [--bind ADDR] | --listen ADDR:PORT)\n"
	    "              [--as N] [--peer-as N] [--id A.B.C.D] [--hold S] [--local-pref N]\n"
	    "              [--nexthop ADDR] [--graceful-restart] [--exit-after S]\n"
	    "              [--withdraw-fraction F [--withdraw-delay S] [--hold-after S]]\n"
	    "              [--xlat6 PREFIX/96 --nexthop6 ADDR] [--timeout S] [--sndbuf BYTES]\n",
	    stderr);
	exit(EXIT_USAGE);
}

static double
num_arg(const char *name, const char *s, double min, double max)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || !(v >= min && v <= max))
		die(EXIT_USAGE, "--%s: bad value '%s'", name, s);
	return v;
}

static void
parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {{"table", 1, NULL, 't'},
					   {"connect", 1, NULL, 'c'},
					   {"listen", 1, NULL, 'l'},
					   {"bind", 1, NULL, 'b'},
					   {"as", 1, NULL, 'a'},
					   {"peer-as", 1, NULL, 'P'},
					   {"id", 1, NULL, 'i'},
					   {"hold", 1, NULL, 'H'},
					   {"local-pref", 1, NULL, 'L'},
					   {"nexthop", 1, NULL, 'n'},
					   {"graceful-restart", 0, NULL, 'g'},
					   {"exit-after", 1, NULL, 'e'},
					   {"withdraw-fraction", 1, NULL, 'w'},
					   {"withdraw-delay", 1, NULL, 'd'},
					   {"hold-after", 1, NULL, 'A'},
					   {"xlat6", 1, NULL, 'x'},
					   {"nexthop6", 1, NULL, 'N'},
					   {"timeout", 1, NULL, 'T'},
					   {"sndbuf", 1, NULL, 's'},
					   {"help", 0, NULL, 'h'},
					   {NULL, 0, NULL, 0}};
	int c;
	bool peer_as = false;

	*o = (struct opts){.as = 64500,
			   .hold = 180,
			   .local_pref = 100,
			   .withdraw_delay = 1,
			   .hold_after = -1,
			   .timeout = 60};
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 't':
			o->table = optarg;
			break;
		case 'c':
			o->connect = optarg;
			break;
		case 'l':
			o->listen = optarg;
			break;
		case 'b':
			o->bind = optarg;
			break;
		case 'a':
			o->as = (uint32_t)num_arg("as", optarg, 1, UINT32_MAX);
			break;
		case 'P':
			o->peer_as = (uint32_t)num_arg("peer-as", optarg, 1, UINT32_MAX);
			peer_as = true;
			break;
		case 'i':
			o->id = optarg;
			break;
		case 'H':
			o->hold = (unsigned)num_arg("hold", optarg, 0, 65535);
			break;
		case 'L':
			o->local_pref = (uint32_t)num_arg("local-pref", optarg, 0, UINT32_MAX);
			break;
		case 'n':
			o->nexthop = optarg;
			break;
		case 'g':
			o->gr = true;
			break;
		case 'e':
			o->exit_after = num_arg("exit-after", optarg, 0, 1e9);
			break;
		case 'w':
			o->withdraw_fraction = num_arg("withdraw-fraction", optarg, 0, 1);
			break;
		case 'd':
			o->withdraw_delay = num_arg("withdraw-delay", optarg, 0, 1e9);
			break;
		case 'A':
			o->hold_after = num_arg("hold-after", optarg, 0, 1e9);
			break;
		case 'x':
			o->xlat6 = optarg;
			break;
		case 'N':
			o->nexthop6 = optarg;
			break;
		case 'T':
			o->timeout = num_arg("timeout", optarg, 0.1, 1e9);
			break;
		case 's':
			o->sndbuf = (int)num_arg("sndbuf", optarg, 0, 1 << 30);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || !o->table || !o->connect == !o->listen)
		usage();
	if (o->hold == 1 || o->hold == 2)
		die(EXIT_USAGE, "--hold must be 0 or at least 3");
	if (!peer_as)
		o->peer_as = o->as;
}

static void
setup_feed(struct feed *fd, const struct opts *o)
{
	fd->ibgp = o->as == o->peer_as;
	if (o->nexthop && inet_pton(AF_INET, o->nexthop, &fd->nh_override) != 1)
		die(EXIT_USAGE, "--nexthop: bad address '%s'", o->nexthop);
	if (o->xlat6) {
		char a[INET6_ADDRSTRLEN];
		const char *slash = strchr(o->xlat6, '/');
		uint8_t pfx[16];

		if (!slash || strcmp(slash, "/96") != 0 || (size_t)(slash - o->xlat6) >= sizeof(a))
			die(EXIT_USAGE, "--xlat6: need an IPv6 /96 prefix");
		memcpy(a, o->xlat6, (size_t)(slash - o->xlat6));
		a[slash - o->xlat6] = 0;
		if (inet_pton(AF_INET6, a, pfx) != 1)
			die(EXIT_USAGE, "--xlat6: bad address '%s'", a);
		if (!o->nexthop6 || inet_pton(AF_INET6, o->nexthop6, fd->nh6) != 1)
			die(EXIT_USAGE, "--xlat6 needs --nexthop6 ADDR");
		memcpy(fd->xlat96, pfx, 12);
		fd->xlat = true;
	}
}

/* The BGP identifier: --id, else the IPv4 bind/listen address, else 127.0.0.1. */
static uint32_t
router_id(const struct opts *o)
{
	struct in_addr a;
	const char *cand[] = {o->id, o->bind, o->listen};
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
	return 0x7f000001;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct feed fd = {0};
	struct peer p = {0};
	struct sigaction sa = {.sa_handler = on_signal};
	double t0;
	int one = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	parse_args(argc, argv, &o);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	t0 = now();
	setup_feed(&fd, &o);
	read_table(&fd, &o);
	build_withdrawals(&fd, o.withdraw_fraction);
	event("BUILT", "%zu %zu %zu %zu %.3f", fd.prefixes, fd.updates, fd.table_bytes, fd.sets,
	      now() - t0);

	p.fd = transport_open(&o);
	p.rx = malloc(RX_BUF);
	if (!p.rx)
		die(EXIT_USAGE, "out of memory");
	setsockopt(p.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (o.sndbuf)
		setsockopt(p.fd, SOL_SOCKET, SO_SNDBUF, &o.sndbuf, sizeof(o.sndbuf));
	fcntl(p.fd, F_SETFL, fcntl(p.fd, F_GETFL) | O_NONBLOCK);
	event("CONNECTED", NULL);
	session_open(&p, &o, router_id(&o));
	if (!p.as4)
		die(EXIT_SESSION, "peer lacks the 4-octet AS capability (UPDATEs are pre-built)");
	event("ESTABLISHED", NULL);
	event("PEER", "%u %s %u", p.as, p.id, p.hold);
	if (p.as != o.peer_as)
		fprintf(stderr, "feeder: warning: peer AS %u, expected %u\n", p.as, o.peer_as);
	run(&p, &fd, &o);
	return 0;
}
