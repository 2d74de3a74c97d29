/*
 * PATRICIA tree over prefixes of one family (see radix.h for the contract).
 *
 * Every node carries its prefix: the key (masked to plen, stored inline after the header) and
 * plen. A child's prefix extends its parent's, and bit 'parent->plen' of the child's key says
 * which side it hangs on; single-child chains of absent lengths are skipped (path
 * compression). A node is either a stored prefix or a glue node (a branch point that is not a
 * prefix); a glue node always has two children, so the first stored prefix below any node is
 * found by going left through glue.
 *
 * Nodes have no parent link (it would cost 4 bytes per node): delete and the upward step of
 * an in-order walk descend again from the root, which is O(key bits) like every operation.
 * Key comparison works on 32-bit big-endian words, so each level costs a word xor and a count
 * of leading zeros.
 *
 * Level compression at the root: an IPv4 tree that reaches RADIX_BUCKET_AT prefixes (a full
 * table, not the small trees of xlat) gets an array of 2^RADIX_STRIDE (2^20) buckets, one per
 * value of the first RADIX_STRIDE key bits (the slot). Bucket s is its own PATRICIA tree
 * holding the prefixes of length RADIX_STRIDE or more in slot s; the shorter ones stay in the
 * root tree (the short tree). A lookup in a full IPv4 table then chases one or two nodes
 * instead of 25, each a cache miss. The nodes are not moved when the array appears: the
 * subtrees of length >= RADIX_STRIDE are unhooked from the tree and hung in their buckets,
 * and the glue left with fewer than two children is freed. In iteration order, a short prefix
 * of slot s (its masked key's first RADIX_STRIDE bits) comes after every bucket below s and
 * before bucket s itself, so first/next/next_after/walk merge the short tree with the buckets
 * by that rule. Two slot sets (a bitmap summarised by a second one, a few word reads to find
 * the next member) say which buckets are not empty and which slots have short prefixes: the
 * successor of a bucket's last prefix is then the next bucket's first, without a descent of
 * the short tree, unless a short prefix lies in between. The array stays until the tree
 * becomes empty.
 *
 * Memory: the tree owns its nodes, carved from slabs that are never moved (node handles stay
 * valid). Links between nodes (children, the roots, the buckets, the free lists) are 32-bit
 * indices, 0 for none: the offset of the node in 8-byte units in the tree's index space. The
 * index space is cut into slabs: slab 0 holds units [0, 64) (unit 0 is never used), slab j of
 * 1..9 units [2^(j+5), 2^(j+6)), and from unit 2^15 on every slab holds 2^15 units (256 KiB);
 * so a small tree (next hops, mappings) allocates 440 bytes, not a whole slab. An index is
 * turned into its node by a shift, a load from the slab table (which holds each slab's
 * address less the offset of its first unit, see node_at()) and an add of 8 times the index,
 * which the load of a node's field does itself. A stored prefix keeps its value in the 8
 * bytes before its node (the node and its handle point past it); a glue node has no value. So
 * an IPv4 prefix takes 24 bytes and an IPv4 glue node 16 (IPv6: 40 and 32): glue that becomes
 * a prefix is copied into a node with a value, and a prefix that becomes glue into one
 * without (or keeps its bytes, marked RADIX_FAT, when that allocation fails). A slab
 * allocates its span less one cache line, so that a slab of a large tree (mapped by malloc)
 * does not touch one more page for its last bytes. Freed nodes go to one free list per size,
 * threaded through child[0]; the slabs and the bucket array go back to malloc when the tree
 * becomes empty. Values belong to the caller.
 */
#include "lib/radix.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define RADIX_GLUE	0x01
#define RADIX_FAT	0x02 /* with RADIX_GLUE: glue in a node with a value slot */
#define RADIX_CACHELINE 64
#define RADIX_MAX_DEPTH 129 /* nodes on a path from the root: lengths 0..128 at most */

/* Slabs (see above). Units of the index space are RADIX_UNIT bytes. */
#define RADIX_UNIT	 8
#define RADIX_SLAB_SHIFT 15 /* units of a slab from unit 2^RADIX_SLAB_SHIFT on */
#define RADIX_SLAB_MIN	 64 /* units of slab 0 */
/* Slabs of the units below 2^RADIX_SLAB_SHIFT: 0 and 1..9, doubling from RADIX_SLAB_MIN. */
#define RADIX_SMALL_SLABS (RADIX_SLAB_SHIFT - 5)
#define RADIX_EVAC_MIN	  4	     /* see evacuate_all() */
#define RADIX_NONE	  UINT32_MAX /* no slab */

#define RADIX_STRIDE	20 /* key bits resolved by the bucket array */
#define RADIX_NBUCKET	(1u << RADIX_STRIDE)
#define RADIX_BUCKET_AT 4096 /* prefixes at which a tree gets its bucket array */

/*
 * A node: what a descent reads, 16 bytes for IPv4. A stored prefix has its value in the
 * RADIX_UNIT bytes before (see value_slot()).
 */
struct radix_node {
	uint32_t child[2]; /* node indices, 0 for none */
	uint8_t plen;
	uint8_t flags;	 /* RADIX_GLUE (and RADIX_FAT), or bits 1..7: the user bits 16..22 */
	uint16_t uflags; /* user bits 0..15 */
	uint8_t key[];	 /* 4 or 16 bytes, masked to plen */
};

/* Units of a glue node; a stored prefix has one more, for its value. */
#define GLUE_UNITS(kbytes) ((offsetof(struct radix_node, key) + (kbytes) + 7) / RADIX_UNIT)

_Static_assert(sizeof(void *) <= RADIX_UNIT, "a value fits in a unit");
_Static_assert(RADIX_UNIT *(GLUE_UNITS(4) + 1) == RADIX_NODE_SIZE_V4, "RADIX_NODE_SIZE_V4");
_Static_assert(RADIX_UNIT *(GLUE_UNITS(16) + 1) == RADIX_NODE_SIZE_V6, "RADIX_NODE_SIZE_V6");

/* A set of slots: a bitmap, and a summary bitmap of its non-zero words. */
struct radix_slots {
	uint64_t occ[RADIX_NBUCKET / 64];      /* bit s % 64 of word s / 64: slot s is in */
	uint64_t sum[RADIX_NBUCKET / 64 / 64]; /* bit w % 64 of word w / 64: occ[w] != 0 */
};

