/*
 * UPDATE encoding for exports: path attributes of an interned set, and a builder that packs
 * as many prefixes sharing one attribute set as fit the peer's maximum message size.
 *
 * Attributes go out in ascending type order (RFC 4271 5 SHOULD) with the unknown transitive
 * ones of the set merged in by type; toward a 2-octet AS peer the path is narrowed, with
 * AS4_PATH / AS4_AGGREGATOR added when an AS does not fit (RFC 6793 4.2.2).
 *
 * One UPDATE carries one kind of change only (RFC 7606 5.1): classic NLRI + NEXT_HOP for IPv4
 * with an IPv4 next hop; MP_REACH, first among the attributes, for IPv6 and for IPv4 with an
 * IPv6 next hop (RFC 8950); classic Withdrawn for IPv4 withdrawals; MP_UNREACH for IPv6 ones.
 * MP_REACH grows with every prefix while the other attributes must follow it, so the builder
 * parks them at the end of the buffer and moves them into place when the message is finished.
 */
#include <string.h>

#include "bgp/update.h"

#define F_O   ATTR_FLAG_OPTIONAL
#define F_T   ATTR_FLAG_TRANSITIVE
#define F_WK  F_T
#define F_ONT F_O
#define F_OTR (F_O | F_T)

static void
put_hdr(struct wr *w, uint8_t flags, uint8_t type, size_t len)
{
	if (len > 0xffff) {
		w->err = true;
		return;
	}
	if (len > 255) {
		wr_u8(w, flags | ATTR_FLAG_EXTLEN);
		wr_u8(w, type);
		wr_u16(w, (uint16_t)len);
	} else {
		wr_u8(w, flags);
		wr_u8(w, type);
		wr_u8(w, (uint8_t)len);
	}
}

static void
put_u32_attr(struct wr *w, uint8_t flags, uint8_t type, uint32_t v)
{
	put_hdr(w, flags, type, 4);
	wr_u32(w, v);
}

static void
put_blob_attr(struct wr *w, uint8_t flags, uint8_t type, const struct attr_blob *b)
{
	if (b == NULL)
		return;
	put_hdr(w, flags, type, b->len);
	wr_bytes(w, b->data, b->len);
}

/* Cursor over the unknown-attribute blob (flags, type, length(1/2), value)*. */
struct unk_cur {
	struct rd r;
};

/* Copies the stored unknown attributes whose type is below 'limit'. */
static void
put_unknown_upto(struct wr *w, struct unk_cur *c, unsigned limit)
{
	while (rd_left(&c->r) >= 3 && c->r.p[1] < limit) {
		struct rd save = c->r;
		uint8_t flags, type, l8;
		uint16_t len;
		if (rd_u8(&c->r, &flags) < 0 || rd_u8(&c->r, &type) < 0)
			break;
		if (flags & ATTR_FLAG_EXTLEN) {
			if (rd_u16(&c->r, &len) < 0)
				break;
		} else {
			if (rd_u8(&c->r, &l8) < 0)
				break;
			len = l8;
		}
		if (rd_skip(&c->r, len) < 0) {
			c->r.len = 0; /* not from our parser: stop */
			break;
		}
		wr_bytes(w, save.p, (size_t)(c->r.p - save.p));
	}
}

/* ---- AS_PATH toward 2-octet peers (RFC 6793 4.2.2) ---- */

static inline uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * Walks the valid segments of a 4-octet path. Returns the 2-octet encoding length, the
 * AS4_PATH length (confed segments left out) and whether some AS needs 4 octets.
 */
static size_t
path2_len(const struct attr_blob *b, size_t *as4_len, bool *wide)
{
	size_t l2 = 0;
	*as4_len = 0;
	*wide = false;
	for (size_t i = 0; b != NULL && i + 2 <= b->len;) {
		uint8_t type = b->data[i], count = b->data[i + 1];
		size_t sl = 2 + 4 * (size_t)count;
		if (sl > b->len - i)
			break;
		for (unsigned k = 0; k < count; k++)
			if (get32(b->data + i + 2 + 4 * k) > 0xffff)
				*wide = true;
		l2 += 2 + 2 * (size_t)count;
		if (type != AS_CONFED_SEQUENCE && type != AS_CONFED_SET)
			*as4_len += sl;
		i += sl;
	}
	return l2;
}

