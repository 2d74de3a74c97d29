/*
 * Interning of path attribute blobs and attribute sets, and the AS path / cluster list /
 * community helpers of attr.h.
 *
 * Two chained hash tables (one for blobs, one for sets) with power-of-two bucket arrays that
 * double when the load passes one entry per bucket and shrink when it falls below 1/4 (after a
 * peer with many sets went); each object stores its hash, so resizing never rehashes data. A
 * blob's hash covers its kind and bytes; a set's hash covers every fixed field (normalised:
 * fields whose presence flag is clear count as zero) and the identities (addresses) of its
 * interned blobs, so comparing two sets is a field compare and six pointer compares. Sets come
 * from a pool (lib/pool.h), blobs (of any length) from malloc.
 *
 * attr_intern() first resolves the template's temporary blobs by lookup only, so the common
 * case of an already known set costs a few hashes and one reference increment, with no
 * allocation and no reference churn on the blobs.
 *
 * Ownership: every interned object holds a reference count; a set holds one reference on each
 * of its blobs. The last unref unlinks and frees. Out of memory aborts (attr.h).
 */
#include "bgp/attr.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/pool.h"

/* ---- hashing ---- */

#define HASH_K1 0x9e3779b97f4a7c15ull
#define HASH_K2 0xc2b2ae3d27d4eb4full

static inline uint64_t
mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= HASH_K2;
	h ^= h >> 33;
	return h;
}

static inline uint64_t
step64(uint64_t h, uint64_t v)
{
	h ^= v * HASH_K1;
	h = (h << 27) | (h >> 37);
	return h * 5 + 0x52dce729;
}

static uint64_t
hash_bytes(uint64_t h, const uint8_t *p, size_t n)
{
	h = step64(h, n);
	while (n >= 8) {
		uint64_t v;
		memcpy(&v, p, 8);
		h = step64(h, v);
		p += 8;
		n -= 8;
	}
	if (n > 0) {
		uint64_t v = 0;
		memcpy(&v, p, n);
		h = step64(h, v);
	}
	return h;
}

static uint32_t
fold(uint64_t h)
{
	h = mix64(h);
	return (uint32_t)(h ^ (h >> 32));
}

/* ---- memory: lib/pool.h xmalloc/xcalloc abort on out of memory ---- */

/* ---- tables ---- */

#define TABLE_MIN 1024

static struct {
	struct attr_blob **b;
	size_t mask; /* buckets - 1, 0 before the first use */
	size_t count;
	size_t bytes;
} blobs;

static struct {
	struct attrs **b;
	size_t mask;
	size_t count;
	struct pool pool; /* the sets themselves */
} sets;

/* Rehashes the blob table into n buckets (a power of two). */
static void
blobs_resize(size_t n)
{
	struct attr_blob **nb = xcalloc(n, sizeof *nb);
	for (size_t i = 0; blobs.mask && i <= blobs.mask; i++) {
		struct attr_blob *e, *next;
		for (e = blobs.b[i]; e != NULL; e = next) {
			next = e->next;
			e->next = nb[e->hash & (n - 1)];
			nb[e->hash & (n - 1)] = e;
		}
	}
	free(blobs.b);
	blobs.b = nb;
	blobs.mask = n - 1;
}

static void
sets_resize(size_t n)
{
	struct attrs **nb = xcalloc(n, sizeof *nb);
	for (size_t i = 0; sets.mask && i <= sets.mask; i++) {
		struct attrs *e, *next;
		for (e = sets.b[i]; e != NULL; e = next) {
			next = e->next;
			e->next = nb[e->hash & (n - 1)];
			nb[e->hash & (n - 1)] = e;
		}
	}
	free(sets.b);
	sets.b = nb;
	sets.mask = n - 1;
}

/*
 * The bucket count for a table of count entries and mask + 1 buckets when it should change,
 * else 0: doubled at one entry per bucket, cut to a load of 1/2 when it fell below 1/4.
 */
