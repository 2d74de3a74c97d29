/*
 * Policy evaluation (first matching rule decides) and actions on attribute templates.
 *
 * Matching reads the interned attribute set of the route without copying it; actions work on
 * a template (attr_copy) that the caller interns afterwards, so routes that share an attribute
 * set and hit the same rule share the result too (callers cache per rule).
 */
#include "policy/policy.h"

#include <stdlib.h>
#include <string.h>

#include "lib/pool.h"

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint64_t
rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) << 32 | rd32(p + 4);
}

/* ---- matching ---- */

/* The origin AS: the last AS of the path when it ends in a SEQUENCE; 0 otherwise. */
static uint32_t
origin_as(const struct attrs *a)
{
	const struct attr_blob *b = a->aspath;
	uint32_t last = 0;
	for (size_t off = 0; b != NULL && off + 2 <= b->len;) {
		uint8_t type = b->data[off], count = b->data[off + 1];
		size_t end = off + 2 + (size_t)count * 4;
		if (end > b->len)
			break;
		if (type == AS_SEQUENCE && count > 0)
			last = rd32(b->data + end - 4);
		else if (type == AS_SET)
			last = 0;
		off = end;
	}
	return last;
}

static bool
path_has(const struct attrs *a, uint32_t as, const struct policy_as_set *set)
{
	const struct attr_blob *b = a->aspath;
	for (size_t off = 0; b != NULL && off + 2 <= b->len;) {
		uint8_t count = b->data[off + 1];
		size_t end = off + 2 + (size_t)count * 4;
		if (end > b->len)
			break;
		for (size_t p = off + 2; p < end; p += 4) {
			uint32_t x = rd32(b->data + p);
			if (set != NULL ? policy_as_set_contains(set, x) : x == as)
				return true;
		}
		off = end;
	}
	return false;
}

static bool
route_has_any(const struct attrs *a, const struct policy_comm_set *s)
{
	const struct attr_blob *b;
	if ((b = a->comms) != NULL && s->n_std > 0)
		for (size_t i = 0; i + 4 <= b->len; i += 4)
			if (policy_comm_set_has_std(s, rd32(b->data + i)))
				return true;
	if ((b = a->lcomms) != NULL && s->n_lc > 0)
		for (size_t i = 0; i + 12 <= b->len; i += 12) {
			struct policy_lcomm c = {rd32(b->data + i), rd32(b->data + i + 4),
						 rd32(b->data + i + 8)};
			if (policy_comm_set_has_lc(s, &c))
				return true;
		}
	if ((b = a->ecomms) != NULL && s->n_ext > 0)
		for (size_t i = 0; i + 8 <= b->len; i += 8)
			if (policy_comm_set_has_ext(s, rd64(b->data + i)))
				return true;
	return false;
}

static bool
blob_has(const struct attr_blob *b, const uint8_t *v, size_t size)
{
	for (size_t i = 0; b != NULL && i + size <= b->len; i += size)
		if (memcmp(b->data + i, v, size) == 0)
			return true;
	return false;
}

static bool
route_has_all(const struct attrs *a, const struct policy_comm_set *s)
{
	uint8_t v[12];
	for (size_t i = 0; i < s->n_std; i++) {
		wr32(v, s->std[i]);
		if (!blob_has(a->comms, v, 4))
			return false;
	}
	for (size_t i = 0; i < s->n_lc; i++) {
		wr32(v, s->lc[i].g);
		wr32(v + 4, s->lc[i].l1);
		wr32(v + 8, s->lc[i].l2);
		if (!blob_has(a->lcomms, v, 12))
			return false;
	}
	for (size_t i = 0; i < s->n_ext; i++) {
		wr32(v, (uint32_t)(s->ext[i] >> 32));
		wr32(v + 4, (uint32_t)s->ext[i]);
		if (!blob_has(a->ecomms, v, 8))
			return false;
	}
	return true;
}

