/*
 * The route decision engine: the pipeline wire -> RIB -> translation -> exports.
 *
 * It owns the RIB and the BGP speaker, applies parsed UPDATEs to the RIB (import policy,
 * loop checks, RFC 7606 outcomes, max-prefix, graceful restart), derives the IPv6 routes from
 * IPv4 best paths on demand (rde_translate: the translated table is never stored), and feeds
 * each established peer's adj-out (adjout.c) when its socket can take more.
 *
 * Readers (the control socket, the FIB) use the accessors below; they never modify state
 * except through the commands at the end.
 */
#ifndef BGP64_RDE_RDE_H
#define BGP64_RDE_RDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rde/rib.h"
#include "bgp/session.h"
#include "config.h"
#include "xlat/xlat.h"

struct event_base;
struct fib;
struct rde;

/* One IPv6 route derived from an IPv4 best path. */
struct rde_xroute {
	struct prefix v6;
	enum xlat_rule rule;
	struct prefix rule_src; /* translation prefix or EAM IPv4 prefix */
	bool has_nh;
	/* The IPv4 path it derives from when has_nh: the best path, or the best translatable
	 * one (rde_xlat.c); valid until the RIB changes. */
	const struct rib_path *path;
	struct xlat_nh nh; /* the IPv6 next hop (when has_nh) */
	enum rde_nh_source {
		RDE_NH_TABLE,
		RDE_NH_NEIGHBOR,
		RDE_NH_DEFAULT,
		RDE_NH_POLICY
	} nh_source;
	/* The rule of the translation policy that decided (-1: its default, or no policy); the
	 * translated route carries its actions. */
	int pol_rule;
	const struct policy_rule *prule; /* that rule, NULL for -1 */
};

#define RDE_XROUTES_MAX 8

/* Event counters shown by show summary / metrics (gauges derived from the RIB below). */
struct rde_stats {
	uint64_t updates_in, prefixes_in, withdraws_in;
	uint64_t treat_as_withdraw, loops_dropped, import_denied;
	uint64_t import_filtered;	/* prefixes rejected by an import policy */
	uint64_t wkp_specifics_blocked; /* not exported to eBGP */
	uint64_t nexthop_is_peer;	/* translated routes left out toward the peer that is their
					   next hop (RFC 4271 5.1.3), counted per update group */
	uint64_t updates_out, prefixes_out, withdraws_out;
};

/* Creates the engine for a validated config (taken over) on an event base. */
struct rde *rde_new(struct event_base *base, struct cfg *cfg);
/* Opens listeners and starts the configured neighbors. -1 when a listener failed. */
int rde_start(struct rde *r);
/* Cease/Administrative Shutdown to every peer; exports stop. */
void rde_shutdown(struct rde *r, const char *msg);
void rde_free(struct rde *r);
/*
 * Applies a new config by difference (neighbors added/removed/reset only when changed,
 * translation changes re-derive exactly the routes that changed). Takes over 'next' on
 * success (returns 0); on failure returns -1 with err filled and the running config kept.
 */
int rde_reload(struct rde *r, struct cfg *next, char *err, size_t errlen);

const struct cfg *rde_cfg(const struct rde *r);
struct rib *rde_rib(const struct rde *r);
struct bgp_speaker *rde_speaker(const struct rde *r);
const struct rde_stats *rde_stats(const struct rde *r);
/* A neighbor's limit counters (rde_limit.c; bgp64d.json(5) "Limits"). */
struct rde_limit_stats {
	uint64_t prefixes_blocked[BGP_FAM_N]; /* ignored by a "block" prefix limit */
	uint64_t exceeded;		      /* crossings of any limit */
	uint64_t sessions_closed;	      /* by a limit */
	bool restart_pending;		      /* waiting for a restart-time */
	uint64_t updates_blocked;	      /* announcements ignored by an attribute limit */
	uint64_t attribute_bytes;	      /* of the attribute sets it created, alive */
};
/* Sessions closed because the memory budget would have been passed. */
uint64_t rde_budget_closed(const struct rde *r);
/* The memory budget in force: limits.memory-budget, or half of the physical memory. */
uint64_t rde_memory_budget(const struct rde *r);
void rde_peer_limit_stats(const struct rde *r, uint16_t id, struct rde_limit_stats *s);
const char *rde_limit_action_name(enum cfg_limit_action a);
time_t rde_started_at(const struct rde *r);
/*
 * Gauges derived from the RIB under the running translation (rde_count.c): the IPv4 next hops
 * of best paths left without an IPv6 next hop (unknown-next-hop reject), in address order with
 * their path counts; their sum; the IPv4 prefixes not translated because they are not globally
 * reachable under the well-known prefix (RFC 6052 3.1). Exact across reloads.
 */
void rde_unknown_walk(const struct rde *r, void (*fn)(const uint8_t v4[4], uint64_t n, void *arg),
		      void *arg);
