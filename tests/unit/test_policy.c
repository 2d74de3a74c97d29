/*
 * src/policy: set membership against brute-force references over random prefixes and ranges,
 * every match condition and every action, first match and the default, equality of policies,
 * and the config errors of "sets"/"policies" with their JSON paths (config_policy.c).
 * Policies are written as bgp64d.json text and parsed with cfg_parse(), as the daemon does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "policy/policy.h"

/* ---- helpers ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

static char cfg_err[CFG_ERRLEN];

/* Same with a raw tail inside the root object (e.g. neighbors) and a translation policy. */
static struct cfg *
parse_full(const char *sets, const char *policies, const char *xlat_policy, const char *tail)
{
	char buf[16384];
	char xp[128] = "";
	if (xlat_policy != NULL)
		snprintf(xp, sizeof xp, ", \"policy\": \"%s\"", xlat_policy);
	snprintf(buf, sizeof buf,
		 "{\"router-id\": \"192.0.2.1\", \"local-as\": 64500,"
		 " \"translation\": {\"prefix\": \"64:ff9b::/96\"%s},"
		 " \"sets\": %s, \"policies\": %s%s%s}",
		 xp, sets != NULL ? sets : "{}", policies != NULL ? policies : "{}",
		 tail != NULL ? ", " : "", tail != NULL ? tail : "");
	return cfg_parse(buf, strlen(buf), "t.json", cfg_err, sizeof cfg_err);
}

