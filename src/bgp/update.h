/*
 * UPDATE messages: parsing with RFC 7606 error handling, and packing for exports.
 *
 * Parsing (update.c) follows the practical order of bgp-errors.md section 3: walk the attribute
 * headers (lengths only, record MP_REACH/MP_UNREACH and duplicates), parse and validate every
 * NLRI field (classic withdrawn/NLRI, MP_REACH, MP_UNREACH), then validate each attribute's
 * content from the attribute table and keep the strongest outcome. The result points into the
 * message buffer and a per-message scratch area of the context; nothing is allocated, so a
 * failed parse leaks nothing. The caller interns u->attrs (attr_intern) when it keeps routes.
 *
 * Packing (update_pack.c): a builder fills one UPDATE with one attribute set and as many
 * prefixes as fit the peer's maximum message size.
 */
#ifndef BGP64_BGP_UPDATE_H
#define BGP64_BGP_UPDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp/attr.h"
#include "bgp/msg.h"
#include "lib/prefix.h"
#include "lib/rd.h"

/* RFC 7606 outcome, weakest first; the parse keeps the strongest. */
enum bgp_upd_action {
	BGP_UPD_OK,
	BGP_UPD_ATTR_DISCARD,	   /* some attributes dropped; routes processed normally */
	BGP_UPD_TREAT_AS_WITHDRAW, /* announced prefixes are withdrawn */
	BGP_UPD_AFI_DISABLE,	   /* not used by bgp64d: MP errors reset (bgp-errors.md) */
	BGP_UPD_RESET,		   /* NOTIFICATION in 'notify', close */
};

/*
 * Scratch needed for the worst case: the blobs of one UPDATE hold at most the attribute bytes
 * of the message, except a 2-octet AS_PATH, which doubles when widened (RFC 6793), plus the
 * blob headers. So twice the largest message is always enough.
 */
#define BGP_PARSE_SCRATCH (2 * BGP_MAX_EXT_MSG + 512)

/* What the parser must know about the session. */
struct bgp_parse_ctx {
	bool as4;	     /* 4-octet AS negotiated */
	bool ibgp;	     /* peer in our AS */
	bool check_first_as; /* eBGP: leftmost AS must be peer_as, else treat-as-withdraw */
	uint32_t peer_as;
	uint32_t local_as;
	uint8_t addpath_rx; /* BGP_FAM_BIT set: path ids precede prefixes */
	/*
	 * BGP_FAM_BIT set of the families negotiated. NLRI of another family (classic IPv4
	 * fields included) is checked for framing, then ignored (RFC 4760 7): see ignored_fams.
	 */
	uint8_t fams;
	/*
	 * Per-message temporaries: the blobs of bgp_update.attrs live here until the next parse
	 * with this context (so one context may serve every session of the event loop).
	 */
	_Alignas(16) uint8_t scratch[BGP_PARSE_SCRATCH];
};

/* An NLRI field already checked to parse completely; iterate with bgp_nlri_next(). */
struct bgp_nlri {
	enum bgp_fam fam;
	bool addpath;
	const uint8_t *p;
	size_t len;
};

struct bgp_update {
	enum bgp_upd_action action;
	struct bgp_notify notify; /* when action == RESET */
	char reason[128];	  /* first error, for the log ("AS_PATH: segment overrun") */
	unsigned discarded;	  /* attributes dropped by attribute-discard */
	bool has_attrs;		  /* any path attribute present */
	struct attrs attrs;	  /* template (not interned); blobs are temporaries */
	/* prefixes */
	struct bgp_nlri withdrawn; /* classic, IPv4 */
	struct bgp_nlri nlri;	   /* classic, IPv4, next hop in attrs (nh_len 4) */
	bool has_mp_reach, has_mp_unreach;
	struct bgp_nlri mp_reach; /* its next hop is in attrs.nh (16/32 for IPv6, or 4) */
	struct bgp_nlri mp_unreach;
	uint8_t ignored_fams; /* BGP_FAM_BIT: NLRI of a family not negotiated, dropped */
	bool eor;	      /* End-of-RIB */
	enum bgp_fam eor_fam;
	/*
	 * The MP_REACH next hop, always (when has_mp_reach). attrs.nh is the NEXT_HOP attribute
	 * when the UPDATE has classic NLRI, else the MP_REACH next hop. When both kinds of NLRI
	 * are present (legal, never sent by BIRD/FRR), nh_split is set and the mp_reach prefixes
	 * need bgp_update_mp_attrs().
	 */
	uint8_t mp_nh_len;
	uint8_t mp_nh[32];
	bool nh_split;
};

