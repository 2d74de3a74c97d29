/*
 * Unit tests of src/lib/radix.c.
 *
 * The main test drives a tree and a brute-force reference (a sorted array of prefixes) with the
 * same random operations, 100k per family, and compares every answer: get/insert, find, delete,
 * LPM of addresses and prefixes, next, next_after of present and absent keys, walk_sub, walk,
 * count, node handles, values and uflags. The reference shares no code with the tree: order is
 * memcmp then length, LPM tries every length from the longest down, walk_sub scans the array.
 * Keys are drawn around nested anchors (a few /16, /24, /28 for IPv4; /32 down to /120 for
 * IPv6) so that the tree is deep and full of glue, plus /0, host routes and random prefixes;
 * half of the keys carry garbage past their length, which the tree must ignore. The tree grows
 * to about 1500 prefixes and shrinks to empty again and again. Keys are passed in buffers of
 * exactly 4 or 16 bytes so that ASan sees an over-read.
 *
 * A second mix drives the level-compressed mode (radix.h: past BUCKET_AT prefixes, a bucket per
 * value of the first 16 bits, shorter prefixes in a tree of their own): the tree grows to 5000
 * prefixes and back to empty (about 550 of them shorter than 16 over some 900 non-empty
 * buckets), keys are drawn around nested anchors of lengths 11, 15, 17, ... at 6 bits shorter
 * to 8 bits longer (so 15, 16 and 17 are common and short prefixes sit between and over the
 * buckets), random prefixes of length 8 and more over the whole space (sparse buckets), and
 * keys at the edges of a slot (its first or last address, at lengths 12 and up) including
 * slots 0 and 65535. The same reference comparison then covers the merge of the short tree
 * with the buckets in first/next/next_after/walk/walk_sub, the fall back of LPM to the short
 * tree, the split into buckets (checked in full as it happens) and the release of the array
 * when the tree is empty again. test_buckets_v4 spells the same cases out.
 *
 * test_bulk builds large trees at once (/0 first, so the first node of the first slab is
 * used): every time the tree takes a slab, handles given out before (the first one among them)
 * must still be found, and the emptied tree must be as new and small when used again.
 * test_glue turns glue into a prefix and back (nodes of two sizes); test_alloc_failure makes
 * the slab and bucket array allocations fail (wrapped at link time) and checks that inserts
 * fail cleanly, deletes never do, and the bucket array comes later.
 *
 * The seed is printed; RADIX_TEST_SEED=N replays a run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/radix.h"

#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif
#ifdef TEST_ASAN
#include <sanitizer/asan_interface.h>
#endif

/*
 * Allocation failures: the tree takes its slabs from posix_memalign() and its bucket array and
 * itself from calloc(), both wrapped for this test (tests/CMakeLists.txt, -Wl,--wrap).
 * fail_slabs fails the first, fail_calloc the second.
 */
static bool fail_slabs, fail_calloc;

int __real_posix_memalign(void **p, size_t align, size_t size);
int __wrap_posix_memalign(void **p, size_t align, size_t size);
void *__real_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size);

int
__wrap_posix_memalign(void **p, size_t align, size_t size)
{
	return fail_slabs ? ENOMEM : __real_posix_memalign(p, align, size);
}

void *
__wrap_calloc(size_t n, size_t size)
{
	return fail_calloc ? NULL : __real_calloc(n, size);
}

#define OPS_PER_FAMILY 100000
#define GROW_TO	       1500
#define CHECK_EVERY    2000
#define BUCKET_AT      4096 /* radix.h: prefixes at which a tree gets its bucket array */

/* Key mixes of run_random(). */
enum mix {
	MIX_NESTED,  /* deep nesting under a few anchors, at most GROW_TO prefixes */
	MIX_BUCKETS, /* around the 16-bit boundary and across many slots, past BUCKET_AT */
};

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

static unsigned
rng_below(unsigned n)
{
	return (unsigned)(rng() % n);
}

static void
rng_bytes(uint8_t *a, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		a[i] = (uint8_t)rng();
}

/* Bytes and bits, written independently of the tree. */

static void
mask_key(uint8_t *a, unsigned len, unsigned kb)
{
	for (unsigned i = 0; i < kb; i++) {
		if (8 * i >= len)
			a[i] = 0;
		else if (8 * i + 8 > len)
			a[i] &= (uint8_t)(0xff00u >> (len - 8 * i));
	}
}

/* Copies the first len bits of src over dst, keeping the rest of dst. */
static void
copy_bits(uint8_t *dst, const uint8_t *src, unsigned len)
{
	for (unsigned i = 0; i < len; i++) {
		uint8_t m = (uint8_t)(0x80u >> (i % 8));
		dst[i / 8] = (uint8_t)((dst[i / 8] & ~m) | (src[i / 8] & m));
	}
}

static int
key_cmp(unsigned kb, const uint8_t *a, unsigned alen, const uint8_t *b, unsigned blen)
{
	int c = memcmp(a, b, kb);
	if (c != 0)
		return c < 0 ? -1 : 1;
	return alen < blen ? -1 : alen > blen;
}

/* True when (o, olen) covers (in, ilen); both masked. */
static bool
covers(const uint8_t *o, unsigned olen, const uint8_t *in, unsigned ilen)
{
	if (ilen < olen)
		return false;
	if (memcmp(o, in, olen / 8) != 0)
		return false;
	if (olen % 8 == 0)
		return true;
	uint8_t m = (uint8_t)(0xff00u >> (olen % 8));
	return ((o[olen / 8] ^ in[olen / 8]) & m) == 0;
}

/* The reference: a sorted array. */

struct ent {
	uint8_t a[16]; /* masked */
	unsigned len;
	struct radix_node *node; /* the handle the tree gave at insertion */
	uintptr_t val;
	uint16_t uf;
};

struct ref {
	struct ent *e;
	size_t n, cap;
};

