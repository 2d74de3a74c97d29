/*
 * BGP wire codec for the whole messages: header, OPEN (with capabilities, RFC 9072 extended
 * parameters), NOTIFICATION, KEEPALIVE, ROUTE-REFRESH, End-of-RIB. UPDATE is in update.h.
 *
 * Parsers take (buffer, length, context) and nothing else (no sockets, timers or globals), so
 * they can be fuzzed; on error they fill a struct bgp_notify with the NOTIFICATION to send
 * (codes in ../shared/spec/bgp-errors.md). Encoders write into a caller buffer through the
 * checked writer and return the message length, or 0 when it did not fit.
 */
#ifndef BGP64_BGP_MSG_H
#define BGP64_BGP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BGP_HDR_LEN	19
#define BGP_MAX_MSG	4096
#define BGP_MAX_EXT_MSG 65535
#define BGP_PORT	179
#define BGP_AS_TRANS	23456

enum bgp_msg_type {
	BGP_OPEN = 1,
	BGP_UPDATE = 2,
	BGP_NOTIFICATION = 3,
	BGP_KEEPALIVE = 4,
	BGP_ROUTE_REFRESH = 5,
};

enum bgp_afi {
	BGP_AFI_IPV4 = 1,
	BGP_AFI_IPV6 = 2,
};
#define BGP_SAFI_UNICAST 1

/* Our families, as indexes and bits: index 0 = IPv4 unicast, 1 = IPv6 unicast. */
enum bgp_fam { BGP_FAM_V4 = 0, BGP_FAM_V6 = 1, BGP_FAM_N = 2 };
#define BGP_FAM_BIT(f) (1u << (f))
/* AFI/SAFI -> family index, or -1 when not one of ours. */
int bgp_fam_of(uint16_t afi, uint8_t safi);
uint16_t bgp_fam_afi(enum bgp_fam f);
const char *bgp_fam_name(enum bgp_fam f); /* "ipv4-unicast", "ipv6-unicast" */

/* NOTIFICATION codes (bgp-errors.md section 1). */
enum bgp_err_code {
	BGP_ERR_HEADER = 1,
	BGP_ERR_OPEN = 2,
	BGP_ERR_UPDATE = 3,
	BGP_ERR_HOLD = 4,
	BGP_ERR_FSM = 5,
	BGP_ERR_CEASE = 6,
	BGP_ERR_RREFRESH = 7,
	BGP_ERR_SEND_HOLD = 8,
};

enum bgp_cease_subcode {
	BGP_CEASE_MAX_PREFIX = 1,
	BGP_CEASE_ADMIN_SHUTDOWN = 2,
	BGP_CEASE_PEER_DECONFIGURED = 3,
	BGP_CEASE_ADMIN_RESET = 4,
	BGP_CEASE_CONN_REJECTED = 5,
	BGP_CEASE_CONFIG_CHANGE = 6,
	BGP_CEASE_COLLISION = 7,
	BGP_CEASE_OUT_OF_RESOURCES = 8,
	BGP_CEASE_HARD_RESET = 9,
};

/* Subcodes of codes 1, 2 and 3 (bgp-errors.md section 1). */
enum bgp_hdr_subcode {
	BGP_HDRERR_NOT_SYNC = 1,
	BGP_HDRERR_BAD_LEN = 2,
	BGP_HDRERR_BAD_TYPE = 3,
};

enum bgp_open_subcode {
	BGP_OPENERR_MALFORMED = 0, /* unspecific: parameter or capability framing */
	BGP_OPENERR_BAD_VERSION = 1,
	BGP_OPENERR_BAD_PEER_AS = 2,
	BGP_OPENERR_BAD_BGP_ID = 3,
	BGP_OPENERR_BAD_OPT_PARAM = 4,
	BGP_OPENERR_BAD_HOLD = 6,
	BGP_OPENERR_UNSUP_CAP = 7,
	BGP_OPENERR_ROLE_MISMATCH = 11,
};

enum bgp_update_subcode {
	BGP_UPDERR_MALFORMED_ATTR_LIST = 1,
	BGP_UPDERR_UNRECOGNIZED_WK = 2,
	BGP_UPDERR_MISSING_WK = 3,
	BGP_UPDERR_FLAGS_ERROR = 4,
	BGP_UPDERR_LENGTH_ERROR = 5,
	BGP_UPDERR_INVALID_ORIGIN = 6,
	BGP_UPDERR_INVALID_NEXT_HOP = 8,
	BGP_UPDERR_OPTIONAL_ATTR = 9,
	BGP_UPDERR_INVALID_NETWORK = 10,
	BGP_UPDERR_MALFORMED_AS_PATH = 11,
};

#define BGP_NOTIFY_DATA_MAX 256
struct bgp_notify {
	uint8_t code;
	uint8_t subcode;
	uint16_t data_len;
	uint8_t data[BGP_NOTIFY_DATA_MAX];
};

void bgp_notify_set(struct bgp_notify *n, uint8_t code, uint8_t subcode, const void *data,
		    size_t len);
/* "UPDATE Message Error / Malformed AS_PATH" style text for logs. */
const char *bgp_notify_code_name(uint8_t code);
const char *bgp_notify_subcode_name(uint8_t code, uint8_t subcode);

/*
 * Header check of a message whose first BGP_HDR_LEN bytes are available. Sets *type and
 * *len (whole message). max_len is 4096, or 65535 when we advertised extended messages.
 * Returns 0, or -1 with n filled (1/1, 1/2, 1/3, including the per-type length minimums).
 */