/*
 * Parses an UPDATE body (after the header). Returns 0 (look at u->action) or -1 only when
 * u->action is RESET. Unknown AFI/SAFI in MP attributes are skipped (not an error), and so is
 * the NLRI of a known family that ctx->fams lacks (u->ignored_fams says which).
 *
 * The caller processes withdrawn and mp_unreach first, then nlri and mp_reach (RFC 4271: the
 * announcement wins over a withdrawal of the same prefix in one UPDATE). With
 * TREAT_AS_WITHDRAW, nlri and mp_reach are still iterable: withdraw them. An iBGP UPDATE
 * without LOCAL_PREF is left so (ATTRS_LOCAL_PREF clear); the RIB assumes its default.
 * u->attrs is valid only when there are announcements and the action is OK or ATTR_DISCARD;
 * its blobs live in ctx->scratch until the next parse with ctx.
 */
int bgp_update_parse(const uint8_t *body, size_t len, struct bgp_parse_ctx *ctx,
		     struct bgp_update *u);
/*
 * Next prefix of a validated NLRI field; 1 while there is one, 0 at the end. Bits past the
 * prefix length are cleared. *path_id is 0 without ADD-PATH; path_id may be NULL.
 */
int bgp_nlri_next(struct bgp_nlri *n, struct prefix *p, uint32_t *path_id);
/* Fills t with u->attrs whose next hop is the MP_REACH one (for nh_split UPDATEs). */
void bgp_update_mp_attrs(const struct bgp_update *u, struct attrs *t);

/* ---- packing (update_pack.c) ---- */

/* How to encode attributes for one peer (group). */
struct bgp_enc_ctx {
	bool as4;	    /* else 2-octet AS_PATH with AS4_PATH where needed */
	size_t max_msg;	    /* 4096 or 65535 */
	uint8_t addpath_tx; /* families with path ids (always id 1 from us) */
};

struct bgp_upd_builder {
	struct wr w;
	const struct bgp_enc_ctx *ctx;
	enum bgp_fam fam;
	bool withdraw;
	bool mp;	     /* prefixes go into MP_REACH / MP_UNREACH */
	size_t attr_len_off; /* offset of Total Path Attribute Length */
	size_t mp_len_off;   /* offset of the MP attribute's 2-byte length */
	size_t start_prefix; /* offset where prefixes start */
	unsigned count;
	uint8_t *buf;
	/*
	 * MP_REACH must be the first attribute and grows with every prefix, so the other
	 * attributes wait at the end of buf (tail_off, tail_len) and move behind it in finish.
	 */
	size_t tail_off, tail_len;
};

/*
 * Starts an UPDATE announcing prefixes of family fam with attribute set a (its nh is the next
 * hop: 4 bytes -> NEXT_HOP + classic NLRI for IPv4; 16/32 bytes -> MP_REACH, which for IPv4
 * NLRI is RFC 8950). buf must hold ctx->max_msg bytes. Returns -1 when the attributes alone do
 * not fit.
 */
int bgp_ub_announce(struct bgp_upd_builder *b, uint8_t *buf, const struct bgp_enc_ctx *ctx,
		    enum bgp_fam fam, const struct attrs *a);
/* Starts an UPDATE withdrawing prefixes of fam (classic Withdrawn for IPv4, MP_UNREACH else). */
int bgp_ub_withdraw(struct bgp_upd_builder *b, uint8_t *buf, const struct bgp_enc_ctx *ctx,
		    enum bgp_fam fam);
/* Adds one prefix; -1 when it does not fit (finish this message and start another). */
int bgp_ub_add(struct bgp_upd_builder *b, const struct prefix *p);
/* Completes lengths; returns the message length (0 if no prefix was added). */
size_t bgp_ub_finish(struct bgp_upd_builder *b);

/*
 * Encodes the path attributes of a (no MP attributes, no NEXT_HOP) for the given context, in
 * ascending type order with the unknown transitive ones merged in; used by the builder,
 * exposed for tests. An attribute longer than 65535 octets sets w->err.
 */
void bgp_attrs_encode(struct wr *w, const struct attrs *a, const struct bgp_enc_ctx *ctx);

#endif