/* First index whose entry is >= (a, len), or > when strict. */
static size_t
ref_bound(const struct ref *r, unsigned kb, const uint8_t *a, unsigned len, bool strict)
{
	size_t lo = 0, hi = r->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = key_cmp(kb, r->e[mid].a, r->e[mid].len, a, len);
		if (c < 0 || (strict && c == 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct ent *
ref_find(const struct ref *r, unsigned kb, const uint8_t *a, unsigned len)
{
	size_t i = ref_bound(r, kb, a, len, false);
	if (i < r->n && key_cmp(kb, r->e[i].a, r->e[i].len, a, len) == 0)
		return &r->e[i];
	return NULL;
}

static struct ent *
ref_insert(struct ref *r, unsigned kb, const uint8_t *a, unsigned len)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 256;
		r->e = realloc(r->e, r->cap * sizeof *r->e);
		assert_non_null(r->e);
	}
	size_t i = ref_bound(r, kb, a, len, false);
	memmove(&r->e[i + 1], &r->e[i], (r->n - i) * sizeof *r->e);
	r->n++;
	memset(&r->e[i], 0, sizeof r->e[i]);
	memcpy(r->e[i].a, a, kb);
	r->e[i].len = len;
	return &r->e[i];
}

static void
ref_remove(struct ref *r, struct ent *e)
{
	size_t i = (size_t)(e - r->e);
	memmove(&r->e[i], &r->e[i + 1], (r->n - i - 1) * sizeof *r->e);
	r->n--;
}

/* Longest match: every length from the longest down, each an exact lookup. */
static struct ent *
ref_lpm(const struct ref *r, unsigned kb, const uint8_t *a, unsigned len)
{
	for (unsigned l = len + 1; l-- > 0;) {
		uint8_t m[16];
		memcpy(m, a, kb);
		mask_key(m, l, kb);
		struct ent *e = ref_find(r, kb, m, l);
		if (e != NULL)
			return e;
	}
	return NULL;
}

/* Key generation around nested anchors. */

struct anchor {
	uint8_t a[16];
	unsigned len;
};

struct fam {
	int af;
	enum mix mix;
	unsigned kb, bits;
	struct anchor anchor[128];
	unsigned nanchor;
	struct radix *t;
	struct ref r;
	uint8_t *kbuf; /* exactly kb bytes: what the tree is given */
	uintptr_t next_val;
};

static void
fam_init(struct fam *f, int af, enum mix mix)
{
	static const unsigned lens4[] = {16, 24, 28}, lens6[] = {32, 48, 64, 96, 120};
	static const unsigned lensb4[] = {11, 15, 17, 21, 25}, lensb6[] = {11, 15, 17, 40, 64};
	const unsigned *lens = af == AF_INET ? lens4 : lens6;
	unsigned levels = af == AF_INET ? 3 : 5;
	if (mix == MIX_BUCKETS) {
		lens = af == AF_INET ? lensb4 : lensb6;
		levels = 5;
	}

	memset(f, 0, sizeof *f);
	f->af = af;
	f->mix = mix;
	f->kb = af_bytes(af);
	f->bits = af_bits(af);
	f->t = radix_new(af);
	assert_non_null(f->t);
	f->kbuf = malloc(f->kb);
	assert_non_null(f->kbuf);
	f->next_val = 1;
	/* Three roots, then two children per anchor of each level. */
	unsigned start = 0, end = 0;
	for (unsigned lv = 0; lv < levels; lv++) {
		unsigned n = lv == 0 ? 3 : 2 * (end - start);
		for (unsigned k = 0; k < n; k++) {
			struct anchor *x = &f->anchor[f->nanchor++];
			rng_bytes(x->a, f->kb);
			if (mix == MIX_BUCKETS && lv == 0 && k < 2)
				memset(x->a, k == 0 ? 0 : 0xff, f->kb); /* slots 0 and 65535 */
			if (lv > 0) {
				const struct anchor *p = &f->anchor[start + k / 2];
				copy_bits(x->a, p->a, p->len);
			}
			x->len = lens[lv];
			mask_key(x->a, x->len, f->kb);
		}
		start = end;
		end = f->nanchor;
	}
}

static void
fam_fini(struct fam *f)
{
	radix_free(f->t, NULL, NULL);
	free(f->r.e);
	free(f->kbuf);
}

/* MIX_BUCKETS: random prefixes anywhere, slot edges, or near an anchor. */
static void
gen_key_buckets(const struct fam *f, uint8_t a[16], unsigned *len)
{
	unsigned r = rng_below(100);
	const struct anchor *x = &f->anchor[rng_below(f->nanchor)];
	if (r < 15) {
		*len = 8 + rng_below(f->af == AF_INET ? 17 : 57);
	} else if (r < 25) {
		/* The first or last address of an anchor's slot, at length 12 or more. */
		memset(a, rng_below(2) ? 0xff : 0, f->kb);
		copy_bits(a, x->a, x->len < 16 ? x->len : 16);
		*len = 12 + rng_below(f->bits - 11);
	} else {
		int l = (int)x->len + (int)rng_below(15) - 6;
		*len = l > (int)f->bits ? f->bits : (unsigned)l;
		copy_bits(a, x->a, x->len);
	}
}

/* A raw key (random bits past len) from the mix of anchors, /0, hosts and random prefixes. */
static void
gen_key(const struct fam *f, uint8_t a[16], unsigned *len)
{
	unsigned r = rng_below(100);
	memset(a, 0, 16);
	rng_bytes(a, f->kb);
	if (r >= 5 && f->mix == MIX_BUCKETS) {
		gen_key_buckets(f, a, len);
	} else if (r < 2) {
		*len = 0;
	} else if (r < 5) {
		*len = f->bits;
	} else if (r < 10) {
		*len = rng_below(f->bits + 1);
	} else {
		const struct anchor *x = &f->anchor[rng_below(f->nanchor)];
		int l = (int)x->len + (int)rng_below(29) - 8;
		if (rng_below(100) < 15 || l > (int)f->bits)
			l = (int)f->bits;
		*len = l < 0 ? 0 : (unsigned)l;
		copy_bits(a, x->a, x->len);
	}
}

/* The key handed to the tree: the raw one (garbage past len) half of the time. */
static const uint8_t *
tree_key(struct fam *f, const uint8_t *raw, const uint8_t *masked)
{
	memcpy(f->kbuf, rng_below(2) ? raw : masked, f->kb);
	return f->kbuf;
}

/* Checks a node against its reference entry. */
static void
check_node(const struct fam *f, const struct radix_node *n, const struct ent *e)
{
	assert_ptr_equal(n, e->node);
	assert_int_equal(radix_plen(n), e->len);
	assert_memory_equal(radix_key(n), e->a, f->kb);
	struct prefix p;
	radix_prefix(f->t, n, &p);
	assert_int_equal(p.af, f->af);
	assert_int_equal(p.len, e->len);
	assert_memory_equal(p.a, e->a, f->kb);
	for (unsigned i = f->kb; i < 16; i++)
		assert_int_equal(p.a[i], 0);
	assert_true(radix_value(n) == (void *)e->val);
	assert_int_equal(radix_uflags(n), e->uf);
}

/* Walk callbacks: collect the nodes visited, stop after 'stop' of them when non-zero. */
struct collect {
	struct radix_node **v;
	size_t n, cap, stop;
};

static int
collect_fn(struct radix_node *n, void *arg)
{
	struct collect *c = arg;
	assert_true(c->n < c->cap);
	c->v[c->n++] = n;
	return c->stop != 0 && c->n == c->stop ? 7 : 0;
}

static void
full_check(struct fam *f)
{
	const struct ref *r = &f->r;
	assert_int_equal(radix_count(f->t), r->n);
	struct radix_node *n = radix_first(f->t);
	for (size_t i = 0; i < r->n; i++) {
		assert_non_null(n);
		check_node(f, n, &r->e[i]);
		n = radix_next(f->t, n);
	}
	assert_null(n);

	struct collect c = {.v = malloc((r->n + 1) * sizeof *c.v), .cap = r->n + 1};
	assert_non_null(c.v);
	assert_int_equal(radix_walk(f->t, collect_fn, &c), 0);
	assert_int_equal(c.n, r->n);
	for (size_t i = 0; i < r->n; i++)
		assert_ptr_equal(c.v[i], r->e[i].node);
	if (r->n > 0) {
		c.n = 0;
		c.stop = 1 + rng_below((unsigned)r->n);
		assert_int_equal(radix_walk(f->t, collect_fn, &c), 7);
		assert_int_equal(c.n, c.stop);
	}
	free(c.v);

	size_t mem = radix_mem_bytes(f->t);
	size_t nsize = f->af == AF_INET ? RADIX_NODE_SIZE_V4 : RADIX_NODE_SIZE_V6;
	assert_true(mem >= r->n * nsize);
}

/* Operations, each checked against the reference. */

static void
op_insert(struct fam *f)
{
	uint8_t raw[16], m[16];
	unsigned len;
	gen_key(f, raw, &len);
	memcpy(m, raw, 16);
	mask_key(m, len, f->kb);
	struct ent *e = ref_find(&f->r, f->kb, m, len);
	struct radix_node *n = radix_get(f->t, tree_key(f, raw, m), len);
	assert_non_null(n);
	if (e != NULL) {
		check_node(f, n, e);
	} else {
		assert_null(radix_value(n));
		assert_int_equal(radix_uflags(n), 0);
		e = ref_insert(&f->r, f->kb, m, len);
		e->node = n;
		e->val = f->next_val++;
		e->uf = (uint16_t)rng();
		radix_set_value(n, (void *)e->val);
		radix_set_uflags(n, e->uf);
		check_node(f, n, e);
	}
	assert_int_equal(radix_count(f->t), f->r.n);
}

static void
op_delete(struct fam *f)
{
	if (f->r.n == 0)
		return;
	struct ent *e = &f->r.e[rng_below((unsigned)f->r.n)];
	uint8_t raw[16];
	rng_bytes(raw, 16);
	copy_bits(raw, e->a, e->len);
	struct radix_node *n = radix_find(f->t, tree_key(f, raw, e->a), e->len);
	assert_ptr_equal(n, e->node);
	assert_true(radix_delete(f->t, n) == (void *)e->val);
	uint8_t a[16];
	unsigned len = e->len;
	memcpy(a, e->a, 16);
	ref_remove(&f->r, e);
	assert_null(radix_find(f->t, tree_key(f, a, a), len));
	assert_int_equal(radix_count(f->t), f->r.n);
}

static void
op_find(struct fam *f)
{
	uint8_t raw[16], m[16];
	unsigned len;
	if (f->r.n > 0 && rng_below(2)) {
		const struct ent *e = &f->r.e[rng_below((unsigned)f->r.n)];
		rng_bytes(raw, 16);
		copy_bits(raw, e->a, e->len);
		len = e->len;
	} else {
		gen_key(f, raw, &len);
	}
	memcpy(m, raw, 16);
	mask_key(m, len, f->kb);
	const struct ent *e = ref_find(&f->r, f->kb, m, len);
	struct radix_node *n = radix_find(f->t, tree_key(f, raw, m), len);
	if (e == NULL)
		assert_null(n);
	else
		check_node(f, n, e);
}

static void
op_lpm(struct fam *f)
{
	uint8_t raw[16], m[16];
	unsigned len;
	gen_key(f, raw, &len);
	if (rng_below(2))
		len = f->bits; /* an address */
	memcpy(m, raw, 16);
	mask_key(m, len, f->kb);
	const struct ent *e = ref_lpm(&f->r, f->kb, m, len);
	struct radix_node *n = radix_lpm(f->t, tree_key(f, raw, m), len);
	if (e == NULL)
		assert_null(n);
	else
		check_node(f, n, e);
}

static void
op_next_after(struct fam *f)
{
	uint8_t raw[16], m[16];
	unsigned len;
	if (f->r.n > 0 && rng_below(5) < 2) {
		const struct ent *e = &f->r.e[rng_below((unsigned)f->r.n)];
		rng_bytes(raw, 16);
		copy_bits(raw, e->a, e->len);
		len = e->len;
	} else {
		gen_key(f, raw, &len);
	}
	memcpy(m, raw, 16);
	mask_key(m, len, f->kb);
	size_t i = ref_bound(&f->r, f->kb, m, len, true);
	struct radix_node *n = radix_next_after(f->t, tree_key(f, raw, m), len);
	if (i == f->r.n)
		assert_null(n);
	else
		check_node(f, n, &f->r.e[i]);
}

static void
op_next(struct fam *f)
{
	if (f->r.n == 0)
		return;
	size_t i = rng_below((unsigned)f->r.n);
	struct radix_node *n = radix_next(f->t, f->r.e[i].node);
	if (i + 1 == f->r.n)
		assert_null(n);
	else
		check_node(f, n, &f->r.e[i + 1]);
}

static void
op_walk_sub(struct fam *f)
{
	uint8_t raw[16], m[16];
	unsigned len;
	gen_key(f, raw, &len);
	if (rng_below(2))
		len = len < 12 ? 0 : len - rng_below(12); /* wider, to cover more */
	memcpy(m, raw, 16);
	mask_key(m, len, f->kb);

	struct collect c = {.v = malloc((f->r.n + 1) * sizeof *c.v), .cap = f->r.n + 1};
	assert_non_null(c.v);
	size_t *want = malloc((f->r.n + 1) * sizeof *want), nwant = 0;
	assert_non_null(want);
	for (size_t i = 0; i < f->r.n; i++)
		if (covers(m, len, f->r.e[i].a, f->r.e[i].len))
			want[nwant++] = i;
	if (rng_below(4) == 0)
		c.stop = 1 + rng_below((unsigned)nwant + 2);
	int ret = radix_walk_sub(f->t, tree_key(f, raw, m), len, collect_fn, &c);
	if (c.stop != 0 && c.stop <= nwant) {
		assert_int_equal(ret, 7);
		assert_int_equal(c.n, c.stop);
	} else {
		assert_int_equal(ret, 0);
		assert_int_equal(c.n, nwant);
	}
	for (size_t k = 0; k < c.n; k++)
		check_node(f, c.v[k], &f->r.e[want[k]]);
	free(want);
	free(c.v);
}

static void
op_set(struct fam *f)
{
	if (f->r.n == 0)
		return;
	struct ent *e = &f->r.e[rng_below((unsigned)f->r.n)];
	e->val = f->next_val++;
	e->uf = (uint16_t)rng();
	radix_set_value(e->node, (void *)e->val);
	radix_set_uflags(e->node, e->uf);
	check_node(f, e->node, e);
}

static void
run_random(int af, enum mix mix)
{
	struct fam f;
	fam_init(&f, af, mix);
	size_t grow_to = mix == MIX_BUCKETS ? 5000 : GROW_TO;
	unsigned ops = mix == MIX_BUCKETS ? 2 * OPS_PER_FAMILY : OPS_PER_FAMILY;
	size_t empty_mem = radix_mem_bytes(f.t);
	bool grow = true, split = false;
	unsigned emptied = 0, bucketed = 0;
	size_t peak = 0;
	for (unsigned op = 1; op <= ops; op++) {
		size_t before = f.r.n;
		unsigned ins = grow ? 45 : 10, del = grow ? 10 : 45;
		unsigned r = rng_below(100);
		if (r < ins)
			op_insert(&f);
		else if (r < ins + del)
			op_delete(&f);
		else if (r < ins + del + 10)
			op_find(&f);
		else if (r < ins + del + 20)
			op_lpm(&f);
		else if (r < ins + del + 30)
			op_next_after(&f);
		else if (r < ins + del + 35)
			op_next(&f);
		else if (r < ins + del + 40)
			op_walk_sub(&f);
		else
			op_set(&f);
		if (f.r.n > peak)
			peak = f.r.n;
		if (before < BUCKET_AT && f.r.n == BUCKET_AT) {
			/* The tree has (just, the first time) been split into buckets: same
			 * handles, same answers. */
			bucketed += !split;
			split = true;
			/* Only IPv4 trees get the bucket array (IPv6 routes share their first
			 * 20 bits); IPv6 trees are checked the same without it. */
			if (af == AF_INET)
				assert_true(radix_mem_bytes(f.t) >=
					    empty_mem + RADIX_BUCKETS_BYTES);
			else
				assert_true(radix_mem_bytes(f.t) < empty_mem + RADIX_BUCKETS_BYTES);
			full_check(&f);
		}
		if (grow && f.r.n >= grow_to) {
			grow = false;
		} else if (!grow && f.r.n == 0) {
			grow = true;
			split = false;
			emptied++;
			full_check(&f);
			/* The bucket array went back with the slabs. */
			assert_int_equal(radix_mem_bytes(f.t), empty_mem);
		}
		if (op % CHECK_EVERY == 0)
			full_check(&f);
	}
	full_check(&f);
	printf("  %s%s: %u ops, peak %zu prefixes, emptied %u times, bucketed %u times\n",
	       af == AF_INET ? "IPv4" : "IPv6", mix == MIX_BUCKETS ? " buckets" : "", ops, peak,
	       emptied, bucketed);
	assert_true(emptied >= 2); /* the empty tree is reached again and again */
	if (mix == MIX_BUCKETS)
		assert_true(bucketed >= 2); /* passes the threshold again and again */
	fam_fini(&f);
}

static void
test_random_v4(void **state)
{
	(void)state;
	run_random(AF_INET, MIX_NESTED);
}

static void
test_random_v6(void **state)
{
	(void)state;
	run_random(AF_INET6, MIX_NESTED);
}

static void
test_random_buckets_v4(void **state)
{
	(void)state;
	run_random(AF_INET, MIX_BUCKETS);
}

static void
test_random_buckets_v6(void **state)
{
	(void)state;
	run_random(AF_INET6, MIX_BUCKETS);
}

/* A large tree built at once, compared with a sorted, deduplicated array, then torn down. */

static int
ent_qsort_cmp(const void *x, const void *y)
{
	const struct ent *a = x, *b = y;
	return key_cmp(16, a->a, a->len, b->a, b->len);
}

static void
run_bulk(int af, size_t count)
{
	struct fam f;
	fam_init(&f, af, MIX_NESTED);
	size_t empty_mem = radix_mem_bytes(f.t);
	struct ent *v = calloc(count, sizeof *v);
	assert_non_null(v);
	size_t mem = empty_mem;
	unsigned grown = 0;
	for (size_t i = 0; i < count; i++) {
		if (i == 0) {
			v[i].len = 0; /* /0 takes the first node of the first slab */
		} else if (af == AF_INET) {
			rng_bytes(v[i].a, 4); /* the shape of a full table: /8 to /24 */
			v[i].len = 8 + rng_below(17);
		} else {
			gen_key(&f, v[i].a, &v[i].len);
		}
		struct radix_node *n = radix_get(f.t, tree_key(&f, v[i].a, v[i].a), v[i].len);
		assert_non_null(n);
		mask_key(v[i].a, v[i].len, f.kb);
		v[i].node = n;
		radix_set_value(n, (void *)(uintptr_t)(i + 1));
		if (radix_mem_bytes(f.t) == mem)
			continue;
		/* A new slab (or the bucket array): the nodes handed out before stay put. */
		mem = radix_mem_bytes(f.t);
		grown++;
		for (unsigned k = 0; k < 16; k++) {
			size_t j = k == 0 ? 0 : rng() % (i + 1);
			struct radix_node *x =
			    radix_find(f.t, tree_key(&f, v[j].a, v[j].a), v[j].len);
			assert_ptr_equal(x, v[j].node);
			assert_int_equal(radix_plen(x), v[j].len);
			assert_memory_equal(radix_key(x), v[j].a, f.kb);
		}
	}
	/* Slabs double from 440 bytes to 256 KiB, then come 256 KiB at a time. */
	assert_true(grown >= 20);
	qsort(v, count, sizeof *v, ent_qsort_cmp);
	size_t u = 0;
	for (size_t i = 0; i < count; i++) {
		if (u > 0 && ent_qsort_cmp(&v[u - 1], &v[i]) == 0) {
			assert_ptr_equal(v[u - 1].node, v[i].node);
			continue;
		}
		v[u++] = v[i];
	}
	for (size_t i = 0; i < u; i++) {
		v[i].val = (uintptr_t)radix_value(v[i].node);
		v[i].uf = 0;
	}
	f.r.e = v;
	f.r.n = f.r.cap = u;
	full_check(&f);
	for (int i = 0; i < 20000; i++) {
		op_lpm(&f);
		op_next_after(&f);
		op_find(&f);
	}
	mem = radix_mem_bytes(f.t);
	printf("  %s bulk: %zu prefixes, %zu bytes (%.1f per prefix)\n",
	       af == AF_INET ? "IPv4" : "IPv6", u, mem, (double)mem / (double)u);

	/*
	 * Deleting a fifth and putting it back gives the same shape: the free lists serve. (A
	 * prefix with two children that is deleted before any glue node is freed may take its
	 * glue node from one more slab.)
	 */
	size_t fifth = u / 5;
	for (size_t i = 0; i < fifth; i++)
		radix_delete(f.t, v[i * 5].node);
	for (size_t i = 0; i < fifth; i++) {
		struct ent *e = &v[i * 5];
		e->node = radix_get(f.t, tree_key(&f, e->a, e->a), e->len);
		assert_non_null(e->node);
		radix_set_value(e->node, (void *)e->val);
	}
	assert_true(radix_mem_bytes(f.t) <= mem + (256u << 10));
	full_check(&f);

	/* Tear down in random order. */
	for (size_t i = u; i > 1; i--) {
		size_t j = rng() % i;
		struct ent x = v[i - 1];
		v[i - 1] = v[j];
		v[j] = x;
	}
	for (size_t i = 0; i < u; i++) {
		assert_true(radix_delete(f.t, v[i].node) == (void *)v[i].val);
		assert_int_equal(radix_count(f.t), u - i - 1);
	}
	assert_null(radix_first(f.t));
	assert_int_equal(radix_mem_bytes(f.t), empty_mem);

	/* Emptied, the tree works as new, and a small tree is small. */
	f.r.n = 0;
	for (unsigned k = 0; k < 8; k++)
		op_insert(&f);
	full_check(&f);
	assert_true(radix_mem_bytes(f.t) < (af == AF_INET ? 1024u : 2048u));
	while (f.r.n > 0)
		op_delete(&f);
	assert_int_equal(radix_mem_bytes(f.t), empty_mem);
	fam_fini(&f);
}

static void
test_bulk(void **state)
{
	(void)state;
	run_bulk(AF_INET, 300000);
	run_bulk(AF_INET6, 100000);
}

/* Edge cases, written out. */

static struct radix_node *
add(struct radix *t, const char *s)
{
	struct prefix p;
	if (prefix_parse(s, &p, true, false) != 0)
		fail_msg("bad prefix %s", s);
	struct radix_node *n = radix_get(t, p.a, p.len);
	assert_non_null(n);
	radix_set_value(n, (void *)(uintptr_t)s);
	return n;
}

static struct radix_node *
find(const struct radix *t, const char *s)
{
	struct prefix p;
	assert_int_equal(prefix_parse(s, &p, true, false), 0);
	return radix_find(t, p.a, p.len);
}

static const char *
lpm(const struct radix *t, const char *s)
{
	struct prefix p;
	assert_int_equal(prefix_parse(s, &p, true, false), 0);
	struct radix_node *n = radix_lpm(t, p.a, p.len);
	return n != NULL ? radix_value(n) : NULL;
}

/* The stored prefixes in order, as "a b c". */
static const char *
order(const struct radix *t)
{
	static char buf[1024];
	char tmp[PREFIX_STRLEN];
	buf[0] = '\0';
	for (struct radix_node *n = radix_first(t); n != NULL; n = radix_next(t, n)) {
		struct prefix p;
		radix_prefix(t, n, &p);
		if (buf[0] != '\0')
			strcat(buf, " ");
		strcat(buf, prefix_fmt(&p, tmp));
		assert_string_equal(tmp, radix_value(n));
	}
	return buf;
}

static int
count_fn(struct radix_node *n, void *arg)
{
	(void)n;
	++*(int *)arg;
	return 0;
}

static void
free_fn(void *value, void *arg)
{
	assert_non_null(value);
	++*(int *)arg;
}

static void
test_empty(void **state)
{
	(void)state;
	assert_null(radix_new(AF_UNIX));
	struct radix *t = radix_new(AF_INET);
	assert_non_null(t);
	uint8_t *k = calloc(1, 4);
	assert_non_null(k);
	int calls = 0;
	assert_int_equal(radix_count(t), 0);
	assert_null(radix_first(t));
	for (unsigned len = 0; len <= 32; len += 8) {
		assert_null(radix_find(t, k, len));
		assert_null(radix_lpm(t, k, len));
		assert_null(radix_next_after(t, k, len));
		assert_int_equal(radix_walk_sub(t, k, len, count_fn, &calls), 0);
	}
	assert_int_equal(radix_walk(t, count_fn, &calls), 0);
	assert_int_equal(calls, 0);
	assert_true(radix_mem_bytes(t) < 1024);
	/* Lengths beyond the family find nothing and create nothing. */
	assert_null(radix_get(t, k, 33));
	assert_int_equal(radix_count(t), 0);
	radix_free(t, NULL, NULL);
	free(k);
}

static void
test_edges_v4(void **state)
{
	(void)state;
	struct radix *t = radix_new(AF_INET);
	assert_non_null(t);
	static const uint8_t ones[4] = {255, 255, 255, 255}, zeros[4];

	/* /0: found with any key, covers everything, first and alone. */
	add(t, "0.0.0.0/0");
	assert_ptr_equal(radix_find(t, ones, 0), find(t, "0.0.0.0/0"));
	assert_string_equal(lpm(t, "255.255.255.255"), "0.0.0.0/0");
	assert_string_equal(lpm(t, "10.0.0.0/8"), "0.0.0.0/0");
	assert_null(radix_next_after(t, zeros, 0));
	assert_null(find(t, "0.0.0.0/1"));
	assert_null(radix_get(t, ones, 33));
	assert_null(radix_find(t, ones, 33));
	assert_null(radix_lpm(t, ones, 33));

	/* Host routes at both ends of the space. */
	add(t, "255.255.255.255/32");
	add(t, "0.0.0.0/32");
	assert_string_equal(order(t), "0.0.0.0/0 0.0.0.0/32 255.255.255.255/32");
	assert_string_equal(lpm(t, "255.255.255.255"), "255.255.255.255/32");
	assert_string_equal(lpm(t, "255.255.255.254"), "0.0.0.0/0");
	assert_string_equal(lpm(t, "0.0.0.0"), "0.0.0.0/32");
	assert_string_equal(lpm(t, "0.0.0.0/31"), "0.0.0.0/0");
	assert_null(radix_next_after(t, ones, 32));
	assert_string_equal(radix_value(radix_next_after(t, ones, 0)), "0.0.0.0/32");
	assert_string_equal(radix_value(radix_next_after(t, zeros, 32)), "255.255.255.255/32");

	/* Glue: 10.0.1.0/24 and 10.0.2.0/24 part at bit 22, under 10.0.0.0/16. */
	add(t, "10.0.0.0/16");
	add(t, "10.0.1.0/24");
	add(t, "10.0.2.0/24");
	assert_int_equal(radix_count(t), 6);
	assert_null(find(t, "10.0.0.0/22")); /* the glue is not a prefix */
	assert_string_equal(lpm(t, "10.0.3.1"), "10.0.0.0/16");
	assert_string_equal(lpm(t, "10.0.0.0/22"), "10.0.0.0/16");
	struct prefix q;
	assert_int_equal(prefix_parse("10.0.0.0/22", &q, false, false), 0);
	assert_string_equal(radix_value(radix_next_after(t, q.a, q.len)), "10.0.1.0/24");
	int calls = 0;
	assert_int_equal(radix_walk_sub(t, q.a, q.len, count_fn, &calls), 0);
	assert_int_equal(calls, 2);

	/* The glue becomes a prefix, and glue again. */
	struct radix_node *g = add(t, "10.0.0.0/22");
	assert_int_equal(radix_count(t), 7);
	assert_string_equal(order(t), "0.0.0.0/0 0.0.0.0/32 10.0.0.0/16 10.0.0.0/22 10.0.1.0/24 "
				      "10.0.2.0/24 255.255.255.255/32");
	assert_string_equal(radix_delete(t, g), "10.0.0.0/22");
	assert_null(find(t, "10.0.0.0/22"));
	assert_string_equal(lpm(t, "10.0.1.1"), "10.0.1.0/24");
	assert_string_equal(lpm(t, "10.0.0.1"), "10.0.0.0/16");

	/* A leaf beside glue: the glue goes, its other child moves up. */
	assert_string_equal(radix_delete(t, find(t, "10.0.1.0/24")), "10.0.1.0/24");
	assert_string_equal(order(t),
			    "0.0.0.0/0 0.0.0.0/32 10.0.0.0/16 10.0.2.0/24 255.255.255.255/32");
	assert_string_equal(lpm(t, "10.0.2.9"), "10.0.2.0/24");
	assert_string_equal(lpm(t, "10.0.1.9"), "10.0.0.0/16");

	/* A prefix with one child: spliced out. */
	add(t, "10.0.1.0/24");
	assert_string_equal(radix_delete(t, find(t, "10.0.0.0/16")), "10.0.0.0/16");
	assert_string_equal(order(t),
			    "0.0.0.0/0 0.0.0.0/32 10.0.1.0/24 10.0.2.0/24 255.255.255.255/32");
	assert_string_equal(lpm(t, "10.0.3.1"), "0.0.0.0/0");
	assert_string_equal(radix_delete(t, find(t, "10.0.2.0/24")), "10.0.2.0/24");
	assert_string_equal(lpm(t, "10.0.1.1"), "10.0.1.0/24");

	/* The root with two children becomes glue. */
	assert_string_equal(radix_delete(t, find(t, "0.0.0.0/0")), "0.0.0.0/0");
	assert_string_equal(order(t), "0.0.0.0/32 10.0.1.0/24 255.255.255.255/32");
	assert_null(lpm(t, "10.0.3.1"));
	assert_string_equal(radix_value(radix_next_after(t, zeros, 0)), "0.0.0.0/32");
	add(t, "0.0.0.0/0");
	assert_string_equal(order(t), "0.0.0.0/0 0.0.0.0/32 10.0.1.0/24 255.255.255.255/32");

	/* radix_free hands every value back. */
	calls = 0;
	radix_free(t, free_fn, &calls);
	assert_int_equal(calls, 4);
}

static void
test_edges_v6(void **state)
{
	(void)state;
	struct radix *t = radix_new(AF_INET6);
	assert_non_null(t);
	add(t, "::/0");
	add(t, "::/128");
	add(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
	add(t, "2001:db8::/32");
	add(t, "2001:db8::1/128");
	add(t, "2001:db8::/127");
	add(t, "2001:db8:0:0:8000::/65");
	add(t, "64:ff9b::/96");
	assert_string_equal(order(t), "::/0 ::/128 64:ff9b::/96 2001:db8::/32 2001:db8::/127 "
				      "2001:db8::1/128 2001:db8:0:0:8000::/65 "
				      "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
	assert_string_equal(lpm(t, "2001:db8::1"), "2001:db8::1/128");
	assert_string_equal(lpm(t, "2001:db8::"), "2001:db8::/127");
	assert_string_equal(lpm(t, "2001:db8::2"), "2001:db8::/32");
	assert_string_equal(lpm(t, "2001:db8::8000:0:0:1"), "2001:db8:0:0:8000::/65");
	assert_string_equal(lpm(t, "64:ff9b::192.0.2.1"), "64:ff9b::/96");
	assert_string_equal(lpm(t, "2001:db9::1"), "::/0");
	assert_string_equal(lpm(t, "::"), "::/128");
	struct prefix q;
	assert_int_equal(prefix_parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", &q, true, false),
			 0);
	assert_null(radix_next_after(t, q.a, 128));
	assert_string_equal(radix_value(radix_next_after(t, q.a, 127)),
			    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
	assert_null(radix_find(t, q.a, 129));
	assert_null(radix_lpm(t, q.a, 129));
	assert_null(radix_next_after(t, q.a, 129));
	int calls = 0;
	assert_int_equal(radix_walk_sub(t, q.a, 129, count_fn, &calls), 0);
	assert_int_equal(radix_walk_sub(t, q.a, 0, count_fn, &calls), 0);
	assert_int_equal(calls, 8);
	calls = 0;
	assert_int_equal(prefix_parse("2001:db8::/32", &q, false, false), 0);
	assert_int_equal(radix_walk_sub(t, q.a, 32, count_fn, &calls), 0);
	assert_int_equal(calls, 4);
	assert_int_equal(prefix_parse("2001:db8::/31", &q, false, false), 0);
	assert_string_equal(radix_value(radix_next_after(t, q.a, q.len)), "2001:db8::/32");

	/* Emptying the tree gives its slabs back; it then works as new. */
	size_t full = radix_mem_bytes(t);
	while (radix_first(t) != NULL)
		radix_delete(t, radix_first(t));
	assert_int_equal(radix_count(t), 0);
	assert_true(radix_mem_bytes(t) < full);
	add(t, "2001:db8::/32");
	assert_string_equal(order(t), "2001:db8::/32");
	radix_free(t, NULL, NULL);
}

/*
 * The level-compressed tree, written out: 4096 /28s in 172.16.0.0/12 make it bucketed, then
 * short prefixes sit over and between the buckets of 10.0.0.0/8.
 */
static struct radix_node *
next_after(const struct radix *t, const char *s)
{
	struct prefix p;
	assert_int_equal(prefix_parse(s, &p, true, true), 0);
	return radix_next_after(t, p.a, p.len);
}

static const char *
value_or_null(const struct radix_node *n)
{
	return n != NULL ? radix_value(n) : "(null)";
}

static int
walk_sub_count(const struct radix *t, const char *s, size_t stop)
{
	struct prefix p;
	assert_int_equal(prefix_parse(s, &p, true, false), 0);
	struct collect c = {.v = malloc(8192 * sizeof *c.v), .cap = 8192, .stop = stop};
	assert_non_null(c.v);
	int r = radix_walk_sub(t, p.a, p.len, collect_fn, &c);
	if (stop != 0 && c.n == stop)
		assert_int_equal(r, 7);
	else
		assert_int_equal(r, 0);
	for (size_t i = 1; i < c.n; i++)
		assert_ptr_equal(radix_next(t, c.v[i - 1]), c.v[i]);
	free(c.v);
	return (int)c.n;
}

static void
test_buckets_v4(void **state)
{
	(void)state;
	static const char *const shorts[] = {
	    "0.0.0.0/0",   "10.0.0.0/8",     "10.0.0.0/15",	   "10.0.0.0/16", "10.0.255.255/32",
	    "10.1.0.0/16", "10.1.128.0/17",  "10.2.0.0/15",	   "10.3.0.0/24", "11.0.0.0/8",
	    "255.0.0.0/8", "255.255.0.0/16", "255.255.255.255/32",
	};
	const size_t nshort = sizeof shorts / sizeof shorts[0], nfill = 4096;
	struct radix *t = radix_new(AF_INET);
	assert_non_null(t);
	size_t empty = radix_mem_bytes(t);
	for (size_t i = 0; i < nshort; i++)
		add(t, shorts[i]);
	uint8_t *k = malloc(4);
	assert_non_null(k);
	for (size_t i = 0; i < nfill; i++) {
		uint32_t a = 0xac100000u | (uint32_t)i << 4; /* 172.16.0.0/28, ... */
		k[0] = (uint8_t)(a >> 24), k[1] = (uint8_t)(a >> 16);
		k[2] = (uint8_t)(a >> 8), k[3] = (uint8_t)a;
		struct radix_node *n = radix_get(t, k, 28);
		assert_non_null(n);
		radix_set_value(n, (void *)"fill");
	}
	assert_int_equal(radix_count(t), nshort + nfill);
	assert_true(radix_mem_bytes(t) >= empty + RADIX_BUCKETS_BYTES);

	/* Order: short prefixes before the buckets of their slot, after those below it. */
	struct radix_node *n = radix_first(t);
	for (size_t i = 0; i < nshort; i++) {
		assert_non_null(n);
		assert_string_equal(radix_value(n), shorts[i]);
		if (i == 9) { /* after 11.0.0.0/8: the fill, then 255.0.0.0/8 */
			for (size_t j = 0; j < nfill; j++) {
				n = radix_next(t, n);
				assert_string_equal(value_or_null(n), "fill");
			}
		}
		n = radix_next(t, n);
	}
	assert_null(n);

	/* Successors of absent keys around the slot boundaries. */
	assert_string_equal(value_or_null(next_after(t, "10.0.0.0/14")), "10.0.0.0/15");
	assert_string_equal(value_or_null(next_after(t, "10.0.0.0/16")), "10.0.255.255/32");
	assert_string_equal(value_or_null(next_after(t, "10.0.255.255/32")), "10.1.0.0/16");
	assert_string_equal(value_or_null(next_after(t, "10.1.0.0/17")), "10.1.128.0/17");
	assert_string_equal(value_or_null(next_after(t, "10.1.255.255/32")), "10.2.0.0/15");
	/* Bucket 10.2 is empty: bucket 10.3 comes before the short 11.0.0.0/8. */
	assert_string_equal(value_or_null(next_after(t, "10.2.0.0/16")), "10.3.0.0/24");
	assert_string_equal(value_or_null(next_after(t, "10.2.0.0/15")), "10.3.0.0/24");
	assert_string_equal(value_or_null(next_after(t, "10.3.0.0/24")), "11.0.0.0/8");
	assert_string_equal(value_or_null(next_after(t, "10.3.0.0/16")), "10.3.0.0/24");
	assert_string_equal(value_or_null(next_after(t, "12.0.0.0/6")), "fill");
	assert_string_equal(value_or_null(next_after(t, "172.31.255.255/32")), "255.0.0.0/8");
	assert_string_equal(value_or_null(next_after(t, "255.0.0.0/9")), "255.255.0.0/16");
	assert_string_equal(value_or_null(next_after(t, "255.255.255.255/16")),
			    "255.255.255.255/32");
	assert_null(next_after(t, "255.255.255.255/32"));

	/* LPM falls back to the short tree when the bucket has no match. */
	assert_string_equal(lpm(t, "10.0.1.1"), "10.0.0.0/16");
	assert_string_equal(lpm(t, "10.1.1.1"), "10.1.0.0/16");
	assert_string_equal(lpm(t, "10.1.200.1"), "10.1.128.0/17");
	assert_string_equal(lpm(t, "10.3.0.7"), "10.3.0.0/24");
	assert_string_equal(lpm(t, "10.3.1.1"), "10.2.0.0/15");
	assert_string_equal(lpm(t, "10.3.0.0/23"), "10.2.0.0/15");
	assert_string_equal(lpm(t, "10.4.0.1"), "10.0.0.0/8");
	assert_string_equal(lpm(t, "10.0.0.0/15"), "10.0.0.0/15");
	assert_string_equal(lpm(t, "172.16.0.1"), "fill");
	assert_string_equal(lpm(t, "172.32.0.1"), "0.0.0.0/0");

	/* Sub-walks: one bucket, several buckets and the short tree, the whole space. */
	assert_int_equal(walk_sub_count(t, "10.0.0.0/8", 0), 8);
	assert_int_equal(walk_sub_count(t, "10.0.0.0/15", 0), 5);
	assert_int_equal(walk_sub_count(t, "10.0.0.0/15", 3), 3);
	assert_int_equal(walk_sub_count(t, "10.0.0.0/16", 0), 2);
	assert_int_equal(walk_sub_count(t, "10.1.0.0/16", 0), 2);
	assert_int_equal(walk_sub_count(t, "10.2.0.0/15", 0), 2);
	assert_int_equal(walk_sub_count(t, "10.2.0.0/16", 0), 0);
	assert_int_equal(walk_sub_count(t, "255.0.0.0/8", 0), 3);
	assert_int_equal(walk_sub_count(t, "172.16.0.0/16", 0), 4096);
	assert_int_equal(walk_sub_count(t, "172.0.0.0/8", 10), 10);
	int calls = 0;
	assert_int_equal(radix_walk(t, count_fn, &calls), 0);
	assert_int_equal(calls, (int)(nshort + nfill));

	/* Deletes across both parts; the last one gives everything back. */
	assert_string_equal(radix_delete(t, find(t, "10.3.0.0/24")), "10.3.0.0/24");
	assert_string_equal(value_or_null(next_after(t, "10.2.0.0/15")), "11.0.0.0/8");
	assert_string_equal(radix_delete(t, find(t, "10.0.0.0/15")), "10.0.0.0/15");
	assert_string_equal(value_or_null(next_after(t, "10.0.0.0/8")), "10.0.0.0/16");
	assert_string_equal(lpm(t, "10.0.0.0/15"), "10.0.0.0/8");
	calls = 0;
	radix_free(t, free_fn, &calls);
	assert_int_equal(calls, (int)(nshort + nfill - 2));

	/* Emptied by deletes, a bucketed tree is small again. */
	t = radix_new(AF_INET);
	assert_non_null(t);
	for (size_t i = 0; i < nfill; i++) {
		k[0] = 10, k[1] = (uint8_t)(i >> 4), k[2] = (uint8_t)(i << 4), k[3] = 0;
		assert_non_null(radix_get(t, k, 20));
	}
	assert_true(radix_mem_bytes(t) >= empty + RADIX_BUCKETS_BYTES);
	while (radix_first(t) != NULL)
		radix_delete(t, radix_first(t));
	assert_int_equal(radix_mem_bytes(t), empty);
	radix_free(t, NULL, NULL);
	free(k);
}

/*
 * Slabs go back when a large part of the tree goes (issue 7): a stable table of STABLE_N
 * prefixes, then FLAP_ROUNDS tables of FLAP_N others that come and go, each inserted before
 * the previous one is deleted (a peer flapping while its withdrawal is still going out), in
 * random order. Once the last is deleted the tree holds only the stable prefixes and at most
 * one empty slab (the spare) more than before the flaps, none after radix_trim().
 */
#define STABLE_N    20000
#define FLAP_N	    40000
#define FLAP_ROUNDS 8
#define SLAB_MAX    (256 * 1024) /* radix.c: RADIX_SLAB_MAX */

struct flap_key {
	uint8_t a[4];
	uint8_t len;
	struct radix_node *n;
};

/* n keys absent from t, inserted with value v (lengths 16 to 24, so most share buckets). */
static void
flap_insert(struct radix *t, struct flap_key *k, size_t n, void *v)
{
	for (size_t i = 0; i < n; i++) {
		do {
			uint32_t x = (uint32_t)rng();
			k[i].len = (uint8_t)(16 + rng_below(9));
			for (int b = 0; b < 4; b++)
				k[i].a[b] = (uint8_t)(x >> (24 - 8 * b));
			mask_key(k[i].a, k[i].len, 4);
		} while (radix_find(t, k[i].a, k[i].len) != NULL);
		k[i].n = radix_get(t, k[i].a, k[i].len);
		assert_non_null(k[i].n);
		radix_set_value(k[i].n, v);
	}
}

/* Deletes the n keys in random order. */
static void
flap_delete(struct radix *t, struct flap_key *k, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = rng() % i;
		struct flap_key x = k[i - 1];
		k[i - 1] = k[j];
		k[j] = x;
	}
	for (size_t i = 0; i < n; i++) {
		assert_true(radix_find(t, k[i].a, k[i].len) == k[i].n);
		radix_delete(t, k[i].n);
	}
}

static void
test_flap_slabs(void **state)
{
	(void)state;
	struct radix *t = radix_new(AF_INET);
	struct flap_key *stable = calloc(STABLE_N, sizeof *stable);
	struct flap_key *fl[2] = {calloc(FLAP_N, sizeof *fl[0]), calloc(FLAP_N, sizeof *fl[1])};
	assert_non_null(t);
	assert_non_null(stable);
	assert_non_null(fl[0]);
	assert_non_null(fl[1]);
	static int s_val, f_val;
	flap_insert(t, stable, STABLE_N, &s_val);
	size_t base = radix_mem_bytes(t);
	size_t peak = 0;
	for (int r = 0; r < FLAP_ROUNDS; r++) {
		flap_insert(t, fl[r % 2], FLAP_N, &f_val);
		if (radix_mem_bytes(t) > peak)
			peak = radix_mem_bytes(t);
		if (r > 0)
			flap_delete(t, fl[(r + 1) % 2], FLAP_N);
		assert_int_equal(radix_count(t), STABLE_N + FLAP_N);
	}
	flap_delete(t, fl[(FLAP_ROUNDS + 1) % 2], FLAP_N);
	size_t after = radix_mem_bytes(t);
	printf("  stable %d prefixes: %zu bytes; flapping %d: peak %zu, after %zu\n", STABLE_N,
	       base, FLAP_N, peak, after);
	/*
	 * The spare and the slab table grown; and a few slabs may hold only glue nodes: a glue
	 * node of the stable table that became a flapping prefix and glue again was copied into
	 * nodes of other sizes (radix.c), wherever there was room then. radix_trim() moves them.
	 */
	assert_true(after <= base + 4 * SLAB_MAX + 4096);
	radix_trim(t);
	printf("  trimmed: %zu\n", radix_mem_bytes(t));
	assert_true(radix_mem_bytes(t) <= base + 4096);
	assert_int_equal(radix_count(t), STABLE_N);
	for (size_t i = 0; i < STABLE_N; i++)
		assert_true(radix_find(t, stable[i].a, stable[i].len) == stable[i].n);
	assert_true(radix_value(stable[0].n) == &s_val);
	/* Emptied, the tree gives everything back; built again, it costs what it did. */
	for (size_t i = 0; i < STABLE_N; i++)
		radix_delete(t, stable[i].n);
	assert_true(radix_mem_bytes(t) < 1024);
	flap_insert(t, stable, STABLE_N, &s_val);
	assert_true(radix_mem_bytes(t) <= base + SLAB_MAX);
	radix_free(t, NULL, NULL);
	free(stable);
	free(fl[0]);
	free(fl[1]);
}

/*
 * Slabs go back as they empty, not only when the tree does: a tree of SHRINK_N random IPv4
 * prefixes (with its bucket array) loses the nine tenths inserted first, in random order (a
 * peer's table withdrawn while another's stays). The nodes of the rest stay put; the slabs of
 * the prefixes gone hold at most glue of the rest, which radix_trim() moves to lower slabs,
 * (radix_delete() does it too as such slabs pile up), and the memory falls to about that of a
 * tree of the rest.
 */
#define SHRINK_N 300000

static void
test_shrink(void **state)
{
	(void)state;
	struct radix *t = radix_new(AF_INET);
	struct flap_key *k = calloc(SHRINK_N, sizeof *k);
	assert_non_null(t);
	assert_non_null(k);
	static int val;
	size_t empty = radix_mem_bytes(t);
	flap_insert(t, k, SHRINK_N, &val);
	size_t full = radix_mem_bytes(t) - RADIX_BUCKETS_BYTES;
	/* flap_delete() shuffles: the first nine tenths go. */
	flap_delete(t, k, SHRINK_N / 10 * 9);
	struct flap_key *rest = k + SHRINK_N / 10 * 9;
	size_t nrest = SHRINK_N - SHRINK_N / 10 * 9;
	assert_int_equal(radix_count(t), nrest);
	size_t after = radix_mem_bytes(t) - RADIX_BUCKETS_BYTES;
	radix_trim(t);
	size_t trimmed = radix_mem_bytes(t) - RADIX_BUCKETS_BYTES;
	printf("  %d prefixes: %zu bytes of nodes; %zu left: %zu, trimmed %zu\n", SHRINK_N, full,
	       nrest, after, trimmed);
	assert_true(after < full / 2); /* radix_delete() moves the glue too */
	assert_true(trimmed < full / 4);
	for (size_t i = 0; i < nrest; i++) {
		assert_true(radix_find(t, rest[i].a, rest[i].len) == rest[i].n);
		assert_true(radix_value(rest[i].n) == &val);
	}
	/* The rest deleted in address order: slabs empty one after another. */
	flap_delete(t, rest, nrest);
	assert_int_equal(radix_mem_bytes(t), empty);
	radix_free(t, NULL, NULL);
	free(k);
}

/*
 * Glue that becomes a prefix and a prefix that becomes glue (both are copied into a node of
 * another size): the new prefix starts with no value and no user bits, every other handle,
 * value and user bit stays.
 */
static void
test_glue(void **state)
{
	(void)state;
	struct radix *t = radix_new(AF_INET);
	assert_non_null(t);
	struct radix_node *a = add(t, "10.0.0.0/24"), *b = add(t, "10.0.1.0/24");
	struct radix_node *c = add(t, "10.0.0.0/16"); /* over the glue 10.0.0.0/23 */
	radix_set_uflags(a, 0x7fffff);
	radix_set_uflags(b, 0x412345);
	radix_set_uflags(c, 0x1);
	for (int round = 0; round < 3; round++) {
		struct prefix p;
		assert_int_equal(prefix_parse("10.0.0.0/23", &p, false, false), 0);
		assert_null(radix_find(t, p.a, p.len));
		struct radix_node *g = radix_get(t, p.a, p.len);
		assert_non_null(g);
		assert_int_equal(radix_count(t), 4);
		assert_null(radix_value(g));
		assert_int_equal(radix_uflags(g), 0);
		radix_set_value(g, (void *)"10.0.0.0/23");
		radix_set_uflags(g, 0x7fffff);
		assert_string_equal(order(t), "10.0.0.0/16 10.0.0.0/23 10.0.0.0/24 10.0.1.0/24");
		assert_string_equal(lpm(t, "10.0.1.7"), "10.0.1.0/24");
		assert_string_equal(lpm(t, "10.0.0.0/23"), "10.0.0.0/23");
		/* Back to glue. */
		assert_string_equal(radix_delete(t, g), "10.0.0.0/23");
		assert_null(radix_find(t, p.a, p.len));
		assert_string_equal(lpm(t, "10.0.0.0/23"), "10.0.0.0/16");
		assert_ptr_equal(find(t, "10.0.0.0/24"), a);
		assert_ptr_equal(find(t, "10.0.1.0/24"), b);
		assert_ptr_equal(find(t, "10.0.0.0/16"), c);
		assert_int_equal(radix_uflags(a), 0x7fffff);
		assert_int_equal(radix_uflags(b), 0x412345);
		assert_int_equal(radix_uflags(c), 0x1);
		assert_string_equal(order(t), "10.0.0.0/16 10.0.0.0/24 10.0.1.0/24");
#ifdef TEST_ASAN
		/* The deleted node is poisoned (its free link aside). */
		assert_non_null(__asan_region_is_poisoned(g, RADIX_NODE_SIZE_V4 - 8));
#endif
	}
	/* The glue goes with one of its children; the last delete gives everything back. */
	assert_string_equal(radix_delete(t, a), "10.0.0.0/24");
	assert_string_equal(order(t), "10.0.0.0/16 10.0.1.0/24");
	assert_string_equal(radix_delete(t, c), "10.0.0.0/16");
	assert_string_equal(radix_delete(t, b), "10.0.1.0/24");
	assert_null(radix_first(t));
	radix_free(t, NULL, NULL);
}

/* radix_get() as op_insert(), but it may fail (out of memory); NULL then. */
static struct ent *
try_insert(struct fam *f, const uint8_t *a, unsigned len)
{
	uint8_t m[16];
	memcpy(m, a, 16);
	mask_key(m, len, f->kb);
	struct ent *e = ref_find(&f->r, f->kb, m, len);
	struct radix_node *n = radix_get(f->t, tree_key(f, m, m), len);
	if (n == NULL) {
		assert_null(e); /* a stored prefix is found without memory */
		return NULL;
	}
	if (e != NULL) {
		check_node(f, n, e);
		return e;
	}
	assert_null(radix_value(n));
	assert_int_equal(radix_uflags(n), 0);
	e = ref_insert(&f->r, f->kb, m, len);
	e->node = n;
	e->val = f->next_val++;
	e->uf = (uint16_t)rng();
	radix_set_value(n, (void *)e->val);
	radix_set_uflags(n, e->uf);
	return e;
}

static void
delete_prefix(struct fam *f, const uint8_t *a, unsigned len)
{
	struct ent *e = ref_find(&f->r, f->kb, a, len);
	assert_non_null(e);
	assert_true(radix_delete(f->t, e->node) == (void *)e->val);
	ref_remove(&f->r, e);
}

/*
 * Out of memory: radix_new() and radix_get() return NULL and change nothing; a delete always
 * succeeds, a prefix with two children then keeps its node as glue; a tree that cannot get its
 * bucket array works without and tries again at twice the count.
 */
static void
test_alloc_failure(void **state)
{
	(void)state;
	struct fam f;
	fam_init(&f, AF_INET, MIX_NESTED);
	size_t empty_mem = radix_mem_bytes(f.t);
	uint8_t a[16] = {10, 1, 2, 0};

	fail_calloc = true;
	assert_null(radix_new(AF_INET));
	fail_calloc = false;
	fail_slabs = true;
	assert_null(try_insert(&f, a, 24));
	assert_int_equal(radix_count(f.t), 0);
	assert_int_equal(radix_mem_bytes(f.t), empty_mem);
	fail_slabs = false;

	/* 200 prefixes with two children each: 10.x.y.0/23 over its two /24s. */
	for (unsigned i = 0; i < 200; i++) {
		uint8_t k[16] = {10, (uint8_t)(i / 128), (uint8_t)(i % 128 * 2), 0};
		assert_non_null(try_insert(&f, k, 23));
		assert_non_null(try_insert(&f, k, 24));
		k[2]++;
		assert_non_null(try_insert(&f, k, 24));
	}
	/* Fill the slabs: host routes until one fails, and a few more. */
	fail_slabs = true;
	size_t mem = radix_mem_bytes(f.t);
	unsigned failed = 0;
	while (failed < 20) {
		uint8_t k[16] = {11};
		rng_bytes(k + 1, 3);
		failed += try_insert(&f, k, 32) == NULL;
	}
	full_check(&f);
	/* Deletes need no memory: the /23s become glue (most keep their nodes), and prefixes
	 * again. */
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned i = 0; i < 200; i++) {
			uint8_t k[16] = {10, (uint8_t)(i / 128), (uint8_t)(i % 128 * 2), 0};
			delete_prefix(&f, k, 23);
		}
		full_check(&f);
		for (unsigned i = 0; i < 200; i++) {
			uint8_t k[16] = {10, (uint8_t)(i / 128), (uint8_t)(i % 128 * 2), 0};
			if (pass == 0)
				assert_non_null(try_insert(&f, k, 23));
		}
		full_check(&f);
	}
	/* The glue goes with a child. */
	for (unsigned i = 0; i < 200; i += 2) {
		uint8_t k[16] = {10, (uint8_t)(i / 128), (uint8_t)(i % 128 * 2 + 1), 0};
		delete_prefix(&f, k, 24);
	}
	full_check(&f);
	assert_int_equal(radix_mem_bytes(f.t), mem);
	fail_slabs = false;
	for (int op = 0; op < 20000; op++) {
		if (rng_below(2))
			op_insert(&f);
		else
			op_delete(&f);
	}
	full_check(&f);
	while (f.r.n > 0)
		op_delete(&f);
	assert_int_equal(radix_mem_bytes(f.t), empty_mem);

	/* No bucket array at BUCKET_AT prefixes: the tree grows without, and gets it at twice. */
	fail_calloc = true;
	for (unsigned i = 0; i < 3 * BUCKET_AT; i++) {
		uint8_t k[16] = {(uint8_t)(1 + i / 256), (uint8_t)i, 7, 0};
		assert_non_null(try_insert(&f, k, 24));
		if (i == BUCKET_AT + 10) {
			assert_true(radix_mem_bytes(f.t) < RADIX_BUCKETS_BYTES);
			full_check(&f);
			fail_calloc = false;
		}
		if (i + 1 == 2 * BUCKET_AT - 1)
			assert_true(radix_mem_bytes(f.t) < RADIX_BUCKETS_BYTES);
	}
	assert_true(radix_mem_bytes(f.t) > RADIX_BUCKETS_BYTES);
	full_check(&f);
	fam_fini(&f);
}

int
main(void)
{
	const char *env = getenv("RADIX_TEST_SEED");
	uint64_t seed = env != NULL ? strtoull(env, NULL, 0) : (uint64_t)time(NULL);
	rng_state = seed;
	printf("test_radix: seed %llu (RADIX_TEST_SEED=%llu to replay)\n", (unsigned long long)seed,
	       (unsigned long long)seed);

	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_edges_v4),
	    cmocka_unit_test(test_edges_v6),
	    cmocka_unit_test(test_random_v4),
	    cmocka_unit_test(test_random_v6),
	    cmocka_unit_test(test_buckets_v4),
	    cmocka_unit_test(test_random_buckets_v4),
	    cmocka_unit_test(test_random_buckets_v6),
	    cmocka_unit_test(test_bulk),
	    cmocka_unit_test(test_flap_slabs),
	    cmocka_unit_test(test_shrink),
	    cmocka_unit_test(test_glue),
	    cmocka_unit_test(test_alloc_failure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