/* The level-compressed root: bucket s holds the prefixes of length >= RADIX_STRIDE in slot s. */
struct radix_buckets {
	uint32_t root[RADIX_NBUCKET]; /* node indices, 0 for an empty bucket */
	struct radix_slots full;      /* root[s] != 0 */
	struct radix_slots shorts;    /* the short tree holds a prefix of slot s */
};

_Static_assert(sizeof(struct radix_buckets) == RADIX_BUCKETS_BYTES, "RADIX_BUCKETS_BYTES");

/* A slab's own free lists and counts (see "Memory" above). */
struct radix_slab {
	uint32_t free[2]; /* free lists through child[0]: glue nodes, nodes with a value */
	uint32_t next;	  /* units [next, slab_end()) were never handed out */
	uint32_t live;	  /* nodes in use */
	uint32_t glue;	  /* of which glue (no handle points to them: they may move) */
};

struct radix {
	/*
	 * Slab j: the address its unit 0 would have if the index space started at unit 0 of
	 * the slab's memory, as an integer, or 0 when the slab is not allocated; the node of
	 * index i in slab j is at base[j] + i * RADIX_UNIT (see node_at()).
	 */
	uintptr_t *base;
	struct radix_buckets *bk;
	struct radix_slab *slab; /* slabs_cap entries, beside base */
	uint64_t *room[2];	 /* bit j: slab j has room for a glue node / a node with a value */
	uint32_t low[2];	 /* the words of room[] below low[] are 0 */
	uint32_t root;		 /* the whole tree, or the short tree when bk is set */
	uint32_t nslabs;	 /* entries of base up to the last allocated slab */
	uint32_t slabs_cap;	 /* entries of base and slab, bits of room[] */
	uint32_t spare;		 /* the empty slab kept, or RADIX_NONE */
	uint32_t glue_only;	 /* slabs whose nodes in use are all glue */
	uint32_t evac_at;	 /* glue_only at which radix_delete() moves that glue */
	size_t slab_bytes;	 /* sum of slab sizes */
	size_t count;		 /* stored prefixes */
	size_t bucket_at;	 /* count at which bk is made (doubled when that fails) */
	uint8_t af;		 /* AF_INET or AF_INET6 */
	uint8_t kbytes;		 /* 4 or 16 */
	uint8_t bits;		 /* 32 or 128 */
	uint8_t gunits;		 /* units of a glue node */
};

/* Slab allocator. Under ASan, slots that are not in use are poisoned. */

#include "lib/asan.h"

/* The first unit of slab j. */
static uint64_t
slab_lo(uint32_t j)
{
	if (j < RADIX_SMALL_SLABS)
		return j == 0 ? 0 : (uint64_t)RADIX_SLAB_MIN << (j - 1);
	return (uint64_t)(j - RADIX_SMALL_SLABS + 1) << RADIX_SLAB_SHIFT;
}

/* The first unit in use of slab j (unit 0 is never used: index 0 means none). */
static uint64_t
slab_first(uint32_t j)
{
	return j == 0 ? 1 : slab_lo(j);
}

/* Units allocated in slab j: one cache line short of its span (see the top of the file). */
static uint64_t
slab_units(uint32_t j)
{
	return slab_lo(j + 1) - RADIX_CACHELINE / RADIX_UNIT - slab_first(j);
}

/* The slab of index i (not 0). */
static inline uint32_t
slab_of(uint32_t i)
{
	uint32_t j = i >> RADIX_SLAB_SHIFT;
	if (__builtin_expect(j != 0, 1))
		return j + RADIX_SMALL_SLABS - 1;
	/* i in [2^p, 2^(p+1)) with p >= 6 is in slab p - 5, below 64 in slab 0 */
	return 26 - (uint32_t)__builtin_clz(i | (RADIX_SLAB_MIN / 2));
}

/* The node of index i (not 0). */
static inline struct radix_node *
node_at(const struct radix *t, uint32_t i)
{
	return (struct radix_node *)(t->base[slab_of(i)] + (uintptr_t)i * RADIX_UNIT);
}

/* Where a stored prefix keeps its value: the unit before its node. */
static inline void **
value_slot(const struct radix_node *n)
{
	return (void **)(uintptr_t)((uintptr_t)n - RADIX_UNIT);
}

/* One past the last unit allocated in slab j. */
static uint64_t
slab_end(uint32_t j)
{
	return slab_first(j) + slab_units(j);
}

static inline int
is_glue(const struct radix_node *n)
{
	return (n->flags & RADIX_GLUE) != 0;
}

/* Whether n has a value slot: a stored prefix, or glue that kept one. */
static inline int
is_fat(const struct radix_node *n)
{
	return (n->flags & (RADIX_GLUE | RADIX_FAT)) != RADIX_GLUE;
}

static void
room_set(struct radix *t, int fat, uint32_t j, int on)
{
	uint64_t bit = (uint64_t)1 << (j % 64);
	if (on) {
		t->room[fat][j / 64] |= bit;
		if (j / 64 < t->low[fat])
			t->low[fat] = j / 64;
	} else {
		t->room[fat][j / 64] &= ~bit;
	}
}

/* Recomputes the room bits of the allocated slab j. */
static void
room_update(struct radix *t, uint32_t j)
{
	const struct radix_slab *s = &t->slab[j];
	uint64_t left = slab_end(j) - s->next;
	room_set(t, 0, j, s->free[0] != 0 || left >= t->gunits);
	room_set(t, 1, j, s->free[1] != 0 || left >= t->gunits + 1u);
}

/* The lowest slab with room for a node (with a value when 'fat'), or RADIX_NONE. */
static uint32_t
room_first(struct radix *t, int fat)
{
	uint32_t words = (t->nslabs + 63) / 64;
	for (uint32_t w = t->low[fat]; w < words; w++) {
		uint64_t x = t->room[fat][w];
		if (x != 0) {
			t->low[fat] = w;
			return w * 64 + (uint32_t)__builtin_ctzll(x);
		}
	}
	t->low[fat] = words;
	return RADIX_NONE;
}

/* Whether slab j has nodes in use, all of them glue (counted in glue_only). */
static inline int
glue_only(const struct radix_slab *s)
{
	return s->live != 0 && s->live == s->glue;
}

