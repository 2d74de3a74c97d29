/*
 * RIB: path storage, the decision process (RFC 4271 9.1.2.2 + RFC 4456), dirty marks for
 * exports, and the sliced peer-wide jobs (flush, stale, sweep).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rde/rib.h"

static struct rib_local local = {0x0a000001, 64500, 0x0a000001};

/* An attribute set: AS_PATH of n ASes (first = 'first'), origin, optional MED/LP. */
static struct attrs *
mk(uint32_t first, unsigned n, uint8_t origin, int med, int lp, uint32_t originator)
{
	uint8_t path[2 + 4 * 16];
	struct attrs t;
	memset(&t, 0, sizeof t);
	t.origin = origin;
	t.nh_len = 4;
	t.nh[0] = 198, t.nh[1] = 51, t.nh[2] = 100, t.nh[3] = 1;
	if (n > 0) {
		path[0] = 2; /* AS_SEQUENCE */
		path[1] = (uint8_t)n;
		for (unsigned i = 0; i < n; i++) {
			uint32_t as = i == 0 ? first : 65000 + i;
			path[2 + 4 * i] = (uint8_t)(as >> 24);
			path[3 + 4 * i] = (uint8_t)(as >> 16);
			path[4 + 4 * i] = (uint8_t)(as >> 8);
			path[5 + 4 * i] = (uint8_t)as;
		}
		t.aspath = attr_blob_intern(ATTR_AS_PATH, path, 2 + 4 * n);
	}
	if (med >= 0) {
		t.flags |= ATTRS_MED;
		t.med = (uint32_t)med;
	}
	if (lp >= 0) {
		t.flags |= ATTRS_LOCAL_PREF;
		t.local_pref = (uint32_t)lp;
	}
	if (originator != 0) {
		t.flags |= ATTRS_ORIGINATOR;
		t.originator_id = originator;
	}
	struct attrs *a = attr_intern(&t);
	if (t.aspath != NULL)
		attr_blob_unref(t.aspath);
	return a;
}

static struct prefix
pfx(const char *s)
{
	struct prefix p;
	assert_int_equal(prefix_parse(s, &p, false, false), 0);
	return p;
}

static void
peer(struct rib *r, uint16_t id, bool ibgp, uint32_t bgp_id, uint32_t as, uint8_t last)
{
	struct rib_peer pe = {0};
	pe.ibgp = ibgp;
	pe.bgp_id = bgp_id;
	pe.as = as;
	pe.af = AF_INET;
	pe.addr[0] = 192, pe.addr[1] = 0, pe.addr[2] = 2, pe.addr[3] = last;
	rib_peer_set(r, id, &pe);
}

static uint16_t
best_peer(struct rib *r, const char *s)
{
	struct prefix p = pfx(s);
	struct radix_node *n = radix_find(rib_tree(r, BGP_FAM_V4), p.a, p.len);
	assert_non_null(n);
	assert_non_null(rib_best(n));
	return rib_best(n)->peer;
}

/* Reads everything a reader has now (a round: maintain, then read); returns the count. */
static size_t
drain(struct rib *r, struct rib_reader *rd, enum bgp_fam f)
{
	size_t cnt = 0, budget = SIZE_MAX;
	rib_maintain(r, 0);
	while (rib_reader_next(r, rd, f, &budget) != NULL)
		cnt++;
	return cnt;
}

