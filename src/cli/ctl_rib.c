/*
 * show rib: route objects streamed from the RIB in slices.
 *
 * The document is {"rib":[route, ...]} and is written in three phases: native IPv4 routes,
 * native IPv6 routes, and the IPv6 routes derived from IPv4 best paths (rde_translate(): the
 * translated table is never stored, DESIGN.md "Hold the table once"). A walk keeps its last
 * prefix as cursor; each slice resumes with radix_next_after() and then follows radix_next()
 * while it runs, since the tree cannot change under one callback.
 *
 * Selection by prefix: "longest" (the default) and "exact" look up at most a few dozen nodes
 * and are written at once; "longer" walks the prefix's subtree. For IPv6, the translated
 * routes inside an IPv6 prefix come from the IPv4 subtree its reverse mapping gives (plus the
 * covering IPv4 routes, whose covered explicit mappings may fall inside it), or from the whole
 * IPv4 table filtered when the query straddles the translation prefix and an explicit mapping.
 */
#include "cli/ctl_impl.h"

#include <event2/buffer.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "bgp/session.h"

const char *
ctl_af_name(int af)
{
	return af == AF_INET ? "ipv4" : "ipv6";
}

static enum bgp_fam
fam_of(int af)
{
	return af == AF_INET ? BGP_FAM_V4 : BGP_FAM_V6;
}

/* Transport address and AS of the peer a path came from; false when the id is unknown. */
static bool
path_peer(struct rde *r, uint16_t id, int *af, const uint8_t **addr, uint32_t *as)
{
	const struct rib_peer *rp = rib_peer_get(rde_rib(r), id);
	if (rp != NULL) {
		*af = rp->af;
		*addr = rp->addr;
		*as = rp->as;
		return true;
	}
	struct bgp_peer *bp = bgp_peer_by_id(rde_speaker(r), id);
	if (bp != NULL) {
		const struct cfg_neighbor *c = bgp_peer_cfg(bp);
		*af = c->af;
		*addr = c->addr;
		*as = c->remote_as;
		return true;
	}
	return false;
}

static bool
path_match(struct rde *r, const struct rib_path *pa, const struct ctl_request *filter)
{
	int af;
	const uint8_t *addr;
	uint32_t as;

	if (filter == NULL || !filter->has_neighbor)
		return true;
	if (!path_peer(r, pa->peer, &af, &addr, &as))
		return false;
	return af == filter->nbr_af && memcmp(addr, filter->nbr, af_bytes(af)) == 0;
}

static bool
any_path_match(struct rde *r, const struct rib_path *best, const struct ctl_request *filter)
{
	for (const struct rib_path *pa = best; pa != NULL; pa = pa->next)
		if (path_match(r, pa, filter))
			return true;
	return false;
}

static void
render_path(struct ctl_jw *w, struct rde *r, const struct rib_path *pa, bool best)
{
	int af;
	const uint8_t *addr;
	uint32_t as;

	ctl_jw_obj_open(w, NULL);
	ctl_jw_bool(w, "best", best);
	if (path_peer(r, pa->peer, &af, &addr, &as)) {
		ctl_jw_addr(w, "neighbor", af, addr);
		ctl_jw_u64(w, "neighbor_as", as);
	} else {
		ctl_jw_null(w, "neighbor");
		ctl_jw_null(w, "neighbor_as");
	}
	ctl_render_attrs(w, pa->attrs);
	ctl_jw_bool(w, "stale", (pa->flags & RIB_PATH_STALE) != 0);
	ctl_jw_obj_close(w);
}