/* Words of a room bitmap for cap slabs. */
#define ROOM_WORDS(cap) (((cap) + 63u) / 64u)

/* Grows the slab table to hold entry j; on out of memory it stays as it was. */
static int
table_grow(struct radix *t, uint32_t j)
{
	if (j < t->slabs_cap)
		return 0;
	uint32_t cap = t->slabs_cap ? 2 * t->slabs_cap : 4, w0 = ROOM_WORDS(t->slabs_cap);
	while (cap <= j)
		cap *= 2;
	uintptr_t *b = realloc(t->base, cap * sizeof *b);
	if (b == NULL)
		return -1;
	t->base = b;
	struct radix_slab *s = realloc(t->slab, cap * sizeof *s);
	if (s == NULL)
		return -1;
	t->slab = s;
	for (int k = 0; k < 2; k++) {
		uint64_t *r = realloc(t->room[k], ROOM_WORDS(cap) * sizeof *r);
		if (r == NULL)
			return -1;
		memset(r + w0, 0, (ROOM_WORDS(cap) - w0) * sizeof *r);
		t->room[k] = r;
	}
	memset(t->base + t->slabs_cap, 0, (cap - t->slabs_cap) * sizeof *b);
	t->slabs_cap = cap;
	return 0;
}

/* Allocates a slab at the lowest free entry of the table: its number, or RADIX_NONE. */
static uint32_t
slab_new(struct radix *t)
{
	uint32_t j = 0;
	while (j < t->nslabs && t->base[j] != 0)
		j++;
	if (slab_lo(j + 1) > (uint64_t)UINT32_MAX + 1)
		return RADIX_NONE; /* the index space is full */
	size_t bytes = (size_t)slab_units(j) * RADIX_UNIT;
	void *slab;
	if (posix_memalign(&slab, RADIX_CACHELINE, bytes) != 0)
		return RADIX_NONE;
	if (table_grow(t, j) < 0) {
		free(slab);
		return RADIX_NONE;
	}
	t->base[j] = (uintptr_t)slab - (uintptr_t)slab_first(j) * RADIX_UNIT;
	if (j == t->nslabs)
		t->nslabs++;
	t->slab_bytes += bytes;
	t->slab[j] = (struct radix_slab){.next = (uint32_t)slab_first(j)};
	room_update(t, j);
	POISON(slab, bytes);
	return j;
}

/* Returns the memory of slab j, which has no node in use. */
static void
slab_drop(struct radix *t, uint32_t j)
{
	void *slab = (void *)(t->base[j] + (uintptr_t)slab_first(j) * RADIX_UNIT);
	size_t bytes = (size_t)slab_units(j) * RADIX_UNIT;
	UNPOISON(slab, bytes);
	free(slab);
	t->base[j] = 0;
	t->slab_bytes -= bytes;
	room_set(t, 0, j, 0);
	room_set(t, 1, j, 0);
	while (t->nslabs > 0 && t->base[t->nslabs - 1] == 0)
		t->nslabs--;
}

/*
 * Slab j has just lost its last node: it becomes the spare (its free lists dropped, all of it
 * unused again), or, when there is one already, the higher of the two goes back to malloc.
 */
static void
slab_empty(struct radix *t, uint32_t j)
{
	if (t->spare != RADIX_NONE) {
		uint32_t drop = t->spare > j ? t->spare : j;
		t->spare = t->spare > j ? j : t->spare;
		slab_drop(t, drop);
		if (drop == j)
			return;
	}
	t->spare = j;
	struct radix_slab *s = &t->slab[j];
	s->free[0] = s->free[1] = 0;
	s->next = (uint32_t)slab_first(j);
	room_update(t, j);
	POISON((void *)(t->base[j] + (uintptr_t)slab_first(j) * RADIX_UNIT),
	       (size_t)slab_units(j) * RADIX_UNIT);
}

/* Returns every slab to malloc; only when no node is in use. */
static void
slab_release(struct radix *t)
{
	for (uint32_t j = 0; j < t->nslabs; j++) {
		if (t->base[j] == 0)
			continue;
		void *slab = (void *)(t->base[j] + (uintptr_t)slab_first(j) * RADIX_UNIT);
		UNPOISON(slab, (size_t)slab_units(j) * RADIX_UNIT);
		free(slab);
	}
	free(t->base);
	free(t->slab);
	free(t->room[0]);
	free(t->room[1]);
	t->base = NULL;
	t->slab = NULL;
	t->room[0] = t->room[1] = NULL;
	t->low[0] = t->low[1] = 0;
	t->nslabs = t->slabs_cap = 0;
	t->spare = RADIX_NONE;
	t->glue_only = 0;
	t->evac_at = RADIX_EVAC_MIN;
	t->slab_bytes = 0;
}

/* Slab j's count of glue changes by d (+1 or -1) with its count of nodes by l. */
static inline void
slab_count(struct radix *t, struct radix_slab *s, int l, int d)
{
	int was = glue_only(s);
	s->live += (uint32_t)l;
	s->glue += (uint32_t)d;
	t->glue_only += (uint32_t)(glue_only(s) - was);
}

/*
 * A node from the lowest slab with room (a new slab when none has), with a value slot when
 * 'fat' (a stored prefix) and without otherwise (glue): its index (0 on out of memory) and *np.
 */
static uint32_t
node_alloc(struct radix *t, int fat, struct radix_node **np)
{
	uint32_t units = t->gunits + (uint32_t)fat, j = room_first(t, fat), i;
	if (j == RADIX_NONE && (j = slab_new(t)) == RADIX_NONE)
		return 0;
	struct radix_slab *s = &t->slab[j];
	struct radix_node *n;
	if (s->free[fat] != 0) {
		i = s->free[fat];
		n = node_at(t, i);
		s->free[fat] = n->child[0];
	} else {
		i = s->next + (uint32_t)fat;
		s->next += units;
		n = node_at(t, i);
	}
	if (s->live == 0 && j == t->spare)
		t->spare = RADIX_NONE;
	slab_count(t, s, 1, !fat);
	/* The room bits can only go off, and only when the unallocated rest is short. */
	if (slab_end(j) - s->next < t->gunits + 1u)
		room_update(t, j);
	UNPOISON((char *)n - fat * RADIX_UNIT, units * RADIX_UNIT);
	*np = n;
	return i;
}