/* The conditions on the prefix: length first, the set (one radix lookup) last. */
static bool
match_prefix(const struct policy_match *m, const struct prefix *p)
{
	unsigned w = m->what;
	if ((w & PM_PREFIX_LEN) && (p->len < m->len_min || p->len > m->len_max))
		return false;
	return !(w & PM_PREFIX_SET) || policy_pset_contains(m->pset, p);
}

/* The other conditions: they depend on the attributes and the neighbor only (rt->p unused). */
static bool
match_attrs(const struct policy_match *m, const struct policy_route *rt)
{
	const struct attrs *a = rt->a;
	unsigned w = m->what;
	if ((w & PM_NEIGHBOR) && (rt->nbr_af != m->nbr_af || rt->nbr_addr == NULL ||
				  memcmp(rt->nbr_addr, m->nbr_addr, af_bytes(m->nbr_af)) != 0))
		return false;
	if ((w & PM_NEIGHBOR_AS) && rt->nbr_as != m->nbr_as)
		return false;
	if ((w & PM_ORIGIN) && a->origin != m->origin)
		return false;
	if (w & PM_NEXT_HOP) {
		struct prefix nh = {.af = AF_INET, .len = 32};
		if (a->nh_len != 4)
			return false;
		memcpy(nh.a, a->nh, 4);
		if (!prefix_contains(&m->nh, &nh))
			return false;
	}
	if (w & PM_ORIGIN_AS) {
		uint32_t o = origin_as(a);
		if (o == 0 || (m->origin_set != NULL ? !policy_as_set_contains(m->origin_set, o)
						     : o != m->origin_as))
			return false;
	}
	if (w & PM_PATH_LEN) {
		unsigned l = attr_aspath_len(a);
		if (l < m->path_len_min || l > m->path_len_max)
			return false;
	}
	if ((w & PM_PATH_AS) && !path_has(a, m->path_as, m->path_set))
		return false;
	if ((w & PM_COMM_ANY) && !route_has_any(a, m->comm_any))
		return false;
	if ((w & PM_COMM_ALL) && !route_has_all(a, m->comm_all))
		return false;
	return true;
}

bool
policy_rule_matches(const struct policy_rule *r, const struct policy_route *rt)
{
	return match_attrs(&r->m, rt) && match_prefix(&r->m, rt->p);
}

int
policy_eval(const struct policy *pol, const struct policy_route *rt, bool *accept)
{
	if (pol == NULL) {
		*accept = true;
		return -1;
	}
	for (size_t i = 0; i < pol->n_rules; i++)
		if (policy_rule_matches(&pol->rules[i], rt)) {
			*accept = pol->rules[i].accept;
			return (int)i;
		}
	*accept = pol->default_accept;
	return -1;
}

uint64_t
policy_attr_mask(const struct policy *pol, const struct policy_route *rt)
{
	uint64_t mask = 0;
	for (size_t i = 0; pol != NULL && i < pol->n_rules && i < 64; i++)
		if (match_attrs(&pol->rules[i].m, rt))
			mask |= 1ull << i;
	return mask;
}

int
policy_eval_mask(const struct policy *pol, const struct policy_route *rt, uint64_t mask,
		 bool *accept)
{
	if (pol == NULL) {
		*accept = true;
		return -1;
	}
	for (size_t i = 0; i < pol->n_rules; i++) {
		const struct policy_rule *r = &pol->rules[i];
		bool hit = i < 64 ? ((mask >> i) & 1) && match_prefix(&r->m, rt->p)
				  : policy_rule_matches(r, rt);
		if (hit) {
			*accept = r->accept;
			return (int)i;
		}
	}
	*accept = pol->default_accept;
	return -1;
}

uint32_t
policy_counter_id(const struct policy *pol, int i)
{
	return i < 0 ? pol->default_id : pol->rules[i].id;
}

const char *
policy_rule_name(const struct policy *pol, int i)
{
	if (pol == NULL || i < 0)
		return "default";
	return pol->rules[i].name != NULL ? pol->rules[i].name : "";
}

