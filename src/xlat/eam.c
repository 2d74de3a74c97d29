/*
 * RFC 7757 explicit address mappings on prefixes (spec: rfc6052.md section 6). An EAM pairs an
 * IPv4 prefix e4/l4 with an IPv6 prefix e6/l6 whose suffix is at least as long
 * (32 - l4 <= 128 - l6). An IPv4 prefix P/L inside e4 maps to e6 with the L - l4 bits of P after
 * l4 copied right after l6 (left-aligned), so the IPv6 length is l6 + (L - l4); the reverse
 * reads the bits right after l6. When the IPv6 suffix is longer, the low IPv6 bits stay zero
 * and an IPv6 prefix longer than l6 + (32 - l4) narrows an IPv4 /32.
 */
#include "xlat/xlat.h"

#include <assert.h>
#include <string.h>

void
xlat_eam_4to6(const struct prefix *eam4, const struct prefix *eam6, const struct prefix *v4,
	      struct prefix *v6)
{
	unsigned l4 = eam4->len, l6 = eam6->len, len = v4->len;

	assert(len >= l4 && len <= 32 && 32 - l4 <= 128 - l6);
	*v6 = *eam6;
	prefix_mask(v6);
	/* The bounds hold under the precondition; they keep a bad call inside the arrays. */
	for (unsigned i = l4; i < len && i < 32 && l6 + (i - l4) < 128; i++)
		bit_set(v6->a, l6 + (i - l4), bit_get(v4->a, i));
	v6->len = (uint8_t)(l6 + (len - l4));
}

void
xlat_eam_6to4(const struct prefix *eam4, const struct prefix *eam6, const struct prefix *v6,
	      struct prefix *v4, bool *narrower)
{
	unsigned l4 = eam4->len, l6 = eam6->len, m = v6->len;
	unsigned len;

	assert(m >= l6 && m <= 128 && 32 - l4 <= 128 - l6);
	len = l4 + (m - l6);
	if (narrower != NULL)
		*narrower = len > 32;
	if (len > 32)
		len = 32;
	*v4 = *eam4;
	prefix_mask(v4);
	for (unsigned i = l4; i < len && l6 + (i - l4) < 128; i++)
		bit_set(v4->a, i, bit_get(v6->a, l6 + (i - l4)));
	v4->len = (uint8_t)len;
}
