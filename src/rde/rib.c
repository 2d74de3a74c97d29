/*
 * RIB storage, the peer-wide jobs and the interned lone paths (see rib.h for the model).
 * Change tracking for exports and the deletion of nodes left without paths are in
 * rib_export.c: this file only tells it (rib_x_changed, rib_x_pathless), and never deletes a
 * node itself, so nodes handed to readers stay valid until rib_maintain().
 */
#include "rde/rib_int.h"

#include <stdlib.h>
#include <string.h>

#define SP_TAB_MIN 1024 /* buckets of the intern table of lone paths, at least */

enum job_kind { JOB_FLUSH, JOB_STALE, JOB_SWEEP };

struct rib_job {
	struct rib_job *next;
	enum job_kind kind;
	uint16_t peer;
	uint8_t fams;
	int fam; /* family being walked */
	bool started;
	struct prefix last; /* cursor: last prefix handled */
};

/* An interned lone path and its hash chain. */
struct rib_spath {
	struct rib_path p;
	struct rib_spath *hnext;
};

struct rib *
rib_new(const struct rib_local *local)
{
	struct rib *r = xcalloc(1, sizeof *r);
	r->local = *local;
	r->tree[BGP_FAM_V4] = radix_new(AF_INET);
	r->tree[BGP_FAM_V6] = radix_new(AF_INET6);
	if (r->tree[BGP_FAM_V4] == NULL || r->tree[BGP_FAM_V6] == NULL)
		abort(); /* out of memory policy */
	pool_init(&r->paths, sizeof(struct rib_path));
	pool_init(&r->spaths, sizeof(struct rib_spath));
	r->sp_mask = SP_TAB_MIN - 1;
	r->sp_tab = xcalloc(r->sp_mask + 1, sizeof *r->sp_tab);
	r->jobs_tail = &r->jobs;
	rib_x_init(r);
	return r;
}

static void
free_paths(void *value, void *arg)
{
	struct rib *r = arg;
	for (struct rib_path *p = value, *next; p != NULL; p = next) {
		next = p->next;
		if (p->flags & RIB_PATH_SHARED)
			continue; /* freed with the intern table */
		attr_unref(p->attrs);
		pool_free(&r->paths, p);
	}
}

void
rib_free(struct rib *r)
{
	if (r == NULL)
		return;
	rib_x_free(r);
	for (int f = 0; f < BGP_FAM_N; f++)
		radix_free(r->tree[f], free_paths, r);
	while (r->jobs != NULL) {
		struct rib_job *j = r->jobs;
		r->jobs = j->next;
		free(j);
	}
	for (size_t i = 0; i <= r->sp_mask; i++)
		for (struct rib_spath *sp = r->sp_tab[i]; sp != NULL; sp = sp->hnext)
			attr_unref(sp->p.attrs);
	free(r->sp_tab);
	pool_destroy(&r->spaths);
	pool_destroy(&r->paths);
	free(r->peers);
	free(r);
}

struct radix *
rib_tree(struct rib *r, enum bgp_fam f)
{
	return r->tree[f];
}

void
rib_peer_set(struct rib *r, uint16_t id, const struct rib_peer *info)
{
	if (id >= r->n_peers) {
		size_t n = (size_t)id + 16;
		r->peers = xrealloc(r->peers, n * sizeof *r->peers);
		memset(r->peers + r->n_peers, 0, (n - r->n_peers) * sizeof *r->peers);
		r->n_peers = n;
	}
	struct rib_peer *pe = &r->peers[id];
	uint64_t paths[BGP_FAM_N], stale[BGP_FAM_N];
	memcpy(paths, pe->paths, sizeof paths);
	memcpy(stale, pe->stale, sizeof stale);
	uint8_t epoch = pe->epoch;
	*pe = *info;
	pe->epoch = epoch;
	pe->known = true;
	memcpy(pe->paths, paths, sizeof paths);
	memcpy(pe->stale, stale, sizeof stale);
}

