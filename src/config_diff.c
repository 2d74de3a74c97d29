/*
 * Comparing two configurations for a reload (SIGHUP, "bgp64ctl reload"): which neighbors need
 * their session reset and whether the translation has to be rebuilt. A reload parses the new
 * file into a second struct cfg; the daemon keeps the running one when the new one is refused,
 * and otherwise uses these functions to touch only what changed.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

const struct cfg_neighbor *
cfg_neighbor_find(const struct cfg *c, int af, const uint8_t *addr)
{
	for (size_t i = 0; i < c->n_neighbors; i++)
		if (c->neighbors[i].af == af &&
		    memcmp(c->neighbors[i].addr, addr, af_bytes(af)) == 0)
			return &c->neighbors[i];
	return NULL;
}

static bool
str_differ(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a != b;
	return strcmp(a, b) != 0;
}

static bool
opt_addr_differ(bool has_a, const uint8_t *a, bool has_b, const uint8_t *b)
{
	return has_a != has_b || (has_a && memcmp(a, b, 16) != 0);
}

bool
cfg_limit_eq(const struct cfg_limit *a, const struct cfg_limit *b)
{
	return a->limit == b->limit && a->action == b->action && a->restart_time == b->restart_time;
}

/*
 * Everything but the description and the receiving side's timers (graceful-restart.stale-time,
 * eorr-time: the route engine takes them over without a reset) is negotiated in OPEN, set on the
 * socket (TCP MD5, TCP-AO, GTSM), or changes what was exported or accepted, so a change resets
 * the session.
 */
bool
cfg_neighbor_changed(const struct cfg_neighbor *a, const struct cfg_neighbor *b)
{
	if (a->af != b->af || memcmp(a->addr, b->addr, 16) != 0 || a->port != b->port ||
	    opt_addr_differ(a->has_local, a->local, b->has_local, b->local) ||
	    a->remote_as != b->remote_as || a->rr_client != b->rr_client)
		return true;
	for (size_t i = 0; i < 2; i++)
		if (a->fam[i].import != b->fam[i].import || a->fam[i].export != b->fam[i].export)
			return true;
	if (a->hold_time != b->hold_time || a->connect_retry != b->connect_retry ||
	    a->send_hold_time != b->send_hold_time || a->passive != b->passive ||
	    str_differ(a->password, b->password) || a->ttl_security != b->ttl_security)
		return true;
	if (str_differ(a->tcp_ao.key, b->tcp_ao.key) ||
	    str_differ(a->tcp_ao.algorithm, b->tcp_ao.algorithm) ||
	    a->tcp_ao.send_id != b->tcp_ao.send_id || a->tcp_ao.recv_id != b->tcp_ao.recv_id)
		return true;
	for (size_t i = 0; i < 2; i++)
		if (!cfg_limit_eq(&a->fam[i].max_prefixes, &b->fam[i].max_prefixes))
			return true;
	return !cfg_limit_eq(&a->max_prefixes, &b->max_prefixes) ||
	       !cfg_limit_eq(&a->limits.attr_bytes, &b->limits.attr_bytes) ||
	       !cfg_limit_eq(&a->limits.aspath_len, &b->limits.aspath_len) ||
	       !cfg_limit_eq(&a->limits.communities, &b->limits.communities) ||
	       a->graceful_restart != b->graceful_restart ||
	       a->gr_restart_time != b->gr_restart_time ||
	       opt_addr_differ(a->has_nexthop6, a->nexthop6, b->has_nexthop6, b->nexthop6) ||
	       opt_addr_differ(a->has_nexthop6_ll, a->nexthop6_ll, b->has_nexthop6_ll,
			       b->nexthop6_ll) ||
	       a->extended_nexthop != b->extended_nexthop ||
	       a->allow_wkp_specifics != b->allow_wkp_specifics ||
	       a->copy_unknown_attrs != b->copy_unknown_attrs;
}

