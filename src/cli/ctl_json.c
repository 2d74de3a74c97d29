/*
 * Streaming JSON writer: compact JSON text appended to an evbuffer as it is produced, with
 * only the nesting state kept between calls (the bgpctl approach: no document tree, so a
 * million routes cost one route's worth of memory besides the socket buffer). Tokens are
 * staged in a fixed buffer inside the writer and handed to the evbuffer in blocks; numbers
 * and IPv4 addresses are formatted by hand. Both matter: show rib writes some 20 tokens per
 * route.
 *
 * Strings are escaped per RFC 8259 and checked as UTF-8; an invalid byte becomes U+FFFD, so
 * the output is valid JSON whatever a peer put in a hostname or a shutdown message.
 */
#include "cli/ctl.h"

#include <event2/buffer.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* Length of the valid UTF-8 sequence at p (n bytes available), 0 when invalid. */
static size_t
utf8_seq(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];
	size_t need;
	unsigned char lo = 0x80, hi = 0xbf; /* allowed range of the second byte */

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		need = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 3;
		if (c == 0xe0)
			lo = 0xa0; /* overlong */
		else if (c == 0xed)
			hi = 0x9f; /* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 4;
		if (c == 0xf0)
			lo = 0x90; /* overlong */
		else if (c == 0xf4)
			hi = 0x8f; /* past U+10FFFF */
	} else {
		return 0;
	}
	if (n < need || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < need; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return need;
}

void
ctl_jw_init(struct ctl_jw *w, struct evbuffer *out)
{
	w->out = out;
	w->depth = 0;
	w->err = false;
	w->staged = 0;
	memset(w->first, 0, sizeof w->first);
	memset(w->kind, 0, sizeof w->kind);
	w->first[0] = true; /* no top-level value yet */
}

void
ctl_jw_flush(struct ctl_jw *w)
{
	if (w->staged > 0 && !w->err && evbuffer_add(w->out, w->stage, w->staged) != 0)
		w->err = true;
	w->staged = 0;
}

/* Room for n more bytes in the stage (n <= CTL_JW_STAGE); false once in error. */
static bool
jw_room(struct ctl_jw *w, size_t n)
{
	if (w->staged + n > sizeof w->stage)
		ctl_jw_flush(w);
	return !w->err;
}

static void
jw_add(struct ctl_jw *w, const char *s, size_t n)
{
	if (w->err)
		return;
	if (n > sizeof w->stage / 2) {
		ctl_jw_flush(w);
		if (!w->err && evbuffer_add(w->out, s, n) != 0)
			w->err = true;
		return;
	}
	if (jw_room(w, n)) {
		memcpy(w->stage + w->staged, s, n);
		w->staged += n;
	}
}

static void
jw_quote(struct ctl_jw *w, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	if (!jw_room(w, 1))
		return;
	w->stage[w->staged++] = '"';
	while (i < len) {
		/* The longest piece: "\u00XX" (6) or U+FFFD (3) or a 4-byte sequence. */
		if (!jw_room(w, 6))
			return;
		char *o = w->stage + w->staged;
		unsigned char c = p[i];
		size_t k = 1;
		if (c == '"' || c == '\\') {
			o[0] = '\\';
			o[1] = (char)c;
			w->staged += 2;
		} else if (c < 0x20) {
			const char *esc = c == '\n'   ? "\\n"
					  : c == '\r' ? "\\r"
					  : c == '\t' ? "\\t"
					  : c == '\b' ? "\\b"
					  : c == '\f' ? "\\f"
						      : NULL;
			if (esc != NULL) {
				memcpy(o, esc, 2);
				w->staged += 2;
			} else {
				memcpy(o, "\\u00", 4);
				o[4] = hex[c >> 4];
				o[5] = hex[c & 15];
				w->staged += 6;
			}
		} else if ((k = utf8_seq(p + i, len - i)) == 0) {
			memcpy(o, "\xef\xbf\xbd", 3); /* U+FFFD */
			w->staged += 3;
			k = 1;
		} else {
			memcpy(o, p + i, k);
			w->staged += k;
		}
		i += k;
	}
	if (jw_room(w, 1))
		w->stage[w->staged++] = '"';
}

int
ctl_json_quote(struct evbuffer *out, const char *s, size_t len)
{
	struct ctl_jw w;

	ctl_jw_init(&w, out);
	jw_quote(&w, s, len);
	ctl_jw_flush(&w);
	return w.err ? -1 : 0;
}

/*
 * Separator and key before a value. A key is required inside an object and refused elsewhere;
 * at the top only one value is allowed.
 */
static void
jw_member(struct ctl_jw *w, const char *key)
{
	if (w->err)
		return;
	if (w->depth == 0) {
		if (key != NULL || !w->first[0])
			w->err = true;
		w->first[0] = false;
		return;
	}
	bool in_obj = w->kind[w->depth] == '{';
	if (in_obj != (key != NULL)) {
		w->err = true;
		return;
	}
	if (!w->first[w->depth])
		jw_add(w, ",", 1);
	w->first[w->depth] = false;
	if (key != NULL) {
		jw_quote(w, key, strlen(key));
		jw_add(w, ":", 1);
	}
}

