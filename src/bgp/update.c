/*
 * UPDATE parsing with RFC 7606 error handling (bgp-errors.md section 3).
 *
 * Three passes over one message, in the order the RFC's practical advice gives:
 *  1. walk the attribute headers (lengths only): find MP_REACH/MP_UNREACH, refuse their
 *     duplicates, and note where the list stops making sense (an attribute overrunning the
 *     Total Path Attribute Length is treat-as-withdraw; the NLRI is found through TPAL);
 *  2. parse every NLRI field completely (Withdrawn, NLRI, MP_REACH, MP_UNREACH): anything that
 *     cannot be parsed resets the session, because treat-as-withdraw needs every prefix;
 *  3. validate each attribute from attr_tab, one row per type code holding the expected
 *     flags, the decoder and the RFC 7606 approach on error, and keep the strongest outcome.
 * Then come the checks across attributes: missing well-known attributes, the RFC 6793
 * reconstruction of 4-octet paths on 2-octet sessions, End-of-RIB, and the RFC 7606 5.2 rule.
 *
 * Nothing is allocated: the result points into the message, and the blobs of u->attrs are
 * temporaries in ctx->scratch (a bump area reset by every parse) that attr_intern() copies.
 */
#include "bgp/update.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define F_O   ATTR_FLAG_OPTIONAL
#define F_T   ATTR_FLAG_TRANSITIVE
#define F_OT  (F_O | F_T)
#define F_WK  F_T	  /* well-known: O=0 T=1 */
#define F_ONT F_O	  /* optional non-transitive */
#define F_OTR (F_O | F_T) /* optional transitive */

/* One attribute as found in the list. */
struct attr_hdr {
	uint8_t flags, type;
	const uint8_t *raw; /* header + value, for NOTIFICATION data */
	size_t raw_len;
	const uint8_t *v;
	size_t len;
};

struct unk_attr {
	uint8_t flags, type;
	const uint8_t *v;
	size_t len;
};

/* Parse state of one message. */
struct pstate {
	struct bgp_parse_ctx *ctx;
	struct bgp_update *u;
	uint8_t *sp; /* scratch bump pointer */
	size_t sleft;
	const char *why; /* set by a decoder that fails */
	/* NOTIFICATION for the first error stronger than discard (RFC 7606 5.2 turns it into
	 * a reset) */
	bool pend_set;
	uint8_t pend_sub;
	const uint8_t *pend_data;
	size_t pend_len;
	bool classic_nlri; /* the NLRI field is not empty */
	bool mp_reach_any; /* MP_REACH of any family with a non-empty NLRI part */
	uint8_t seen[32];  /* attribute types processed (duplicates are dropped) */
	/* 2-octet session: RFC 6793 reconstruction inputs */
	const uint8_t *as2path, *as4path;
	size_t as2path_len, as4path_len;
	bool as4agg;
	uint32_t as4agg_as, as4agg_id;
	uint8_t missing[3]; /* type codes of missing well-known attributes (NOTIFICATION data) */
	unsigned nmissing;
	/* unknown optional transitive attributes (at most one per type) */
	unsigned nunk;
	struct unk_attr unk[256];
};

/* A decoder returns 0, or the RFC 4271 subcode of the error with ps->why set. */
typedef uint8_t (*attr_fn)(struct pstate *ps, const struct attr_hdr *h);

#define ROW_MP	    0x01 /* handled with the NLRI fields */
#define ROW_IBGP    0x02 /* from an eBGP peer: attribute discard */
#define ROW_AS2	    0x04 /* from a 4-octet (NEW) speaker: attribute discard (RFC 6793) */
#define ROW_CLASSIC 0x08 /* ignored unless the UPDATE has classic NLRI (RFC 4760 3) */
#define ROW_DROP    0x10 /* deprecated: dropped silently, never passed on */

struct attr_row {
	const char *name;
	uint8_t flags; /* expected Optional and Transitive bits */
	uint8_t opts;  /* ROW_* */
	enum bgp_upd_action on_error;
	attr_fn fn;
};

/* ---- outcomes ---- */

static void
set_reason(struct bgp_update *u, const char *name, const char *why)
{
	snprintf(u->reason, sizeof u->reason, "%s: %s", name, why);
}

/*
 * Records an error of approach act. The reason kept is the first error of the strongest
 * approach seen; for approaches between discard and reset, the NOTIFICATION that RFC 7606 5.2
 * may need is remembered.
 */
static void
note(struct pstate *ps, enum bgp_upd_action act, uint8_t sub, const uint8_t *data, size_t dlen,
     const char *name, const char *why)
{
	struct bgp_update *u = ps->u;
	if (act > u->action || u->reason[0] == '\0')
		set_reason(u, name, why);
	if (act > u->action)
		u->action = act;
	if (act == BGP_UPD_ATTR_DISCARD)
		u->discarded++;
	if (act > BGP_UPD_ATTR_DISCARD && !ps->pend_set) {
		ps->pend_set = true;
		ps->pend_sub = sub;
		ps->pend_data = data;
		ps->pend_len = dlen;
	}
}

static int
reset(struct pstate *ps, uint8_t sub, const uint8_t *data, size_t dlen, const char *name,
      const char *why)
{
	struct bgp_update *u = ps->u;
	set_reason(u, name, why);
	u->action = BGP_UPD_RESET;
	bgp_notify_set(&u->notify, BGP_ERR_UPDATE, sub, data, dlen);
	return -1;
}

/* ---- scratch ---- */

