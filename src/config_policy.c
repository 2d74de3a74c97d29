/*
 * The "sets" and "policies" sections of bgp64d.json(5) (see src/policy/policy.h for what they
 * mean), and the references to policies from "translation" and the neighbors' families.
 *
 * Read after the rest of the file (config.c walks it first, so neighbors and translation are
 * known): sets, then policies (a rule names sets), then the users of policies, where the
 * family is known and checked (a prefix set of the other family, a next hop of the other
 * family, AS_PATH prepend outside an export). Errors have the form of config.c's,
 * "<file>: <JSON path>: <message>", and the first one stops the parse.
 */
#include "config.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/pool.h"
#include "policy/policy.h"

struct pp {
	const char *name;
	char *err;
	size_t errlen;
	struct policy_db *db;
	char path[256];
};

static int pp_err(struct pp *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
pp_err(struct pp *p, const char *fmt, ...)
{
	int n = snprintf(p->err, p->errlen, "%s: %s: ", p->name, p->path);
	if (n < 0 || (size_t)n >= p->errlen)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Sets the path to a printf result; returns the previous length to restore. */
static size_t pp_push(struct pp *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static size_t
pp_push(struct pp *p, const char *fmt, ...)
{
	size_t saved = strlen(p->path);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->path + saved, sizeof p->path - saved, fmt, ap);
	va_end(ap);
	return saved;
}

static void
pp_pop(struct pp *p, size_t saved)
{
	p->path[saved] = '\0';
}

static const char *
kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

static int
get_uint(struct pp *p, json_t *v, const char *key, uint32_t lo, uint32_t hi, uint32_t *out)
{
	size_t s = pp_push(p, ".%s", key);
	json_int_t i = json_is_integer(v) ? json_integer_value(v) : -1;
	if (!json_is_integer(v) || i < (json_int_t)lo || i > (json_int_t)hi) {
		if (json_is_integer(v))
			return pp_err(p, "expected integer %u..%u, got %lld", lo, hi, (long long)i);
		return pp_err(p, "expected integer %u..%u, got %s", lo, hi, kind(v));
	}
	*out = (uint32_t)i;
	pp_pop(p, s);
	return 0;
}

/* Refuses keys of obj not in keys[] (NULL-terminated). */
static int
only_keys(struct pp *p, json_t *obj, const char *const *keys)
{
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v)
	{
		bool ok = false;
		for (size_t i = 0; keys[i] != NULL && !ok; i++)
			ok = strcmp(keys[i], k) == 0;
		if (!ok) {
			pp_push(p, ".%s", k);
			return pp_err(p, "unknown key");
		}
	}
	return 0;
}

/* Set and policy names appear in metrics labels and messages: a plain word. */
static int
check_name(struct pp *p, const char *k)
{
	size_t n = strlen(k);
	bool ok = n >= 1 && n <= 64;
	for (size_t i = 0; ok && i < n; i++)
		ok = (k[i] >= 'a' && k[i] <= 'z') || (k[i] >= 'A' && k[i] <= 'Z') ||
		     (k[i] >= '0' && k[i] <= '9') || k[i] == '-' || k[i] == '_' || k[i] == '.';
	if (!ok)
		return pp_err(p, "a name is 1 to 64 letters, digits, '-', '_' or '.'");
	return 0;
}

/* ---- sets ---- */

static int
pset_entry(struct pp *p, json_t *v, struct policy_prefix_set *s, size_t i)
{
	size_t saved = pp_push(p, "[%zu]", i);
	struct policy_pfx_entry *e = &s->e[i];
	json_t *pv = json_is_object(v) ? json_object_get(v, "prefix") : v;
	static const char *const keys[] = {"prefix", "ge", "le", NULL};
	if (json_is_object(v) && only_keys(p, v, keys) < 0)
		return -1;
	if (!json_is_string(pv) || prefix_parse(json_string_value(pv), &e->p, false, false) != 0)
		return pp_err(p,
			      "expected \"ADDR/LEN\" or {\"prefix\": \"ADDR/LEN\", \"ge\": N, "
			      "\"le\": N}, got %s%s%s%s",
			      pv != NULL ? kind(pv) : "no prefix", json_is_string(pv) ? " \"" : "",
			      json_is_string(pv) ? json_string_value(pv) : "",
			      json_is_string(pv) ? "\"" : "");
	if (i == 0)
		s->af = e->p.af;
	if (e->p.af != s->af)
		return pp_err(p, "a prefix set holds one family: %s among %s prefixes",
			      json_string_value(pv), s->af == AF_INET ? "IPv4" : "IPv6");
	uint32_t max = af_bits(e->p.af), ge = e->p.len, le = e->p.len;
	json_t *g = json_is_object(v) ? json_object_get(v, "ge") : NULL;
	json_t *l = json_is_object(v) ? json_object_get(v, "le") : NULL;
	if (g != NULL) {
		if (get_uint(p, g, "ge", e->p.len, max, &ge) < 0)
			return -1;
		le = max;
	}
	if (l != NULL && get_uint(p, l, "le", ge, max, &le) < 0)
		return -1;
	e->ge = (uint8_t)ge;
	e->le = (uint8_t)le;
	pp_pop(p, saved);
	return 0;
}

static int
sets_prefix(struct pp *p, json_t *obj)
{
	const char *k;
	json_t *v;
	struct policy_db *db = p->db;
	db->psets = xcalloc(json_object_size(obj) + 1, sizeof *db->psets);
	json_object_foreach(obj, k, v)
	{
		size_t saved = pp_push(p, ".%s", k);
		struct policy_prefix_set *s = &db->psets[db->n_psets++];
		if (check_name(p, k) < 0)
			return -1;
		s->name = xstrdup(k);
		if (!json_is_array(v) || json_array_size(v) == 0)
			return pp_err(p, "expected a non-empty array of prefixes, got %s",
				      json_is_array(v) ? "an empty array" : kind(v));
		s->e = xcalloc(json_array_size(v), sizeof *s->e);
		s->n = json_array_size(v);
		for (size_t i = 0; i < s->n; i++)
			if (pset_entry(p, json_array_get(v, i), s, i) < 0)
				return -1;
		pp_pop(p, saved);
	}
	return 0;
}

static int
sets_as(struct pp *p, json_t *obj)
{
	const char *k;
	json_t *v;
	struct policy_db *db = p->db;
	db->asets = xcalloc(json_object_size(obj) + 1, sizeof *db->asets);
	json_object_foreach(obj, k, v)
	{
		size_t saved = pp_push(p, ".%s", k);
		struct policy_as_set *s = &db->asets[db->n_asets++];
		if (check_name(p, k) < 0)
			return -1;
		s->name = xstrdup(k);
		if (!json_is_array(v) || json_array_size(v) == 0)
			return pp_err(p, "expected a non-empty array of AS numbers, got %s",
				      json_is_array(v) ? "an empty array" : kind(v));
		s->as = xcalloc(json_array_size(v), sizeof *s->as);
		for (size_t i = 0; i < json_array_size(v); i++) {
			size_t s2 = pp_push(p, "[%zu]", i);
			json_t *x = json_array_get(v, i);
			json_int_t n = json_is_integer(x) ? json_integer_value(x) : 0;
			if (n < 1 || n > (json_int_t)UINT32_MAX)
				return pp_err(p, "expected AS number 1..4294967295");
			s->as[s->n++] = (uint32_t)n;
			pp_pop(p, s2);
		}
		pp_pop(p, saved);
	}
	return 0;
}

/* A list of communities into s (sorted). */
static int
comm_list(struct pp *p, json_t *v, struct policy_comm_set *s)
{
	if (!json_is_array(v) || json_array_size(v) == 0)
		return pp_err(p, "expected a non-empty array of communities, got %s",
			      json_is_array(v) ? "an empty array" : kind(v));
	for (size_t i = 0; i < json_array_size(v); i++) {
		json_t *x = json_array_get(v, i);
		if (!json_is_string(x) || policy_comm_parse(json_string_value(x), s) < 0) {
			pp_push(p, "[%zu]", i);
			return pp_err(p,
				      "expected a community \"A:B\" (standard), \"A:B:C\" (large), "
				      "\"rt:A:B\" or \"soo:A:B\" (extended) or a well-known name, "
				      "got %s%s%s",
				      json_is_string(x) ? "\"" : kind(x),
				      json_is_string(x) ? json_string_value(x) : "",
				      json_is_string(x) ? "\"" : "");
		}
	}
	policy_comm_set_sort(s);
	return 0;
}

static int
sets_comm(struct pp *p, json_t *obj)
{
	const char *k;
	json_t *v;
	struct policy_db *db = p->db;
	db->csets = xcalloc(json_object_size(obj) + 1, sizeof *db->csets);
	json_object_foreach(obj, k, v)
	{
		size_t saved = pp_push(p, ".%s", k);
		struct policy_comm_set *s = &db->csets[db->n_csets++];
		if (check_name(p, k) < 0)
			return -1;
		if (comm_list(p, v, s) < 0)
			return -1;
		s->name = xstrdup(k);
		pp_pop(p, saved);
	}
	return 0;
}

static int
parse_sets(struct pp *p, json_t *sets)
{
	static const char *const keys[] = {"prefix", "as", "community", NULL};
	size_t saved = pp_push(p, "sets");
	if (!json_is_object(sets))
		return pp_err(p, "expected an object with \"prefix\", \"as\", \"community\"");
	if (only_keys(p, sets, keys) < 0)
		return -1;
	int (*fn[])(struct pp *, json_t *) = {sets_prefix, sets_as, sets_comm};
	for (int i = 0; i < 3; i++) {
		json_t *v = json_object_get(sets, keys[i]);
		if (v == NULL)
			continue;
		size_t s2 = pp_push(p, ".%s", keys[i]);
		if (!json_is_object(v))
			return pp_err(p, "expected an object of named sets, got %s", kind(v));
		if (fn[i](p, v) < 0)
			return -1;
		pp_pop(p, s2);
	}
	pp_pop(p, saved);
	return 0;
}

/* ---- rules ---- */

static int
range(struct pp *p, json_t *v, const char *key, uint32_t max, uint32_t *lo, uint32_t *hi)
{
	static const char *const keys[] = {"min", "max", NULL};
	size_t saved = pp_push(p, ".%s", key);
	if (!json_is_object(v) || json_object_size(v) == 0)
		return pp_err(p, "expected {\"min\": N, \"max\": N}, got %s", kind(v));
	if (only_keys(p, v, keys) < 0)
		return -1;
	*lo = 0;
	*hi = max;
	json_t *a = json_object_get(v, "min"), *b = json_object_get(v, "max");
	if (a != NULL && get_uint(p, a, "min", 0, max, lo) < 0)
		return -1;
	if (b != NULL && get_uint(p, b, "max", *lo, max, hi) < 0)
		return -1;
	pp_pop(p, saved);
	return 0;
}

static int
set_ref(struct pp *p, json_t *v, const char *key, const char *what, const void **out,
	const void *(*find)(const struct policy_db *, const char *))
{
	size_t saved = pp_push(p, ".%s", key);
	if (!json_is_string(v))
		return pp_err(p, "expected the name of %s, got %s", what, kind(v));
	*out = find(p->db, json_string_value(v));
	if (*out == NULL)
		return pp_err(p, "unknown %s \"%s\"", what, json_string_value(v));
	pp_pop(p, saved);
	return 0;
}

static const void *
find_pset(const struct policy_db *db, const char *n)
{
	return policy_pset_find(db, n);
}

static const void *
find_aset(const struct policy_db *db, const char *n)
{
	return policy_aset_find(db, n);
}

static const void *
find_cset(const struct policy_db *db, const char *n)
{
	return policy_cset_find(db, n);
}

/* An AS number or the name of an AS set. */
static int
as_or_set(struct pp *p, json_t *v, const char *key, uint32_t *as, const struct policy_as_set **set)
{
	if (json_is_string(v))
		return set_ref(p, v, key, "AS set", (const void **)set, find_aset);
	return get_uint(p, v, key, 1, UINT32_MAX, as);
}

static int
parse_match(struct pp *p, json_t *m, struct policy_match *pm)
{
	static const char *const keys[] = {"prefix-set",     "prefix-length", "neighbor",
					   "neighbor-as",    "origin-as",     "as-path-contains",
					   "as-path-length", "community-any", "community-all",
					   "origin",	     "next-hop",      NULL};
	size_t saved = pp_push(p, ".match");
	if (!json_is_object(m))
		return pp_err(p, "expected an object of conditions, got %s", kind(m));
	if (only_keys(p, m, keys) < 0)
		return -1;
	json_t *v;
	uint32_t lo, hi;
	if ((v = json_object_get(m, "prefix-set")) != NULL) {
		pm->what |= PM_PREFIX_SET;
		if (set_ref(p, v, "prefix-set", "prefix set", (const void **)&pm->pset, find_pset) <
		    0)
			return -1;
	}
	if ((v = json_object_get(m, "prefix-length")) != NULL) {
		pm->what |= PM_PREFIX_LEN;
		if (range(p, v, "prefix-length", 128, &lo, &hi) < 0)
			return -1;
		pm->len_min = (uint8_t)lo;
		pm->len_max = (uint8_t)hi;
	}
	if ((v = json_object_get(m, "neighbor")) != NULL) {
		int af;
		pm->what |= PM_NEIGHBOR;
		if (!json_is_string(v) ||
		    addr_parse(json_string_value(v), &af, pm->nbr_addr) != 0) {
			pp_push(p, ".neighbor");
			return pp_err(p, "expected an IPv4 or IPv6 address");
		}
		pm->nbr_af = (uint8_t)af;
	}
	if ((v = json_object_get(m, "neighbor-as")) != NULL) {
		pm->what |= PM_NEIGHBOR_AS;
		if (get_uint(p, v, "neighbor-as", 1, UINT32_MAX, &pm->nbr_as) < 0)
			return -1;
	}
	if ((v = json_object_get(m, "origin-as")) != NULL) {
		pm->what |= PM_ORIGIN_AS;
		if (as_or_set(p, v, "origin-as", &pm->origin_as, &pm->origin_set) < 0)
			return -1;
	}
	if ((v = json_object_get(m, "as-path-contains")) != NULL) {
		pm->what |= PM_PATH_AS;
		if (as_or_set(p, v, "as-path-contains", &pm->path_as, &pm->path_set) < 0)
			return -1;
	}
	if ((v = json_object_get(m, "as-path-length")) != NULL) {
		pm->what |= PM_PATH_LEN;
		if (range(p, v, "as-path-length", 65535, &lo, &hi) < 0)
			return -1;
		pm->path_len_min = (uint16_t)lo;
		pm->path_len_max = (uint16_t)hi;
	}
	if ((v = json_object_get(m, "community-any")) != NULL) {
		pm->what |= PM_COMM_ANY;
		if (set_ref(p, v, "community-any", "community set", (const void **)&pm->comm_any,
			    find_cset) < 0)
			return -1;
	}
	if ((v = json_object_get(m, "community-all")) != NULL) {
		pm->what |= PM_COMM_ALL;
		if (set_ref(p, v, "community-all", "community set", (const void **)&pm->comm_all,
			    find_cset) < 0)
			return -1;
	}
	if ((v = json_object_get(m, "origin")) != NULL) {
		static const char *const o[] = {"igp", "egp", "incomplete"};
		pm->what |= PM_ORIGIN;
		size_t i = 0;
		while (i < 3 && !(json_is_string(v) && strcmp(json_string_value(v), o[i]) == 0))
			i++;
		if (i == 3) {
			pp_push(p, ".origin");
			return pp_err(p, "expected one of \"igp\", \"egp\", \"incomplete\"");
		}
		pm->origin = (uint8_t)i;
	}
	if ((v = json_object_get(m, "next-hop")) != NULL) {
		pm->what |= PM_NEXT_HOP;
		if (!json_is_string(v) ||
		    prefix_parse(json_string_value(v), &pm->nh, true, false) != 0 ||
		    pm->nh.af != AF_INET) {
			pp_push(p, ".next-hop");
			return pp_err(p, "expected an IPv4 prefix \"A.B.C.D/LEN\"");
		}
	}
	pp_pop(p, saved);
	return 0;
}

static int
parse_set(struct pp *p, json_t *s, struct policy_action *pa)
{
	static const char *const keys[] = {"local-pref",
					   "med",
					   "add-communities",
					   "remove-communities",
					   "replace-communities",
					   "as-path-prepend",
					   "next-hop",
					   NULL};
	size_t saved = pp_push(p, ".set");
	if (!json_is_object(s) || json_object_size(s) == 0)
		return pp_err(p, "expected a non-empty object of actions, got %s", kind(s));
	if (only_keys(p, s, keys) < 0)
		return -1;
	json_t *v;
	uint32_t n;
	if ((v = json_object_get(s, "local-pref")) != NULL) {
		pa->what |= PA_LOCAL_PREF;
		if (get_uint(p, v, "local-pref", 0, UINT32_MAX, &pa->local_pref) < 0)
			return -1;
	}
	if ((v = json_object_get(s, "med")) != NULL) {
		pa->what |= PA_MED;
		if (get_uint(p, v, "med", 0, UINT32_MAX, &pa->med) < 0)
			return -1;
	}
	if ((v = json_object_get(s, "add-communities")) != NULL) {
		size_t s2 = pp_push(p, ".add-communities");
		pa->what |= PA_COMM_ADD;
		if (comm_list(p, v, &pa->add) < 0)
			return -1;
		pp_pop(p, s2);
	}
	if ((v = json_object_get(s, "remove-communities")) != NULL) {
		pa->what |= PA_COMM_DEL;
		if (json_is_string(v)) {
			if (set_ref(p, v, "remove-communities", "community set",
				    (const void **)&pa->del_set, find_cset) < 0)
				return -1;
		} else {
			size_t s2 = pp_push(p, ".remove-communities");
			if (comm_list(p, v, &pa->del) < 0)
				return -1;
			pp_pop(p, s2);
		}
	}
	if ((v = json_object_get(s, "replace-communities")) != NULL) {
		size_t s2 = pp_push(p, ".replace-communities");
		pa->what |= PA_COMM_SET;
		if (json_is_array(v) && json_array_size(v) == 0) {
			/* [] removes every standard and large community */
		} else if (comm_list(p, v, &pa->set) < 0) {
			return -1;
		}
		pp_pop(p, s2);
	}
	if ((v = json_object_get(s, "as-path-prepend")) != NULL) {
		pa->what |= PA_PREPEND;
		if (get_uint(p, v, "as-path-prepend", 1, 16, &n) < 0)
			return -1;
		pa->prepend = (uint8_t)n;
	}
	if ((v = json_object_get(s, "next-hop")) != NULL) {
		int af;
		pa->what |= PA_NEXT_HOP;
		if (!json_is_string(v) || addr_parse(json_string_value(v), &af, pa->nh) != 0) {
			pp_push(p, ".next-hop");
			return pp_err(p, "expected an IPv4 or IPv6 address");
		}
		pa->nh_af = (uint8_t)af;
	}
	pp_pop(p, saved);
	return 0;
}

static int
parse_rule(struct pp *p, json_t *v, struct policy_rule *r)
{
	static const char *const keys[] = {"name", "match", "set", "action", NULL};
	if (!json_is_object(v))
		return pp_err(p, "expected a rule object, got %s", kind(v));
	if (json_object_size(v) == 0)
		return pp_err(p, "empty rule: a rule needs an \"action\" (\"accept\" or "
				 "\"reject\"), and may have \"match\" and \"set\"");
	if (only_keys(p, v, keys) < 0)
		return -1;
	json_t *x;
	if ((x = json_object_get(v, "name")) != NULL) {
		if (!json_is_string(x) || json_string_length(x) == 0) {
			pp_push(p, ".name");
			return pp_err(p, "expected a non-empty string");
		}
		r->name = xstrdup(json_string_value(x));
	}
	x = json_object_get(v, "action");
	if (x == NULL)
		return pp_err(p, "missing required key \"action\" (\"accept\" or \"reject\")");
	if (!json_is_string(x) || (strcmp(json_string_value(x), "accept") != 0 &&
				   strcmp(json_string_value(x), "reject") != 0)) {
		pp_push(p, ".action");
		return pp_err(p, "expected \"accept\" or \"reject\"");
	}
	r->accept = strcmp(json_string_value(x), "accept") == 0;
	if ((x = json_object_get(v, "match")) != NULL && parse_match(p, x, &r->m) < 0)
		return -1;
	if ((x = json_object_get(v, "set")) != NULL) {
		if (!r->accept) {
			pp_push(p, ".set");
			return pp_err(p, "a rule that rejects sets nothing");
		}
		if (parse_set(p, x, &r->a) < 0)
			return -1;
	}
	return 0;
}

static int
parse_policy(struct pp *p, json_t *v, struct policy *pol)
{
	static const char *const keys[] = {"rules", "default", NULL};
	if (!json_is_object(v))
		return pp_err(p,
			      "expected {\"rules\": [...], \"default\": \"accept\"|\"reject\"}, "
			      "got %s",
			      kind(v));
	if (only_keys(p, v, keys) < 0)
		return -1;
	json_t *d = json_object_get(v, "default");
	if (d != NULL && (!json_is_string(d) || (strcmp(json_string_value(d), "accept") != 0 &&
						 strcmp(json_string_value(d), "reject") != 0))) {
		pp_push(p, ".default");
		return pp_err(p, "expected \"accept\" or \"reject\"");
	}
	pol->default_accept = d != NULL && strcmp(json_string_value(d), "accept") == 0;
	json_t *rules = json_object_get(v, "rules");
	if (rules == NULL)
		return 0;
	size_t saved = pp_push(p, ".rules");
	if (!json_is_array(rules))
		return pp_err(p, "expected an array of rules, got %s", kind(rules));
	pol->rules = xcalloc(json_array_size(rules) + 1, sizeof *pol->rules);
	for (size_t i = 0; i < json_array_size(rules); i++) {
		size_t s2 = pp_push(p, "[%zu]", i);
		pol->n_rules++;
		if (parse_rule(p, json_array_get(rules, i), &pol->rules[i]) < 0)
			return -1;
		pp_pop(p, s2);
	}
	pp_pop(p, saved);
	return 0;
}

static int
parse_policies(struct pp *p, json_t *obj)
{
	size_t saved = pp_push(p, "policies");
	if (!json_is_object(obj))
		return pp_err(p, "expected an object of named policies, got %s", kind(obj));
	struct policy_db *db = p->db;
	db->pols = xcalloc(json_object_size(obj) + 1, sizeof *db->pols);
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v)
	{
		size_t s2 = pp_push(p, ".%s", k);
		struct policy *pol = &db->pols[db->n_pols++];
		if (check_name(p, k) < 0)
			return -1;
		pol->name = xstrdup(k);
		if (parse_policy(p, v, pol) < 0)
			return -1;
		pp_pop(p, s2);
	}
	pp_pop(p, saved);
	return 0;
}