/* ---- equality ---- */

static bool
cset_equal(const struct policy_comm_set *a, const struct policy_comm_set *b)
{
	return a->n_std == b->n_std && a->n_lc == b->n_lc && a->n_ext == b->n_ext &&
	       (a->n_std == 0 || memcmp(a->std, b->std, a->n_std * sizeof *a->std) == 0) &&
	       (a->n_lc == 0 || memcmp(a->lc, b->lc, a->n_lc * sizeof *a->lc) == 0) &&
	       (a->n_ext == 0 || memcmp(a->ext, b->ext, a->n_ext * sizeof *a->ext) == 0);
}

bool
policy_action_equal(const struct policy_rule *a, const struct policy_rule *b)
{
	static const struct policy_rule none = {.accept = true};
	if (a == NULL)
		a = &none;
	if (b == NULL)
		b = &none;
	const struct policy_action *x = &a->a, *y = &b->a;
	if (a->accept != b->accept || x->what != y->what)
		return false;
	if (((x->what & PA_LOCAL_PREF) && x->local_pref != y->local_pref) ||
	    ((x->what & PA_MED) && x->med != y->med) ||
	    ((x->what & PA_PREPEND) && x->prepend != y->prepend) ||
	    ((x->what & PA_NEXT_HOP) && (x->nh_af != y->nh_af || memcmp(x->nh, y->nh, 16) != 0)))
		return false;
	const struct policy_comm_set *dx = x->del_set != NULL ? x->del_set : &x->del;
	const struct policy_comm_set *dy = y->del_set != NULL ? y->del_set : &y->del;
	return cset_equal(&x->add, &y->add) && cset_equal(&x->set, &y->set) && cset_equal(dx, dy);
}

bool
policy_equal(const struct policy *a, const struct policy *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return a->hash == b->hash && a->n_rules == b->n_rules &&
	       a->default_accept == b->default_accept;
}

/* ---- actions ---- */

bool
policy_has_actions(const struct policy *pol, int i)
{
	return pol != NULL && i >= 0 && pol->rules[i].a.what != 0;
}

void
policy_tmp_release(struct policy_tmp *tmp)
{
	for (int i = 0; i < tmp->n; i++)
		attr_blob_unref(tmp->b[i]);
	tmp->n = 0;
}

/*
 * One kind of community list (elements of 'size' octets, big-endian values): the result of
 * replace / remove / add over the route's blob, as a new blob in tmp (NULL when empty).
 * has(set, element) tells membership of an encoded element in a set.
 */
typedef bool comm_has_fn(const struct policy_comm_set *s, const uint8_t *v);

static bool
has_std(const struct policy_comm_set *s, const uint8_t *v)
{
	return policy_comm_set_has_std(s, rd32(v));
}

static bool
has_lc(const struct policy_comm_set *s, const uint8_t *v)
{
	struct policy_lcomm c = {rd32(v), rd32(v + 4), rd32(v + 8)};
	return policy_comm_set_has_lc(s, &c);
}

static bool
has_ext(const struct policy_comm_set *s, const uint8_t *v)
{
	return policy_comm_set_has_ext(s, rd64(v));
}

/* Encoded elements of kind 'kind' from a set: std (4), large (12) or extended (8) octets. */
static size_t
encode(const struct policy_comm_set *s, uint8_t kind, uint8_t *out)
{
	size_t n = 0;
	if (kind == ATTR_COMMUNITIES)
		for (size_t i = 0; i < s->n_std; i++)
			wr32(out + 4 * n++, s->std[i]);
	else if (kind == ATTR_LARGE_COMMUNITIES)
		for (size_t i = 0; i < s->n_lc; i++, n++) {
			wr32(out + 12 * n, s->lc[i].g);
			wr32(out + 12 * n + 4, s->lc[i].l1);
			wr32(out + 12 * n + 8, s->lc[i].l2);
		}
	else
		for (size_t i = 0; i < s->n_ext; i++, n++) {
			wr32(out + 8 * n, (uint32_t)(s->ext[i] >> 32));
			wr32(out + 8 * n + 4, (uint32_t)s->ext[i]);
		}
	return n;
}