static void
jw_open(struct ctl_jw *w, const char *key, char kind)
{
	jw_member(w, key);
	if (w->err)
		return;
	if (w->depth + 1 >= CTL_JW_DEPTH) {
		w->err = true;
		return;
	}
	w->depth++;
	w->kind[w->depth] = kind;
	w->first[w->depth] = true;
	jw_add(w, &kind, 1);
}

static void
jw_close(struct ctl_jw *w, char kind)
{
	if (w->err)
		return;
	if (w->depth == 0 || w->kind[w->depth] != kind) {
		w->err = true;
		return;
	}
	w->depth--;
	char c = kind == '{' ? '}' : ']';
	jw_add(w, &c, 1);
}

void
ctl_jw_obj_open(struct ctl_jw *w, const char *key)
{
	jw_open(w, key, '{');
}

void
ctl_jw_obj_close(struct ctl_jw *w)
{
	jw_close(w, '{');
}

void
ctl_jw_arr_open(struct ctl_jw *w, const char *key)
{
	jw_open(w, key, '[');
}

void
ctl_jw_arr_close(struct ctl_jw *w)
{
	jw_close(w, '[');
}

void
ctl_jw_strn(struct ctl_jw *w, const char *key, const char *s, size_t len)
{
	jw_member(w, key);
	if (!w->err)
		jw_quote(w, s, len);
}

void
ctl_jw_str(struct ctl_jw *w, const char *key, const char *s)
{
	if (s == NULL)
		ctl_jw_null(w, key);
	else
		ctl_jw_strn(w, key, s, strlen(s));
}

void
ctl_jw_strf(struct ctl_jw *w, const char *key, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof buf)
		n = sizeof buf - 1;
	ctl_jw_strn(w, key, buf, (size_t)n);
}

/* Decimal digits of v at the end of buf[24]; returns the first digit. */
static char *
fmt_u64(uint64_t v, char buf[24])
{
	char *p = buf + 23;
	*p = '\0';
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return p;
}

static void
jw_rawn(struct ctl_jw *w, const char *key, const char *text)
{
	jw_member(w, key);
	jw_add(w, text, strlen(text));
}

void
ctl_jw_u64(struct ctl_jw *w, const char *key, uint64_t v)
{
	char buf[24];
	jw_rawn(w, key, fmt_u64(v, buf));
}

void
ctl_jw_i64(struct ctl_jw *w, const char *key, int64_t v)
{
	char buf[24];
	char *p = fmt_u64(v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, buf);
	if (v < 0)
		*--p = '-';
	jw_rawn(w, key, p);
}

void
ctl_jw_bool(struct ctl_jw *w, const char *key, bool v)
{
	jw_rawn(w, key, v ? "true" : "false");
}

void
ctl_jw_null(struct ctl_jw *w, const char *key)
{
	jw_rawn(w, key, "null");
}

/* "a.b.c.d" into buf (at least 16 bytes); returns its length. */
static size_t
fmt_v4(const uint8_t *a, char *buf)
{
	char d[24];
	size_t n = 0;

	for (int i = 0; i < 4; i++) {
		const char *s = fmt_u64(a[i], d);
		size_t l = strlen(s);
		memcpy(buf + n, s, l);
		n += l;
		buf[n++] = i < 3 ? '.' : '\0';
	}
	return n - 1;
}

void
ctl_jw_addr(struct ctl_jw *w, const char *key, int af, const uint8_t *a)
{
	char buf[ADDR_STRLEN];

	if (af == AF_INET)
		fmt_v4(a, buf);
	else
		addr_fmt(af, a, buf);
	ctl_jw_str(w, key, buf);
}

void
ctl_jw_prefix(struct ctl_jw *w, const char *key, const struct prefix *p)
{
	char buf[PREFIX_STRLEN], d[24];
	size_t n;

	if (p->af == AF_INET) {
		n = fmt_v4(p->a, buf);
	} else {
		addr_fmt(p->af, p->a, buf);
		n = strlen(buf);
	}
	const char *l = fmt_u64(p->len, d);
	buf[n++] = '/';
	memcpy(buf + n, l, strlen(l) + 1);
	ctl_jw_str(w, key, buf);
}

void
ctl_jw_key(struct ctl_jw *w, const char *key)
{
	jw_member(w, key);
}

void
ctl_jw_raw(struct ctl_jw *w, const char *fmt, ...)
{
	va_list ap;
	char buf[256];

	if (w->err)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0) {
		w->err = true;
	} else if ((size_t)n < sizeof buf) {
		jw_add(w, buf, (size_t)n);
	} else {
		ctl_jw_flush(w);
		va_start(ap, fmt);
		if (!w->err && evbuffer_add_vprintf(w->out, fmt, ap) < 0)
			w->err = true;
		va_end(ap);
	}
}

void
ctl_jw_end(struct ctl_jw *w)
{
	if (w->depth != 0 || w->first[0])
		w->err = true;
	jw_add(w, "\n", 1);
	ctl_jw_flush(w);
}

void
ctl_jw_error(struct evbuffer *out, const char *msg)
{
	struct ctl_jw w;

	ctl_jw_init(&w, out);
	ctl_jw_obj_open(&w, NULL);
	ctl_jw_str(&w, "error", msg);
	ctl_jw_obj_close(&w);
	ctl_jw_end(&w);
}
