/*
 * BGP message codec for everything but UPDATE: the 19-octet header, OPEN with its optional
 * parameters (classic RFC 4271 form and RFC 9072 extended form) and capabilities (RFC 5492),
 * NOTIFICATION with the shutdown communication (RFC 8203/9003), KEEPALIVE, ROUTE-REFRESH
 * (RFC 2918/7313) and End-of-RIB (RFC 4724).
 *
 * Parsers read only through the checked reader of lib/rd.h and report errors as the
 * NOTIFICATION to send; encoders write through the checked writer and check once at the end.
 * Capabilities are decoded by a table (one row per code: minimum length, length modulus,
 * decoder). Nothing here allocates, logs or keeps state.
 */
#include "bgp/msg.h"

#include <string.h>

#include "lib/rd.h"

/* ---- families ---- */

int
bgp_fam_of(uint16_t afi, uint8_t safi)
{
	if (safi != BGP_SAFI_UNICAST)
		return -1;
	if (afi == BGP_AFI_IPV4)
		return BGP_FAM_V4;
	if (afi == BGP_AFI_IPV6)
		return BGP_FAM_V6;
	return -1;
}

uint16_t
bgp_fam_afi(enum bgp_fam f)
{
	return f == BGP_FAM_V6 ? BGP_AFI_IPV6 : BGP_AFI_IPV4;
}

const char *
bgp_fam_name(enum bgp_fam f)
{
	switch (f) {
	case BGP_FAM_V4:
		return "ipv4-unicast";
	case BGP_FAM_V6:
		return "ipv6-unicast";
	default:
		return "unknown";
	}
}

/* ---- NOTIFICATION codes and names ---- */

void
bgp_notify_set(struct bgp_notify *n, uint8_t code, uint8_t subcode, const void *data, size_t len)
{
	n->code = code;
	n->subcode = subcode;
	if (data == NULL || len > BGP_NOTIFY_DATA_MAX)
		len = data == NULL ? 0 : BGP_NOTIFY_DATA_MAX;
	n->data_len = (uint16_t)len;
	if (len > 0)
		memcpy(n->data, data, len);
}

static const char *const code_names[] = {
    [1] = "Message Header Error",	 [2] = "OPEN Message Error",
    [3] = "UPDATE Message Error",	 [4] = "Hold Timer Expired",
    [5] = "Finite State Machine Error",	 [6] = "Cease",
    [7] = "ROUTE-REFRESH Message Error", [8] = "Send Hold Timer Expired",
};

static const char *const hdr_sub[] = {
    [1] = "Connection Not Synchronized",
    [2] = "Bad Message Length",
    [3] = "Bad Message Type",
};

static const char *const open_sub[] = {
    [0] = "Unspecific",
    [1] = "Unsupported Version Number",
    [2] = "Bad Peer AS",
    [3] = "Bad BGP Identifier",
    [4] = "Unsupported Optional Parameter",
    [5] = "Authentication Failure",
    [6] = "Unacceptable Hold Time",
    [7] = "Unsupported Capability",
    [11] = "Role Mismatch",
};

static const char *const update_sub[] = {
    [1] = "Malformed Attribute List",
    [2] = "Unrecognized Well-known Attribute",
    [3] = "Missing Well-known Attribute",
    [4] = "Attribute Flags Error",
    [5] = "Attribute Length Error",
    [6] = "Invalid ORIGIN Attribute",
    [7] = "AS Routing Loop",
    [8] = "Invalid NEXT_HOP Attribute",
    [9] = "Optional Attribute Error",
    [10] = "Invalid Network Field",
    [11] = "Malformed AS_PATH",
};

static const char *const fsm_sub[] = {
    [0] = "Unspecified Error",
    [1] = "Unexpected Message in OpenSent State",
    [2] = "Unexpected Message in OpenConfirm State",
    [3] = "Unexpected Message in Established State",
};

static const char *const cease_sub[] = {
    [1] = "Maximum Number of Prefixes Reached",
    [2] = "Administrative Shutdown",
    [3] = "Peer De-configured",
    [4] = "Administrative Reset",
    [5] = "Connection Rejected",
    [6] = "Other Configuration Change",
    [7] = "Connection Collision Resolution",
    [8] = "Out of Resources",
    [9] = "Hard Reset",
    [10] = "BFD Down",
};

