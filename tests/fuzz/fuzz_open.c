/*
 * Fuzz target: the message parsers of msg.h, chosen by the first input byte: 0 a whole message
 * (header check, then its body to the parser of its type), 1 an OPEN body (with an
 * encode/parse round trip that must keep every modelled capability), 2 a NOTIFICATION body
 * (with the shutdown communication), 3 a ROUTE-REFRESH body, 4 a Cease we build from the text.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
body(uint8_t type, const uint8_t *b, size_t len)
{
	struct bgp_open o, o2;
	struct bgp_notify n;
	struct bgp_rrefresh rr;
	char text[256];
	uint8_t buf[BGP_MAX_MSG];
	if (type == BGP_OPEN && bgp_open_parse(b, len, &o, &n) == 0) {
		size_t l = bgp_open_encode(buf, sizeof buf, &o);
		if (l == 0 || bgp_open_parse(buf + BGP_HDR_LEN, l - BGP_HDR_LEN, &o2, &n) != 0)
			abort();
		if (o2.hold != o.hold || o2.bgp_id != o.bgp_id || o2.caps.mp != o.caps.mp ||
		    o2.caps.gr_fams != o.caps.gr_fams || o2.caps.gr_fwd != o.caps.gr_fwd ||
		    o2.caps.addpath_rx != o.caps.addpath_rx ||
		    o2.caps.addpath_tx != o.caps.addpath_tx || o2.caps.ext_nh != o.caps.ext_nh ||
		    strcmp(o2.caps.hostname, o.caps.hostname) != 0)
			abort();
	} else if (type == BGP_NOTIFICATION && bgp_notify_parse(b, len, &n) == 0) {
		bgp_notify_shutdown_msg(&n, text, sizeof text);
		bgp_notify_encode(buf, sizeof buf, &n);
	} else if (type == BGP_ROUTE_REFRESH) {
		bgp_rrefresh_parse(b, len, &rr, &n);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t type;
	uint16_t len;
	struct bgp_notify n;
	char text[300], out[256];
	if (size < 1)
		return 0;
	const uint8_t *b = data + 1;
	size_t l = size - 1;
	switch (data[0] % 5) {
	case 0:
		if (l >= BGP_HDR_LEN && bgp_msg_header(b, BGP_MAX_EXT_MSG, &type, &len, &n) == 0 &&
		    len <= l)
			body(type, b + BGP_HDR_LEN, len - BGP_HDR_LEN);
		break;
	case 4:
		/* what we send must read back as a valid communication */
		l = l < sizeof text - 1 ? l : sizeof text - 1;
		memcpy(text, b, l);
		text[l] = '\0';
		bgp_notify_cease(&n, BGP_CEASE_ADMIN_SHUTDOWN, text);
		if (bgp_notify_shutdown_msg(&n, out, sizeof out) < 0)
			abort();
		break;
	default: {
		static const uint8_t types[] = {0, BGP_OPEN, BGP_NOTIFICATION, BGP_ROUTE_REFRESH};
		body(types[data[0] % 5], b, l);
		break;
	}
	}
	return 0;
}