uint64_t rde_untranslated_paths(const struct rde *r);
uint64_t rde_non_global_skipped(const struct rde *r);
/* The export engine at a glance (show summary). */
struct rde_export_stats {
	size_t groups, peers; /* update groups, established peers in them */
	struct rib_export_stats rib;
};
void rde_export_stats(const struct rde *r, struct rde_export_stats *s);
/* The kernel export (src/fib), NULL when fib.enabled is false. */
const struct fib *rde_fib(const struct rde *r);

/*
 * Derives the IPv6 routes of an IPv4 prefix whose path list (best first) is 'head' (NULL:
 * none). Returns the number of routes (0 when not translated, with *why set when why is not
 * NULL). They derive from the best translatable path (each route's 'path'; rde_xlat.c);
 * routes with no translatable path are returned with has_nh false.
 */
int rde_translate(const struct rde *r, const struct prefix *v4, const struct rib_path *head,
		  struct rde_xroute *out, int max, enum xlat_reason *why);
/*
 * The translation policy's decision on an IPv4 best path (show translation): false when it
 * rejects. *policy is its name (NULL when translation.policy is not set), *rule the deciding
 * rule's name ("default" when none matched, "" when unnamed) and *index its index (-1).
 */
bool rde_xlat_decision(const struct rde *r, const struct prefix *v4, const struct rib_path *best,
		       const char **policy, const char **rule, int *index);
/*
 * Routes rejected by import policies (rde_filtered.c), for show rib filtered: a tree per family
 * (NULL while none was kept) whose nodes hold lists of entries.
 */
struct rde_filtered;
struct rde_filtered_info {
	uint16_t peer;
	const struct attrs *attrs; /* as received */
	const char *policy;	   /* the neighbor's import policy now, NULL if none */
	const char *rule;	   /* the rule that rejected ("default": none matched) */
	int rule_index;		   /* -1 for the default */
};
struct radix *rde_filtered_tree(const struct rde *r, enum bgp_fam f);
const struct rde_filtered *rde_filtered_first(const struct radix_node *n);
const struct rde_filtered *rde_filtered_next(const struct rde_filtered *e);
void rde_filtered_get(const struct rde *r, const struct rde_filtered *e, enum bgp_fam f,
		      struct rde_filtered_info *out);
/* Per-rule counters of the running config's policies, indexed by policy_rule.id. */
const uint64_t *rde_policy_hits(const struct rde *r);

/*
 * A memo of the IPv6 next hop of the last best path rde_translate_memo() translated: the
 * prefixes of a table come in runs that share their attributes, so an export looks the next
 * hop up once a run. Zeroed means empty; it follows reloads by itself.
 */
struct rde_nhmemo {
	uint64_t gen; /* the config generation + 1 it holds for; 0: empty */
	uint16_t peer;
	bool v4nh; /* the path has an IPv4 next hop (nh4) */
	bool has_nh;
	uint8_t nh4[4];
	enum rde_nh_source src;
	struct xlat_nh nh;
};
/* rde_translate() through a memo. */
int rde_translate_memo(const struct rde *r, struct rde_nhmemo *m, const struct prefix *v4,
		       const struct rib_path *best, struct rde_xroute *out, int max,
		       enum xlat_reason *why);

/*
 * What the update group of a neighbor exports to it for one RIB node of family src, computed
 * as the export does (adjout.c), without sending or storing anything: fn gets each route the
 * neighbor should hold (family, prefix, exported attributes); withdrawals and routes held
 * back by split horizon are left out. Returns the number of routes, or -1 when the neighbor
 * is unknown or not established. (show rib out)
 */
typedef void (*rde_out_fn)(enum bgp_fam fam, const struct prefix *p, const struct attrs *a,
			   void *arg);
int rde_export_peek(struct rde *r, int af, const uint8_t *addr, enum bgp_fam src,
		    struct radix_node *n, rde_out_fn fn, void *arg);

/*
 * Prefixes announced and withdrawn to the neighbor with this id in its current session, by
 * family (counted as sent; show rib out gives the set itself). False for an unknown id.
 */
bool rde_peer_sent(const struct rde *r, uint16_t id, uint64_t pfx[BGP_FAM_N],
		   uint64_t wdr[BGP_FAM_N]);

/* Commands (control socket). */
int rde_neighbor_reset(struct rde *r, int af, const uint8_t *addr, const char *msg);
int rde_neighbor_shutdown(struct rde *r, int af, const uint8_t *addr, const char *msg);
int rde_neighbor_start(struct rde *r, int af, const uint8_t *addr);
int rde_neighbor_refresh(struct rde *r, int af, const uint8_t *addr);
/* Rate-limited log lines for the neighbor's UPDATEs (rde_debug.c); -1 when unknown. */
int rde_neighbor_debug_updates(struct rde *r, int af, const uint8_t *addr, bool on);

#endif