static void diff_add(char *buf, size_t len, bool differ, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
diff_add(char *buf, size_t len, bool differ, const char *fmt, ...)
{
	if (!differ)
		return;
	size_t n = strlen(buf);
	if (n > 0 && n + 2 < len) {
		memcpy(buf + n, ", ", 3);
		n += 2;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

const char *
cfg_neighbor_diff(const struct cfg_neighbor *a, const struct cfg_neighbor *b, char *buf, size_t len)
{
	buf[0] = '\0';
	diff_add(buf, len, a->port != b->port, "port %u -> %u", a->port, b->port);
	diff_add(buf, len, opt_addr_differ(a->has_local, a->local, b->has_local, b->local),
		 "local-address");
	diff_add(buf, len, a->remote_as != b->remote_as, "remote-as %u -> %u", a->remote_as,
		 b->remote_as);
	diff_add(buf, len, a->rr_client != b->rr_client, "route-reflector-client");
	for (size_t i = 0; i < 2; i++)
		diff_add(buf, len,
			 a->fam[i].import != b->fam[i].import ||
			     a->fam[i].export != b->fam[i].export,
			 "families.%s", i == 0 ? "ipv4" : "ipv6");
	diff_add(buf, len, a->hold_time != b->hold_time, "hold-time %u -> %u",
		 (unsigned)a->hold_time, (unsigned)b->hold_time);
	diff_add(buf, len, a->connect_retry != b->connect_retry, "connect-retry");
	diff_add(buf, len, a->send_hold_time != b->send_hold_time, "send-hold-time");
	diff_add(buf, len, a->passive != b->passive, "passive");
	diff_add(buf, len, str_differ(a->password, b->password), "password");
	diff_add(buf, len, a->ttl_security != b->ttl_security, "ttl-security");
	diff_add(buf, len,
		 str_differ(a->tcp_ao.key, b->tcp_ao.key) ||
		     str_differ(a->tcp_ao.algorithm, b->tcp_ao.algorithm) ||
		     a->tcp_ao.send_id != b->tcp_ao.send_id ||
		     a->tcp_ao.recv_id != b->tcp_ao.recv_id,
		 "tcp-ao");
	for (size_t i = 0; i < 2; i++)
		diff_add(buf, len, !cfg_limit_eq(&a->fam[i].max_prefixes, &b->fam[i].max_prefixes),
			 "families.%s.max-prefixes", i == 0 ? "ipv4" : "ipv6");
	diff_add(buf, len, !cfg_limit_eq(&a->max_prefixes, &b->max_prefixes), "max-prefixes");
	diff_add(buf, len,
		 !cfg_limit_eq(&a->limits.attr_bytes, &b->limits.attr_bytes) ||
		     !cfg_limit_eq(&a->limits.aspath_len, &b->limits.aspath_len) ||
		     !cfg_limit_eq(&a->limits.communities, &b->limits.communities),
		 "limits");
	diff_add(buf, len,
		 a->graceful_restart != b->graceful_restart ||
		     a->gr_restart_time != b->gr_restart_time,
		 "graceful-restart");
	diff_add(buf, len,
		 opt_addr_differ(a->has_nexthop6, a->nexthop6, b->has_nexthop6, b->nexthop6),
		 "ipv6-next-hop");
	diff_add(
	    buf, len,
	    opt_addr_differ(a->has_nexthop6_ll, a->nexthop6_ll, b->has_nexthop6_ll, b->nexthop6_ll),
	    "ipv6-link-local-next-hop");
	diff_add(buf, len, a->extended_nexthop != b->extended_nexthop, "extended-next-hop");
	diff_add(buf, len, a->allow_wkp_specifics != b->allow_wkp_specifics, "allow-wkp-specifics");
	diff_add(buf, len, a->copy_unknown_attrs != b->copy_unknown_attrs,
		 "copy-unknown-attributes");
	return buf;
}

static int
nexthop_cmp(const void *x, const void *y)
{
	const struct cfg_nexthop *a = x, *b = y;
	int c = prefix_cmp(&a->v4, &b->v4);
	if (c == 0)
		c = memcmp(a->v6, b->v6, 16);
	if (c == 0)
		c = strncmp(a->dev, b->dev, sizeof a->dev);
	return c;
}

static int
eam_cmp(const void *x, const void *y)
{
	const struct cfg_eam *a = x, *b = y;
	int c = prefix_cmp(&a->v4, &b->v4);
	return c != 0 ? c : prefix_cmp(&a->v6, &b->v6);
}

/*
 * Compares two arrays as sets (the order of entries in the file does not change the
 * translation). An allocation failure answers "changed", which only costs a rebuild.
 */
static bool
set_differ(const void *a, const void *b, size_t n, size_t size,
	   int (*cmp)(const void *, const void *))
{
	if (n == 0)
		return false;
	char *sa = malloc(n * size), *sb = malloc(n * size);
	bool differ = true;
	if (sa != NULL && sb != NULL) {
		memcpy(sa, a, n * size);
		memcpy(sb, b, n * size);
		qsort(sa, n, size, cmp);
		qsort(sb, n, size, cmp);
		differ = false;
		for (size_t i = 0; i < n && !differ; i++)
			differ = cmp(sa + i * size, sb + i * size) != 0;
	}
	free(sa);
	free(sb);
	return differ;
}

/* eor-wait is left out: it paces the first IPv6 End-of-RIB and does not change any mapping. */
bool
cfg_xlat_changed(const struct cfg *a, const struct cfg *b)
{
	if (!prefix_eq(&a->xlat_prefix, &b->xlat_prefix) ||
	    a->unknown_policy != b->unknown_policy || a->wkp_global_only != b->wkp_global_only ||
	    a->translatable_best != b->translatable_best || a->n_nexthops != b->n_nexthops ||
	    a->n_eams != b->n_eams)
		return true;
	if (!policy_equal(a->xlat_policy, b->xlat_policy))
		return true;
	if (a->unknown_policy == XLAT_UNKNOWN_DEFAULT &&
	    (memcmp(a->unknown_default.v6, b->unknown_default.v6, 16) != 0 ||
	     strncmp(a->unknown_default.dev, b->unknown_default.dev, XLAT_DEVLEN) != 0))
		return true;
	return set_differ(a->nexthops, b->nexthops, a->n_nexthops, sizeof *a->nexthops,
			  nexthop_cmp) ||
	       set_differ(a->eams, b->eams, a->n_eams, sizeof *a->eams, eam_cmp);
}