static void
test_single_path_and_marks(void **state)
{
	(void)state;
	struct rib *r = rib_new(&local);
	peer(r, 1, true, 1, 64500, 1);
	struct rib_reader *rd = rib_reader_new(r, BGP_FAM_BIT(BGP_FAM_V4));
	assert_int_equal(drain(r, rd, BGP_FAM_V4), 0); /* empty table: walk over */
	assert_false(rib_reader_walking(rd, BGP_FAM_V4));
	struct prefix p = pfx("198.51.100.0/24");
	assert_true(rib_update(r, BGP_FAM_V4, &p, 1, mk(64501, 2, 0, -1, 100, 0)));
	/* the same attributes again: no change */
	assert_false(rib_update(r, BGP_FAM_V4, &p, 1, mk(64501, 2, 0, -1, 100, 0)));
	assert_true(rib_reader_pending(r, rd));
	rib_maintain(r, 0);
	size_t budget = 100;
	struct radix_node *n = rib_reader_next(r, rd, BGP_FAM_V4, &budget);
	assert_non_null(n);
	assert_int_equal(rib_best(n)->peer, 1);
	assert_null(rib_reader_next(r, rd, BGP_FAM_V4, &budget));
	assert_false(rib_reader_pending(r, rd));
	/* withdraw: read again, the node survives until the reader has seen it */
	assert_true(rib_withdraw(r, BGP_FAM_V4, &p, 1));
	assert_false(rib_withdraw(r, BGP_FAM_V4, &p, 1));
	rib_maintain(r, 100);
	assert_int_equal(radix_count(rib_tree(r, BGP_FAM_V4)), 1);
	n = rib_reader_next(r, rd, BGP_FAM_V4, &budget);
	assert_non_null(n);
	assert_null(rib_best(n));
	rib_maintain(r, 100); /* the epoch it was read in closes */
	rib_maintain(r, 100);
	assert_int_equal(radix_count(rib_tree(r, BGP_FAM_V4)), 0);
	assert_int_equal(rib_peer_get(r, 1)->paths[BGP_FAM_V4], 0);
	rib_reader_free(r, rd);
	rib_free(r);
}

/* The "translation announced" bit of a node survives its changes (the journal rewrites the
 * other user bits) and a new node starts without it. */
static void
test_xlat_bit(void **state)
{
	(void)state;
	struct rib *r = rib_new(&local);
	peer(r, 1, true, 1, 64500, 1);
	struct rib_reader *rd = rib_reader_new(r, BGP_FAM_BIT(BGP_FAM_V4));
	drain(r, rd, BGP_FAM_V4);
	struct prefix p = pfx("198.51.100.0/24");
	assert_true(rib_update(r, BGP_FAM_V4, &p, 1, mk(64501, 2, 0, -1, 100, 0)));
	struct radix_node *n = radix_find(rib_tree(r, BGP_FAM_V4), p.a, p.len);
	assert_non_null(n);
	assert_false(rib_node_xlat(n));
	rib_node_set_xlat(n);
	assert_true(rib_update(r, BGP_FAM_V4, &p, 1, mk(64501, 3, 0, -1, 100, 0)));
	rib_maintain(r, 0);
	assert_true(rib_update(r, BGP_FAM_V4, &p, 1, mk(64501, 4, 0, -1, 100, 0)));
	assert_true(rib_node_xlat(n));
	assert_true(rib_reader_pending(r, rd)); /* the change is still journaled */
	drain(r, rd, BGP_FAM_V4);
	struct prefix q = pfx("198.51.101.0/24");
	assert_true(rib_update(r, BGP_FAM_V4, &q, 1, mk(64501, 2, 0, -1, 100, 0)));
	assert_false(rib_node_xlat(radix_find(rib_tree(r, BGP_FAM_V4), q.a, q.len)));
	rib_reader_free(r, rd);
	rib_free(r);
}

static struct prefix
nth24(unsigned i, uint8_t first)
{
	struct prefix p = {.af = AF_INET, .len = 24};
	p.a[0] = first, p.a[1] = (uint8_t)(i >> 8), p.a[2] = (uint8_t)i;
	return p;
}

/*
 * Any number of readers: 200 of them, created before, during and after a table arrives,
 * each reads every prefix exactly as many times as needed (the walk and the journal together
 * export every prefix, and a change once per round).
 */