static void
put_path2(struct wr *w, const struct attr_blob *b, size_t l2)
{
	put_hdr(w, F_WK, ATTR_AS_PATH, l2);
	for (size_t i = 0, o = 0; b != NULL && o < l2;) {
		uint8_t count = b->data[i + 1];
		wr_u8(w, b->data[i]);
		wr_u8(w, count);
		for (unsigned k = 0; k < count; k++) {
			uint32_t as = get32(b->data + i + 2 + 4 * k);
			wr_u16(w, as > 0xffff ? BGP_AS_TRANS : (uint16_t)as);
		}
		i += 2 + 4 * (size_t)count;
		o += 2 + 2 * (size_t)count;
	}
}

static void
put_as4path(struct wr *w, const struct attr_blob *b, size_t as4_len)
{
	put_hdr(w, F_OTR, ATTR_AS4_PATH, as4_len);
	for (size_t i = 0, o = 0; o < as4_len;) {
		uint8_t type = b->data[i];
		size_t sl = 2 + 4 * (size_t)b->data[i + 1];
		if (type != AS_CONFED_SEQUENCE && type != AS_CONFED_SET) {
			wr_bytes(w, b->data + i, sl);
			o += sl;
		}
		i += sl;
	}
}

/* ---- attributes ---- */

static void
attrs_encode(struct wr *w, const struct attrs *a, const struct bgp_enc_ctx *ctx, bool with_nh)
{
	struct unk_cur uc;
	size_t l2 = 0, as4_len = 0;
	bool wide = false;
	rd_init(&uc.r, a->unknown ? a->unknown->data : NULL, a->unknown ? a->unknown->len : 0);

	put_unknown_upto(w, &uc, ATTR_ORIGIN);
	put_hdr(w, F_WK, ATTR_ORIGIN, 1);
	wr_u8(w, a->origin);

	put_unknown_upto(w, &uc, ATTR_AS_PATH);
	if (ctx->as4) {
		put_hdr(w, F_WK, ATTR_AS_PATH, a->aspath ? a->aspath->len : 0);
		if (a->aspath != NULL)
			wr_bytes(w, a->aspath->data, a->aspath->len);
	} else {
		l2 = path2_len(a->aspath, &as4_len, &wide);
		put_path2(w, a->aspath, l2);
	}

	put_unknown_upto(w, &uc, ATTR_NEXT_HOP);
	if (with_nh && a->nh_len == 4) {
		put_hdr(w, F_WK, ATTR_NEXT_HOP, 4);
		wr_bytes(w, a->nh, 4);
	}
	put_unknown_upto(w, &uc, ATTR_MED);
	if (a->flags & ATTRS_MED)
		put_u32_attr(w, F_ONT, ATTR_MED, a->med);
	put_unknown_upto(w, &uc, ATTR_LOCAL_PREF);
	if (a->flags & ATTRS_LOCAL_PREF)
		put_u32_attr(w, F_WK, ATTR_LOCAL_PREF, a->local_pref);
	put_unknown_upto(w, &uc, ATTR_ATOMIC_AGGREGATE);
	if (a->flags & ATTRS_ATOMIC_AGG)
		put_hdr(w, F_WK, ATTR_ATOMIC_AGGREGATE, 0);
	put_unknown_upto(w, &uc, ATTR_AGGREGATOR);
	bool agg4 = false;
	if (a->flags & ATTRS_AGGREGATOR) {
		if (ctx->as4) {
			put_hdr(w, F_OTR, ATTR_AGGREGATOR, 8);
			wr_u32(w, a->agg_as);
		} else {
			agg4 = a->agg_as > 0xffff;
			put_hdr(w, F_OTR, ATTR_AGGREGATOR, 6);
			wr_u16(w, agg4 ? BGP_AS_TRANS : (uint16_t)a->agg_as);
		}
		wr_u32(w, a->agg_id);
	}
	put_unknown_upto(w, &uc, ATTR_COMMUNITIES);
	put_blob_attr(w, F_OTR, ATTR_COMMUNITIES, a->comms);
	put_unknown_upto(w, &uc, ATTR_ORIGINATOR_ID);
	if (a->flags & ATTRS_ORIGINATOR)
		put_u32_attr(w, F_ONT, ATTR_ORIGINATOR_ID, a->originator_id);
	put_unknown_upto(w, &uc, ATTR_CLUSTER_LIST);
	put_blob_attr(w, F_ONT, ATTR_CLUSTER_LIST, a->clusters);
	put_unknown_upto(w, &uc, ATTR_EXT_COMMUNITIES);
	put_blob_attr(w, F_OTR, ATTR_EXT_COMMUNITIES, a->ecomms);
	put_unknown_upto(w, &uc, ATTR_AS4_PATH);
	if (wide && as4_len > 0)
		put_as4path(w, a->aspath, as4_len);
	put_unknown_upto(w, &uc, ATTR_AS4_AGGREGATOR);
	if (agg4) {
		put_hdr(w, F_OTR, ATTR_AS4_AGGREGATOR, 8);
		wr_u32(w, a->agg_as);
		wr_u32(w, a->agg_id);
	}
	put_unknown_upto(w, &uc, ATTR_LARGE_COMMUNITIES);
	put_blob_attr(w, F_OTR, ATTR_LARGE_COMMUNITIES, a->lcomms);
	put_unknown_upto(w, &uc, ATTR_OTC);
	if (a->flags & ATTRS_OTC)
		put_u32_attr(w, F_OTR, ATTR_OTC, a->otc);
	put_unknown_upto(w, &uc, 256);
}

