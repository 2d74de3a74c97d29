/*
 * The RIB: Adj-RIB-In and Loc-RIB in one radix tree per family. Each prefix is one radix node
 * whose value is its list of paths (one per peer), best path first; that list is the
 * Adj-RIB-In, the head is the Loc-RIB entry. Paths point at interned attribute sets.
 *
 * Exports (update groups, the FIB) read changes through a reader (rib_export.c): every change
 * of a prefix's best path stamps its node with the current epoch and appends the node, once
 * per epoch, to the family's change journal. A reader is a position in that journal plus, when
 * it needs more than the changes (a new peer, a route refresh, a reader that fell too far
 * behind), a resumable walk over the tree; walk and journal are read together so that each
 * prefix is exported once in its current state. Any number of readers share one journal; it is
 * trimmed behind the slowest attached reader and never grows past a bound: a reader further
 * behind is detached and catches up by a walk over the prefixes changed since its last epoch.
 * A node with no path stays until every reader has seen that change (it carries the
 * withdrawal), then rib_maintain() deletes it in slices.
 *
 * Work on whole peers (flush a lost peer, mark stale, sweep stale) runs as jobs in bounded
 * slices: rib_jobs_run() does at most 'budget' nodes and says whether more remains, so the
 * caller can give the event loop back (DESIGN.md "one loop with bounded slices"). A flush is
 * fenced by the peer's epoch: it removes only paths announced before it was queued, so a
 * session that comes back while the flush still walks keeps what it re-sends.
 *
 * No I/O, no timers: the pipeline (rde.c) drives it.
 */
#ifndef BGP64_RDE_RIB_H
#define BGP64_RDE_RIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp/attr.h"
#include "bgp/msg.h"
#include "lib/prefix.h"
#include "lib/radix.h"

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
	uint8_t epoch; /* bumped when its routes become stale (GR, BoRR) or are flushed */
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
/*
 * Called when a path of a prefix other than its best was added, changed or removed while the
 * best path stayed: nothing was marked for the exports. The engine marks the node (rib_mark)
 * when something it derives from the other paths depends on it (rde_xlat.c).
 */
typedef void (*rib_alt_hook)(void *arg, enum bgp_fam f, struct radix_node *n);
void rib_set_alt_hook(struct rib *r, rib_alt_hook fn, void *arg);

/*
 * Sets the path of (prefix, peer) to attrs, taking over the caller's reference. Returns true
 * when the prefix's best path changed (its exports were marked).
 */
bool rib_update(struct rib *r, enum bgp_fam f, const struct prefix *p, uint16_t peer,
		struct attrs *attrs);
/* True when the peer has a path for the prefix. */
bool rib_has_path(const struct rib *r, enum bgp_fam f, const struct prefix *p, uint16_t peer);
/* Removes the path of (prefix, peer), if any. True when the best path changed. */
bool rib_withdraw(struct rib *r, enum bgp_fam f, const struct prefix *p, uint16_t peer);

/* The best path of a node (NULL when the node holds no path), and its list. */
static inline struct rib_path *
rib_best(const struct radix_node *n)
{
	return (struct rib_path *)radix_value(n);
}

/* ---- exports (rib_export.c) ---- */

struct rib_reader;

/*
 * A reader of families fams (BGP_FAM_BIT set) that first walks the whole table (every prefix
 * with a path), then follows the changes. Owned by the caller, freed with rib_reader_free().
 */
struct rib_reader *rib_reader_new(struct rib *r, uint8_t fams);
/* A reader in exactly the state of src (an update group member split out of its group). */
struct rib_reader *rib_reader_clone(struct rib *r, const struct rib_reader *src);
void rib_reader_free(struct rib *r, struct rib_reader *rd);
/* Walks the table of the families again (route refresh), still following the changes. */
void rib_reader_refeed(struct rib *r, struct rib_reader *rd, uint8_t fams);
/*
 * The next node of family f to export in its current state (rib_best() NULL: withdraw it), or
 * NULL when there is none now or *budget (nodes looked at) ran out. The node stays valid until
 * rib_maintain() runs.
 */