const struct rib_peer *
rib_peer_get(const struct rib *r, uint16_t id)
{
	return id < r->n_peers && r->peers[id].known ? &r->peers[id] : NULL;
}

static struct rib_peer *
peer_acct(struct rib *r, uint16_t id)
{
	if (id >= r->n_peers) {
		struct rib_peer unknown = {0};
		rib_peer_set(r, id, &unknown);
		r->peers[id].known = false;
	}
	return &r->peers[id];
}

void
rib_set_best_hook(struct rib *r, rib_best_hook fn, void *arg)
{
	r->hook = fn;
	r->hook_arg = arg;
}

void
rib_set_alt_hook(struct rib *r, rib_alt_hook fn, void *arg)
{
	r->alt_hook = fn;
	r->alt_arg = arg;
}

/* ---- interned lone paths ---- */

static size_t
sp_hash(const struct attrs *a, uint16_t peer, uint8_t flags, uint8_t epoch)
{
	uint64_t h = (uint64_t)(uintptr_t)a * 0x9e3779b97f4a7c15u;
	h ^= ((uint64_t)peer << 16 | (uint64_t)flags << 8 | epoch) * 0xc2b2ae3d27d4eb4fu;
	return (size_t)(h ^ (h >> 29));
}

/* Rehashes the intern table into nmask + 1 buckets (a power of two). */
static void
sp_resize(struct rib *r, size_t nmask)
{
	struct rib_spath **nt = xcalloc(nmask + 1, sizeof *nt);
	for (size_t i = 0; i <= r->sp_mask; i++)
		for (struct rib_spath *sp = r->sp_tab[i], *next; sp != NULL; sp = next) {
			next = sp->hnext;
			size_t b =
			    sp_hash(sp->p.attrs, sp->p.peer, sp->p.flags, sp->p.epoch) & nmask;
			sp->hnext = nt[b];
			nt[b] = sp;
		}
	free(r->sp_tab);
	r->sp_tab = nt;
	r->sp_mask = nmask;
}

/* The interned lone path (attrs, peer, flags, epoch), taking over the caller's attrs ref. */
static struct rib_path *
sp_get(struct rib *r, struct attrs *a, uint16_t peer, uint8_t flags, uint8_t epoch)
{
	flags |= RIB_PATH_SHARED;
	size_t b = sp_hash(a, peer, flags, epoch) & r->sp_mask;
	for (struct rib_spath *sp = r->sp_tab[b]; sp != NULL; sp = sp->hnext)
		if (sp->p.attrs == a && sp->p.peer == peer && sp->p.flags == flags &&
		    sp->p.epoch == epoch) {
			sp->p.refcnt++;
			r->sp_refs++;
			attr_unref(a);
			return &sp->p;
		}
	if (r->sp_n > r->sp_mask) {
		sp_resize(r, r->sp_mask * 2 + 1);
		b = sp_hash(a, peer, flags, epoch) & r->sp_mask;
	}
	struct rib_spath *sp = pool_alloc(&r->spaths);
	sp->p.attrs = a;
	sp->p.peer = peer;
	sp->p.flags = flags;
	sp->p.epoch = epoch;
	sp->p.refcnt = 1;
	sp->hnext = r->sp_tab[b];
	r->sp_tab[b] = sp;
	r->sp_n++;
	r->sp_refs++;
	return &sp->p;
}