/* A temporary blob of cap data octets in the scratch area; its len is set by the caller. */
static struct attr_blob *
blob_new(struct pstate *ps, uint8_t kind, size_t cap)
{
	size_t pad = (size_t)(-(uintptr_t)ps->sp & (alignof(struct attr_blob) - 1));
	if (ps->sleft < pad || ps->sleft - pad < sizeof(struct attr_blob) + cap)
		return NULL;
	struct attr_blob *b = (struct attr_blob *)(void *)(ps->sp + pad);
	ps->sp += pad + sizeof *b + cap;
	ps->sleft -= pad + sizeof *b + cap;
	b->refcnt = 0;
	b->hash = 0;
	b->next = NULL;
	b->len = (uint32_t)cap;
	b->kind = kind;
	return b;
}

static struct attr_blob *
blob_copy(struct pstate *ps, uint8_t kind, const uint8_t *v, size_t len)
{
	struct attr_blob *b = blob_new(ps, kind, len);
	if (b != NULL && len > 0)
		memcpy(b->data, v, len);
	return b;
}

/* Scratch is sized for the worst case (update.h); running out would be a bug here. */
static uint8_t
no_scratch(struct pstate *ps)
{
	ps->why = "out of parser scratch";
	return BGP_UPDERR_MALFORMED_ATTR_LIST;
}

/* ---- wire helpers ---- */

static inline uint32_t
get16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static inline uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Next attribute header of the list: 1, 0 at the end, -1 when it overruns the list. */
static int
attr_next(struct rd *r, struct attr_hdr *h)
{
	if (rd_left(r) == 0)
		return 0;
	const uint8_t *start = r->p;
	uint16_t len;
	uint8_t l8;
	if (rd_u8(r, &h->flags) < 0 || rd_u8(r, &h->type) < 0)
		return -1;
	if (h->flags & ATTR_FLAG_EXTLEN) {
		if (rd_u16(r, &len) < 0)
			return -1;
	} else {
		if (rd_u8(r, &l8) < 0)
			return -1;
		len = l8;
	}
	if (rd_ptr(r, &h->v, len) < 0)
		return -1;
	h->len = len;
	h->raw = start;
	h->raw_len = (size_t)(r->p - start);
	return 1;
}

static bool
v4_unicast_host(const uint8_t *a)
{
	/* 0.0.0.0, 127/8, 224/4 (multicast), 240/4 and 255.255.255.255 are not unicast hosts */
	if (a[0] == 0 && a[1] == 0 && a[2] == 0 && a[3] == 0)
		return false;
	return a[0] != 127 && a[0] < 224;
}

/*
 * The global slot of an IPv6 next hop (RFC 2545 3, RFC 8950 3): the unspecified address,
 * multicast (ff00::/8) and link-local (fe80::/10, which belongs in the second slot of a 32-octet
 * next hop) cannot be a next hop for the prefixes.
 */
static bool
v6_unicast_global(const uint8_t *a)
{
	static const uint8_t zero[16];
	if (memcmp(a, zero, 16) == 0)
		return false;
	if (a[0] == 0xff)
		return false;
	return !(a[0] == 0xfe && (a[1] & 0xc0) == 0x80);
}

/* ---- NLRI ---- */

static int
nlri_check(const uint8_t *p, size_t len, enum bgp_fam f, bool addpath)
{
	unsigned maxbits = f == BGP_FAM_V4 ? 32 : 128;
	size_t i = 0;
	while (i < len) {
		if (addpath) {
			if (len - i < 4)
				return -1;
			i += 4;
		}
		if (i >= len)
			return -1;
		unsigned bits = p[i++];
		if (bits > maxbits)
			return -1;
		size_t nb = (bits + 7) / 8;
		if (len - i < nb)
			return -1;
		i += nb;
	}
	return 0;
}

static void
nlri_set(struct bgp_nlri *n, enum bgp_fam f, bool addpath, const uint8_t *p, size_t len)
{
	n->fam = f;
	n->addpath = addpath;
	n->p = p;
	n->len = len;
}

int
bgp_nlri_next(struct bgp_nlri *n, struct prefix *p, uint32_t *path_id)
{
	struct rd r;
	uint32_t id = 0;
	uint8_t bits;
	const uint8_t *a;
	if (n->len == 0)
		return 0;
	rd_init(&r, n->p, n->len);
	unsigned maxbits = n->fam == BGP_FAM_V4 ? 32 : 128;
	if ((n->addpath && rd_u32(&r, &id) < 0) || rd_u8(&r, &bits) < 0 || bits > maxbits ||
	    rd_ptr(&r, &a, (bits + 7u) / 8) < 0) {
		n->len = 0; /* not validated: stop */
		return 0;
	}
	memset(p, 0, sizeof *p);
	p->af = n->fam == BGP_FAM_V4 ? AF_INET : AF_INET6;
	p->len = bits;
	size_t nb = (bits + 7u) / 8;
	memcpy(p->a, a, nb);
	if (bits % 8)
		p->a[nb - 1] &= (uint8_t)(0xff00u >> (bits % 8));
	if (path_id != NULL)
		*path_id = id;
	n->p = r.p;
	n->len = rd_left(&r);
	return 1;
}

void
bgp_update_mp_attrs(const struct bgp_update *u, struct attrs *t)
{
	attr_copy(t, &u->attrs);
	t->nh_len = u->mp_nh_len;
	memset(t->nh, 0, sizeof t->nh);
	memcpy(t->nh, u->mp_nh, u->mp_nh_len);
}

