/*
 * Exports of the RIB: the change journal, readers, and the deletion of nodes left without
 * paths (see rib.h for the model, rib_int.h for the node bits).
 *
 * Epochs. r->epoch is the open epoch. A change stamps the node with it and, the first time in
 * that epoch (RIB_NODE_J clear), appends the node to the family's journal (8 bytes; the epochs
 * are segments of it). Readers only
 * read closed epochs: rib_maintain() closes the open one before each round of reading, so a
 * node that changes again after a reader took it is journaled again. An entry whose epoch is
 * not the node's stamp any more is stale (a later entry exists) and skipped: each reader
 * exports a node once per round however often it changed.
 *
 * A reader per family: a journal position (attached), and a walk when it needs more than the
 * changes: the whole table (full: new peer, route refresh) and/or every node changed after
 * 'base' (catching up). While walking, journal entries of nodes the walk has passed are
 * exported and those ahead of it skipped (the walk will export them), so the two together
 * export every change once. A reader whose journal backlog passes the bound is detached
 * from the journal: when it was not walking it starts a catch-up walk from the last epoch it
 * completed, else it walks again after the current walk ('rewalk'). Memory is bounded by the
 * journal bound, whatever the number of readers and however slow they are.
 *
 * A node's stamp holds RIB_SEQ_BITS bits of the epoch. Comparisons ("changed after epoch b")
 * are exact while the current epoch is less than half the stamp range past b; a walk whose
 * base is older exports every node (announcements and withdrawals), and nodes are not deleted
 * while a reader is that far behind.
 *
 * Deletion: a node left without paths is queued; it is deleted once every reader has read
 * the epoch of its last change (its withdrawal went out everywhere), in bounded slices.
 */
#include "rde/rib_int.h"

#include <stdlib.h>
#include <string.h>

#define JOURNAL_MIN_BOUND 262144 /* entries a reader may lag behind, at least */
#define JOURNAL_MIN_CAP	  1024	 /* entries allocated, at least */
#define SEQ_HALF	  ((uint64_t)1 << (RIB_SEQ_BITS - 1))
#define NO_EPOCH	  UINT64_MAX

struct rib_rfam {
	bool on;       /* the reader follows this family */
	bool attached; /* reads the journal from pos */
	uint64_t pos;
	uint64_t seg; /* the journal segment of pos (a hint: at most behind it) */
	bool walking, started, full;
	uint64_t base;	    /* the walk exports nodes changed after base */
	struct prefix last; /* walk cursor: the last prefix visited */
	bool rewalk;	    /* detached during the walk: catch up after it from rewalk_base */
	uint64_t rewalk_base;
	bool initial;	   /* the walk of a new reader: its peers have nothing yet */
	bool last_current; /* see rib_reader_last_current() */
};

struct rib_reader {
	struct rib_reader *next, **pprev;
	struct rib_rfam f[BGP_FAM_N];
};

/* ---- node bits ---- */

static inline uint32_t
node_seq(const struct radix_node *n)
{
	return radix_uflags(n) >> RIB_SEQ_SHIFT;
}

static inline uint64_t
node_age(const struct rib *r, const struct radix_node *n)
{
	return ((uint32_t)r->epoch - node_seq(n)) & RIB_SEQ_MASK;
}

/* True when n changed in an epoch after b (b < r->epoch). */
static bool
changed_after(const struct rib *r, const struct radix_node *n, uint64_t b)
{
	if (r->epoch - b >= SEQ_HALF)
		return true; /* too far back to tell: everything counts as changed */
	return node_age(r, n) < r->epoch - b;
}

/* ---- journal ---- */

static uint64_t
j_end(const struct rib_journal *j)
{
	return j->base + j->len;
}

static struct radix_node *
j_node(const struct rib_journal *j, uint64_t abs)
{
	return j->v[j->head + (size_t)(abs - j->base)];
}

static struct rib_jseg *
j_seg(const struct rib_journal *j, uint64_t sabs)
{
	return &j->sg[j->sg_head + (size_t)(sabs - j->sg_base)];
}

/* Absolute index where segment sabs ends. */
static uint64_t
j_seg_end(const struct rib_journal *j, uint64_t sabs)
{
	return sabs + 1 < j->sg_base + j->sg_len ? j_seg(j, sabs + 1)->start : j->open;
}

