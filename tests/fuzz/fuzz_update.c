/*
 * Fuzz target: bgp_update_parse() under the session variants picked by the first input byte
 * (bit 0: 4-octet AS, bit 1: iBGP, bits 2-3: ADD-PATH receive for IPv4/IPv6, bit 4: leftmost
 * AS check, bits 5-6: IPv4/IPv6 *not* negotiated). Every NLRI field of an accepted UPDATE is
 * iterated, its attributes are interned, re-encoded for 4- and 2-octet peers, and released.
 */
#include <stddef.h>
#include <stdint.h>

#include "bgp/update.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bgp_parse_ctx ctx;
	static struct bgp_update u;
	static uint8_t out[BGP_MAX_EXT_MSG];
	if (size < 1)
		return 0;
	ctx.as4 = data[0] & 1;
	ctx.ibgp = data[0] & 2;
	ctx.addpath_rx = (data[0] >> 2) & 3;
	ctx.check_first_as = data[0] & 16;
	ctx.peer_as = 64500;
	ctx.fams = (uint8_t)(~(data[0] >> 5) & 3);
	if (bgp_update_parse(data + 1, size - 1, &ctx, &u) < 0)
		return 0;
	struct bgp_nlri *fields[] = {&u.withdrawn, &u.nlri, &u.mp_reach, &u.mp_unreach};
	struct prefix p;
	uint32_t id;
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		while (bgp_nlri_next(fields[i], &p, &id) == 1)
			;
	struct attrs *a = attr_intern(&u.attrs);
	for (int as4 = 0; as4 < 2; as4++) {
		struct bgp_enc_ctx enc = {.as4 = as4, .max_msg = BGP_MAX_EXT_MSG};
		struct wr w;
		wr_init(&w, out, sizeof out);
		bgp_attrs_encode(&w, a, &enc);
	}
	attr_unref(a);
	return 0;
}
