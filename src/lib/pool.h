/*
 * Fixed-size object pools: objects are carved from slabs and recycled, so millions of small
 * objects cost no malloc header each and are allocated in a few instructions.
 *
 * Each slab keeps its own free list and count of objects in use, and an allocation takes from
 * the slab of lowest address that has room: objects in use gather in the low slabs while the
 * others empty, and a slab whose last object is freed goes back to malloc. One empty slab is
 * kept as a spare, so a count that goes up and down across a slab boundary does not malloc and
 * free a slab each time. The slabs are sorted by address; a free finds its slab by binary
 * search (a 1M-prefix RIB has about 200 slabs: 8 steps). Slabs grow with the pool, from 16
 * objects, doubling, up to the pool's largest slab size.
 *
 * Out of memory aborts the daemon (the single OOM policy, see bgp64d(8)), except in
 * pool_get(), for callers with their own contract (radix.h).
 */
#ifndef BGP64_POOL_H
#define BGP64_POOL_H

#include <stddef.h>
#include <stdint.h>

struct pool_slab {
	char *base; /* the first object; the slab holds cap objects from there */
	char *bump; /* objects from here on were never handed out */
	void *free; /* objects of this slab given back, linked through their first word */
	uint32_t live;
	uint32_t cap;
};

struct pool {
	size_t size;		 /* object size, rounded up to 8 */
	size_t align;		 /* alignment of every slab */
	size_t slab_max;	 /* bytes in a slab, at most */
	struct pool_slab *slabs; /* sorted by address */
	size_t nslabs, slabs_cap;
	size_t cur;	   /* the slabs before it are full */
	char *spare;	   /* base of the empty slab kept, or NULL */
	size_t live;	   /* objects handed out */
	size_t slab_bytes; /* sum of the slabs' sizes */
};

/* Slabs aligned to 16 bytes, of 64 KiB at most. */
void pool_init(struct pool *p, size_t size);
/* Slabs aligned to align (a power of two), of slab_max bytes at most. */
void pool_init_slabs(struct pool *p, size_t size, size_t align, size_t slab_max);
/* Returns every slab to malloc; the pool can be used again (its objects are all invalid). */
void pool_destroy(struct pool *p);
void *pool_alloc(struct pool *p); /* zeroed */
void *pool_get(struct pool *p);	  /* not initialised; NULL on out of memory */
void pool_free(struct pool *p, void *obj);
/* Bytes taken from malloc: the slabs and their table. */
size_t pool_mem_bytes(const struct pool *p);
/* Returns the spare slab too (a quiet moment after the pool shrank). */
void pool_trim(struct pool *p);

/*
 * glibc's heap: pool_malloc_init() (at start-up) makes every allocation of 128 KiB or more its
 * own mapping, given back to the system when freed (glibc would otherwise raise that threshold
 * after the first such free and serve later ones from the heap); pool_malloc_trim() gives the
 * system the free pages inside the heap, after much was freed (bgp64d(8)).
 */
void pool_malloc_init(void);
void pool_malloc_trim(void);

/* Allocation wrappers that abort on out of memory (the daemon-wide policy). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *ptr, size_t n);
char *xstrdup(const char *s);

#endif