static void
test_many_readers(void **state)
{
	(void)state;
	struct rib *r = rib_new(&local);
	peer(r, 1, true, 1, 64500, 1);
	enum { NR = 200, NP = 3000 };
	struct rib_reader *rd[NR];
	/* per reader: which prefixes it saw with a path at its last read */
	static uint8_t seen[NR][NP];
	memset(seen, 0, sizeof seen);
	struct attrs *a = mk(64501, 2, 0, -1, 100, 0), *b = mk(64502, 2, 0, -1, 100, 0);
	size_t nr = 0;
	for (unsigned i = 0; i < NP; i++) {
		if (i % 15 == 0 && nr < NR)
			rd[nr++] = rib_reader_new(r, BGP_FAM_BIT(BGP_FAM_V4));
		struct prefix p = nth24(i, 20);
		rib_update(r, BGP_FAM_V4, &p, 1, attr_ref(i % 3 ? a : b));
		if (i % 7 == 0) { /* a round: some readers read part of what they have */
			rib_maintain(r, 1000);
			for (size_t k = 0; k < nr; k += 3) {
				size_t budget = 50;
				struct radix_node *n;
				while ((n = rib_reader_next(r, rd[k], BGP_FAM_V4, &budget)) != NULL)
					seen[k][radix_key(n)[1] << 8 | radix_key(n)[2]] =
					    rib_best(n) != NULL;
			}
		}
	}
	while (nr < NR)
		rd[nr++] = rib_reader_new(r, BGP_FAM_BIT(BGP_FAM_V4));
	/* withdraw a third; readers catch up */
	for (unsigned i = 0; i < NP; i += 3) {
		struct prefix p = nth24(i, 20);
		rib_withdraw(r, BGP_FAM_V4, &p, 1);
	}
	rib_maintain(r, 100000);
	for (size_t k = 0; k < NR; k++) {
		size_t budget = SIZE_MAX;
		struct radix_node *n;
		while ((n = rib_reader_next(r, rd[k], BGP_FAM_V4, &budget)) != NULL)
			seen[k][radix_key(n)[1] << 8 | radix_key(n)[2]] = rib_best(n) != NULL;
		assert_false(rib_reader_walking(rd[k], BGP_FAM_V4));
		for (unsigned i = 0; i < NP; i++)
			assert_int_equal(seen[k][i], i % 3 != 0);
	}
	/* every reader has seen the withdrawals: the nodes go */
	rib_maintain(r, 100000);
	rib_maintain(r, 100000);
	assert_int_equal(radix_count(rib_tree(r, BGP_FAM_V4)), NP - (NP + 2) / 3);
	for (size_t k = 0; k < NR; k++)
		rib_reader_free(r, rd[k]);
	attr_unref(a);
	attr_unref(b);
	rib_free(r);
}

/*
 * A reader that stops reading does not hold memory: past the journal bound it is detached,
 * the journal is trimmed, and it catches up later by a walk over what changed - withdrawals
 * of prefixes it had included, which are kept for it until then.
 */
static void
test_stuck_reader_detached(void **state)
{
	(void)state;
	struct rib *r = rib_new(&local);
	peer(r, 1, true, 1, 64500, 1);
	struct rib_reader *fast = rib_reader_new(r, BGP_FAM_BIT(BGP_FAM_V4));
	struct rib_reader *slow = rib_reader_new(r, BGP_FAM_BIT(BGP_FAM_V4));
	struct attrs *a = mk(64501, 2, 0, -1, 100, 0), *b = mk(64502, 3, 0, -1, 100, 0);
	enum { NP = 60000 };
	for (unsigned i = 0; i < NP; i++) {
		struct prefix p = nth24(i, 20 + (uint8_t)(i >> 16));
		rib_update(r, BGP_FAM_V4, &p, 1, attr_ref(a));
	}
	assert_int_equal(drain(r, fast, BGP_FAM_V4), NP);
	assert_int_equal(drain(r, slow, BGP_FAM_V4), NP);
	/* slow stops; 6 rounds of changes to every prefix (past the journal bound), and half
	 * withdrawn in the last */
	for (int round = 0; round < 6; round++) {
		for (unsigned i = 0; i < NP; i++) {
			struct prefix p = nth24(i, 20 + (uint8_t)(i >> 16));
			if (round == 5 && i % 2)
				rib_withdraw(r, BGP_FAM_V4, &p, 1);
			else
				rib_update(r, BGP_FAM_V4, &p, 1, attr_ref(round % 2 ? a : b));
		}
		assert_int_equal(drain(r, fast, BGP_FAM_V4), NP);
	}
	rib_maintain(r, 0);
	struct rib_export_stats st;
	rib_export_stats(r, &st);
	assert_true(rib_reader_walking(slow, BGP_FAM_V4)); /* catching up by a walk */
	assert_true(st.journal[BGP_FAM_V4] < 70000);	   /* not 6 x 60000 */
	/* the withdrawn nodes wait for the slow reader */
	rib_maintain(r, 1000000);
	assert_int_equal(radix_count(rib_tree(r, BGP_FAM_V4)), NP);
	size_t got = 0, wd = 0, budget = SIZE_MAX;
	struct radix_node *n;
	while ((n = rib_reader_next(r, slow, BGP_FAM_V4, &budget)) != NULL) {
		got++;
		if (rib_best(n) == NULL)
			wd++;
	}
	assert_int_equal(got, NP);
	assert_int_equal(wd, NP / 2);
	rib_maintain(r, 1000000);
	rib_maintain(r, 1000000);
	assert_int_equal(radix_count(rib_tree(r, BGP_FAM_V4)), NP / 2);
	rib_reader_free(r, fast);
	rib_reader_free(r, slow);
	attr_unref(a);
	attr_unref(b);
	rib_free(r);
}