/* The epoch of the (closed) entry at pos; *seg is the caller's hint, moved forward. */
static uint64_t
j_epoch(const struct rib_journal *j, uint64_t pos, uint64_t *seg)
{
	if (*seg < j->sg_base)
		*seg = j->sg_base; /* the segments before were trimmed: pos is after them */
	while (pos >= j_seg_end(j, *seg))
		(*seg)++;
	return j_seg(j, *seg)->epoch;
}

/* Deque growth shared by the journal's two arrays. */
static void *
dq_room(void *v, size_t *head, size_t len, size_t *cap, size_t size)
{
	if (*head + len < *cap)
		return v;
	if (*head > *cap / 2) {
		memmove(v, (char *)v + *head * size, len * size);
		*head = 0;
		return v;
	}
	*cap = *cap ? *cap * 2 : 1024;
	return xrealloc(v, *cap * size);
}

static void
j_push(struct rib_journal *j, struct radix_node *n)
{
	j->v = dq_room(j->v, &j->head, j->len, &j->cap, sizeof *j->v);
	j->v[j->head + j->len++] = n;
}

/* Drops the entries before abs and the segments that end there; gives memory back when the
 * journal is mostly empty. */
static void
j_trim(struct rib_journal *j, uint64_t abs)
{
	while (j->sg_len > 0 && j_seg_end(j, j->sg_base) <= abs) {
		j->sg_head++;
		j->sg_base++;
		if (--j->sg_len == 0)
			j->sg_head = 0;
	}
	if (j->sg_cap > JOURNAL_MIN_CAP && j->sg_len < j->sg_cap / 8) {
		memmove(j->sg, j->sg + j->sg_head, j->sg_len * sizeof *j->sg);
		j->sg_head = 0;
		j->sg_cap /= 2;
		j->sg = xrealloc(j->sg, j->sg_cap * sizeof *j->sg);
	}
	if (abs > j->base) {
		size_t k = (size_t)(abs - j->base);
		j->head += k;
		j->len -= k;
		j->base = abs;
		if (j->len == 0)
			j->head = 0;
	}
	if (j->cap <= JOURNAL_MIN_CAP || j->len >= j->cap / 8)
		return;
	size_t cap = j->cap;
	while (cap > JOURNAL_MIN_CAP && j->len < cap / 8)
		cap /= 2;
	memmove(j->v, j->v + j->head, j->len * sizeof *j->v);
	j->head = 0;
	j->cap = cap;
	j->v = xrealloc(j->v, j->cap * sizeof *j->v);
}

static void
nv_push(struct rib_nodevec *q, struct radix_node *n)
{
	if (q->head + q->len == q->cap) {
		if (q->head > q->cap / 2) {
			memmove(q->v, q->v + q->head, q->len * sizeof *q->v);
			q->head = 0;
		} else {
			q->cap = q->cap ? q->cap * 2 : 1024;
			q->v = xrealloc(q->v, q->cap * sizeof *q->v);
		}
	}
	q->v[q->head + q->len++] = n;
}

void
rib_x_init(struct rib *r)
{
	r->epoch = 1;
}

void
rib_x_free(struct rib *r)
{
	while (r->readers != NULL)
		rib_reader_free(r, r->readers);
	for (int f = 0; f < BGP_FAM_N; f++) {
		free(r->jr[f].v);
		free(r->jr[f].sg);
		free(r->reap[f].v);
	}
}

void
rib_x_changed(struct rib *r, enum bgp_fam f, struct radix_node *n)
{
	uint32_t u = radix_uflags(n) & (RIB_NODE_REAPQ | RIB_NODE_XLAT);
	u |= ((uint32_t)r->epoch & RIB_SEQ_MASK) << RIB_SEQ_SHIFT;
	if (radix_uflags(n) & RIB_NODE_J) {
		u |= RIB_NODE_J;
	} else if (r->readers != NULL) {
		j_push(&r->jr[f], n);
		u |= RIB_NODE_J;
		r->epoch_used = true;
	}
	radix_set_uflags(n, u);
}

void
rib_mark(struct rib *r, enum bgp_fam f, struct radix_node *n)
{
	rib_x_changed(r, f, n);
}

