/*
 * The translation context: one configuration's translation prefix, explicit mappings and
 * policies, and the route mapping built on them (the next-hop table lives in nhtab.c).
 *
 * EAMs sit in two radix trees, by IPv4 side (forward lookups, and the EAMs a route covers) and
 * by IPv6 side (reverse lookups); both point to the same struct xlat_eam, owned by the IPv4
 * tree. Overlaps are refused on both sides, so at most one EAM contains a given prefix and the
 * mapping is the same in both directions.
 *
 * A context is built once from the config and then only read; it holds no reference to the
 * config and no run-time state (the route engine counts untranslated paths, src/bgp). Memory:
 * everything hangs off struct xlat and is freed by xlat_free().
 */
#include "xlat/xlat.h"
#include "xlat/xlat_impl.h"

#include <stdlib.h>
#include <string.h>

struct xlat *
xlat_new(void)
{
	struct xlat *x = calloc(1, sizeof *x);
	if (x == NULL)
		return NULL;
	x->wkp_global_only = true;
	x->policy = XLAT_UNKNOWN_REJECT;
	x->eam4 = radix_new(AF_INET);
	x->eam6 = radix_new(AF_INET6);
	x->nh = radix_new(AF_INET);
	if (x->eam4 == NULL || x->eam6 == NULL || x->nh == NULL) {
		xlat_free(x);
		return NULL;
	}
	return x;
}

static void
free_value(void *value, void *arg)
{
	(void)arg;
	free(value);
}

void
xlat_free(struct xlat *x)
{
	if (x == NULL)
		return;
	if (x->eam6 != NULL)
		radix_free(x->eam6, NULL, NULL);
	if (x->eam4 != NULL)
		radix_free(x->eam4, free_value, NULL);
	if (x->nh != NULL)
		radix_free(x->nh, free_value, NULL);
	free(x);
}

int
xlat_set_prefix(struct xlat *x, const struct prefix *t, char *err, size_t errlen)
{
	int r = xlat_prefix_check(t, err, errlen);
	if (r < 0)
		return -1;
	x->t = *t;
	x->has_t = true;
	x->wkp = r == 1;
	return 0;
}

void
xlat_set_wkp_global_only(struct xlat *x, bool on)
{
	x->wkp_global_only = on;
}

const struct prefix *
xlat_get_prefix(const struct xlat *x)
{
	return x->has_t ? &x->t : NULL;
}

/* ---- explicit mappings ---- */

static int
found_any(struct radix_node *n, void *arg)
{
	*(struct radix_node **)arg = n;
	return 1;
}

/*
 * The EAM of tree t (one side) that overlaps p: one containing it (or equal), else the first one
 * inside it. NULL when none.
 */
static const struct xlat_eam *
eam_overlap(const struct radix *t, const struct prefix *p)
{
	struct radix_node *n = radix_lpm(t, p->a, p->len);
	if (n == NULL)
		radix_walk_sub(t, p->a, p->len, found_any, &n);
	return n != NULL ? radix_value(n) : NULL;
}

static int
eam_check_side(const struct radix *t, const struct prefix *p, int af, const char *side, char *err,
	       size_t errlen)
{
	char a[PREFIX_STRLEN], b[PREFIX_STRLEN], c[PREFIX_STRLEN];

	if (p->af != af || p->len > af_bits(af)) {
		xlat_err(err, errlen, "explicit mapping: the %s side must be an %s prefix", side,
			 af == AF_INET ? "IPv4" : "IPv6");
		return -1;
	}
	if (!prefix_is_masked(p)) {
		xlat_err(err, errlen, "explicit mapping %s: host bits set past /%u",
			 prefix_fmt(p, a), p->len);
		return -1;
	}
	const struct xlat_eam *o = eam_overlap(t, p);
	if (o != NULL) {
		const struct prefix *op = af == AF_INET ? &o->v4 : &o->v6;
		xlat_err(err, errlen, "explicit mapping %s: %s mapping %s <-> %s", prefix_fmt(p, a),
			 prefix_eq(op, p) ? "duplicates the" : "overlaps the",
			 prefix_fmt(&o->v4, b), prefix_fmt(&o->v6, c));
		return -1;
	}
	return 0;
}

