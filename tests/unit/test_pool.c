/*
 * Unit tests of src/lib/pool.c: objects handed out are distinct, zeroed (pool_alloc) and aligned
 * as the pool says; a slab goes back to malloc when its last object is freed (one empty slab
 * kept as a spare), so a pool that grew and shrank costs about what its live objects need;
 * allocation fills the slabs of lowest address first. A seeded random mix of allocations and
 * frees checks every object's contents against what was written into it (an object handed out
 * twice, or overlapping another, shows). POOL_TEST_SEED=N replays a run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/pool.h"

static uint64_t rng_state;

static uint64_t
rng(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Fills an object with a pattern of its tag; checks it. */
static void
stamp(void *o, size_t size, uint64_t tag)
{
	uint8_t *b = o;
	for (size_t i = 0; i < size; i++)
		b[i] = (uint8_t)(tag * 31 + i);
}

static void
check_stamp(const void *o, size_t size, uint64_t tag)
{
	const uint8_t *b = o;
	for (size_t i = 0; i < size; i++)
		assert_int_equal(b[i], (uint8_t)(tag * 31 + i));
}

static void
test_basic(void **state)
{
	(void)state;
	struct pool p;
	pool_init(&p, 20); /* rounded up to 24 */
	assert_int_equal(p.size, 24);
	assert_int_equal(pool_mem_bytes(&p), 0);
	void *v[100];
	for (int i = 0; i < 100; i++) {
		v[i] = pool_alloc(&p);
		const uint8_t *b = v[i];
		for (size_t k = 0; k < p.size; k++)
			assert_int_equal(b[k], 0);
		stamp(v[i], p.size, (uint64_t)i);
		assert_int_equal((uintptr_t)v[i] % 8, 0);
	}
	assert_int_equal(p.live, 100);
	for (int i = 0; i < 100; i++)
		check_stamp(v[i], p.size, (uint64_t)i);
	/* A freed object comes back zeroed. */
	pool_free(&p, v[50]);
	pool_free(&p, NULL);
	assert_int_equal(p.live, 99);
	void *o = pool_alloc(&p);
	assert_ptr_equal(o, v[50]);
	assert_int_equal(((uint8_t *)o)[p.size - 1], 0);
	pool_destroy(&p);
	assert_int_equal(pool_mem_bytes(&p), 0);
	assert_int_equal(p.size, 24); /* usable again */
	o = pool_alloc(&p);
	assert_non_null(o);
	pool_destroy(&p);
}

/* Cache-line slabs: a 32-byte object never straddles two lines. */
static void
test_aligned(void **state)
{
	(void)state;
	struct pool p;
	pool_init_slabs(&p, 32, 64, 256 * 1024);
	for (int i = 0; i < 20000; i++) {
		uintptr_t a = (uintptr_t)pool_get(&p);
		assert_true(a != 0);
		assert_int_equal(a / 64, (a + 31) / 64);
	}
	for (size_t i = 0; i < p.nslabs; i++)
		assert_int_equal((uintptr_t)p.slabs[i].base % 64, 0);
	/* The largest slab is the pool's maximum. */
	size_t biggest = 0;
	for (size_t i = 0; i < p.nslabs; i++)
		if (p.slabs[i].cap > biggest)
			biggest = p.slabs[i].cap;
	assert_int_equal(biggest * 32, 256 * 1024);
	pool_destroy(&p);
}

/*
 * A pool that grew to N objects and went back to a few gives its slabs back: what stays is
 * the slabs of the live objects and one spare.
 */