void
rib_touch(struct rib *r, enum bgp_fam f, const struct prefix *p)
{
	struct radix_node *n = radix_get(r->tree[f], p->a, p->len);
	if (n == NULL)
		abort(); /* out of memory policy */
	rib_x_changed(r, f, n);
	if (radix_value(n) == NULL)
		rib_x_pathless(r, f, n);
}

void
rib_node_set_xlat(struct radix_node *n)
{
	radix_set_uflags(n, radix_uflags(n) | RIB_NODE_XLAT);
}

bool
rib_node_xlat(const struct radix_node *n)
{
	return (radix_uflags(n) & RIB_NODE_XLAT) != 0;
}

void
rib_x_pathless(struct rib *r, enum bgp_fam f, struct radix_node *n)
{
	uint32_t u = radix_uflags(n);
	if (!(u & RIB_NODE_REAPQ)) {
		radix_set_uflags(n, u | RIB_NODE_REAPQ);
		nv_push(&r->reap[f], n);
	}
}

/* Closes the open epoch: its entries become readable, changes from now on are journaled anew. */
static void
epoch_close(struct rib *r)
{
	if (!r->epoch_used)
		return;
	for (int f = 0; f < BGP_FAM_N; f++) {
		struct rib_journal *j = &r->jr[f];
		if (j->open == j_end(j))
			continue;
		for (uint64_t i = j->open; i < j_end(j); i++) {
			struct radix_node *n = j_node(j, i);
			radix_set_uflags(n, radix_uflags(n) & ~RIB_NODE_J);
		}
		j->sg = dq_room(j->sg, &j->sg_head, j->sg_len, &j->sg_cap, sizeof *j->sg);
		j->sg[j->sg_head + j->sg_len++] = (struct rib_jseg){r->epoch, j->open};
		j->open = j_end(j);
	}
	r->epoch++;
	r->epoch_used = false;
}

/* ---- readers ---- */

/* The last epoch whose changes the reader has all read from the journal. */
static uint64_t
pos_done(const struct rib *r, const struct rib_journal *j, struct rib_rfam *rf)
{
	if (rf->pos < j->open)
		return j_epoch(j, rf->pos, &rf->seg) - 1;
	return r->epoch - 1;
}

/* Attaches the reader at the open epoch: it reads it once it is closed. */
static void
attach(struct rib_journal *j, struct rib_rfam *rf)
{
	rf->attached = true;
	rf->pos = j->open;
	rf->seg = j->sg_base + j->sg_len; /* the segment the next close makes */
}

/* The last epoch whose changes the reader has all exported (NO_EPOCH: the family is off). */
static uint64_t
rfam_done(const struct rib *r, enum bgp_fam f, struct rib_rfam *rf)
{
	if (!rf->on)
		return NO_EPOCH;
	uint64_t d = NO_EPOCH;
	if (rf->attached)
		d = pos_done(r, &r->jr[f], rf);
	if (rf->walking && rf->base < d)
		d = rf->base;
	return d;
}

/* Starts a walk; an attached reader goes on reading the journal beside it. */
static void
walk_start(struct rib *r, enum bgp_fam f, struct rib_rfam *rf, bool full)
{
	uint64_t base = rf->attached ? pos_done(r, &r->jr[f], rf) : rf->base;
	if (rf->walking) {
		/* restarted: it still owes what the interrupted walk would have exported */
		if (rf->base < base)
			base = rf->base;
		full = full || rf->full;
	}
	rf->walking = true;
	rf->started = false;
	rf->full = full;
	rf->base = base;
	rf->initial = false; /* a restarted walk passes nodes already sent again */
}

static void
reader_link(struct rib *r, struct rib_reader *rd)
{
	rd->next = r->readers;
	if (rd->next != NULL)
		rd->next->pprev = &rd->next;
	rd->pprev = &r->readers;
	r->readers = rd;
}

struct rib_reader *
rib_reader_new(struct rib *r, uint8_t fams)
{
	struct rib_reader *rd = xcalloc(1, sizeof *rd);
	for (int f = 0; f < BGP_FAM_N; f++) {
		struct rib_rfam *rf = &rd->f[f];
		if (!(fams & BGP_FAM_BIT(f)))
			continue;
		rf->on = true;
		attach(&r->jr[f], rf);
		rf->walking = true;
		rf->full = true;
		rf->initial = true;
		rf->base = r->epoch - 1;
	}
	reader_link(r, rd);
	return rd;
}

