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
 * Nodes have no parent pointer (it would cost 8 bytes per node): delete and the upward step of
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
 * by that rule; a bitmap of the non-empty buckets, summarised by a second one, finds the next
 * bucket in a few word reads. The
 * array stays until the tree becomes empty.
 *
 * Memory: the tree owns its nodes, taken from a pool (lib/pool.h) of slabs of growing size (16
 * nodes, doubling up to 256 KiB, aligned to cache lines: an IPv4 node never straddles two).
 * A deleted node goes back to its slab (its free list is threaded through child[0]); the pool
 * fills the slabs of lowest address first and gives a slab back to malloc when its last node
 * is deleted, so a tree that shrinks after growing (a peer's table flushed) returns most of
 * the memory it no longer uses. All slabs and the bucket array go back when the tree becomes
 * empty. Values belong to the caller.
 */
#include "lib/radix.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "lib/pool.h"

#define RADIX_GLUE	0x01
#define RADIX_SLAB_MAX	(256u << 10) /* bytes in a slab, at most */
#define RADIX_CACHELINE 64
#define RADIX_MAX_DEPTH 129 /* nodes on a path from the root: lengths 0..128 at most */

#define RADIX_STRIDE	20 /* key bits resolved by the bucket array */
#define RADIX_NBUCKET	(1u << RADIX_STRIDE)
#define RADIX_BUCKET_AT 4096 /* prefixes at which a tree gets its bucket array */

struct radix_node {
	struct radix_node *child[2];
	void *value;
	uint8_t plen;
	uint8_t flags;	 /* RADIX_GLUE, and bits 1..7: the user bits 16..22 */
	uint16_t uflags; /* user bits 0..15 */
	uint8_t key[];	 /* 4 or 16 bytes, masked to plen */
};

#define NODE_SIZE(kbytes) ((offsetof(struct radix_node, key) + (kbytes) + 7) & ~(size_t)7)

_Static_assert(sizeof(void *) != 8 || NODE_SIZE(4) == RADIX_NODE_SIZE_V4, "RADIX_NODE_SIZE_V4");
_Static_assert(sizeof(void *) != 8 || NODE_SIZE(16) == RADIX_NODE_SIZE_V6, "RADIX_NODE_SIZE_V6");

/* The level-compressed root: bucket s holds the prefixes of length >= RADIX_STRIDE in slot s. */
struct radix_buckets {
	struct radix_node *root[RADIX_NBUCKET];
	uint64_t occ[RADIX_NBUCKET / 64];      /* bit s % 64 of word s / 64: root[s] != NULL */
	uint64_t sum[RADIX_NBUCKET / 64 / 64]; /* bit w % 64 of word w / 64: occ[w] != 0 */
};

_Static_assert(sizeof(void *) != 8 || sizeof(struct radix_buckets) == RADIX_BUCKETS_BYTES,
	       "RADIX_BUCKETS_BYTES");

struct radix {
	struct radix_node *root; /* the whole tree, or the short tree when bk is set */
	struct radix_buckets *bk;
	size_t count;	  /* stored prefixes */
	size_t bucket_at; /* count at which bk is made (doubled when that fails) */
	uint8_t af;	  /* AF_INET or AF_INET6 */
	uint8_t kbytes;	  /* 4 or 16 */
	uint8_t bits;	  /* 32 or 128 */
	uint16_t nsize;	  /* bytes per node */
	struct pool nodes;
};

/* Nodes: a pool (lib/pool.h), which also poisons the slots not in use under ASan. */

static struct radix_node *
node_alloc(struct radix *t)
{
	return pool_get(&t->nodes);
}

static void
node_free(struct radix *t, struct radix_node *n)
{
	pool_free(&t->nodes, n);
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

static struct radix_node *
node_new(struct radix *t, const uint8_t *key, unsigned plen, uint8_t flags)
{
	struct radix_node *n = node_alloc(t);
	if (n == NULL)
		return NULL;
	n->child[0] = n->child[1] = NULL;
	n->value = NULL;
	n->plen = (uint8_t)plen;
	n->flags = flags;
	n->uflags = 0;
	unsigned full = plen / 8, rem = plen % 8;
	memcpy(n->key, key, full);
	if (rem != 0)
		n->key[full++] = key[plen / 8] & (uint8_t)(0xffu << (8 - rem));
	memset(n->key + full, 0, t->kbytes - full);
	return n;
}

static inline int
is_glue(const struct radix_node *n)
{
	return (n->flags & RADIX_GLUE) != 0;
}

/*
 * The first stored prefix of the subtree of n (n itself when stored). Iteration goes on below
 * it or in the right sibling of a glue passed on the way down, so those are prefetched: a walk
 * over a large tree is a chain of cache misses otherwise (a prefetch never faults, NULL
 * included).
 */
static struct radix_node *
subtree_first(struct radix_node *n)
{
	while (is_glue(n)) {
		__builtin_prefetch(n->child[1]);
		n = n->child[0];
	}
	__builtin_prefetch(n->child[0]);
	__builtin_prefetch(n->child[1]);
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
bucket_mark(struct radix_buckets *bk, unsigned s)
{
	bk->occ[s / 64] |= (uint64_t)1 << (s % 64);
	bk->sum[s / 4096] |= (uint64_t)1 << (s / 64 % 64);
}

static void
bucket_unmark(struct radix_buckets *bk, unsigned s)
{
	bk->occ[s / 64] &= ~((uint64_t)1 << (s % 64));
	if (bk->occ[s / 64] == 0)
		bk->sum[s / 4096] &= ~((uint64_t)1 << (s / 64 % 64));
}

/* The first non-empty bucket from slot 'from' on, or RADIX_NBUCKET. */
static unsigned
bucket_scan(const struct radix_buckets *bk, unsigned from)
{
	if (from >= RADIX_NBUCKET)
		return RADIX_NBUCKET;
	unsigned w = from / 64;
	uint64_t x = bk->occ[w] & (~(uint64_t)0 << (from % 64));
	if (x != 0)
		return w * 64 + (unsigned)__builtin_ctzll(x);
	for (unsigned v = w + 1; v < RADIX_NBUCKET / 64;) {
		uint64_t y = bk->sum[v / 64] & (~(uint64_t)0 << (v % 64));
		if (y != 0) {
			v = v / 64 * 64 + (unsigned)__builtin_ctzll(y);
			return v * 64 + (unsigned)__builtin_ctzll(bk->occ[v]);
		}
		v = (v / 64 + 1) * 64;
	}
	return RADIX_NBUCKET;
}

/* One PATRICIA tree (the whole tree, the short tree or a bucket), given by its root. */

static struct radix_node *
tree_find(struct radix_node *n, const uint8_t *key, unsigned plen)
{
	while (n != NULL && n->plen <= plen) {
		if (key_diff(key, n->key, n->plen) < n->plen)
			return NULL;
		if (n->plen == plen)
			return is_glue(n) ? NULL : n;
		n = n->child[bit_get(key, n->plen)];
	}
	return NULL;
}

static struct radix_node *
tree_lpm(struct radix_node *n, const uint8_t *key, unsigned plen)
{
	struct radix_node *best = NULL;
	while (n != NULL && n->plen <= plen) {
		if (key_diff(key, n->key, n->plen) < n->plen)
			break;
		if (!is_glue(n))
			best = n;
		if (n->plen == plen)
			break;
		n = n->child[bit_get(key, n->plen)];
	}
	return best;
}

/*
 * Inserts (key, plen) at *link, whose node n does not cover it: either (key, plen) covers n
 * (d == plen) and becomes its parent, or they part at bit d and a glue node joins them.
 */
static struct radix_node *
insert_at(struct radix *t, struct radix_node **link, const uint8_t *key, unsigned plen, unsigned d)
{
	struct radix_node *n = *link;
	struct radix_node *leaf = node_new(t, key, plen, 0);
	if (leaf == NULL)
		return NULL;
	if (d == plen) {
		leaf->child[bit_get(n->key, plen)] = n;
		*link = leaf;
	} else {
		struct radix_node *glue = node_new(t, key, d, RADIX_GLUE);
		if (glue == NULL) {
			node_free(t, leaf);
			return NULL;
		}
		unsigned b = bit_get(key, d);
		glue->child[b] = leaf;
		glue->child[!b] = n;
		*link = glue;
	}
	t->count++;
	return leaf;
}

/* radix_get() in the tree rooted at *link. */
static struct radix_node *
tree_get(struct radix *t, struct radix_node **link, const uint8_t *key, unsigned plen)
{
	struct radix_node *n;
	while ((n = *link) != NULL) {
		unsigned lim = n->plen < plen ? n->plen : plen;
		unsigned d = key_diff(key, n->key, lim);
		if (d < lim || n->plen > plen)
			return insert_at(t, link, key, plen, d);
		if (n->plen == plen) {
			if (is_glue(n)) {
				n->flags = 0; /* stored, user bits clear */
				n->value = NULL;
				n->uflags = 0;
				t->count++;
			}
			return n;
		}
		link = &n->child[bit_get(key, n->plen)];
	}
	n = node_new(t, key, plen, 0);
	if (n == NULL)
		return NULL;
	*link = n;
	t->count++;
	return n;
}

/* radix_delete() of n from the tree rooted at *root, which holds it. */
static void *
tree_delete(struct radix *t, struct radix_node **root, struct radix_node *n)
{
	/* The link to the parent of n, found by descending along n's key. */
	struct radix_node **plink = NULL, **link = root;
	while (*link != n) {
		assert(*link != NULL && (*link)->plen < n->plen);
		plink = link;
		link = &(*link)->child[bit_get(n->key, (*link)->plen)];
	}
	void *value = n->value;
	t->count--;
	if (n->child[0] != NULL && n->child[1] != NULL) {
		n->flags = RADIX_GLUE; /* user bits clear */
		n->value = NULL;
		n->uflags = 0;
		return value;
	}
	struct radix_node *c = n->child[0] != NULL ? n->child[0] : n->child[1];
	*link = c;
	node_free(t, n);
	if (c == NULL && plink != NULL && is_glue(*plink)) {
		/* The parent lost a child: as glue, it has no reason to stay. */
		struct radix_node *p = *plink;
		*plink = p->child[0] != NULL ? p->child[0] : p->child[1];
		node_free(t, p);
	}
	return value;
}

/*
 * The first stored prefix of the tree rooted at n strictly after (key, plen). Descends along
 * (key, plen) and remembers, as succ, the last right subtree passed by on the left: everything
 * in it comes after the query, and nothing found deeper lies beyond it.
 */
static struct radix_node *
tree_next_after(struct radix_node *n, const uint8_t *key, unsigned plen)
{
	struct radix_node *succ = NULL;
	while (n != NULL) {
		unsigned lim = n->plen < plen ? n->plen : plen;
		unsigned d = key_diff(key, n->key, lim);
		if (d < lim) {
			/* They part at bit d: the subtree lies wholly before or after the query. */
			if (bit_get(key, d) == 0)
				return subtree_first(n);
			break;
		}
		if (n->plen > plen) /* the query covers n: n and its subtree come after it */
			return subtree_first(n);
		if (n->plen == plen) {
			if (n->child[0] != NULL)
				return subtree_first(n->child[0]);
			if (n->child[1] != NULL)
				return subtree_first(n->child[1]);
			break;
		}
		unsigned b = bit_get(key, n->plen);
		if (b == 0 && n->child[1] != NULL)
			succ = n->child[1];
		n = n->child[b];
	}
	return succ != NULL ? subtree_first(succ) : NULL;
}

/* The successor of n in the tree rooted at root, which holds it. */
static struct radix_node *
tree_next(struct radix_node *root, const struct radix_node *n)
{
	if (n->child[0] != NULL)
		return subtree_first(n->child[0]);
	if (n->child[1] != NULL)
		return subtree_first(n->child[1]);
	return tree_next_after(root, n->key, n->plen);
}

/* The top of the subtree of the tree rooted at n covered by (key, plen), or NULL. */
static struct radix_node *
tree_sub(struct radix_node *n, const uint8_t *key, unsigned plen)
{
	while (n != NULL && n->plen < plen) {
		if (key_diff(key, n->key, n->plen) < n->plen)
			return NULL;
		n = n->child[bit_get(key, n->plen)];
	}
	if (n == NULL || key_diff(key, n->key, plen) < plen)
		return NULL;
	return n;
}

/* Pre-order walk of the subtree of top; the stack holds at most one pending node per level. */
static int
walk_from(struct radix_node *top, int (*fn)(struct radix_node *n, void *arg), void *arg)
{
	struct radix_node *stack[RADIX_MAX_DEPTH + 2];
	unsigned sp = 0;
	if (top != NULL)
		stack[sp++] = top;
	while (sp > 0) {
		struct radix_node *n = stack[--sp];
		if (!is_glue(n)) {
			int r = fn(n, arg);
			if (r != 0)
				return r;
		}
		if (n->child[1] != NULL)
			stack[sp++] = n->child[1];
		if (n->child[0] != NULL)
			stack[sp++] = n->child[0];
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
		return subtree_first(t->bk->root[b]);
	return s;
}

/* The first stored prefix after everything of slot s (short prefixes and bucket). */
static struct radix_node *
after_slot(const struct radix *t, unsigned s)
{
	if (s + 1 >= RADIX_NBUCKET)
		return NULL;
	struct radix_node *sh = NULL;
	if (t->root != NULL) {
		/* The last address of slot s as a host route: the short prefixes after it. */
		uint8_t key[16];
		memset(key, 0xff, sizeof key);
		key[0] = (uint8_t)(s >> 12);
		key[1] = (uint8_t)(s >> 4);
		key[2] = (uint8_t)(s << 4 | 0x0f);
		sh = tree_next_after(t->root, key, t->bits);
	}
	return merge_first(t, sh, s + 1);
}

/* Walks the non-empty buckets of slots [lo, hi). */
static int
walk_buckets(const struct radix *t, unsigned lo, unsigned hi,
	     int (*fn)(struct radix_node *n, void *arg), void *arg)
{
	for (unsigned s = bucket_scan(t->bk, lo); s < hi; s = bucket_scan(t->bk, s + 1)) {
		int r = walk_from(t->bk->root[s], fn, arg);
		if (r != 0)
			return r;
	}
	return 0;
}

/*
 * Walks the subtree of top (in the short tree; NULL for none) merged with the buckets of slots
 * [lo, hi), which must hold the slots of that subtree's prefixes.
 */
static int
walk_merged(const struct radix *t, struct radix_node *top, unsigned lo, unsigned hi,
	    int (*fn)(struct radix_node *n, void *arg), void *arg)
{
	struct radix_node *stack[RADIX_STRIDE + 2];
	unsigned sp = 0;
	if (top != NULL)
		stack[sp++] = top;
	while (sp > 0) {
		struct radix_node *n = stack[--sp];
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
		if (n->child[1] != NULL)
			stack[sp++] = n->child[1];
		if (n->child[0] != NULL)
			stack[sp++] = n->child[0];
	}
	return walk_buckets(t, lo, hi, fn, arg);
}

/*
 * Hangs the subtrees of *link with plen >= RADIX_STRIDE in their buckets; glue left with one
 * child gives way to it, glue left with none goes. Depth is at most RADIX_STRIDE.
 */
static void
split_short(struct radix *t, struct radix_node **link)
{
	struct radix_node *n = *link;
	if (n == NULL)
		return;
	if (n->plen >= RADIX_STRIDE) {
		unsigned s = key_slot(n->key);
		assert(t->bk->root[s] == NULL);
		t->bk->root[s] = n;
		bucket_mark(t->bk, s);
		*link = NULL;
		return;
	}
	split_short(t, &n->child[0]);
	split_short(t, &n->child[1]);
	if (is_glue(n) && (n->child[0] == NULL || n->child[1] == NULL)) {
		*link = n->child[0] != NULL ? n->child[0] : n->child[1];
		node_free(t, n);
	}
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
}

/* Returns the slabs and the bucket array when the tree has become empty. */
static void
release_all(struct radix *t)
{
	pool_destroy(&t->nodes);
	free(t->bk);
	t->bk = NULL;
	t->root = NULL;
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
	t->nsize = (uint16_t)NODE_SIZE(t->kbytes);
	pool_init_slabs(&t->nodes, t->nsize, RADIX_CACHELINE, RADIX_SLAB_MAX);
	t->bucket_at = RADIX_BUCKET_AT;
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
	c->fn(n->value, c->arg);
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
	return sizeof *t + pool_mem_bytes(&t->nodes) + (t->bk != NULL ? sizeof *t->bk : 0);
}

void
radix_trim(struct radix *t)
{
	pool_trim(&t->nodes);
}

/* The root of the tree that holds (key, plen): the whole tree, the short tree or a bucket. */
static inline struct radix_node **
home(struct radix *t, const uint8_t *key, unsigned plen)
{
	if (t->bk != NULL && plen >= RADIX_STRIDE)
		return &t->bk->root[key_slot(key)];
	return &t->root;
}

static inline struct radix_node *
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
	struct radix_node **root = home(t, key, plen);
	int was_empty = *root == NULL;
	struct radix_node *n = tree_get(t, root, key, plen);
	if (n == NULL)
		return NULL;
	if (t->bk == NULL) {
		/* IPv4 only: the first 20 bits of IPv6 routes are a handful of values */
		if (t->count >= t->bucket_at && t->af == AF_INET)
			make_buckets(t);
	} else if (was_empty && plen >= RADIX_STRIDE) {
		bucket_mark(t->bk, key_slot(key));
	}
	return n;
}

void
radix_prefetch(const struct radix *t, const uint8_t *key, unsigned plen, int stage)
{
	if (t->bk == NULL || plen < RADIX_STRIDE || plen > t->bits)
		return;
	struct radix_node *const *slot = &t->bk->root[key_slot(key)];
	if (stage == 0) {
		__builtin_prefetch(slot);
	} else if (*slot != NULL) {
		__builtin_prefetch(*slot);
		__builtin_prefetch((const char *)*slot + 24);
	}
}

struct radix_node *
radix_find(const struct radix *t, const uint8_t *key, unsigned plen)
{
	if (plen > t->bits)
		return NULL;
	return tree_find(home_root(t, key, plen), key, plen);
}

struct radix_node *
radix_lpm(const struct radix *t, const uint8_t *key, unsigned plen)
{
	if (plen > t->bits)
		return NULL;
	struct radix_node *n = tree_lpm(home_root(t, key, plen), key, plen);
	if (n == NULL && t->bk != NULL && plen >= RADIX_STRIDE)
		n = tree_lpm(t->root, key, plen);
	return n;
}

void *
radix_delete(struct radix *t, struct radix_node *n)
{
	assert(!is_glue(n));
	unsigned plen = n->plen, s = key_slot(n->key);
	struct radix_node **root = home(t, n->key, plen);
	void *value = tree_delete(t, root, n);
	if (t->count == 0)
		release_all(t);
	else if (*root == NULL && t->bk != NULL && plen >= RADIX_STRIDE)
		bucket_unmark(t->bk, s);
	return value;
}

void *
radix_value(const struct radix_node *n)
{
	return n->value;
}

void
radix_set_value(struct radix_node *n, void *value)
{
	n->value = value;
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
	memset(out, 0, sizeof *out);
	out->af = t->af;
	out->len = n->plen;
	memcpy(out->a, n->key, t->kbytes);
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
	struct radix_node *n = t->root != NULL ? subtree_first(t->root) : NULL;
	return t->bk != NULL ? merge_first(t, n, 0) : n;
}

struct radix_node *
radix_next(const struct radix *t, const struct radix_node *n)
{
	if (t->bk == NULL)
		return tree_next(t->root, n);
	if (n->plen < RADIX_STRIDE)
		return merge_first(t, tree_next(t->root, n), key_slot(n->key));
	unsigned s = key_slot(n->key);
	struct radix_node *x = tree_next(t->bk->root[s], n);
	return x != NULL ? x : after_slot(t, s);
}

struct radix_node *
radix_next_after(const struct radix *t, const uint8_t *key, unsigned plen)
{
	if (plen > t->bits)
		return NULL;
	if (t->bk == NULL)
		return tree_next_after(t->root, key, plen);
	if (plen < RADIX_STRIDE)
		return merge_first(t, tree_next_after(t->root, key, plen), short_slot(key, plen));
	unsigned s = key_slot(key);
	struct radix_node *x = tree_next_after(t->bk->root[s], key, plen);
	return x != NULL ? x : after_slot(t, s);
}

int
radix_walk_sub(const struct radix *t, const uint8_t *key, unsigned plen,
	       int (*fn)(struct radix_node *n, void *arg), void *arg)
{
	if (plen > t->bits)
		return 0;
	struct radix_node *top = tree_sub(home_root(t, key, plen), key, plen);
	if (t->bk == NULL || plen >= RADIX_STRIDE)
		return walk_from(top, fn, arg);
	unsigned lo = short_slot(key, plen);
	return walk_merged(t, top, lo, lo + (1u << (RADIX_STRIDE - plen)), fn, arg);
}

int
radix_walk(const struct radix *t, int (*fn)(struct radix_node *n, void *arg), void *arg)
{
	if (t->bk == NULL)
		return walk_from(t->root, fn, arg);
	return walk_merged(t, t->root, 0, RADIX_NBUCKET, fn, arg);
}