/* MP_REACH_NLRI (RFC 4760 3): errors reset (bgp-errors.md: no AFI/SAFI disable). */
static int
mp_reach(struct pstate *ps, const struct attr_hdr *h)
{
	static const char name[] = "MP_REACH_NLRI";
	struct bgp_update *u = ps->u;
	struct rd r;
	uint16_t afi;
	uint8_t safi, nhl;
	const uint8_t *nh;
	/* RFC 7606 5.3: wrong flags make the attribute malformed */
	if ((h->flags & F_OT) != F_ONT)
		return reset(ps, BGP_UPDERR_FLAGS_ERROR, h->raw, h->raw_len, name, "bad flags");
	rd_init(&r, h->v, h->len);
	if (h->len < 5 || rd_u16(&r, &afi) < 0 || rd_u8(&r, &safi) < 0 || rd_u8(&r, &nhl) < 0 ||
	    rd_ptr(&r, &nh, nhl) < 0 || rd_skip(&r, 1) < 0)
		return reset(ps, BGP_UPDERR_MALFORMED_ATTR_LIST, NULL, 0, name, "too short");
	ps->mp_reach_any = rd_left(&r) > 0;
	int f = bgp_fam_of(afi, safi);
	if (f < 0)
		return 0; /* not one of ours: skipped */
	bool ok = f == BGP_FAM_V4 ? (nhl == 4 || nhl == 16 || nhl == 32) : (nhl == 16 || nhl == 32);
	if (!ok)
		return reset(ps, BGP_UPDERR_MALFORMED_ATTR_LIST, NULL, 0, name,
			     "bad next hop length");
	bool ap = (ps->ctx->addpath_rx & BGP_FAM_BIT(f)) != 0;
	if (nlri_check(r.p, rd_left(&r), (enum bgp_fam)f, ap) < 0)
		return reset(ps, BGP_UPDERR_MALFORMED_ATTR_LIST, NULL, 0, name, "bad prefix");
	if (!(ps->ctx->fams & BGP_FAM_BIT(f))) {
		/* RFC 4760 7 and 8: a family we did not negotiate is not ours to import; its
		 * routes are ignored for the session (the attribute parsed, so no reset) */
		u->ignored_fams |= (uint8_t)BGP_FAM_BIT(f);
		return 0;
	}
	u->has_mp_reach = true;
	nlri_set(&u->mp_reach, (enum bgp_fam)f, ap, r.p, rd_left(&r));
	u->mp_nh_len = nhl;
	memcpy(u->mp_nh, nh, nhl);
	if (nhl == 4 && !v4_unicast_host(nh))
		/* RFC 4271 6.3 3/8, read as malformed under RFC 7606 7.3: treat-as-withdraw */
		note(ps, BGP_UPD_TREAT_AS_WITHDRAW, BGP_UPDERR_INVALID_NEXT_HOP, h->raw, h->raw_len,
		     name, "next hop not a unicast host");
	else if (nhl != 4 && !v6_unicast_global(nh))
		/* the same rule for the global IPv6 slot (::, multicast, link-local): the prefixes
		 * have no usable next hop, RFC 7606 7.3 by analogy -> treat-as-withdraw */
		note(ps, BGP_UPD_TREAT_AS_WITHDRAW, BGP_UPDERR_INVALID_NEXT_HOP, h->raw, h->raw_len,
		     name, "IPv6 next hop is unspecified, multicast or link-local");
	return 0;
}

/* MP_UNREACH_NLRI (RFC 4760 4). */
static int
mp_unreach(struct pstate *ps, const struct attr_hdr *h)
{
	static const char name[] = "MP_UNREACH_NLRI";
	struct bgp_update *u = ps->u;
	struct rd r;
	uint16_t afi;
	uint8_t safi;
	if ((h->flags & F_OT) != F_ONT)
		return reset(ps, BGP_UPDERR_FLAGS_ERROR, h->raw, h->raw_len, name, "bad flags");
	rd_init(&r, h->v, h->len);
	if (rd_u16(&r, &afi) < 0 || rd_u8(&r, &safi) < 0)
		return reset(ps, BGP_UPDERR_MALFORMED_ATTR_LIST, NULL, 0, name, "too short");
	int f = bgp_fam_of(afi, safi);
	if (f < 0)
		return 0;
	bool ap = (ps->ctx->addpath_rx & BGP_FAM_BIT(f)) != 0;
	if (nlri_check(r.p, rd_left(&r), (enum bgp_fam)f, ap) < 0)
		return reset(ps, BGP_UPDERR_MALFORMED_ATTR_LIST, NULL, 0, name, "bad prefix");
	if (!(ps->ctx->fams & BGP_FAM_BIT(f))) {
		if (rd_left(&r) > 0) /* an empty one is an End-of-RIB: nothing to ignore */
			u->ignored_fams |= (uint8_t)BGP_FAM_BIT(f);
		return 0; /* RFC 4760 7: not negotiated, as for MP_REACH */
	}
	u->has_mp_unreach = true;
	nlri_set(&u->mp_unreach, (enum bgp_fam)f, ap, r.p, rd_left(&r));
	return 0;
}

/* ---- attribute decoders ---- */

static uint8_t
bad(struct pstate *ps, uint8_t sub, const char *why)
{
	ps->why = why;
	return sub;
}

static uint8_t
p_origin(struct pstate *ps, const struct attr_hdr *h)
{
	if (h->len != 1)
		return bad(ps, BGP_UPDERR_LENGTH_ERROR, "bad length");
	if (h->v[0] > ORIGIN_INCOMPLETE)
		return bad(ps, BGP_UPDERR_INVALID_ORIGIN, "bad value");
	ps->u->attrs.origin = h->v[0];
	return 0;
}

/* Checks segment framing of a path with 2- or 4-octet ASes. */
static const char *
aspath_check(const uint8_t *p, size_t len, size_t asz, bool confed_ok)
{
	size_t i = 0;
	while (i < len) {
		if (len - i < 2)
			return "segment header overrun";
		uint8_t type = p[i], count = p[i + 1];
		if (type < AS_SET || type > AS_CONFED_SET)
			return "bad segment type";
		if (count == 0)
			return "empty segment";
		if (!confed_ok && (type == AS_CONFED_SEQUENCE || type == AS_CONFED_SET))
			return "confederation segment from outside";
		i += 2;
		if (len - i < count * asz)
			return "segment overrun";
		i += count * asz;
	}
	return NULL;
}