/* n is the node of index i. */
static void
node_free(struct radix *t, uint32_t i, struct radix_node *n)
{
	int fat = is_fat(n);
	uint32_t j = slab_of(i);
	struct radix_slab *s = &t->slab[j];
	n->child[0] = s->free[fat];
	s->free[fat] = i;
	slab_count(t, s, -1, -is_glue(n));
	/* Under ASan, a handle used after its delete is reported; the free link stays readable. */
	if (fat)
		POISON(value_slot(n), RADIX_UNIT);
	POISON(&n->child[1], t->gunits * RADIX_UNIT - offsetof(struct radix_node, child[1]));
	if (s->live == 0)
		slab_empty(t, j);
	else
		room_set(t, fat, j, 1);
}

/* Node n (glue or not, of index i) becomes glue (d = 1) or a stored prefix (d = -1) in place. */
static void
node_reglue(struct radix *t, uint32_t i, int d)
{
	slab_count(t, &t->slab[slab_of(i)], 0, d);
}

/* Keys. */

static inline uint32_t
load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* First bit where a and b differ, or limit when their first limit bits are equal. */
static inline unsigned
key_diff(const uint8_t *a, const uint8_t *b, unsigned limit)
{
	for (unsigned w = 0; w * 32 < limit; w++) {
		uint32_t x = load_be32(a + 4 * w) ^ load_be32(b + 4 * w);
		if (x != 0) {
			unsigned d = w * 32 + (unsigned)__builtin_clz(x);
			return d < limit ? d : limit;
		}
	}
	return limit;
}

/* A new node of (key, plen): its index (0 on out of memory) and *np. */
static uint32_t
node_new(struct radix *t, const uint8_t *key, unsigned plen, uint8_t flags, struct radix_node **np)
{
	struct radix_node *n;
	int fat = !(flags & RADIX_GLUE);
	uint32_t i = node_alloc(t, fat, &n);
	if (i == 0)
		return 0;
	n->child[0] = n->child[1] = 0;
	if (fat)
		*value_slot(n) = NULL;
	n->plen = (uint8_t)plen;
	n->flags = flags;
	n->uflags = 0;
	unsigned full = plen / 8, rem = plen % 8;
	memcpy(n->key, key, full);
	if (rem != 0)
		n->key[full++] = key[plen / 8] & (uint8_t)(0xffu << (8 - rem));
	memset(n->key + full, 0, t->kbytes - full);
	*np = n;
	return i;
}

/*
 * The first stored prefix of the subtree of node i (i itself when stored). Iteration goes on
 * below it or in the right sibling of a glue passed on the way down, so those are prefetched:
 * a walk over a large tree is a chain of cache misses otherwise. (Written out here: GCC drops
 * a prefetch wrapped in a function of its own, which it deems free of side effects.)
 */
static struct radix_node *
subtree_first(const struct radix *t, uint32_t i)
{
	struct radix_node *n = node_at(t, i);
	while (is_glue(n)) {
		__builtin_prefetch(node_at(t, n->child[1]));
		n = node_at(t, n->child[0]);
	}
	if (n->child[0] != 0)
		__builtin_prefetch(node_at(t, n->child[0]));
	if (n->child[1] != 0)
		__builtin_prefetch(node_at(t, n->child[1]));
	return n;
}

/* Buckets. */

/* The slot of a key: its first RADIX_STRIDE (20) bits. */
static inline unsigned
key_slot(const uint8_t *key)
{
	return (unsigned)key[0] << 12 | (unsigned)key[1] << 4 | key[2] >> 4;
}

/* The slot of (key, plen) with plen < RADIX_STRIDE: the first 20 bits, masked to plen. */
static inline unsigned
short_slot(const uint8_t *key, unsigned plen)
{
	return key_slot(key) & (0xfffffu << (RADIX_STRIDE - plen)) & 0xfffffu;
}

static void
slots_add(struct radix_slots *x, unsigned s)
{
	x->occ[s / 64] |= (uint64_t)1 << (s % 64);
	x->sum[s / 4096] |= (uint64_t)1 << (s / 64 % 64);
}

static void
slots_del(struct radix_slots *x, unsigned s)
{
	x->occ[s / 64] &= ~((uint64_t)1 << (s % 64));
	if (x->occ[s / 64] == 0)
		x->sum[s / 4096] &= ~((uint64_t)1 << (s / 64 % 64));
}

/* The first slot of the set from slot 'from' on, or RADIX_NBUCKET. */
static unsigned
slots_scan(const struct radix_slots *x, unsigned from)
{
	if (from >= RADIX_NBUCKET)
		return RADIX_NBUCKET;
	unsigned w = from / 64;
	uint64_t m = x->occ[w] & (~(uint64_t)0 << (from % 64));
	if (m != 0)
		return w * 64 + (unsigned)__builtin_ctzll(m);
	for (unsigned v = w + 1; v < RADIX_NBUCKET / 64;) {
		uint64_t y = x->sum[v / 64] & (~(uint64_t)0 << (v % 64));
		if (y != 0) {
			v = v / 64 * 64 + (unsigned)__builtin_ctzll(y);
			return v * 64 + (unsigned)__builtin_ctzll(x->occ[v]);
		}
		v = (v / 64 + 1) * 64;
	}
	return RADIX_NBUCKET;
}

/* The first non-empty bucket from slot 'from' on, or RADIX_NBUCKET. */
static inline unsigned
bucket_scan(const struct radix_buckets *bk, unsigned from)
{
	return slots_scan(&bk->full, from);
}

/* One PATRICIA tree (the whole tree, the short tree or a bucket), given by its root index. */

static struct radix_node *
tree_find(const struct radix *t, uint32_t i, const uint8_t *key, unsigned plen)
{
	while (i != 0) {
		struct radix_node *n = node_at(t, i);
		if (n->plen > plen || key_diff(key, n->key, n->plen) < n->plen)
			return NULL;
		if (n->plen == plen)
			return is_glue(n) ? NULL : n;
		i = n->child[bit_get(key, n->plen)];
	}
	return NULL;
}