/* A prefix of the filtered trees: the neighbors' routes rejected on import, and why. */
static bool
render_filtered(struct ctl_jw *w, struct rde *r, const struct prefix *p, const struct radix_node *n,
		const struct ctl_request *filter)
{
	enum bgp_fam f = fam_of(p->af);
	bool any = false;
	for (const struct rde_filtered *e = rde_filtered_first(n); e != NULL;
	     e = rde_filtered_next(e)) {
		struct rde_filtered_info fi;
		rde_filtered_get(r, e, f, &fi);
		struct rib_path pa = {.attrs = (struct attrs *)(uintptr_t)fi.attrs,
				      .peer = fi.peer};
		if (!path_match(r, &pa, filter))
			continue;
		if (!any) {
			ctl_jw_obj_open(w, NULL);
			ctl_jw_prefix(w, "prefix", p);
			ctl_jw_bool(w, "filtered", true);
			ctl_jw_arr_open(w, "paths");
			any = true;
		}
		int af;
		const uint8_t *addr;
		uint32_t as;
		ctl_jw_obj_open(w, NULL);
		ctl_jw_bool(w, "best", false);
		if (path_peer(r, fi.peer, &af, &addr, &as)) {
			ctl_jw_addr(w, "neighbor", af, addr);
			ctl_jw_u64(w, "neighbor_as", as);
		} else {
			ctl_jw_null(w, "neighbor");
			ctl_jw_null(w, "neighbor_as");
		}
		ctl_render_attrs(w, fi.attrs);
		ctl_jw_obj_open(w, "filter");
		if (fi.policy != NULL)
			ctl_jw_str(w, "policy", fi.policy);
		else
			ctl_jw_null(w, "policy");
		ctl_jw_str(w, "rule", fi.rule);
		if (fi.rule_index >= 0)
			ctl_jw_u64(w, "rule_index", (uint64_t)fi.rule_index);
		else
			ctl_jw_null(w, "rule_index");
		ctl_jw_obj_close(w);
		ctl_jw_obj_close(w);
	}
	if (any) {
		ctl_jw_arr_close(w);
		ctl_jw_obj_close(w);
	}
	return any;
}

bool
ctl_render_route(struct ctl_jw *w, struct rde *r, const char *key, const struct prefix *p,
		 const struct rib_path *best, const struct ctl_request *filter)
{
	if (best == NULL || !any_path_match(r, best, filter))
		return false;
	ctl_jw_obj_open(w, key);
	ctl_jw_prefix(w, "prefix", p);
	ctl_jw_arr_open(w, "paths");
	for (const struct rib_path *pa = best; pa != NULL; pa = pa->next)
		if (path_match(r, pa, filter))
			render_path(w, r, pa, pa == best);
	ctl_jw_arr_close(w);
	ctl_jw_obj_close(w);
	return true;
}

static const char *
nh_source_name(enum rde_nh_source s)
{
	switch (s) {
	case RDE_NH_TABLE:
		return "table";
	case RDE_NH_NEIGHBOR:
		return "neighbor";
	case RDE_NH_DEFAULT:
		return "default";
	case RDE_NH_POLICY:
		return "policy";
	}
	return "?";
}

void
ctl_render_xroute(struct ctl_jw *w, struct rde *r, const struct prefix *v4,
		  const struct rib_path *best, const struct rde_xroute *xr)
{
	/* The path it derives from: the best, or the best translatable one. */
	bool fallback = xr->path != NULL && xr->path != best;
	if (xr->path != NULL)
		best = xr->path;
	const struct attrs *a = best->attrs;

	ctl_jw_obj_open(w, NULL);
	ctl_jw_prefix(w, "prefix", &xr->v6);
	ctl_jw_bool(w, "translated", true);
	ctl_jw_prefix(w, "ipv4_prefix", v4);
	if (a->nh_len == 4)
		ctl_jw_addr(w, "ipv4_next_hop", AF_INET, a->nh);
	else if (a->nh_len == 16 || a->nh_len == 32)
		ctl_jw_addr(w, "ipv4_next_hop", AF_INET6, a->nh); /* RFC 8950 */
	else
		ctl_jw_null(w, "ipv4_next_hop");
	ctl_jw_str(w, "rule", xr->rule == XLAT_RULE_EAM ? "eam" : "rfc6052");
	ctl_jw_prefix(w, "rule_source", &xr->rule_src);
	ctl_jw_bool(w, "translatable_fallback", fallback);
	if (xr->has_nh) {
		ctl_jw_addr(w, "next_hop", AF_INET6, xr->nh.v6);
		if (xr->nh.dev[0] != '\0')
			ctl_jw_strn(w, "next_hop_device", xr->nh.dev,
				    strnlen(xr->nh.dev, sizeof xr->nh.dev));
		ctl_jw_str(w, "next_hop_source", nh_source_name(xr->nh_source));
	} else {
		ctl_jw_null(w, "next_hop");
		ctl_jw_str(w, "untranslated_reason", "unknown_next_hop");
	}
	ctl_jw_arr_open(w, "paths");
	render_path(w, r, best, true);
	ctl_jw_arr_close(w);
	ctl_jw_obj_close(w);
}