static size_t
table_resize_to(size_t count, size_t mask)
{
	if (mask == 0 || count >= mask)
		return mask ? (mask + 1) * 2 : TABLE_MIN;
	if (mask + 1 <= TABLE_MIN || count >= (mask + 1) / 4)
		return 0;
	size_t n = TABLE_MIN;
	while (n < 2 * count)
		n *= 2;
	return n;
}

/* ---- blobs ---- */

static uint32_t
blob_hash(uint8_t kind, const uint8_t *data, size_t len)
{
	return fold(hash_bytes(kind, data, len));
}

static struct attr_blob *
blob_lookup(uint8_t kind, const uint8_t *data, size_t len, uint32_t h)
{
	if (blobs.mask == 0)
		return NULL;
	for (struct attr_blob *e = blobs.b[h & blobs.mask]; e != NULL; e = e->next)
		if (e->hash == h && e->kind == kind && e->len == len &&
		    memcmp(e->data, data, len) == 0)
			return e;
	return NULL;
}

static struct attr_blob *
blob_intern_h(uint8_t kind, const uint8_t *data, size_t len, uint32_t h)
{
	struct attr_blob *e = blob_lookup(kind, data, len, h);
	if (e != NULL) {
		e->refcnt++;
		return e;
	}
	if (len > UINT32_MAX - sizeof *e) {
		log_err("attribute blob of %zu bytes", len);
		abort();
	}
	if (blobs.count >= blobs.mask) /* also the first use: mask 0 */
		blobs_resize(table_resize_to(blobs.count, blobs.mask));
	e = xmalloc(sizeof *e + len);
	e->refcnt = 1;
	e->hash = h;
	e->len = (uint32_t)len;
	e->kind = kind;
	if (len > 0)
		memcpy(e->data, data, len);
	e->next = blobs.b[h & blobs.mask];
	blobs.b[h & blobs.mask] = e;
	blobs.count++;
	blobs.bytes += sizeof *e + len;
	return e;
}

struct attr_blob *
attr_blob_intern(uint8_t kind, const uint8_t *data, size_t len)
{
	return blob_intern_h(kind, data, len, blob_hash(kind, data, len));
}

struct attr_blob *
attr_blob_ref(struct attr_blob *b)
{
	b->refcnt++;
	return b;
}

void
attr_blob_unref(struct attr_blob *b)
{
	if (b == NULL || b->refcnt == 0 || --b->refcnt > 0)
		return;
	struct attr_blob **pp = &blobs.b[b->hash & blobs.mask];
	while (*pp != b)
		pp = &(*pp)->next;
	*pp = b->next;
	blobs.count--;
	blobs.bytes -= sizeof *b + b->len;
	free(b);
	size_t n = table_resize_to(blobs.count, blobs.mask);
	if (n != 0)
		blobs_resize(n);
}

struct attr_blob *
attr_blob_tmp(void *mem, size_t memlen, uint8_t kind, const uint8_t *data, size_t len)
{
	uintptr_t a = (uintptr_t)mem;
	size_t pad = (alignof(struct attr_blob) - (a & (alignof(struct attr_blob) - 1))) &
		     (alignof(struct attr_blob) - 1);
	if (memlen < pad || memlen - pad < sizeof(struct attr_blob) ||
	    memlen - pad - sizeof(struct attr_blob) < len || len > UINT32_MAX)
		return NULL;
	struct attr_blob *b = (struct attr_blob *)(void *)((uint8_t *)mem + pad);
	b->refcnt = 0;
	b->hash = 0;
	b->next = NULL;
	b->len = (uint32_t)len;
	b->kind = kind;
	if (len > 0)
		memcpy(b->data, data, len);
	return b;
}

/*
 * The interned blob equal to b (b itself when interned), or NULL when a temporary has no
 * interned twin yet.
 */
static struct attr_blob *
blob_resolve(struct attr_blob *b)
{
	if (b == NULL || b->refcnt > 0)
		return b;
	b->hash = blob_hash(b->kind, b->data, b->len); /* kept for blob_take() */
	return blob_lookup(b->kind, b->data, b->len, b->hash);
}

/* A reference on the interned version of b (interning a temporary). */
static struct attr_blob *
blob_take(struct attr_blob *b)
{
	if (b == NULL)
		return NULL;
	if (b->refcnt > 0)
		return attr_blob_ref(b);
	return blob_intern_h(b->kind, b->data, b->len, b->hash); /* hashed by blob_resolve() */
}