/*
 * comm_edit() results by (interned input blob, action, kind): the routes of a table share few
 * community lists (many have none), so a tag added to every translated route is interned once
 * per list, not once per attribute set. Holds references to both blobs; emptied by
 * policy_cache_flush() whenever a policy database is freed (an action's address may be reused).
 */
#define CE_CACHE_N 64
static struct ce_slot {
	struct attr_blob *in, *out;
	const struct policy_action *pa;
	uint8_t kind;
	bool used, changed;
} ce_cache[CE_CACHE_N];

void
policy_cache_flush(void)
{
	for (int i = 0; i < CE_CACHE_N; i++) {
		struct ce_slot *c = &ce_cache[i];
		if (c->in != NULL)
			attr_blob_unref(c->in);
		if (c->out != NULL)
			attr_blob_unref(c->out);
		memset(c, 0, sizeof *c);
	}
}

static struct attr_blob *comm_compute(const struct policy_action *pa, uint8_t kind,
				      const struct attr_blob *cur, struct policy_tmp *tmp,
				      bool *changed);

static struct attr_blob *
comm_edit(const struct policy_action *pa, uint8_t kind, const struct attr_blob *cur,
	  struct policy_tmp *tmp, bool *changed)
{
	if (cur != NULL && cur->refcnt == 0) /* a temporary: its address means nothing later */
		return comm_compute(pa, kind, cur, tmp, changed);
	uintptr_t h = ((uintptr_t)cur >> 4) * 0x9e3779b1u ^ ((uintptr_t)pa >> 4) ^ kind;
	struct ce_slot *c = &ce_cache[(h ^ (h >> 16)) % CE_CACHE_N];
	if (c->used && c->in == cur && c->pa == pa && c->kind == kind) {
		*changed = c->changed;
		if (c->out != NULL)
			tmp->b[tmp->n++] = attr_blob_ref(c->out);
		return c->out;
	}
	struct attr_blob *b = comm_compute(pa, kind, cur, tmp, changed);
	if (c->in != NULL)
		attr_blob_unref(c->in);
	if (c->out != NULL)
		attr_blob_unref(c->out);
	c->in = cur != NULL ? attr_blob_ref((struct attr_blob *)(uintptr_t)cur) : NULL;
	c->out = b != NULL ? attr_blob_ref(b) : NULL;
	c->pa = pa;
	c->kind = kind;
	c->changed = *changed;
	c->used = true;
	return b;
}

