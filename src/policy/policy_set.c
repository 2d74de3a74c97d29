/*
 * Named sets of policy.h: prefix sets compiled into radix trees, AS sets and community sets as
 * sorted arrays searched by bisection, and the policy database that owns them.
 *
 * A prefix set's radix node carries the bitmap of the lengths accepted by the entries at that
 * node ORed with those of every stored prefix above it (computed in one ordered walk, where a
 * covering prefix comes before what it covers), so that the longest stored prefix covering a
 * route answers for all of them.
 */
#include "policy/policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/pool.h"
#include "lib/radix.h"

struct lenmask {
	uint64_t m[3]; /* bit L: length L accepted, L = 0..128 */
};

static void
mask_range(struct lenmask *m, unsigned lo, unsigned hi)
{
	for (unsigned l = lo; l <= hi; l++)
		m->m[l >> 6] |= 1ull << (l & 63);
}

static bool
mask_has(const struct lenmask *m, unsigned l)
{
	return (m->m[l >> 6] >> (l & 63)) & 1u;
}

static int
pset_build(struct policy_prefix_set *s)
{
	struct lenmask *masks = xcalloc(s->n > 0 ? s->n : 1, sizeof *masks);
	size_t used = 0;
	s->masks = masks;
	s->t = radix_new(s->af);
	if (s->t == NULL)
		return -1;
	for (size_t i = 0; i < s->n; i++) {
		const struct policy_pfx_entry *e = &s->e[i];
		struct radix_node *n = radix_get(s->t, e->p.a, e->p.len);
		if (n == NULL)
			return -1;
		struct lenmask *m = radix_value(n);
		if (m == NULL) {
			m = &masks[used++];
			radix_set_value(n, m);
		}
		mask_range(m, e->ge, e->le);
		struct lenmask all = {{s->lens[0], s->lens[1], s->lens[2]}};
		mask_range(&all, e->ge, e->le);
		memcpy(s->lens, all.m, sizeof s->lens);
		unsigned lo = e->p.len >= 8 ? e->p.a[0] : e->p.a[0] & (0xFFu << (8 - e->p.len));
		unsigned hi = e->p.len >= 8 ? lo : lo + (0xFFu >> e->p.len);
		for (unsigned b = lo; b <= hi; b++)
			s->first[b >> 6] |= 1ull << (b & 63);
	}
	for (struct radix_node *n = radix_first(s->t); n != NULL; n = radix_next(s->t, n)) {
		unsigned len = radix_plen(n);
		if (len == 0)
			continue;
		struct radix_node *up = radix_lpm(s->t, radix_key(n), len - 1);
		if (up == NULL)
			continue;
		struct lenmask *m = radix_value(n);
		const struct lenmask *um = radix_value(up);
		for (int k = 0; k < 3; k++)
			m->m[k] |= um->m[k];
	}
	return 0;
}

bool
policy_pset_contains(const struct policy_prefix_set *s, const struct prefix *p)
{
	if (s == NULL || s->t == NULL || p->af != s->af)
		return false;
	if (!((s->lens[p->len >> 6] >> (p->len & 63)) & 1))
		return false;
	/* a route shorter than 8 bits spans several first octets: only the tree knows */
	if (p->len >= 8 && !((s->first[p->a[0] >> 6] >> (p->a[0] & 63)) & 1))
		return false;
	struct radix_node *n = radix_lpm(s->t, p->a, p->len);
	return n != NULL && mask_has(radix_value(n), p->len);
}

/* ---- AS and community sets ---- */

static int
cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	return a < b ? -1 : a > b;
}

static int
cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return a < b ? -1 : a > b;
}

static int
cmp_lc(const void *x, const void *y)
{
	const struct policy_lcomm *a = x, *b = y;
	if (a->g != b->g)
		return a->g < b->g ? -1 : 1;
	if (a->l1 != b->l1)
		return a->l1 < b->l1 ? -1 : 1;
	return a->l2 < b->l2 ? -1 : a->l2 > b->l2;
}

/* Sorts and removes duplicates; returns the new count. */
static size_t
sort_unique(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n == 0)
		return 0;
	qsort(base, n, size, cmp);
	char *b = base;
	size_t out = 1;
	for (size_t i = 1; i < n; i++)
		if (cmp(b + (out - 1) * size, b + i * size) != 0)
			memmove(b + out++ * size, b + i * size, size);
	return out;
}

void
policy_comm_set_sort(struct policy_comm_set *s)
{
	s->n_std = sort_unique(s->std, s->n_std, sizeof *s->std, cmp_u32);
	s->n_lc = sort_unique(s->lc, s->n_lc, sizeof *s->lc, cmp_lc);
	s->n_ext = sort_unique(s->ext, s->n_ext, sizeof *s->ext, cmp_u64);
}

void
policy_comm_set_clear(struct policy_comm_set *s)
{
	free(s->name);
	free(s->std);
	free(s->lc);
	free(s->ext);
	memset(s, 0, sizeof *s);
}