static const char *const rr_sub[] = {
    [1] = "Invalid Message Length",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

const char *
bgp_notify_code_name(uint8_t code)
{
	if (code < NELEM(code_names) && code_names[code] != NULL)
		return code_names[code];
	return "Unknown Error";
}

const char *
bgp_notify_subcode_name(uint8_t code, uint8_t subcode)
{
	const char *const *t = NULL;
	size_t n = 0;
	switch (code) {
	case BGP_ERR_HEADER:
		t = hdr_sub, n = NELEM(hdr_sub);
		break;
	case BGP_ERR_OPEN:
		t = open_sub, n = NELEM(open_sub);
		break;
	case BGP_ERR_UPDATE:
		t = update_sub, n = NELEM(update_sub);
		break;
	case BGP_ERR_FSM:
		t = fsm_sub, n = NELEM(fsm_sub);
		break;
	case BGP_ERR_CEASE:
		t = cease_sub, n = NELEM(cease_sub);
		break;
	case BGP_ERR_RREFRESH:
		t = rr_sub, n = NELEM(rr_sub);
		break;
	default:
		break;
	}
	if (t != NULL && subcode < n && t[subcode] != NULL)
		return t[subcode];
	return subcode == 0 ? "Unspecific" : "Unknown Subcode";
}

/* ---- header ---- */

static void
put_header(struct wr *w, uint8_t type)
{
	for (int i = 0; i < 16; i++)
		wr_u8(w, 0xff);
	wr_u16(w, 0); /* length, filled by finish_msg() */
	wr_u8(w, type);
}

static size_t
finish_msg(struct wr *w)
{
	if (w->err || w->len > BGP_MAX_EXT_MSG)
		return 0;
	wr_put_u16_at(w, 16, (uint16_t)w->len);
	return w->len;
}

static int
len_error(struct bgp_notify *n, uint16_t len)
{
	uint8_t d[2] = {(uint8_t)(len >> 8), (uint8_t)len};
	bgp_notify_set(n, BGP_ERR_HEADER, BGP_HDRERR_BAD_LEN, d, 2);
	return -1;
}

int
bgp_msg_header(const uint8_t *p, size_t max_len, uint8_t *type, uint16_t *len, struct bgp_notify *n)
{
	for (int i = 0; i < 16; i++) {
		if (p[i] != 0xff) {
			bgp_notify_set(n, BGP_ERR_HEADER, BGP_HDRERR_NOT_SYNC, NULL, 0);
			return -1;
		}
	}
	uint16_t l = (uint16_t)((p[16] << 8) | p[17]);
	uint8_t t = p[18];
	if (l < BGP_HDR_LEN || l > max_len)
		return len_error(n, l);
	size_t min;
	switch (t) {
	case BGP_OPEN:
		min = 29;
		if (l > BGP_MAX_MSG) /* RFC 8654: OPEN stays within 4096 */
			return len_error(n, l);
		break;
	case BGP_UPDATE:
		min = 23;
		break;
	case BGP_NOTIFICATION:
		min = 21;
		break;
	case BGP_KEEPALIVE:
		if (l != BGP_HDR_LEN)
			return len_error(n, l);
		min = BGP_HDR_LEN;
		break;
	case BGP_ROUTE_REFRESH:
		min = 23; /* longer only with ORF; BoRR/EoRR length is 7/1, bgp_rrefresh_parse */
		break;
	default:
		bgp_notify_set(n, BGP_ERR_HEADER, BGP_HDRERR_BAD_TYPE, &t, 1);
		return -1;
	}
	if (l < min)
		return len_error(n, l);
	*type = t;
	*len = l;
	return 0;
}

/* ---- UTF-8 (RFC 3629: shortest form, no surrogates, <= U+10FFFF) ---- */

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0 when invalid. */
static size_t
utf8_seq(const uint8_t *s, size_t n, uint32_t *cp)
{
	uint8_t c = s[0];
	size_t k;
	uint32_t v, min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		k = 2, v = c & 0x1fu, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		k = 3, v = c & 0x0fu, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		k = 4, v = c & 0x07u, min = 0x10000;
	} else {
		return 0;
	}
	if (n < k)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3fu);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return k;
}

static bool
is_control(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f);
}

/*
 * Copies valid UTF-8 from s into out (NUL-terminated, whole characters only), replacing
 * control characters with '?'. With strict, invalid UTF-8 fails (-1); otherwise each invalid
 * byte becomes '?'. Returns the octets written.
 */