/* ---- attribute sets ---- */

/* Copies t with absent fields cleared, so equal sets compare and hash equal. */
static void
normalise(struct attrs *n, const struct attrs *t)
{
	memset(n, 0, sizeof *n);
	n->flags = t->flags & (ATTRS_MED | ATTRS_LOCAL_PREF | ATTRS_ATOMIC_AGG | ATTRS_AGGREGATOR |
			       ATTRS_ORIGINATOR | ATTRS_OTC);
	n->origin = t->origin;
	n->nh_len = t->nh_len <= sizeof n->nh ? t->nh_len : sizeof n->nh;
	memcpy(n->nh, t->nh, n->nh_len);
	if (n->flags & ATTRS_MED)
		n->med = t->med;
	if (n->flags & ATTRS_LOCAL_PREF)
		n->local_pref = t->local_pref;
	if (n->flags & ATTRS_ORIGINATOR)
		n->originator_id = t->originator_id;
	if (n->flags & ATTRS_AGGREGATOR) {
		n->agg_as = t->agg_as;
		n->agg_id = t->agg_id;
	}
	if (n->flags & ATTRS_OTC)
		n->otc = t->otc;
	n->aspath = t->aspath;
	n->comms = t->comms;
	n->lcomms = t->lcomms;
	n->ecomms = t->ecomms;
	n->clusters = t->clusters;
	n->unknown = t->unknown;
}

static uint32_t
set_hash(const struct attrs *n)
{
	uint64_t h = (uint64_t)n->flags | (uint64_t)n->origin << 8 | (uint64_t)n->nh_len << 16;
	h = step64(h, (uint64_t)n->med << 32 | n->local_pref);
	h = step64(h, (uint64_t)n->originator_id << 32 | n->otc);
	h = step64(h, (uint64_t)n->agg_as << 32 | n->agg_id);
	if (n->nh_len > 0)
		h = hash_bytes(h, n->nh, n->nh_len);
	h = step64(h, (uintptr_t)n->aspath);
	h = step64(h, (uintptr_t)n->comms);
	h = step64(h, (uintptr_t)n->lcomms);
	h = step64(h, (uintptr_t)n->ecomms);
	h = step64(h, (uintptr_t)n->clusters);
	h = step64(h, (uintptr_t)n->unknown);
	return fold(h);
}

static bool
set_eq(const struct attrs *a, const struct attrs *b)
{
	return a->flags == b->flags && a->origin == b->origin && a->nh_len == b->nh_len &&
	       a->med == b->med && a->local_pref == b->local_pref &&
	       a->originator_id == b->originator_id && a->agg_as == b->agg_as &&
	       a->agg_id == b->agg_id && a->otc == b->otc && a->aspath == b->aspath &&
	       a->comms == b->comms && a->lcomms == b->lcomms && a->ecomms == b->ecomms &&
	       a->clusters == b->clusters && a->unknown == b->unknown &&
	       memcmp(a->nh, b->nh, a->nh_len) == 0;
}

static inline uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Per owner (peer id) bytes of the live sets it created; grown on demand. */
static struct {
	size_t *bytes;
	size_t n;
} owners;

static void
owner_charge(uint16_t owner, uint16_t units, bool add)
{
	if (owner == 0)
		return;
	if (owner >= owners.n) {
		size_t n = (size_t)owner + 1 > 2 * owners.n ? (size_t)owner + 1 : 2 * owners.n;
		owners.bytes = xrealloc(owners.bytes, n * sizeof *owners.bytes);
		memset(owners.bytes + owners.n, 0, (n - owners.n) * sizeof *owners.bytes);
		owners.n = n;
	}
	size_t b = (size_t)units * ATTR_COST_UNIT;
	if (add)
		owners.bytes[owner] += b;
	else
		owners.bytes[owner] -= b;
}

size_t
attr_owner_bytes(uint16_t owner)
{
	return owner < owners.n ? owners.bytes[owner] : 0;
}

