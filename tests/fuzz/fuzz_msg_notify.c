/*
 * Fuzz target: the NOTIFICATION and ROUTE-REFRESH parsers of msg.h and what the session does
 * with a NOTIFICATION it receives (the Hard Reset's inner error, the log text, the shutdown
 * communication). The first input byte picks the message: even a NOTIFICATION body, odd a
 * ROUTE-REFRESH body. Invariants checked: what parses re-encodes and parses back the same;
 * a refused ROUTE-REFRESH names the NOTIFICATION of msg.h (1/2 or 7/1); the texts are
 * NUL-terminated and the shutdown communication carries no control character.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/msg.h"
#include "bgp/session_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_text(const char *s, size_t cap)
{
	if (memchr(s, '\0', cap) == NULL)
		abort();
}

static void
notification(const uint8_t *b, size_t len)
{
	struct bgp_notify n, n2, inner;
	char text[160], comm[256];
	uint8_t buf[BGP_HDR_LEN + 2 + BGP_NOTIFY_DATA_MAX];
	if (bgp_notify_parse(b, len, &n) < 0) {
		if (len >= 2)
			abort(); /* only a body shorter than code + subcode is refused */
		return;
	}
	if (n.data_len > BGP_NOTIFY_DATA_MAX)
		abort();
	bgp_session_notify_text(&n, text, sizeof text);
	check_text(text, sizeof text);
	bgp_session_notify_inner(&n, &inner);
	bgp_session_notify_text(&inner, text, sizeof text);
	check_text(text, sizeof text);
	for (int k = 0; k < 2; k++) {
		int r = bgp_notify_shutdown_msg(k ? &inner : &n, comm, sizeof comm);
		if (r == 1)
			for (const char *c = comm; *c != '\0'; c++)
				if ((unsigned char)*c < 0x20 || *c == 0x7f)
					abort();
	}
	size_t l = bgp_notify_encode(buf, sizeof buf, &n);
	if (l < BGP_HDR_LEN + 2 || bgp_notify_parse(buf + BGP_HDR_LEN, l - BGP_HDR_LEN, &n2) < 0)
		abort();
	if (n2.code != n.code || n2.subcode != n.subcode || n2.data_len != n.data_len ||
	    memcmp(n2.data, n.data, n.data_len) != 0)
		abort();
}

static void
route_refresh(const uint8_t *b, size_t len)
{
	struct bgp_rrefresh rr, rr2;
	struct bgp_notify n;
	uint8_t buf[64];
	if (bgp_rrefresh_parse(b, len, &rr, &n) < 0) {
		if (!(n.code == BGP_ERR_HEADER && n.subcode == 2) &&
		    !(n.code == BGP_ERR_RREFRESH && n.subcode == 1))
			abort();
		if (n.data_len > BGP_NOTIFY_DATA_MAX)
			abort();
		return;
	}
	if (len < 4)
		abort();
	size_t l = bgp_rrefresh_encode(buf, sizeof buf, &rr);
	if (l != BGP_HDR_LEN + 4 ||
	    bgp_rrefresh_parse(buf + BGP_HDR_LEN, l - BGP_HDR_LEN, &rr2, &n) < 0)
		abort();
	if (rr2.afi != rr.afi || rr2.safi != rr.safi || rr2.subtype != rr.subtype)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		route_refresh(data + 1, size - 1);
	else
		notification(data + 1, size - 1);
	return 0;
}