/* The IPv4 path a translated route comes from (the best path when it has none). */
static const struct rib_path *
xr_source(const struct rde_xroute *xr, const struct rib_path *best)
{
	return xr->path != NULL ? xr->path : best;
}

struct radix_node *
ctl_rib_lpm(struct rde *r, const struct prefix *p, const struct ctl_request *filter)
{
	struct radix *t = rib_tree(rde_rib(r), fam_of(p->af));
	unsigned len = p->len;

	for (;;) {
		struct radix_node *n = radix_lpm(t, p->a, len);
		if (n == NULL)
			return NULL;
		const struct rib_path *best = rib_best(n);
		if (best != NULL && any_path_match(r, best, filter))
			return n;
		if (radix_plen(n) == 0)
			return NULL;
		len = radix_plen(n) - 1;
	}
}

int
ctl_rib_check(struct rde *r, const struct ctl_request *req, char *err, size_t errlen)
{
	char a[ADDR_STRLEN];

	if (req->has_neighbor && bgp_peer_by_addr(rde_speaker(r), req->nbr_af, req->nbr) == NULL) {
		snprintf(err, errlen, "neighbor %s: not configured",
			 addr_fmt(req->nbr_af, req->nbr, a));
		return -1;
	}
	return 0;
}

/* ---- single-prefix lookups ---- */

/* A translated route matching the query, found through the IPv4 routes covering it. */
struct xfound {
	bool found;
	struct prefix v4;
	const struct rib_path *best;
	struct rde_xroute xr;
};

/*
 * exact: the derived route equal to q; longest: the longest derived route containing q. The
 * IPv4 routes covering q's reverse mapping are tried from the longest down.
 */
static void
x6_lookup(struct rde *r, const struct ctl_request *req, bool exact, struct xfound *f)
{
	const struct prefix *q = &req->prefix;
	struct prefix q4;
	struct rde_xroute xr[RDE_XROUTES_MAX];

	memset(f, 0, sizeof *f);
	if (xlat_unmap_prefix(rde_cfg(r)->xlat, q, &q4, NULL) < 0)
		return;
	struct radix *t4 = rib_tree(rde_rib(r), BGP_FAM_V4);
	for (int len = q4.len; len >= 0; len--) {
		struct radix_node *n = radix_find(t4, q4.a, (unsigned)len);
		if (n == NULL || rib_best(n) == NULL)
			continue;
		struct prefix p4;
		radix_prefix(t4, n, &p4);
		int k = rde_translate(r, &p4, rib_best(n), xr, RDE_XROUTES_MAX, NULL);
		for (int i = 0; i < k; i++) {
			bool ok = exact ? prefix_eq(&xr[i].v6, q) : prefix_contains(&xr[i].v6, q);
			ok = ok && path_match(r, xr_source(&xr[i], rib_best(n)), req);
			if (ok && (!f->found || xr[i].v6.len > f->xr.v6.len)) {
				f->found = true;
				f->v4 = p4;
				f->best = rib_best(n);
				f->xr = xr[i];
			}
		}
		if (f->found)
			return;
	}
}

