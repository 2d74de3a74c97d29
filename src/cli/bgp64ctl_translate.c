/*
 * bgp64ctl translate: the RFC 6052 / RFC 7757 mapping of addresses and prefixes, offline (no
 * daemon). IPv4 inputs map to IPv6, IPv6 inputs inside the translation prefix or an explicit
 * mapping map back to IPv4, with the same xlat core the daemon uses.
 *
 * The translation context is built from --prefix, else from the translation section of -c
 * CONFIG (with its explicit mappings, next-hop table and policies), else from the well-known
 * prefix 64:ff9b::/96. A mapping the daemon would not announce (non-global IPv4 under the
 * well-known prefix) is shown anyway, with a warning.
 */
#include "cli/bgp64ctl.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cli/ctl.h"
#include "config.h"
#include "xlat/xlat.h"

#define WKP	  "64:ff9b::/96"
#define NONGLOBAL "not globally reachable: not announced under the well-known prefix"

static struct xlat *
build_xlat(const struct bgp64ctl_opts *o, const struct cfg *cfg, char *err, size_t errlen)
{
	struct prefix t;
	const struct prefix *tp = NULL;
	char e2[256];
	const char *what = "--prefix";

	if (o->prefix != NULL || cfg == NULL) {
		const char *s = o->prefix != NULL ? o->prefix : WKP;
		if (prefix_parse(s, &t, false, false) < 0 || t.af != AF_INET6) {
			snprintf(err, errlen, "--prefix: expected an IPv6 prefix, got \"%s\"", s);
			return NULL;
		}
		tp = &t;
	} else {
		tp = xlat_get_prefix(cfg->xlat);
		what = cfg->path;
	}
	struct xlat *x = xlat_new();
	if (x == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (tp != NULL && xlat_set_prefix(x, tp, e2, sizeof e2) < 0)
		goto fail;
	if (cfg != NULL) {
		what = cfg->path;
		for (size_t i = 0; i < cfg->n_eams; i++)
			if (xlat_add_eam(x, &cfg->eams[i].v4, &cfg->eams[i].v6, e2, sizeof e2) < 0)
				goto fail;
		for (size_t i = 0; i < cfg->n_nexthops; i++) {
			const struct cfg_nexthop *n = &cfg->nexthops[i];
			if (xlat_add_nexthop(x, &n->v4, n->v6, n->dev, e2, sizeof e2) < 0)
				goto fail;
		}
		xlat_set_unknown_policy(x, cfg->unknown_policy, &cfg->unknown_default);
		xlat_set_wkp_global_only(x, cfg->wkp_global_only);
	}
	return x;
fail:
	snprintf(err, errlen, "%s: %s", what, e2);
	xlat_free(x);
	return NULL;
}

static json_t *
jaddr_or_prefix(const struct prefix *p, bool addr)
{
	char buf[PREFIX_STRLEN];
	return json_string(addr ? addr_fmt(p->af, p->a, buf) : prefix_fmt(p, buf));
}

static json_t *
jprefix(const struct prefix *p)
{
	return jaddr_or_prefix(p, false);
}

static const char *
rule_name(enum xlat_rule r)
{
	return r == XLAT_RULE_EAM ? "eam" : "rfc6052";
}

/* An IPv4 address as a next hop: the IPv6 next hop it gets and the rule that gives it. */
static void
v4_nexthop(json_t *o, const struct xlat *x, const struct prefix *in)
{
	char buf[ADDR_STRLEN];
	struct prefix rule;
	const struct xlat_nh *nh = xlat_map_nexthop(x, in->a);

	json_object_set_new(
	    o, "next_hop", nh != NULL ? json_string(addr_fmt(AF_INET6, nh->v6, buf)) : json_null());
	if (ctl_xlat_nexthop_rule(x, in->a, &rule, NULL))
		json_object_set_new(o, "next_hop_rule", jprefix(&rule));
	else
		json_object_set_new(o, "next_hop_rule",
				    nh != NULL ? json_string("default") : json_null());
}

static int
map_v4(json_t *o, const struct xlat *x, const struct prefix *in, bool addr, bool with_nh)
{
	const struct prefix *t = xlat_get_prefix(x);
	struct xlat_route xr[8];
	enum xlat_reason why = XLAT_OK;
	struct prefix v6;
	enum xlat_rule rule = XLAT_RULE_RFC6052;
	const char *warning = NULL;

	int k = xlat_map_prefix(x, in, xr, 8, &why);
	if (k > 0) {
		v6 = xr[0].v6;
		rule = xr[0].rule;
	} else if (why == XLAT_NON_GLOBAL && t != NULL) {
		xlat_prefix_4to6(t, in, &v6);
		warning = NONGLOBAL;
	} else {
		json_object_set_new(
		    o, "error", json_string("no translation prefix or explicit mapping covers it"));
		return -1;
	}
	json_object_set_new(o, "ipv4", jaddr_or_prefix(in, addr));
	json_object_set_new(o, "ipv6", jaddr_or_prefix(&v6, addr));
	json_object_set_new(o, "rule", json_string(rule_name(rule)));
	if (warning != NULL)
		json_object_set_new(o, "warning", json_string(warning));
	if (k > 1) {
		/* Explicit mappings the prefix covers: announced as their own IPv6 routes. */
		json_t *a = json_array();
		for (int i = 1; i < k; i++) {
			json_t *m = json_object();
			json_object_set_new(m, "ipv4", jprefix(&xr[i].src));
			json_object_set_new(m, "ipv6", jprefix(&xr[i].v6));
			json_object_set_new(m, "rule", json_string(rule_name(xr[i].rule)));
			json_array_append_new(a, m);
		}
		json_object_set_new(o, "covered_mappings", a);
	}
	if (addr && with_nh)
		v4_nexthop(o, x, in);
	return 0;
}

static int
map_v6(json_t *o, const struct xlat *x, const struct prefix *in, bool addr)
{
	const struct prefix *t = xlat_get_prefix(x);
	struct xlat_route xr[8];
	enum xlat_reason why = XLAT_OK;
	struct prefix v4;
	enum xlat_rule rule;
	char buf[PREFIX_STRLEN], b2[PREFIX_STRLEN + 160];

	if (xlat_unmap_prefix(x, in, &v4, &rule) < 0) {
		if (t != NULL)
			snprintf(b2, sizeof b2,
				 "not inside the translation prefix %s or an explicit mapping",
				 prefix_fmt(t, buf));
		else
			snprintf(b2, sizeof b2, "not inside an explicit mapping");
		json_object_set_new(o, "error", json_string(b2));
		return -1;
	}
	json_object_set_new(o, "ipv4", jaddr_or_prefix(&v4, addr));
	json_object_set_new(o, "ipv6", jaddr_or_prefix(in, addr));
	json_object_set_new(o, "rule", json_string(rule_name(rule)));
	int k = xlat_map_prefix(x, &v4, xr, 8, &why);
	if (k == 0 && why == XLAT_NON_GLOBAL) {
		json_object_set_new(o, "warning", json_string(NONGLOBAL));
	} else if (k > 0 && !addr && !prefix_eq(&xr[0].v6, in)) {
		char b3[PREFIX_STRLEN];
		snprintf(b2, sizeof b2, "%s maps to %s", prefix_fmt(&v4, buf),
			 prefix_fmt(&xr[0].v6, b3));
		json_object_set_new(o, "warning", json_string(b2));
	}
	return 0;
}

/* One input: its object, with "error" when it cannot be mapped. */
static json_t *
translate_one(const struct xlat *x, const char *s, bool with_nh, bool *failed)
{
	json_t *o = json_object();
	struct prefix in;
	int rc;

	json_t *js = json_string(s);
	json_object_set_new(o, "input", js != NULL ? js : json_string("(not UTF-8)"));
	int r = prefix_parse(s, &in, true, false);
	if (r == -2) {
		char buf[64];
		snprintf(buf, sizeof buf, "host bits set past /%u", in.len);
		json_object_set_new(o, "error", json_string(buf));
		rc = -1;
	} else if (r < 0) {
		json_object_set_new(o, "error",
				    json_string("not an IPv4 or IPv6 address or prefix"));
		rc = -1;
	} else if (in.af == AF_INET) {
		rc = map_v4(o, x, &in, strchr(s, '/') == NULL, with_nh);
	} else {
		rc = map_v6(o, x, &in, strchr(s, '/') == NULL);
	}
	if (rc < 0) {
		*failed = true;
		fprintf(stderr, "bgp64ctl: %s: %s\n", s,
			json_string_value(json_object_get(o, "error")));
	}
	return o;
}

static void
print_text(json_t *arr)
{
	struct bgp64ctl_table t;
	json_t *o;
	size_t i;

	bgp64ctl_table_init(&t, 5);
	bgp64ctl_table_row(&t, (const char *const[]){"INPUT", "IPV4", "IPV6", "RULE", "NOTE"});
	json_array_foreach(arr, i, o)
	{
		char note[256] = "";
		json_t *nh = json_object_get(o, "next_hop");
		const char *err = json_string_value(json_object_get(o, "error"));
		const char *warn = json_string_value(json_object_get(o, "warning"));
		if (err != NULL)
			snprintf(note, sizeof note, "error: %s", err);
		else if (warn != NULL)
			snprintf(note, sizeof note, "warning: %s", warn);
		if (err == NULL && nh != NULL) {
			size_t l = strlen(note);
			const char *rule = json_string_value(json_object_get(o, "next_hop_rule"));
			if (json_is_string(nh))
				snprintf(note + l, sizeof note - l, "%sas next hop: %s (rule %s)",
					 l > 0 ? "; " : "", json_string_value(nh),
					 rule != NULL ? rule : "?");
			else
				snprintf(note + l, sizeof note - l, "%sas next hop: none",
					 l > 0 ? "; " : "");
		}
		bgp64ctl_table_row(
		    &t, (const char *const[]){json_string_value(json_object_get(o, "input")),
					      json_string_value(json_object_get(o, "ipv4")),
					      json_string_value(json_object_get(o, "ipv6")),
					      json_string_value(json_object_get(o, "rule")),
					      note[0] != '\0' ? note : NULL});
	}
	bgp64ctl_table_print(&t, stdout, "");
	bgp64ctl_table_free(&t);
}

int
bgp64ctl_translate(int argc, char **argv, const struct bgp64ctl_opts *o)
{
	char err[CFG_ERRLEN];
	struct cfg *cfg = NULL;
	bool failed = false;

	if (o->sock != NULL) {
		fprintf(stderr, "bgp64ctl: translate works offline; -s does not apply\n");
		return 1;
	}
	if (argc == 0) {
		fprintf(stderr, "usage: bgp64ctl translate [--prefix PREFIX] [-c CONFIG] [--text] "
				"ADDR|PREFIX...\n");
		return 1;
	}
	if (o->config != NULL && (cfg = cfg_load(o->config, err, sizeof err)) == NULL) {
		fprintf(stderr, "bgp64ctl: %s\n", err);
		return 1;
	}
	struct xlat *x = build_xlat(o, cfg, err, sizeof err);
	if (x == NULL) {
		fprintf(stderr, "bgp64ctl: %s\n", err);
		cfg_free(cfg);
		return 1;
	}
	json_t *arr = json_array();
	for (int i = 0; i < argc; i++)
		json_array_append_new(arr, translate_one(x, argv[i], cfg != NULL, &failed));
	if (o->text) {
		print_text(arr);
	} else {
		char *s = json_dumps(arr, JSON_COMPACT);
		if (s != NULL)
			printf("%s\n", s);
		free(s);
	}
	json_decref(arr);
	xlat_free(x);
	cfg_free(cfg);
	if (fflush(stdout) != 0)
		return 1;
	return failed ? 1 : 0;
}