/* The interned set equal to n, if any; *hp = n's hash. */
static struct attrs *
set_find(const struct attrs *n, uint32_t *hp)
{
	uint32_t h = set_hash(n);
	*hp = h;
	if (sets.mask != 0)
		for (struct attrs *e = sets.b[h & sets.mask]; e != NULL; e = e->next)
			if (e->hash == h && set_eq(e, n))
				return e;
	return NULL;
}

size_t
attr_intern_cost(const struct attrs *t)
{
	struct attrs n;
	normalise(&n, t);
	struct attr_blob **slots[] = {&n.aspath, &n.comms,    &n.lcomms,
				      &n.ecomms, &n.clusters, &n.unknown};
	size_t cost = sizeof(struct attrs);
	bool missing = false;
	for (int i = 0; i < 6; i++) {
		struct attr_blob *o = *slots[i], *r = blob_resolve(o);
		if (o != NULL && r == NULL) {
			missing = true;
			cost += sizeof *o + o->len;
		}
		*slots[i] = r;
	}
	uint32_t h;
	return !missing && set_find(&n, &h) != NULL ? 0 : cost;
}

/* The well-known communities of a's standard communities (ATTRS_WKC_*). */
static uint8_t
wkc_of(const struct attrs *a)
{
	uint8_t w = 0;
	for (size_t i = 0; a->comms != NULL && i + 4 <= a->comms->len; i += 4) {
		uint32_t c = get32(a->comms->data + i);
		if (c >= 0xFFFFFF01 && c <= 0xFFFFFF03)
			w |= (uint8_t)(1u << (c - 0xFFFFFF01));
	}
	return w;
}

struct attrs *
attr_intern(const struct attrs *t)
{
	return attr_intern_owned(t, 0);
}

struct attrs *
attr_intern_owned(const struct attrs *t, uint16_t owner)
{
	return attr_intern_if(t, owner, NULL, NULL);
}

struct attrs *
attr_intern_if(const struct attrs *t, uint16_t owner, bool (*admit)(size_t cost, void *arg),
	       void *arg)
{
	struct attrs n;
	normalise(&n, t);
	/* Resolve temporaries by lookup only: a missing blob means a new set. */
	struct attr_blob **slots[] = {&n.aspath, &n.comms,    &n.lcomms,
				      &n.ecomms, &n.clusters, &n.unknown};
	struct attr_blob *orig[6];
	bool missing = false;
	/* The temporaries' buckets first, so that their cache misses overlap. */
	for (int i = 0; i < 6; i++) {
		struct attr_blob *b = *slots[i];
		if (b != NULL && b->refcnt == 0) {
			b->hash = blob_hash(b->kind, b->data, b->len); /* for blob_take() too */
			if (blobs.mask != 0)
				__builtin_prefetch(&blobs.b[b->hash & blobs.mask]);
		}
	}
	for (int i = 0; i < 6; i++) {
		struct attr_blob *o = orig[i] = *slots[i];
		struct attr_blob *r =
		    o == NULL || o->refcnt > 0 ? o : blob_lookup(o->kind, o->data, o->len, o->hash);
		if (orig[i] != NULL && r == NULL)
			missing = true;
		*slots[i] = r;
	}
	uint32_t h = 0;
	if (!missing) {
		struct attrs *e = set_find(&n, &h);
		if (e != NULL) {
			e->refcnt++;
			return e;
		}
	}
	if (admit != NULL) {
		size_t est = sizeof(struct attrs);
		for (int i = 0; i < 6; i++)
			if (orig[i] != NULL && *slots[i] == NULL)
				est += sizeof *orig[i] + orig[i]->len;
		if (!admit(est, arg))
			return NULL; /* no reference was taken yet */
	}
	/* New set: take references on (and intern) its blobs. */
	size_t blob_bytes = blobs.bytes;
	for (int i = 0; i < 6; i++)
		*slots[i] = blob_take(orig[i]);
	size_t cost = sizeof(struct attrs) + (blobs.bytes - blob_bytes);
	size_t units = (cost + ATTR_COST_UNIT - 1) / ATTR_COST_UNIT;
	if (sets.pool.size == 0)
		pool_init(&sets.pool, sizeof(struct attrs));
	struct attrs *a = pool_alloc(&sets.pool);
	*a = n;
	a->refcnt = 1;
	a->hash = missing ? set_hash(a) : h; /* new blobs: new pointers, another hash */
	a->wkc = wkc_of(a);
	a->owner = owner;
	a->cost = units > UINT16_MAX ? UINT16_MAX : (uint16_t)units;
	owner_charge(owner, a->cost, true);
	if (sets.count >= sets.mask)
		sets_resize(table_resize_to(sets.count, sets.mask));
	a->next = sets.b[a->hash & sets.mask];
	sets.b[a->hash & sets.mask] = a;
	sets.count++;
	return a;
}