static void
lookup_one(struct ctl_rib_walk *wk, struct rde *r, struct ctl_jw *w)
{
	const struct ctl_request *req = &wk->req;
	const struct prefix *q = &req->prefix;
	struct radix *t = rib_tree(rde_rib(r), fam_of(q->af));
	struct radix_node *n;
	struct prefix p;
	struct xfound xf = {0};

	if (req->filtered) {
		t = rde_filtered_tree(r, fam_of(q->af));
		n = t == NULL			    ? NULL
		    : req->match == CTL_MATCH_EXACT ? radix_find(t, q->a, q->len)
						    : radix_lpm(t, q->a, q->len);
		if (n != NULL) {
			radix_prefix(t, n, &p);
			if (render_filtered(w, r, &p, n, req))
				wk->routes++;
		}
		return;
	}
	if (req->match == CTL_MATCH_EXACT)
		n = radix_find(t, q->a, q->len);
	else
		n = ctl_rib_lpm(r, q, req);
	if (q->af == AF_INET6)
		x6_lookup(r, req, req->match == CTL_MATCH_EXACT, &xf);
	/* Longest: a native and a translated candidate; the longer wins, both when equal. */
	if (n != NULL && xf.found && req->match == CTL_MATCH_LONGEST) {
		if (radix_plen(n) < xf.xr.v6.len)
			n = NULL;
		else if (radix_plen(n) > xf.xr.v6.len)
			xf.found = false;
	}
	if (n != NULL) {
		radix_prefix(t, n, &p);
		if (ctl_render_route(w, r, NULL, &p, rib_best(n), req))
			wk->routes++;
	}
	if (xf.found) {
		ctl_render_xroute(w, r, &xf.v4, xf.best, &xf.xr);
		wk->routes++;
	}
}

/* ---- walks ---- */

static bool
overlaps(const struct prefix *a, const struct prefix *b)
{
	return prefix_contains(a, b) || prefix_contains(b, a);
}

/* Sets up the walk of the current phase. */
static void
phase_enter(struct ctl_rib_walk *wk, struct rde *r)
{
	const struct ctl_request *req = &wk->req;
	bool longer = req->has_prefix && req->match == CTL_MATCH_LONGER;

	wk->started = false;
	wk->ranged = false;
	wk->filter6 = false;
	wk->ancestors_done = false;
	if (wk->phase == CTL_PH_DONE || !longer)
		return;
	if (wk->phase != CTL_PH_X6) {
		wk->ranged = true;
		wk->range = req->prefix;
		return;
	}
	/* Translated routes inside an IPv6 prefix: see the file comment. */
	const struct xlat *x = rde_cfg(r)->xlat;
	const struct prefix *t = xlat_get_prefix(x);
	const struct prefix *q = &req->prefix;
	struct prefix q4;
	enum xlat_rule rule;

	wk->filter6 = true;
	if (xlat_unmap_prefix(x, q, &q4, &rule) == 0) {
		bool foreign = rule == XLAT_RULE_RFC6052 ? ctl_xlat_eam6_overlaps(x, q)
							 : t != NULL && overlaps(t, q);
		if (!foreign) {
			wk->ranged = true;
			wk->range = q4;
		}
	} else if (!(t != NULL && overlaps(t, q)) && !ctl_xlat_eam6_overlaps(x, q)) {
		wk->phase = CTL_PH_DONE; /* no translated route can lie inside q */
	}
}

static void
phase_next(struct ctl_rib_walk *wk, struct rde *r)
{
	switch (wk->phase) {
	case CTL_PH_V4:
		wk->phase = wk->req.af == 0 && !wk->req.has_prefix ? CTL_PH_V6 : CTL_PH_DONE;
		break;
	case CTL_PH_V6: /* the filtered trees have no translated routes */
		wk->phase = wk->req.filtered ? CTL_PH_DONE : CTL_PH_X6;
		break;
	default:
		wk->phase = CTL_PH_DONE;
	}
	phase_enter(wk, r);
}

static void
emit_native(struct ctl_rib_walk *wk, struct rde *r, struct ctl_jw *w, const struct prefix *p,
	    struct radix_node *n)
{
	if (ctl_render_route(w, r, NULL, p, rib_best(n), &wk->req))
		wk->routes++;
}

static void
emit_x6(struct ctl_rib_walk *wk, struct rde *r, struct ctl_jw *w, const struct prefix *p4,
	struct radix_node *n)
{
	const struct rib_path *best = rib_best(n);
	struct rde_xroute xr[RDE_XROUTES_MAX];