int bgp_msg_header(const uint8_t *p, size_t max_len, uint8_t *type, uint16_t *len,
		   struct bgp_notify *n);

/* ---- capabilities and OPEN ---- */

#define BGP_GR_F_FORWARDING 0x80
struct bgp_caps {
	uint8_t mp;	    /* BGP_FAM_BIT set of multiprotocol families advertised */
	bool mp_any;	    /* any MP capability seen (none at all = IPv4 unicast only) */
	bool route_refresh; /* code 2 or 128 */
	bool enhanced_rr;   /* code 70 */
	bool ext_msg;	    /* code 6 */
	bool as4;	    /* code 65 */
	uint32_t as4_value;
	uint8_t ext_nh;	      /* RFC 8950: families whose NLRI may carry an IPv6 next hop */
	bool gr;	      /* code 64 */
	bool gr_restarted;    /* R bit */
	bool gr_notification; /* N bit (RFC 8538) */
	uint16_t gr_time;     /* restart time, s */
	uint8_t gr_fams;      /* families listed */
	uint8_t gr_fwd;	      /* families with F set */
	uint8_t addpath_rx;   /* families the speaker can receive path ids for */
	uint8_t addpath_tx;   /* families the speaker will send path ids for */
	char hostname[64];    /* FQDN capability (73), informational, sanitised */
	char domainname[64];  /* FQDN capability (73), informational, sanitised */
	/*
	 * Encoding only: further capability TLVs (code, length, value) appended verbatim, for
	 * capabilities not modelled here. Ignored (left NULL) by the parser.
	 */
	const uint8_t *extra;
	uint16_t extra_len;
};

struct bgp_open {
	uint8_t version;
	uint16_t my_as; /* as sent (AS_TRANS for 4-octet ASes) */
	uint32_t as;	/* the real AS: caps.as4_value when present, else my_as */
	uint16_t hold;
	uint32_t bgp_id; /* host order */
	struct bgp_caps caps;
};

/*
 * Parses the body of an OPEN (after the 19-byte header). Checks version, hold time (0 or
 * >= 3), BGP identifier non-zero, optional parameter framing (classic and RFC 9072), capability
 * TLV framing. Peer AS and identifier collisions are the session's to check. 0 or -1 with n.
 * Errors: 2/1 (data: version 4 as 2 octets), 2/6, 2/3, 2/4 (unknown parameter type), 2/0 for
 * broken parameter/capability framing or a malformed capability we interpret (MP, 4-octet AS,
 * GR, ADD-PATH, extended next hop); a malformed FQDN capability is ignored (informational).
 * ADD-PATH tuples with a send/receive value other than 1..3 are ignored.
 */
int bgp_open_parse(const uint8_t *body, size_t len, struct bgp_open *o, struct bgp_notify *n);
/*
 * Encodes a whole OPEN message (header included) from o (caps as we advertise them). My AS is
 * o->as (or o->my_as when as is 0), written as AS_TRANS when above 65535; capability 65
 * carries caps.as4_value, or that AS when as4_value is 0. The capabilities go in one
 * parameter of the classic form, or the RFC 9072 extended form when longer than 255 octets.
 * Returns 0 when it does not fit cap (or 4096).
 */
size_t bgp_open_encode(uint8_t *buf, size_t cap, const struct bgp_open *o);

/* ---- NOTIFICATION, KEEPALIVE, ROUTE-REFRESH, End-of-RIB ---- */

/* Data longer than BGP_NOTIFY_DATA_MAX is truncated. -1 when len < 2. */
int bgp_notify_parse(const uint8_t *body, size_t len, struct bgp_notify *n);
size_t bgp_notify_encode(uint8_t *buf, size_t cap, const struct bgp_notify *n);
/*
 * Shutdown communication (RFC 8203/9003) of a received Cease 2 or 4: copies a sanitised,
 * NUL-terminated text (control characters replaced, invalid UTF-8 refused) into out.
 * Returns 1 when there is one, 0 when none, -1 when malformed.
 */
int bgp_notify_shutdown_msg(const struct bgp_notify *n, char *out, size_t outlen);
/* Builds a Cease with a shutdown communication (truncated to 128 octets at a UTF-8 boundary). */
void bgp_notify_cease(struct bgp_notify *n, uint8_t subcode, const char *msg);

size_t bgp_keepalive_encode(uint8_t *buf, size_t cap);

enum bgp_rr_subtype { BGP_RR_REQUEST = 0, BGP_RR_BORR = 1, BGP_RR_EORR = 2 };
struct bgp_rrefresh {
	uint16_t afi;
	uint8_t subtype;
	uint8_t safi;
};
/*
 * 0, or -1 with n (7/1 for a bad BoRR/EoRR length, data = the whole message rebuilt from the
 * body (truncated to BGP_NOTIFY_DATA_MAX); 1/2 when shorter than 4 octets). A request
 * (subtype 0) may be longer (ORF entries, ignored). Other subtypes are returned as they are:
 * the caller ignores them (RFC 7313).
 */
int bgp_rrefresh_parse(const uint8_t *body, size_t len, struct bgp_rrefresh *rr,
		       struct bgp_notify *n);
size_t bgp_rrefresh_encode(uint8_t *buf, size_t cap, const struct bgp_rrefresh *rr);

/* End-of-RIB for one family (bgp-wire.md section 9). */
size_t bgp_eor_encode(uint8_t *buf, size_t cap, enum bgp_fam f);

#endif
