/*
 * Attribute interning (identity, reference counts, freeing, table growth) and the AS path,
 * cluster list and community helpers of bgp/attr.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bgp/attr.h"

static void
assert_empty_tables(void)
{
	struct attr_stats s;
	attr_stats(&s);
	assert_int_equal(s.sets, 0);
	assert_int_equal(s.blobs, 0);
	assert_int_equal(s.bytes, 0);
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A 4-octet path of one segment. */
static size_t
seg(uint8_t *o, uint8_t type, const uint32_t *as, unsigned n)
{
	o[0] = type;
	o[1] = (uint8_t)n;
	for (unsigned i = 0; i < n; i++)
		put32(o + 2 + 4 * i, as[i]);
	return 2 + 4 * (size_t)n;
}

static void
base_template(struct attrs *t, uint8_t *mem, size_t memlen)
{
	static const uint32_t path[] = {64500, 64501};
	uint8_t p[16];
	size_t pl = seg(p, AS_SEQUENCE, path, 2);
	memset(t, 0, sizeof *t);
	t->origin = ORIGIN_IGP;
	t->nh_len = 4;
	t->nh[0] = 192, t->nh[1] = 0, t->nh[2] = 2, t->nh[3] = 1;
	t->flags = ATTRS_MED;
	t->med = 10;
	t->aspath = attr_blob_tmp(mem, memlen, ATTR_AS_PATH, p, pl);
	assert_non_null(t->aspath);
	assert_int_equal(t->aspath->refcnt, 0);
}

static void
test_intern_identity(void **state)
{
	(void)state;
	uint8_t m1[128], m2[128];
	struct attrs t1, t2;
	base_template(&t1, m1 + 1, sizeof m1 - 1); /* unaligned caller memory */
	base_template(&t2, m2, sizeof m2);
	struct attrs *a = attr_intern(&t1);
	struct attrs *b = attr_intern(&t2);
	assert_ptr_equal(a, b);
	assert_int_equal(a->refcnt, 2);
	assert_int_equal(a->aspath->refcnt, 1); /* the set holds one reference */
	assert_ptr_not_equal(a->aspath, t1.aspath);

	/* a template built from the interned set (interned blob) finds it too */
	struct attrs t3;
	attr_copy(&t3, a);
	assert_int_equal(t3.refcnt, 0);
	struct attrs *c = attr_intern(&t3);
	assert_ptr_equal(c, a);
	assert_int_equal(a->refcnt, 3);

	/* fields whose flag is clear do not count */
	t2.flags = 0;
	t2.med = 10;
	struct attrs *d = attr_intern(&t2);
	t2.med = 99;
	struct attrs *e = attr_intern(&t2);
	assert_ptr_equal(d, e);
	assert_ptr_not_equal(d, a);
	assert_ptr_equal(d->aspath, a->aspath); /* blobs shared between sets */
	assert_int_equal(a->aspath->refcnt, 2);

	/* any field makes a difference */
	attr_copy(&t3, a);
	t3.nh[3] = 2;
	struct attrs *f = attr_intern(&t3);
	assert_ptr_not_equal(f, a);

	struct attr_stats s;
	attr_stats(&s);
	assert_int_equal(s.sets, 3);
	assert_int_equal(s.blobs, 1);
	assert_true(s.bytes >= 3 * sizeof(struct attrs));

	attr_unref(a);
	attr_unref(b);
	attr_unref(c);
	attr_unref(d);
	attr_unref(e);
	attr_unref(f);
	assert_empty_tables();
}

static void
test_refcount_free(void **state)
{
	(void)state;
	uint8_t m[128];
	struct attrs t;
	base_template(&t, m, sizeof m);
	static const uint8_t comm[] = {0xff, 0xff, 0xff, 0x01, 0xfd, 0xe8, 0x00, 0x01};
	struct attr_blob *cb = attr_blob_intern(ATTR_COMMUNITIES, comm, sizeof comm);
	assert_int_equal(cb->refcnt, 1);
	assert_ptr_equal(attr_blob_intern(ATTR_COMMUNITIES, comm, sizeof comm), cb);
	assert_int_equal(cb->refcnt, 2);
	/* same bytes, other kind: another blob */
	struct attr_blob *eb = attr_blob_intern(ATTR_EXT_COMMUNITIES, comm, sizeof comm);
	assert_ptr_not_equal(eb, cb);
	attr_blob_unref(eb);
	attr_blob_unref(cb);
	t.comms = cb;
	struct attrs *a = attr_intern(&t);
	assert_int_equal(cb->refcnt, 2);
	attr_blob_unref(cb); /* the set keeps it alive */
	assert_int_equal(cb->refcnt, 1);
	assert_ptr_equal(attr_ref(a), a);
	assert_int_equal(a->refcnt, 2);
	attr_unref(a);
	struct attr_stats s;
	attr_stats(&s);
	assert_int_equal(s.sets, 1);
	assert_int_equal(s.blobs, 2);
	attr_unref(a);
	assert_empty_tables();
	/* unref of NULL and of a template are harmless */
	attr_unref(NULL);
	attr_blob_unref(NULL);
}

