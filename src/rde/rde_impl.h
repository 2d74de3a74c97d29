/*
 * Internals shared by the route engine's files (rde.c: ingest and peer life cycle, adjout.c:
 * exports, rde_xlat.c: derivation). Not for other rooms.
 */
#ifndef BGP64_RDE_RDE_IMPL_H
#define BGP64_RDE_RDE_IMPL_H

#include <event2/event.h>

#include "policy/policy.h"
#include "rde/rde.h"

struct adjout;
struct rde_counts;
struct rde_fib;
struct rde_reload;

/* Which limit (rde_limit.c): prefixes of a family (the BGP_FAM_ index) or in total. */
enum {
	RDE_LIM_V4 = BGP_FAM_V4,
	RDE_LIM_V6 = BGP_FAM_V6,
	RDE_LIM_TOTAL,
	RDE_LIM_PREFIX_N,
	RDE_LIM_ATTR = RDE_LIM_PREFIX_N, /* attribute bytes held */
	RDE_LIM_ASPATH,			 /* per route (per session for "once") */
	RDE_LIM_COMM,
	RDE_LIM_N
};

/* A peer's limit state (rde_limit.c); counters are kept across sessions. */
struct rde_limits {
	bool down;		  /* a limit closed this session */
	bool over[RDE_LIM_N];	  /* over that limit now: acted on, not again until under */
	struct event *restart_ev; /* restart-time after a limit closed the session */
	uint64_t blocked[BGP_FAM_N];
	uint64_t exceeded, sessions_closed;
	uint64_t updates_blocked; /* announcements ignored by an attribute limit */
};

struct rde_peer {
	struct rde *rde;
	struct bgp_peer *bp;
	uint16_t id;
	bool up;
	struct adjout *ao;	/* its update group while established */
	uint8_t eor_rx;		/* families whose End-of-RIB arrived in this session */
	uint8_t stale_fams;	/* families kept stale over a graceful restart */
	struct event *gr_timer; /* restart time while down, then the stale time (RFC 4724) */
	uint8_t borr_fams;	/* families inside BoRR ... EoRR (RFC 7313) */
	struct event *rr_timer; /* upper bound on that refresh */
	struct rde_limits lim;
	uint16_t stale_time; /* s: "graceful-restart.stale-time", updated by reload */
	uint16_t eorr_time;  /* s: "eorr-time", updated by reload */
	/* What its paths' translations depend on, fixed for the session's configuration and
	 * kept until its paths are gone: a record of a peer removed by a reload stays, retired
	 * (bp NULL), while its routes are flushed (rde_xlat.c, rde_count.c). */
	bool retired;
	bool has_nh6; /* its "ipv6-next-hop" */
	uint8_t nh6[16];
	/* Its import and export policies under the running config (rde_policy_peer). */
	const struct policy *imp[BGP_FAM_N], *exp[BGP_FAM_N];
	uint32_t n_filtered; /* its routes kept in the filtered trees (rde_filtered.c) */
	/* Prefixes announced and withdrawn to it in UPDATEs this session (adjout.c), by family. */
	uint64_t pfx_sent[BGP_FAM_N], wdr_sent[BGP_FAM_N];
	/* UPDATE debugging (rde_debug.c): on by bgp64ctl log updates, rate-limited. */
	bool debug_updates;
	time_t dbg_sec;
	unsigned dbg_lines, dbg_dropped;
};

/* The import pipeline (rde.c): a prefix's tree slot is prefetched when it enters, the nodes
 * of its path one level each RDE_IMPORT_STAGE prefixes later, RDE_IMPORT_STAGES levels. */
#define RDE_IMPORT_STAGE  16
#define RDE_IMPORT_STAGES 1
#define RDE_IMPORT_RING	  128 /* > (RDE_IMPORT_STAGES + 1) * RDE_IMPORT_STAGE */