static void
test_slab_return(void **state)
{
	(void)state;
	enum { N = 100000 };
	struct pool p;
	pool_init(&p, 48);
	void **v = calloc(N, sizeof *v);
	assert_non_null(v);
	for (int i = 0; i < N; i++)
		v[i] = pool_alloc(&p);
	size_t full = pool_mem_bytes(&p);
	assert_true(p.slab_bytes >= (size_t)N * 48);
	assert_true(p.nslabs > 10);
	/* Free everything but every other object of a slab in the middle. */
	size_t mid = p.nslabs / 2;
	uintptr_t lo = (uintptr_t)p.slabs[mid].base, hi = lo + p.slabs[mid].cap * p.size;
	size_t kept = 0;
	for (int i = 0; i < N; i++) {
		if ((uintptr_t)v[i] >= lo && (uintptr_t)v[i] < hi && (i & 1) == 0) {
			kept++;
			continue;
		}
		pool_free(&p, v[i]);
		v[i] = NULL;
	}
	assert_true(kept > 0);
	assert_int_equal(p.live, kept);
	assert_true(p.nslabs <= 2); /* the live one and the spare */
	assert_true(p.slab_bytes <= 2 * 64 * 1024);
	assert_true(pool_mem_bytes(&p) < full / 10);
	/* Each new object comes from the slab of lowest address that has room. */
	for (int i = 0; i < 5000; i++) {
		size_t k = 0;
		while (k < p.nslabs && p.slabs[k].live == p.slabs[k].cap)
			k++;
		uintptr_t b = k < p.nslabs ? (uintptr_t)p.slabs[k].base : 0;
		uintptr_t e = k < p.nslabs ? b + p.slabs[k].cap * p.size : UINTPTR_MAX;
		uintptr_t a = (uintptr_t)pool_alloc(&p);
		assert_true(a >= b && a < e); /* none had room: a new slab, anywhere */
	}
	/* Everything freed: at most the spare stays. */
	pool_destroy(&p);
	for (int i = 0; i < N; i++)
		v[i] = pool_alloc(&p);
	for (int i = 0; i < N; i++)
		pool_free(&p, v[i]);
	assert_int_equal(p.live, 0);
	assert_true(p.nslabs <= 1);
	/* pool_trim() returns the spare; the pool works as new. */
	pool_trim(&p);
	assert_int_equal(p.nslabs, 0);
	assert_int_equal(p.slab_bytes, 0);
	v[0] = pool_alloc(&p);
	assert_int_equal(p.nslabs, 1);
	pool_free(&p, v[0]);
	free(v);
	pool_destroy(&p);
}

/*
 * Random allocations and frees around a level that rises to M objects and falls to a few, with
 * every object's contents checked; after each fall only the slabs that hold survivors stay,
 * and a spare.
 */
static void
test_random(void **state)
{
	(void)state;
	enum { M = 60000, ROUNDS = 6 };
	struct pool p;
	pool_init(&p, 40);
	void **v = calloc(M, sizeof *v);
	uint64_t *tag = calloc(M, sizeof *tag);
	assert_non_null(v);
	assert_non_null(tag);
	size_t n = 0;
	uint64_t next_tag = 1;
	for (int r = 0; r < ROUNDS; r++) {
		/* up, with some frees on the way */
		while (n < M) {
			if (n > 0 && rng() % 4 == 0) {
				size_t i = rng() % n;
				check_stamp(v[i], p.size, tag[i]);
				pool_free(&p, v[i]);
				v[i] = v[--n];
				tag[i] = tag[n];
			} else {
				v[n] = pool_alloc(&p);
				tag[n] = next_tag++;
				stamp(v[n], p.size, tag[n]);
				n++;
			}
		}
		size_t peak = p.slab_bytes;
		/* down to 1000, in random order */
		while (n > 1000) {
			size_t i = rng() % n;
			check_stamp(v[i], p.size, tag[i]);
			pool_free(&p, v[i]);
			v[i] = v[--n];
			tag[i] = tag[n];
		}
		assert_int_equal(p.live, n);
		for (size_t i = 0; i < n; i++)
			check_stamp(v[i], p.size, tag[i]);
		/* The survivors are scattered: still, slabs with none of them are gone. */
		size_t used = 0;
		for (size_t k = 0; k < p.nslabs; k++)
			used += p.slabs[k].live > 0;
		assert_true(p.nslabs <= used + 1);
		assert_true(p.slab_bytes <= peak);
	}
	while (n > 0) {
		pool_free(&p, v[n - 1]);
		n--;
	}
	assert_true(p.nslabs <= 1);
	free(v);
	free(tag);
	pool_destroy(&p);
}

int
main(void)
{
	const char *env = getenv("POOL_TEST_SEED");
	uint64_t seed = env != NULL ? strtoull(env, NULL, 0) : (uint64_t)time(NULL);
	rng_state = seed;
	printf("test_pool: seed %llu (POOL_TEST_SEED=%llu to replay)\n", (unsigned long long)seed,
	       (unsigned long long)seed);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_basic),
	    cmocka_unit_test(test_aligned),
	    cmocka_unit_test(test_slab_return),
	    cmocka_unit_test(test_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