static int
utf8_sanitize(const uint8_t *s, size_t n, char *out, size_t outlen, bool strict)
{
	size_t o = 0;
	if (outlen == 0)
		return strict ? -1 : 0;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = utf8_seq(s + i, n - i, &cp);
		const uint8_t *src = s + i;
		uint8_t q = '?';
		if (k == 0) {
			if (strict)
				return -1;
			src = &q, k = 1, i++;
		} else {
			i += k;
			if (is_control(cp))
				src = &q, k = 1;
		}
		if (o + k >= outlen)
			break;
		memcpy(out + o, src, k);
		o += k;
	}
	out[o] = '\0';
	return (int)o;
}

/* ---- NOTIFICATION ---- */

int
bgp_notify_parse(const uint8_t *body, size_t len, struct bgp_notify *n)
{
	struct rd r;
	rd_init(&r, body, len);
	uint8_t code, sub;
	if (rd_u8(&r, &code) < 0 || rd_u8(&r, &sub) < 0) {
		bgp_notify_set(n, BGP_ERR_HEADER, BGP_HDRERR_BAD_LEN, NULL, 0);
		return -1;
	}
	bgp_notify_set(n, code, sub, r.p, rd_left(&r));
	return 0;
}

size_t
bgp_notify_encode(uint8_t *buf, size_t cap, const struct bgp_notify *n)
{
	struct wr w;
	wr_init(&w, buf, cap);
	put_header(&w, BGP_NOTIFICATION);
	wr_u8(&w, n->code);
	wr_u8(&w, n->subcode);
	wr_bytes(&w, n->data,
		 n->data_len > BGP_NOTIFY_DATA_MAX ? BGP_NOTIFY_DATA_MAX : n->data_len);
	return finish_msg(&w);
}

int
bgp_notify_shutdown_msg(const struct bgp_notify *n, char *out, size_t outlen)
{
	if (outlen > 0)
		out[0] = '\0';
	if (n->code != BGP_ERR_CEASE ||
	    (n->subcode != BGP_CEASE_ADMIN_SHUTDOWN && n->subcode != BGP_CEASE_ADMIN_RESET))
		return 0;
	if (n->data_len == 0 || n->data[0] == 0)
		return 0;
	size_t l = n->data[0];
	if (1 + l > n->data_len) /* runs past the message */
		return -1;
	if (utf8_sanitize(n->data + 1, l, out, outlen, true) < 0) {
		if (outlen > 0)
			out[0] = '\0';
		return -1;
	}
	return 1;
}

#define SHUTDOWN_MSG_SEND_MAX 128 /* RFC 8203 limit, safe when RFC 9003 support is unknown */

void
bgp_notify_cease(struct bgp_notify *n, uint8_t subcode, const char *msg)
{
	bgp_notify_set(n, BGP_ERR_CEASE, subcode, NULL, 0);
	if (msg == NULL || msg[0] == '\0' ||
	    (subcode != BGP_CEASE_ADMIN_SHUTDOWN && subcode != BGP_CEASE_ADMIN_RESET))
		return;
	/* Shortest-form UTF-8 only: invalid bytes become '?', cut at a character boundary. */
	char tmp[SHUTDOWN_MSG_SEND_MAX + 1];
	int l = utf8_sanitize((const uint8_t *)msg, strlen(msg), tmp, sizeof tmp, false);
	n->data[0] = (uint8_t)l;
	memcpy(n->data + 1, tmp, (size_t)l);
	n->data_len = (uint16_t)(1 + l);
}

/* ---- KEEPALIVE, ROUTE-REFRESH, End-of-RIB ---- */

size_t
bgp_keepalive_encode(uint8_t *buf, size_t cap)
{
	struct wr w;
	wr_init(&w, buf, cap);
	put_header(&w, BGP_KEEPALIVE);
	return finish_msg(&w);
}