struct rde {
	struct event_base *base;
	struct cfg *cfg;
	struct rib *rib;
	struct bgp_speaker *sp;
	struct rde_peer **peers; /* by peer id */
	size_t n_peers;
	struct event *pump_ev;	 /* exports with work pending */
	struct event *jobs_ev;	 /* RIB jobs in slices */
	struct event *eor_timer; /* eor-wait since start */
	struct event *trim_ev;	 /* gives the heap back once quiet after many removals */
	uint64_t trim_mark;	 /* paths removed (rib_stats) at the last trim */
	bool eor_wait_over;
	bool shutting_down;
	bool logged_non_global, logged_wkp_blocked; /* RFC 6052 3.1 events, logged once */
	time_t started_at;
	struct rde_stats stats;
	struct rde_fib *fibx;  /* kernel export, NULL when fib.enabled is false */
	struct adjout *groups; /* update groups (adjout.c) */

	/* Gauges derived from the RIB (rde_count.c); the translation re-derivation of a
	 * reload while it runs (rde_reload.c). */
	struct rde_counts *counts;
	struct rde_reload *reload;
	uint64_t cfg_gen;	/* bumped whenever cfg is replaced (struct rde_nhmemo) */
	uint64_t budget_closed; /* sessions closed by the memory budget (rde_limit.c) */
	bool budget_flushing;	/* one of them may still be flushing */

	/* Announced prefixes on their way into the RIB (rde.c, import pipeline): entries
	 * imp_out..imp_in-1 of the ring, their tree slots prefetched, of one session's input. */
	struct rde_pending {
		struct prefix p;
		struct attrs *a; /* a reference; NULL: a withdrawal (rejected on import) */
		uint16_t peer;
		uint8_t fam;
		bool blocking; /* a "block" prefix limit applies (rde_limit_admit_prefix) */
	} pend[RDE_IMPORT_RING];
	uint32_t imp_in, imp_out;
	struct rde_peer *imp_peer;
	uint64_t *pol_hits; /* per policy rule (policy_rule.id) of the running config */
	struct radix *filtered[BGP_FAM_N]; /* routes rejected on import (rde_filtered.c) */
};

struct rde_peer *rde_peer_of(const struct rde *r, uint16_t id);
/* The engine's record of a session, created on first use. */
struct rde_peer *rde_peer_slot(struct rde *r, struct bgp_peer *bp);
/* Leaves its update group, stops its timer, frees it (the slot is the caller's to clear). */
void rde_peer_free(struct rde_peer *rp);
/* Runs ev's callback on a later turn of the loop, after it polled I/O (a 0 s timer, not
 * re-added when already due). */
void rde_soon(struct event *ev);
/* Applies the announcements still in the import pipeline (see rde.c). */
void rde_import_flush(struct rde *r);
/* Schedules RIB jobs (flushes, stale sweeps) in slices. */
void kick_rib_jobs(struct rde *r);
/* Schedules the export pump (coalesced into one loop iteration). */
void rde_kick(struct rde *r);
/* True when every IPv4 source (neighbor with IPv4 import) sent its End-of-RIB, or the wait
 * ran out: the IPv6 End-of-RIB may then follow the initial IPv6 table. */
bool rde_v4_sources_done(const struct rde *r);

/* rde_xlat.c */
/* The IPv6 next hop for a translated route or an RFC 8950 export of this best path. */
bool rde_nexthop6(const struct rde *r, const struct rib_path *best, struct xlat_nh *out,
		  enum rde_nh_source *src);
/* The same, and rde_translate(), under a given config (a reload compares two). */
bool rde_nexthop6_cfg(const struct rde *r, const struct cfg *c, const struct rib_path *best,
		      struct xlat_nh *out, enum rde_nh_source *src);
int rde_translate_cfg(const struct rde *r, const struct cfg *c, const struct prefix *v4,
		      const struct rib_path *best, struct rde_xroute *out, int max,
		      enum xlat_reason *why);
/* The one predicate "may IPv4 path p of prefix v4 be translated under c" (rde_xlat.c). */
bool rde_xlat_path_ok(const struct rde *r, const struct cfg *c, const struct prefix *v4,
		      const struct rib_path *p);
/* The path the IPv6 routes of v4 derive from: head (the best path) when translatable, else
 * with translatable-best the best translatable path of the list, else NULL. */