int
xlat_add_eam(struct xlat *x, const struct prefix *v4, const struct prefix *v6, char *err,
	     size_t errlen)
{
	char a[PREFIX_STRLEN], b[PREFIX_STRLEN];

	if (eam_check_side(x->eam4, v4, AF_INET, "IPv4", err, errlen) < 0 ||
	    eam_check_side(x->eam6, v6, AF_INET6, "IPv6", err, errlen) < 0)
		return -1;
	if (32u - v4->len > 128u - v6->len) {
		xlat_err(err, errlen,
			 "explicit mapping %s <-> %s: the IPv4 suffix (%u bits) is longer than the "
			 "IPv6 suffix (%u bits)",
			 prefix_fmt(v4, a), prefix_fmt(v6, b), 32u - v4->len, 128u - v6->len);
		return -1;
	}

	struct xlat_eam *e = malloc(sizeof *e);
	if (e == NULL)
		goto nomem;
	e->v4 = *v4;
	e->v6 = *v6;
	struct radix_node *n4 = radix_get(x->eam4, v4->a, v4->len);
	if (n4 == NULL)
		goto nomem_free;
	struct radix_node *n6 = radix_get(x->eam6, v6->a, v6->len);
	if (n6 == NULL) {
		radix_delete(x->eam4, n4);
		goto nomem_free;
	}
	radix_set_value(n4, e);
	radix_set_value(n6, e);
	return 0;

nomem_free:
	free(e);
nomem:
	xlat_err(err, errlen, "explicit mapping %s: out of memory", prefix_fmt(v4, a));
	return -1;
}

struct eam_walk_ctx {
	void (*fn)(const struct prefix *v4, const struct prefix *v6, void *arg);
	void *arg;
};

static int
eam_walk_one(struct radix_node *n, void *arg)
{
	struct eam_walk_ctx *c = arg;
	const struct xlat_eam *e = radix_value(n);
	c->fn(&e->v4, &e->v6, c->arg);
	return 0;
}

void
xlat_eam_walk(const struct xlat *x,
	      void (*fn)(const struct prefix *v4, const struct prefix *v6, void *arg), void *arg)
{
	struct eam_walk_ctx c = {fn, arg};
	radix_walk(x->eam4, eam_walk_one, &c);
}

/* ---- route mapping ---- */

struct covered_ctx {
	struct xlat_route *out;
	int max, n;
	unsigned len; /* the route's length: an EAM of that length is the main mapping */
};

static int
covered_one(struct radix_node *node, void *arg)
{
	struct covered_ctx *c = arg;
	const struct xlat_eam *e = radix_value(node);

	if (e->v4.len == c->len)
		return 0;
	if (c->n >= c->max)
		return 1;
	struct xlat_route *r = &c->out[c->n++];
	r->v6 = e->v6;
	r->rule = XLAT_RULE_EAM;
	r->src = e->v4;
	return 0;
}

static int
map_fail(enum xlat_reason *why, enum xlat_reason r)
{
	if (why != NULL)
		*why = r;
	return 0;
}

int
xlat_map_prefix(const struct xlat *x, const struct prefix *v4, struct xlat_route *out, int max,
		enum xlat_reason *why)
{
	if (v4->af != AF_INET || v4->len > 32)
		return map_fail(why, XLAT_NOT_IPV4);
	if (max < 1)
		return map_fail(why, XLAT_OK);

	struct prefix p = *v4;
	prefix_mask(&p);
	struct radix_node *n = radix_lpm(x->eam4, p.a, p.len);
	if (n != NULL) {
		const struct xlat_eam *e = radix_value(n);
		xlat_eam_4to6(&e->v4, &e->v6, &p, &out[0].v6);
		out[0].rule = XLAT_RULE_EAM;
		out[0].src = e->v4;
	} else if (!x->has_t) {
		return map_fail(why, XLAT_NO_PREFIX);
	} else if (x->wkp && x->wkp_global_only && !xlat_v4_is_global(&p)) {
		return map_fail(why, XLAT_NON_GLOBAL);
	} else {
		xlat_prefix_4to6(&x->t, &p, &out[0].v6);
		out[0].rule = XLAT_RULE_RFC6052;
		out[0].src = x->t;
	}

	struct covered_ctx c = {out, max, 1, p.len};
	if (p.len < 32 && radix_count(x->eam4) > 0)
		radix_walk_sub(x->eam4, p.a, p.len, covered_one, &c);
	if (why != NULL)
		*why = XLAT_OK;
	return c.n;
}

int
xlat_unmap_prefix(const struct xlat *x, const struct prefix *v6, struct prefix *v4,
		  enum xlat_rule *rule)
{
	if (v6->af != AF_INET6 || v6->len > 128)
		return -1;

	struct prefix q = *v6;
	prefix_mask(&q);
	struct radix_node *n = radix_lpm(x->eam6, q.a, q.len);
	if (n != NULL) {
		const struct xlat_eam *e = radix_value(n);
		xlat_eam_6to4(&e->v4, &e->v6, &q, v4, NULL);
		if (rule != NULL)
			*rule = XLAT_RULE_EAM;
		return 0;
	}
	if (!x->has_t || xlat_prefix_6to4(&x->t, &q, v4, NULL) < 0)
		return -1;
	if (rule != NULL)
		*rule = XLAT_RULE_RFC6052;
	return 0;
}