static void
test_private(void **state)
{
	(void)state;
	uint8_t m[128];
	struct attrs t;
	base_template(&t, m, sizeof m);
	static const uint8_t comm[] = {0xff, 0xff, 0xff, 0x01, 0xfd, 0xe8, 0x00, 0x01};
	uint8_t cm[64];
	t.comms = attr_blob_tmp(cm, sizeof cm, ATTR_COMMUNITIES, comm, sizeof comm);
	struct attrs *a = attr_intern(&t);
	struct attrs *p = attr_private(&t), *q = attr_private(&t);
	/* the same content, three sets: private ones are never shared or found */
	assert_ptr_not_equal(p, a);
	assert_ptr_not_equal(q, p);
	assert_ptr_equal(p->aspath, a->aspath); /* but their blobs are the interned ones */
	assert_ptr_equal(p->comms, a->comms);
	assert_int_equal(a->comms->refcnt, 3);
	assert_int_equal(p->wkc, a->wkc);
	assert_true(p->wkc != 0); /* NO_EXPORT */
	struct attr_stats s;
	attr_stats(&s);
	assert_int_equal(s.sets, 1);
	struct attrs *b = attr_intern(&t);
	assert_ptr_equal(b, a);
	attr_unref(b);
	attr_unref(a); /* the interned set goes, the private ones stay */
	attr_stats(&s);
	assert_int_equal(s.sets, 0);
	assert_int_equal(p->comms->refcnt, 2);
	assert_ptr_equal(attr_ref(p), p);
	attr_unref(p);
	attr_unref(p);
	attr_unref(q);
	assert_empty_tables();
}

static void
test_table_growth(void **state)
{
	(void)state;
	enum { N = 20000 };
	static struct attrs *sets[N];
	uint8_t m[128];
	for (unsigned i = 0; i < N; i++) {
		struct attrs t;
		uint32_t path[2] = {64500, 100000 + i / 2};
		uint8_t p[16];
		size_t pl = seg(p, AS_SEQUENCE, path, 2);
		memset(&t, 0, sizeof t);
		t.flags = ATTRS_LOCAL_PREF;
		t.local_pref = i % 2; /* two sets per path blob */
		t.aspath = attr_blob_tmp(m, sizeof m, ATTR_AS_PATH, p, pl);
		sets[i] = attr_intern(&t);
	}
	struct attr_stats s;
	attr_stats(&s);
	assert_int_equal(s.sets, N);
	assert_int_equal(s.blobs, N / 2);
	for (unsigned i = 0; i < N; i++) {
		struct attrs t;
		attr_copy(&t, sets[i]);
		struct attrs *again = attr_intern(&t);
		assert_ptr_equal(again, sets[i]);
		attr_unref(again);
		assert_int_equal(attr_aspath_first(sets[i]), 64500);
		assert_true(attr_aspath_contains(sets[i], 100000 + i / 2));
	}
	for (unsigned i = 0; i < N; i++)
		attr_unref(sets[i]);
	assert_empty_tables();
}

static void
test_blob_tmp_bounds(void **state)
{
	(void)state;
	uint8_t m[64];
	static const uint8_t d[40] = {1};
	assert_null(attr_blob_tmp(m, sizeof(struct attr_blob) - 1, ATTR_COMMUNITIES, d, 0));
	assert_null(attr_blob_tmp(m, 40, ATTR_COMMUNITIES, d, 40));
	struct attr_blob *b = attr_blob_tmp(m + 3, sizeof m - 3, ATTR_COMMUNITIES, d, 8);
	assert_non_null(b);
	assert_int_equal((uintptr_t)b % _Alignof(struct attr_blob), 0);
	assert_int_equal(b->len, 8);
	assert_int_equal(b->data[0], 1);
	/* ATTR_BLOB_TMP_SIZE is enough at any alignment */
	uint8_t big[ATTR_BLOB_TMP_SIZE(8) + 8];
	for (unsigned off = 0; off < 8; off++)
		assert_non_null(
		    attr_blob_tmp(big + off, ATTR_BLOB_TMP_SIZE(8), ATTR_COMMUNITIES, d, 8));
}