static uint8_t
p_aspath(struct pstate *ps, const struct attr_hdr *h)
{
	struct bgp_parse_ctx *ctx = ps->ctx;
	size_t asz = ctx->as4 ? 4 : 2;
	/* RFC 5065: confed segments from a peer outside our confederation (we have none) */
	const char *e = aspath_check(h->v, h->len, asz, ctx->ibgp);
	if (e != NULL)
		return bad(ps, BGP_UPDERR_MALFORMED_AS_PATH, e);
	if (ctx->check_first_as && !ctx->ibgp) {
		uint32_t first = 0;
		if (h->len >= 2 + asz && h->v[0] == AS_SEQUENCE)
			first = asz == 4 ? get32(h->v + 2) : get16(h->v + 2);
		if (first != ctx->peer_as)
			return bad(ps, BGP_UPDERR_MALFORMED_AS_PATH,
				   "leftmost AS is not the peer's");
	}
	if (!ctx->as4) {
		ps->as2path = h->v; /* widened after all attributes are known (RFC 6793) */
		ps->as2path_len = h->len;
		return 0;
	}
	if (h->len == 0)
		return 0; /* an empty path is no blob */
	ps->u->attrs.aspath = blob_copy(ps, ATTR_AS_PATH, h->v, h->len);
	return ps->u->attrs.aspath ? 0 : no_scratch(ps);
}

static uint8_t
p_nexthop(struct pstate *ps, const struct attr_hdr *h)
{
	struct attrs *a = &ps->u->attrs;
	if (h->len != 4)
		return bad(ps, BGP_UPDERR_LENGTH_ERROR, "bad length");
	if (!v4_unicast_host(h->v))
		return bad(ps, BGP_UPDERR_INVALID_NEXT_HOP, "not a unicast host address");
	a->nh_len = 4;
	memcpy(a->nh, h->v, 4);
	return 0;
}

static uint8_t
p_u32(struct pstate *ps, const struct attr_hdr *h, uint32_t *out, uint8_t flag)
{
	if (h->len != 4)
		return bad(ps, BGP_UPDERR_LENGTH_ERROR, "bad length");
	*out = get32(h->v);
	ps->u->attrs.flags |= flag;
	return 0;
}

static uint8_t
p_med(struct pstate *ps, const struct attr_hdr *h)
{
	return p_u32(ps, h, &ps->u->attrs.med, ATTRS_MED);
}

static uint8_t
p_localpref(struct pstate *ps, const struct attr_hdr *h)
{
	return p_u32(ps, h, &ps->u->attrs.local_pref, ATTRS_LOCAL_PREF);
}

static uint8_t
p_originator(struct pstate *ps, const struct attr_hdr *h)
{
	return p_u32(ps, h, &ps->u->attrs.originator_id, ATTRS_ORIGINATOR);
}

static uint8_t
p_otc(struct pstate *ps, const struct attr_hdr *h)
{
	return p_u32(ps, h, &ps->u->attrs.otc, ATTRS_OTC);
}

static uint8_t
p_atomic(struct pstate *ps, const struct attr_hdr *h)
{
	if (h->len != 0)
		return bad(ps, BGP_UPDERR_LENGTH_ERROR, "bad length");
	ps->u->attrs.flags |= ATTRS_ATOMIC_AGG;
	return 0;
}

static uint8_t
p_aggregator(struct pstate *ps, const struct attr_hdr *h)
{
	struct attrs *a = &ps->u->attrs;
	size_t asz = ps->ctx->as4 ? 4 : 2;
	if (h->len != asz + 4)
		return bad(ps, BGP_UPDERR_LENGTH_ERROR, "bad length");
	a->agg_as = asz == 4 ? get32(h->v) : get16(h->v);
	a->agg_id = get32(h->v + asz);
	a->flags |= ATTRS_AGGREGATOR;
	return 0;
}

/* A list of unit-octet items, at least one, stored as a blob. */
static uint8_t
p_list(struct pstate *ps, const struct attr_hdr *h, size_t unit, struct attr_blob **out)
{
	if (h->len == 0 || h->len % unit != 0)
		return bad(ps, BGP_UPDERR_LENGTH_ERROR, "bad length");
	*out = blob_copy(ps, h->type, h->v, h->len);
	return *out ? 0 : no_scratch(ps);
}

static uint8_t
p_comms(struct pstate *ps, const struct attr_hdr *h)
{
	return p_list(ps, h, 4, &ps->u->attrs.comms);
}

static uint8_t
p_clusters(struct pstate *ps, const struct attr_hdr *h)
{
	return p_list(ps, h, 4, &ps->u->attrs.clusters);
}

static uint8_t
p_ecomms(struct pstate *ps, const struct attr_hdr *h)
{
	return p_list(ps, h, 8, &ps->u->attrs.ecomms);
}

static int
cmp12(const void *x, const void *y)
{
	return memcmp(x, y, 12);
}

static uint8_t
p_lcomms(struct pstate *ps, const struct attr_hdr *h)
{
	struct attr_blob *b;
	uint8_t sub = p_list(ps, h, 12, &b);
	if (sub != 0)
		return sub;
	/* RFC 8092 5: duplicates removed silently; kept sorted, as FRR does, so that equal
	 * sets intern to one blob */
	size_t n = b->len / 12, o = 0;
	qsort(b->data, n, 12, cmp12);
	for (size_t i = 0; i < n; i++)
		if (o == 0 || memcmp(b->data + (o - 1) * 12, b->data + i * 12, 12) != 0)
			memmove(b->data + o++ * 12, b->data + i * 12, 12);
	b->len = (uint32_t)(o * 12);
	ps->u->attrs.lcomms = b;
	return 0;
}

