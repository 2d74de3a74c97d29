/*
 * show rib out neighbor ADDR: what the neighbor's update group exports to it, route objects
 * streamed in slices like show rib (ctl_rib.c), in the same {"rib":[...]} document.
 *
 * Nothing is stored per advertised prefix (adjout.c), so the routes are computed per RIB node
 * by the export itself (rde_export_peek): they are what the neighbor holds once the changes
 * still queued for it are sent. Phases: the IPv4 tree for the IPv4 routes, the IPv4 tree again
 * for the translated IPv6 routes, then the IPv6 tree for the native IPv6 routes (a native
 * prefix that an IPv4 route also yields was decided, and shown, in the second phase). A
 * family in the request leaves out the phases of the other. A route object carries one path:
 * the exported attributes, "best" true.
 */
#include "cli/ctl_impl.h"

#include <event2/buffer.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "bgp/attr.h"
#include "bgp/session.h"

struct out_emit {
	struct ctl_jw *w;
	enum bgp_fam want;
	uint64_t *routes;
};

static void
out_route(enum bgp_fam fam, const struct prefix *p, const struct attrs *a, void *arg)
{
	struct out_emit *e = arg;
	if (fam != e->want)
		return;
	ctl_jw_obj_open(e->w, NULL);
	ctl_jw_prefix(e->w, "prefix", p);
	ctl_jw_arr_open(e->w, "paths");
	ctl_jw_obj_open(e->w, NULL);
	ctl_jw_bool(e->w, "best", true);
	ctl_render_attrs(e->w, a);
	ctl_jw_obj_close(e->w);
	ctl_jw_arr_close(e->w);
	ctl_jw_obj_close(e->w);
	(*e->routes)++;
}

int
ctl_rib_out_check(struct rde *r, const struct ctl_request *req, char *err, size_t errlen)
{
	char a[ADDR_STRLEN];
	struct bgp_peer *bp = bgp_peer_by_addr(rde_speaker(r), req->nbr_af, req->nbr);

	if (bp == NULL) {
		snprintf(err, errlen, "neighbor %s: not configured",
			 addr_fmt(req->nbr_af, req->nbr, a));
		return -1;
	}
	if (bgp_peer_state(bp) != BGP_ESTABLISHED) {
		snprintf(err, errlen, "neighbor %s: not established, nothing is sent to it",
			 addr_fmt(req->nbr_af, req->nbr, a));
		return -1;
	}
	return 0;
}

static enum ctl_rib_phase
first_phase(const struct ctl_rib_walk *wk)
{
	return wk->req.af == AF_INET6 ? CTL_PH_X6 : CTL_PH_V4;
}

static enum ctl_rib_phase
next_phase(const struct ctl_rib_walk *wk)
{
	if (wk->phase == CTL_PH_V4)
		return wk->req.af == AF_INET ? CTL_PH_DONE : CTL_PH_X6;
	if (wk->phase == CTL_PH_X6)
		return CTL_PH_V6;
	return CTL_PH_DONE;
}

void
ctl_rib_out_begin(struct ctl_rib_walk *wk, const struct ctl_request *req, struct ctl_jw *w)
{
	memset(wk, 0, sizeof *wk);
	wk->req = *req;
	wk->out = true;
	wk->phase = first_phase(wk);
	ctl_jw_obj_open(w, NULL);
	ctl_jw_arr_open(w, "rib");
}

/* A native IPv6 prefix that an IPv4 best path also yields: shown by the translated phase. */
static bool
from_v4(struct rde *r, const struct prefix *p6)
{
	struct prefix v4;
	if (xlat_unmap_prefix(rde_cfg(r)->xlat, p6, &v4, NULL) < 0)
		return false;
	struct radix_node *n = radix_find(rib_tree(rde_rib(r), BGP_FAM_V4), v4.a, v4.len);
	return n != NULL && rib_best(n) != NULL;
}

bool
ctl_rib_out_step(struct ctl_rib_walk *wk, struct rde *r, struct ctl_jw *w, size_t budget)
{
	struct radix_node *n = NULL; /* valid only within this slice */

	while (wk->phase != CTL_PH_DONE && !w->err) {
		if (budget == 0 || evbuffer_get_length(w->out) + w->staged >= CTL_OUT_HIGH) {
			ctl_jw_flush(w);
			return false;
		}
		enum bgp_fam src = wk->phase == CTL_PH_V6 ? BGP_FAM_V6 : BGP_FAM_V4;
		struct radix *t = rib_tree(rde_rib(r), src);
		if (n != NULL)
			n = radix_next(t, n);
		else if (wk->started)
			n = radix_next_after(t, wk->last.a, wk->last.len);
		else
			n = radix_first(t);
		if (n == NULL) {
			wk->phase = next_phase(wk);
			wk->started = false;
			continue;
		}
		radix_prefix(t, n, &wk->last);
		wk->started = true;
		budget--;
		if (rib_best(n) == NULL || (src == BGP_FAM_V6 && from_v4(r, &wk->last)))
			continue;
		struct out_emit e = {w, wk->phase == CTL_PH_V4 ? BGP_FAM_V4 : BGP_FAM_V6,
				     &wk->routes};
		if (rde_export_peek(r, wk->req.nbr_af, wk->req.nbr, src, n, out_route, &e) < 0)
			break; /* the session went down meanwhile: the document ends here */
	}
	ctl_jw_arr_close(w);
	ctl_jw_obj_close(w);
	ctl_jw_end(w);
	return true;
}