struct rib_reader *
rib_reader_clone(struct rib *r, const struct rib_reader *src)
{
	struct rib_reader *rd = xmalloc(sizeof *rd);
	*rd = *src;
	reader_link(r, rd);
	return rd;
}

void
rib_reader_free(struct rib *r, struct rib_reader *rd)
{
	(void)r;
	if (rd == NULL)
		return;
	*rd->pprev = rd->next;
	if (rd->next != NULL)
		rd->next->pprev = rd->pprev;
	free(rd);
}

void
rib_reader_refeed(struct rib *r, struct rib_reader *rd, uint8_t fams)
{
	for (int f = 0; f < BGP_FAM_N; f++) {
		struct rib_rfam *rf = &rd->f[f];
		if (rf->on && (fams & BGP_FAM_BIT(f)))
			walk_start(r, (enum bgp_fam)f, rf, true);
	}
}

bool
rib_reader_last_current(const struct rib_reader *rd, enum bgp_fam f)
{
	return rd->f[f].last_current;
}

bool
rib_reader_walking(const struct rib_reader *rd, enum bgp_fam f)
{
	return rd->f[f].on && rd->f[f].walking;
}

bool
rib_reader_pending(const struct rib *r, const struct rib_reader *rd)
{
	for (int f = 0; f < BGP_FAM_N; f++) {
		const struct rib_rfam *rf = &rd->f[f];
		if (!rf->on)
			continue;
		if (rf->walking || !rf->attached || rf->pos < r->jr[f].open)
			return true;
		if (rf->pos < j_end(&r->jr[f]))
			return true; /* changes of the open epoch: readable after the next close */
	}
	return false;
}

bool
rib_reader_same(const struct rib *r, const struct rib_reader *a, const struct rib_reader *b)
{
	(void)r;
	for (int f = 0; f < BGP_FAM_N; f++) {
		const struct rib_rfam *x = &a->f[f], *y = &b->f[f];
		if (x->on != y->on)
			return false;
		if (!x->on)
			continue;
		if (x->walking || y->walking || !x->attached || !y->attached || x->pos != y->pos)
			return false;
	}
	return true;
}

/* Is the node past the walk's cursor (the walk will export it)? */
static bool
ahead_of_walk(const struct rib *r, enum bgp_fam f, const struct rib_rfam *rf,
	      const struct radix_node *n)
{
	if (!rf->started)
		return true;
	struct prefix p;
	radix_prefix(r->tree[f], n, &p);
	return prefix_cmp(&p, &rf->last) > 0;
}

/* Does the walk export this node? */
static bool
walk_wants(const struct rib *r, const struct rib_rfam *rf, const struct radix_node *n)
{
	if (rf->full && radix_value(n) != NULL)
		return true;
	return changed_after(r, n, rf->base);
}

static void
walk_end(struct rib *r, enum bgp_fam f, struct rib_rfam *rf)
{
	rf->walking = false;
	rf->full = false;
	rf->initial = false;
	if (rf->rewalk) {
		rf->rewalk = false;
		rf->walking = true;
		rf->started = false;
		rf->base = rf->rewalk_base;
		attach(&r->jr[f], rf);
	}
}

struct radix_node *
rib_reader_next(struct rib *r, struct rib_reader *rd, enum bgp_fam f, size_t *budget)
{
	struct rib_rfam *rf = &rd->f[f];
	if (!rf->on)
		return NULL;
	struct rib_journal *j = &r->jr[f];
	struct radix *t = r->tree[f];
	while (*budget > 0) {
		if (rf->attached && rf->pos < j->open) {
			uint64_t epoch = j_epoch(j, rf->pos, &rf->seg);
			struct radix_node *n = j_node(j, rf->pos++);
			(*budget)--;
			if (node_seq(n) != ((uint32_t)epoch & RIB_SEQ_MASK))
				continue; /* changed again since: a later entry exists */
			if (rf->walking && ahead_of_walk(r, f, rf, n))
				continue;
			rf->last_current = false;
			return n;
		}
		if (!rf->walking)
			break;
		struct radix_node *n =
		    rf->started ? radix_next_after(t, rf->last.a, rf->last.len) : radix_first(t);
		rf->started = true;
		if (n == NULL) {
			walk_end(r, f, rf);
			continue;
		}
		(*budget)--;
		radix_prefix(t, n, &rf->last);
		if (walk_wants(r, rf, n)) {
			/* Unchanged since the walk began: what the peers got of it before is
			 * its present state (every earlier change was read before base). */
			rf->last_current =
			    rf->initial || (rf->full && !changed_after(r, n, rf->base));
			return n;
		}
	}
	return NULL;
}

