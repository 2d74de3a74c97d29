/*
 * Message codec: header checks, OPEN and capabilities (classic and RFC 9072 parameters, every
 * OPEN error), NOTIFICATION with the shutdown communication, ROUTE-REFRESH, KEEPALIVE and
 * the End-of-RIB bytes of bgp-wire.md section 9.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bgp/msg.h"

/* ---- helpers ---- */

static size_t
hdr(uint8_t *m, uint16_t len, uint8_t type)
{
	memset(m, 0xff, 16);
	m[16] = (uint8_t)(len >> 8);
	m[17] = (uint8_t)len;
	m[18] = type;
	return BGP_HDR_LEN;
}

static void
expect_notify(const struct bgp_notify *n, uint8_t code, uint8_t sub, const void *data, size_t len)
{
	assert_int_equal(n->code, code);
	assert_int_equal(n->subcode, sub);
	assert_int_equal(n->data_len, len);
	if (len > 0)
		assert_memory_equal(n->data, data, len);
}

/* An OPEN body: version 4, AS, hold, id, then the optional parameters given. */
static size_t
open_body(uint8_t *b, uint8_t version, uint16_t as, uint16_t hold, uint32_t id,
	  const uint8_t *params, size_t plen)
{
	b[0] = version;
	b[1] = (uint8_t)(as >> 8), b[2] = (uint8_t)as;
	b[3] = (uint8_t)(hold >> 8), b[4] = (uint8_t)hold;
	b[5] = (uint8_t)(id >> 24), b[6] = (uint8_t)(id >> 16), b[7] = (uint8_t)(id >> 8);
	b[8] = (uint8_t)id;
	memcpy(b + 9, params, plen);
	return 9 + plen;
}

static int
parse_params(const uint8_t *params, size_t plen, struct bgp_open *o, struct bgp_notify *n)
{
	uint8_t b[4096];
	size_t l = open_body(b, 4, 64500, 90, 0x0a000001, params, plen);
	return bgp_open_parse(b, l, o, n);
}

/* ---- header ---- */

