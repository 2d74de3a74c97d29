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

#define BENCH_PROG "feeder"
#include "benchbgp.h"

#include <getopt.h>
#include <netinet/tcp.h>

#define BGP_MAX_MSG 4096

/* Exit status: 0 done, EXIT_USAGE usage or table error, EXIT_SESSION session failure. */

struct opts {
	struct bench_conn conn;
	const char *table, *nexthop, *xlat6, *nexthop6, *nexthop6_ll;
	uint32_t peer_as, local_pref;
	bool gr;
	double exit_after, withdraw_fraction, withdraw_delay, hold_after;
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
	uint8_t xlat96[12], nh6[32]; /* global, then the link-local if nh6_len is 32 */
	size_t nh6_len;
	/* the message being filled */
	size_t msg_off, len_off, mp_len_off;
};

/* ---- buffer ---- */

static uint8_t *
buf_grow(struct buf *b, size_t n)
{
	uint8_t *p;

	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 65536;

		while (cap < b->len + n)
			cap *= 2;
		b->p = xrealloc(b->p, cap);
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
	set_u16(buf_grow(b, 2), v);
}

static void
buf_u32(struct buf *b, uint32_t v)
{
	set_u32(buf_grow(b, 4), v);
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

/* The next prefix of a table line's list (next_prefix()), the address in host order and
 * masked to the length. Returns 1, 0 at the end of the list, -1 if malformed. */
static int
next_v4pfx(const char **s, struct v4pfx *out)
{
	uint8_t a[4];
	unsigned len;
	int r = next_prefix(s, a, &len);

	if (r <= 0)
		return r;
	out->addr = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
	out->len = (uint8_t)len;
	if (len < 32)
		out->addr &= len ? ~(UINT32_MAX >> len) : 0;
	return 1;
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
		buf_u8(b, (unsigned)fd->nh6_len);
		buf_put(b, fd->nh6, fd->nh6_len);
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
		fd->pfx = xrealloc(fd->pfx, fd->pfx_cap * sizeof(*fd->pfx));
	}
	fd->pfx[fd->npfx++] = *p;
}

/* Builds the attributes of one table line into 'a'. Returns -1 on a malformed field. */
static int
build_attrs(struct feed *fd, const struct opts *o, char **f, int nf, struct buf *a)
{
	struct buf v = {0};
	const char *s = f[0];
	uint8_t nh[4];
	const char *comms = f[2], *med = nf == 6 ? f[3] : "-", *large = nf == 6 ? f[4] : "-";
	int rc = -1;

	if (parse_ipv4(&s, nh) < 0 || *s)
		goto out;
	if (fd->nh_override)
		memcpy(nh, &fd->nh_override, 4);
	a->len = 0;
	v.len = 0;
	buf_u8(&v, 0); /* ORIGIN IGP */
	buf_attr(a, 0x40, 1, &v);
	v.len = 0;
	if (build_aspath(&v, f[1], fd->ibgp ? 0 : o->conn.as) < 0)
		goto out;
	buf_attr(a, 0x40, 2, &v);
	if (!fd->xlat) {
		v.len = 0;
		buf_put(&v, nh, 4);
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
	size_t fixed = BGP_HDR + 4 + attrs->len + (fd->xlat ? 4 + 5 + fd->nh6_len : 0);
	bool open = false;
	const char *s = list;

	if (fixed + 1 + 12 + 4 > BGP_MAX_MSG)
		return -1;
	for (;;) {
		struct v4pfx p;
		size_t k;
		int r = next_v4pfx(&s, &p);

		if (r == 0)
			break;
		if (r < 0)
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
	FILE *fp = table_open(o->table);
	struct buf attrs = {0};
	char *line = NULL, *l;
	size_t cap = 0;
	unsigned long lineno = 0;

	while ((l = table_line(fp, &line, &cap, &lineno))) {
		char *f[7];
		int nf = split_tabs(l, f, 7);

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
static void finish(struct bgp_sess *p, struct sender *s, int status) __attribute__((noreturn));

static void
finish(struct bgp_sess *p, struct sender *s, int status)
{
	bool boundary = s->ctl_off == s->ctl_len;

	if (boundary && s->r.off < s->r.len) {
		while (s->r.bound < s->r.off)
			s->r.bound +=
			    (size_t)s->r.p[s->r.bound + 16] << 8 | s->r.p[s->r.bound + 17];
		boundary = s->r.bound == s->r.off;
	}
	if (status != EXIT_SESSION && boundary)
		send_cease(p->fd);
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
run(struct bgp_sess *p, struct feed *fd, const struct opts *o)
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
		if (sess_hold_expired(p, t))
			finish(p, &s, EXIT_SESSION);
		if (sender_busy(&s))
			pf.events |= POLLOUT;
		next = ka_next < t_exit ? ka_next : t_exit;
		if (ph == PH_WAIT_WITHDRAW && t_wd < next)
			next = t_wd;
		ms = next - t > 1 ? 1000 : (int)((next - t) * 1000) + 1;
		if (poll(&pf, 1, ms) > 0 && (pf.revents & (POLLIN | POLLHUP | POLLERR)) &&
		    sess_read(p, 16, NULL, NULL) < 0)
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
	    "              [--xlat6 PREFIX/96 --nexthop6 ADDR [--nexthop6-ll ADDR]]\n"
	    "              [--timeout S] [--sndbuf BYTES]\n",
	    stderr);
	exit(EXIT_USAGE);
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
					   {"nexthop6-ll", 1, NULL, 'K'},
					   {"timeout", 1, NULL, 'T'},
					   {"sndbuf", 1, NULL, 's'},
					   {"help", 0, NULL, 'h'},
					   {NULL, 0, NULL, 0}};
	int c;
	bool peer_as = false;

	*o = (struct opts){
	    .conn = conn_defaults(), .local_pref = 100, .withdraw_delay = 1, .hold_after = -1};
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 't':
			o->table = optarg;
			break;
		case 'P':
			o->peer_as = (uint32_t)num_arg("peer-as", optarg, 1, UINT32_MAX);
			peer_as = true;
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
		case 'K':
			o->nexthop6_ll = optarg;
			break;
		case 's':
			o->sndbuf = (int)num_arg("sndbuf", optarg, 0, 1 << 30);
			break;
		default:
			if (!conn_opt(&o->conn, c, optarg))
				usage();
		}
	}
	if (optind != argc || !o->table || !o->conn.connect == !o->conn.listen)
		usage();
	if (o->conn.hold == 1 || o->conn.hold == 2)
		die(EXIT_USAGE, "--hold must be 0 or at least 3");
	if (!peer_as)
		o->peer_as = o->conn.as;
}