struct attrs *
attr_private(const struct attrs *t)
{
	struct attrs n;
	normalise(&n, t);
	struct attr_blob **slots[] = {&n.aspath, &n.comms,    &n.lcomms,
				      &n.ecomms, &n.clusters, &n.unknown};
	for (int i = 0; i < 6; i++) {
		struct attr_blob *b = *slots[i];
		if (b != NULL && b->refcnt == 0)
			b->hash = blob_hash(b->kind, b->data, b->len); /* for blob_take() */
		*slots[i] = blob_take(b);
	}
	if (sets.pool.size == 0)
		pool_init(&sets.pool, sizeof(struct attrs));
	struct attrs *a = pool_alloc(&sets.pool);
	*a = n;
	a->refcnt = 1;
	a->next = a; /* private: in no intern chain (attr_unref) */
	a->wkc = wkc_of(a);
	return a;
}

struct attrs *
attr_ref(struct attrs *a)
{
	a->refcnt++;
	return a;
}

void
attr_unref(struct attrs *a)
{
	if (a == NULL || a->refcnt == 0 || --a->refcnt > 0)
		return;
	if (a->next != a) { /* interned, not attr_private() */
		struct attrs **pp = &sets.b[a->hash & sets.mask];
		while (*pp != a)
			pp = &(*pp)->next;
		*pp = a->next;
		sets.count--;
		size_t n = table_resize_to(sets.count, sets.mask);
		if (n != 0)
			sets_resize(n);
	}
	attr_blob_unref(a->aspath);
	attr_blob_unref(a->comms);
	attr_blob_unref(a->lcomms);
	attr_blob_unref(a->ecomms);
	attr_blob_unref(a->clusters);
	attr_blob_unref(a->unknown);
	owner_charge(a->owner, a->cost, false);
	pool_free(&sets.pool, a);
}

void
attr_copy(struct attrs *t, const struct attrs *a)
{
	*t = *a;
	t->refcnt = 0;
	t->hash = 0;
	t->next = NULL;
	t->owner = 0;
	t->cost = 0;
}

void
attr_trim(void)
{
	pool_trim(&sets.pool);
}

void
attr_stats(struct attr_stats *s)
{
	s->sets = sets.count;
	s->blobs = blobs.count;
	s->bytes = sets.count * sizeof(struct attrs) + blobs.bytes;
}

/* ---- AS path helpers (4-octet segments: type(1) count(1) AS(4)*count) ---- */

static inline void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/*
 * Iterates the segments of a 4-octet path; the blob was validated when it was parsed, but
 * every step is still bounded by its length.
 */
struct seg_it {
	const uint8_t *p, *end;
};

static bool
seg_next(struct seg_it *it, uint8_t *type, uint8_t *count, const uint8_t **ases)
{
	if (it->end - it->p < 2)
		return false;
	*type = it->p[0];
	*count = it->p[1];
	if ((size_t)(it->end - it->p - 2) < (size_t)*count * 4)
		return false;
	*ases = it->p + 2;
	it->p += 2 + (size_t)*count * 4;
	return true;
}

static void
seg_init(struct seg_it *it, const struct attr_blob *b)
{
	it->p = b ? b->data : NULL;
	it->end = b ? b->data + b->len : NULL;
}