const struct rib_path *rde_xlat_source(const struct rde *r, const struct cfg *c,
				       const struct prefix *v4, const struct rib_path *head);
/* RIB alt hook: marks a prefix whose IPv6 routes may come from a path other than the best. */
void rde_alt_changed(void *arg, enum bgp_fam f, struct radix_node *n);
/* True when c gives a best path with this IPv4 next hop, from a source without
 * ipv6-next-hop, no IPv6 next hop (it stays untranslated). */
bool rde_nh4_unmatched(const struct cfg *c, const uint8_t nh4[4]);

/* Everything that IPv4 best path's exports (peers, kernel) take from the translation. */
struct rde_deriv {
	int n; /* translated routes */
	struct rde_xroute xr[RDE_XROUTES_MAX];
	bool has_nh; /* rde_nexthop6() of the best path (RFC 8950 export) */
	struct xlat_nh nh;
};
void rde_derive(const struct rde *r, const struct cfg *c, const struct prefix *v4,
		const struct rib_path *best, struct rde_deriv *out);
/* True when every field that reaches the wire or the kernel is equal. */
bool rde_deriv_same(const struct rde_deriv *a, const struct rde_deriv *b);
void rde_best_changed(void *arg, enum bgp_fam f, const struct radix_node *n, uint16_t old_peer,
		      const struct attrs *old, const struct rib_path *best);

/* rde_limit.c */
/* Closes the session with a Cease (subcode) and starts it again after restart_time s
 * (never when 0); once per session. */
void rde_limit_down(struct rde *r, struct rde_peer *rp, uint8_t subcode, uint32_t restart_time);
void rde_limit_up(struct rde_peer *rp); /* the session is Established */
void rde_limit_free(struct rde_peer *rp);
/* True when a "block" prefix limit applies to family f (then admit each prefix). */
bool rde_limit_blocking(const struct rde *r, const struct rde_peer *rp, enum bgp_fam f);
/* False (counted) when the new prefix p is over a "block" limit. */
bool rde_limit_admit_prefix(struct rde *r, struct rde_peer *rp, enum bgp_fam f,
			    const struct prefix *p);
/*
 * Interns the attributes t of rp's UPDATE within the route limits (AS_PATH length,
 * communities), the attribute bytes held for the neighbor and the daemon's memory budget:
 * a reference, or NULL when its announcements are to be treated as withdrawals (a "block"
 * limit, or the session is going down).
 */
struct attrs *rde_limit_intern(struct rde *r, struct rde_peer *rp, const struct attrs *t);
/* After an UPDATE: the prefix limits' actions, once per crossing. */
void rde_limit_check_prefixes(struct rde *r, struct rde_peer *rp);

/* rde_count.c: counters derived from the RIB, independent of the config */
/* The best path (peer, attrs) of an IPv4 prefix was added (delta 1) or removed (-1). */
void rde_count_best(struct rde *r, uint16_t peer, const struct attrs *a, int delta);
/* An IPv4 prefix got its first path (delta 1) or lost its last one (-1). */
void rde_count_prefix(struct rde *r, const struct prefix *v4, int delta);
void rde_counts_free(struct rde *r);

/* rde_reload.c */
/* An IPv4 prefix lost its last path while a re-derivation runs: withdraws now what it had
 * under an older config, since the job may never see the node again. */
void rde_reload_gone(struct rde *r, const struct prefix *v4);
void rde_reload_free(struct rde *r);

/* rde_policy.c */
/* Looks up the peer's import and export policies in the running config. */
void rde_policy_peer(struct rde *r, struct rde_peer *rp);
/* New counters for the running config, carrying those of unchanged policies of old. */
void rde_policy_counters(struct rde *r, const struct cfg *old);
void rde_policy_count(struct rde *r, const struct policy *pol, int rule);
/* Import policy over the prefixes of one UPDATE sharing attribute set 'in'. */
#define RDE_IMPORT_CACHE 32
struct rde_import {
	const struct policy *pol; /* NULL: everything accepted unchanged */
	enum bgp_fam fam;
	struct attrs *in; /* borrowed */
	struct policy_route rt;
	uint64_t mask;			       /* policy_attr_mask() of in */
	struct attrs *cache[RDE_IMPORT_CACHE]; /* per rule, owned */
	struct attrs *spare;		       /* rules past the cache, owned */
	int rule;			       /* of the last rde_import_prefix() */
};
void rde_import_begin(struct rde *r, struct rde_peer *rp, enum bgp_fam f, struct attrs *a,
		      struct rde_import *im);