static struct radix_node *
tree_lpm(const struct radix *t, uint32_t i, const uint8_t *key, unsigned plen)
{
	struct radix_node *best = NULL;
	while (i != 0) {
		struct radix_node *n = node_at(t, i);
		if (n->plen > plen || key_diff(key, n->key, n->plen) < n->plen)
			break;
		if (!is_glue(n))
			best = n;
		if (n->plen == plen)
			break;
		i = n->child[bit_get(key, n->plen)];
	}
	return best;
}

/*
 * Inserts (key, plen) at *link, whose node does not cover it: either (key, plen) covers that
 * node (d == plen) and becomes its parent, or they part at bit d and a glue node joins them.
 */
static struct radix_node *
insert_at(struct radix *t, uint32_t *link, const uint8_t *key, unsigned plen, unsigned d)
{
	uint32_t ni = *link;
	const struct radix_node *n = node_at(t, ni);
	struct radix_node *leaf, *glue;
	uint32_t li = node_new(t, key, plen, 0, &leaf);
	if (li == 0)
		return NULL;
	if (d == plen) {
		leaf->child[bit_get(n->key, plen)] = ni;
		*link = li;
	} else {
		uint32_t gi = node_new(t, key, d, RADIX_GLUE, &glue);
		if (gi == 0) {
			node_free(t, li, leaf);
			return NULL;
		}
		unsigned b = bit_get(key, d);
		glue->child[b] = li;
		glue->child[!b] = ni;
		*link = gi;
	}
	t->count++;
	return leaf;
}

/* The glue node n at *link becomes a stored prefix (value NULL, user bits clear); NULL on out of
 * memory. */
static struct radix_node *
glue_to_prefix(struct radix *t, uint32_t *link, struct radix_node *n)
{
	if (!(n->flags & RADIX_FAT)) {
		struct radix_node *m;
		uint32_t mi = node_alloc(t, 1, &m);
		if (mi == 0)
			return NULL;
		memcpy(m, n, offsetof(struct radix_node, key) + t->kbytes);
		node_free(t, *link, n);
		*link = mi;
		n = m;
	} else {
		node_reglue(t, *link, -1);
	}
	n->flags = 0;
	n->uflags = 0;
	*value_slot(n) = NULL;
	t->count++;
	return n;
}

/* The stored prefix n at *link becomes glue, in a node without a value when there is memory. */
static void
prefix_to_glue(struct radix *t, uint32_t *link, struct radix_node *n)
{
	struct radix_node *g;
	uint32_t gi = node_alloc(t, 0, &g);
	if (gi == 0) {
		node_reglue(t, *link, 1);
		n->flags = RADIX_GLUE | RADIX_FAT;
		n->uflags = 0;
		*value_slot(n) = NULL;
		return;
	}
	memcpy(g, n, offsetof(struct radix_node, key) + t->kbytes);
	g->flags = RADIX_GLUE;
	g->uflags = 0;
	uint32_t ni = *link;
	*link = gi;
	node_free(t, ni, n);
}

/* radix_get() in the tree rooted at *link. */
static struct radix_node *
tree_get(struct radix *t, uint32_t *link, const uint8_t *key, unsigned plen)
{
	struct radix_node *n;
	uint32_t i;
	while ((i = *link) != 0) {
		n = node_at(t, i);
		unsigned lim = n->plen < plen ? n->plen : plen;
		unsigned d = key_diff(key, n->key, lim);
		if (d < lim || n->plen > plen)
			return insert_at(t, link, key, plen, d);
		if (n->plen == plen)
			return is_glue(n) ? glue_to_prefix(t, link, n) : n;
		link = &n->child[bit_get(key, n->plen)];
	}
	i = node_new(t, key, plen, 0, &n);
	if (i == 0)
		return NULL;
	*link = i;
	t->count++;
	return n;
}

/*
 * Whether the chain of child[0] links from node i holds a stored prefix of slot s before it
 * leaves the slot: the prefixes of a slot below one of them all lie on that chain (their keys
 * are the same).
 */
static int
slot_chain(const struct radix *t, uint32_t i, unsigned s)
{
	for (; i != 0; i = node_at(t, i)->child[0]) {
		const struct radix_node *n = node_at(t, i);
		if (n->plen >= RADIX_STRIDE || key_slot(n->key) != s)
			return 0;
		if (!is_glue(n))
			return 1;
	}
	return 0;
}

/*
 * radix_delete() of n from the tree rooted at *root, which holds it. With 'kept' (a short
 * tree), *kept is set when another stored prefix of n's slot remains: above n on its path, or
 * below it (slot_chain()).
 */
static void *
tree_delete(struct radix *t, uint32_t *root, struct radix_node *n, int *kept)
{
	/* The link to n and the one to its parent p, found by descending along n's key. */
	uint32_t *plink = NULL, *link = root;
	struct radix_node *p = NULL, *x;
	unsigned s = key_slot(n->key);
	while ((x = node_at(t, *link)) != n) {
		assert(*link != 0 && x->plen < n->plen);
		if (kept != NULL && !is_glue(x) && key_slot(x->key) == s)
			*kept = 1;
		plink = link;
		p = x;
		link = &x->child[bit_get(n->key, x->plen)];
	}
	void *value = *value_slot(n);
	t->count--;
	if (n->child[0] != 0 && n->child[1] != 0) {
		if (kept != NULL && slot_chain(t, n->child[0], s))
			*kept = 1;
		prefix_to_glue(t, link, n);
		return value;
	}
	uint32_t c = n->child[0] != 0 ? n->child[0] : n->child[1];
	if (kept != NULL && slot_chain(t, c, s))
		*kept = 1;
	node_free(t, *link, n);
	*link = c;
	if (c == 0 && p != NULL && is_glue(p)) {
		/* The parent lost a child: as glue, it has no reason to stay. */
		uint32_t pi = *plink;
		*plink = p->child[0] != 0 ? p->child[0] : p->child[1];
		node_free(t, pi, p);
	}
	return value;
}

/*
 * The first stored prefix of the tree rooted at node i strictly after (key, plen). Descends
 * along (key, plen) and remembers, as succ, the last right subtree passed by on the left:
 * everything in it comes after the query, and nothing found deeper lies beyond it.
 */