static uint8_t
p_as4path(struct pstate *ps, const struct attr_hdr *h)
{
	/* Confed segments are legal to find here: they are dropped when merging. */
	const char *e = h->len == 0 ? "empty" : aspath_check(h->v, h->len, 4, true);
	if (e != NULL)
		return bad(ps, BGP_UPDERR_OPTIONAL_ATTR, e);
	ps->as4path = h->v;
	ps->as4path_len = h->len;
	return 0;
}

static uint8_t
p_as4agg(struct pstate *ps, const struct attr_hdr *h)
{
	if (h->len != 8)
		return bad(ps, BGP_UPDERR_LENGTH_ERROR, "bad length");
	ps->as4agg = true;
	ps->as4agg_as = get32(h->v);
	ps->as4agg_id = get32(h->v + 4);
	return 0;
}

static void
keep_unknown(struct pstate *ps, const struct attr_hdr *h)
{
	struct unk_attr *k = &ps->unk[ps->nunk++]; /* one per type: at most 256 */
	k->flags = h->flags;
	k->type = h->type;
	k->v = h->v;
	k->len = h->len;
}

/* Known syntax, not implemented: passed on like an unknown transitive attribute. */
static uint8_t
p_v6ecomms(struct pstate *ps, const struct attr_hdr *h)
{
	if (h->len == 0 || h->len % 20 != 0)
		return bad(ps, BGP_UPDERR_LENGTH_ERROR, "bad length");
	keep_unknown(ps, h);
	return 0;
}

static uint8_t
p_attrset(struct pstate *ps, const struct attr_hdr *h)
{
	if (h->len < 4) /* Origin AS, then attributes */
		return bad(ps, BGP_UPDERR_OPTIONAL_ATTR, "too short");
	keep_unknown(ps, h);
	return 0;
}

#define TAW	BGP_UPD_TREAT_AS_WITHDRAW
#define DISCARD BGP_UPD_ATTR_DISCARD

/* One row per attribute type; the RFC 7606 reason for each approach beside it. */
static const struct attr_row attr_tab[256] = {
    /* 7.1: malformed ORIGIN -> treat-as-withdraw */
    [ATTR_ORIGIN] = {"ORIGIN", F_WK, 0, TAW, p_origin},
    /* 7.2: malformed AS_PATH (and confed segments from outside, RFC 5065) -> t-a-w */
    [ATTR_AS_PATH] = {"AS_PATH", F_WK, 0, TAW, p_aspath},
    /* 7.3: length != 4 -> t-a-w; RFC 4271 6.3 non-unicast next hop, read as malformed */
    [ATTR_NEXT_HOP] = {"NEXT_HOP", F_WK, ROW_CLASSIC, TAW, p_nexthop},
    /* 7.4: MED length != 4 -> t-a-w */
    [ATTR_MED] = {"MULTI_EXIT_DISC", F_ONT, 0, TAW, p_med},
    /* 7.5: from eBGP discard; from iBGP length != 4 -> t-a-w */
    [ATTR_LOCAL_PREF] = {"LOCAL_PREF", F_WK, ROW_IBGP, TAW, p_localpref},
    /* 7.6: length != 0 -> attribute discard (cannot affect selection) */
    [ATTR_ATOMIC_AGGREGATE] = {"ATOMIC_AGGREGATE", F_WK, 0, DISCARD, p_atomic},
    /* 7.7: length != 6/8 -> attribute discard */
    [ATTR_AGGREGATOR] = {"AGGREGATOR", F_OTR, 0, DISCARD, p_aggregator},
    /* 7.8: length 0 or not a multiple of 4 -> t-a-w */
    [ATTR_COMMUNITIES] = {"COMMUNITIES", F_OTR, 0, TAW, p_comms},
    /* 7.9: from eBGP discard; length != 4 -> t-a-w */
    [ATTR_ORIGINATOR_ID] = {"ORIGINATOR_ID", F_ONT, ROW_IBGP, TAW, p_originator},
    /* 7.10: from eBGP discard; length 0 or not a multiple of 4 -> t-a-w */
    [ATTR_CLUSTER_LIST] = {"CLUSTER_LIST", F_ONT, ROW_IBGP, TAW, p_clusters},
    /* 7.11 / 5.3: MP attributes are parsed with the NLRI; errors reset (see above) */
    [ATTR_MP_REACH] = {"MP_REACH_NLRI", F_ONT, ROW_MP, BGP_UPD_RESET, NULL},
    [ATTR_MP_UNREACH] = {"MP_UNREACH_NLRI", F_ONT, ROW_MP, BGP_UPD_RESET, NULL},
    /* 7.14: length 0 or not a multiple of 8 -> t-a-w (unknown types are fine) */
    [ATTR_EXT_COMMUNITIES] = {"EXTENDED_COMMUNITIES", F_OTR, 0, TAW, p_ecomms},
    /* RFC 6793 6: malformed, or sent by a NEW speaker -> attribute discard */
    [ATTR_AS4_PATH] = {"AS4_PATH", F_OTR, ROW_AS2, DISCARD, p_as4path},
    [ATTR_AS4_AGGREGATOR] = {"AS4_AGGREGATOR", F_OTR, ROW_AS2, DISCARD, p_as4agg},
    /* 7.15 (RFC 5701): length 0 or not a multiple of 20 -> t-a-w */
    [25] = {"IPV6_EXT_COMMUNITIES", F_OTR, 0, TAW, p_v6ecomms},
    /* RFC 8092 5: length 0 or not a multiple of 12 -> t-a-w */
    [ATTR_LARGE_COMMUNITIES] = {"LARGE_COMMUNITY", F_OTR, 0, TAW, p_lcomms},
    /* RFC 9234 5: length != 4 -> t-a-w */
    [ATTR_OTC] = {"OTC", F_OTR, 0, TAW, p_otc},
    /* RFC 6368 (RFC 7606 7 list): malformed ATTR_SET -> t-a-w */
    [128] = {"ATTR_SET", F_OTR, 0, TAW, p_attrset},
    /* deprecated types (bgp-wire.md 6: never send): dropped, not an error */
    [11] = {"DPA", 0, ROW_DROP, BGP_UPD_OK, NULL},
    [12] = {"ADVERTISER", 0, ROW_DROP, BGP_UPD_OK, NULL},
    [13] = {"RCID_PATH", 0, ROW_DROP, BGP_UPD_OK, NULL},
    [19] = {"SAFI_SPECIFIC", 0, ROW_DROP, BGP_UPD_OK, NULL},
    [20] = {"CONNECTOR", 0, ROW_DROP, BGP_UPD_OK, NULL},
    [21] = {"AS_PATHLIMIT", 0, ROW_DROP, BGP_UPD_OK, NULL},
    [28] = {"ENTROPY_LABEL_CAP", 0, ROW_DROP, BGP_UPD_OK, NULL},
};

