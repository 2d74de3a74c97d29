/*
 * Configuration file parser (bgp64d.json(5)): JSON text -> validated struct cfg.
 *
 * The schema is a set of tables, one per JSON object. A row names a key, its type (boolean,
 * integer range, string, sub-object, or a function for anything richer), where the value lands
 * in the struct being filled, and its default. One walker, cf_object(), reads any object
 * through its table: it refuses unknown keys first (with a "did you mean" hint, so a typo is
 * never silently ignored), then visits every row in table order, so that an absent key gets its
 * default and an absent required key is an error. Rows are ordered so that a value another one
 * depends on (router-id before cluster-id, unknown-next-hop before default-next-hop, local-as
 * before the neighbors) is read first. Arrays and cross-field checks (duplicates, address
 * families, password vs TCP-AO) are functions called from rows.
 *
 * The parser keeps the JSON path of the value being read ("neighbors[2].remote-as") and stops at
 * the first error, writing "<file>: <path>: expected <what>, got <value>" (or "unknown key",
 * "missing required key") to the caller's buffer. Secrets (password, TCP-AO key) are never
 * echoed. Everything allocated hangs off the struct cfg as soon as it is allocated, so
 * cfg_free() cleans up a half-built config and a refused file leaks nothing. The parser touches
 * no global state: cfg_parse() is a pure function of its input (fuzzed by fuzz_config.c).
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "policy/policy.h"

#define CFG_PATHLEN	 256
#define CFG_MAXFILE	 (64u << 20) /* refuse config files larger than this */
#define CFG_SHOWLEN	 64	     /* bytes of a refused value echoed in a message */
#define CFG_FAM_V4	 0	     /* index of cfg_neighbor.fam, same as BGP_FAM_V4 */
#define CFG_FAM_V6	 1
#define CFG_PASSWORD_MAX 80 /* TCP_MD5SIG_MAXKEYLEN */
#define CFG_IFNAME_MAX	 (XLAT_DEVLEN - 1)
#define ARRAY_SIZE(a)	 (sizeof(a) / sizeof((a)[0]))

/* ---- parse context: file name, JSON path, error buffer ---- */

struct pctx {
	const char *name; /* file name as given, first word of every message */
	char *err;
	size_t errlen;
	struct cfg *cfg; /* the config being built (for cross-section checks) */
	char path[CFG_PATHLEN];
	size_t plen;
};

static size_t path_push(struct pctx *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends to the path; returns the length to restore with path_pop(). */
static size_t
path_push(struct pctx *p, const char *fmt, ...)
{
	size_t saved = p->plen;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(p->path + p->plen, sizeof p->path - p->plen, fmt, ap);
	va_end(ap);
	if (n > 0)
		p->plen +=
		    (size_t)n < sizeof p->path - p->plen ? (size_t)n : sizeof p->path - p->plen - 1;
	return saved;
}

static size_t
path_push_key(struct pctx *p, const char *key)
{
	return path_push(p, "%s%s", p->plen > 0 ? "." : "", key);
}

static size_t
path_push_index(struct pctx *p, size_t i)
{
	return path_push(p, "[%zu]", i);
}

static void
path_pop(struct pctx *p, size_t saved)
{
	p->plen = saved;
	p->path[saved] = '\0';
}

static int perr(struct pctx *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes "<file>: <path>: <message>" (no path at the top level); returns -1. */
static int
perr(struct pctx *p, const char *fmt, ...)
{
	int n = p->plen > 0 ? snprintf(p->err, p->errlen, "%s: %s: ", p->name, p->path)
			    : snprintf(p->err, p->errlen, "%s: ", p->name);
	if (n < 0 || (size_t)n >= p->errlen)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * How a refused value is shown: scalars as JSON (strings cut to CFG_SHOWLEN bytes, escaped to
 * ASCII so that a message is one printable line), containers by kind only, secrets by length.
 */
static const char *
show(const json_t *v, bool secret, char *buf, size_t len)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		if (secret) {
			size_t n = json_string_length(v);
			snprintf(buf, len, "a string of %zu byte%s", n, n == 1 ? "" : "s");
			return buf;
		}
		break;
	default:
		break;
	}
	char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_ENSURE_ASCII);
	if (s == NULL)
		return "a value";
	if (strlen(s) > CFG_SHOWLEN)
		snprintf(buf, len, "%.*s...", CFG_SHOWLEN, s);
	else
		snprintf(buf, len, "%s", s);
	free(s);
	return buf;
}

static int
pexpect_v(struct pctx *p, const json_t *v, bool secret, const char *suffix, const char *fmt,
	  va_list ap)
{
	char what[160], got[CFG_SHOWLEN + 32];
	vsnprintf(what, sizeof what, fmt, ap);
	return perr(p, "expected %s, got %s%s", what, show(v, secret, got, sizeof got),
		    suffix != NULL ? suffix : "");
}

