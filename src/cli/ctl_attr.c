/*
 * Rendering of one path's attribute set as JSON members (names as in bgpctl -j where the
 * meaning is the same). Pure: reads a struct attrs and its blobs, writes through the streaming
 * writer. Blob contents were validated by the codec; they are still read through the checked
 * reader, and a short blob ends its list instead of reading past it.
 */
#include "cli/ctl.h"

#include <inttypes.h>
#include <stdio.h>
#include <sys/socket.h>

#include "bgp/attr.h"
#include "lib/rd.h"

const char *
ctl_origin_name(uint8_t origin)
{
	switch (origin) {
	case ORIGIN_IGP:
		return "IGP";
	case ORIGIN_EGP:
		return "EGP";
	case ORIGIN_INCOMPLETE:
		return "incomplete";
	}
	return "?";
}

/*
 * AS_PATH as text, bgpctl style: "64501 64502 { 64503 64504 }" (sets in braces, confederation
 * sequences in parentheses, confederation sets in brackets). Written piecewise: a path may
 * hold thousands of ASes.
 */
static void
render_aspath(struct ctl_jw *w, const struct attr_blob *b)
{
	struct rd r;
	bool first = true;

	ctl_jw_key(w, "as_path");
	ctl_jw_raw(w, "\"");
	if (b != NULL)
		rd_init(&r, b->data, b->len);
	while (b != NULL && rd_left(&r) > 0) {
		uint8_t type, count;
		if (rd_u8(&r, &type) < 0 || rd_u8(&r, &count) < 0 || rd_left(&r) < 4u * count)
			break;
		const char *open = "", *close = "";
		switch (type) {
		case AS_SET:
			open = "{ ", close = " }";
			break;
		case AS_CONFED_SEQUENCE:
			open = "( ", close = " )";
			break;
		case AS_CONFED_SET:
			open = "[ ", close = " ]";
			break;
		}
		ctl_jw_raw(w, "%s%s", first ? "" : " ", open);
		for (unsigned i = 0; i < count; i++) {
			uint32_t as = 0;
			(void)rd_u32(&r, &as); /* length checked above */
			ctl_jw_raw(w, "%s%" PRIu32, i == 0 ? "" : " ", as);
		}
		ctl_jw_raw(w, "%s", close);
		first = false;
	}
	ctl_jw_raw(w, "\"");
}

static void
render_communities(struct ctl_jw *w, const struct attr_blob *b)
{
	struct rd r;
	uint16_t hi, lo;

	rd_init(&r, b->data, b->len);
	ctl_jw_arr_open(w, "communities");
	while (rd_u16(&r, &hi) == 0 && rd_u16(&r, &lo) == 0)
		ctl_jw_strf(w, NULL, "%u:%u", hi, lo);
	ctl_jw_arr_close(w);
}

static void
render_large(struct ctl_jw *w, const struct attr_blob *b)
{
	struct rd r;
	uint32_t g, l1, l2;

	rd_init(&r, b->data, b->len);
	ctl_jw_arr_open(w, "large_communities");
	while (rd_u32(&r, &g) == 0 && rd_u32(&r, &l1) == 0 && rd_u32(&r, &l2) == 0)
		ctl_jw_strf(w, NULL, "%" PRIu32 ":%" PRIu32 ":%" PRIu32, g, l1, l2);
	ctl_jw_arr_close(w);
}

/*
 * Extended communities (RFC 4360, 5668, 7153): route targets and origins as "rt AS:N",
 * "soo 192.0.2.1:N", anything else as "0xTTSS:0xVALUE" (type, subtype, 6-octet value in hex).
 */