unsigned
attr_aspath_count(const struct attr_blob *path)
{
	struct seg_it it;
	uint8_t type, count;
	const uint8_t *ases;
	unsigned n = 0;
	if (path == NULL)
		return 0;
	seg_init(&it, path);
	while (seg_next(&it, &type, &count, &ases))
		n += count;
	return n;
}

unsigned
attr_community_count(const struct attrs *a)
{
	return (a->comms != NULL ? a->comms->len / 4 : 0) +
	       (a->ecomms != NULL ? a->ecomms->len / 8 : 0) +
	       (a->lcomms != NULL ? a->lcomms->len / 12 : 0);
}

unsigned
attr_aspath_len(const struct attrs *a)
{
	struct seg_it it;
	uint8_t type, count;
	const uint8_t *ases;
	unsigned n = 0;
	seg_init(&it, a->aspath);
	while (seg_next(&it, &type, &count, &ases)) {
		if (type == AS_SEQUENCE)
			n += count;
		else if (type == AS_SET)
			n += 1;
	}
	return n;
}

uint32_t
attr_aspath_first(const struct attrs *a)
{
	struct seg_it it;
	uint8_t type, count;
	const uint8_t *ases;
	seg_init(&it, a->aspath);
	while (seg_next(&it, &type, &count, &ases))
		if (type == AS_SEQUENCE && count > 0)
			return get32(ases);
	return 0;
}

bool
attr_aspath_contains(const struct attrs *a, uint32_t as)
{
	struct seg_it it;
	uint8_t type, count;
	const uint8_t *ases;
	seg_init(&it, a->aspath);
	while (seg_next(&it, &type, &count, &ases))
		for (unsigned i = 0; i < count; i++)
			if (get32(ases + 4 * i) == as)
				return true;
	return false;
}

#define PREPEND_STACK 512

struct attr_blob *
attr_aspath_prepend(const struct attr_blob *path, uint32_t as)
{
	size_t old = path ? path->len : 0;
	uint8_t stack[PREPEND_STACK];
	uint8_t *buf = old + 6 <= sizeof stack ? stack : xmalloc(old + 6);
	size_t n;
	if (old >= 2 && path->data[0] == AS_SEQUENCE && path->data[1] < 255 &&
	    (size_t)path->data[1] * 4 + 2 <= old) {
		/* room in the leading AS_SEQUENCE: insert at its front */
		buf[0] = AS_SEQUENCE;
		buf[1] = (uint8_t)(path->data[1] + 1);
		put32(buf + 2, as);
		memcpy(buf + 6, path->data + 2, old - 2);
		n = old + 4;
	} else {
		buf[0] = AS_SEQUENCE;
		buf[1] = 1;
		put32(buf + 2, as);
		if (old > 0)
			memcpy(buf + 6, path->data, old);
		n = old + 6;
	}
	struct attr_blob *b = attr_blob_intern(ATTR_AS_PATH, buf, n);
	if (buf != stack)
		free(buf);
	return b;
}

/* ---- cluster list and communities ---- */

bool
attr_clusters_contain(const struct attrs *a, uint32_t id)
{
	const struct attr_blob *b = a->clusters;
	for (size_t i = 0; b != NULL && i + 4 <= b->len; i += 4)
		if (get32(b->data + i) == id)
			return true;
	return false;
}

struct attr_blob *
attr_clusters_prepend(const struct attr_blob *cl, uint32_t id)
{
	size_t old = cl ? cl->len : 0;
	uint8_t stack[PREPEND_STACK];
	uint8_t *buf = old + 4 <= sizeof stack ? stack : xmalloc(old + 4);
	put32(buf, id);
	if (old > 0)
		memcpy(buf + 4, cl->data, old);
	struct attr_blob *b = attr_blob_intern(ATTR_CLUSTER_LIST, buf, old + 4);
	if (buf != stack)
		free(buf);
	return b;
}

unsigned
attr_cluster_len(const struct attrs *a)
{
	return a->clusters ? a->clusters->len / 4 : 0;
}

bool
attr_has_community(const struct attrs *a, uint32_t c)
{
	const struct attr_blob *b = a->comms;
	for (size_t i = 0; b != NULL && i + 4 <= b->len; i += 4)
		if (get32(b->data + i) == c)
			return true;
	return false;
}