	if (best == NULL)
		return;
	int k = rde_translate(r, p4, best, xr, RDE_XROUTES_MAX, NULL);
	for (int i = 0; i < k; i++) {
		if (wk->filter6 && !prefix_contains(&wk->req.prefix, &xr[i].v6))
			continue;
		if (!path_match(r, xr_source(&xr[i], best), &wk->req))
			continue;
		ctl_render_xroute(w, r, p4, best, &xr[i]);
		wk->routes++;
	}
}

/* The IPv4 routes strictly covering the range: their covered EAMs may map inside q. */
static void
x6_ancestors(struct ctl_rib_walk *wk, struct rde *r, struct ctl_jw *w)
{
	struct radix *t4 = rib_tree(rde_rib(r), BGP_FAM_V4);
	struct prefix p4;

	for (unsigned len = 0; len < wk->range.len; len++) {
		struct radix_node *n = radix_find(t4, wk->range.a, len);
		if (n == NULL)
			continue;
		radix_prefix(t4, n, &p4);
		emit_x6(wk, r, w, &p4, n);
	}
}

static struct radix_node *
walk_next(struct ctl_rib_walk *wk, const struct radix *t, struct radix_node *n)
{
	if (n != NULL)
		return radix_next(t, n);
	if (wk->started)
		return radix_next_after(t, wk->last.a, wk->last.len);
	if (!wk->ranged)
		return radix_first(t);
	n = radix_find(t, wk->range.a, wk->range.len);
	return n != NULL ? n : radix_next_after(t, wk->range.a, wk->range.len);
}

void
ctl_rib_begin(struct ctl_rib_walk *wk, struct rde *r, const struct ctl_request *req,
	      struct ctl_jw *w)
{
	memset(wk, 0, sizeof *wk);
	wk->req = *req;
	if (req->has_prefix)
		wk->req.af = req->prefix.af;
	ctl_jw_obj_open(w, NULL);
	ctl_jw_arr_open(w, "rib");
	if (req->has_prefix && req->match != CTL_MATCH_LONGER) {
		lookup_one(wk, r, w);
		wk->phase = CTL_PH_DONE;
		return;
	}
	wk->phase = wk->req.af == AF_INET6 ? CTL_PH_V6 : CTL_PH_V4;
	phase_enter(wk, r);
}

bool
ctl_rib_step(struct ctl_rib_walk *wk, struct rde *r, struct ctl_jw *w, size_t budget)
{
	struct radix_node *n = NULL; /* valid only within this slice */

	if (wk->out)
		return ctl_rib_out_step(wk, r, w, budget);
	while (wk->phase != CTL_PH_DONE && !w->err) {
		if (budget == 0 || evbuffer_get_length(w->out) + w->staged >= CTL_OUT_HIGH) {
			ctl_jw_flush(w);
			return false;
		}
		if (wk->phase == CTL_PH_X6 && wk->ranged && !wk->ancestors_done) {
			x6_ancestors(wk, r, w);
			wk->ancestors_done = true;
			continue;
		}
		enum bgp_fam f = wk->phase == CTL_PH_V6 ? BGP_FAM_V6 : BGP_FAM_V4;
		struct radix *t =
		    wk->req.filtered ? rde_filtered_tree(r, f) : rib_tree(rde_rib(r), f);
		struct prefix p;
		n = t != NULL ? walk_next(wk, t, n) : NULL;
		if (n != NULL)
			radix_prefix(t, n, &p);
		if (n == NULL || (wk->ranged && !prefix_contains(&wk->range, &p))) {
			n = NULL;
			phase_next(wk, r);
			continue;
		}
		wk->last = p;
		wk->started = true;
		budget--;
		if (wk->req.filtered) {
			if (render_filtered(w, r, &p, n, &wk->req))
				wk->routes++;
		} else if (wk->phase == CTL_PH_X6) {
			emit_x6(wk, r, w, &p, n);
		} else {
			emit_native(wk, r, w, &p, n);
		}
	}
	ctl_jw_arr_close(w);
	ctl_jw_obj_close(w);
	ctl_jw_end(w);
	return true;
}
