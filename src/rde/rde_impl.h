/*
 * Internals shared by the route engine's files (rde.c: ingest and peer life cycle, adjout.c:
 * exports, rde_xlat.c: derivation). Not for other rooms.
 */
#ifndef BGP64_RDE_RDE_IMPL_H
#define BGP64_RDE_RDE_IMPL_H

#include <event2/event.h>

#include "rde/rde.h"

struct adjout;
struct rde_counts;
struct rde_fib;
struct rde_reload;

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
	uint16_t stale_time;	/* s: "graceful-restart.stale-time", updated by reload */
	uint16_t eorr_time;	/* s: "eorr-time", updated by reload */
	bool max_prefix_hit;
	/* What its paths' translations depend on, fixed for the session's configuration and
	 * kept until its paths are gone: a record of a peer removed by a reload stays, retired
	 * (bp NULL), while its routes are flushed (rde_xlat.c, rde_count.c). */
	bool retired;
	bool has_nh6; /* its "ipv6-next-hop" */
	uint8_t nh6[16];
};

/* The import pipeline (rde.c): a prefix's tree slot is prefetched when it enters, the nodes
 * of its path one level each RDE_IMPORT_STAGE prefixes later, RDE_IMPORT_STAGES levels. */
#define RDE_IMPORT_STAGE  16
#define RDE_IMPORT_STAGES 3
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
	uint64_t cfg_gen; /* bumped whenever cfg is replaced (struct rde_nhmemo) */

	/* Announced prefixes on their way into the RIB (rde.c, import pipeline): entries
	 * imp_out..imp_in-1 of the ring, their tree slots prefetched, of one session's input. */
	struct rde_import {
		struct prefix p;
		struct attrs *a; /* a reference */
		uint16_t peer;
		uint8_t fam;
	} imp[RDE_IMPORT_RING];
	uint32_t imp_in, imp_out;
	struct rde_peer *imp_peer;
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

#endif
