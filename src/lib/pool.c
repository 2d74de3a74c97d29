/*
 * Slab pools (see pool.h), the aborting allocation wrappers and the tuning of glibc's malloc.
 * Out-of-memory policy for the whole daemon: log and abort. A routing daemon that lost part of
 * its table silently is worse than one that restarts (systemd restarts it; peers see the
 * session drop and withdraw its routes). Neighbors cannot drive the daemon here: what they
 * make it hold is bounded before allocation by the route engine's limits and memory budget
 * (src/rde/rde_limit.c), which cost the offending session instead.
 *
 * Under ASan the parts of a slab not in use are poisoned: a use after pool_free() is reported
 * (the first word of a free object, its free-list link, stays readable).
 */
#include "lib/pool.h"

#include <assert.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POOL_SLAB_MIN	16	    /* objects in the first slab */
#define POOL_SLAB_MAX	(64 * 1024) /* pool_init(): bytes in a slab, at most */
#define POOL_MMAP_BYTES (128 * 1024)

#include "lib/asan.h"

static void
oom(size_t n)
{
	fprintf(stderr, "bgp64d: out of memory allocating %zu bytes, aborting\n", n);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		oom(n);
	return p;
}

void *
xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);
	if (p == NULL)
		oom(n * m);
	return p;
}

void *
xrealloc(void *ptr, size_t n)
{
	void *p = realloc(ptr, n ? n : 1);
	if (p == NULL)
		oom(n);
	return p;
}

char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = xmalloc(n);
	memcpy(d, s, n);
	return d;
}

void
pool_malloc_init(void)
{
	mallopt(M_MMAP_THRESHOLD, POOL_MMAP_BYTES);
}

void
pool_malloc_trim(void)
{
	malloc_trim(0);
}

/* ---- slabs ---- */

void
pool_init_slabs(struct pool *p, size_t size, size_t align, size_t slab_max)
{
	memset(p, 0, sizeof *p);
	if (size < sizeof(void *))
		size = sizeof(void *);
	p->size = (size + 7) & ~(size_t)7;
	p->align = align < 16 ? 16 : align;
	p->slab_max = slab_max < POOL_SLAB_MIN * p->size ? POOL_SLAB_MIN * p->size : slab_max;
}

void
pool_init(struct pool *p, size_t size)
{
	pool_init_slabs(p, size, 16, POOL_SLAB_MAX);
}

static size_t
slab_bytes(const struct pool *p, const struct pool_slab *s)
{
	return (size_t)s->cap * p->size;
}

static void
slab_release(struct pool *p, struct pool_slab *s)
{
	UNPOISON(s->base, slab_bytes(p, s));
	p->slab_bytes -= slab_bytes(p, s);
	free(s->base);
}

void
pool_destroy(struct pool *p)
{
	for (size_t i = 0; i < p->nslabs; i++)
		slab_release(p, &p->slabs[i]);
	free(p->slabs);
	pool_init_slabs(p, p->size, p->align, p->slab_max);
}

size_t
pool_mem_bytes(const struct pool *p)
{
	return p->slab_bytes + p->slabs_cap * sizeof *p->slabs;
}

/* The index of the slab holding obj. */
static size_t
slab_of(const struct pool *p, const void *obj)
{
	uintptr_t o = (uintptr_t)obj;
	size_t lo = 0, hi = p->nslabs;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if ((uintptr_t)p->slabs[mid].base <= o)
			lo = mid;
		else
			hi = mid;
	}
	assert(hi > 0 && o >= (uintptr_t)p->slabs[lo].base &&
	       o < (uintptr_t)p->slabs[lo].base + slab_bytes(p, &p->slabs[lo]));
	return lo;
}