static int pexpect(struct pctx *p, const json_t *v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int pexpect_secret(struct pctx *p, const json_t *v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int pexpect_hint(struct pctx *p, const json_t *v, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* "expected <what>, got <value>" at the current path; returns -1. */
static int
pexpect(struct pctx *p, const json_t *v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	pexpect_v(p, v, false, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

static int
pexpect_secret(struct pctx *p, const json_t *v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	pexpect_v(p, v, true, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

/* Same with a hint (e.g. " (did you mean ...)") after the value. */
static int
pexpect_hint(struct pctx *p, const json_t *v, const char *hint, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	pexpect_v(p, v, false, hint, fmt, ap);
	va_end(ap);
	return -1;
}

static int
oom(struct pctx *p)
{
	return perr(p, "out of memory");
}

/* ---- schema tables ---- */

enum cf_type {
	CF_BOOL,
	CF_UINT, /* unsigned integer of r->size bytes, r->min..r->max */
	CF_STR,	 /* malloc'd char *, r->min..r->max bytes */
	CF_OBJ,	 /* sub-object read through r->sub into the same base */
	CF_FN,	 /* r->fn does it all, absent (v NULL) included */
};

#define CF_REQUIRED 0x1 /* absent is an error */
#define CF_NULLABLE 0x2 /* null accepted: a string becomes NULL, an object is skipped */
#define CF_SECRET   0x4 /* never echo the value in a message */

struct cf_row;
typedef int cf_fn(struct pctx *p, const struct cf_row *r, json_t *v, void *base);

struct cf_table {
	const struct cf_row *rows;
	size_t n;
};

struct cf_row {
	const char *key;
	enum cf_type type;
	unsigned flags;
	size_t off;  /* offset of the destination in the struct being filled */
	size_t size; /* CF_UINT: size of the destination */
	uint32_t min, max;
	uint32_t dflt;	   /* CF_BOOL, CF_UINT default */
	const char *sdflt; /* CF_STR default (copied), NULL for none */
	const struct cf_table *sub;
	cf_fn *fn;
};

#define MEMBER_SIZE(T, m) sizeof(((T *)0)->m)
#define R_BOOL(k, T, m, d)                                                                         \
	{                                                                                          \
		.key = (k), .type = CF_BOOL, .off = offsetof(T, m), .dflt = (d)                    \
	}
#define R_UINT(k, T, m, lo, hi, d, fl)                                                             \
	{                                                                                          \
		.key = (k), .type = CF_UINT, .flags = (fl), .off = offsetof(T, m),                 \
		.size = MEMBER_SIZE(T, m), .min = (lo), .max = (hi), .dflt = (d)                   \
	}
#define R_STR(k, T, m, lo, hi, sd, fl)                                                             \
	{                                                                                          \
		.key = (k), .type = CF_STR, .flags = (fl), .off = offsetof(T, m), .min = (lo),     \
		.max = (hi), .sdflt = (sd)                                                         \
	}
#define R_OBJ(k, t, fl)                                                                            \
	{                                                                                          \
		.key = (k), .type = CF_OBJ, .flags = (fl), .sub = &(t)                             \
	}
#define R_FN(k, f, T, m, fl)                                                                       \
	{                                                                                          \
		.key = (k), .type = CF_FN, .flags = (fl), .off = offsetof(T, m), .fn = (f)         \
	}
#define TABLE(name, rows) static const struct cf_table name = {rows, ARRAY_SIZE(rows)}

static int cf_object(struct pctx *p, json_t *obj, const struct cf_table *t, void *base);

/* The functions of CF_FN rows (defined after the tables). */
static cf_fn f_router_id, f_cluster_id, f_log_level, f_listen, f_listen_addr, f_translation,
    f_xlat_prefix, f_nexthops, f_unknown_policy, f_default_nh, f_eams, f_prefix4, f_prefix6,
    f_nh_v6, f_ifname, f_neighbors, f_nbr_addr, f_nbr_local, f_hold_time, f_nbr_nh6, f_nbr_nh6_ll,
    f_fib_protocol, f_socket, f_mode, f_metrics_listen, f_limit_action, f_limit_value,
    f_prefix_limit4, f_prefix_limit6, f_prefix_limit_total, f_lim_attr_bytes, f_lim_aspath,
    f_lim_communities, f_memory_budget, f_later;

/* The object form of a limit (struct cfg_limit); "limit" and "action" keep the defaults of
 * the limit they belong to when absent (get_limit). */
static const struct cf_row limit_rows[] = {
    R_FN("limit", f_limit_value, struct cfg_limit, limit, 0),
    R_FN("action", f_limit_action, struct cfg_limit, action, 0),
    R_UINT("restart-time", struct cfg_limit, restart_time, 0, 86400, CFG_LIMIT_RESTART_TIME, 0),
};
TABLE(limit_table, limit_rows);

static const struct cf_row listen_rows[] = {
    R_FN("address", f_listen_addr, struct cfg_listen, addr, CF_REQUIRED),
    R_UINT("port", struct cfg_listen, port, 1, 65535, 179, 0),
};
TABLE(listen_table, listen_rows);

static const struct cf_row nexthop_rows[] = {
    R_FN("ipv4", f_prefix4, struct cfg_nexthop, v4, CF_REQUIRED),
    R_FN("ipv6", f_nh_v6, struct cfg_nexthop, v6, CF_REQUIRED),
    R_FN("device", f_ifname, struct cfg_nexthop, dev, 0),
};
TABLE(nexthop_table, nexthop_rows);

static const struct cf_row default_nh_rows[] = {
    R_FN("ipv6", f_nh_v6, struct xlat_nh, v6, CF_REQUIRED),
    R_FN("device", f_ifname, struct xlat_nh, dev, 0),
};
TABLE(default_nh_table, default_nh_rows);

static const struct cf_row eam_rows[] = {
    R_FN("ipv4", f_prefix4, struct cfg_eam, v4, CF_REQUIRED),
    R_FN("ipv6", f_prefix6, struct cfg_eam, v6, CF_REQUIRED),
};
TABLE(eam_table, eam_rows);

static const struct cf_row translation_rows[] = {
    R_FN("prefix", f_xlat_prefix, struct cfg, xlat_prefix, CF_REQUIRED),
    R_FN("next-hops", f_nexthops, struct cfg, nexthops, 0),
    R_FN("unknown-next-hop", f_unknown_policy, struct cfg, unknown_policy, 0),
    R_FN("default-next-hop", f_default_nh, struct cfg, unknown_default, 0),
    R_BOOL("wkp-global-only", struct cfg, wkp_global_only, true),
    R_BOOL("translatable-best", struct cfg, translatable_best, true),
    R_FN("explicit-mappings", f_eams, struct cfg, eams, 0),
    R_UINT("eor-wait", struct cfg, eor_wait, 0, 3600, 120, 0),
    R_STR("policy", struct cfg, xlat_policy_name, 1, 255, NULL, 0),
};
TABLE(translation_table, translation_rows);

static const struct cf_row fam4_rows[] = {
    R_BOOL("import", struct cfg_neighbor, fam[CFG_FAM_V4].import, true),
    R_BOOL("export", struct cfg_neighbor, fam[CFG_FAM_V4].export, false),
    R_FN("max-prefixes", f_prefix_limit4, struct cfg_neighbor, fam[CFG_FAM_V4].max_prefixes, 0),
    R_STR("import-policy", struct cfg_neighbor, fam[CFG_FAM_V4].import_policy_name, 1, 255, NULL,
	  0),
    R_STR("export-policy", struct cfg_neighbor, fam[CFG_FAM_V4].export_policy_name, 1, 255, NULL,
	  0),
};
TABLE(fam4_table, fam4_rows);

static const struct cf_row fam6_rows[] = {
    R_BOOL("import", struct cfg_neighbor, fam[CFG_FAM_V6].import, true),
    R_BOOL("export", struct cfg_neighbor, fam[CFG_FAM_V6].export, true),
    R_FN("max-prefixes", f_prefix_limit6, struct cfg_neighbor, fam[CFG_FAM_V6].max_prefixes, 0),
    R_STR("import-policy", struct cfg_neighbor, fam[CFG_FAM_V6].import_policy_name, 1, 255, NULL,
	  0),
    R_STR("export-policy", struct cfg_neighbor, fam[CFG_FAM_V6].export_policy_name, 1, 255, NULL,
	  0),
};
TABLE(fam6_table, fam6_rows);

static const struct cf_row families_rows[] = {
    R_OBJ("ipv4", fam4_table, 0),
    R_OBJ("ipv6", fam6_table, 0),
};
TABLE(families_table, families_rows);

static const struct cf_row tcp_ao_rows[] = {
    R_STR("key", struct cfg_neighbor, tcp_ao.key, 1, CFG_PASSWORD_MAX, NULL,
	  CF_REQUIRED | CF_SECRET),
    R_STR("algorithm", struct cfg_neighbor, tcp_ao.algorithm, 1, 63, "hmac(sha1)", 0),
    R_UINT("send-id", struct cfg_neighbor, tcp_ao.send_id, 0, 255, 0, CF_REQUIRED),
    R_UINT("recv-id", struct cfg_neighbor, tcp_ao.recv_id, 0, 255, 0, CF_REQUIRED),
};
TABLE(tcp_ao_table, tcp_ao_rows);

static const struct cf_row gr_rows[] = {
    R_BOOL("enabled", struct cfg_neighbor, graceful_restart, true),
    R_UINT("restart-time", struct cfg_neighbor, gr_restart_time, 0, 4095, 120, 0),
    R_UINT("stale-time", struct cfg_neighbor, gr_stale_time, 1, 65535, 360, 0),
};
TABLE(gr_table, gr_rows);

static const struct cf_row nbr_limits_rows[] = {
    R_FN("attribute-bytes", f_lim_attr_bytes, struct cfg_neighbor, limits.attr_bytes, 0),
    R_FN("as-path-length", f_lim_aspath, struct cfg_neighbor, limits.aspath_len, 0),
    R_FN("communities", f_lim_communities, struct cfg_neighbor, limits.communities, 0),
};
TABLE(nbr_limits_table, nbr_limits_rows);

static const struct cf_row limits_rows[] = {
    R_FN("memory-budget", f_memory_budget, struct cfg, memory_budget, 0),
};
TABLE(limits_table, limits_rows);

static const struct cf_row neighbor_rows[] = {
    R_FN("address", f_nbr_addr, struct cfg_neighbor, addr, CF_REQUIRED),
    R_UINT("port", struct cfg_neighbor, port, 1, 65535, 179, 0),
    R_FN("local-address", f_nbr_local, struct cfg_neighbor, local, 0),
    R_UINT("remote-as", struct cfg_neighbor, remote_as, 1, UINT32_MAX, 0, CF_REQUIRED),
    R_STR("description", struct cfg_neighbor, description, 0, 255, NULL, 0),
    R_BOOL("route-reflector-client", struct cfg_neighbor, rr_client, false),
    R_OBJ("families", families_table, 0),
    R_FN("hold-time", f_hold_time, struct cfg_neighbor, hold_time, 0),
    R_UINT("connect-retry", struct cfg_neighbor, connect_retry, 1, 3600, 30, 0),
    R_UINT("send-hold-time", struct cfg_neighbor, send_hold_time, 0, 65535, 0, 0),
    R_BOOL("passive", struct cfg_neighbor, passive, false),
    R_STR("password", struct cfg_neighbor, password, 1, CFG_PASSWORD_MAX, NULL,
	  CF_NULLABLE | CF_SECRET),
    R_BOOL("ttl-security", struct cfg_neighbor, ttl_security, false),
    R_OBJ("tcp-ao", tcp_ao_table, CF_NULLABLE | CF_SECRET),
    R_FN("max-prefixes", f_prefix_limit_total, struct cfg_neighbor, max_prefixes, 0),
    R_OBJ("limits", nbr_limits_table, 0),
    R_UINT("eorr-time", struct cfg_neighbor, eorr_time, 1, 65535, 360, 0),
    R_OBJ("graceful-restart", gr_table, 0),
    R_FN("ipv6-next-hop", f_nbr_nh6, struct cfg_neighbor, nexthop6, 0),
    R_FN("ipv6-link-local-next-hop", f_nbr_nh6_ll, struct cfg_neighbor, nexthop6_ll, 0),
    R_BOOL("extended-next-hop", struct cfg_neighbor, extended_nexthop, false),
    R_BOOL("allow-wkp-specifics", struct cfg_neighbor, allow_wkp_specifics, false),
    R_BOOL("copy-unknown-attributes", struct cfg_neighbor, copy_unknown_attrs, false),
};
TABLE(neighbor_table, neighbor_rows);

static const struct cf_row fib_rows[] = {
    R_BOOL("enabled", struct cfg, fib.enabled, false),
    R_UINT("table", struct cfg, fib.table, 1, UINT32_MAX, 254, 0),
    R_FN("protocol", f_fib_protocol, struct cfg, fib.protocol, 0),
    R_UINT("metric", struct cfg, fib.metric, 0, UINT32_MAX, 20, 0),
    R_BOOL("keep-on-exit", struct cfg, fib.keep_on_exit, false),
};
TABLE(fib_table, fib_rows);

static const struct cf_row control_ro_rows[] = {
    R_FN("socket", f_socket, struct cfg, control.ro_socket, CF_REQUIRED),
    R_FN("mode", f_mode, struct cfg, control.ro_mode, 0),
    R_STR("group", struct cfg, control.ro_group, 1, 31, NULL, CF_NULLABLE),
};
TABLE(control_ro_table, control_ro_rows);

static const struct cf_row control_rows[] = {
    R_FN("socket", f_socket, struct cfg, control.socket, 0),
    R_FN("mode", f_mode, struct cfg, control.mode, 0),
    R_STR("group", struct cfg, control.group, 1, 31, NULL, CF_NULLABLE),
    R_UINT("idle-timeout", struct cfg, control.idle_timeout, 1, 3600, 30, 0),
    R_OBJ("read-only", control_ro_table, CF_NULLABLE),
};
TABLE(control_table, control_rows);

static const struct cf_row metrics_rows[] = {
    R_FN("listen", f_metrics_listen, struct cfg, metrics.addr, CF_REQUIRED),
};
TABLE(metrics_table, metrics_rows);

static const struct cf_row root_rows[] = {
    R_FN("router-id", f_router_id, struct cfg, router_id, CF_REQUIRED),
    R_UINT("local-as", struct cfg, local_as, 1, UINT32_MAX, 0, CF_REQUIRED),
    R_FN("cluster-id", f_cluster_id, struct cfg, cluster_id, 0),
    R_FN("log-level", f_log_level, struct cfg, log_level, 0),
    R_STR("user", struct cfg, user, 1, 31, NULL, CF_NULLABLE),
    R_FN("listen", f_listen, struct cfg, listen, 0),
    R_FN("translation", f_translation, struct cfg, xlat_prefix, CF_REQUIRED),
    R_FN("neighbors", f_neighbors, struct cfg, neighbors, 0),
    R_OBJ("limits", limits_table, 0),
    R_OBJ("fib", fib_table, 0),
    R_OBJ("control", control_table, 0),
    R_OBJ("metrics", metrics_table, CF_NULLABLE),
    /* read by cfg_policy_parse() once the rest is known */
    R_FN("sets", f_later, struct cfg, pol, 0),
    R_FN("policies", f_later, struct cfg, pol, 0),
};
TABLE(root_table, root_rows);

/* ---- the walker ---- */

static const struct cf_row *
cf_row_find(const struct cf_table *t, const char *key)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->rows[i].key, key) == 0)
			return &t->rows[i];
	return NULL;
}

/* Optimal string alignment distance (a transposition counts as one edit). */
static unsigned
edit_distance(const char *a, const char *b)
{
	enum { MAXK = 40 };
	size_t la = strlen(a), lb = strlen(b);
	if (la > MAXK || lb > MAXK)
		return UINT32_MAX;
	unsigned d[MAXK + 1][MAXK + 1];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (unsigned)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			unsigned v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

/* True when a and b differ only in case and '-' versus '_'. */
static bool
same_but_separators(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++) {
		char x = *a == '_' ? '-' : *a, y = *b == '_' ? '-' : *b;
		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (x != y)
			return false;
	}
	return *a == *b;
}

/* The known key a typo most likely meant, or NULL. */
static const char *
closest_key(const struct cf_table *t, const char *key)
{
	const char *best = NULL;
	unsigned best_d = 3;
	for (size_t i = 0; i < t->n; i++) {
		unsigned d = same_but_separators(key, t->rows[i].key)
				 ? 0
				 : edit_distance(key, t->rows[i].key);
		if (d < best_d) {
			best_d = d;
			best = t->rows[i].key;
		}
	}
	return best;
}

static int
unknown_key(struct pctx *p, const struct cf_table *t, const char *key)
{
	/* The key goes into the message as it is, except that what would break the line or the
	 * terminal is masked and a long one is cut. */
	char safe[48];
	size_t n = 0;
	for (; key[n] != '\0' && n < sizeof safe - 4; n++)
		safe[n] = key[n] > 0x20 && key[n] < 0x7f ? key[n] : '?';
	safe[n] = '\0';
	if (key[n] != '\0')
		strcpy(safe + n, "...");
	path_push_key(p, safe);
	const char *hint = closest_key(t, key);
	if (hint != NULL)
		return perr(p, "unknown key (did you mean \"%s\"?)", hint);
	return perr(p, "unknown key");
}

static void
store_uint(void *dst, size_t size, uint32_t v)
{
	switch (size) {
	case 1:
		*(uint8_t *)dst = (uint8_t)v;
		break;
	case 2:
		*(uint16_t *)dst = (uint16_t)v;
		break;
	default:
		*(uint32_t *)dst = v;
		break;
	}
}

static int
get_uint(struct pctx *p, json_t *v, uint32_t lo, uint32_t hi, uint32_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
		return pexpect(p, v, "integer %" PRIu32 "..%" PRIu32, lo, hi);
	*out = (uint32_t)json_integer_value(v);
	return 0;
}

static int
cf_string(struct pctx *p, const struct cf_row *r, json_t *v, char **dst)
{
	const char *src = r->sdflt;
	if (v != NULL && !(json_is_null(v) && (r->flags & CF_NULLABLE))) {
		size_t len = json_is_string(v) ? json_string_length(v) : 0;
		if (!json_is_string(v) || len < r->min || len > r->max ||
		    strlen(json_string_value(v)) != len) {
			char what[64];
			if (r->min == 0)
				snprintf(what, sizeof what, "string of at most %" PRIu32 " bytes",
					 r->max);
			else
				snprintf(what, sizeof what,
					 "string of %" PRIu32 "..%" PRIu32 " bytes", r->min,
					 r->max);
			if (r->flags & CF_SECRET)
				return pexpect_secret(p, v, "%s%s", what,
						      r->flags & CF_NULLABLE ? " or null" : "");
			return pexpect(p, v, "%s%s", what,
				       r->flags & CF_NULLABLE ? " or null" : "");
		}
		src = json_string_value(v);
	} else if (v != NULL) {
		src = NULL; /* explicit null */
	}
	if (src != NULL && (*dst = strdup(src)) == NULL)
		return oom(p);
	return 0;
}

/* Reads one value (v NULL when absent) into base according to its row. */
static int
cf_value(struct pctx *p, const struct cf_row *r, json_t *v, void *base)
{
	void *dst = (char *)base + r->off;
	uint32_t u = 0;
	switch (r->type) {
	case CF_BOOL:
		if (v == NULL)
			*(bool *)dst = r->dflt != 0;
		else if (json_is_boolean(v))
			*(bool *)dst = json_is_true(v);
		else
			return pexpect(p, v, "true or false");
		return 0;
	case CF_UINT:
		if (v == NULL)
			u = r->dflt;
		else if (get_uint(p, v, r->min, r->max, &u) < 0)
			return -1;
		store_uint(dst, r->size, u);
		return 0;
	case CF_STR:
		return cf_string(p, r, v, (char **)dst);
	case CF_OBJ:
		if ((r->flags & CF_NULLABLE) && (v == NULL || json_is_null(v)))
			return 0;
		if (v != NULL && !json_is_object(v)) {
			const char *what = (r->flags & CF_NULLABLE) ? "object or null" : "object";
			return (r->flags & CF_SECRET) ? pexpect_secret(p, v, "%s", what)
						      : pexpect(p, v, "%s", what);
		}
		return cf_object(p, v, r->sub, base);
	case CF_FN:
		return r->fn(p, r, v, base);
	}
	return -1;
}

/*
 * Reads the object obj (NULL: absent, every row takes its default) through table t into base.
 * Unknown keys are refused before any value is read, so that a typo'd required key is reported
 * as the typo rather than as missing.
 */
static int
cf_object(struct pctx *p, json_t *obj, const struct cf_table *t, void *base)
{
	if (obj != NULL) {
		if (!json_is_object(obj))
			return pexpect(p, obj, "object");
		for (void *it = json_object_iter(obj); it != NULL;
		     it = json_object_iter_next(obj, it)) {
			const char *key = json_object_iter_key(it);
			if (cf_row_find(t, key) == NULL)
				return unknown_key(p, t, key);
		}
	}
	for (size_t i = 0; i < t->n; i++) {
		const struct cf_row *r = &t->rows[i];
		json_t *v = obj != NULL ? json_object_get(obj, r->key) : NULL;
		if (v == NULL && (r->flags & CF_REQUIRED))
			return perr(p, "missing required key \"%s\"", r->key);
		size_t saved = path_push_key(p, r->key);
		int rc = cf_value(p, r, v, base);
		path_pop(p, saved);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/*
 * Reads the elements of the JSON array v (objects, through table t) into arr, an array of
 * json_array_size(v) structs of elem bytes. check (may be NULL) runs after each element, with
 * the path at the element, for what spans fields or elements (duplicates).
 */
static int
cf_elements(struct pctx *p, json_t *v, const struct cf_table *t, void *arr, size_t elem,
	    int (*check)(struct pctx *p, json_t *obj, void *elems, size_t i))
{
	for (size_t i = 0; i < json_array_size(v); i++) {
		json_t *o = json_array_get(v, i);
		size_t saved = path_push_index(p, i);
		if (cf_object(p, o, t, (char *)arr + i * elem) < 0 ||
		    (check != NULL && check(p, o, arr, i) < 0))
			return -1;
		path_pop(p, saved);
	}
	return 0;
}

/*
 * Checks that v is an array and allocates zeroed room for its elements: *out (NULL when the
 * array is empty) and *n. The caller stores both in the cfg before reading the elements, so
 * that cfg_free() releases a partly read array.
 */
static int
cf_array_alloc(struct pctx *p, json_t *v, size_t elem, void **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!json_is_array(v))
		return pexpect(p, v, "array");
	if (json_array_size(v) == 0)
		return 0;
	if ((*out = calloc(json_array_size(v), elem)) == NULL)
		return oom(p);
	*n = json_array_size(v);
	return 0;
}

/* ---- addresses and prefixes ---- */

static bool
all_zero(const uint8_t *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != 0)
			return false;
	return true;
}

static bool
addr_is_multicast(int af, const uint8_t *a)
{
	/* IPv4: 224/4 multicast and 240/4 reserved (broadcast included). */
	return af == AF_INET ? a[0] >= 224 : a[0] == 0xff;
}

static bool
addr_is_loopback(int af, const uint8_t *a)
{
	static const uint8_t lo6[16] = {[15] = 1};
	return af == AF_INET ? a[0] == 127 : memcmp(a, lo6, 16) == 0;
}

static bool
addr6_is_link_local(const uint8_t *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

static const char *
af_name(int af)
{
	return af == AF_INET ? "IPv4" : af == AF_INET6 ? "IPv6" : "IP";
}

/* An address string of family want (AF_UNSPEC: either). */
static int
get_addr(struct pctx *p, json_t *v, int want, int *af, uint8_t a[16])
{
	int f = AF_UNSPEC;
	if (!json_is_string(v) || addr_parse(json_string_value(v), &f, a) < 0 ||
	    (want != AF_UNSPEC && f != want))
		return pexpect(p, v, "%s address", af_name(want));
	*af = f;
	return 0;
}

/* A unicast address a peer can have: not unspecified, multicast, or (IPv6) link-local, which
 * would need an interface that the config cannot give. */
static int
get_unicast(struct pctx *p, json_t *v, int want, int *af, uint8_t a[16])
{
	if (get_addr(p, v, want, af, a) < 0)
		return -1;
	if (all_zero(a, af_bytes(*af)) || addr_is_multicast(*af, a) ||
	    (*af == AF_INET6 && addr6_is_link_local(a)))
		return pexpect(p, v, "unicast %s address (not link-local)", af_name(want));
	return 0;
}

/* A prefix of family af, without host bits. */
static int
get_prefix(struct pctx *p, json_t *v, int af, struct prefix *out)
{
	if (!json_is_string(v))
		return pexpect(p, v, "%s prefix", af_name(af));
	const char *s = json_string_value(v);
	int rc = prefix_parse(s, out, false, false);
	if (rc == -1 || out->af != af)
		return pexpect(p, v, "%s prefix", af_name(af));
	if (rc == -2) {
		char hint[PREFIX_STRLEN + 32], buf[PREFIX_STRLEN];
		prefix_parse(s, out, false, true);
		snprintf(hint, sizeof hint, " (did you mean \"%s\"?)", prefix_fmt(out, buf));
		return pexpect_hint(p, v, hint, "%s prefix without host bits", af_name(af));
	}
	return 0;
}

/* An IPv4 address as a BGP identifier (router-id, cluster-id): host order, not 0.0.0.0. */
static int
get_id(struct pctx *p, json_t *v, uint32_t *out)
{
	int af = AF_UNSPEC;
	uint8_t a[16];
	if (!json_is_string(v) || addr_parse(json_string_value(v), &af, a) < 0 || af != AF_INET ||
	    all_zero(a, 4))
		return pexpect(p, v, "IPv4 address other than 0.0.0.0");
	*out = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
	return 0;
}

/* One of names; *idx is its index. */
static int
get_enum(struct pctx *p, json_t *v, const char *const *names, size_t n, size_t *idx)
{
	if (json_is_string(v))
		for (size_t i = 0; i < n; i++)
			if (strcmp(json_string_value(v), names[i]) == 0) {
				*idx = i;
				return 0;
			}
	char what[128];
	size_t len = (size_t)snprintf(what, sizeof what, "one of");
	for (size_t i = 0; i < n && len < sizeof what; i++)
		len += (size_t)snprintf(what + len, sizeof what - len, "%s \"%s\"",
					i > 0 ? "," : "", names[i]);
	return pexpect(p, v, "%s", what);
}

/* ---- limits ---- */

static int
f_limit_value(struct pctx *p, const struct cf_row *r, json_t *v, void *base)
{
	if (v == NULL)
		return 0; /* preset by get_limit() */
	json_int_t n = json_is_integer(v) ? json_integer_value(v) : -1;
	if (n < 0 || n > (json_int_t)UINT32_MAX)
		return pexpect(p, v, "integer 0..%" PRIu32, UINT32_MAX);
	*(uint64_t *)((char *)base + r->off) = (uint64_t)n;
	return 0;
}

static int
f_limit_action(struct pctx *p, const struct cf_row *r, json_t *v, void *base)
{
	static const char *const names[] = {
	    [CFG_LIMIT_WARN] = "warn",
	    [CFG_LIMIT_BLOCK] = "block",
	    [CFG_LIMIT_RESTART] = "restart",
	};
	size_t i;
	if (v == NULL)
		return 0; /* preset by get_limit() */
	if (get_enum(p, v, names, ARRAY_SIZE(names), &i) < 0)
		return -1;
	*(enum cfg_limit_action *)((char *)base + r->off) = (enum cfg_limit_action)i;
	return 0;
}

/* A limit: an integer (the limit, with the default action) or an object (limit_table). */
static int
get_limit(struct pctx *p, json_t *v, struct cfg_limit *l, uint64_t dflt,
	  enum cfg_limit_action action)
{
	l->limit = dflt;
	l->action = action;
	l->restart_time = CFG_LIMIT_RESTART_TIME;
	if (v == NULL)
		return 0;
	if (json_is_integer(v)) {
		json_int_t n = json_integer_value(v);
		if (n < 0 || n > (json_int_t)UINT32_MAX)
			return pexpect(p, v, "integer 0..%" PRIu32 " or a limit object",
				       UINT32_MAX);
		l->limit = (uint64_t)n;
		return 0;
	}
	if (!json_is_object(v))
		return pexpect(p, v, "integer 0..%" PRIu32 " or a limit object", UINT32_MAX);
	return cf_object(p, v, &limit_table, l);
}

static int
f_prefix_limit4(struct pctx *p, const struct cf_row *r, json_t *v, void *base)
{
	return get_limit(p, v, (struct cfg_limit *)((char *)base + r->off), CFG_MAX_PREFIXES_V4,
			 CFG_LIMIT_RESTART);
}

static int
f_prefix_limit6(struct pctx *p, const struct cf_row *r, json_t *v, void *base)
{
	return get_limit(p, v, (struct cfg_limit *)((char *)base + r->off), CFG_MAX_PREFIXES_V6,
			 CFG_LIMIT_RESTART);
}

/* The neighbor-wide "max-prefixes" of earlier versions: both families together, no limit by
 * default; an integer keeps its meaning (restart, now after restart-time). */
static int
f_prefix_limit_total(struct pctx *p, const struct cf_row *r, json_t *v, void *base)
{
	return get_limit(p, v, (struct cfg_limit *)((char *)base + r->off), 0, CFG_LIMIT_RESTART);
}

static int
f_lim_attr_bytes(struct pctx *p, const struct cf_row *r, json_t *v, void *base)
{
	return get_limit(p, v, (struct cfg_limit *)((char *)base + r->off), CFG_ATTR_BYTES,
			 CFG_LIMIT_RESTART);
}

static int
f_lim_aspath(struct pctx *p, const struct cf_row *r, json_t *v, void *base)
{
	return get_limit(p, v, (struct cfg_limit *)((char *)base + r->off), CFG_ASPATH_LEN,
			 CFG_LIMIT_BLOCK);
}

static int
f_lim_communities(struct pctx *p, const struct cf_row *r, json_t *v, void *base)
{
	return get_limit(p, v, (struct cfg_limit *)((char *)base + r->off), CFG_COMMUNITIES,
			 CFG_LIMIT_BLOCK);
}

/* Bytes, at least 1 MiB; 0 (the default): decided at start from the physical memory. */
static int
f_memory_budget(struct pctx *p, const struct cf_row *r, json_t *v, void *base)
{
	uint64_t *dst = (uint64_t *)((char *)base + r->off);
	*dst = 0;
	if (v == NULL)
		return 0;
	json_int_t n = json_is_integer(v) ? json_integer_value(v) : -1;
	if (n != 0 && (n < (1 << 20) || n > ((json_int_t)1 << 50)))
		return pexpect(p, v, "integer 0 or 1048576..2^50 (bytes)");
	*dst = (uint64_t)n;
	return 0;
}

/* ---- top level ---- */

static int
f_router_id(struct pctx *p, const struct cf_row *r, json_t *v, void *base)
{
	return get_id(p, v, (uint32_t *)((char *)base + r->off));
}

static int
f_cluster_id(struct pctx *p, const struct cf_row *r, json_t *v, void *base)
{
	struct cfg *c = base;
	(void)r;
	if (v == NULL) {
		c->cluster_id = c->router_id;
		return 0;
	}
	return get_id(p, v, &c->cluster_id);
}

static int
f_log_level(struct pctx *p, const struct cf_row *r, json_t *v, void *base)
{
	static const char *const levels[] = {"error", "warning", "info", "debug"};
	size_t i = 2;
	char **dst = (char **)((char *)base + r->off);
	if (v != NULL && get_enum(p, v, levels, ARRAY_SIZE(levels), &i) < 0)
		return -1;
	if ((*dst = strdup(levels[i])) == NULL)
		return oom(p);
	return 0;
}

static int
listen_check(struct pctx *p, json_t *obj, void *elems, size_t i)
{
	const struct cfg_listen *l = elems;
	(void)obj;
	for (size_t j = 0; j < i; j++) {
		if (l[j].af == l[i].af && l[j].port == l[i].port &&
		    memcmp(l[j].addr, l[i].addr, 16) == 0) {
			char a[ADDR_STRLEN];
			return perr(p,
				    "expected an address and port not in listen[%zu] already, "
				    "got \"%s\" port %u",
				    j, addr_fmt(l[i].af, l[i].addr, a), l[i].port);
		}
	}
	return 0;
}

static int
f_listen(struct pctx *p, const struct cf_row *r, json_t *v, void *base)
{
	struct cfg *c = base;
	void *a;
	(void)r;
	if (v == NULL) {
		/* Default: one wildcard IPv6 socket (dual stack) on port 179. */
		if ((c->listen = calloc(1, sizeof *c->listen)) == NULL)
			return oom(p);
		c->n_listen = 1;
		c->listen[0].af = AF_INET6;
		c->listen[0].port = 179;
		return 0;
	}
	if (cf_array_alloc(p, v, sizeof *c->listen, &a, &c->n_listen) < 0)
		return -1;
	c->listen = a;
	return cf_elements(p, v, &listen_table, c->listen, sizeof *c->listen, listen_check);
}

static int
f_listen_addr(struct pctx *p, const struct cf_row *r, json_t *v, void *base)
{
	struct cfg_listen *l = base;
	(void)r;
	if (get_addr(p, v, AF_UNSPEC, &l->af, l->addr) < 0)
		return -1;
	if (addr_is_multicast(l->af, l->addr))
		return pexpect(p, v, "unicast or wildcard IP address");
	return 0;
}

/* ---- translation ---- */

/* Builds cfg->xlat; the module's own checks (overlapping EAMs, duplicate next hops...) are
 * reported with the path of the entry. */
static int
xlat_build(struct pctx *p, struct cfg *c)
{
	char why[CFG_ERRLEN / 2] = "";
	if ((c->xlat = xlat_new()) == NULL)
		return oom(p);
	if (xlat_set_prefix(c->xlat, &c->xlat_prefix, why, sizeof why) < 0) {
		path_push_key(p, "prefix");
		return perr(p, "%s", why);
	}
	for (size_t i = 0; i < c->n_nexthops; i++) {
		const struct cfg_nexthop *nh = &c->nexthops[i];
		if (xlat_add_nexthop(c->xlat, &nh->v4, nh->v6, nh->dev[0] != '\0' ? nh->dev : NULL,
				     why, sizeof why) < 0) {
			path_push(p, ".next-hops[%zu]", i);
			return perr(p, "%s", why);
		}
	}
	for (size_t i = 0; i < c->n_eams; i++) {
		if (xlat_add_eam(c->xlat, &c->eams[i].v4, &c->eams[i].v6, why, sizeof why) < 0) {
			path_push(p, ".explicit-mappings[%zu]", i);
			return perr(p, "%s", why);
		}
	}
	xlat_set_unknown_policy(c->xlat, c->unknown_policy,
				c->unknown_policy == XLAT_UNKNOWN_DEFAULT ? &c->unknown_default
									  : NULL);
	xlat_set_wkp_global_only(c->xlat, c->wkp_global_only);
	return 0;
}

static int
f_translation(struct pctx *p, const struct cf_row *r, json_t *v, void *base)
{
	struct cfg *c = base;
	(void)r;
	if (cf_object(p, v, &translation_table, c) < 0)
		return -1;
	if (c->unknown_policy == XLAT_UNKNOWN_DEFAULT &&
	    json_object_get(v, "default-next-hop") == NULL)
		return perr(p, "missing required key \"default-next-hop\" "
			       "(unknown-next-hop is \"default\")");
	return xlat_build(p, c);
}

static int
f_xlat_prefix(struct pctx *p, const struct cf_row *r, json_t *v, void *base)
{
	struct prefix *t = (struct prefix *)((char *)base + r->off);
	char why[CFG_ERRLEN / 2] = "";
	if (get_prefix(p, v, AF_INET6, t) < 0)
		return -1;
	if (xlat_prefix_check(t, why, sizeof why) >= 0)
		return 0;
	/* Host bits are already refused above; name the remaining RFC 6052 rules plainly. */
	if (!xlat_len_valid(t->len))
		return pexpect(p, v, "IPv6 prefix of length 32, 40, 48, 56, 64 or 96");
	if (t->a[8] != 0)
		return pexpect(p, v, "IPv6 prefix with bits 64..71 (the u-octet) zero");
	return pexpect(p, v, "RFC 6052 translation prefix (%s)", why);
}

/* A link-local IPv6 next hop is only usable with its interface. */
static int
check_ll_device(struct pctx *p, json_t *obj, const uint8_t v6[16], const char *dev)
{
	if (!addr6_is_link_local(v6) || dev[0] != '\0')
		return 0;
	path_push_key(p, "ipv6");
	return pexpect(p, json_object_get(obj, "ipv6"),
		       "IPv6 address that is not link-local (a link-local one needs \"device\")");
}

static int
nexthop_check(struct pctx *p, json_t *obj, void *elems, size_t i)
{
	const struct cfg_nexthop *nh = elems;
	if (check_ll_device(p, obj, nh[i].v6, nh[i].dev) < 0)
		return -1;
	for (size_t j = 0; j < i; j++) {
		if (prefix_eq(&nh[j].v4, &nh[i].v4)) {
			path_push_key(p, "ipv4");
			return pexpect(p, json_object_get(obj, "ipv4"),
				       "IPv4 prefix not in translation.next-hops[%zu] already", j);
		}
	}
	return 0;
}

static int
f_nexthops(struct pctx *p, const struct cf_row *r, json_t *v, void *base)
{
	struct cfg *c = base;
	(void)r;
	if (v == NULL)
		return 0;
	void *a;
	if (cf_array_alloc(p, v, sizeof *c->nexthops, &a, &c->n_nexthops) < 0)
		return -1;
	c->nexthops = a;
	return cf_elements(p, v, &nexthop_table, c->nexthops, sizeof *c->nexthops, nexthop_check);
}

static int
f_unknown_policy(struct pctx *p, const struct cf_row *r, json_t *v, void *base)
{
	static const char *const names[] = {
	    [XLAT_UNKNOWN_REJECT] = "reject",
	    [XLAT_UNKNOWN_DEFAULT] = "default",
	};
	size_t i = XLAT_UNKNOWN_REJECT;
	if (v != NULL && get_enum(p, v, names, ARRAY_SIZE(names), &i) < 0)
		return -1;
	*(enum xlat_unknown_policy *)((char *)base + r->off) = (enum xlat_unknown_policy)i;
	return 0;
}

static int
f_default_nh(struct pctx *p, const struct cf_row *r, json_t *v, void *base)
{
	struct cfg *c = base;
	(void)r;
	if (v == NULL)
		return 0;
	if (c->unknown_policy != XLAT_UNKNOWN_DEFAULT)
		return pexpect(p, v, "no default next hop when unknown-next-hop is \"reject\"");
	if (cf_object(p, v, &default_nh_table, &c->unknown_default) < 0)
		return -1;
	return check_ll_device(p, v, c->unknown_default.v6, c->unknown_default.dev);
}

static int
f_eams(struct pctx *p, const struct cf_row *r, json_t *v, void *base)
{
	struct cfg *c = base;
	(void)r;
	if (v == NULL)
		return 0;
	void *a;
	if (cf_array_alloc(p, v, sizeof *c->eams, &a, &c->n_eams) < 0)
		return -1;
	c->eams = a;
	return cf_elements(p, v, &eam_table, c->eams, sizeof *c->eams, NULL);
}

static int
f_prefix4(struct pctx *p, const struct cf_row *r, json_t *v, void *base)
{
	return get_prefix(p, v, AF_INET, (struct prefix *)((char *)base + r->off));
}

static int
f_prefix6(struct pctx *p, const struct cf_row *r, json_t *v, void *base)
{
	return get_prefix(p, v, AF_INET6, (struct prefix *)((char *)base + r->off));
}

static int
f_nh_v6(struct pctx *p, const struct cf_row *r, json_t *v, void *base)
{
	uint8_t *a = (uint8_t *)base + r->off;
	int af = AF_UNSPEC;
	if (get_addr(p, v, AF_INET6, &af, a) < 0)
		return -1;
	if (all_zero(a, 16) || addr_is_multicast(af, a) || addr_is_loopback(af, a))
		return pexpect(p, v, "unicast IPv6 address");
	return 0;
}

/* A Linux interface name (dev_valid_name()); absent leaves "". */
static int
f_ifname(struct pctx *p, const struct cf_row *r, json_t *v, void *base)
{
	char *dst = (char *)base + r->off;
	if (v == NULL)
		return 0;
	const char *s = json_is_string(v) ? json_string_value(v) : "";
	size_t len = strlen(s);
	bool ok = len >= 1 && len <= CFG_IFNAME_MAX && len == json_string_length(v) &&
		  strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
	for (size_t i = 0; ok && i < len; i++)
		ok = s[i] > 0x20 && s[i] < 0x7f && s[i] != '/' && s[i] != ':';
	if (!ok)
		return pexpect(p, v, "interface name of 1..%d bytes", CFG_IFNAME_MAX);
	memcpy(dst, s, len + 1);
	return 0;
}

/* ---- neighbors ---- */

static int
neighbor_check(struct pctx *p, json_t *obj, void *elems, size_t i)
{
	const struct cfg_neighbor *nb = elems, *n = &nb[i];
	if (n->password != NULL && n->tcp_ao.key != NULL) {
		path_push_key(p, "tcp-ao");
		return pexpect_secret(p, json_object_get(obj, "tcp-ao"),
				      "null when \"password\" is set (TCP MD5 and TCP-AO "
				      "exclude each other)");
	}
	if (n->rr_client && n->remote_as != p->cfg->local_as) {
		path_push_key(p, "route-reflector-client");
		return pexpect(p, json_object_get(obj, "route-reflector-client"),
			       "false for an eBGP neighbor (remote-as %" PRIu32
			       " is not local-as %" PRIu32 ")",
			       n->remote_as, p->cfg->local_as);
	}
	for (size_t j = 0; j < i; j++) {
		if (nb[j].af == n->af && memcmp(nb[j].addr, n->addr, 16) == 0) {
			path_push_key(p, "address");
			return pexpect(p, json_object_get(obj, "address"),
				       "address not used by neighbors[%zu]", j);
		}
	}
	return 0;
}

static int
f_neighbors(struct pctx *p, const struct cf_row *r, json_t *v, void *base)
{
	struct cfg *c = base;
	(void)r;
	if (v == NULL)
		return 0;
	void *a;
	if (cf_array_alloc(p, v, sizeof *c->neighbors, &a, &c->n_neighbors) < 0)
		return -1;
	c->neighbors = a;
	return cf_elements(p, v, &neighbor_table, c->neighbors, sizeof *c->neighbors,
			   neighbor_check);
}

static int
f_nbr_addr(struct pctx *p, const struct cf_row *r, json_t *v, void *base)
{
	struct cfg_neighbor *n = base;
	(void)r;
	return get_unicast(p, v, AF_UNSPEC, &n->af, n->addr);
}

static int
f_nbr_local(struct pctx *p, const struct cf_row *r, json_t *v, void *base)
{
	struct cfg_neighbor *n = base;
	int af = AF_UNSPEC;
	(void)r;
	if (v == NULL)
		return 0;
	if (get_unicast(p, v, AF_UNSPEC, &af, n->local) < 0)
		return -1;
	if (af != n->af)
		return pexpect(p, v, "%s address (the family of \"address\")", af_name(n->af));
	n->has_local = true;
	return 0;
}

static int
f_hold_time(struct pctx *p, const struct cf_row *r, json_t *v, void *base)
{
	uint16_t *dst = (uint16_t *)((char *)base + r->off);
	if (v == NULL) {
		*dst = 90;
		return 0;
	}
	/* RFC 4271 4.2: zero (no keepalives) or at least three seconds. */
	json_int_t h = json_is_integer(v) ? json_integer_value(v) : -1;
	if (h != 0 && (h < 3 || h > 65535))
		return pexpect(p, v, "integer 0 or 3..65535");
	*dst = (uint16_t)h;
	return 0;
}

static int
f_nbr_nh6(struct pctx *p, const struct cf_row *r, json_t *v, void *base)
{
	struct cfg_neighbor *n = base;
	int af = AF_UNSPEC;
	(void)r;
	if (v == NULL)
		return 0;
	if (get_addr(p, v, AF_INET6, &af, n->nexthop6) < 0)
		return -1;
	if (all_zero(n->nexthop6, 16) || addr_is_multicast(af, n->nexthop6) ||
	    addr_is_loopback(af, n->nexthop6) || addr6_is_link_local(n->nexthop6))
		return pexpect(p, v, "global IPv6 address");
	n->has_nexthop6 = true;
	return 0;
}

static int
f_nbr_nh6_ll(struct pctx *p, const struct cf_row *r, json_t *v, void *base)
{
	struct cfg_neighbor *n = base;
	int af = AF_UNSPEC;
	(void)r;
	if (v == NULL)
		return 0;
	if (get_addr(p, v, AF_INET6, &af, n->nexthop6_ll) < 0)
		return -1;
	if (!addr6_is_link_local(n->nexthop6_ll))
		return pexpect(p, v, "link-local IPv6 address (fe80::/10)");
	n->has_nexthop6_ll = true;
	return 0;
}

/* ---- fib, control, metrics ---- */

/*
 * Route protocol numbers that belong to someone else: the kernel's own (redirect, kernel, boot,
 * static) and the routing daemons' of iproute2's rt_protos (FRR's zebra takes 186..198 for its
 * daemons). At start-up and exit bgp64d deletes every route of its protocol in its table that
 * it did not install, so sharing a number with "boot" in table 254 deletes the host's default
 * route, and sharing "bgp" deletes FRR bgpd's routes.
 */
static const struct {
	uint8_t lo, hi;
	const char *name; /* the rt_protos name of lo */
	const char *owner;
} fib_taken[] = {
    {0, 0, "unspec", "the kernel"},
    {1, 1, "redirect", "the kernel"},
    {2, 2, "kernel", "the kernel"},
    {3, 3, "boot", "the system (routes added at boot and by ip route)"},
    {4, 4, "static", "the system (static routes of the administrator)"},
    {5, 7, NULL, "the kernel (reserved below gated)"},
    {8, 8, "gated", "gated"},
    {9, 9, "ra", "IPv6 router advertisements"},
    {10, 10, "mrt", "MRT"},
    {11, 11, "zebra", "zebra (Quagga)"},
    {12, 12, "bird", "BIRD"},
    {13, 13, "dnrouted", "dnrouted"},
    {14, 14, "xorp", "XORP"},
    {15, 15, "ntk", "Netsukuku"},
    {16, 16, "dhcp", "DHCP clients"},
    {17, 17, "mrouted", "mrouted"},
    {18, 18, "keepalived", "keepalived"},
    {42, 42, "babel", "babeld"},
    {99, 99, "openr", "Open/R"},
    {186, 186, "bgp", "FRR bgpd"},
    {187, 187, "isis", "FRR isisd"},
    {188, 188, "ospf", "FRR ospfd"},
    {189, 189, "rip", "FRR ripd"},
    {190, 191, NULL, "FRR (ripng, nhrp)"},
    {192, 192, "eigrp", "FRR eigrpd"},
    {193, 198, NULL, "FRR (ldp, sharp, pbr, static, openfabric, srte)"},
};

static int
fib_protocol_refuse(struct pctx *p, unsigned proto)
{
	for (size_t i = 0; i < ARRAY_SIZE(fib_taken); i++)
		if (proto >= fib_taken[i].lo && proto <= fib_taken[i].hi)
			return perr(p,
				    "protocol %u%s%s%s belongs to %s: bgp64d deletes the routes of "
				    "its protocol in its table that it did not install; use "
				    "\"bgp64d\" (64) or another number not in rt_protos",
				    proto, fib_taken[i].name != NULL ? " (\"" : "",
				    fib_taken[i].name != NULL ? fib_taken[i].name : "",
				    fib_taken[i].name != NULL ? "\")" : "", fib_taken[i].owner);
	return 0;
}

static int
f_fib_protocol(struct pctx *p, const struct cf_row *r, json_t *v, void *base)
{
	uint8_t *dst = (uint8_t *)base + r->off;
	if (v == NULL) {
		*dst = 64;
		return 0;
	}
	if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= 255) {
		unsigned proto = (unsigned)json_integer_value(v);
		if (fib_protocol_refuse(p, proto) < 0)
			return -1;
		*dst = (uint8_t)proto;
		return 0;
	}
	if (json_is_string(v) && strcmp(json_string_value(v), "bgp64d") == 0) {
		*dst = 64;
		return 0;
	}
	for (size_t i = 0; json_is_string(v) && i < ARRAY_SIZE(fib_taken); i++)
		if (fib_taken[i].name != NULL &&
		    strcmp(json_string_value(v), fib_taken[i].name) == 0)
			return fib_protocol_refuse(p, fib_taken[i].lo);
	return pexpect(p, v, "integer 1..255 or \"bgp64d\"");
}

#ifndef BGP64_RUNSTATEDIR
#define BGP64_RUNSTATEDIR "/run"
#endif

static int
f_socket(struct pctx *p, const struct cf_row *r, json_t *v, void *base)
{
	char **dst = (char **)((char *)base + r->off);
	const char *s = BGP64_RUNSTATEDIR "/bgp64d/bgp64d.sock";
	if (v != NULL) {
		const size_t max = sizeof(((struct sockaddr_un *)0)->sun_path) - 1;
		if (!json_is_string(v) || json_string_value(v)[0] != '/' ||
		    json_string_length(v) > max ||
		    strlen(json_string_value(v)) != json_string_length(v))
			return pexpect(p, v, "absolute path of at most %zu bytes", max);
		s = json_string_value(v);
	}
	if ((*dst = strdup(s)) == NULL)
		return oom(p);
	return 0;
}

static int
f_mode(struct pctx *p, const struct cf_row *r, json_t *v, void *base)
{
	mode_t *dst = (mode_t *)((char *)base + r->off);
	const char *s = v == NULL ? "0660" : json_is_string(v) ? json_string_value(v) : "";
	size_t len = strlen(s);
	mode_t m = 0;
	bool ok = len >= 3 && len <= 4;
	for (size_t i = 0; ok && i < len; i++) {
		ok = s[i] >= '0' && s[i] <= '7';
		m = (mode_t)(m * 8 + (mode_t)(s[i] - '0'));
	}
	if (!ok || m > 0777)
		return pexpect(p, v, "octal mode string 000..0777 such as \"0660\"");
	/* Anyone on the host could reset sessions and reload (issue: least privilege). */
	if (m & 0002)
		return pexpect(p, v,
			       "a mode not writable by others (\"0660\"): with o+w any "
			       "local user could reset sessions");
	*dst = m;
	return 0;
}

/* "ADDR:PORT", IPv6 as "[ADDR]:PORT". */
static int
f_metrics_listen(struct pctx *p, const struct cf_row *r, json_t *v, void *base)
{
	struct cfg *c = base;
	char host[ADDR_STRLEN + 2];
	(void)r;
	const char *s = json_is_string(v) ? json_string_value(v) : "";
	const char *colon = strrchr(s, ':');
	size_t hl = colon != NULL ? (size_t)(colon - s) : 0;
	bool bracket = hl >= 2 && s[0] == '[' && s[hl - 1] == ']';
	int af = AF_UNSPEC;
	const char *port = colon != NULL ? colon + 1 : "";
	char *end;
	long pn = 0;
	bool ok = colon != NULL && hl > 0 && hl < sizeof host && port[0] >= '0' && port[0] <= '9' &&
		  strlen(port) <= 5;
	if (ok) {
		memcpy(host, bracket ? s + 1 : s, bracket ? hl - 2 : hl);
		host[bracket ? hl - 2 : hl] = '\0';
		errno = 0;
		pn = strtol(port, &end, 10);
		ok = *end == '\0' && pn >= 1 && pn <= 65535 &&
		     addr_parse(host, &af, c->metrics.addr) == 0 && (af == AF_INET6) == bracket;
	}
	if (!ok)
		return pexpect(p, v, "\"ADDR:PORT\" with IPv6 as \"[ADDR]:PORT\"");
	c->metrics.enabled = true;
	c->metrics.af = af;
	c->metrics.port = (uint16_t)pn;
	return 0;
}

/* A section read after the walk (sets and policies: config_policy.c). */
static int
f_later(struct pctx *p, const struct cf_row *r, json_t *v, void *base)
{
	(void)p;
	(void)r;
	(void)v;
	(void)base;
	return 0;
}

/* ---- entry points ---- */

/* Replaces the value of every "password" and "key" member (the secrets) for show config. */
static void
redact(json_t *v)
{
	const char *k;
	json_t *m;
	size_t i;

	if (json_is_array(v)) {
		json_array_foreach(v, i, m) redact(m);
		return;
	}
	if (!json_is_object(v))
		return;
	json_object_foreach(v, k, m)
	{
		if ((strcmp(k, "password") == 0 || strcmp(k, "key") == 0) && json_is_string(m))
			json_object_set_new(v, k, json_string("(hidden)"));
		else
			redact(m);
	}
}

struct cfg *
cfg_parse(const char *json, size_t len, const char *name, char *err, size_t errlen)
{
	char dummy[1];
	if (err == NULL || errlen == 0) {
		err = dummy;
		errlen = sizeof dummy;
	}
	err[0] = '\0';
	if (name == NULL)
		name = "config";
	json_error_t je;
	json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL) {
		if (je.line > 0)
			snprintf(err, errlen, "%s:%d:%d: %s", name, je.line, je.column, je.text);
		else
			snprintf(err, errlen, "%s: %s", name, je.text);
		return NULL;
	}
	struct cfg *c = calloc(1, sizeof *c);
	struct pctx p = {.name = name, .err = err, .errlen = errlen, .cfg = c};
	if (c == NULL || (c->path = strdup(name)) == NULL) {
		oom(&p);
		free(c);
		json_decref(root);
		return NULL;
	}
	int rc = cf_object(&p, root, &root_table, c);
	if (rc == 0)
		rc = cfg_policy_parse(c, root, name, err, errlen);
	if (rc == 0) {
		redact(root);
		if ((c->source = json_dumps(root, JSON_COMPACT)) == NULL)
			rc = oom(&p);
	}
	json_decref(root);
	if (rc < 0) {
		cfg_free(c);
		return NULL;
	}
	return c;
}

struct cfg *
cfg_load(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	if (f == NULL)
		goto fail;
	errno = 0;
	for (;;) {
		if (len == cap) {
			if (cap >= CFG_MAXFILE) {
				errno = EFBIG;
				goto fail;
			}
			cap = cap != 0 ? cap * 2 : 16384;
			char *nb = realloc(buf, cap);
			if (nb == NULL)
				goto fail;
			buf = nb;
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		if (n == 0)
			break;
		len += n;
	}
	if (ferror(f)) {
		if (errno == 0)
			errno = EIO;
		goto fail;
	}
	fclose(f);
	struct cfg *c = cfg_parse(buf, len, path, err, errlen);
	free(buf);
	return c;
fail:
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	if (f != NULL)
		fclose(f);
	free(buf);
	return NULL;
}

static void
free_secret(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

void
cfg_free(struct cfg *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n_neighbors; i++) {
		struct cfg_neighbor *n = &c->neighbors[i];
		free(n->description);
		free_secret(n->password);
		free_secret(n->tcp_ao.key);
		free(n->tcp_ao.algorithm);
		for (int f = 0; f < 2; f++) {
			free(n->fam[f].import_policy_name);
			free(n->fam[f].export_policy_name);
		}
	}
	free(c->xlat_policy_name);
	policy_db_free(c->pol);
	free(c->neighbors);
	if (c->xlat != NULL)
		xlat_free(c->xlat);
	free(c->eams);
	free(c->nexthops);
	free(c->listen);
	free(c->control.socket);
	free(c->control.group);
	free(c->source);
	free(c->control.ro_socket);
	free(c->control.ro_group);
	free(c->user);
	free(c->log_level);
	free(c->path);
	free(c);
}

int
cfg_check_host(const struct cfg *c, char *err, size_t errlen)
{
	if (c->control.group != NULL && getgrnam(c->control.group) == NULL) {
		snprintf(err, errlen, "%s: control.group: no group \"%s\" on this host", c->path,
			 c->control.group);
		return -1;
	}
	if (c->control.ro_group != NULL && getgrnam(c->control.ro_group) == NULL) {
		snprintf(err, errlen, "%s: control.read-only.group: no group \"%s\" on this host",
			 c->path, c->control.ro_group);
		return -1;
	}
	if (c->control.ro_socket != NULL && strcmp(c->control.ro_socket, c->control.socket) == 0) {
		snprintf(err, errlen,
			 "%s: control.read-only.socket: the same path as control.socket", c->path);
		return -1;
	}
	if (c->user != NULL && getpwnam(c->user) == NULL) {
		snprintf(err, errlen, "%s: user: no user \"%s\" on this host", c->path, c->user);
		return -1;
	}
	return 0;
}

static bool
str_differ(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a != NULL && strcmp(a, b) != 0);
}

bool
cfg_control_changed(const struct cfg *a, const struct cfg *b)
{
	return str_differ(a->control.socket, b->control.socket) ||
	       a->control.mode != b->control.mode ||
	       str_differ(a->control.group, b->control.group) ||
	       a->control.idle_timeout != b->control.idle_timeout ||
	       str_differ(a->control.ro_socket, b->control.ro_socket) ||
	       a->control.ro_mode != b->control.ro_mode ||
	       str_differ(a->control.ro_group, b->control.ro_group) || str_differ(a->user, b->user);
}