static bool
seen_test_set(struct pstate *ps, uint8_t type)
{
	uint8_t m = (uint8_t)(1u << (type & 7));
	bool was = (ps->seen[type >> 3] & m) != 0;
	ps->seen[type >> 3] |= m;
	return was;
}

static bool
seen(const struct pstate *ps, uint8_t type)
{
	return (ps->seen[type >> 3] >> (type & 7)) & 1;
}

/* Pass 3 for one attribute; -1 only for a reset. */
static int
attr_one(struct pstate *ps, const struct attr_hdr *h)
{
	char name[24];
	const struct attr_row *row = &attr_tab[h->type];
	if (row->opts & (ROW_MP | ROW_DROP))
		return 0; /* MP: done with the NLRI fields */
	if (seen_test_set(ps, h->type)) {
		/* 3g: repeated attribute: keep the first, discard the rest */
		snprintf(name, sizeof name, "attribute %u", h->type);
		note(ps, DISCARD, 0, NULL, 0, row->name ? row->name : name, "duplicate");
		return 0;
	}
	if (row->name == NULL) {
		snprintf(name, sizeof name, "attribute %u", h->type);
		if (!(h->flags & F_O)) /* RFC 4271 6.3: unrecognized well-known -> 3/2 */
			return reset(ps, BGP_UPDERR_UNRECOGNIZED_WK, h->raw, h->raw_len, name,
				     "unrecognized well-known attribute");
		if (h->flags & F_T) /* unknown optional transitive: kept, Partial set */
			keep_unknown(ps, h);
		return 0; /* unknown optional non-transitive: ignored */
	}
	if ((row->opts & ROW_IBGP) && !ps->ctx->ibgp) {
		note(ps, DISCARD, 0, NULL, 0, row->name, "from an eBGP peer");
		return 0;
	}
	if ((row->opts & ROW_AS2) && ps->ctx->as4) {
		note(ps, DISCARD, 0, NULL, 0, row->name, "from a 4-octet AS speaker");
		return 0;
	}
	if ((row->opts & ROW_CLASSIC) && !ps->classic_nlri)
		return 0; /* RFC 4760 3: NEXT_HOP ignored for MP NLRI */
	if ((h->flags & F_OT) != row->flags) {
		/* 3c: Optional/Transitive bits in conflict -> treat-as-withdraw */
		note(ps, TAW, BGP_UPDERR_FLAGS_ERROR, h->raw, h->raw_len, row->name, "bad flags");
		return 0;
	}
	uint8_t sub = row->fn(ps, h);
	if (sub != 0)
		note(ps, row->on_error, sub, h->raw, h->raw_len, row->name, ps->why);
	return 0;
}

/* ---- RFC 6793 reconstruction (2-octet sessions) ---- */

/* Path length as in bgp-wire.md 7 of a validated path; confed segments skipped. */
static size_t
path_count(const uint8_t *p, size_t len, size_t asz)
{
	size_t n = 0;
	for (size_t i = 0; i + 2 <= len; i += 2 + p[i + 1] * asz)
		n += p[i] == AS_SEQUENCE ? p[i + 1] : p[i] == AS_SET ? 1 : 0;
	return n;
}

/* Writes a 2-octet segment widened to 4 octets; count ASes from it. */
static size_t
widen_seg(uint8_t *o, uint8_t type, const uint8_t *ases, unsigned count)
{
	o[0] = type;
	o[1] = (uint8_t)count;
	for (unsigned k = 0; k < count; k++)
		put32(o + 2 + 4 * k, get16(ases + 2 * k));
	return 2 + 4 * (size_t)count;
}