static struct radix_node *
tree_next_after(const struct radix *t, uint32_t i, const uint8_t *key, unsigned plen)
{
	uint32_t succ = 0;
	while (i != 0) {
		const struct radix_node *n = node_at(t, i);
		unsigned lim = n->plen < plen ? n->plen : plen;
		unsigned d = key_diff(key, n->key, lim);
		if (d < lim) {
			/* They part at bit d: the subtree lies wholly before or after the query. */
			if (bit_get(key, d) == 0)
				return subtree_first(t, i);
			break;
		}
		if (n->plen > plen) /* the query covers n: n and its subtree come after it */
			return subtree_first(t, i);
		if (n->plen == plen) {
			if (n->child[0] != 0)
				return subtree_first(t, n->child[0]);
			if (n->child[1] != 0)
				return subtree_first(t, n->child[1]);
			break;
		}
		unsigned b = bit_get(key, n->plen);
		if (b == 0 && n->child[1] != 0)
			succ = n->child[1];
		i = n->child[b];
	}
	return succ != 0 ? subtree_first(t, succ) : NULL;
}

/* The successor of n in the tree rooted at node root, which holds it. */
static struct radix_node *
tree_next(const struct radix *t, uint32_t root, const struct radix_node *n)
{
	if (n->child[0] != 0)
		return subtree_first(t, n->child[0]);
	if (n->child[1] != 0)
		return subtree_first(t, n->child[1]);
	return tree_next_after(t, root, n->key, n->plen);
}

/* The top of the subtree of the tree rooted at node i covered by (key, plen), or 0. */
static uint32_t
tree_sub(const struct radix *t, uint32_t i, const uint8_t *key, unsigned plen)
{
	while (i != 0) {
		const struct radix_node *n = node_at(t, i);
		if (n->plen >= plen)
			return key_diff(key, n->key, plen) < plen ? 0 : i;
		if (key_diff(key, n->key, n->plen) < n->plen)
			return 0;
		i = n->child[bit_get(key, n->plen)];
	}
	return 0;
}

/*
 * Pre-order walk of the subtree of top; the stack holds at most one pending node per level. A
 * right child waits for the subtree on its left, so it is prefetched when pushed.
 */
static int
walk_from(const struct radix *t, uint32_t top, int (*fn)(struct radix_node *n, void *arg),
	  void *arg)
{
	uint32_t stack[RADIX_MAX_DEPTH + 2];
	unsigned sp = 0;
	if (top != 0)
		stack[sp++] = top;
	while (sp > 0) {
		struct radix_node *n = node_at(t, stack[--sp]);
		if (n->child[1] != 0) {
			__builtin_prefetch(node_at(t, n->child[1]));
			stack[sp++] = n->child[1];
		}
		if (n->child[0] != 0)
			stack[sp++] = n->child[0];
		if (!is_glue(n)) {
			int r = fn(n, arg);
			if (r != 0)
				return r;
		}
	}
	return 0;
}

/* Merging the short tree with the buckets. */

/*
 * The first in order of s (a stored prefix of the short tree, or NULL) and the first prefix of
 * the buckets from slot 'from' on, when every short prefix before s has been passed and
 * 'from' is at most the slot of s: s comes first when its slot is at most the bucket's.
 */
static struct radix_node *
merge_first(const struct radix *t, struct radix_node *s, unsigned from)
{
	unsigned b = bucket_scan(t->bk, from);
	if (b < RADIX_NBUCKET && (s == NULL || b < key_slot(s->key)))
		return subtree_first(t, t->bk->root[b]);
	return s;
}

/*
 * The first stored prefix after everything of slot s (short prefixes and bucket). The short
 * prefixes after slot s are those of the slots above it; unless one of them comes before the
 * next bucket, that bucket is the answer without a descent of the short tree.
 */
static struct radix_node *
after_slot(const struct radix *t, unsigned s)
{
	if (s + 1 >= RADIX_NBUCKET)
		return NULL;
	unsigned b = bucket_scan(t->bk, s + 1);
	if (slots_scan(&t->bk->shorts, s + 1) > b)
		return b < RADIX_NBUCKET ? subtree_first(t, t->bk->root[b]) : NULL;
	struct radix_node *sh = NULL;
	if (t->root != 0) {
		/* The last address of slot s as a host route: the short prefixes after it. */
		uint8_t key[16];
		memset(key, 0xff, sizeof key);
		key[0] = (uint8_t)(s >> 12);
		key[1] = (uint8_t)(s >> 4);
		key[2] = (uint8_t)(s << 4 | 0x0f);
		sh = tree_next_after(t, t->root, key, t->bits);
	}
	return merge_first(t, sh, s + 1);
}

/* Walks the non-empty buckets of slots [lo, hi); the root of the next one is prefetched. */
static int
walk_buckets(const struct radix *t, unsigned lo, unsigned hi,
	     int (*fn)(struct radix_node *n, void *arg), void *arg)
{
	unsigned s = bucket_scan(t->bk, lo);
	while (s < hi) {
		unsigned next = bucket_scan(t->bk, s + 1);
		if (next < hi)
			__builtin_prefetch(node_at(t, t->bk->root[next]));
		int r = walk_from(t, t->bk->root[s], fn, arg);
		if (r != 0)
			return r;
		s = next;
	}
	return 0;
}

/*
 * Walks the subtree of top (in the short tree; 0 for none) merged with the buckets of slots
 * [lo, hi), which must hold the slots of that subtree's prefixes.
 */
static int
walk_merged(const struct radix *t, uint32_t top, unsigned lo, unsigned hi,
	    int (*fn)(struct radix_node *n, void *arg), void *arg)
{
	uint32_t stack[RADIX_STRIDE + 2];
	unsigned sp = 0;
	if (top != 0)
		stack[sp++] = top;
	while (sp > 0) {
		struct radix_node *n = node_at(t, stack[--sp]);
		if (!is_glue(n)) {
			unsigned s = key_slot(n->key);
			int r = walk_buckets(t, lo, s, fn, arg);
			if (r != 0)
				return r;
			lo = s > lo ? s : lo;
			r = fn(n, arg);
			if (r != 0)
				return r;
		}
		if (n->child[1] != 0)
			stack[sp++] = n->child[1];
		if (n->child[0] != 0)
			stack[sp++] = n->child[0];
	}
	return walk_buckets(t, lo, hi, fn, arg);
}

/*
 * Hangs the subtrees of *link with plen >= RADIX_STRIDE in their buckets; glue left with one
 * child gives way to it, glue left with none goes. Depth is at most RADIX_STRIDE.
 */