/* The attributes p enters the RIB with (borrowed until rde_import_end), NULL when rejected. */
struct attrs *rde_import_prefix(struct rde *r, struct rde_import *im, const struct prefix *p);
void rde_import_end(struct rde_import *im);
/*
 * The translation policy of config c on an IPv4 best path: false when it is not to be
 * translated. *rule is the deciding rule of c->xlat_policy (-1: default or no policy), whose
 * actions the translated route carries.
 */
bool policy_xlat_accepts(const struct rde *r, const struct cfg *c, const struct prefix *v4,
			 const struct rib_path *best, int *rule);
/* Counts the translation decision of a new IPv4 best path. */
void rde_policy_count_xlat(struct rde *r, const struct prefix *v4, const struct rib_path *best);
/* Export policy of a group on the attributes built for it; src is the path's neighbor. */
int rde_export_eval(struct rde *r, const struct policy *pol, const struct prefix *p,
		    const struct attrs *a, uint16_t src, bool *accept);

/* rde_filtered.c: routes rejected on import, kept for show rib filtered */
#define RDE_FILTERED_MAX 100000 /* per neighbor */
void rde_filtered_add(struct rde *r, struct rde_peer *rp, enum bgp_fam f, const struct prefix *p,
		      struct attrs *a, int rule);
void rde_filtered_del(struct rde *r, struct rde_peer *rp, enum bgp_fam f, const struct prefix *p);
void rde_filtered_flush(struct rde *r, struct rde_peer *rp);
void rde_filtered_free(struct rde *r);

/* rde_fib.c */
int rde_fib_start(struct rde *r); /* -1 (logged) when the FIB cannot be opened */
void rde_fib_free(struct rde *r);
/* Installs/removes what the pending marks say; true when work remains and it has room. */
bool rde_fib_pump(struct rde *r, size_t budget);
/* A translated route that no longer exists (reload). */
void rde_fib_withdraw(struct rde *r, const struct prefix *v6);

/* adjout.c */
/* Puts an established peer in an update group of its own (joined to an equal group as soon as
 * both are in the same state). */
struct adjout *adjout_new(struct rde *r, struct rde_peer *rp);
/* Takes the peer out of its group; the last member frees the group. */
void adjout_leave(struct rde_peer *rp);
struct adjout *adjout_next(const struct adjout *ao);
size_t adjout_members(const struct adjout *ao);
/* The peer's group after taking it out of a shared one (same state); route refresh. */
struct adjout *adjout_split_member(struct rde_peer *rp);
/* The group (of one) re-sends family f after a route refresh request; with enhanced route
 * refresh negotiated it is wrapped in BoRR ... EoRR (RFC 7313). */
void adjout_refresh(struct adjout *ao, enum bgp_fam f, bool enhanced);
/* Joins idle groups with equal export policy (called after pumping). */
void adjout_merge_groups(struct rde *r);
/* Sends what fits into the peer's socket; true when work remains. */
bool adjout_pump(struct adjout *ao, size_t budget);
/* Drops cached export attributes (config changed). */
void adjout_flush_cache(struct adjout *ao);
/* Export policies changed by a reload: the groups concerned re-send (adjout.c). */
void adjout_policy_reload(struct rde *r);
/* rde_export_peek() for member 'member' of the group. */
size_t adjout_peek(struct adjout *ao, uint16_t member, enum bgp_fam src, struct radix_node *n,
		   rde_out_fn fn, void *arg);

/* rde_debug.c: one rate-limited log line for an UPDATE from a neighbor being debugged. */
void rde_debug_update(struct rde_peer *rp, const struct bgp_update *u);

#endif