void
bgp_attrs_encode(struct wr *w, const struct attrs *a, const struct bgp_enc_ctx *ctx)
{
	attrs_encode(w, a, ctx, false);
}

/* ---- builder ---- */

static size_t
max_msg(const struct bgp_enc_ctx *ctx)
{
	if (ctx->max_msg == 0)
		return BGP_MAX_MSG;
	return ctx->max_msg > BGP_MAX_EXT_MSG ? BGP_MAX_EXT_MSG : ctx->max_msg;
}

static void
ub_start(struct bgp_upd_builder *b, uint8_t *buf, const struct bgp_enc_ctx *ctx, enum bgp_fam fam,
	 bool withdraw)
{
	memset(b, 0, sizeof *b);
	b->buf = buf;
	b->ctx = ctx;
	b->fam = fam;
	b->withdraw = withdraw;
	wr_init(&b->w, buf, max_msg(ctx));
	for (int i = 0; i < 16; i++)
		wr_u8(&b->w, 0xff);
	wr_u16(&b->w, 0); /* message length */
	wr_u8(&b->w, BGP_UPDATE);
}

/* MP attribute header with a 2-octet length (it grows), then AFI and SAFI. */
static void
mp_start(struct bgp_upd_builder *b, uint8_t type)
{
	wr_u8(&b->w, F_ONT | ATTR_FLAG_EXTLEN);
	wr_u8(&b->w, type);
	b->mp_len_off = b->w.len;
	wr_u16(&b->w, 0);
	wr_u16(&b->w, bgp_fam_afi(b->fam));
	wr_u8(&b->w, BGP_SAFI_UNICAST);
}