static void
split_short(struct radix *t, uint32_t *link)
{
	uint32_t i = *link;
	if (i == 0)
		return;
	struct radix_node *n = node_at(t, i);
	if (n->plen >= RADIX_STRIDE) {
		unsigned s = key_slot(n->key);
		assert(t->bk->root[s] == 0);
		t->bk->root[s] = i;
		slots_add(&t->bk->full, s);
		*link = 0;
		return;
	}
	split_short(t, &n->child[0]);
	split_short(t, &n->child[1]);
	if (is_glue(n) && (n->child[0] == 0 || n->child[1] == 0)) {
		*link = n->child[0] != 0 ? n->child[0] : n->child[1];
		node_free(t, i, n);
	}
}

static int
mark_short(struct radix_node *n, void *arg)
{
	slots_add(&((struct radix_buckets *)arg)->shorts, key_slot(n->key));
	return 0;
}

/* Gives the tree its bucket array; on out of memory it stays as it is and tries again later. */
static void
make_buckets(struct radix *t)
{
	t->bk = calloc(1, sizeof *t->bk);
	if (t->bk == NULL) {
		t->bucket_at *= 2;
		return;
	}
	split_short(t, &t->root);
	walk_from(t, t->root, mark_short, t->bk);
}

/* Returns the slabs and the bucket array when the tree has become empty. */
static void
release_all(struct radix *t)
{
	slab_release(t);
	free(t->bk);
	t->bk = NULL;
	t->root = 0;
	t->bucket_at = RADIX_BUCKET_AT;
}

/* Tree. */

struct radix *
radix_new(int af)
{
	if (af != AF_INET && af != AF_INET6)
		return NULL;
	struct radix *t = calloc(1, sizeof *t);
	if (t == NULL)
		return NULL;
	t->af = (uint8_t)af;
	t->kbytes = (uint8_t)af_bytes(af);
	t->bits = (uint8_t)af_bits(af);
	t->gunits = (uint8_t)GLUE_UNITS(t->kbytes);
	t->bucket_at = RADIX_BUCKET_AT;
	t->spare = RADIX_NONE;
	t->evac_at = RADIX_EVAC_MIN;
	return t;
}

struct free_ctx {
	void (*fn)(void *value, void *arg);
	void *arg;
};

static int
free_value(struct radix_node *n, void *arg)
{
	struct free_ctx *c = arg;
	c->fn(*value_slot(n), c->arg);
	return 0;
}

void
radix_free(struct radix *t, void (*fn)(void *value, void *arg), void *arg)
{
	if (t == NULL)
		return;
	if (fn != NULL) {
		struct free_ctx c = {fn, arg};
		radix_walk(t, free_value, &c);
	}
	release_all(t);
	free(t);
}

size_t
radix_count(const struct radix *t)
{
	return t->count;
}

size_t
radix_mem_bytes(const struct radix *t)
{
	return sizeof *t + t->slabs_cap * (sizeof *t->base + sizeof *t->slab) +
	       2 * ROOM_WORDS(t->slabs_cap) * sizeof(uint64_t) + t->slab_bytes +
	       (t->bk != NULL ? sizeof *t->bk : 0);
}

/*
 * Moves the glue nodes of the subtree at *link that are in slabs holding only glue into lower
 * slabs with room, so that those slabs empty (a glue node has no handle, so it may move).
 */
static void
evacuate(struct radix *t, uint32_t *link)
{
	uint32_t i = *link;
	if (i == 0)
		return;
	struct radix_node *n = node_at(t, i);
	uint32_t j = slab_of(i);
	if (is_glue(n) && glue_only(&t->slab[j])) {
		uint32_t k = room_first(t, 0);
		struct radix_node *g;
		if (k != RADIX_NONE && k < j && node_alloc(t, 0, &g) != 0) {
			/* node_alloc() took a node of slab k (the lowest with room) */
			memcpy(g, n, offsetof(struct radix_node, key) + t->kbytes);
			g->flags = RADIX_GLUE;
			*link = (uint32_t)((uintptr_t)g - t->base[k]) / RADIX_UNIT;
			node_free(t, i, n);
			n = g;
		}
	}
	evacuate(t, &n->child[0]);
	evacuate(t, &n->child[1]);
}

/*
 * Empties the slabs that hold only glue when there is room below. radix_delete() calls it when
 * RADIX_EVAC_MIN or an eighth of the slabs more than after the last call hold only glue, so
 * the walk of the tree costs a few steps per delete at most.
 */
static void
evacuate_all(struct radix *t)
{
	evacuate(t, &t->root);
	if (t->bk != NULL)
		for (unsigned s = bucket_scan(t->bk, 0); s < RADIX_NBUCKET;
		     s = bucket_scan(t->bk, s + 1))
			evacuate(t, &t->bk->root[s]);
	t->evac_at =
	    t->glue_only + (t->nslabs / 8 > RADIX_EVAC_MIN ? t->nslabs / 8 : RADIX_EVAC_MIN);
}

void
radix_trim(struct radix *t)
{
	if (t->glue_only != 0)
		evacuate_all(t);
	if (t->spare != RADIX_NONE) {
		slab_drop(t, t->spare);
		t->spare = RADIX_NONE;
	}
}

/* The root link of the tree that holds (key, plen): the whole tree, the short tree or a bucket. */
static inline uint32_t *
home(struct radix *t, const uint8_t *key, unsigned plen)
{
	if (t->bk != NULL && plen >= RADIX_STRIDE)
		return &t->bk->root[key_slot(key)];
	return &t->root;
}

static inline uint32_t
home_root(const struct radix *t, const uint8_t *key, unsigned plen)
{
	if (t->bk != NULL && plen >= RADIX_STRIDE)
		return t->bk->root[key_slot(key)];
	return t->root;
}

struct radix_node *
radix_get(struct radix *t, const uint8_t *key, unsigned plen)
{
	if (plen > t->bits)
		return NULL;
	uint32_t *root = home(t, key, plen);
	int was_empty = *root == 0;
	struct radix_node *n = tree_get(t, root, key, plen);
	if (n == NULL)
		return NULL;
	if (t->bk == NULL) {
		/* IPv4 only: the first 20 bits of IPv6 routes are a handful of values */
		if (t->count >= t->bucket_at && t->af == AF_INET)
			make_buckets(t);
	} else if (plen >= RADIX_STRIDE) {
		if (was_empty)
			slots_add(&t->bk->full, key_slot(key));
	} else {
		slots_add(&t->bk->shorts, key_slot(n->key));
	}
	return n;
}