/* ---- users of policies ---- */

enum use { USE_IMPORT, USE_EXPORT, USE_XLAT };

static const char *
fam_name(int af)
{
	return af == AF_INET ? "IPv4" : "IPv6";
}

/*
 * Resolves a policy name at the current path for a use on routes of family af, checking what
 * only that use tells: prefix sets and next hops of the family, prepend only on export.
 */
static int
resolve(struct pp *p, const char *name, enum use use, int af, const struct policy **out)
{
	*out = NULL;
	if (name == NULL)
		return 0;
	const struct policy *pol = policy_find(p->db, name);
	if (pol == NULL)
		return pp_err(p, "unknown policy \"%s\"", name);
	/* the IPv6 next hop of a translated route is set by the translation policy */
	int nh_af = use == USE_XLAT ? AF_INET6 : af;
	for (size_t i = 0; i < pol->n_rules; i++) {
		const struct policy_rule *r = &pol->rules[i];
		char rule[64];
		snprintf(rule, sizeof rule, "rule %zu%s%s%s", i, r->name ? " (" : "",
			 r->name ? r->name : "", r->name ? ")" : "");
		if (r->m.pset != NULL && r->m.pset->af != af)
			return pp_err(p,
				      "policy \"%s\" %s matches %s prefix set \"%s\" but is used "
				      "here on %s routes",
				      name, rule, fam_name(r->m.pset->af), r->m.pset->name,
				      fam_name(af));
		if ((r->a.what & PA_NEXT_HOP) && r->a.nh_af != nh_af)
			return pp_err(p,
				      "policy \"%s\" %s sets an %s next hop but is used here "
				      "where the next hop is %s",
				      name, rule, fam_name(r->a.nh_af), fam_name(nh_af));
		if ((r->a.what & PA_PREPEND) && use != USE_EXPORT)
			return pp_err(p,
				      "policy \"%s\" %s prepends to the AS_PATH, which only an "
				      "export policy can do",
				      name, rule);
	}
	*out = pol;
	return 0;
}