static void
setup_feed(struct feed *fd, const struct opts *o)
{
	fd->ibgp = o->conn.as == o->peer_as;
	if (o->nexthop && inet_pton(AF_INET, o->nexthop, &fd->nh_override) != 1)
		die(EXIT_USAGE, "--nexthop: bad address '%s'", o->nexthop);
	if (o->xlat6) {
		parse_xlat96(o->xlat6, fd->xlat96);
		if (!o->nexthop6 || inet_pton(AF_INET6, o->nexthop6, fd->nh6) != 1)
			die(EXIT_USAGE, "--xlat6 needs --nexthop6 ADDR");
		fd->nh6_len = 16;
		if (o->nexthop6_ll) { /* RFC 2545: global + link-local, 32 bytes */
			if (inet_pton(AF_INET6, o->nexthop6_ll, fd->nh6 + 16) != 1)
				die(EXIT_USAGE, "--nexthop6-ll: bad address '%s'", o->nexthop6_ll);
			fd->nh6_len = 32;
		}
		fd->xlat = true;
	} else if (o->nexthop6_ll) {
		die(EXIT_USAGE, "--nexthop6-ll needs --xlat6");
	}
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct feed fd = {0};
	struct bgp_sess p = {0};
	double t0;
	int one = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	parse_args(argc, argv, &o);
	signals_init();

	t0 = now();
	setup_feed(&fd, &o);
	read_table(&fd, &o);
	build_withdrawals(&fd, o.withdraw_fraction);
	event("BUILT", "%zu %zu %zu %zu %.3f", fd.prefixes, fd.updates, fd.table_bytes, fd.sets,
	      now() - t0);

	sess_connect(&p, &o.conn, 0, false);
	setsockopt(p.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (o.sndbuf)
		setsockopt(p.fd, SOL_SOCKET, SO_SNDBUF, &o.sndbuf, sizeof(o.sndbuf));
	session_open(&p, &o.conn, router_id(&o.conn, 0x7f000001), o.gr);
	if (!p.as4)
		die(EXIT_SESSION, "peer lacks the 4-octet AS capability (UPDATEs are pre-built)");
	sess_established(&p);
	if (p.peer_as != o.peer_as)
		fprintf(stderr, "feeder: warning: peer AS %u, expected %u\n", p.peer_as, o.peer_as);
	run(&p, &fd, &o);
	return 0;
}