/* A reader cloned mid-walk (update group split) goes on exactly where the original was. */
static void
test_reader_clone_and_refeed(void **state)
{
	(void)state;
	struct rib *r = rib_new(&local);
	peer(r, 1, true, 1, 64500, 1);
	struct attrs *a = mk(64501, 2, 0, -1, 100, 0);
	for (unsigned i = 0; i < 1000; i++) {
		struct prefix p = nth24(i, 20);
		rib_update(r, BGP_FAM_V4, &p, 1, attr_ref(a));
	}
	struct rib_reader *x = rib_reader_new(r, BGP_FAM_BIT(BGP_FAM_V4));
	rib_maintain(r, 0);
	size_t budget = 400;
	while (rib_reader_next(r, x, BGP_FAM_V4, &budget) != NULL)
		;
	struct rib_reader *y = rib_reader_clone(r, x);
	assert_int_equal(drain(r, x, BGP_FAM_V4), 600);
	assert_int_equal(drain(r, y, BGP_FAM_V4), 600);
	assert_true(rib_reader_same(r, x, y));
	rib_reader_refeed(r, y, BGP_FAM_BIT(BGP_FAM_V4));
	assert_false(rib_reader_same(r, x, y));
	assert_int_equal(drain(r, y, BGP_FAM_V4), 1000);
	assert_true(rib_reader_same(r, x, y));
	rib_reader_free(r, x);
	rib_reader_free(r, y);
	attr_unref(a);
	rib_free(r);
}

static void
test_decision_steps(void **state)
{
	(void)state;
	struct rib *r = rib_new(&local);
	peer(r, 1, true, 9, 64500, 10);
	peer(r, 2, true, 8, 64500, 11);
	peer(r, 3, false, 7, 64999, 12);
	struct prefix p = pfx("203.0.113.0/24");
	/* 1. local pref wins over a shorter path */
	rib_update(r, BGP_FAM_V4, &p, 1, mk(64501, 5, 0, -1, 200, 0));
	rib_update(r, BGP_FAM_V4, &p, 2, mk(64501, 1, 0, -1, 100, 0));
	assert_int_equal(best_peer(r, "203.0.113.0/24"), 1);
	/* 2. equal LP: shorter AS path */
	rib_update(r, BGP_FAM_V4, &p, 1, mk(64501, 5, 0, -1, 100, 0));
	assert_int_equal(best_peer(r, "203.0.113.0/24"), 2);
	/* 3. equal length: lower origin */
	rib_update(r, BGP_FAM_V4, &p, 1, mk(64501, 1, 0, -1, 100, 0));
	rib_update(r, BGP_FAM_V4, &p, 2, mk(64501, 1, 2, -1, 100, 0));
	assert_int_equal(best_peer(r, "203.0.113.0/24"), 1);
	/* 4. MED compared for the same neighbour AS */
	rib_update(r, BGP_FAM_V4, &p, 1, mk(64501, 1, 0, 50, 100, 0));
	rib_update(r, BGP_FAM_V4, &p, 2, mk(64501, 1, 0, 10, 100, 0));
	assert_int_equal(best_peer(r, "203.0.113.0/24"), 2);
	/* ... but not across neighbour ASes: falls to the BGP identifier (peer 2 id 8 < 9) */
	rib_update(r, BGP_FAM_V4, &p, 1, mk(64501, 1, 0, 10, 100, 0));
	rib_update(r, BGP_FAM_V4, &p, 2, mk(64502, 1, 0, 50, 100, 0));
	assert_int_equal(best_peer(r, "203.0.113.0/24"), 2);
	/* 7. ORIGINATOR_ID replaces the peer's identifier */
	rib_update(r, BGP_FAM_V4, &p, 2, mk(64502, 1, 0, 50, 100, 20));
	assert_int_equal(best_peer(r, "203.0.113.0/24"), 1);
	/* 5. eBGP over iBGP (eBGP LOCAL_PREF is not accepted: default 100 for it) */
	rib_update(r, BGP_FAM_V4, &p, 3, mk(64999, 1, 0, -1, 500, 0));
	assert_int_equal(best_peer(r, "203.0.113.0/24"), 3);
	/* withdrawing the best falls back */
	rib_withdraw(r, BGP_FAM_V4, &p, 3);
	assert_int_equal(best_peer(r, "203.0.113.0/24"), 1);
	rib_free(r);
}

