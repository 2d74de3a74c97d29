/*
 * Fixed-size object pool: objects are carved from 64 KiB slabs and recycled through a free
 * list, so millions of small RIB objects cost no malloc header each and are allocated in a
 * few instructions. Slabs are only returned to the system when the pool is destroyed.
 * Out of memory aborts the daemon (the single OOM policy, see bgp64d(8)).
 */
#ifndef BGP64_POOL_H
#define BGP64_POOL_H

#include <stddef.h>

struct pool {
	size_t size;	 /* object size, rounded up to 8 */
	void *free;	 /* free list */
	char *cur, *end; /* bump area in the current slab */
	void *slabs;	 /* list of slabs */
	size_t live;	 /* objects handed out */
	size_t slab_bytes;
};

void pool_init(struct pool *p, size_t size);
void pool_destroy(struct pool *p);
void *pool_alloc(struct pool *p); /* zeroed */
void pool_free(struct pool *p, void *obj);

/* Allocation wrappers that abort on out of memory (the daemon-wide policy). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *ptr, size_t n);
char *xstrdup(const char *s);

#endif