static int
aspath_merge(struct pstate *ps)
{
	struct attrs *a = &ps->u->attrs;
	bool use4 = ps->as4path != NULL;
	if (a->flags & ATTRS_AGGREGATOR) {
		if (a->agg_as != BGP_AS_TRANS) {
			use4 = false; /* RFC 6793 4.2.3: AS4_* ignored */
		} else if (ps->as4agg) {
			a->agg_as = ps->as4agg_as;
			a->agg_id = ps->as4agg_id;
		}
	}
	const uint8_t *p2 = ps->as2path;
	size_t l2 = ps->as2path_len;
	size_t n2 = path_count(p2, l2, 2);
	size_t n4 = use4 ? path_count(ps->as4path, ps->as4path_len, 4) : 0;
	if (n2 < n4)
		use4 = false;
	size_t take = use4 ? n2 - n4 : SIZE_MAX;
	struct attr_blob *b = blob_new(ps, ATTR_AS_PATH, 2 * l2 + (use4 ? ps->as4path_len : 0));
	if (b == NULL)
		return -1;
	size_t o = 0;
	for (size_t i = 0; i + 2 <= l2 && take > 0;) {
		uint8_t type = p2[i], count = p2[i + 1];
		unsigned c = count;
		if (type == AS_SEQUENCE) {
			c = take < count ? (unsigned)take : count;
			take -= c;
		} else if (type == AS_SET) {
			take--;
		}
		o += widen_seg(b->data + o, type, p2 + i + 2, c);
		i += 2 + 2 * (size_t)count;
	}
	if (use4) {
		const uint8_t *p4 = ps->as4path;
		for (size_t i = 0; i + 2 <= ps->as4path_len; i += 2 + 4 * (size_t)p4[i + 1]) {
			if (p4[i] == AS_CONFED_SEQUENCE || p4[i] == AS_CONFED_SET)
				continue; /* RFC 6793 6: confed segments in AS4_PATH dropped */
			size_t sl = 2 + 4 * (size_t)p4[i + 1];
			memcpy(b->data + o, p4 + i, sl);
			o += sl;
		}
	}
	b->len = (uint32_t)o;
	a->aspath = o > 0 ? b : NULL;
	return 0;
}

/* ---- unknown attributes ---- */

static int
unknown_blob(struct pstate *ps)
{
	struct unk_attr *k = ps->unk;
	size_t total = 0;
	/* ascending type order; usually already sorted and short */
	for (unsigned i = 1; i < ps->nunk; i++) {
		struct unk_attr t = k[i];
		unsigned j = i;
		for (; j > 0 && k[j - 1].type > t.type; j--)
			k[j] = k[j - 1];
		k[j] = t;
	}
	for (unsigned i = 0; i < ps->nunk; i++)
		total += (k[i].len > 255 ? 4 : 3) + k[i].len;
	struct attr_blob *b = blob_new(ps, ATTR_BLOB_UNKNOWN, total);
	if (b == NULL)
		return -1;
	uint8_t *o = b->data;
	for (unsigned i = 0; i < ps->nunk; i++) {
		bool ext = k[i].len > 255;
		*o++ = (uint8_t)((k[i].flags & (F_OT | ATTR_FLAG_PARTIAL)) | ATTR_FLAG_PARTIAL |
				 (ext ? ATTR_FLAG_EXTLEN : 0));
		*o++ = k[i].type;
		if (ext)
			*o++ = (uint8_t)(k[i].len >> 8);
		*o++ = (uint8_t)k[i].len;
		memcpy(o, k[i].v, k[i].len);
		o += k[i].len;
	}
	ps->u->attrs.unknown = b;
	return 0;
}

/* ---- the parse ---- */

static void
missing(struct pstate *ps, uint8_t type, const char *name)
{
	/* 3d: well-known mandatory attribute missing -> treat-as-withdraw (data: type code) */
	uint8_t *code = &ps->missing[ps->nmissing++];
	*code = type;
	note(ps, TAW, BGP_UPDERR_MISSING_WK, code, 1, name, "missing");
}

/* Pass 1: attribute headers only. Returns the length of the list that can be walked. */
static int
walk_headers(struct pstate *ps, const uint8_t *attrs, size_t tpal, size_t *walk_len,
	     struct attr_hdr *reach, struct attr_hdr *unreach, unsigned *count)
{
	struct rd r;
	struct attr_hdr h;
	int rc;
	bool have_reach = false, have_unreach = false;
	rd_init(&r, attrs, tpal);
	*count = 0;
	reach->raw = unreach->raw = NULL;
	const uint8_t *last = r.p;
	while ((rc = attr_next(&r, &h)) > 0) {
		(*count)++;
		last = r.p;
		if (h.type == ATTR_MP_REACH) {
			if (have_reach) /* 3g: MP_REACH more than once -> reset 3/1 */
				return reset(ps, BGP_UPDERR_MALFORMED_ATTR_LIST, NULL, 0,
					     "MP_REACH_NLRI", "duplicate");
			have_reach = true;
			*reach = h;
		} else if (h.type == ATTR_MP_UNREACH) {
			if (have_unreach)
				return reset(ps, BGP_UPDERR_MALFORMED_ATTR_LIST, NULL, 0,
					     "MP_UNREACH_NLRI", "duplicate");
			have_unreach = true;
			*unreach = h;
		}
	}
	*walk_len = (size_t)(last - attrs);
	if (rc < 0) {
		/* 4: an attribute runs past TPAL -> treat-as-withdraw, NLRI found through TPAL;
		 * but an MP attribute that cannot be parsed takes its NLRI with it (5.3) */
		size_t left = tpal - *walk_len;
		uint8_t type = left >= 2 ? last[1] : 0;
		if (type == ATTR_MP_REACH || type == ATTR_MP_UNREACH)
			return reset(ps, BGP_UPDERR_MALFORMED_ATTR_LIST, NULL, 0,
				     attr_tab[type].name, "overruns the attribute list");
		note(ps, TAW, BGP_UPDERR_MALFORMED_ATTR_LIST, NULL, 0, "attribute list",
		     "attribute overruns the attribute list");
		(*count)++;
	}
	return 0;
}