static void
test_header(void **state)
{
	(void)state;
	uint8_t m[BGP_HDR_LEN];
	uint8_t type;
	uint16_t len;
	struct bgp_notify n;

	hdr(m, 19, BGP_KEEPALIVE);
	assert_int_equal(bgp_msg_header(m, BGP_MAX_MSG, &type, &len, &n), 0);
	assert_int_equal(type, BGP_KEEPALIVE);
	assert_int_equal(len, 19);

	/* 1/1: marker not all ones */
	m[7] = 0xfe;
	assert_int_equal(bgp_msg_header(m, BGP_MAX_MSG, &type, &len, &n), -1);
	expect_notify(&n, 1, 1, NULL, 0);

	/* 1/2 with the length octets: too short, too long, per type */
	static const struct {
		uint16_t len;
		uint8_t type;
		size_t max;
		int ok;
	} cases[] = {
	    {18, BGP_KEEPALIVE, 4096, 0},
	    {20, BGP_KEEPALIVE, 4096, 0},
	    {4097, BGP_UPDATE, 4096, 0},
	    {4097, BGP_UPDATE, 65535, 1},
	    {65535, BGP_UPDATE, 65535, 1},
	    {5000, BGP_OPEN, 65535, 0},
	    {28, BGP_OPEN, 4096, 0},
	    {29, BGP_OPEN, 4096, 1},
	    {22, BGP_UPDATE, 4096, 0},
	    {23, BGP_UPDATE, 4096, 1},
	    {20, BGP_NOTIFICATION, 4096, 0},
	    {21, BGP_NOTIFICATION, 4096, 1},
	    {22, BGP_ROUTE_REFRESH, 4096, 0},
	    {23, BGP_ROUTE_REFRESH, 4096, 1},
	    {5000, BGP_NOTIFICATION, 65535, 1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		hdr(m, cases[i].len, cases[i].type);
		int rc = bgp_msg_header(m, cases[i].max, &type, &len, &n);
		if (cases[i].ok) {
			assert_int_equal(rc, 0);
			assert_int_equal(len, cases[i].len);
		} else {
			uint8_t d[2] = {(uint8_t)(cases[i].len >> 8), (uint8_t)cases[i].len};
			assert_int_equal(rc, -1);
			expect_notify(&n, 1, 2, d, 2);
		}
	}

	/* 1/3 with the type octet */
	hdr(m, 19, 6);
	assert_int_equal(bgp_msg_header(m, BGP_MAX_MSG, &type, &len, &n), -1);
	uint8_t t6 = 6;
	expect_notify(&n, 1, 3, &t6, 1);
	hdr(m, 19, 0);
	assert_int_equal(bgp_msg_header(m, BGP_MAX_MSG, &type, &len, &n), -1);
	assert_int_equal(n.subcode, 3);
}

/* ---- OPEN ---- */

static void
full_open(struct bgp_open *o)
{
	memset(o, 0, sizeof *o);
	o->as = 4200000001u;
	o->hold = 90;
	o->bgp_id = 0xc0000201;
	struct bgp_caps *c = &o->caps;
	c->mp = BGP_FAM_BIT(BGP_FAM_V4) | BGP_FAM_BIT(BGP_FAM_V6);
	c->route_refresh = true;
	c->enhanced_rr = true;
	c->ext_msg = true;
	c->as4 = true;
	c->ext_nh = BGP_FAM_BIT(BGP_FAM_V4);
	c->gr = true;
	c->gr_restarted = true;
	c->gr_notification = true;
	c->gr_time = 120;
	c->gr_fams = BGP_FAM_BIT(BGP_FAM_V4) | BGP_FAM_BIT(BGP_FAM_V6);
	c->gr_fwd = BGP_FAM_BIT(BGP_FAM_V6);
	c->addpath_rx = BGP_FAM_BIT(BGP_FAM_V4) | BGP_FAM_BIT(BGP_FAM_V6);
	c->addpath_tx = BGP_FAM_BIT(BGP_FAM_V4);
	strcpy(c->hostname, "rr1");
	strcpy(c->domainname, "example.net");
}

static void
check_open_equal(const struct bgp_open *got, const struct bgp_open *want)
{
	const struct bgp_caps *g = &got->caps, *w = &want->caps;
	assert_int_equal(got->version, 4);
	assert_int_equal(got->as, want->as);
	assert_int_equal(got->my_as, want->as > 0xffff ? BGP_AS_TRANS : want->as);
	assert_int_equal(got->hold, want->hold);
	assert_int_equal(got->bgp_id, want->bgp_id);
	assert_int_equal(g->mp, w->mp);
	assert_int_equal(g->mp_any, w->mp != 0);
	assert_int_equal(g->route_refresh, w->route_refresh);
	assert_int_equal(g->enhanced_rr, w->enhanced_rr);
	assert_int_equal(g->ext_msg, w->ext_msg);
	assert_int_equal(g->as4, w->as4);
	assert_int_equal(g->as4_value, w->as4 ? want->as : 0);
	assert_int_equal(g->ext_nh, w->ext_nh);
	assert_int_equal(g->gr, w->gr);
	assert_int_equal(g->gr_restarted, w->gr_restarted);
	assert_int_equal(g->gr_notification, w->gr_notification);
	assert_int_equal(g->gr_time, w->gr_time);
	assert_int_equal(g->gr_fams, w->gr_fams);
	assert_int_equal(g->gr_fwd, w->gr_fwd);
	assert_int_equal(g->addpath_rx, w->addpath_rx);
	assert_int_equal(g->addpath_tx, w->addpath_tx);
	assert_string_equal(g->hostname, w->hostname);
	assert_string_equal(g->domainname, w->domainname);
}

static void
test_open_roundtrip(void **state)
{
	(void)state;
	struct bgp_open o, p;
	struct bgp_notify n;
	uint8_t buf[4096];
	uint8_t type;
	uint16_t len;
	full_open(&o);
	size_t l = bgp_open_encode(buf, sizeof buf, &o);
	assert_true(l > 29);
	assert_int_equal(bgp_msg_header(buf, BGP_MAX_MSG, &type, &len, &n), 0);
	assert_int_equal(type, BGP_OPEN);
	assert_int_equal(len, l);
	assert_int_equal(buf[19], 4);
	assert_int_equal(buf[20] << 8 | buf[21], BGP_AS_TRANS);
	assert_int_equal(buf[28], l - 29); /* classic form: opt parm len */
	assert_int_equal(buf[29], 2);	   /* one capabilities parameter */
	assert_int_equal(buf[30], l - 31);
	assert_int_equal(bgp_open_parse(buf + 19, l - 19, &p, &n), 0);
	check_open_equal(&p, &o);

	/* a 2-octet AS, nothing but MP IPv4 */
	memset(&o, 0, sizeof o);
	o.as = 64500;
	o.hold = 0;
	o.bgp_id = 1;
	o.caps.mp = BGP_FAM_BIT(BGP_FAM_V4);
	l = bgp_open_encode(buf, sizeof buf, &o);
	assert_int_equal(l, 29 + 2 + 6);
	assert_int_equal(bgp_open_parse(buf + 19, l - 19, &p, &n), 0);
	check_open_equal(&p, &o);

	/* no capabilities at all: no optional parameters */
	memset(&o, 0, sizeof o);
	o.my_as = 65001;
	o.hold = 3;
	o.bgp_id = 2;
	l = bgp_open_encode(buf, sizeof buf, &o);
	assert_int_equal(l, 29);
	assert_int_equal(bgp_open_parse(buf + 19, l - 19, &p, &n), 0);
	assert_int_equal(p.as, 65001);
	assert_false(p.caps.mp_any);

	/* does not fit */
	full_open(&o);
	assert_int_equal(bgp_open_encode(buf, 40, &o), 0);
}

/* Bytes of a BIRD-like OPEN: each capability in its own parameter. */
static void
test_open_separate_params(void **state)
{
	(void)state;
	static const uint8_t params[] = {
	    42,					  /* opt parm len */
	    2,	6, 1,  4, 0, 1, 0,    1,	  /* MP IPv4 */
	    2,	6, 1,  4, 0, 2, 0,    1,	  /* MP IPv6 */
	    2,	2, 2,  0,			  /* route refresh */
	    2,	2, 70, 0,			  /* enhanced RR */
	    2,	6, 65, 4, 0, 0, 0xfb, 0xf4,	  /* AS 64500 */
	    2,	8, 69, 6, 0, 1, 1,    3,    0, 0, /* ADD-PATH, 2 bytes short */
	};
	struct bgp_open o;
	struct bgp_notify n;
	/* the ADD-PATH TLV is 6 octets: not a multiple of 4 -> 2/0 */
	assert_int_equal(parse_params(params, sizeof params, &o, &n), -1);
	expect_notify(&n, 2, 0, NULL, 0);

	static const uint8_t good[] = {
	    40,				    /* opt parm len */
	    2,	6, 1,  4, 0, 1, 0,    1,    /* MP IPv4 */
	    2,	6, 1,  4, 0, 2, 0,    1,    /* MP IPv6 */
	    2,	2, 2,  0,		    /* route refresh */
	    2,	2, 70, 0,		    /* enhanced RR */
	    2,	6, 65, 4, 0, 0, 0xfb, 0xf4, /* AS 64500 */
	    2,	6, 69, 4, 0, 1, 1,    3,    /* ADD-PATH IPv4 both */
	};
	assert_int_equal(parse_params(good, sizeof good, &o, &n), 0);
	assert_int_equal(o.caps.mp, BGP_FAM_BIT(BGP_FAM_V4) | BGP_FAM_BIT(BGP_FAM_V6));
	assert_true(o.caps.route_refresh);
	assert_true(o.caps.enhanced_rr);
	assert_true(o.caps.as4);
	assert_int_equal(o.as, 64500);
	assert_int_equal(o.caps.addpath_rx, BGP_FAM_BIT(BGP_FAM_V4));
	assert_int_equal(o.caps.addpath_tx, BGP_FAM_BIT(BGP_FAM_V4));
	assert_false(o.caps.gr);
}

/* FRR-like set in one parameter, with unknown and old capabilities. */
static void
test_open_frr_caps(void **state)
{
	(void)state;
	static const uint8_t params[] = {
	    66,	 2, 64,					   /* one capabilities parameter */
	    128, 0,					   /* old route refresh */
	    1,	 4, 0,	  1,	0,    1,		   /* MP IPv4 */
	    5,	 6, 0,	  1,	0,    1,    0, 2,	   /* ext NH <1,1,2> */
	    5,	 6, 0,	  2,	0,    1,    0, 1,	   /* ext NH <2,1,1>: not modelled */
	    64,	 6, 0x40, 0x78, 0,    1,    1, 0x80,	   /* GR N=1 t=120, v4 F */
	    64,	 2, 0x00, 0x5a,				   /* a second GR: the last counts */
	    65,	 4, 0,	  0,	0xfd, 0xe8,		   /* AS 65000 */
	    69,	 8, 0,	  1,	1,    9,    0, 2,    1, 2, /* bad S/R 9 ignored; v6 send */
	    73,	 5, 3,	  'f',	'r',  'r',  0,		   /* FQDN frr */
	    71,	 0,					   /* LLGR, ignored */
	    99,	 1, 7,					   /* unknown */
	};
	struct bgp_open o;
	struct bgp_notify n;
	assert_int_equal(parse_params(params, sizeof params, &o, &n), 0);
	assert_true(o.caps.route_refresh);
	assert_int_equal(o.caps.mp, BGP_FAM_BIT(BGP_FAM_V4));
	assert_int_equal(o.caps.ext_nh, BGP_FAM_BIT(BGP_FAM_V4));
	assert_true(o.caps.gr);
	assert_false(o.caps.gr_notification);
	assert_int_equal(o.caps.gr_time, 90);
	assert_int_equal(o.caps.gr_fams, 0);
	assert_int_equal(o.as, 65000);
	assert_int_equal(o.caps.addpath_rx, 0);
	assert_int_equal(o.caps.addpath_tx, BGP_FAM_BIT(BGP_FAM_V6));
	assert_string_equal(o.caps.hostname, "frr");
	assert_string_equal(o.caps.domainname, "");
}

static void
test_open_gr_bits(void **state)
{
	(void)state;
	static const uint8_t params[] = {
	    14, 2, 12, 64, 10, 0xc0, 0x78, 0, 1, 1, 0x80, 0, 2, 1, 0x00,
	};
	struct bgp_open o;
	struct bgp_notify n;
	assert_int_equal(parse_params(params, sizeof params, &o, &n), 0);
	assert_true(o.caps.gr);
	assert_true(o.caps.gr_restarted);
	assert_true(o.caps.gr_notification);
	assert_int_equal(o.caps.gr_time, 120);
	assert_int_equal(o.caps.gr_fams, BGP_FAM_BIT(BGP_FAM_V4) | BGP_FAM_BIT(BGP_FAM_V6));
	assert_int_equal(o.caps.gr_fwd, BGP_FAM_BIT(BGP_FAM_V4));
	assert_false(o.caps.mp_any);
}

static void
test_open_fqdn(void **state)
{
	(void)state;
	/* control characters replaced; a malformed FQDN is ignored, not an error */
	static const uint8_t p1[] = {12, 2, 10, 73, 8, 3, 'a', '\n', 'b', 3, 'x', 0x1b, 'z'};
	static const uint8_t p2[] = {8, 2, 6, 73, 4, 9, 'a', 'b', 'c'};
	struct bgp_open o;
	struct bgp_notify n;
	assert_int_equal(parse_params(p1, sizeof p1, &o, &n), 0);
	assert_string_equal(o.caps.hostname, "a?b");
	assert_string_equal(o.caps.domainname, "x?z");
	assert_int_equal(parse_params(p2, sizeof p2, &o, &n), 0);
	assert_string_equal(o.caps.hostname, "");
}

static void
test_open_rfc9072(void **state)
{
	(void)state;
	/* Received extended form, short enough for the classic one (must be accepted). */
	static const uint8_t params[] = {
	    255, 255, 0, 11,	   /* non-ext len, marker, extended length */
	    2,	 0,   8,	   /* capabilities, 2-octet length */
	    1,	 4,   0, 2,  0, 1, /* MP IPv6 */
	    2,	 0,		   /* route refresh */
	};
	struct bgp_open o;
	struct bgp_notify n;
	assert_int_equal(parse_params(params, sizeof params, &o, &n), 0);
	assert_int_equal(o.caps.mp, BGP_FAM_BIT(BGP_FAM_V6));
	assert_true(o.caps.route_refresh);

	/* Non-Ext OP Len other than 255 (but not 0) still selects the extended form. */
	uint8_t p2[sizeof params];
	memcpy(p2, params, sizeof p2);
	p2[0] = 1;
	assert_int_equal(parse_params(p2, sizeof p2, &o, &n), 0);
	assert_true(o.caps.route_refresh);

	/* extended length inconsistent with the message -> 2/0 */
	p2[3] = 12;
	assert_int_equal(parse_params(p2, sizeof p2, &o, &n), -1);
	expect_notify(&n, 2, 0, NULL, 0);
	/* parameter overrunning the extended area -> 2/0 */
	memcpy(p2, params, sizeof p2);
	p2[6] = 9;
	assert_int_equal(parse_params(p2, sizeof p2, &o, &n), -1);
	expect_notify(&n, 2, 0, NULL, 0);

	/* Sending: longer than 255 octets of parameters -> extended form. */
	uint8_t extra[300];
	for (size_t i = 0; i < sizeof extra; i += 10) {
		extra[i] = 200; /* unknown code, ignored by the parser */
		extra[i + 1] = 8;
		memset(extra + i + 2, (int)i, 8);
	}
	struct bgp_open e, p;
	full_open(&e);
	e.caps.extra = extra;
	e.caps.extra_len = sizeof extra;
	uint8_t buf[4096];
	size_t l = bgp_open_encode(buf, sizeof buf, &e);
	assert_true(l > 29 + 255);
	assert_int_equal(buf[28], 255);
	assert_int_equal(buf[29], 255);
	assert_int_equal(buf[30] << 8 | buf[31], l - 32);
	assert_int_equal(buf[32], 2);
	assert_int_equal(buf[33] << 8 | buf[34], l - 35);
	uint8_t type;
	uint16_t len;
	assert_int_equal(bgp_msg_header(buf, BGP_MAX_MSG, &type, &len, &n), 0);
	assert_int_equal(bgp_open_parse(buf + 19, l - 19, &p, &n), 0);
	check_open_equal(&p, &e);

	/* the same without the extra TLVs stays classic */
	e.caps.extra = NULL;
	e.caps.extra_len = 0;
	l = bgp_open_encode(buf, sizeof buf, &e);
	assert_int_equal(buf[28], l - 29);
	assert_int_equal(buf[29], 2);
}

static void
test_open_errors(void **state)
{
	(void)state;
	uint8_t b[256];
	struct bgp_open o;
	struct bgp_notify n;
	static const uint8_t none[] = {0};
	size_t l;

	/* 2/1 with the highest version we support, as 2 octets */
	l = open_body(b, 3, 64500, 90, 1, none, 1);
	assert_int_equal(bgp_open_parse(b, l, &o, &n), -1);
	static const uint8_t v4[] = {0, 4};
	expect_notify(&n, 2, 1, v4, 2);
	/* 2/6: hold time 1 and 2; 0 and 3 are fine */
	for (uint16_t h = 0; h < 5; h++) {
		l = open_body(b, 4, 64500, h, 1, none, 1);
		int rc = bgp_open_parse(b, l, &o, &n);
		if (h == 1 || h == 2) {
			assert_int_equal(rc, -1);
			expect_notify(&n, 2, 6, NULL, 0);
		} else {
			assert_int_equal(rc, 0);
			assert_int_equal(o.hold, h);
		}
	}
	/* 2/3: BGP identifier 0 */
	l = open_body(b, 4, 64500, 90, 0, none, 1);
	assert_int_equal(bgp_open_parse(b, l, &o, &n), -1);
	expect_notify(&n, 2, 3, NULL, 0);

	/* 2/4: optional parameter type 1 (authentication, deprecated) */
	static const uint8_t auth[] = {3, 1, 1, 0};
	assert_int_equal(parse_params(auth, sizeof auth, &o, &n), -1);
	expect_notify(&n, 2, 4, NULL, 0);

	/* 2/0: framing and malformed capabilities */
	static const struct {
		uint8_t p[16];
		size_t len;
	} bad[] = {
	    {{5, 2, 3, 1, 4, 0}, 6},		   /* capability overruns the parameter */
	    {{4, 2, 4, 1, 4}, 5},		   /* parameter overruns opt parm len */
	    {{2, 2, 0, 9}, 4},			   /* trailing octet after the parameters */
	    {{1, 2}, 2},			   /* parameter header cut */
	    {{5, 2, 3, 1, 1, 0}, 6},		   /* MP length 1 */
	    {{7, 2, 5, 1, 3, 0, 1, 0}, 8},	   /* MP length 3 */
	    {{6, 2, 4, 65, 2, 0, 1}, 7},	   /* 4-octet AS length 2 */
	    {{7, 2, 5, 64, 3, 0, 0, 0}, 8},	   /* GR length 3 */
	    {{8, 2, 6, 5, 4, 0, 1, 0, 1}, 9},	   /* ext NH length 4 */
	    {{9, 2, 7, 69, 5, 0, 1, 1, 1, 0}, 10}, /* ADD-PATH length 5 */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(parse_params(bad[i].p, bad[i].len, &o, &n), -1);
		expect_notify(&n, 2, 0, NULL, 0);
	}
	/* body too short for the fixed part: 1/2 */
	assert_int_equal(bgp_open_parse(b, 9, &o, &n), -1);
	assert_int_equal(n.code, 1);
	assert_int_equal(n.subcode, 2);
}

/* ---- NOTIFICATION ---- */

static void
test_notify(void **state)
{
	(void)state;
	struct bgp_notify n, p;
	uint8_t buf[512];
	uint8_t type;
	uint16_t len;
	static const uint8_t data[] = {0x40, 1, 1, 3};
	bgp_notify_set(&n, BGP_ERR_UPDATE, 6, data, sizeof data);
	size_t l = bgp_notify_encode(buf, sizeof buf, &n);
	assert_int_equal(l, 21 + sizeof data);
	assert_int_equal(bgp_msg_header(buf, BGP_MAX_MSG, &type, &len, &p), 0);
	assert_int_equal(type, BGP_NOTIFICATION);
	assert_int_equal(bgp_notify_parse(buf + 19, l - 19, &p), 0);
	expect_notify(&p, 3, 6, data, sizeof data);
	assert_int_equal(bgp_notify_encode(buf, 20, &n), 0);

	/* no data; and data longer than we keep is truncated */
	static const uint8_t only[] = {4, 0};
	assert_int_equal(bgp_notify_parse(only, 2, &p), 0);
	expect_notify(&p, 4, 0, NULL, 0);
	assert_int_equal(bgp_notify_parse(only, 1, &p), -1);
	uint8_t big[600];
	memset(big, 7, sizeof big);
	big[0] = 6, big[1] = 9;
	assert_int_equal(bgp_notify_parse(big, sizeof big, &p), 0);
	assert_int_equal(p.data_len, BGP_NOTIFY_DATA_MAX);

	assert_string_equal(bgp_notify_code_name(3), "UPDATE Message Error");
	assert_string_equal(bgp_notify_subcode_name(3, 11), "Malformed AS_PATH");
	assert_string_equal(bgp_notify_subcode_name(1, 2), "Bad Message Length");
	assert_string_equal(bgp_notify_subcode_name(2, 7), "Unsupported Capability");
	assert_string_equal(bgp_notify_subcode_name(6, 2), "Administrative Shutdown");
	assert_string_equal(bgp_notify_subcode_name(7, 1), "Invalid Message Length");
	assert_string_equal(bgp_notify_subcode_name(4, 0), "Unspecific");
	assert_string_equal(bgp_notify_code_name(42), "Unknown Error");
	assert_string_equal(bgp_notify_subcode_name(3, 99), "Unknown Subcode");
}

static void
shutdown_data(struct bgp_notify *n, uint8_t sub, const void *text, size_t len, size_t declared)
{
	uint8_t d[BGP_NOTIFY_DATA_MAX];
	d[0] = (uint8_t)declared;
	memcpy(d + 1, text, len);
	bgp_notify_set(n, BGP_ERR_CEASE, sub, d, 1 + len);
}

static void
test_shutdown_communication(void **state)
{
	(void)state;
	struct bgp_notify n;
	char out[256];
	static const char ok[] = "maintenance \xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";
	shutdown_data(&n, 2, ok, strlen(ok), strlen(ok));
	assert_int_equal(bgp_notify_shutdown_msg(&n, out, sizeof out), 1);
	assert_string_equal(out, ok);
	shutdown_data(&n, 4, ok, strlen(ok), strlen(ok));
	assert_int_equal(bgp_notify_shutdown_msg(&n, out, sizeof out), 1);

	/* control characters (C0, DEL, C1) sanitised */
	static const char ctl[] = "a\nb\x7f"
				  "c\xc2\x9b"
				  "d";
	shutdown_data(&n, 2, ctl, strlen(ctl), strlen(ctl));
	assert_int_equal(bgp_notify_shutdown_msg(&n, out, sizeof out), 1);
	assert_string_equal(out, "a?b?c?d");

	/* invalid UTF-8 refused: overlong, surrogate, cut sequence, stray continuation, > U+10FFFF
	 */
	static const char *const bad[] = {"x\xc0\x80", "\xed\xa0\x80",	   "ab\xe2\x82",
					  "\x80",      "\xf4\x90\x80\x80", "\xff"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		shutdown_data(&n, 2, bad[i], strlen(bad[i]), strlen(bad[i]));
		assert_int_equal(bgp_notify_shutdown_msg(&n, out, sizeof out), -1);
		assert_string_equal(out, "");
	}
	/* length running past the message */
	shutdown_data(&n, 2, "abc", 3, 10);
	assert_int_equal(bgp_notify_shutdown_msg(&n, out, sizeof out), -1);
	/* none: empty data, zero length, other code or subcode */
	bgp_notify_set(&n, BGP_ERR_CEASE, 2, NULL, 0);
	assert_int_equal(bgp_notify_shutdown_msg(&n, out, sizeof out), 0);
	shutdown_data(&n, 2, "", 0, 0);
	assert_int_equal(bgp_notify_shutdown_msg(&n, out, sizeof out), 0);
	shutdown_data(&n, 3, "abc", 3, 3);
	assert_int_equal(bgp_notify_shutdown_msg(&n, out, sizeof out), 0);
	/* a small output buffer gets whole characters only */
	shutdown_data(&n, 2, "ab\xc3\xa9", 4, 4);
	assert_int_equal(bgp_notify_shutdown_msg(&n, out, 4), 1);
	assert_string_equal(out, "ab");

	/* sending: 128 octets at most, cut at a character boundary */
	char msg[200];
	memset(msg, 'a', 127);
	strcpy(msg + 127, "\xc3\xa9zzz");
	bgp_notify_cease(&n, BGP_CEASE_ADMIN_SHUTDOWN, msg);
	assert_int_equal(n.code, 6);
	assert_int_equal(n.subcode, 2);
	assert_int_equal(n.data[0], 127);
	assert_int_equal(n.data_len, 128);
	bgp_notify_cease(&n, BGP_CEASE_ADMIN_RESET, "bye");
	static const uint8_t bye[] = {3, 'b', 'y', 'e'};
	expect_notify(&n, 6, 4, bye, 4);
	/* invalid input bytes are not sent as they are */
	bgp_notify_cease(&n, BGP_CEASE_ADMIN_SHUTDOWN, "x\xff");
	static const uint8_t xq[] = {2, 'x', '?'};
	expect_notify(&n, 6, 2, xq, 3);
	/* no message, or a subcode without communication */
	bgp_notify_cease(&n, BGP_CEASE_ADMIN_SHUTDOWN, NULL);
	expect_notify(&n, 6, 2, NULL, 0);
	bgp_notify_cease(&n, BGP_CEASE_COLLISION, "ignored");
	expect_notify(&n, 6, 7, NULL, 0);

	/* round trip through the wire */
	uint8_t buf[512];
	struct bgp_notify p;
	bgp_notify_cease(&n, BGP_CEASE_ADMIN_SHUTDOWN, ok);
	size_t l = bgp_notify_encode(buf, sizeof buf, &n);
	assert_int_equal(bgp_notify_parse(buf + 19, l - 19, &p), 0);
	assert_int_equal(bgp_notify_shutdown_msg(&p, out, sizeof out), 1);
	assert_string_equal(out, ok);
}

/* ---- KEEPALIVE, ROUTE-REFRESH, End-of-RIB ---- */

static void
test_keepalive(void **state)
{
	(void)state;
	uint8_t buf[19], want[19];
	hdr(want, 19, BGP_KEEPALIVE);
	assert_int_equal(bgp_keepalive_encode(buf, sizeof buf), 19);
	assert_memory_equal(buf, want, 19);
	assert_int_equal(bgp_keepalive_encode(buf, 18), 0);
}

static void
test_route_refresh(void **state)
{
	(void)state;
	uint8_t buf[64];
	struct bgp_rrefresh rr = {BGP_AFI_IPV6, BGP_RR_BORR, BGP_SAFI_UNICAST}, p;
	struct bgp_notify n;
	uint8_t type;
	uint16_t len;
	size_t l = bgp_rrefresh_encode(buf, sizeof buf, &rr);
	assert_int_equal(l, 23);
	static const uint8_t body[] = {0, 2, 1, 1};
	assert_memory_equal(buf + 19, body, 4);
	assert_int_equal(bgp_msg_header(buf, BGP_MAX_MSG, &type, &len, &n), 0);
	assert_int_equal(type, BGP_ROUTE_REFRESH);
	assert_int_equal(bgp_rrefresh_parse(buf + 19, 4, &p, &n), 0);
	assert_int_equal(p.afi, 2);
	assert_int_equal(p.subtype, BGP_RR_BORR);
	assert_int_equal(p.safi, 1);

	/* a request with ORF entries may be longer */
	static const uint8_t orf[] = {0, 1, 0, 1, 1, 0, 64, 0, 0};
	assert_int_equal(bgp_rrefresh_parse(orf, sizeof orf, &p, &n), 0);
	assert_int_equal(p.subtype, BGP_RR_REQUEST);
	/* unknown subtype: returned for the caller to ignore */
	static const uint8_t unk[] = {0, 1, 9, 1};
	assert_int_equal(bgp_rrefresh_parse(unk, sizeof unk, &p, &n), 0);
	assert_int_equal(p.subtype, 9);

	/* BoRR / EoRR with another length -> 7/1, data = the whole message */
	static const uint8_t eorr[] = {0, 1, 2, 1, 0xaa};
	assert_int_equal(bgp_rrefresh_parse(eorr, sizeof eorr, &p, &n), -1);
	uint8_t whole[24];
	hdr(whole, 24, BGP_ROUTE_REFRESH);
	memcpy(whole + 19, eorr, 5);
	expect_notify(&n, 7, 1, whole, 24);

	/* shorter than 4 octets -> 1/2 */
	assert_int_equal(bgp_rrefresh_parse(eorr, 3, &p, &n), -1);
	static const uint8_t l22[] = {0, 22};
	expect_notify(&n, 1, 2, l22, 2);
}

static void
test_eor_bytes(void **state)
{
	(void)state;
	uint8_t buf[64], want[64];
	/* bgp-wire.md 9 */
	static const uint8_t v4[] = {0x00, 0x17, 0x02, 0x00, 0x00, 0x00, 0x00};
	static const uint8_t v6[] = {0x00, 0x1d, 0x02, 0x00, 0x00, 0x00, 0x06,
				     0x80, 0x0f, 0x03, 0x00, 0x02, 0x01};
	memset(want, 0xff, 16);
	memcpy(want + 16, v4, sizeof v4);
	assert_int_equal(bgp_eor_encode(buf, sizeof buf, BGP_FAM_V4), 23);
	assert_memory_equal(buf, want, 23);
	memcpy(want + 16, v6, sizeof v6);
	assert_int_equal(bgp_eor_encode(buf, sizeof buf, BGP_FAM_V6), 29);
	assert_memory_equal(buf, want, 29);
	assert_int_equal(bgp_eor_encode(buf, 28, BGP_FAM_V6), 0);
}

static void
test_families(void **state)
{
	(void)state;
	assert_int_equal(bgp_fam_of(1, 1), BGP_FAM_V4);
	assert_int_equal(bgp_fam_of(2, 1), BGP_FAM_V6);
	assert_int_equal(bgp_fam_of(1, 128), -1);
	assert_int_equal(bgp_fam_of(25, 70), -1);
	assert_int_equal(bgp_fam_afi(BGP_FAM_V4), 1);
	assert_int_equal(bgp_fam_afi(BGP_FAM_V6), 2);
	assert_string_equal(bgp_fam_name(BGP_FAM_V4), "ipv4-unicast");
	assert_string_equal(bgp_fam_name(BGP_FAM_V6), "ipv6-unicast");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_header),
	    cmocka_unit_test(test_open_roundtrip),
	    cmocka_unit_test(test_open_separate_params),
	    cmocka_unit_test(test_open_frr_caps),
	    cmocka_unit_test(test_open_gr_bits),
	    cmocka_unit_test(test_open_fqdn),
	    cmocka_unit_test(test_open_rfc9072),
	    cmocka_unit_test(test_open_errors),
	    cmocka_unit_test(test_notify),
	    cmocka_unit_test(test_shutdown_communication),
	    cmocka_unit_test(test_keepalive),
	    cmocka_unit_test(test_route_refresh),
	    cmocka_unit_test(test_eor_bytes),
	    cmocka_unit_test(test_families),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