static void
test_aspath_helpers(void **state)
{
	(void)state;
	static const uint32_t s1[] = {65001, 65002, 65003};
	static const uint32_t s2[] = {65010, 65011};
	static const uint32_t c1[] = {64512, 64513};
	uint8_t p[64];
	size_t n = 0;
	n += seg(p + n, AS_CONFED_SEQUENCE, c1, 2);
	n += seg(p + n, AS_SEQUENCE, s1, 3);
	n += seg(p + n, AS_SET, s2, 2);
	struct attrs t;
	memset(&t, 0, sizeof t);
	t.aspath = attr_blob_intern(ATTR_AS_PATH, p, n);
	assert_int_equal(attr_aspath_len(&t), 4); /* 3 + 1 for the set, confed 0 */
	assert_int_equal(attr_aspath_first(&t), 65001);
	assert_true(attr_aspath_contains(&t, 65011));
	assert_true(attr_aspath_contains(&t, 64513));
	assert_false(attr_aspath_contains(&t, 65004));
	attr_blob_unref(t.aspath);

	struct attrs empty;
	memset(&empty, 0, sizeof empty);
	assert_int_equal(attr_aspath_len(&empty), 0);
	assert_int_equal(attr_aspath_first(&empty), 0);
	assert_false(attr_aspath_contains(&empty, 0));
	assert_empty_tables();
}

static void
test_aspath_prepend(void **state)
{
	(void)state;
	/* empty path -> one AS_SEQUENCE of one */
	struct attr_blob *b = attr_aspath_prepend(NULL, 64500);
	assert_int_equal(b->len, 6);
	assert_int_equal(b->data[0], AS_SEQUENCE);
	assert_int_equal(b->data[1], 1);
	assert_int_equal(get32(b->data + 2), 64500);
	/* into the leading sequence */
	struct attr_blob *c = attr_aspath_prepend(b, 4200000000u);
	assert_int_equal(c->len, 10);
	assert_int_equal(c->data[1], 2);
	assert_int_equal(get32(c->data + 2), 4200000000u);
	assert_int_equal(get32(c->data + 6), 64500);
	/* same result interns to the same blob */
	struct attr_blob *c2 = attr_aspath_prepend(b, 4200000000u);
	assert_ptr_equal(c, c2);
	attr_blob_unref(c2);

	/* a full leading sequence (255 ASes) -> new segment in front */
	uint32_t full[255];
	for (unsigned i = 0; i < 255; i++)
		full[i] = 65000 + i;
	uint8_t p[2 + 4 * 255];
	size_t n = seg(p, AS_SEQUENCE, full, 255);
	struct attr_blob *f = attr_blob_intern(ATTR_AS_PATH, p, n);
	struct attr_blob *g = attr_aspath_prepend(f, 64999);
	assert_int_equal(g->len, n + 6);
	assert_int_equal(g->data[0], AS_SEQUENCE);
	assert_int_equal(g->data[1], 1);
	assert_int_equal(get32(g->data + 2), 64999);
	assert_int_equal(g->data[6], AS_SEQUENCE);
	assert_int_equal(g->data[7], 255);
	struct attrs t;
	memset(&t, 0, sizeof t);
	t.aspath = g;
	assert_int_equal(attr_aspath_len(&t), 256);
	assert_int_equal(attr_aspath_first(&t), 64999);

	/* 254 ASes: still room for one more */
	p[1] = 254;
	struct attr_blob *h = attr_blob_intern(ATTR_AS_PATH, p, n - 4);
	struct attr_blob *i2 = attr_aspath_prepend(h, 1);
	assert_int_equal(i2->len, n);
	assert_int_equal(i2->data[1], 255);

	/* leading AS_SET -> new segment */
	static const uint32_t set[] = {7, 8};
	n = seg(p, AS_SET, set, 2);
	struct attr_blob *s = attr_blob_intern(ATTR_AS_PATH, p, n);
	struct attr_blob *s2 = attr_aspath_prepend(s, 9);
	assert_int_equal(s2->len, n + 6);
	assert_int_equal(s2->data[0], AS_SEQUENCE);
	assert_int_equal(s2->data[6], AS_SET);

	attr_blob_unref(b);
	attr_blob_unref(c);
	attr_blob_unref(f);
	attr_blob_unref(g);
	attr_blob_unref(h);
	attr_blob_unref(i2);
	attr_blob_unref(s);
	attr_blob_unref(s2);
	assert_empty_tables();
}

