/*
 * Internals of the RIB shared by rib.c (paths, decision, jobs) and rib_export.c (change
 * journal, readers, reaping). Not for other files.
 *
 * A node's radix user bits (RADIX_UFLAGS_BITS): bit 0 RIB_NODE_J, the node has an entry in
 * the journal's open epoch; bit 1 RIB_NODE_REAPQ, the node is on the reap list; bit 2
 * RIB_NODE_XLAT, an export announced a translation of this IPv4 node (rib_node_set_xlat,
 * sticky until the node is deleted); bits 3..22 the epoch of its last change, modulo
 * 2^RIB_SEQ_BITS.
 */
#ifndef BGP64_RDE_RIB_INT_H
#define BGP64_RDE_RIB_INT_H

#include "rde/rib.h"
#include "lib/pool.h"

#define RIB_NODE_J     0x1u
#define RIB_NODE_REAPQ 0x2u
#define RIB_NODE_XLAT  0x4u
#define RIB_SEQ_SHIFT  3
#define RIB_SEQ_BITS   (RADIX_UFLAGS_BITS - RIB_SEQ_SHIFT)
#define RIB_SEQ_MASK   ((1u << RIB_SEQ_BITS) - 1)

/* Where the entries of one closed epoch start in a journal. */
struct rib_jseg {
	uint64_t epoch, start;
};

/*
 * One family's change journal: nodes v[head .. head + len), absolute index base + i (8 bytes
 * an entry), and the epochs as segments sg[sg_head .. sg_head + sg_len), absolute segment
 * number sg_base + i.
 */
struct rib_journal {
	struct radix_node **v;
	size_t head, len, cap;
	uint64_t base; /* absolute index of v[head] */
	uint64_t open; /* absolute index where the open epoch's entries start */
	struct rib_jseg *sg;
	size_t sg_head, sg_len, sg_cap;
	uint64_t sg_base;
};

struct rib_nodevec {
	struct radix_node **v;
	size_t head, len, cap;
};

struct rib_job;
struct rib_spath;

struct rib {
	struct rib_local local;
	struct radix *tree[BGP_FAM_N];
	struct pool paths;  /* private list paths */
	struct pool spaths; /* interned lone paths */
	struct rib_spath **sp_tab;
	size_t sp_n, sp_mask, sp_refs;
	uint64_t paths_removed;
	struct rib_peer *peers;
	size_t n_peers;
	/* exports (rib_export.c) */
	uint64_t epoch; /* the open epoch: changes from now on are stamped with it */
	bool epoch_used;
	struct rib_journal jr[BGP_FAM_N];
	struct rib_reader *readers;
	struct rib_nodevec reap[BGP_FAM_N];
	/* jobs */
	struct rib_job *jobs, **jobs_tail;
	rib_best_hook hook;
	void *hook_arg;
	rib_alt_hook alt_hook;
	void *alt_arg;
};

/* rib_export.c */
void rib_x_init(struct rib *r);
void rib_x_free(struct rib *r);
/* A change of the node's best path: stamp and journal it. */
void rib_x_changed(struct rib *r, enum bgp_fam f, struct radix_node *n);
/* The node lost its last path: queue it for deletion. */
void rib_x_pathless(struct rib *r, enum bgp_fam f, struct radix_node *n);

#endif