static void
render_ext(struct ctl_jw *w, const struct attr_blob *b)
{
	struct rd r;
	uint8_t e[8];

	rd_init(&r, b->data, b->len);
	ctl_jw_arr_open(w, "extended_communities");
	while (rd_bytes(&r, e, 8) == 0) {
		uint8_t type = e[0] & 0x3f; /* without the IANA and transitive bits */
		const char *name = e[1] == 0x02 ? "rt" : e[1] == 0x03 ? "soo" : NULL;
		uint32_t v32 =
		    (uint32_t)e[2] << 24 | (uint32_t)e[3] << 16 | (uint32_t)e[4] << 8 | e[5];
		uint32_t v32b =
		    (uint32_t)e[4] << 24 | (uint32_t)e[5] << 16 | (uint32_t)e[6] << 8 | e[7];
		unsigned as2 = (unsigned)e[2] << 8 | e[3], lo16 = (unsigned)e[6] << 8 | e[7];
		char a[ADDR_STRLEN];

		if (name != NULL && type == 0x00)
			ctl_jw_strf(w, NULL, "%s %u:%" PRIu32, name, as2, v32b);
		else if (name != NULL && type == 0x01)
			ctl_jw_strf(w, NULL, "%s %s:%u", name, addr_fmt(AF_INET, e + 2, a), lo16);
		else if (name != NULL && type == 0x02)
			ctl_jw_strf(w, NULL, "%s %" PRIu32 ":%u", name, v32, lo16);
		else
			ctl_jw_strf(w, NULL, "0x%02x%02x:0x%02x%02x%02x%02x%02x%02x", e[0], e[1],
				    e[2], e[3], e[4], e[5], e[6], e[7]);
	}
	ctl_jw_arr_close(w);
}

static void
render_clusters(struct ctl_jw *w, const struct attr_blob *b)
{
	struct rd r;
	uint8_t id[4];

	rd_init(&r, b->data, b->len);
	ctl_jw_arr_open(w, "cluster_list");
	while (rd_bytes(&r, id, 4) == 0)
		ctl_jw_addr(w, NULL, AF_INET, id);
	ctl_jw_arr_close(w);
}

/* Unknown transitive attributes as kept: flags, type, 1- or 2-octet length, value. */
static void
render_unknown(struct ctl_jw *w, const struct attr_blob *b)
{
	struct rd r;
	uint8_t flags, type;

	rd_init(&r, b->data, b->len);
	ctl_jw_arr_open(w, "unknown_attributes");
	while (rd_u8(&r, &flags) == 0 && rd_u8(&r, &type) == 0) {
		uint16_t len;
		uint8_t len8;
		if (flags & ATTR_FLAG_EXTLEN) {
			if (rd_u16(&r, &len) < 0)
				break;
		} else {
			if (rd_u8(&r, &len8) < 0)
				break;
			len = len8;
		}
		if (rd_skip(&r, len) < 0)
			break;
		ctl_jw_obj_open(w, NULL);
		ctl_jw_u64(w, "type", type);
		ctl_jw_strf(w, "flags", "0x%02x", flags);
		ctl_jw_u64(w, "length", len);
		ctl_jw_obj_close(w);
	}
	ctl_jw_arr_close(w);
}

static void
render_u32_addr(struct ctl_jw *w, const char *key, uint32_t v)
{
	uint8_t a[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
	ctl_jw_addr(w, key, AF_INET, a);
}

void
ctl_render_attrs(struct ctl_jw *w, const struct attrs *a)
{
	ctl_jw_str(w, "origin", ctl_origin_name(a->origin));
	render_aspath(w, a->aspath);
	if (a->nh_len == 4) {
		ctl_jw_addr(w, "next_hop", AF_INET, a->nh);
	} else if (a->nh_len == 16 || a->nh_len == 32) {
		ctl_jw_addr(w, "next_hop", AF_INET6, a->nh);
		if (a->nh_len == 32)
			ctl_jw_addr(w, "next_hop_link_local", AF_INET6, a->nh + 16);
	} else {
		ctl_jw_null(w, "next_hop");
	}
	if (a->flags & ATTRS_MED)
		ctl_jw_u64(w, "med", a->med);
	if (a->flags & ATTRS_LOCAL_PREF)
		ctl_jw_u64(w, "local_pref", a->local_pref);
	if (a->flags & ATTRS_ATOMIC_AGG)
		ctl_jw_bool(w, "atomic_aggregate", true);
	if (a->flags & ATTRS_AGGREGATOR) {
		ctl_jw_obj_open(w, "aggregator");
		ctl_jw_u64(w, "as", a->agg_as);
		render_u32_addr(w, "address", a->agg_id);
		ctl_jw_obj_close(w);
	}
	if (a->comms != NULL)
		render_communities(w, a->comms);
	if (a->lcomms != NULL)
		render_large(w, a->lcomms);
	if (a->ecomms != NULL)
		render_ext(w, a->ecomms);
	if (a->flags & ATTRS_ORIGINATOR)
		render_u32_addr(w, "originator_id", a->originator_id);
	if (a->clusters != NULL)
		render_clusters(w, a->clusters);
	if (a->flags & ATTRS_OTC)
		ctl_jw_u64(w, "otc", a->otc);
	if (a->unknown != NULL)
		render_unknown(w, a->unknown);
}