static void
sp_put(struct rib *r, struct rib_path *p)
{
	r->sp_refs--;
	if (--p->refcnt > 0)
		return;
	size_t b = sp_hash(p->attrs, p->peer, p->flags, p->epoch) & r->sp_mask;
	struct rib_spath **pp = &r->sp_tab[b];
	while (&(*pp)->p != p)
		pp = &(*pp)->hnext;
	struct rib_spath *sp = *pp;
	*pp = sp->hnext;
	r->sp_n--;
	attr_unref(p->attrs);
	pool_free(&r->spaths, sp);
	/* a peer with many attribute sets went: below 1/4 load, the table shrinks to 1/2 */
	if (r->sp_mask + 1 > SP_TAB_MIN && r->sp_n < (r->sp_mask + 1) / 4) {
		size_t n = SP_TAB_MIN;
		while (n < 2 * r->sp_n)
			n *= 2;
		sp_resize(r, n - 1);
	}
}

/* Gives back a path of either kind (the list must no longer point at it). */
static void
path_release(struct rib *r, struct rib_path *p)
{
	r->paths_removed++;
	if (p->flags & RIB_PATH_SHARED) {
		sp_put(r, p);
	} else {
		attr_unref(p->attrs);
		pool_free(&r->paths, p);
	}
}

/* A private copy of a shared lone path, for a list. */
static struct rib_path *
path_private(struct rib *r, const struct rib_path *sp)
{
	struct rib_path *q = pool_alloc(&r->paths);
	q->attrs = attr_ref(sp->attrs);
	q->peer = sp->peer;
	q->flags = (uint8_t)(sp->flags & ~RIB_PATH_SHARED);
	q->epoch = sp->epoch;
	return q;
}

/* Sets the (lone, shared) path of a node to its variant with other fields: the pointer moves. */
static struct rib_path *
sp_replace(struct rib *r, struct radix_node *n, struct rib_path *old, struct attrs *a,
	   uint8_t flags, uint8_t epoch)
{
	struct rib_path *nw = sp_get(r, a, old->peer, flags, epoch);
	radix_set_value(n, nw);
	sp_put(r, old);
	return nw;
}

bool
rib_update(struct rib *r, enum bgp_fam f, const struct prefix *p, uint16_t peer,
	   struct attrs *attrs)
{
	struct radix_node *n = radix_get(r->tree[f], p->a, p->len);
	if (n == NULL)
		abort(); /* out of memory policy */
	struct rib_path *head = rib_best(n), *path = NULL;
	/* A reference keeps the old best attributes alive for the hook. */
	struct attrs *old_best_attrs = head ? attr_ref(head->attrs) : NULL;
	uint16_t old_best_peer = head ? head->peer : 0;
	struct rib_peer *acct = peer_acct(r, peer);
	for (struct rib_path *q = head; q != NULL; q = q->next)
		if (q->peer == peer) {
			path = q;
			break;
		}
	if (path != NULL && (path->flags & RIB_PATH_SHARED)) {
		/* the lone path: re-intern the new variant */
		bool same = path->attrs == attrs;
		if (path->flags & RIB_PATH_STALE)
			acct->stale[f]--;
		if (!same || path->flags != RIB_PATH_SHARED || path->epoch != acct->epoch)
			path = sp_replace(r, n, path, attr_ref(attrs), 0, acct->epoch);
		attr_unref(attrs);
		if (same) {
			if (old_best_attrs != NULL)
				attr_unref(old_best_attrs);
			return false;
		}
	} else if (path != NULL) {
		path->epoch = acct->epoch;
		if (path->flags & RIB_PATH_STALE) {
			path->flags &= (uint8_t)~RIB_PATH_STALE;
			acct->stale[f]--;
		}
		if (path->attrs == attrs) {
			attr_unref(attrs);
			if (old_best_attrs != NULL)
				attr_unref(old_best_attrs);
			return false;
		}
		attr_unref(path->attrs);
		path->attrs = attrs;
	} else if (head == NULL) {
		/* the first path of the prefix: a shared lone path */
		path = sp_get(r, attrs, peer, 0, acct->epoch);
		radix_set_value(n, path);
		acct->paths[f]++;
	} else {
		if (head->flags & RIB_PATH_SHARED) {
			/* a second path: the lone one becomes a private list element */
			struct rib_path *q = path_private(r, head);
			sp_put(r, head);
			head = q;
		}
		path = pool_alloc(&r->paths);
		path->attrs = attrs;
		path->peer = peer;
		path->epoch = acct->epoch;
		/* Append: the decision below orders the list. */
		struct rib_path **pp = &head;
		while (*pp != NULL)
			pp = &(*pp)->next;
		*pp = path;
		radix_set_value(n, head);
		acct->paths[f]++;
	}
	rib_decide(r, n);
	head = rib_best(n);
	/* Exports depend on the best path's attributes and, for split horizon and reflection,
	 * on the peer it came from. */
	bool changed = head->attrs != old_best_attrs || head->peer != old_best_peer;
	if (changed) {
		rib_x_changed(r, f, n);
		if (r->hook != NULL)
			r->hook(r->hook_arg, f, n, old_best_peer, old_best_attrs, head);
	} else if (r->alt_hook != NULL) {
		r->alt_hook(r->alt_arg, f, n);
	}
	if (old_best_attrs != NULL)
		attr_unref(old_best_attrs);
	return changed;
}