int
bgp_rrefresh_parse(const uint8_t *body, size_t len, struct bgp_rrefresh *rr, struct bgp_notify *n)
{
	struct rd r;
	rd_init(&r, body, len);
	if (rd_u16(&r, &rr->afi) < 0 || rd_u8(&r, &rr->subtype) < 0 || rd_u8(&r, &rr->safi) < 0)
		return len_error(n, (uint16_t)(len + BGP_HDR_LEN));
	if ((rr->subtype == BGP_RR_BORR || rr->subtype == BGP_RR_EORR) && len != 4) {
		/* RFC 7313 5: data is the whole ROUTE-REFRESH message */
		uint8_t m[BGP_NOTIFY_DATA_MAX];
		struct wr w;
		wr_init(&w, m, sizeof m);
		put_header(&w, BGP_ROUTE_REFRESH);
		size_t total = len + BGP_HDR_LEN;
		wr_put_u16_at(&w, 16, (uint16_t)(total > 0xffff ? 0xffff : total));
		size_t room = sizeof m - w.len;
		wr_bytes(&w, body, len < room ? len : room);
		bgp_notify_set(n, BGP_ERR_RREFRESH, 1, m, w.len);
		return -1;
	}
	return 0;
}

size_t
bgp_rrefresh_encode(uint8_t *buf, size_t cap, const struct bgp_rrefresh *rr)
{
	struct wr w;
	wr_init(&w, buf, cap);
	put_header(&w, BGP_ROUTE_REFRESH);
	wr_u16(&w, rr->afi);
	wr_u8(&w, rr->subtype);
	wr_u8(&w, rr->safi);
	return finish_msg(&w);
}

size_t
bgp_eor_encode(uint8_t *buf, size_t cap, enum bgp_fam f)
{
	struct wr w;
	wr_init(&w, buf, cap);
	put_header(&w, BGP_UPDATE);
	wr_u16(&w, 0); /* withdrawn routes length */
	if (f == BGP_FAM_V4) {
		wr_u16(&w, 0); /* no attributes, no NLRI */
	} else {
		wr_u16(&w, 6);
		wr_u8(&w, 0x80); /* MP_UNREACH_NLRI, optional non-transitive */
		wr_u8(&w, 15);
		wr_u8(&w, 3);
		wr_u16(&w, bgp_fam_afi(f));
		wr_u8(&w, BGP_SAFI_UNICAST);
	}
	return finish_msg(&w);
}

/* ---- capabilities ---- */

enum cap_code {
	CAP_MP = 1,
	CAP_RR = 2,
	CAP_EXT_NH = 5,
	CAP_EXT_MSG = 6,
	CAP_GR = 64,
	CAP_AS4 = 65,
	CAP_ADDPATH = 69,
	CAP_ERR = 70,
	CAP_FQDN = 73,
	CAP_RR_OLD = 128,
};

#define GR_R_BIT     0x8000
#define GR_N_BIT     0x4000
#define GR_TIME_MASK 0x0fff

/* Decoders get the capability value in r; -1 when malformed (2/0). */
typedef int (*cap_fn)(struct rd *r, struct bgp_caps *c);

static int
cap_mp(struct rd *r, struct bgp_caps *c)
{
	uint16_t afi;
	uint8_t res, safi;
	if (rd_u16(r, &afi) < 0 || rd_u8(r, &res) < 0 || rd_u8(r, &safi) < 0)
		return -1;
	c->mp_any = true;
	int f = bgp_fam_of(afi, safi);
	if (f >= 0)
		c->mp |= (uint8_t)BGP_FAM_BIT(f);
	return 0;
}

static int
cap_rr(struct rd *r, struct bgp_caps *c)
{
	(void)r;
	c->route_refresh = true;
	return 0;
}

static int
cap_err(struct rd *r, struct bgp_caps *c)
{
	(void)r;
	c->enhanced_rr = true;
	return 0;
}

static int
cap_ext_msg(struct rd *r, struct bgp_caps *c)
{
	(void)r;
	c->ext_msg = true;
	return 0;
}

static int
cap_ext_nh(struct rd *r, struct bgp_caps *c)
{
	uint16_t afi, safi, nh_afi;
	while (rd_left(r) > 0) {
		if (rd_u16(r, &afi) < 0 || rd_u16(r, &safi) < 0 || rd_u16(r, &nh_afi) < 0)
			return -1;
		/* Only IPv4 NLRI with an IPv6 next hop is modelled (RFC 8950). */
		if (afi == BGP_AFI_IPV4 && safi == BGP_SAFI_UNICAST && nh_afi == BGP_AFI_IPV6)
			c->ext_nh |= BGP_FAM_BIT(BGP_FAM_V4);
	}
	return 0;
}