/* ---- between rounds ---- */

static size_t
journal_bound(const struct rib *r, enum bgp_fam f)
{
	size_t b = radix_count(r->tree[f]);
	return b > JOURNAL_MIN_BOUND ? b : JOURNAL_MIN_BOUND;
}

/* A reader too far behind leaves the journal and catches up by a walk. */
static void
detach(struct rib *r, enum bgp_fam f, struct rib_rfam *rf)
{
	uint64_t done = pos_done(r, &r->jr[f], rf);
	if (rf->walking) {
		if (!rf->rewalk || done < rf->rewalk_base)
			rf->rewalk_base = done;
		rf->rewalk = true;
		rf->attached = false;
	} else {
		rf->walking = true;
		rf->started = false;
		rf->full = false;
		rf->base = done;
		attach(&r->jr[f], rf);
	}
}

static bool
reapable(const struct rib *r, const struct radix_node *n, uint64_t min_done)
{
	if (radix_value(n) != NULL || (radix_uflags(n) & RIB_NODE_J))
		return false;
	if (min_done == NO_EPOCH)
		return true;
	if (r->epoch - min_done >= SEQ_HALF)
		return false;
	return node_age(r, n) >= r->epoch - min_done;
}

bool
rib_maintain(struct rib *r, size_t budget)
{
	epoch_close(r);
	uint64_t min_done = NO_EPOCH;
	for (int f = 0; f < BGP_FAM_N; f++) {
		struct rib_journal *j = &r->jr[f];
		uint64_t trim = j->open;
		size_t bound = journal_bound(r, (enum bgp_fam)f);
		for (struct rib_reader *rd = r->readers; rd != NULL; rd = rd->next) {
			struct rib_rfam *rf = &rd->f[f];
			if (!rf->on)
				continue;
			if (rf->attached && j_end(j) - rf->pos > bound)
				detach(r, (enum bgp_fam)f, rf);
			if (rf->attached && rf->pos < trim)
				trim = rf->pos;
			uint64_t d = rfam_done(r, (enum bgp_fam)f, rf);
			if (d < min_done)
				min_done = d;
		}
		j_trim(j, trim);
	}
	bool more = false;
	for (int f = 0; f < BGP_FAM_N; f++) {
		struct rib_nodevec *q = &r->reap[f];
		while (q->len > 0) {
			struct radix_node *n = q->v[q->head];
			if (radix_value(n) == NULL && !reapable(r, n, min_done))
				break; /* later entries are mostly younger: try again later */
			if (budget == 0) {
				more = true;
				break;
			}
			budget--;
			q->head++;
			if (--q->len == 0)
				q->head = 0;
			radix_set_uflags(n, radix_uflags(n) & ~RIB_NODE_REAPQ);
			if (radix_value(n) == NULL)
				radix_delete(r->tree[f], n);
		}
		if (q->len == 0 && q->cap > 1024) {
			free(q->v);
			memset(q, 0, sizeof *q);
		}
	}
	return more;
}

void
rib_export_stats(const struct rib *r, struct rib_export_stats *s)
{
	memset(s, 0, sizeof *s);
	s->epoch = r->epoch;
	for (int f = 0; f < BGP_FAM_N; f++) {
		s->journal[f] = r->jr[f].len;
		s->journal_segments[f] = r->jr[f].sg_len;
		s->reap_pending += r->reap[f].len;
	}
	for (const struct rib_reader *rd = r->readers; rd != NULL; rd = rd->next) {
		s->readers++;
		for (int f = 0; f < BGP_FAM_N; f++)
			if (rd->f[f].on && !rd->f[f].attached) {
				s->detached++;
				break;
			}
	}
}
