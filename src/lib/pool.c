/*
 * Slab pool and the aborting allocation wrappers. Out-of-memory policy for the whole daemon:
 * log and abort. A routing daemon that lost part of its table silently is worse than one that
 * restarts (systemd restarts it; peers see the session drop and withdraw its routes).
 */
#include "lib/pool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POOL_SLAB (64 * 1024)

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
pool_init(struct pool *p, size_t size)
{
	memset(p, 0, sizeof *p);
	if (size < sizeof(void *))
		size = sizeof(void *);
	p->size = (size + 7) & ~(size_t)7;
}

void
pool_destroy(struct pool *p)
{
	void *s = p->slabs;
	while (s != NULL) {
		void *next = *(void **)s;
		free(s);
		s = next;
	}
	memset(p, 0, sizeof *p);
}

void *
pool_alloc(struct pool *p)
{
	void *o;
	if (p->free != NULL) {
		o = p->free;
		p->free = *(void **)o;
	} else {
		if (p->cur == NULL || (size_t)(p->end - p->cur) < p->size) {
			char *slab = xmalloc(POOL_SLAB);
			*(void **)slab = p->slabs;
			p->slabs = slab;
			p->cur = slab + 16; /* keep objects 16-aligned past the link */
			p->end = slab + POOL_SLAB;
			p->slab_bytes += POOL_SLAB;
		}
		o = p->cur;
		p->cur += p->size;
	}
	p->live++;
	memset(o, 0, p->size);
	return o;
}

void
pool_free(struct pool *p, void *obj)
{
	if (obj == NULL)
		return;
	*(void **)obj = p->free;
	p->free = obj;
	p->live--;
}