static int
cap_gr(struct rd *r, struct bgp_caps *c)
{
	uint16_t word, afi;
	uint8_t safi, flags;
	if (rd_u16(r, &word) < 0)
		return -1;
	/* Several instances: the last one counts (RFC 4724 3). */
	c->gr = true;
	c->gr_restarted = (word & GR_R_BIT) != 0;
	c->gr_notification = (word & GR_N_BIT) != 0;
	c->gr_time = word & GR_TIME_MASK;
	c->gr_fams = c->gr_fwd = 0;
	while (rd_left(r) > 0) {
		if (rd_u16(r, &afi) < 0 || rd_u8(r, &safi) < 0 || rd_u8(r, &flags) < 0)
			return -1;
		int f = bgp_fam_of(afi, safi);
		if (f < 0)
			continue;
		c->gr_fams |= (uint8_t)BGP_FAM_BIT(f);
		if (flags & BGP_GR_F_FORWARDING)
			c->gr_fwd |= (uint8_t)BGP_FAM_BIT(f);
	}
	return 0;
}

static int
cap_as4(struct rd *r, struct bgp_caps *c)
{
	if (rd_u32(r, &c->as4_value) < 0)
		return -1;
	c->as4 = true;
	return 0;
}

static int
cap_addpath(struct rd *r, struct bgp_caps *c)
{
	uint16_t afi;
	uint8_t safi, sr;
	while (rd_left(r) > 0) {
		if (rd_u16(r, &afi) < 0 || rd_u8(r, &safi) < 0 || rd_u8(r, &sr) < 0)
			return -1;
		int f = bgp_fam_of(afi, safi);
		if (f < 0 || sr < 1 || sr > 3) /* RFC 7911 4: ignore other values */
			continue;
		if (sr & 1)
			c->addpath_rx |= (uint8_t)BGP_FAM_BIT(f);
		if (sr & 2)
			c->addpath_tx |= (uint8_t)BGP_FAM_BIT(f);
	}
	return 0;
}

static int
cap_fqdn(struct rd *r, struct bgp_caps *c)
{
	/* Informational: a malformed one is ignored rather than refusing the session. */
	uint8_t hl, dl;
	const uint8_t *h, *d;
	if (rd_u8(r, &hl) < 0 || rd_ptr(r, &h, hl) < 0 || rd_u8(r, &dl) < 0 ||
	    rd_ptr(r, &d, dl) < 0)
		return 0;
	utf8_sanitize(h, hl, c->hostname, sizeof c->hostname, false);
	utf8_sanitize(d, dl, c->domainname, sizeof c->domainname, false);
	return 0;
}

static const struct cap_row {
	cap_fn fn;
	uint8_t min; /* minimum value length */
	uint8_t mod; /* length - min must be a multiple of this; 0: exactly min */
} cap_tab[256] = {
    [CAP_MP] = {cap_mp, 4, 0},		 [CAP_RR] = {cap_rr, 0, 1},
    [CAP_EXT_NH] = {cap_ext_nh, 0, 6},	 [CAP_EXT_MSG] = {cap_ext_msg, 0, 1},
    [CAP_GR] = {cap_gr, 2, 4},		 [CAP_AS4] = {cap_as4, 4, 0},
    [CAP_ADDPATH] = {cap_addpath, 0, 4}, [CAP_ERR] = {cap_err, 0, 1},
    [CAP_FQDN] = {cap_fqdn, 0, 1},	 [CAP_RR_OLD] = {cap_rr, 0, 1},
};

/* Capability TLVs of one type-2 optional parameter. */
static int
caps_parse(struct rd *r, struct bgp_caps *c)
{
	while (rd_left(r) > 0) {
		uint8_t code, l;
		struct rd v;
		if (rd_u8(r, &code) < 0 || rd_u8(r, &l) < 0 || rd_sub(r, &v, l) < 0)
			return -1;
		const struct cap_row *row = &cap_tab[code];
		if (row->fn == NULL)
			continue; /* unknown capability: ignore (RFC 5492 3) */
		if (l < row->min)
			return -1;
		if (row->mod == 0 ? l != row->min : (l - row->min) % row->mod != 0)
			return -1;
		if (row->fn(&v, c) < 0)
			return -1;
	}
	return 0;
}

#define OPT_PARAM_CAPS 2
#define OPT_PARAM_EXT  255 /* RFC 9072 marker in the Non-Ext OP Type position */
#define BGP_VERSION    4