static bool
remove_path(struct rib *r, enum bgp_fam f, struct radix_node *n, struct rib_path *path)
{
	struct rib_path *head = rib_best(n);
	bool was_best = head == path;
	struct rib_path **pp = &head;
	while (*pp != path)
		pp = &(*pp)->next;
	*pp = path->next;
	radix_set_value(n, head);
	struct rib_peer *acct = peer_acct(r, path->peer);
	acct->paths[f]--;
	if (path->flags & RIB_PATH_STALE)
		acct->stale[f]--;
	if (was_best) {
		rib_decide(r, n);
		rib_x_changed(r, f, n);
		if (r->hook != NULL)
			r->hook(r->hook_arg, f, n, path->peer, path->attrs, rib_best(n));
	}
	path_release(r, path);
	if (!was_best && r->alt_hook != NULL)
		r->alt_hook(r->alt_arg, f, n);
	if (head == NULL)
		rib_x_pathless(r, f, n);
	return was_best;
}

bool
rib_has_path(const struct rib *r, enum bgp_fam f, const struct prefix *p, uint16_t peer)
{
	struct radix_node *n = radix_find(r->tree[f], p->a, p->len);
	for (struct rib_path *q = n != NULL ? rib_best(n) : NULL; q != NULL; q = q->next)
		if (q->peer == peer)
			return true;
	return false;
}

bool
rib_withdraw(struct rib *r, enum bgp_fam f, const struct prefix *p, uint16_t peer)
{
	struct radix_node *n = radix_find(r->tree[f], p->a, p->len);
	if (n == NULL)
		return false;
	for (struct rib_path *q = rib_best(n); q != NULL; q = q->next)
		if (q->peer == peer)
			return remove_path(r, f, n, q);
	return false;
}

static void
job_add(struct rib *r, enum job_kind kind, uint16_t peer, uint8_t fams)
{
	struct rib_job *j = xcalloc(1, sizeof *j);
	j->kind = kind;
	j->peer = peer;
	j->fams = fams;
	j->fam = -1;
	*r->jobs_tail = j;
	r->jobs_tail = &j->next;
}

void
rib_peer_flush(struct rib *r, uint16_t peer, uint8_t fams)
{
	peer_acct(r, peer)->epoch++; /* the fence: what is announced from now on stays */
	job_add(r, JOB_FLUSH, peer, fams);
}

void
rib_peer_mark_stale(struct rib *r, uint16_t peer, uint8_t fams)
{
	peer_acct(r, peer)->epoch++;
	job_add(r, JOB_STALE, peer, fams);
}

void
rib_peer_sweep_stale(struct rib *r, uint16_t peer, uint8_t fams)
{
	job_add(r, JOB_SWEEP, peer, fams);
}

