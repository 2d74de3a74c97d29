/*
 * Checked reader and writer for wire data (STYLE.md 3). Every getter returns -1 on overrun and
 * leaves the reader unchanged, so a parser is a sequence of "if (rd_u16(r, &x) < 0) goto err".
 * A sub-reader (rd_sub) bounds the parse of a contained object by its declared length.
 * The writer never writes past its buffer; an overrun sets 'err' and later writes are ignored,
 * so an encoder checks once at the end.
 */
#ifndef BGP64_RD_H
#define BGP64_RD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct rd {
	const uint8_t *p;
	size_t len; /* bytes left */
};

static inline void
rd_init(struct rd *r, const uint8_t *p, size_t len)
{
	r->p = p;
	r->len = len;
}

static inline size_t
rd_left(const struct rd *r)
{
	return r->len;
}

static inline int
rd_u8(struct rd *r, uint8_t *v)
{
	if (r->len < 1)
		return -1;
	*v = r->p[0];
	r->p++;
	r->len--;
	return 0;
}

static inline int
rd_u16(struct rd *r, uint16_t *v)
{
	if (r->len < 2)
		return -1;
	*v = (uint16_t)((r->p[0] << 8) | r->p[1]);
	r->p += 2;
	r->len -= 2;
	return 0;
}

static inline int
rd_u24(struct rd *r, uint32_t *v)
{
	if (r->len < 3)
		return -1;
	*v = ((uint32_t)r->p[0] << 16) | ((uint32_t)r->p[1] << 8) | r->p[2];
	r->p += 3;
	r->len -= 3;
	return 0;
}

static inline int
rd_u32(struct rd *r, uint32_t *v)
{
	if (r->len < 4)
		return -1;
	*v = ((uint32_t)r->p[0] << 24) | ((uint32_t)r->p[1] << 16) | ((uint32_t)r->p[2] << 8) |
	     r->p[3];
	r->p += 4;
	r->len -= 4;
	return 0;
}

/* Copies n bytes (out may be NULL to only check and skip). */
static inline int
rd_bytes(struct rd *r, void *out, size_t n)
{
	if (r->len < n)
		return -1;
	if (out != NULL && n > 0)
		memcpy(out, r->p, n);
	r->p += n;
	r->len -= n;
	return 0;
}

static inline int
rd_skip(struct rd *r, size_t n)
{
	return rd_bytes(r, NULL, n);
}

/* Points *out at the next n bytes without copying. */
static inline int
rd_ptr(struct rd *r, const uint8_t **out, size_t n)
{
	if (r->len < n)
		return -1;
	*out = r->p;
	r->p += n;
	r->len -= n;
	return 0;
}

/* Splits off the next n bytes as their own reader. */
static inline int
rd_sub(struct rd *r, struct rd *sub, size_t n)
{
	const uint8_t *p;
	if (rd_ptr(r, &p, n) < 0)
		return -1;
	rd_init(sub, p, n);
	return 0;
}

struct wr {
	uint8_t *p;
	size_t cap;
	size_t len;
	bool err;
};

static inline void
wr_init(struct wr *w, uint8_t *p, size_t cap)
{
	w->p = p;
	w->cap = cap;
	w->len = 0;
	w->err = false;
}

static inline bool
wr_room(struct wr *w, size_t n)
{
	if (w->err || w->cap - w->len < n) {
		w->err = true;
		return false;
	}
	return true;
}

static inline void
wr_u8(struct wr *w, uint8_t v)
{
	if (wr_room(w, 1))
		w->p[w->len++] = v;
}

static inline void
wr_u16(struct wr *w, uint16_t v)
{
	if (wr_room(w, 2)) {
		w->p[w->len++] = (uint8_t)(v >> 8);
		w->p[w->len++] = (uint8_t)v;
	}
}

static inline void
wr_u32(struct wr *w, uint32_t v)
{
	if (wr_room(w, 4)) {
		w->p[w->len++] = (uint8_t)(v >> 24);
		w->p[w->len++] = (uint8_t)(v >> 16);
		w->p[w->len++] = (uint8_t)(v >> 8);
		w->p[w->len++] = (uint8_t)v;
	}
}

static inline void
wr_bytes(struct wr *w, const void *b, size_t n)
{
	if (n > 0 && wr_room(w, n)) {
		memcpy(w->p + w->len, b, n);
		w->len += n;
	}
}

/* Writes a big-endian u16 at an earlier offset (length fields filled in after the body). */
static inline void
wr_put_u16_at(struct wr *w, size_t off, uint16_t v)
{
	if (!w->err && off + 2 <= w->len) {
		w->p[off] = (uint8_t)(v >> 8);
		w->p[off + 1] = (uint8_t)v;
	}
}

#endif