static int
open_err(struct bgp_notify *n, uint8_t sub)
{
	bgp_notify_set(n, BGP_ERR_OPEN, sub, NULL, 0);
	return -1;
}

int
bgp_open_parse(const uint8_t *body, size_t len, struct bgp_open *o, struct bgp_notify *n)
{
	struct rd r;
	uint8_t optlen;
	memset(o, 0, sizeof *o);
	rd_init(&r, body, len);
	if (rd_u8(&r, &o->version) < 0 || rd_u16(&r, &o->my_as) < 0 || rd_u16(&r, &o->hold) < 0 ||
	    rd_u32(&r, &o->bgp_id) < 0 || rd_u8(&r, &optlen) < 0)
		return len_error(n, (uint16_t)(len + BGP_HDR_LEN));
	if (o->version != BGP_VERSION) {
		uint8_t d[2] = {0, BGP_VERSION};
		bgp_notify_set(n, BGP_ERR_OPEN, BGP_OPENERR_BAD_VERSION, d, 2);
		return -1;
	}
	if (o->hold == 1 || o->hold == 2)
		return open_err(n, BGP_OPENERR_BAD_HOLD);
	if (o->bgp_id == 0)
		return open_err(n, BGP_OPENERR_BAD_BGP_ID);

	/* RFC 9072: byte 9 non-zero and byte 10 == 255 is the extended form. */
	bool ext = optlen != 0 && rd_left(&r) > 0 && r.p[0] == OPT_PARAM_EXT;
	struct rd params;
	if (ext) {
		uint8_t mark;
		uint16_t elen;
		if (rd_u8(&r, &mark) < 0 || rd_u16(&r, &elen) < 0 || rd_left(&r) != elen)
			return open_err(n, BGP_OPENERR_MALFORMED);
		rd_sub(&r, &params, elen);
	} else {
		if (rd_left(&r) != optlen)
			return open_err(n, BGP_OPENERR_MALFORMED);
		rd_sub(&r, &params, optlen);
	}
	while (rd_left(&params) > 0) {
		uint8_t type;
		uint16_t plen;
		uint8_t plen8;
		struct rd v;
		if (rd_u8(&params, &type) < 0)
			return open_err(n, BGP_OPENERR_MALFORMED);
		if (ext ? rd_u16(&params, &plen) < 0 : rd_u8(&params, &plen8) < 0)
			return open_err(n, BGP_OPENERR_MALFORMED);
		if (!ext)
			plen = plen8;
		if (rd_sub(&params, &v, plen) < 0)
			return open_err(n, BGP_OPENERR_MALFORMED);
		if (type != OPT_PARAM_CAPS)
			return open_err(n, BGP_OPENERR_BAD_OPT_PARAM);
		if (caps_parse(&v, &o->caps) < 0)
			return open_err(n, BGP_OPENERR_MALFORMED);
	}
	o->as = o->caps.as4 ? o->caps.as4_value : o->my_as;
	return 0;
}

static void
put_cap(struct wr *w, uint8_t code, uint8_t len)
{
	wr_u8(w, code);
	wr_u8(w, len);
}

