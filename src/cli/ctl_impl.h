/*
 * Internals of the daemon side of the control module, shared by ctl_server.c (sockets and
 * connections), ctl_rib.c (show rib and route objects) and ctl_show.c (the other commands).
 * Not part of the module's interface (ctl.h).
 */
#ifndef BGP64_CLI_CTL_IMPL_H
#define BGP64_CLI_CTL_IMPL_H

#include "rde/rde.h"
#include "rde/rib.h"
#include "cli/ctl.h"

/* Slices of show rib: nodes visited per slice, and output queued before waiting for drain. */
#define CTL_SLICE_NODES 2048
#define CTL_OUT_HIGH	(256 * 1024)
#define CTL_OUT_LOW	(64 * 1024)

/*
 * A show rib in progress. Phases: native IPv4, native IPv6, IPv6 translated from the IPv4
 * table. The cursor is the last prefix visited (never a node pointer), so the walk resumes
 * with radix_next_after() whatever changed in between.
 */
enum ctl_rib_phase { CTL_PH_V4, CTL_PH_V6, CTL_PH_X6, CTL_PH_DONE };

struct ctl_rib_walk {
	struct ctl_request req;
	enum ctl_rib_phase phase;
	bool started;	    /* 'last' is valid */
	struct prefix last; /* cursor */
	bool ranged;	    /* walk only the subtree 'range' */
	struct prefix range;
	bool filter6;	     /* translated: keep only routes inside req.prefix */
	bool ancestors_done; /* translated + ranged: covering IPv4 routes visited */
	uint64_t routes;     /* route objects written */
	bool out;	     /* show rib out (ctl_rib_out.c) */
};

/* ctl_policy.c: per-rule counters for show summary and /metrics */
struct evbuffer;
void ctl_render_policies(struct ctl_jw *w, struct rde *r);
void ctl_metrics_policies(struct evbuffer *b, struct rde *r);

/* ctl_rib.c */

/*
 * Checks a show rib request (the neighbor must exist). Returns 0, or -1 with err; nothing is
 * written on error, so the caller answers {"error"}.
 */
int ctl_rib_check(struct rde *r, const struct ctl_request *req, char *err, size_t errlen);
/* Writes the document's head and everything of a single-prefix lookup; sets up the walk. */
void ctl_rib_begin(struct ctl_rib_walk *wk, struct rde *r, const struct ctl_request *req,
		   struct ctl_jw *w);
/*
 * Writes at most 'budget' nodes' worth of routes, stopping early once the output holds
 * CTL_OUT_HIGH bytes. Returns true when the document is complete (tail and newline written).
 */
bool ctl_rib_step(struct ctl_rib_walk *wk, struct rde *r, struct ctl_jw *w, size_t budget);

/*
 * A native route object {"prefix":..,"paths":[..]} (as member 'key' when inside an object);
 * with a neighbor filter only that neighbor's paths. Returns false (nothing written) when no
 * path is left to show.
 */
bool ctl_render_route(struct ctl_jw *w, struct rde *r, const char *key, const struct prefix *p,
		      const struct rib_path *best, const struct ctl_request *filter);
/* A translated route object from the IPv4 prefix v4, its best path and one derived route. */
void ctl_render_xroute(struct ctl_jw *w, struct rde *r, const struct prefix *v4,
		       const struct rib_path *best, const struct rde_xroute *xr);
/* The longest prefix covering p whose node holds a path (and one of the filter's neighbor). */
struct radix_node *ctl_rib_lpm(struct rde *r, const struct prefix *p,
			       const struct ctl_request *filter);

/* ctl_show.c: the small documents, written whole. Return 0, or -1 with err (nothing written). */
int ctl_show_summary(struct rde *r, struct ctl_jw *w);
int ctl_show_neighbors(struct rde *r, const struct ctl_request *req, struct ctl_jw *w, char *err,
		       size_t errlen);
int ctl_show_nexthops(struct rde *r, struct ctl_jw *w);
int ctl_show_fib(struct rde *r, struct ctl_jw *w);
int ctl_show_config(struct rde *r, struct ctl_jw *w);
int ctl_show_translation(struct rde *r, const struct ctl_request *req, struct ctl_jw *w, char *err,
			 size_t errlen);
int ctl_neighbor_cmd(struct rde *r, const struct ctl_request *req, struct ctl_jw *w, char *err,
		     size_t errlen);

/* ctl_rib_out.c: show rib out neighbor ADDR, the same streaming contract as show rib. */
int ctl_rib_out_check(struct rde *r, const struct ctl_request *req, char *err, size_t errlen);
void ctl_rib_out_begin(struct ctl_rib_walk *wk, const struct ctl_request *req, struct ctl_jw *w);
bool ctl_rib_out_step(struct ctl_rib_walk *wk, struct rde *r, struct ctl_jw *w, size_t budget);

/* "ipv4", "ipv6" */
const char *ctl_af_name(int af);

#endif