bool
policy_as_set_contains(const struct policy_as_set *s, uint32_t as)
{
	return s != NULL && bsearch(&as, s->as, s->n, sizeof as, cmp_u32) != NULL;
}

bool
policy_comm_set_has_std(const struct policy_comm_set *s, uint32_t c)
{
	return s->n_std > 0 && bsearch(&c, s->std, s->n_std, sizeof c, cmp_u32) != NULL;
}

bool
policy_comm_set_has_lc(const struct policy_comm_set *s, const struct policy_lcomm *c)
{
	return s->n_lc > 0 && bsearch(c, s->lc, s->n_lc, sizeof *c, cmp_lc) != NULL;
}

bool
policy_comm_set_has_ext(const struct policy_comm_set *s, uint64_t c)
{
	return s->n_ext > 0 && bsearch(&c, s->ext, s->n_ext, sizeof c, cmp_u64) != NULL;
}

static bool
parse_u32(const char *s, const char *end, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;
	if (s == end)
		return false;
	for (const char *c = s; c < end; c++) {
		if (*c < '0' || *c > '9' || end - s > 10)
			return false;
		v = v * 10 + (uint64_t)(*c - '0');
	}
	if (v > max)
		return false;
	*out = (uint32_t)v;
	return true;
}

static const struct {
	const char *name;
	uint32_t c;
} wk_comms[] = {
    {"no-export", 0xFFFFFF01u},		  {"no-advertise", 0xFFFFFF02u},
    {"no-export-subconfed", 0xFFFFFF03u}, {"blackhole", 0xFFFF029Au}, /* RFC 7999 */
    {"graceful-shutdown", 0xFFFF0000u},				      /* RFC 8326 */
};

int
policy_comm_parse(const char *s, struct policy_comm_set *set)
{
	for (size_t i = 0; i < sizeof wk_comms / sizeof wk_comms[0]; i++)
		if (strcmp(s, wk_comms[i].name) == 0) {
			set->std = xrealloc(set->std, (set->n_std + 1) * sizeof *set->std);
			set->std[set->n_std++] = wk_comms[i].c;
			return 0;
		}
	int ext = 0; /* 2: route target, 3: route origin (RFC 4360 sub-types) */
	if (strncmp(s, "rt:", 3) == 0) {
		ext = 2;
		s += 3;
	} else if (strncmp(s, "soo:", 4) == 0) {
		ext = 3;
		s += 4;
	}
	const char *f[4];
	int nf = 0;
	f[nf++] = s;
	for (const char *c = s; *c != '\0'; c++)
		if (*c == ':') {
			if (nf == 3)
				return -1;
			f[nf++] = c + 1;
		}
	f[nf] = s + strlen(s) + 1; /* each field ends one before the next starts */
	uint32_t v[3];
	for (int i = 0; i < nf; i++)
		if (!parse_u32(f[i], f[i + 1] - 1, UINT32_MAX, &v[i]))
			return -1;
	if (ext != 0) {
		if (nf != 2)
			return -1;
		uint64_t e;
		if (v[0] <= 0xFFFF) /* two-octet AS specific: AS(2) : value(4) */
			e = (uint64_t)0x00 << 56 | (uint64_t)ext << 48 | (uint64_t)v[0] << 32 |
			    v[1];
		else if (v[1] <= 0xFFFF) /* four-octet AS specific: AS(4) : value(2) */
			e = (uint64_t)0x02 << 56 | (uint64_t)ext << 48 | (uint64_t)v[0] << 16 |
			    v[1];
		else
			return -1;
		set->ext = xrealloc(set->ext, (set->n_ext + 1) * sizeof *set->ext);
		set->ext[set->n_ext++] = e;
		return 0;
	}
	if (nf == 2) {
		if (v[0] > 0xFFFF || v[1] > 0xFFFF)
			return -1;
		set->std = xrealloc(set->std, (set->n_std + 1) * sizeof *set->std);
		set->std[set->n_std++] = v[0] << 16 | v[1];
		return 0;
	}
	if (nf == 3) {
		set->lc = xrealloc(set->lc, (set->n_lc + 1) * sizeof *set->lc);
		set->lc[set->n_lc++] = (struct policy_lcomm){v[0], v[1], v[2]};
		return 0;
	}
	return -1;
}

/* ---- the database ---- */