static struct attr_blob *
comm_compute(const struct policy_action *pa, uint8_t kind, const struct attr_blob *cur,
	     struct policy_tmp *tmp, bool *changed)
{
	size_t size = kind == ATTR_COMMUNITIES ? 4 : kind == ATTR_LARGE_COMMUNITIES ? 12 : 8;
	comm_has_fn *has = kind == ATTR_COMMUNITIES	    ? has_std
			   : kind == ATTR_LARGE_COMMUNITIES ? has_lc
							    : has_ext;
	const struct policy_comm_set *del = pa->del_set != NULL ? pa->del_set : &pa->del;
	size_t n_add = kind == ATTR_COMMUNITIES		? pa->add.n_std
		       : kind == ATTR_LARGE_COMMUNITIES ? pa->add.n_lc
							: pa->add.n_ext;
	size_t n_del = kind == ATTR_COMMUNITIES		? del->n_std
		       : kind == ATTR_LARGE_COMMUNITIES ? del->n_lc
							: del->n_ext;
	bool replace = (pa->what & PA_COMM_SET) && kind != ATTR_EXT_COMMUNITIES;
	*changed = false;
	/* nothing of this kind to do: the common case of a tag added to standard communities */
	if (!replace && (!(pa->what & PA_COMM_ADD) || n_add == 0) &&
	    (!(pa->what & PA_COMM_DEL) || n_del == 0 || cur == NULL))
		return NULL;
	size_t cap = (cur != NULL ? cur->len / size : 0) + pa->add.n_std + pa->add.n_lc +
		     pa->add.n_ext + pa->set.n_std + pa->set.n_lc + pa->set.n_ext;
	uint8_t stack[1024];
	uint8_t *buf = cap * size <= sizeof stack ? stack : xmalloc(cap * size);
	size_t n = 0;
	if (replace) {
		n = encode(&pa->set, kind, buf);
		*changed = true;
	} else {
		for (size_t i = 0; cur != NULL && i + size <= cur->len; i += size) {
			if ((pa->what & PA_COMM_DEL) && has(del, cur->data + i)) {
				*changed = true;
				continue;
			}
			memcpy(buf + n++ * size, cur->data + i, size);
		}
	}
	if ((pa->what & PA_COMM_ADD) && n_add > 0) {
		/* the set's elements go after the route's, encoded in place past them */
		uint8_t *add = buf + (cap - n_add) * size;
		size_t na = encode(&pa->add, kind, add);
		for (size_t k = 0; k < na; k++) {
			bool dup = false;
			for (size_t i = 0; i < n && !dup; i++)
				dup = memcmp(buf + i * size, add + k * size, size) == 0;
			if (!dup) {
				memmove(buf + n++ * size, add + k * size, size);
				*changed = true;
			}
		}
	}
	struct attr_blob *b = NULL;
	if (*changed && n > 0) {
		b = attr_blob_intern(kind, buf, n * size);
		tmp->b[tmp->n++] = b;
	}
	if (buf != stack)
		free(buf);
	return b;
}

void
policy_apply(const struct policy *pol, int i, struct attrs *t, bool ebgp, uint32_t local_as,
	     int nh_af, struct policy_tmp *tmp)
{
	if (pol == NULL || i < 0)
		return;
	const struct policy_action *pa = &pol->rules[i].a;
	if (pa->what & PA_LOCAL_PREF) {
		t->flags |= ATTRS_LOCAL_PREF;
		t->local_pref = pa->local_pref;
	}
	if (pa->what & PA_MED) {
		t->flags |= ATTRS_MED;
		t->med = pa->med;
	}
	if (pa->what & (PA_COMM_ADD | PA_COMM_DEL | PA_COMM_SET)) {
		bool ch;
		struct attr_blob *b = comm_edit(pa, ATTR_COMMUNITIES, t->comms, tmp, &ch);
		if (ch)
			t->comms = b;
		b = comm_edit(pa, ATTR_LARGE_COMMUNITIES, t->lcomms, tmp, &ch);
		if (ch)
			t->lcomms = b;
		b = comm_edit(pa, ATTR_EXT_COMMUNITIES, t->ecomms, tmp, &ch);
		if (ch)
			t->ecomms = b;
	}
	if ((pa->what & PA_PREPEND) && ebgp) {
		struct attr_blob *cur = t->aspath, *mine = NULL;
		for (unsigned k = 0; k < pa->prepend; k++) {
			struct attr_blob *nb = attr_aspath_prepend(cur, local_as);
			if (mine != NULL)
				attr_blob_unref(mine);
			cur = mine = nb;
		}
		if (mine != NULL) {
			t->aspath = mine;
			tmp->b[tmp->n++] = mine;
		}
	}
	if ((pa->what & PA_NEXT_HOP) && pa->nh_af == nh_af) {
		if (nh_af == AF_INET) {
			t->nh_len = 4;
			memcpy(t->nh, pa->nh, 4);
		} else {
			if (t->nh_len != 32)
				t->nh_len = 16;
			memcpy(t->nh, pa->nh, 16); /* a link-local second next hop is kept */
		}
	}
}