static void
test_deterministic_med(void **state)
{
	(void)state;
	/* Three paths where pairwise order is not transitive: A(AS1,MED 20,id 1),
	 * B(AS2, id 2), C(AS1, MED 10, id 3). Group AS1: C beats A by MED; then C vs B by id:
	 * B wins. Whatever the arrival order, the result must be B. */
	for (int order = 0; order < 6; order++) {
		static const int perms[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
						{1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
		struct rib *r = rib_new(&local);
		peer(r, 1, true, 1, 64500, 1);
		peer(r, 2, true, 2, 64500, 2);
		peer(r, 3, true, 3, 64500, 3);
		struct prefix p = pfx("192.0.2.0/24");
		for (int k = 0; k < 3; k++) {
			int which = perms[order][k];
			if (which == 0)
				rib_update(r, BGP_FAM_V4, &p, 1, mk(65001, 1, 0, 20, 100, 0));
			else if (which == 1)
				rib_update(r, BGP_FAM_V4, &p, 2, mk(65002, 1, 0, 30, 100, 0));
			else
				rib_update(r, BGP_FAM_V4, &p, 3, mk(65001, 1, 0, 10, 100, 0));
		}
		assert_int_equal(best_peer(r, "192.0.2.0/24"), 2);
		rib_free(r);
	}
}

static void
test_flush_in_slices(void **state)
{
	(void)state;
	struct rib *r = rib_new(&local);
	peer(r, 1, true, 1, 64500, 1);
	peer(r, 2, true, 2, 64500, 2);
	struct rib_reader *rd = rib_reader_new(r, BGP_FAM_BIT(BGP_FAM_V4));
	struct attrs *a = mk(64501, 3, 0, -1, 100, 0);
	for (unsigned i = 0; i < 20000; i++) {
		struct prefix p = {.af = AF_INET, .len = 24};
		p.a[0] = 20, p.a[1] = (uint8_t)(i >> 8), p.a[2] = (uint8_t)i;
		rib_update(r, BGP_FAM_V4, &p, 1, attr_ref(a));
		if (i % 2 == 0)
			rib_update(r, BGP_FAM_V4, &p, 2, attr_ref(a));
	}
	attr_unref(a);
	drain(r, rd, BGP_FAM_V4);
	rib_peer_flush(r, 1, BGP_FAM_BIT(BGP_FAM_V4));
	int slices = 0;
	while (rib_jobs_run(r, 1000))
		slices++;
	assert_true(slices >= 19); /* bounded: 20000 nodes at 1000 a slice */
	assert_int_equal(rib_peer_get(r, 1)->paths[BGP_FAM_V4], 0);
	assert_int_equal(rib_peer_get(r, 2)->paths[BGP_FAM_V4], 10000);
	/* every prefix changed best (peer 1 won the tie on identifier): all read again */
	assert_int_equal(drain(r, rd, BGP_FAM_V4), 20000);
	rib_reader_free(r, rd);
	rib_maintain(r, 100000);
	assert_int_equal(radix_count(rib_tree(r, BGP_FAM_V4)), 10000);
	rib_free(r);
}

/*
 * Issue 7: a session drops (flush queued), one slice of the flush runs, the session comes back
 * and re-sends its 100k routes before the flush is over: all 100k stay.
 */
static void
test_flap_during_flush(void **state)
{
	(void)state;
	struct rib *r = rib_new(&local);
	peer(r, 1, true, 1, 64500, 1);
	struct attrs *a = mk(64501, 3, 0, -1, 100, 0);
	enum { NP = 100000 };
	for (unsigned i = 0; i < NP; i++) {
		struct prefix p = nth24(i, 20 + (uint8_t)(i >> 16));
		rib_update(r, BGP_FAM_V4, &p, 1, attr_ref(a));
	}
	rib_peer_flush(r, 1, BGP_FAM_BIT(BGP_FAM_V4));
	assert_true(rib_jobs_run(r, 20000)); /* one slice */
	for (unsigned i = 0; i < NP; i++) {
		struct prefix p = nth24(i, 20 + (uint8_t)(i >> 16));
		rib_update(r, BGP_FAM_V4, &p, 1, attr_ref(a));
	}
	while (rib_jobs_run(r, 20000))
		;
	assert_int_equal(rib_peer_get(r, 1)->paths[BGP_FAM_V4], NP);
	rib_maintain(r, SIZE_MAX);
	assert_int_equal(radix_count(rib_tree(r, BGP_FAM_V4)), NP);
	/* and a second flap: the flush of the second session removes everything again */
	rib_peer_flush(r, 1, BGP_FAM_BIT(BGP_FAM_V4));
	while (rib_jobs_run(r, 20000))
		;
	assert_int_equal(rib_peer_get(r, 1)->paths[BGP_FAM_V4], 0);
	rib_maintain(r, SIZE_MAX);
	assert_int_equal(radix_count(rib_tree(r, BGP_FAM_V4)), 0);
	attr_unref(a);
	rib_free(r);
}

static void
test_stale_and_sweep(void **state)
{
	(void)state;
	struct rib *r = rib_new(&local);
	peer(r, 1, true, 1, 64500, 1);
	struct attrs *a = mk(64501, 1, 0, -1, 100, 0);
	struct prefix p1 = pfx("198.51.100.0/24"), p2 = pfx("203.0.113.0/24");
	rib_update(r, BGP_FAM_V4, &p1, 1, attr_ref(a));
	rib_update(r, BGP_FAM_V4, &p2, 1, attr_ref(a));
	rib_peer_mark_stale(r, 1, BGP_FAM_BIT(BGP_FAM_V4));
	while (rib_jobs_run(r, 1))
		;
	assert_int_equal(rib_peer_get(r, 1)->stale[BGP_FAM_V4], 2);
	/* the peer re-sends p1: it is fresh again */
	rib_update(r, BGP_FAM_V4, &p1, 1, attr_ref(a));
	assert_int_equal(rib_peer_get(r, 1)->stale[BGP_FAM_V4], 1);
	rib_peer_sweep_stale(r, 1, BGP_FAM_BIT(BGP_FAM_V4));
	while (rib_jobs_run(r, 1))
		;
	assert_int_equal(rib_peer_get(r, 1)->paths[BGP_FAM_V4], 1);
	assert_int_equal(best_peer(r, "198.51.100.0/24"), 1);
	rib_maintain(r, SIZE_MAX);
	assert_null(radix_find(rib_tree(r, BGP_FAM_V4), p2.a, p2.len));
	attr_unref(a);
	rib_free(r);
}

static void
test_refreshed_during_stale_job(void **state)
{
	(void)state;
	/* RFC 7313: BoRR, the re-sent routes and EoRR can arrive before the stale-marking job
	 * ran: what the peer re-sent after BoRR must survive the EoRR sweep. */
	struct rib *r = rib_new(&local);
	peer(r, 1, true, 1, 64500, 1);
	struct attrs *a = mk(64501, 1, 0, -1, 100, 0);
	struct prefix p1 = pfx("198.51.100.0/24"), p2 = pfx("203.0.113.0/24");
	rib_update(r, BGP_FAM_V4, &p1, 1, attr_ref(a));
	rib_update(r, BGP_FAM_V4, &p2, 1, attr_ref(a));
	rib_peer_mark_stale(r, 1, BGP_FAM_BIT(BGP_FAM_V4));  /* BoRR */
	rib_update(r, BGP_FAM_V4, &p1, 1, attr_ref(a));	     /* re-sent before the job ran */
	rib_peer_sweep_stale(r, 1, BGP_FAM_BIT(BGP_FAM_V4)); /* EoRR */
	while (rib_jobs_run(r, 1))
		;
	rib_maintain(r, SIZE_MAX);
	assert_non_null(radix_find(rib_tree(r, BGP_FAM_V4), p1.a, p1.len));
	assert_null(radix_find(rib_tree(r, BGP_FAM_V4), p2.a, p2.len));
	assert_int_equal(rib_peer_get(r, 1)->paths[BGP_FAM_V4], 1);
	assert_int_equal(rib_peer_get(r, 1)->stale[BGP_FAM_V4], 0);
	attr_unref(a);
	rib_free(r);
}

static void
test_shared_lone_paths(void **state)
{
	(void)state;
	/* The lone path of a prefix is interned: 20000 prefixes with one attribute set from
	 * one peer share one path object; a second path turns the prefix into a private list. */
	struct rib *r = rib_new(&local);
	peer(r, 1, true, 1, 64500, 1);
	peer(r, 2, true, 2, 64500, 2);
	struct attrs *a = mk(64501, 2, 0, -1, 100, 0);
	for (unsigned i = 0; i < 20000; i++) {
		struct prefix p = {.af = AF_INET, .len = 24};
		p.a[0] = 30, p.a[1] = (uint8_t)(i >> 8), p.a[2] = (uint8_t)i;
		rib_update(r, BGP_FAM_V4, &p, 1, attr_ref(a));
	}
	struct rib_stats st;
	rib_stats(r, &st);
	assert_int_equal(st.paths, 20000);
	assert_true(st.path_bytes < 20000 * sizeof(struct rib_path) / 2);
	struct prefix p0 = {.af = AF_INET, .len = 24};
	p0.a[0] = 30;
	struct radix_node *n0 = radix_find(rib_tree(r, BGP_FAM_V4), p0.a, p0.len);
	struct prefix p1 = p0;
	p1.a[2] = 1;
	struct radix_node *n1 = radix_find(rib_tree(r, BGP_FAM_V4), p1.a, p1.len);
	assert_ptr_equal(rib_best(n0), rib_best(n1)); /* one shared object */
	assert_true(rib_best(n0)->flags & RIB_PATH_SHARED);
	/* a better path from peer 2 on p0: a private list, best first */
	rib_update(r, BGP_FAM_V4, &p0, 2, mk(64501, 1, 0, -1, 100, 0));
	assert_int_equal(rib_best(n0)->peer, 2);
	assert_non_null(rib_best(n0)->next);
	assert_false(rib_best(n0)->flags & RIB_PATH_SHARED);
	assert_true(rib_best(n1)->flags & RIB_PATH_SHARED); /* the others untouched */
	/* stale marking re-interns lone paths; a refresh makes them fresh again */
	rib_peer_mark_stale(r, 1, BGP_FAM_BIT(BGP_FAM_V4));
	while (rib_jobs_run(r, 1000))
		;
	assert_int_equal(rib_peer_get(r, 1)->stale[BGP_FAM_V4], 20000);
	assert_true(rib_best(n1)->flags & RIB_PATH_STALE);
	rib_update(r, BGP_FAM_V4, &p1, 1, attr_ref(a));
	assert_false(rib_best(n1)->flags & RIB_PATH_STALE);
	assert_int_equal(rib_peer_get(r, 1)->stale[BGP_FAM_V4], 19999);
	rib_peer_sweep_stale(r, 1, BGP_FAM_BIT(BGP_FAM_V4));
	while (rib_jobs_run(r, 1000))
		;
	assert_int_equal(rib_peer_get(r, 1)->paths[BGP_FAM_V4], 1);
	assert_int_equal(rib_peer_get(r, 2)->paths[BGP_FAM_V4], 1);
	assert_int_equal(rib_best(n0)->peer, 2);
	assert_int_equal(rib_best(n1)->peer, 1);
	rib_maintain(r, SIZE_MAX);
	assert_int_equal(radix_count(rib_tree(r, BGP_FAM_V4)), 2);
	attr_unref(a);
	rib_free(r);
}

static unsigned hook_calls;
static void
hook(void *arg, enum bgp_fam f, const struct radix_node *n, uint16_t old_peer,
     const struct attrs *old, const struct rib_path *best)
{
	(void)arg;
	(void)f;
	(void)n;
	(void)old_peer;
	(void)best;
	if (old != NULL)
		assert_true(old->refcnt > 0); /* still alive during the call */
	hook_calls++;
}

static void
test_best_hook(void **state)
{
	(void)state;
	struct rib *r = rib_new(&local);
	rib_set_best_hook(r, hook, NULL);
	peer(r, 1, true, 1, 64500, 1);
	struct prefix p = pfx("198.51.100.0/24");
	hook_calls = 0;
	rib_update(r, BGP_FAM_V4, &p, 1, mk(64501, 1, 0, -1, 100, 0));
	rib_update(r, BGP_FAM_V4, &p, 1, mk(64502, 1, 0, -1, 100, 0)); /* old set freed after */
	rib_withdraw(r, BGP_FAM_V4, &p, 1);
	assert_int_equal(hook_calls, 3);
	rib_free(r);
}

/* rib_reader_last_current: true for a new reader's walk and for the nodes of a refresh walk
 * unchanged since it began; false for what comes from the journal. */
static void
test_reader_last_current(void **state)
{
	(void)state;
	struct rib *r = rib_new(&local);
	peer(r, 1, false, 1, 64501, 1);
	const char *ps[] = {"10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"};
	for (int i = 0; i < 3; i++) {
		struct prefix p = pfx(ps[i]);
		rib_update(r, BGP_FAM_V4, &p, 1, mk(64501, 1, 0, -1, -1, 0));
	}
	struct rib_reader *rd = rib_reader_new(r, BGP_FAM_BIT(BGP_FAM_V4));
	size_t budget = SIZE_MAX, n = 0;
	rib_maintain(r, 0);
	while (rib_reader_next(r, rd, BGP_FAM_V4, &budget) != NULL) {
		assert_true(rib_reader_last_current(rd, BGP_FAM_V4));
		n++;
	}
	assert_int_equal(n, 3);
	/* a change comes through the journal: the peers may hold an older export of it */
	struct prefix b = pfx(ps[1]);
	rib_update(r, BGP_FAM_V4, &b, 1, mk(64501, 1, 0, 5, -1, 0));
	rib_maintain(r, 0);
	assert_non_null(rib_reader_next(r, rd, BGP_FAM_V4, &budget));
	assert_false(rib_reader_last_current(rd, BGP_FAM_V4));
	assert_null(rib_reader_next(r, rd, BGP_FAM_V4, &budget));
	/* a refresh walk: current but for the node changed after it began */
	rib_reader_refeed(r, rd, BGP_FAM_BIT(BGP_FAM_V4));
	struct prefix c = pfx(ps[2]);
	rib_update(r, BGP_FAM_V4, &c, 1, mk(64501, 1, 0, 7, -1, 0));
	rib_maintain(r, 0);
	bool want[] = {true, true, false};
	struct radix_node *nd;
	n = 0;
	while ((nd = rib_reader_next(r, rd, BGP_FAM_V4, &budget)) != NULL) {
		assert_true(n < 3);
		assert_int_equal(rib_reader_last_current(rd, BGP_FAM_V4), want[n]);
		n++;
	}
	assert_int_equal(n, 3);
	rib_reader_free(r, rd);
	rib_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_single_path_and_marks),
	    cmocka_unit_test(test_xlat_bit),
	    cmocka_unit_test(test_many_readers),
	    cmocka_unit_test(test_stuck_reader_detached),
	    cmocka_unit_test(test_reader_clone_and_refeed),
	    cmocka_unit_test(test_flap_during_flush),
	    cmocka_unit_test(test_decision_steps),
	    cmocka_unit_test(test_deterministic_med),
	    cmocka_unit_test(test_flush_in_slices),
	    cmocka_unit_test(test_stale_and_sweep),
	    cmocka_unit_test(test_refreshed_during_stale_job),
	    cmocka_unit_test(test_shared_lone_paths),
	    cmocka_unit_test(test_best_hook),
	    cmocka_unit_test(test_reader_last_current),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