/* A new slab, at its place in address order; the others are full, so it becomes cur. */
static int
slab_add(struct pool *p)
{
	if (p->nslabs == p->slabs_cap) {
		size_t cap = p->slabs_cap ? 2 * p->slabs_cap : 4;
		struct pool_slab *v = realloc(p->slabs, cap * sizeof *v);
		if (v == NULL)
			return -1;
		p->slabs = v;
		p->slabs_cap = cap;
	}
	/* 16 objects, then as much as the pool has (doubling), up to slab_max */
	size_t bytes = p->slab_bytes;
	if (bytes < POOL_SLAB_MIN * p->size)
		bytes = POOL_SLAB_MIN * p->size;
	if (bytes > p->slab_max)
		bytes = p->slab_max;
	size_t cap = bytes / p->size;
	if (cap > UINT32_MAX)
		cap = UINT32_MAX;
	void *mem;
	if (p->align > 16) {
		if (posix_memalign(&mem, p->align, cap * p->size) != 0)
			return -1;
	} else if ((mem = malloc(cap * p->size)) == NULL) {
		return -1;
	}
	POISON(mem, cap * p->size);
	size_t i = p->nslabs;
	while (i > 0 && (uintptr_t)p->slabs[i - 1].base > (uintptr_t)mem)
		i--;
	memmove(&p->slabs[i + 1], &p->slabs[i], (p->nslabs - i) * sizeof *p->slabs);
	p->slabs[i] = (struct pool_slab){.base = mem, .bump = mem, .cap = (uint32_t)cap};
	p->nslabs++;
	p->slab_bytes += cap * p->size;
	p->cur = i;
	return 0;
}

/* Gives slab i back to malloc. */
static void
slab_remove(struct pool *p, size_t i)
{
	assert(p->slabs[i].live == 0);
	if (p->spare == p->slabs[i].base)
		p->spare = NULL;
	slab_release(p, &p->slabs[i]);
	memmove(&p->slabs[i], &p->slabs[i + 1], (p->nslabs - i - 1) * sizeof *p->slabs);
	p->nslabs--;
	if (i < p->cur)
		p->cur--;
}

/* Slab i has just become empty: it is the spare, or, when there is one already, the one of
 * the two at the higher address goes. */
static void
slab_emptied(struct pool *p, size_t i)
{
	char *base = p->slabs[i].base;
	if (p->spare != NULL && p->spare != base) {
		size_t k = slab_of(p, p->spare);
		if (p->slabs[k].live == 0) {
			p->spare = k < i ? p->spare : base;
			slab_remove(p, k < i ? i : k);
			return;
		}
	}
	p->spare = base;
}

void
pool_trim(struct pool *p)
{
	if (p->spare == NULL)
		return;
	size_t k = slab_of(p, p->spare);
	if (p->slabs[k].live == 0)
		slab_remove(p, k);
	p->spare = NULL;
}

void *
pool_get(struct pool *p)
{
	for (;; p->cur++) {
		if (p->cur == p->nslabs && slab_add(p) < 0)
			return NULL;
		struct pool_slab *s = &p->slabs[p->cur];
		void *o = s->free;
		if (o != NULL) {
			s->free = *(void **)o;
		} else if (s->bump < s->base + slab_bytes(p, s)) {
			o = s->bump;
			s->bump += p->size;
		} else {
			continue; /* full */
		}
		UNPOISON(o, p->size);
		s->live++;
		p->live++;
		return o;
	}
}

void *
pool_alloc(struct pool *p)
{
	void *o = pool_get(p);
	if (o == NULL)
		oom(p->size);
	memset(o, 0, p->size);
	return o;
}

void
pool_free(struct pool *p, void *obj)
{
	if (obj == NULL)
		return;
	size_t i = slab_of(p, obj);
	struct pool_slab *s = &p->slabs[i];
	*(void **)obj = s->free;
	s->free = obj;
	POISON((char *)obj + sizeof(void *), p->size - sizeof(void *));
	p->live--;
	if (i < p->cur)
		p->cur = i;
	if (--s->live == 0)
		slab_emptied(p, i);
}