/* FNV-1a, for policy_db.hash */
static uint64_t
fnv(uint64_t h, const void *data, size_t len)
{
	const uint8_t *p = data;
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

static uint64_t
hash_cset(uint64_t h, const struct policy_comm_set *s)
{
	if (s == NULL)
		return fnv(h, "-", 1);
	h = fnv(h, &s->n_std, sizeof s->n_std);
	h = fnv(h, s->std, s->n_std * sizeof *s->std);
	h = fnv(h, &s->n_lc, sizeof s->n_lc);
	h = fnv(h, s->lc, s->n_lc * sizeof *s->lc);
	h = fnv(h, &s->n_ext, sizeof s->n_ext);
	return fnv(h, s->ext, s->n_ext * sizeof *s->ext);
}

static uint64_t
hash_aset(uint64_t h, const struct policy_as_set *s)
{
	if (s == NULL)
		return fnv(h, "-", 1);
	h = fnv(h, &s->n, sizeof s->n);
	return fnv(h, s->as, s->n * sizeof *s->as);
}

static uint64_t
hash_rule(uint64_t h, const struct policy_rule *r)
{
	const struct policy_match *m = &r->m;
	const struct policy_action *a = &r->a;
	h = fnv(h, &r->accept, sizeof r->accept);
	h = fnv(h, &m->what, sizeof m->what);
	if (m->pset != NULL) {
		h = fnv(h, &m->pset->n, sizeof m->pset->n);
		for (size_t i = 0; i < m->pset->n; i++)
			h = fnv(h, &m->pset->e[i], sizeof m->pset->e[i]);
	}
	uint32_t nums[] = {m->len_min,	 m->len_max, m->nbr_af,	      m->nbr_as,
			   m->origin_as, m->path_as, m->path_len_min, m->path_len_max,
			   m->origin,	 a->what,    a->local_pref,   a->med,
			   a->prepend,	 a->nh_af,   m->nh.af,	      m->nh.len};
	h = fnv(h, nums, sizeof nums);
	h = fnv(h, m->nbr_addr, 16);
	h = fnv(h, m->nh.a, 16);
	h = fnv(h, a->nh, 16);
	h = hash_aset(h, m->origin_set);
	h = hash_aset(h, m->path_set);
	h = hash_cset(h, m->comm_any);
	h = hash_cset(h, m->comm_all);
	h = hash_cset(h, &a->add);
	h = hash_cset(h, &a->set);
	h = hash_cset(h, a->del_set != NULL ? a->del_set : &a->del);
	return h;
}

int
policy_db_finish(struct policy_db *db)
{
	for (size_t i = 0; i < db->n_psets; i++)
		if (pset_build(&db->psets[i]) < 0)
			return -1;
	for (size_t i = 0; i < db->n_asets; i++) {
		struct policy_as_set *s = &db->asets[i];
		s->n = sort_unique(s->as, s->n, sizeof *s->as, cmp_u32);
	}
	for (size_t i = 0; i < db->n_csets; i++)
		policy_comm_set_sort(&db->csets[i]);
	uint32_t id = 0;
	for (size_t i = 0; i < db->n_pols; i++) {
		struct policy *p = &db->pols[i];
		uint64_t h = 0xcbf29ce484222325ull;
		for (size_t k = 0; k < p->n_rules; k++) {
			struct policy_rule *r = &p->rules[k];
			policy_comm_set_sort(&r->a.add);
			policy_comm_set_sort(&r->a.set);
			policy_comm_set_sort(&r->a.del);
			r->id = id++;
			h = hash_rule(h, r);
		}
		p->default_id = id++;
		p->hash = fnv(h, &p->default_accept, sizeof p->default_accept);
	}
	db->n_counters = id;
	return 0;
}

void
policy_db_free(struct policy_db *db)
{
	if (db == NULL)
		return;
	policy_cache_flush(); /* it may hold addresses of this db's actions */
	for (size_t i = 0; i < db->n_psets; i++) {
		struct policy_prefix_set *s = &db->psets[i];
		if (s->t != NULL)
			radix_free(s->t, NULL, NULL);
		free(s->masks);
		free(s->e);
		free(s->name);
	}
	for (size_t i = 0; i < db->n_asets; i++) {
		free(db->asets[i].as);
		free(db->asets[i].name);
	}
	for (size_t i = 0; i < db->n_csets; i++)
		policy_comm_set_clear(&db->csets[i]);
	for (size_t i = 0; i < db->n_pols; i++) {
		struct policy *p = &db->pols[i];
		for (size_t k = 0; k < p->n_rules; k++) {
			struct policy_rule *r = &p->rules[k];
			free(r->name);
			policy_comm_set_clear(&r->a.add);
			policy_comm_set_clear(&r->a.set);
			policy_comm_set_clear(&r->a.del);
		}
		free(p->rules);
		free(p->name);
	}
	free(db->psets);
	free(db->asets);
	free(db->csets);
	free(db->pols);
	free(db);
}

#define FIND(arr, n, name)                                                                         \
	do {                                                                                       \
		for (size_t i_ = 0; db != NULL && i_ < (n); i_++)                                  \
			if (strcmp((arr)[i_].name, name) == 0)                                     \
				return &(arr)[i_];                                                 \
		return NULL;                                                                       \
	} while (0)

const struct policy *
policy_find(const struct policy_db *db, const char *name)
{
	FIND(db->pols, db->n_pols, name);
}

const struct policy_prefix_set *
policy_pset_find(const struct policy_db *db, const char *name)
{
	FIND(db->psets, db->n_psets, name);
}

const struct policy_as_set *
policy_aset_find(const struct policy_db *db, const char *name)
{
	FIND(db->asets, db->n_asets, name);
}

const struct policy_comm_set *
policy_cset_find(const struct policy_db *db, const char *name)
{
	FIND(db->csets, db->n_csets, name);
}