struct radix_node *rib_reader_next(struct rib *r, struct rib_reader *rd, enum bgp_fam f,
				   size_t *budget);
/*
 * True when the node rib_reader_next() last returned for family f came from a walk and the
 * reader's peers already hold its present export (a new reader's first walk: nothing; a
 * refresh walk: a node unchanged since it began). An export that leaves such a node out
 * toward one peer then owes that peer no withdrawal.
 */
bool rib_reader_last_current(const struct rib_reader *rd, enum bgp_fam f);
/* True while the reader's walk of family f is not over (its initial table is incomplete). */
bool rib_reader_walking(const struct rib_reader *rd, enum bgp_fam f);
/* True when the reader has something left to read. */
bool rib_reader_pending(const struct rib *r, const struct rib_reader *rd);
/* True when neither walks and both have read the same changes: their peers hold the same. */
bool rib_reader_same(const struct rib *r, const struct rib_reader *a, const struct rib_reader *b);
/*
 * An IPv4 node whose translation some export announced (set by adjout.c when it announces, kept
 * until the node is deleted): a translated prefix of a node without it was never sent to
 * anyone, so no withdrawal of it is needed.
 */
void rib_node_set_xlat(struct radix_node *n);
bool rib_node_xlat(const struct radix_node *n);
/* Marks one node changed: every reader exports it again (reload). */
void rib_mark(struct rib *r, enum bgp_fam f, struct radix_node *n);
/*
 * Marks a prefix changed, creating a node without paths when there is none: every reader
 * exports what the prefix now is, a withdrawal when nothing (a translation that no longer
 * exists after a reload). Such a node is deleted like a withdrawn one. One node, not one entry
 * per export, whatever the number of update groups.
 */
void rib_touch(struct rib *r, enum bgp_fam f, const struct prefix *p);
/*
 * Between rounds of reading: closes the epoch, detaches readers too far behind, trims the
 * journal and deletes at most budget nodes left without paths that every reader has seen.
 * True when more nodes could be deleted now.
 */
bool rib_maintain(struct rib *r, size_t budget);

struct rib_export_stats {
	uint64_t epoch;
	size_t journal[BGP_FAM_N]; /* entries held */
	size_t journal_segments[BGP_FAM_N];
	size_t readers, detached; /* detached: catching up by a walk */
	size_t reap_pending;	  /* nodes without paths awaiting deletion */
};
void rib_export_stats(const struct rib *r, struct rib_export_stats *s);

/*
 * Peer-wide jobs, run in slices by rib_jobs_run(). fams is a BGP_FAM_BIT set.
 * Flushing and marking stale take effect at once for what follows: the peer's epoch is bumped,
 * the job then removes or marks only paths announced before the bump, so routes the peer
 * re-sends while the job is still walking the table stay (and stay fresh).
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
/*
 * The decision process over the paths of the list from head for which ok(path, arg) holds,
 * the others left out as if their next hop were unresolvable (RFC 4271 9.1.2.1): the best of
 * them, NULL when none. Reads the list, changes nothing; a predicate must not either.
 */
typedef bool (*rib_path_pred)(const struct rib_path *p, void *arg);
const struct rib_path *rib_best_among(const struct rib *r, const struct rib_path *head,
				      rib_path_pred ok, void *arg);

struct rib_stats {
	size_t prefixes[BGP_FAM_N];
	size_t paths;
	size_t path_bytes, tree_bytes;
	uint64_t paths_removed; /* since the RIB was made: withdrawals and flushes */
};
void rib_stats(const struct rib *r, struct rib_stats *s);
/* Returns the empty slabs kept for reuse by the tree and path pools (when quiet, see rde.c). */
void rib_trim(struct rib *r);

#endif