static void
test_clusters_communities(void **state)
{
	(void)state;
	struct attrs t;
	memset(&t, 0, sizeof t);
	assert_int_equal(attr_cluster_len(&t), 0);
	assert_false(attr_clusters_contain(&t, 1));
	struct attr_blob *c1 = attr_clusters_prepend(NULL, 0x0a000001);
	struct attr_blob *c2 = attr_clusters_prepend(c1, 0x0a000002);
	t.clusters = c2;
	assert_int_equal(attr_cluster_len(&t), 2);
	assert_true(attr_clusters_contain(&t, 0x0a000001));
	assert_true(attr_clusters_contain(&t, 0x0a000002));
	assert_false(attr_clusters_contain(&t, 0x0a000003));
	assert_int_equal(get32(c2->data), 0x0a000002);

	static const uint8_t comm[] = {0xff, 0xff, 0xff, 0x01, 0xfd, 0xe8, 0x00, 0x64};
	t.comms = attr_blob_intern(ATTR_COMMUNITIES, comm, sizeof comm);
	assert_true(attr_has_community(&t, 0xffffff01));
	assert_true(attr_has_community(&t, 0xfde80064));
	assert_false(attr_has_community(&t, 0xffffff02));
	attr_blob_unref(t.comms);
	attr_blob_unref(c1);
	attr_blob_unref(c2);
	assert_empty_tables();
}

static bool
refuse(size_t cost, void *arg)
{
	*(size_t *)arg = cost;
	return false;
}

/* What a new set costs is known before interning it, charged to its creator while it lives,
 * and never to the creator of an equal set interned later. */
static void
test_owner_cost(void **state)
{
	(void)state;
	uint8_t mem[8192], big[4000];
	struct attrs t;
	base_template(&t, mem, sizeof mem);
	memset(big, 0x5a, sizeof big);
	t.unknown = attr_blob_tmp(mem + 4096, 4096, ATTR_BLOB_UNKNOWN, big, sizeof big);
	assert_non_null(t.unknown);

	size_t cost = attr_intern_cost(&t);
	assert_true(cost >= sizeof(struct attrs) + sizeof big);
	assert_int_equal(attr_owner_bytes(7), 0);
	struct attrs *a = attr_intern_owned(&t, 7);
	size_t held = attr_owner_bytes(7);
	assert_true(held >= cost && held < cost + ATTR_COST_UNIT);
	struct attr_stats st;
	attr_stats(&st);
	assert_true(st.bytes <= held);
	/* interned now: free to intern again, by anyone */
	assert_int_equal(attr_intern_cost(&t), 0);
	struct attrs *b = attr_intern_owned(&t, 9);
	assert_ptr_equal(a, b);
	assert_int_equal(attr_owner_bytes(9), 0);
	assert_int_equal(attr_owner_bytes(7), held);
	attr_unref(b);
	assert_int_equal(attr_owner_bytes(7), held);
	attr_unref(a);
	assert_int_equal(attr_owner_bytes(7), 0);
	assert_empty_tables();

	/* refused by the callback: nothing interned, nothing charged; the cost is the same */
	size_t seen = 0;
	assert_null(attr_intern_if(&t, 7, refuse, &seen));
	assert_int_equal(seen, cost);
	assert_empty_tables();
	assert_int_equal(attr_owner_bytes(7), 0);

	/* a set whose blobs are interned already costs the set alone */
	struct attrs *c = attr_intern(&t);
	t.med = 5;
	t.flags |= ATTRS_MED;
	assert_int_equal(attr_intern_cost(&t), sizeof(struct attrs));
	attr_unref(c);
	assert_empty_tables();
}

static void
test_limit_counts(void **state)
{
	(void)state;
	static const uint32_t as[] = {1, 2, 3, 4, 5};
	uint8_t p[64], mem[256], cm[24];
	size_t n = seg(p, AS_SEQUENCE, as, 3);
	n += seg(p + n, AS_SET, as, 5);
	struct attr_blob *b = attr_blob_intern(ATTR_AS_PATH, p, n);
	assert_int_equal(attr_aspath_count(b), 8);
	assert_int_equal(attr_aspath_count(NULL), 0);
	attr_blob_unref(b);
	struct attrs t;
	memset(&t, 0, sizeof t);
	memset(cm, 1, sizeof cm);
	t.comms = attr_blob_tmp(mem, 64, ATTR_COMMUNITIES, cm, 12);		/* 3 */
	t.lcomms = attr_blob_tmp(mem + 64, 64, ATTR_LARGE_COMMUNITIES, cm, 24); /* 2 */
	t.ecomms = attr_blob_tmp(mem + 128, 64, ATTR_EXT_COMMUNITIES, cm, 16);	/* 2 */
	assert_int_equal(attr_community_count(&t), 7);
	assert_empty_tables();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_intern_identity),	 cmocka_unit_test(test_refcount_free),
	    cmocka_unit_test(test_table_growth),	 cmocka_unit_test(test_blob_tmp_bounds),
	    cmocka_unit_test(test_aspath_helpers),	 cmocka_unit_test(test_aspath_prepend),
	    cmocka_unit_test(test_clusters_communities), cmocka_unit_test(test_owner_cost),
	    cmocka_unit_test(test_limit_counts),	 cmocka_unit_test(test_private),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
