/*
 * The RIB: Adj-RIB-In and Loc-RIB in one radix tree per family. Each prefix is one radix node
 * whose value is its list of paths (one per peer), best path first; that list is the
 * Adj-RIB-In, the head is the Loc-RIB entry. Paths point at interned attribute sets.
 *
 * Changes of a prefix's best path mark the node dirty for every registered export (peer
 * adj-out, FIB) with one bit of the node's uflags and one entry in that export's queue; the
 * exports pull dirty nodes when they can send (DESIGN.md). A node with no path stays until
 * every export has consumed its dirty mark (it carries the withdrawal), then it is deleted.
 *
 * Work on whole peers (flush a lost peer, mark stale, sweep stale) runs as jobs in bounded
 * slices: rib_jobs_run() does at most 'budget' nodes and says whether more remains, so the
 * caller can give the event loop back (DESIGN.md "one loop with bounded slices").
 *
 * No I/O, no timers: the pipeline (rde.c) drives it.
 */
#ifndef BGP64_BGP_RIB_H
#define BGP64_BGP_RIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp/attr.h"
#include "bgp/msg.h"
#include "lib/prefix.h"
#include "lib/radix.h"

#define RIB_MAX_EXPORTS 15 /* uflags bits 0..14; bit 15 is the RIB's own */

#define RIB_PATH_STALE	0x01 /* kept across a graceful restart, awaiting refresh */
#define RIB_PATH_SHARED 0x02 /* an interned lone path (see below); never has a next */

/*
 * A prefix's paths. The usual prefix has one path, and a full table from one peer has about
 * one (attribute set, peer) pair per 8 prefixes: a lone path is therefore an interned,
 * immutable, shared object (RIB_PATH_SHARED, next always NULL); the RIB replaces the pointer
 * instead of changing it. A prefix with several paths has a private list. Readers see the
 * same struct either way and must not modify it.
 */
struct rib_path {
	struct rib_path *next;
	struct attrs *attrs; /* a reference owned by the path */
	uint16_t peer;	     /* peer id */
	uint8_t flags;
	uint8_t epoch;	 /* the peer's epoch when the path was last (re)announced */
	uint32_t refcnt; /* prefixes sharing it (RIB_PATH_SHARED) */
};

/* What the decision process needs to know about a peer (set when it comes up). */
struct rib_peer {
	bool known;
	bool ibgp;
	bool rr_client;
	uint32_t bgp_id; /* host order */
	uint32_t as;
	uint8_t af; /* transport address, for the last tie-break */
	uint8_t addr[16];
	uint64_t paths[BGP_FAM_N]; /* paths held (Adj-RIB-In size) */
	uint8_t epoch;		   /* bumped when its routes become stale (GR, BoRR) */
	uint64_t stale[BGP_FAM_N];
};

struct rib_local {
	uint32_t router_id;
	uint32_t as;
	uint32_t cluster_id;
};

struct rib;

struct rib *rib_new(const struct rib_local *local);
void rib_free(struct rib *r);
struct radix *rib_tree(struct rib *r, enum bgp_fam f);

/* Peers: the table is indexed by the session's peer id. */
void rib_peer_set(struct rib *r, uint16_t id, const struct rib_peer *info);
const struct rib_peer *rib_peer_get(const struct rib *r, uint16_t id);

/*
 * Called on every change of a prefix's best path, after the decision: the old best path's
 * peer and attributes (attrs NULL when there was none; valid during the call) and the new
 * best (NULL when none is left). The engine uses it for derived accounting.
 */
typedef void (*rib_best_hook)(void *arg, enum bgp_fam f, const struct radix_node *n,
			      uint16_t old_peer, const struct attrs *old,
			      const struct rib_path *new_best);
void rib_set_best_hook(struct rib *r, rib_best_hook fn, void *arg);

/* Exports: an id 0..RIB_MAX_EXPORTS-1, or -1 when all are taken. */
int rib_export_add(struct rib *r);
/* Drops the export's queues and marks. */
void rib_export_del(struct rib *r, int exp);

/*
 * Sets the path of (prefix, peer) to attrs, taking over the caller's reference. Returns true
 * when the prefix's best path changed (its exports were marked).
 */
bool rib_update(struct rib *r, enum bgp_fam f, const struct prefix *p, uint16_t peer,
		struct attrs *attrs);
/* Removes the path of (prefix, peer), if any. True when the best path changed. */
bool rib_withdraw(struct rib *r, enum bgp_fam f, const struct prefix *p, uint16_t peer);

/* The best path of a node (NULL when the node holds no path), and its list. */
static inline struct rib_path *
rib_best(const struct radix_node *n)
{
	return (struct rib_path *)radix_value(n);
}

/*
 * Takes the next dirty node of an export's queue for a family, clearing its mark; NULL when
 * the queue is empty. The node stays valid until the next RIB call (a node left without paths
 * and marks is deleted lazily by later calls, never under the caller's feet inside one pop).
 */
struct radix_node *rib_dirty_pop(struct rib *r, int exp, enum bgp_fam f);
/* Marks one node dirty for every export (its exports must be recomputed). */
void rib_mark(struct rib *r, enum bgp_fam f, struct radix_node *n);
size_t rib_dirty_count(const struct rib *r, int exp, enum bgp_fam f);

/*
 * Peer-wide jobs, run in slices by rib_jobs_run(). fams is a BGP_FAM_BIT set.
 * Marking stale takes effect at once for what follows: the peer's epoch is bumped, the job
 * then marks only paths announced before the bump, so routes the peer re-sends while the job
 * is still walking the table stay fresh.
 */
void rib_peer_flush(struct rib *r, uint16_t peer, uint8_t fams);       /* remove all */
void rib_peer_mark_stale(struct rib *r, uint16_t peer, uint8_t fams);  /* GR begins */
void rib_peer_sweep_stale(struct rib *r, uint16_t peer, uint8_t fams); /* EoR / timer */
/* Runs queued jobs over at most budget nodes; true when jobs remain. */
bool rib_jobs_run(struct rib *r, size_t budget);
bool rib_jobs_pending(const struct rib *r);

/* Decision process (rib_decide.c): < 0 when a is better than b, > 0 when b is better. */
int rib_path_cmp(const struct rib *r, const struct rib_path *a, const struct rib_path *b);
/* Reorders a node's list so the best path is first (deterministic MED). */
void rib_decide(const struct rib *r, struct radix_node *n);

struct rib_stats {
	size_t prefixes[BGP_FAM_N];
	size_t paths;
	size_t path_bytes, tree_bytes;
};
void rib_stats(const struct rib *r, struct rib_stats *s);

#endif