static struct cfg *
parse(const char *sets, const char *policies, const char *unused)
{
	(void)unused;
	return parse_full(sets, policies, NULL, NULL);
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* A route's attributes: AS_SEQUENCE path, standard and large communities, IPv4 next hop. */
struct rspec {
	const uint32_t *path;
	unsigned npath;
	const uint32_t *comms;
	unsigned ncomms;
	const uint32_t *lcomms; /* triples */
	unsigned nlcomms;
	uint8_t origin;
	const char *nh; /* IPv4 */
};

static struct attrs *
mkattrs(const struct rspec *s)
{
	struct attrs t;
	uint8_t path[2 + 4 * 16], comms[4 * 16], lc[12 * 8];
	memset(&t, 0, sizeof t);
	t.origin = s->origin;
	t.nh_len = 4;
	int af;
	assert_int_equal(addr_parse(s->nh != NULL ? s->nh : "192.0.2.9", &af, t.nh), 0);
	if (s->npath > 0) {
		path[0] = AS_SEQUENCE;
		path[1] = (uint8_t)s->npath;
		for (unsigned i = 0; i < s->npath; i++)
			put32(path + 2 + 4 * i, s->path[i]);
		t.aspath = attr_blob_intern(ATTR_AS_PATH, path, 2 + 4 * (size_t)s->npath);
	}
	for (unsigned i = 0; i < s->ncomms; i++)
		put32(comms + 4 * i, s->comms[i]);
	if (s->ncomms > 0)
		t.comms = attr_blob_intern(ATTR_COMMUNITIES, comms, 4 * (size_t)s->ncomms);
	for (unsigned i = 0; i < 3 * s->nlcomms; i++)
		put32(lc + 4 * i, s->lcomms[i]);
	if (s->nlcomms > 0)
		t.lcomms = attr_blob_intern(ATTR_LARGE_COMMUNITIES, lc, 12 * (size_t)s->nlcomms);
	struct attrs *a = attr_intern(&t);
	if (t.aspath)
		attr_blob_unref(t.aspath);
	if (t.comms)
		attr_blob_unref(t.comms);
	if (t.lcomms)
		attr_blob_unref(t.lcomms);
	return a;
}

static struct prefix
pfx(const char *s)
{
	struct prefix p;
	assert_int_equal(prefix_parse(s, &p, false, false), 0);
	return p;
}

/* The index of the deciding rule of policy "p" for prefix s with attributes a. */
static int
eval(const struct cfg *c, const char *s, const struct attrs *a, bool *accept)
{
	const struct policy *pol = policy_find(c->pol, "p");
	assert_non_null(pol);
	struct prefix p = pfx(s);
	struct policy_route rt = {.p = &p, .a = a};
	uint8_t nbr[16];
	int af;
	addr_parse("192.0.2.7", &af, nbr);
	rt.nbr_af = AF_INET;
	rt.nbr_addr = nbr;
	rt.nbr_as = 64501;
	return policy_eval(pol, &rt, accept);
}

/* ---- prefix sets against a brute-force reference ---- */

static bool
ref_contains(const struct policy_prefix_set *s, const struct prefix *q)
{
	for (size_t i = 0; i < s->n; i++)
		if (prefix_contains(&s->e[i].p, q) && q->len >= s->e[i].ge && q->len <= s->e[i].le)
			return true;
	return false;
}

static void
random_prefix(struct prefix *p, int af, unsigned len, const uint8_t *base, unsigned base_len)
{
	memset(p, 0, sizeof *p);
	p->af = (uint8_t)af;
	for (unsigned i = 0; i < af_bytes(af); i++)
		p->a[i] = (uint8_t)rnd();
	/* share the first bits with base, often: small address spaces make overlaps */
	if (base != NULL)
		for (unsigned b = 0; b < base_len; b++)
			bit_set(p->a, b, bit_get(base, b));
	p->len = (uint8_t)len;
	prefix_mask(p);
}

static void
pset_random(int af)
{
	unsigned bits = af_bits(af);
	for (int round = 0; round < 20; round++) {
		struct policy_db *db = calloc(1, sizeof *db);
		db->psets = calloc(1, sizeof *db->psets);
		db->n_psets = 1;
		struct policy_prefix_set *s = &db->psets[0];
		s->name = strdup("s");
		s->af = af;
		s->n = 1 + rnd() % 300;
		s->e = calloc(s->n, sizeof *s->e);
		uint8_t root[16];
		for (int i = 0; i < 16; i++)
			root[i] = (uint8_t)rnd();
		for (size_t i = 0; i < s->n; i++) {
			unsigned len = rnd() % (bits / 2 + 1);
			random_prefix(&s->e[i].p, af, len, root, len < 6 ? len : 6);
			unsigned ge = len + rnd() % (bits - len + 1);
			unsigned le = ge + rnd() % (bits - ge + 1);
			switch (rnd() % 3) {
			case 0: /* exact */
				ge = le = len;
				break;
			case 1: /* ge only */
				le = bits;
				break;
			default:
				break;
			}
			s->e[i].ge = (uint8_t)ge;
			s->e[i].le = (uint8_t)le;
		}
		assert_int_equal(policy_db_finish(db), 0);
		unsigned hits = 0;
		for (int q = 0; q < 4000; q++) {
			struct prefix p;
			const struct policy_pfx_entry *e = &s->e[rnd() % s->n];
			if (rnd() % 2) /* inside an entry, any length below it */
				random_prefix(&p, af, e->p.len + rnd() % (bits - e->p.len + 1),
					      e->p.a, e->p.len);
			else
				random_prefix(&p, af, rnd() % (bits + 1), root, 6);
			bool want = ref_contains(s, &p);
			hits += want;
			assert_int_equal(policy_pset_contains(s, &p), want);
		}
		assert_true(hits > 0);
		/* the other family never matches */
		struct prefix other = {.af = af == AF_INET ? AF_INET6 : AF_INET};
		assert_false(policy_pset_contains(s, &other));
		policy_db_free(db);
	}
}

static void
test_pset_random_v4(void **state)
{
	(void)state;
	pset_random(AF_INET);
}

static void
test_pset_random_v6(void **state)
{
	(void)state;
	pset_random(AF_INET6);
}

static void
test_pset_config(void **state)
{
	(void)state;
	struct cfg *c = parse("{\"prefix\": {\"s\": [\"10.0.0.0/8\","
			      " {\"prefix\": \"192.168.0.0/16\", \"le\": 24},"
			      " {\"prefix\": \"172.16.0.0/12\", \"ge\": 20}]}}",
			      NULL, NULL);
	assert_non_null(c);
	const struct policy_prefix_set *s = policy_pset_find(c->pol, "s");
	struct prefix p;
	p = pfx("10.0.0.0/8");
	assert_true(policy_pset_contains(s, &p));
	p = pfx("10.1.0.0/16");
	assert_false(policy_pset_contains(s, &p)); /* exact only */
	p = pfx("192.168.0.0/16");
	assert_true(policy_pset_contains(s, &p));
	p = pfx("192.168.3.0/24");
	assert_true(policy_pset_contains(s, &p));
	p = pfx("192.168.3.0/25");
	assert_false(policy_pset_contains(s, &p));
	p = pfx("172.16.0.0/16");
	assert_false(policy_pset_contains(s, &p));
	p = pfx("172.16.1.2/32");
	assert_true(policy_pset_contains(s, &p));
	cfg_free(c);
}

/* ---- AS and community sets against references ---- */

static void
test_as_comm_sets(void **state)
{
	(void)state;
	struct policy_as_set as = {0};
	uint32_t ref[200];
	as.as = calloc(200, sizeof *as.as);
	for (int i = 0; i < 200; i++)
		as.as[as.n++] = ref[i] = 1 + rnd() % 1000;
	struct policy_db *db = calloc(1, sizeof *db);
	db->asets = calloc(1, sizeof *db->asets);
	db->asets[0] = as;
	db->asets[0].name = strdup("a");
	db->n_asets = 1;
	assert_int_equal(policy_db_finish(db), 0);
	for (uint32_t x = 0; x < 1100; x++) {
		bool want = false;
		for (int i = 0; i < 200; i++)
			want |= ref[i] == x;
		assert_int_equal(policy_as_set_contains(&db->asets[0], x), want);
	}
	policy_db_free(db);

	struct policy_comm_set cs = {0};
	assert_int_equal(policy_comm_parse("65000:1", &cs), 0);
	assert_int_equal(policy_comm_parse("no-export", &cs), 0);
	assert_int_equal(policy_comm_parse("4200000000:1:2", &cs), 0);
	assert_int_equal(policy_comm_parse("rt:65000:7", &cs), 0);
	assert_int_equal(policy_comm_parse("soo:4200000000:7", &cs), 0);
	assert_int_equal(policy_comm_parse("65536:1", &cs), -1);
	assert_int_equal(policy_comm_parse("1:2:3:4", &cs), -1);
	assert_int_equal(policy_comm_parse("x", &cs), -1);
	assert_int_equal(policy_comm_parse("1:", &cs), -1);
	assert_int_equal(policy_comm_parse("rt:4200000000:70000", &cs), -1);
	policy_comm_set_sort(&cs);
	assert_true(policy_comm_set_has_std(&cs, 65000u << 16 | 1));
	assert_true(policy_comm_set_has_std(&cs, 0xFFFFFF01u));
	assert_false(policy_comm_set_has_std(&cs, 65000u << 16 | 2));
	struct policy_lcomm l = {4200000000u, 1, 2}, l2 = {4200000000u, 1, 3};
	assert_true(policy_comm_set_has_lc(&cs, &l));
	assert_false(policy_comm_set_has_lc(&cs, &l2));
	assert_true(policy_comm_set_has_ext(&cs, 0x0002FDE800000007ull));
	assert_true(policy_comm_set_has_ext(&cs, 0x0203FA56EA000007ull));
	assert_false(policy_comm_set_has_ext(&cs, 0x0003FDE800000007ull));
	policy_comm_set_clear(&cs);
}

/* ---- every match condition ---- */

static const char *match_sets =
    "{\"prefix\": {\"b\": [{\"prefix\": \"10.0.0.0/8\", \"le\": 32}]},"
    " \"as\": {\"t1\": [174, 3356]},"
    " \"community\": {\"c\": [\"65000:1\", \"65000:2\", \"64500:1:1\"]}}";

/* One policy "p" with one accepting rule whose match is m, default reject. */
static struct cfg *
match_policy(const char *m)
{
	char pol[1024];
	snprintf(pol, sizeof pol,
		 "{\"p\": {\"rules\": [{\"name\": \"r\", \"match\": %s, \"action\": \"accept\"}]}}",
		 m);
	struct cfg *c = parse(match_sets, pol, NULL);
	if (c == NULL)
		fail_msg("%s", cfg_err);
	return c;
}

static bool
matches(const char *m, const char *prefix, const struct rspec *rs)
{
	struct cfg *c = match_policy(m);
	struct attrs *a = mkattrs(rs);
	bool accept;
	int k = eval(c, prefix, a, &accept);
	assert_int_equal(accept, k == 0);
	attr_unref(a);
	cfg_free(c);
	return k == 0;
}

static void
test_matches(void **state)
{
	(void)state;
	static const uint32_t path[] = {64501, 174, 65010};
	static const uint32_t path_set_end[] = {64501, 3356};
	static const uint32_t comms[] = {65000u << 16 | 1, 65000u << 16 | 2};
	static const uint32_t one_comm[] = {65000u << 16 | 2};
	static const uint32_t lc[] = {64500, 1, 1};
	struct rspec r = {path, 3, comms, 2, lc, 1, ORIGIN_IGP, "192.0.2.9"};
	struct rspec bare = {NULL, 0, NULL, 0, NULL, 0, ORIGIN_INCOMPLETE, "198.51.100.1"};

	assert_true(matches("{\"prefix-set\": \"b\"}", "10.1.2.0/24", &r));
	assert_false(matches("{\"prefix-set\": \"b\"}", "11.0.0.0/8", &r));
	assert_true(matches("{\"prefix-length\": {\"min\": 8, \"max\": 24}}", "11.0.0.0/24", &r));
	assert_false(matches("{\"prefix-length\": {\"max\": 24}}", "11.0.0.0/25", &r));
	assert_false(matches("{\"prefix-length\": {\"min\": 9}}", "11.0.0.0/8", &r));
	assert_true(matches("{\"neighbor\": \"192.0.2.7\"}", "11.0.0.0/8", &r));
	assert_false(matches("{\"neighbor\": \"192.0.2.8\"}", "11.0.0.0/8", &r));
	assert_false(matches("{\"neighbor\": \"2001:db8::7\"}", "11.0.0.0/8", &r));
	assert_true(matches("{\"neighbor-as\": 64501}", "11.0.0.0/8", &r));
	assert_false(matches("{\"neighbor-as\": 64502}", "11.0.0.0/8", &r));
	assert_true(matches("{\"origin-as\": 65010}", "11.0.0.0/8", &r));
	assert_false(matches("{\"origin-as\": 174}", "11.0.0.0/8", &r));
	assert_false(matches("{\"origin-as\": 174}", "11.0.0.0/8", &bare));
	struct rspec r2 = r;
	r2.path = path_set_end;
	r2.npath = 2;
	assert_true(matches("{\"origin-as\": \"t1\"}", "11.0.0.0/8", &r2));
	assert_false(matches("{\"origin-as\": \"t1\"}", "11.0.0.0/8", &r));
	assert_true(matches("{\"as-path-contains\": 174}", "11.0.0.0/8", &r));
	assert_false(matches("{\"as-path-contains\": 175}", "11.0.0.0/8", &r));
	assert_true(matches("{\"as-path-contains\": \"t1\"}", "11.0.0.0/8", &r));
	assert_false(matches("{\"as-path-contains\": \"t1\"}", "11.0.0.0/8", &bare));
	assert_true(matches("{\"as-path-length\": {\"min\": 3, \"max\": 3}}", "11.0.0.0/8", &r));
	assert_false(matches("{\"as-path-length\": {\"max\": 2}}", "11.0.0.0/8", &r));
	assert_true(matches("{\"as-path-length\": {\"max\": 0}}", "11.0.0.0/8", &bare));
	assert_true(matches("{\"community-any\": \"c\"}", "11.0.0.0/8", &r));
	assert_false(matches("{\"community-any\": \"c\"}", "11.0.0.0/8", &bare));
	struct rspec r3 = r;
	r3.comms = one_comm;
	r3.ncomms = 1;
	r3.nlcomms = 0;
	assert_true(matches("{\"community-any\": \"c\"}", "11.0.0.0/8", &r3));
	assert_true(matches("{\"community-all\": \"c\"}", "11.0.0.0/8", &r));
	assert_false(matches("{\"community-all\": \"c\"}", "11.0.0.0/8", &r3));
	assert_true(matches("{\"origin\": \"igp\"}", "11.0.0.0/8", &r));
	assert_false(matches("{\"origin\": \"egp\"}", "11.0.0.0/8", &r));
	assert_true(matches("{\"origin\": \"incomplete\"}", "11.0.0.0/8", &bare));
	assert_true(matches("{\"next-hop\": \"192.0.2.0/24\"}", "11.0.0.0/8", &r));
	assert_false(matches("{\"next-hop\": \"192.0.2.0/24\"}", "11.0.0.0/8", &bare));
	/* every condition must hold */
	assert_true(matches("{\"prefix-set\": \"b\", \"origin\": \"igp\", \"neighbor-as\": 64501}",
			    "10.0.0.0/8", &r));
	assert_false(matches("{\"prefix-set\": \"b\", \"origin\": \"egp\", \"neighbor-as\": 64501}",
			     "10.0.0.0/8", &r));
	/* no match object: every route */
	assert_true(matches("{}", "11.0.0.0/8", &bare));
}

static void
test_first_match_default(void **state)
{
	(void)state;
	struct cfg *c =
	    parse(match_sets,
		  "{\"p\": {\"default\": \"accept\", \"rules\": ["
		  "{\"match\": {\"prefix-set\": \"b\"}, \"action\": \"reject\"},"
		  "{\"match\": {\"prefix-length\": {\"max\": 24}}, \"action\": \"accept\"},"
		  "{\"action\": \"reject\"}]},"
		  " \"q\": {\"rules\": [{\"match\": {\"origin\": \"egp\"}, "
		  "\"action\": \"accept\"}]}}",
		  NULL);
	assert_non_null(c);
	struct rspec rs = {0};
	struct attrs *a = mkattrs(&rs);
	bool acc;
	assert_int_equal(eval(c, "10.0.0.0/24", a, &acc), 0);
	assert_false(acc);
	assert_int_equal(eval(c, "11.0.0.0/24", a, &acc), 1);
	assert_true(acc);
	assert_int_equal(eval(c, "11.0.0.0/25", a, &acc), 2);
	assert_false(acc);
	/* documented default: reject */
	const struct policy *q = policy_find(c->pol, "q");
	struct prefix p = pfx("11.0.0.0/8");
	struct policy_route rt = {.p = &p, .a = a};
	assert_int_equal(policy_eval(q, &rt, &acc), -1);
	assert_false(acc);
	assert_string_equal(policy_rule_name(q, -1), "default");
	/* no policy: accept */
	assert_int_equal(policy_eval(NULL, &rt, &acc), -1);
	assert_true(acc);
	/* counters are numbered across policies */
	assert_int_equal(c->pol->n_counters, 3 + 1 + 1 + 1);
	attr_unref(a);
	cfg_free(c);
}

/* policy_attr_mask + policy_eval_mask decide as policy_eval, over random routes. */
static void
test_eval_mask(void **state)
{
	(void)state;
	struct cfg *c = parse(match_sets,
			      "{\"p\": {\"rules\": ["
			      "{\"match\": {\"prefix-set\": \"b\", \"origin\": \"egp\"}, "
			      "\"action\": \"reject\"},"
			      "{\"match\": {\"community-any\": \"c\", \"prefix-length\": "
			      "{\"max\": 16}}, \"action\": \"accept\"},"
			      "{\"match\": {\"as-path-contains\": 174}, \"action\": \"reject\"},"
			      "{\"match\": {\"prefix-set\": \"b\"}, \"action\": \"accept\"}]}}",
			      NULL);
	assert_non_null(c);
	const struct policy *pol = policy_find(c->pol, "p");
	static const uint32_t p174[] = {64501, 174}, p1[] = {64501};
	static const uint32_t comms[] = {65000u << 16 | 1};
	for (int round = 0; round < 8; round++) {
		struct rspec rs = {round & 1 ? p174 : p1,
				   round & 1 ? 2 : 1,
				   comms,
				   (round >> 1) & 1,
				   NULL,
				   0,
				   (uint8_t)((round >> 2) & 1 ? ORIGIN_EGP : ORIGIN_IGP),
				   NULL};
		struct attrs *a = mkattrs(&rs);
		struct policy_route rt = {.a = a};
		uint64_t mask = policy_attr_mask(pol, &rt);
		for (int q = 0; q < 2000; q++) {
			struct prefix p;
			uint8_t ten[4] = {10, 0, 0, 0};
			random_prefix(&p, AF_INET, rnd() % 33, ten, rnd() % 2 ? 8 : 0);
			rt.p = &p;
			bool a1, a2;
			int k1 = policy_eval(pol, &rt, &a1);
			int k2 = policy_eval_mask(pol, &rt, mask, &a2);
			assert_int_equal(k1, k2);
			assert_int_equal(a1, a2);
		}
		attr_unref(a);
	}
	cfg_free(c);
}

/* ---- every action ---- */

static bool
blob_has32(const struct attr_blob *b, uint32_t v)
{
	for (size_t i = 0; b != NULL && i + 4 <= b->len; i += 4) {
		uint32_t x = (uint32_t)b->data[i] << 24 | (uint32_t)b->data[i + 1] << 16 |
			     (uint32_t)b->data[i + 2] << 8 | b->data[i + 3];
		if (x == v)
			return true;
	}
	return false;
}

/* Applies rule 0 of "p" (set s) to a route built from rs; returns the interned result. */
static struct attrs *
applied(const char *s, const struct rspec *rs, bool ebgp, int nh_af)
{
	char pol[1024];
	snprintf(pol, sizeof pol, "{\"p\": {\"rules\": [{\"set\": %s, \"action\": \"accept\"}]}}",
		 s);
	struct cfg *c = parse(match_sets, pol, NULL);
	if (c == NULL)
		fail_msg("%s", cfg_err);
	struct attrs *a = mkattrs(rs), t;
	struct policy_tmp tmp = {0};
	attr_copy(&t, a);
	assert_true(policy_has_actions(policy_find(c->pol, "p"), 0));
	policy_apply(policy_find(c->pol, "p"), 0, &t, ebgp, 64500, nh_af, &tmp);
	struct attrs *out = attr_intern(&t);
	policy_tmp_release(&tmp);
	attr_unref(a);
	cfg_free(c);
	return out;
}

static void
test_actions(void **state)
{
	(void)state;
	static const uint32_t path[] = {64501};
	static const uint32_t comms[] = {65000u << 16 | 1, 65000u << 16 | 3};
	static const uint32_t lc[] = {64500, 1, 1, 64500, 2, 2};
	struct rspec r = {path, 1, comms, 2, lc, 2, ORIGIN_IGP, "192.0.2.9"};
	struct attrs *o;

	o = applied("{\"local-pref\": 90}", &r, false, AF_INET);
	assert_true(o->flags & ATTRS_LOCAL_PREF);
	assert_int_equal(o->local_pref, 90);
	attr_unref(o);
	o = applied("{\"med\": 7}", &r, false, AF_INET);
	assert_true(o->flags & ATTRS_MED);
	assert_int_equal(o->med, 7);
	attr_unref(o);

	o = applied("{\"add-communities\": [\"64500:64\", \"65000:1\", \"64500:9:9\"]}", &r, false,
		    AF_INET);
	assert_int_equal(o->comms->len, 12); /* 65000:1 not twice */
	assert_true(blob_has32(o->comms, 64500u << 16 | 64));
	assert_true(blob_has32(o->comms, 65000u << 16 | 3));
	assert_int_equal(o->lcomms->len, 36);
	attr_unref(o);

	o = applied("{\"remove-communities\": [\"65000:1\", \"64500:1:1\"]}", &r, false, AF_INET);
	assert_int_equal(o->comms->len, 4);
	assert_true(blob_has32(o->comms, 65000u << 16 | 3));
	assert_int_equal(o->lcomms->len, 12);
	attr_unref(o);

	/* remove by set: 65000:1 and 64500:1:1 are in set c */
	o = applied("{\"remove-communities\": \"c\"}", &r, false, AF_INET);
	assert_int_equal(o->comms->len, 4);
	assert_false(blob_has32(o->comms, 65000u << 16 | 1));
	assert_int_equal(o->lcomms->len, 12);
	attr_unref(o);

	o = applied("{\"replace-communities\": [\"1:1\"]}", &r, false, AF_INET);
	assert_int_equal(o->comms->len, 4);
	assert_true(blob_has32(o->comms, 1u << 16 | 1));
	assert_null(o->lcomms);
	attr_unref(o);
	o = applied("{\"replace-communities\": []}", &r, false, AF_INET);
	assert_null(o->comms);
	assert_null(o->lcomms);
	attr_unref(o);

	o = applied("{\"as-path-prepend\": 3}", &r, true, AF_INET);
	assert_int_equal(attr_aspath_len(o), 4);
	assert_int_equal(attr_aspath_first(o), 64500);
	attr_unref(o);
	o = applied("{\"as-path-prepend\": 3}", &r, false, AF_INET); /* iBGP: no prepend */
	assert_int_equal(attr_aspath_len(o), 1);
	attr_unref(o);

	o = applied("{\"next-hop\": \"198.51.100.1\"}", &r, false, AF_INET);
	assert_int_equal(o->nh_len, 4);
	assert_int_equal(o->nh[0], 198);
	assert_int_equal(o->nh[3], 1);
	attr_unref(o);
	o = applied("{\"next-hop\": \"2001:db8::1\"}", &r, false, AF_INET); /* other family */
	assert_int_equal(o->nh_len, 4);
	assert_int_equal(o->nh[0], 192);
	attr_unref(o);
	o = applied("{\"next-hop\": \"2001:db8::1\"}", &r, false, AF_INET6);
	assert_int_equal(o->nh_len, 16);
	assert_int_equal(o->nh[0], 0x20);
	attr_unref(o);

	struct attr_stats st;
	attr_stats(&st);
	assert_int_equal(st.sets, 0); /* nothing leaked */
	assert_int_equal(st.blobs, 0);
}

/* ---- equality ---- */

static void
test_equality(void **state)
{
	(void)state;
	const char *pols = "{\"a\": {\"rules\": [{\"match\": {\"prefix-set\": \"b\"}, \"action\": "
			   "\"accept\", \"set\": {\"local-pref\": 90}}]},"
			   " \"b\": {\"rules\": [{\"match\": {\"prefix-set\": \"b\"}, \"action\": "
			   "\"accept\", \"set\": {\"local-pref\": 90}}]},"
			   " \"c\": {\"rules\": [{\"match\": {\"prefix-set\": \"b\"}, \"action\": "
			   "\"accept\", \"set\": {\"local-pref\": 91}}]}}";
	struct cfg *c = parse(match_sets, pols, NULL);
	assert_non_null(c);
	const struct policy *a = policy_find(c->pol, "a"), *b = policy_find(c->pol, "b"),
			    *d = policy_find(c->pol, "c");
	assert_true(policy_equal(a, b));
	assert_false(policy_equal(a, d));
	assert_true(policy_action_equal(&a->rules[0], &b->rules[0]));
	assert_false(policy_action_equal(&a->rules[0], &d->rules[0]));
	assert_false(policy_action_equal(&a->rules[0], NULL));
	/* a set's content counts, not its name */
	struct cfg *c2 = parse("{\"prefix\": {\"b\": [\"10.0.0.0/9\"]}}", pols, NULL);
	assert_non_null(c2);
	assert_false(policy_equal(a, policy_find(c2->pol, "a")));
	cfg_free(c2);
	cfg_free(c);
}

/* ---- config errors: JSON path and reason ---- */

static void
refused(const char *sets, const char *pols, const char *xp, const char *tail, const char *want)
{
	struct cfg *c = parse_full(sets, pols, xp, tail);
	if (c != NULL)
		fail_msg("accepted, expected: %s", want);
	if (strstr(cfg_err, want) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", cfg_err, want);
}

static void
test_errors(void **state)
{
	(void)state;
	refused("{\"prefix\": {\"s\": [{\"prefix\": \"10.0.0.0/16\", \"ge\": 8}]}}", NULL, NULL,
		NULL, "t.json: sets.prefix.s[0].ge: expected integer 16..32, got 8");
	refused("{\"prefix\": {\"s\": [{\"prefix\": \"10.0.0.0/16\", \"ge\": 20, \"le\": 18}]}}",
		NULL, NULL, NULL, "sets.prefix.s[0].le: expected integer 20..32");
	refused("{\"prefix\": {\"s\": [\"10.0.0.0/8\", \"2001:db8::/32\"]}}", NULL, NULL, NULL,
		"sets.prefix.s[1]: a prefix set holds one family");
	refused("{\"prefix\": {\"s\": [\"10.0.0.1/8\"]}}", NULL, NULL, NULL, "sets.prefix.s[0]:");
	refused("{\"community\": {\"c\": [\"65536:1\"]}}", NULL, NULL, NULL,
		"sets.community.c[0]: expected a community");
	refused("{\"as\": {\"a\": [0]}}", NULL, NULL, NULL, "sets.as.a[0]: expected AS number");
	refused(NULL,
		"{\"p\": {\"rules\": [{\"match\": {\"prefix-set\": \"nope\"}, \"action\": "
		"\"accept\"}]}}",
		NULL, NULL, "policies.p.rules[0].match.prefix-set: unknown prefix set \"nope\"");
	refused(NULL, "{\"p\": {\"rules\": [{}]}}", NULL, NULL, "policies.p.rules[0]: empty rule");
	refused(NULL, "{\"p\": {\"rules\": [{\"match\": {}}]}}", NULL, NULL,
		"policies.p.rules[0]: missing required key \"action\"");
	refused(NULL, "{\"p\": {\"rules\": [{\"action\": \"reject\", \"set\": {\"med\": 1}}]}}",
		NULL, NULL, "policies.p.rules[0].set: a rule that rejects sets nothing");
	refused(NULL, "{\"p\": {\"rules\": [{\"action\": \"accept\", \"matc\": {}}]}}", NULL, NULL,
		"policies.p.rules[0].matc: unknown key");
	refused(NULL, "{\"p\": {\"default\": \"drop\"}}", NULL, NULL,
		"policies.p.default: expected \"accept\" or \"reject\"");
	refused(NULL, NULL, "nope", NULL, "translation.policy: unknown policy \"nope\"");
	refused(NULL, "{\"a b\": {}}", NULL, NULL, "policies.a b: a name is 1 to 64 letters");
	refused("{\"as\": {\"x\\\"y\": [1]}}", NULL, NULL, NULL, "a name is 1 to 64 letters");
	/* a set used in the wrong family */
	refused(
	    "{\"prefix\": {\"v6\": [\"2001:db8::/32\"]}}",
	    "{\"p\": {\"rules\": [{\"match\": {\"prefix-set\": \"v6\"}, \"action\": "
	    "\"reject\"}]}}",
	    "p", NULL,
	    "translation.policy: policy \"p\" rule 0 matches IPv6 prefix set \"v6\" but is used "
	    "here on IPv4 routes");
	refused("{\"prefix\": {\"v4\": [\"10.0.0.0/8\"]}}",
		"{\"p\": {\"rules\": [{\"match\": {\"prefix-set\": \"v4\"}, \"action\": "
		"\"reject\"}]}}",
		NULL,
		"\"neighbors\": [{\"address\": \"192.0.2.2\", \"remote-as\": 64501, \"families\": "
		"{\"ipv6\": {\"import-policy\": \"p\"}}}]",
		"neighbors[0].families.ipv6.import-policy: policy \"p\" rule 0 matches IPv4 prefix "
		"set");
	refused(NULL,
		"{\"p\": {\"rules\": [{\"action\": \"accept\", \"set\": {\"next-hop\": "
		"\"192.0.2.5\"}}]}}",
		"p", NULL, "translation.policy: policy \"p\" rule 0 sets an IPv4 next hop");
	refused(NULL,
		"{\"p\": {\"rules\": [{\"action\": \"accept\", \"set\": {\"as-path-prepend\": "
		"2}}]}}",
		NULL,
		"\"neighbors\": [{\"address\": \"192.0.2.2\", \"remote-as\": 64501, \"families\": "
		"{\"ipv4\": {\"import-policy\": \"p\"}}}]",
		"neighbors[0].families.ipv4.import-policy: policy \"p\" rule 0 prepends");
	refused(NULL, NULL, NULL,
		"\"neighbors\": [{\"address\": \"192.0.2.2\", \"remote-as\": 64501, \"families\": "
		"{\"ipv4\": {\"export-policy\": \"x\"}}}]",
		"neighbors[0].families.ipv4.export-policy: unknown policy \"x\"");

	/* and the same policy accepted where it fits */
	struct cfg *c = parse_full(
	    "{\"prefix\": {\"v4\": [\"10.0.0.0/8\"]}}",
	    "{\"p\": {\"rules\": [{\"match\": {\"prefix-set\": \"v4\"}, \"action\": \"reject\"}],"
	    " \"default\": \"accept\"},"
	    " \"x\": {\"rules\": [{\"action\": \"accept\", \"set\": {\"next-hop\": \"2001:db8::1\","
	    " \"add-communities\": [\"64500:64\"], \"local-pref\": 90}}]}}",
	    "x",
	    "\"neighbors\": [{\"address\": \"192.0.2.2\", \"remote-as\": 64501, \"families\": "
	    "{\"ipv4\": {\"import-policy\": \"p\", \"export-policy\": \"p\"}}}]");
	if (c == NULL)
		fail_msg("%s", cfg_err);
	assert_ptr_equal(c->xlat_policy, policy_find(c->pol, "x"));
	assert_ptr_equal(c->neighbors[0].fam[0].import_policy, policy_find(c->pol, "p"));
	assert_ptr_equal(c->neighbors[0].fam[0].export_policy, policy_find(c->pol, "p"));
	assert_null(c->neighbors[0].fam[1].import_policy);
	cfg_free(c);
}

/* The shipped example parses and its translation policy does what its comment says. */
static void
test_example_config(void **state)
{
	(void)state;
	struct cfg *c = cfg_load("../../etc/bgp64d.json", cfg_err, sizeof cfg_err);
	if (c == NULL)
		fail_msg("%s", cfg_err);
	assert_non_null(c->xlat_policy);
	struct rspec rs = {0};
	struct attrs *a = mkattrs(&rs);
	bool acc;
	struct prefix p;
	struct policy_route rt = {.a = a, .p = &p};
	p = pfx("0.0.0.0/0");
	policy_eval(c->xlat_policy, &rt, &acc);
	assert_false(acc);
	p = pfx("10.1.0.0/16");
	policy_eval(c->xlat_policy, &rt, &acc);
	assert_false(acc);
	p = pfx("198.51.100.128/25");
	policy_eval(c->xlat_policy, &rt, &acc);
	assert_false(acc);
	p = pfx("198.51.100.0/24");
	int k = policy_eval(c->xlat_policy, &rt, &acc);
	assert_true(acc);
	assert_true(policy_has_actions(c->xlat_policy, k));
	attr_unref(a);
	cfg_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pset_random_v4), cmocka_unit_test(test_pset_random_v6),
	    cmocka_unit_test(test_pset_config),	   cmocka_unit_test(test_as_comm_sets),
	    cmocka_unit_test(test_matches),	   cmocka_unit_test(test_first_match_default),
	    cmocka_unit_test(test_actions),	   cmocka_unit_test(test_equality),
	    cmocka_unit_test(test_errors),	   cmocka_unit_test(test_example_config),
	    cmocka_unit_test(test_eval_mask),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