static int
resolve_users(struct pp *p, struct cfg *c)
{
	snprintf(p->path, sizeof p->path, "translation.policy");
	if (resolve(p, c->xlat_policy_name, USE_XLAT, AF_INET, &c->xlat_policy) < 0)
		return -1;
	static const char *const fams[] = {"ipv4", "ipv6"};
	for (size_t i = 0; i < c->n_neighbors; i++) {
		struct cfg_neighbor *n = &c->neighbors[i];
		for (int f = 0; f < 2; f++) {
			int af = f == 0 ? AF_INET : AF_INET6;
			snprintf(p->path, sizeof p->path,
				 "neighbors[%zu].families.%s.import-policy", i, fams[f]);
			if (resolve(p, n->fam[f].import_policy_name, USE_IMPORT, af,
				    &n->fam[f].import_policy) < 0)
				return -1;
			snprintf(p->path, sizeof p->path,
				 "neighbors[%zu].families.%s.export-policy", i, fams[f]);
			if (resolve(p, n->fam[f].export_policy_name, USE_EXPORT, af,
				    &n->fam[f].export_policy) < 0)
				return -1;
		}
	}
	return 0;
}

int
cfg_policy_parse(struct cfg *c, json_t *root, const char *name, char *err, size_t errlen)
{
	char dummy[1];
	if (err == NULL || errlen == 0) {
		err = dummy;
		errlen = sizeof dummy;
	}
	struct pp p = {.name = name, .err = err, .errlen = errlen};
	json_t *sets = json_object_get(root, "sets");
	json_t *pols = json_object_get(root, "policies");
	p.db = c->pol = xcalloc(1, sizeof *c->pol);
	if (sets != NULL && parse_sets(&p, sets) < 0)
		return -1;
	p.path[0] = '\0';
	if (pols != NULL && parse_policies(&p, pols) < 0)
		return -1;
	if (policy_db_finish(c->pol) < 0) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	return resolve_users(&p, c);
}