static void
put_caps(struct wr *w, const struct bgp_caps *c, uint32_t as)
{
	for (int f = 0; f < BGP_FAM_N; f++) {
		if (!(c->mp & BGP_FAM_BIT(f)))
			continue;
		put_cap(w, CAP_MP, 4);
		wr_u16(w, bgp_fam_afi((enum bgp_fam)f));
		wr_u8(w, 0);
		wr_u8(w, BGP_SAFI_UNICAST);
	}
	if (c->route_refresh)
		put_cap(w, CAP_RR, 0);
	if (c->ext_nh & BGP_FAM_BIT(BGP_FAM_V4)) {
		put_cap(w, CAP_EXT_NH, 6);
		wr_u16(w, BGP_AFI_IPV4);
		wr_u16(w, BGP_SAFI_UNICAST);
		wr_u16(w, BGP_AFI_IPV6);
	}
	if (c->ext_msg)
		put_cap(w, CAP_EXT_MSG, 0);
	if (c->gr) {
		unsigned nf = 0;
		for (int f = 0; f < BGP_FAM_N; f++)
			nf += (c->gr_fams & BGP_FAM_BIT(f)) != 0;
		put_cap(w, CAP_GR, (uint8_t)(2 + 4 * nf));
		wr_u16(w, (uint16_t)((c->gr_restarted ? GR_R_BIT : 0) |
				     (c->gr_notification ? GR_N_BIT : 0) |
				     (c->gr_time & GR_TIME_MASK)));
		for (int f = 0; f < BGP_FAM_N; f++) {
			if (!(c->gr_fams & BGP_FAM_BIT(f)))
				continue;
			wr_u16(w, bgp_fam_afi((enum bgp_fam)f));
			wr_u8(w, BGP_SAFI_UNICAST);
			wr_u8(w, (c->gr_fwd & BGP_FAM_BIT(f)) ? BGP_GR_F_FORWARDING : 0);
		}
	}
	if (c->as4) {
		put_cap(w, CAP_AS4, 4);
		wr_u32(w, c->as4_value != 0 ? c->as4_value : as);
	}
	uint8_t ap = c->addpath_rx | c->addpath_tx;
	if (ap) {
		unsigned nf = 0;
		for (int f = 0; f < BGP_FAM_N; f++)
			nf += (ap & BGP_FAM_BIT(f)) != 0;
		put_cap(w, CAP_ADDPATH, (uint8_t)(4 * nf)); /* all families in one TLV */
		for (int f = 0; f < BGP_FAM_N; f++) {
			if (!(ap & BGP_FAM_BIT(f)))
				continue;
			wr_u16(w, bgp_fam_afi((enum bgp_fam)f));
			wr_u8(w, BGP_SAFI_UNICAST);
			wr_u8(w, (uint8_t)(((c->addpath_rx & BGP_FAM_BIT(f)) ? 1 : 0) |
					   ((c->addpath_tx & BGP_FAM_BIT(f)) ? 2 : 0)));
		}
	}
	if (c->enhanced_rr)
		put_cap(w, CAP_ERR, 0);
	if (c->hostname[0] != '\0') {
		size_t hl = strnlen(c->hostname, sizeof c->hostname - 1);
		size_t dl = strnlen(c->domainname, sizeof c->domainname - 1);
		put_cap(w, CAP_FQDN, (uint8_t)(2 + hl + dl));
		wr_u8(w, (uint8_t)hl);
		wr_bytes(w, c->hostname, hl);
		wr_u8(w, (uint8_t)dl);
		wr_bytes(w, c->domainname, dl);
	}
	if (c->extra != NULL)
		wr_bytes(w, c->extra, c->extra_len);
}

size_t
bgp_open_encode(uint8_t *buf, size_t cap, const struct bgp_open *o)
{
	struct wr w;
	uint32_t as = o->as != 0 ? o->as : o->my_as;
	wr_init(&w, buf, cap < BGP_MAX_MSG ? cap : BGP_MAX_MSG);
	put_header(&w, BGP_OPEN);
	wr_u8(&w, BGP_VERSION);
	wr_u16(&w, as > 0xffff ? BGP_AS_TRANS : (uint16_t)as);
	wr_u16(&w, o->hold);
	wr_u32(&w, o->bgp_id);
	size_t optlen_off = w.len;
	wr_u8(&w, 0);
	/* Write the capabilities as one classic parameter first; widen if too long. */
	size_t param_off = w.len;
	wr_u8(&w, OPT_PARAM_CAPS);
	wr_u8(&w, 0);
	size_t caps_off = w.len;
	put_caps(&w, &o->caps, as);
	if (w.err)
		return 0;
	size_t caps_len = w.len - caps_off;
	if (caps_len == 0) {
		w.len = param_off; /* no parameters at all */
	} else if (caps_len + 2 <= 255) {
		buf[param_off + 1] = (uint8_t)caps_len;
		buf[optlen_off] = (uint8_t)(caps_len + 2);
	} else {
		/* RFC 9072: 255, 255, ext length(2), then type(1) length(2) value. */
		if (!wr_room(&w, 4))
			return 0;
		memmove(buf + caps_off + 4, buf + caps_off, caps_len);
		w.len = optlen_off;
		wr_u8(&w, 255);
		wr_u8(&w, OPT_PARAM_EXT);
		wr_u16(&w, (uint16_t)(caps_len + 3));
		wr_u8(&w, OPT_PARAM_CAPS);
		wr_u16(&w, (uint16_t)caps_len);
		w.len += caps_len;
	}
	return finish_msg(&w);
}