/* Applies a job to one node. */
static void
job_node(struct rib *r, struct rib_job *j, enum bgp_fam f, struct radix_node *n)
{
	for (struct rib_path *q = rib_best(n); q != NULL; q = q->next) {
		if (q->peer != j->peer)
			continue;
		if (j->kind == JOB_STALE) {
			/* only what was announced before the mark (see rib.h) */
			if ((q->flags & RIB_PATH_SHARED) && !(q->flags & RIB_PATH_STALE) &&
			    q->epoch != peer_acct(r, q->peer)->epoch) {
				/* q is released: j->peer is its peer */
				sp_replace(r, n, q, attr_ref(q->attrs),
					   (uint8_t)(q->flags & ~RIB_PATH_SHARED) | RIB_PATH_STALE,
					   q->epoch);
				peer_acct(r, j->peer)->stale[f]++;
			} else if (!(q->flags & RIB_PATH_STALE) &&
				   q->epoch != peer_acct(r, q->peer)->epoch) {
				q->flags |= RIB_PATH_STALE;
				peer_acct(r, q->peer)->stale[f]++;
			}
		} else if (j->kind == JOB_FLUSH ? q->epoch != peer_acct(r, q->peer)->epoch
						: (q->flags & RIB_PATH_STALE) != 0) {
			remove_path(r, f, n, q);
		}
		return;
	}
}

/* The next family of the job's set after j->fam, or -1. */
static int
job_next_fam(const struct rib_job *j)
{
	for (int f = j->fam + 1; f < BGP_FAM_N; f++)
		if (j->fams & BGP_FAM_BIT(f))
			return f;
	return -1;
}

/* Runs one job for up to *budget nodes; true when the job is finished. */
static bool
job_step(struct rib *r, struct rib_job *j, size_t *budget)
{
	for (;;) {
		if (!j->started) {
			if ((j->fam = job_next_fam(j)) < 0)
				return true;
		}
		enum bgp_fam f = (enum bgp_fam)j->fam;
		struct radix *t = r->tree[f];
		struct radix_node *n =
		    j->started ? radix_next_after(t, j->last.a, j->last.len) : radix_first(t);
		j->started = true;
		while (n != NULL && *budget > 0) {
			struct radix_node *next = radix_next(t, n);
			radix_prefix(t, n, &j->last);
			job_node(r, j, f, n);
			(*budget)--;
			n = next;
		}
		if (n != NULL)
			return false; /* out of budget, resume after j->last */
		j->started = false;   /* family done */
		if (*budget == 0)
			return job_next_fam(j) < 0;
	}
}

bool
rib_jobs_run(struct rib *r, size_t budget)
{
	while (r->jobs != NULL && budget > 0) {
		struct rib_job *j = r->jobs;
		if (!job_step(r, j, &budget))
			break;
		r->jobs = j->next;
		if (r->jobs == NULL)
			r->jobs_tail = &r->jobs;
		free(j);
	}
	return r->jobs != NULL;
}

bool
rib_jobs_pending(const struct rib *r)
{
	return r->jobs != NULL;
}

void
rib_trim(struct rib *r)
{
	for (int f = 0; f < BGP_FAM_N; f++)
		radix_trim(r->tree[f]);
	pool_trim(&r->paths);
	pool_trim(&r->spaths);
}

void
rib_stats(const struct rib *r, struct rib_stats *s)
{
	memset(s, 0, sizeof *s);
	for (int f = 0; f < BGP_FAM_N; f++) {
		s->prefixes[f] = radix_count(r->tree[f]);
		s->tree_bytes += radix_mem_bytes(r->tree[f]);
	}
	s->paths = r->paths.live + r->sp_refs;
	s->paths_removed = r->paths_removed;
	s->path_bytes = pool_mem_bytes(&r->paths) + pool_mem_bytes(&r->spaths) +
			(r->sp_mask + 1) * sizeof *r->sp_tab;
}