int
bgp_update_parse(const uint8_t *body, size_t len, struct bgp_parse_ctx *ctx, struct bgp_update *u)
{
	struct pstate ps;
	struct rd r;
	uint16_t wrl, tpal;
	const uint8_t *wd, *attrs;
	struct attr_hdr reach = {0}, unreach = {0}, h;
	size_t walk_len = 0;
	unsigned nattrs = 0;

	memset(u, 0, sizeof *u);
	memset(&ps, 0, offsetof(struct pstate, unk));
	ps.ctx = ctx;
	ps.u = u;
	ps.sp = ctx->scratch;
	ps.sleft = sizeof ctx->scratch;

	/* 3b: WRL + TPAL + 23 > message length -> reset 3/1 */
	rd_init(&r, body, len);
	if (rd_u16(&r, &wrl) < 0 || rd_ptr(&r, &wd, wrl) < 0 || rd_u16(&r, &tpal) < 0 ||
	    rd_ptr(&r, &attrs, tpal) < 0)
		return reset(&ps, BGP_UPDERR_MALFORMED_ATTR_LIST, NULL, 0, "UPDATE",
			     "withdrawn or attribute length overruns the message");
	u->has_attrs = tpal > 0;
	bool ap4 = (ctx->addpath_rx & BGP_FAM_BIT(BGP_FAM_V4)) != 0;
	/* 3i, 5.3: the Withdrawn and NLRI fields must parse completely -> else reset 3/10 */
	if (nlri_check(wd, wrl, BGP_FAM_V4, ap4) < 0)
		return reset(&ps, BGP_UPDERR_INVALID_NETWORK, NULL, 0, "Withdrawn Routes",
			     "bad prefix");
	nlri_set(&u->withdrawn, BGP_FAM_V4, ap4, wd, wrl);
	if (nlri_check(r.p, rd_left(&r), BGP_FAM_V4, ap4) < 0)
		return reset(&ps, BGP_UPDERR_INVALID_NETWORK, NULL, 0, "NLRI", "bad prefix");
	nlri_set(&u->nlri, BGP_FAM_V4, ap4, r.p, rd_left(&r));
	ps.classic_nlri = rd_left(&r) > 0;
	if (!(ctx->fams & BGP_FAM_BIT(BGP_FAM_V4)) && (wrl > 0 || ps.classic_nlri)) {
		/* IPv4 unicast not negotiated (RFC 4760 7): the classic fields are ignored; the
		 * attributes are still checked as for an UPDATE with NLRI */
		u->ignored_fams |= (uint8_t)BGP_FAM_BIT(BGP_FAM_V4);
		u->withdrawn.len = 0;
		u->nlri.len = 0;
	}

	/* Pass 1: attribute headers; pass 2: MP NLRI. */
	if (walk_headers(&ps, attrs, tpal, &walk_len, &reach, &unreach, &nattrs) < 0)
		return -1;
	if (reach.raw != NULL && mp_reach(&ps, &reach) < 0)
		return -1;
	if (unreach.raw != NULL && mp_unreach(&ps, &unreach) < 0)
		return -1;

	/* Pass 3: attribute contents, as far as the list could be walked. */
	rd_init(&r, attrs, walk_len);
	while (attr_next(&r, &h) > 0)
		if (attr_one(&ps, &h) < 0)
			return -1;

	struct attrs *a = &u->attrs;
	if (!ctx->as4 && ps.as2path != NULL && aspath_merge(&ps) < 0)
		return reset(&ps, BGP_UPDERR_MALFORMED_ATTR_LIST, NULL, 0, "AS_PATH",
			     "out of parser scratch");
	if (ps.nunk > 0 && unknown_blob(&ps) < 0)
		return reset(&ps, BGP_UPDERR_MALFORMED_ATTR_LIST, NULL, 0, "attributes",
			     "out of parser scratch");
	if (u->has_mp_reach && !ps.classic_nlri) {
		a->nh_len = u->mp_nh_len;
		memcpy(a->nh, u->mp_nh, u->mp_nh_len);
	}
	bool mp_announce = u->has_mp_reach && u->mp_reach.len > 0;
	u->nh_split = ps.classic_nlri && mp_announce;

	/* 3d: well-known mandatory attributes for announcements */
	if (ps.classic_nlri || mp_announce) {
		if (!seen(&ps, ATTR_ORIGIN))
			missing(&ps, ATTR_ORIGIN, "ORIGIN");
		if (!seen(&ps, ATTR_AS_PATH))
			missing(&ps, ATTR_AS_PATH, "AS_PATH");
		if (ps.classic_nlri && !seen(&ps, ATTR_NEXT_HOP))
			missing(&ps, ATTR_NEXT_HOP, "NEXT_HOP");
	}

	/* End-of-RIB (RFC 4724 2): empty UPDATE, or only an empty MP_UNREACH */
	if (len == 4) {
		u->eor = true;
		u->eor_fam = BGP_FAM_V4;
	} else if (wrl == 0 && !ps.classic_nlri && reach.raw == NULL && u->has_mp_unreach &&
		   u->mp_unreach.len == 0 && nattrs == 1) {
		u->eor = true;
		u->eor_fam = u->mp_unreach.fam;
	}

	/* 5.2: attributes but no reachable NLRI, and an error beyond discard -> reset */
	if (u->action > DISCARD && !ps.classic_nlri && !ps.mp_reach_any && u->has_attrs &&
	    !u->eor) {
		static const char sfx[] = " (no NLRI: reset)";
		size_t l = strlen(u->reason);
		u->action = BGP_UPD_RESET;
		bgp_notify_set(&u->notify, BGP_ERR_UPDATE, ps.pend_sub, ps.pend_data, ps.pend_len);
		if (l + sizeof sfx <= sizeof u->reason)
			memcpy(u->reason + l, sfx, sizeof sfx);
		return -1;
	}
	return 0;
}