int
bgp_ub_announce(struct bgp_upd_builder *b, uint8_t *buf, const struct bgp_enc_ctx *ctx,
		enum bgp_fam fam, const struct attrs *a)
{
	ub_start(b, buf, ctx, fam, false);
	struct wr *w = &b->w;
	wr_u16(w, 0); /* withdrawn routes length */
	b->attr_len_off = w->len;
	wr_u16(w, 0);
	if (fam == BGP_FAM_V4 && a->nh_len == 4) {
		attrs_encode(w, a, ctx, true);
		if (w->err)
			return -1;
		wr_put_u16_at(w, b->attr_len_off, (uint16_t)(w->len - b->attr_len_off - 2));
		b->start_prefix = w->len;
		return 0;
	}
	if (a->nh_len != 16 && a->nh_len != 32)
		return -1;
	b->mp = true;
	mp_start(b, ATTR_MP_REACH);
	wr_u8(w, a->nh_len);
	wr_bytes(w, a->nh, a->nh_len);
	wr_u8(w, 0); /* reserved */
	b->start_prefix = w->len;
	/* encode the other attributes here to measure them, then park them at the end */
	attrs_encode(w, a, ctx, false);
	if (w->err)
		return -1;
	b->tail_len = w->len - b->start_prefix;
	b->tail_off = w->cap - b->tail_len;
	memmove(buf + b->tail_off, buf + b->start_prefix, b->tail_len);
	w->len = b->start_prefix;
	w->cap = b->tail_off;
	return 0;
}

int
bgp_ub_withdraw(struct bgp_upd_builder *b, uint8_t *buf, const struct bgp_enc_ctx *ctx,
		enum bgp_fam fam)
{
	ub_start(b, buf, ctx, fam, true);
	struct wr *w = &b->w;
	if (fam == BGP_FAM_V4) {
		wr_u16(w, 0); /* withdrawn routes length, set in finish */
		b->start_prefix = w->len;
		b->attr_len_off = 0;
		w->cap -= 2; /* keep room for the Total Path Attribute Length */
	} else {
		wr_u16(w, 0);
		b->attr_len_off = w->len;
		wr_u16(w, 0);
		b->mp = true;
		mp_start(b, ATTR_MP_UNREACH);
		b->start_prefix = w->len;
	}
	return w->err ? -1 : 0;
}

int
bgp_ub_add(struct bgp_upd_builder *b, const struct prefix *p)
{
	struct wr *w = &b->w;
	if (p->af != (b->fam == BGP_FAM_V4 ? AF_INET : AF_INET6) || p->len > af_bits(p->af))
		return -1;
	bool ap = (b->ctx->addpath_tx & BGP_FAM_BIT(b->fam)) != 0;
	size_t nb = (p->len + 7u) / 8;
	if (w->err || w->cap - w->len < (ap ? 4 : 0) + 1 + nb)
		return -1;
	if (ap)
		wr_u32(w, 1); /* our path id: one path per prefix */
	wr_u8(w, p->len);
	size_t at = w->len;
	wr_bytes(w, p->a, nb);
	if (p->len % 8) /* bits past the length are sent as zero */
		w->p[at + nb - 1] &= (uint8_t)(0xff00u >> (p->len % 8));
	b->count++;
	return 0;
}

size_t
bgp_ub_finish(struct bgp_upd_builder *b)
{
	struct wr *w = &b->w;
	if (b->count == 0 || w->err)
		return 0;
	w->cap = max_msg(b->ctx);
	if (!b->mp) {
		if (b->withdraw) {
			wr_put_u16_at(w, BGP_HDR_LEN, (uint16_t)(w->len - b->start_prefix));
			wr_u16(w, 0); /* no attributes */
		}
	} else {
		wr_put_u16_at(w, b->mp_len_off, (uint16_t)(w->len - b->mp_len_off - 2));
		if (b->tail_len > 0) {
			memmove(b->buf + w->len, b->buf + b->tail_off, b->tail_len);
			w->len += b->tail_len;
		}
		wr_put_u16_at(w, b->attr_len_off, (uint16_t)(w->len - b->attr_len_off - 2));
	}
	if (w->err)
		return 0;
	wr_put_u16_at(w, 16, (uint16_t)w->len);
	return w->len;
}