/* Both cache lines of a node that may straddle two: its value and its key. */
static inline void
prefetch_node(const struct radix *t, const struct radix_node *n)
{
	__builtin_prefetch((const char *)n - RADIX_UNIT);
	__builtin_prefetch((const char *)n + offsetof(struct radix_node, key) + t->kbytes - 1);
}

void
radix_prefetch(const struct radix *t, const uint8_t *key, unsigned plen, int stage)
{
	if (t->bk == NULL || plen < RADIX_STRIDE || plen > t->bits)
		return;
	const uint32_t *slot = &t->bk->root[key_slot(key)];
	if (stage == 0) {
		__builtin_prefetch(slot);
		return;
	}
	/* Stage k: down k - 1 levels of the path (nodes the stages before brought in), then the
	 * node below. */
	uint32_t i = *slot;
	for (int level = 1; i != 0 && level < stage; level++) {
		const struct radix_node *n = node_at(t, i);
		if (n->plen >= plen || key_diff(key, n->key, n->plen) < n->plen)
			return; /* the path ends here */
		i = n->child[bit_get(key, n->plen)];
	}
	if (i != 0)
		prefetch_node(t, node_at(t, i));
}

struct radix_node *
radix_find(const struct radix *t, const uint8_t *key, unsigned plen)
{
	if (plen > t->bits)
		return NULL;
	return tree_find(t, home_root(t, key, plen), key, plen);
}

struct radix_node *
radix_lpm(const struct radix *t, const uint8_t *key, unsigned plen)
{
	if (plen > t->bits)
		return NULL;
	struct radix_node *n = tree_lpm(t, home_root(t, key, plen), key, plen);
	if (n == NULL && t->bk != NULL && plen >= RADIX_STRIDE)
		n = tree_lpm(t, t->root, key, plen);
	return n;
}

void *
radix_delete(struct radix *t, struct radix_node *n)
{
	assert(!is_glue(n));
	unsigned plen = n->plen, s = key_slot(n->key);
	int in_short = t->bk != NULL && plen < RADIX_STRIDE, kept = 0;
	uint32_t *root = home(t, n->key, plen);
	void *value = tree_delete(t, root, n, in_short ? &kept : NULL);
	if (t->count == 0) {
		release_all(t);
		return value;
	}
	if (in_short) {
		if (!kept)
			slots_del(&t->bk->shorts, s);
	} else if (t->bk != NULL && *root == 0) {
		slots_del(&t->bk->full, s);
	}
	if (t->glue_only >= t->evac_at)
		evacuate_all(t);
	return value;
}

void *
radix_value(const struct radix_node *n)
{
	return *value_slot(n);
}

void
radix_set_value(struct radix_node *n, void *value)
{
	*value_slot(n) = value;
}

/* The user bits: uflags, then the 7 bits of flags above RADIX_GLUE. */
uint32_t
radix_uflags(const struct radix_node *n)
{
	return (uint32_t)n->uflags | (uint32_t)(n->flags >> 1) << 16;
}

void
radix_set_uflags(struct radix_node *n, uint32_t f)
{
	n->uflags = (uint16_t)f;
	n->flags = (uint8_t)((n->flags & RADIX_GLUE) | ((f >> 16) & 0x7f) << 1);
}

void
radix_prefix(const struct radix *t, const struct radix_node *n, struct prefix *out)
{
	out->af = t->af;
	out->len = n->plen;
	/* constant sizes: inline moves instead of calls */
	if (t->kbytes == 4) {
		memcpy(out->a, n->key, 4);
		memset(out->a + 4, 0, sizeof out->a - 4);
	} else {
		memcpy(out->a, n->key, sizeof out->a);
	}
}

unsigned
radix_plen(const struct radix_node *n)
{
	return n->plen;
}

const uint8_t *
radix_key(const struct radix_node *n)
{
	return n->key;
}

/*
 * Iteration: pre-order, child 0 before child 1, which is prefix_cmp() order on masked keys;
 * with buckets, merged with the short tree by slot.
 */

struct radix_node *
radix_first(const struct radix *t)
{
	struct radix_node *n = t->root != 0 ? subtree_first(t, t->root) : NULL;
	return t->bk != NULL ? merge_first(t, n, 0) : n;
}

struct radix_node *
radix_next(const struct radix *t, const struct radix_node *n)
{
	if (t->bk == NULL)
		return tree_next(t, t->root, n);
	if (n->plen < RADIX_STRIDE)
		return merge_first(t, tree_next(t, t->root, n), key_slot(n->key));
	unsigned s = key_slot(n->key);
	struct radix_node *x = tree_next(t, t->bk->root[s], n);
	return x != NULL ? x : after_slot(t, s);
}

struct radix_node *
radix_next_after(const struct radix *t, const uint8_t *key, unsigned plen)
{
	if (plen > t->bits)
		return NULL;
	if (t->bk == NULL)
		return tree_next_after(t, t->root, key, plen);
	if (plen < RADIX_STRIDE)
		return merge_first(t, tree_next_after(t, t->root, key, plen),
				   short_slot(key, plen));
	unsigned s = key_slot(key);
	struct radix_node *x = tree_next_after(t, t->bk->root[s], key, plen);
	return x != NULL ? x : after_slot(t, s);
}

int
radix_walk_sub(const struct radix *t, const uint8_t *key, unsigned plen,
	       int (*fn)(struct radix_node *n, void *arg), void *arg)
{
	if (plen > t->bits)
		return 0;
	uint32_t top = tree_sub(t, home_root(t, key, plen), key, plen);
	if (t->bk == NULL || plen >= RADIX_STRIDE)
		return walk_from(t, top, fn, arg);
	unsigned lo = short_slot(key, plen);
	return walk_merged(t, top, lo, lo + (1u << (RADIX_STRIDE - plen)), fn, arg);
}

int
radix_walk(const struct radix *t, int (*fn)(struct radix_node *n, void *arg), void *arg)
{
	if (t->bk == NULL)
		return walk_from(t, t->root, fn, arg);
	return walk_merged(t, t->root, 0, RADIX_NBUCKET, fn, arg);
}
