/*
 * Address and prefix parsing/formatting on top of inet_pton/inet_ntop, plus masking and
 * containment on byte strings.
 */
#include "lib/prefix.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
addr_parse(const char *s, int *af, uint8_t out[16])
{
	memset(out, 0, 16);
	if (strchr(s, ':') != NULL) {
		if (inet_pton(AF_INET6, s, out) != 1)
			return -1;
		*af = AF_INET6;
		return 0;
	}
	if (inet_pton(AF_INET, s, out) != 1)
		return -1;
	*af = AF_INET;
	return 0;
}

const char *
addr_fmt(int af, const uint8_t *a, char buf[ADDR_STRLEN])
{
	if (inet_ntop(af, a, buf, ADDR_STRLEN) == NULL)
		snprintf(buf, ADDR_STRLEN, "?");
	return buf;
}

int
prefix_parse(const char *s, struct prefix *p, bool allow_host, bool mask)
{
	char tmp[PREFIX_STRLEN + 8];
	size_t n = strlen(s);
	if (n >= sizeof tmp)
		return -1;
	memcpy(tmp, s, n + 1);
	char *slash = strchr(tmp, '/');
	long len = -1;
	if (slash != NULL) {
		*slash = '\0';
		const char *ls = slash + 1;
		if (*ls < '0' || *ls > '9' || strlen(ls) > 3)
			return -1;
		char *end;
		errno = 0;
		len = strtol(ls, &end, 10);
		if (*end != '\0' || errno != 0)
			return -1;
	} else if (!allow_host) {
		return -1;
	}
	int af;
	memset(p, 0, sizeof *p);
	if (addr_parse(tmp, &af, p->a) < 0)
		return -1;
	p->af = (uint8_t)af;
	if (len < 0)
		len = af_bits(af);
	if (len > (long)af_bits(af))
		return -1;
	p->len = (uint8_t)len;
	if (!prefix_is_masked(p)) {
		if (!mask)
			return -2;
		prefix_mask(p);
	}
	return 0;
}

const char *
prefix_fmt(const struct prefix *p, char buf[PREFIX_STRLEN])
{
	char a[ADDR_STRLEN];
	snprintf(buf, PREFIX_STRLEN, "%s/%u", addr_fmt(p->af, p->a, a), p->len);
	return buf;
}

void
prefix_mask(struct prefix *p)
{
	unsigned bytes = af_bytes(p->af);
	for (unsigned i = p->len; i < bytes * 8; i++)
		if ((i & 7) == 0 && i + 8 <= bytes * 8) {
			p->a[i >> 3] = 0;
			i += 7;
		} else {
			bit_set(p->a, i, 0);
		}
	for (unsigned i = bytes; i < 16; i++)
		p->a[i] = 0;
}

bool
prefix_is_masked(const struct prefix *p)
{
	unsigned bytes = af_bytes(p->af);
	for (unsigned i = p->len; i < bytes * 8; i++)
		if (bit_get(p->a, i))
			return false;
	return true;
}

bool
prefix_contains(const struct prefix *outer, const struct prefix *inner)
{
	if (outer->af != inner->af || inner->len < outer->len)
		return false;
	unsigned full = outer->len / 8;
	if (memcmp(outer->a, inner->a, full) != 0)
		return false;
	for (unsigned i = full * 8; i < outer->len; i++)
		if (bit_get(outer->a, i) != bit_get(inner->a, i))
			return false;
	return true;
}

int
prefix_cmp(const struct prefix *x, const struct prefix *y)
{
	if (x->af != y->af)
		return x->af < y->af ? -1 : 1;
	int c = memcmp(x->a, y->a, af_bytes(x->af));
	if (c != 0)
		return c < 0 ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return 0;
}

bool
prefix_eq(const struct prefix *x, const struct prefix *y)
{
	return prefix_cmp(x, y) == 0;
}
