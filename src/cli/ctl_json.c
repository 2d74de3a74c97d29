/*
 * Streaming JSON writer: compact JSON text appended to an evbuffer as it is produced, with
 * only the nesting state kept between calls (the bgpctl approach: no document tree, so a
 * million routes cost one route's worth of memory besides the socket buffer).
 *
 * Strings are escaped per RFC 8259 and checked as UTF-8; an invalid byte becomes U+FFFD, so
 * the output is valid JSON whatever a peer put in a hostname or a shutdown message.
 */
#include "cli/ctl.h"

#include <event2/buffer.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at p (n bytes available), 0 when invalid. */
static size_t
utf8_seq(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];
	size_t need;
	unsigned char lo = 0x80, hi = 0xbf; /* allowed range of the second byte */

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 2;
	else if (c >= 0xe0 && c <= 0xef) {
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

int
ctl_json_quote(struct evbuffer *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	char buf[512];
	size_t n = 0, i = 0;

	buf[n++] = '"';
	while (i < len) {
		/* Room for the longest piece: "\u00XX" (6) or a 4-byte sequence, and the quote. */
		if (n > sizeof buf - 8) {
			if (evbuffer_add(out, buf, n) != 0)
				return -1;
			n = 0;
		}
		unsigned char c = p[i];
		if (c == '"' || c == '\\') {
			buf[n++] = '\\';
			buf[n++] = (char)c;
			i++;
		} else if (c < 0x20) {
			buf[n++] = '\\';
			switch (c) {
			case '\n':
				buf[n++] = 'n';
				break;
			case '\r':
				buf[n++] = 'r';
				break;
			case '\t':
				buf[n++] = 't';
				break;
			case '\b':
				buf[n++] = 'b';
				break;
			case '\f':
				buf[n++] = 'f';
				break;
			default:
				buf[n++] = 'u';
				buf[n++] = '0';
				buf[n++] = '0';
				buf[n++] = hex[c >> 4];
				buf[n++] = hex[c & 15];
			}
			i++;
		} else {
			size_t k = utf8_seq(p + i, len - i);
			if (k == 0) {
				memcpy(buf + n, "\xef\xbf\xbd", 3); /* U+FFFD */
				n += 3;
				i++;
			} else {
				memcpy(buf + n, p + i, k);
				n += k;
				i += k;
			}
		}
	}
	buf[n++] = '"';
	return evbuffer_add(out, buf, n) == 0 ? 0 : -1;
}

void
ctl_jw_init(struct ctl_jw *w, struct evbuffer *out)
{
	memset(w, 0, sizeof *w);
	w->out = out;
	w->first[0] = true; /* no top-level value yet */
}

static void
jw_add(struct ctl_jw *w, const char *s, size_t n)
{
	if (!w->err && evbuffer_add(w->out, s, n) != 0)
		w->err = true;
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
		if (key != NULL || !w->first[0]) {
			w->err = true;
			return;
		}
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
		if (ctl_json_quote(w->out, key, strlen(key)) != 0)
			w->err = true;
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
	if (!w->err && ctl_json_quote(w->out, s, len) != 0)
		w->err = true;
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
	snprintf(buf, sizeof buf, "%" PRIu64, v);
	jw_rawn(w, key, buf);
}

void
ctl_jw_i64(struct ctl_jw *w, const char *key, int64_t v)
{
	char buf[24];
	snprintf(buf, sizeof buf, "%" PRId64, v);
	jw_rawn(w, key, buf);
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

void
ctl_jw_addr(struct ctl_jw *w, const char *key, int af, const uint8_t *a)
{
	char buf[ADDR_STRLEN];
	ctl_jw_str(w, key, addr_fmt(af, a, buf));
}

void
ctl_jw_prefix(struct ctl_jw *w, const char *key, const struct prefix *p)
{
	char buf[PREFIX_STRLEN];
	ctl_jw_str(w, key, prefix_fmt(p, buf));
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

	if (w->err)
		return;
	va_start(ap, fmt);
	if (evbuffer_add_vprintf(w->out, fmt, ap) < 0)
		w->err = true;
	va_end(ap);
}

void
ctl_jw_end(struct ctl_jw *w)
{
	if (w->depth != 0 || w->first[0])
		w->err = true;
	jw_add(w, "\n", 1);
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
