/*
 * Path-compressed binary trie (PATRICIA) over IPv4 or IPv6 prefixes: the one prefix store of
 * bgp64d (Loc-RIB, next-hop table, explicit mappings, kernel view).
 *
 * A tree holds one family; keys are prefixes (bytes in network order + length). Each stored
 * prefix is one node carrying a caller pointer ('value') and 23 bits of caller flags
 * ('uflags', used by the RIB for its change sequence so that tracking changes costs no memory).
 * Glue nodes (branch points that are not prefixes) are allocated by the tree and invisible to
 * users.
 *
 * Node handles stay valid until that prefix is deleted. Ordered iteration is by address bytes,
 * then length (a covering prefix comes before the prefixes it covers), the same order as
 * prefix_cmp(). A resumable cursor is simply the last prefix visited: radix_next_after() finds
 * the successor of any prefix, present or not, so long walks can give the event loop back and
 * resume after the tree changed.
 *
 * Memory: see RADIX_NODE_SIZE_V4 / _V6 (the key is stored inline, 4 or 16 bytes).
 */
#ifndef BGP64_RADIX_H
#define BGP64_RADIX_H

#include <stddef.h>
#include <stdint.h>

#include "lib/prefix.h"

struct radix;
struct radix_node;

/*
 * Bytes per stored prefix on LP64 (checked at build time in radix.c): its value, then a node
 * of two 32-bit child indices, length, flags and uflags and the key. A glue node has no value
 * (16 bytes for IPv4, 32 for IPv6). A tree of n prefixes holds at most n - 1 glue nodes
 * besides, so an IPv4 prefix costs 24 to 40 bytes (a full table: about 29). Nodes come from
 * per-tree slabs that never move; a deleted node is reused, a slab whose nodes are all deleted
 * is returned to malloc (one is kept), and all slabs are returned when the tree becomes empty.
 */
#define RADIX_NODE_SIZE_V4 24
#define RADIX_NODE_SIZE_V6 40

/*
 * An IPv4 tree that reaches 4096 prefixes (a full table, not a small mapping table) is level
 * compressed at the root: an array of 2^20 buckets, one per value of the first 20 key bits,
 * each a small tree of the prefixes of length 20 or more, beside the tree of the shorter
 * ones. It costs RADIX_BUCKETS_BYTES (a 32-bit node index per bucket, bitmaps of the
 * non-empty buckets and of the slots with shorter prefixes) from then until the tree becomes
 * empty, and brings a lookup in a full IPv4 table from about 25 nodes to one or two. IPv6
 * trees keep the plain form (their routes share the first bits). Nothing of the contract
 * below changes (node handles, order, results).
 */
#define RADIX_BUCKETS_BYTES (4194304 + 2 * (131072 + 2048))

struct radix *radix_new(int af); /* AF_INET or AF_INET6; NULL on out of memory */
/* Frees the tree; calls fn(value, arg) for each stored prefix first when fn is not NULL. */
void radix_free(struct radix *t, void (*fn)(void *value, void *arg), void *arg);

size_t radix_count(const struct radix *t); /* stored prefixes */
/* Bytes allocated for the tree: nodes, glue included, and the bucket array when there is one. */
size_t radix_mem_bytes(const struct radix *t);
/*
 * A quiet moment after the tree shrank: glue nodes left alone in their slabs move to lower
 * slabs, and the empty slab kept for reuse is returned.
 */
void radix_trim(struct radix *t);

/*
 * Finds the node of (key, plen), creating it (value NULL, uflags 0) when absent. Bits of key
 * past plen are ignored. NULL only on out of memory.
 *
 * In all calls taking (key, plen), key points to af_bytes() bytes and bits past plen are
 * ignored; a plen beyond the family's bits finds nothing (NULL, or 0 from radix_walk_sub()).
 */
struct radix_node *radix_get(struct radix *t, const uint8_t *key, unsigned plen);
/*
 * Memory-level parallelism for batches of lookups or inserts: stage 0 prefetches the bucket
 * slot of (key, plen), stage 1 (once that is in) the bucket's root node, stage k the node k - 1
 * levels below it on the path to (key, plen) (reading the nodes stage k - 1 brought in). A
 * no-op for trees without the bucket array. Purely a hint.
 */
void radix_prefetch(const struct radix *t, const uint8_t *key, unsigned plen, int stage);
/* Exact match; NULL when absent. */
struct radix_node *radix_find(const struct radix *t, const uint8_t *key, unsigned plen);
/* Longest stored prefix covering (key, plen) (plen = 32 / 128 for an address); NULL if none. */
struct radix_node *radix_lpm(const struct radix *t, const uint8_t *key, unsigned plen);
/* Removes the node (handle invalid afterwards); returns its value. */
void *radix_delete(struct radix *t, struct radix_node *n);

void *radix_value(const struct radix_node *n);
void radix_set_value(struct radix_node *n, void *value);
/* RADIX_UFLAGS_BITS bits of caller flags per node, 0 when the prefix is created. */
#define RADIX_UFLAGS_BITS 23
uint32_t radix_uflags(const struct radix_node *n);
void radix_set_uflags(struct radix_node *n, uint32_t f);
/* The node's prefix (af, len, bytes, masked). */
void radix_prefix(const struct radix *t, const struct radix_node *n, struct prefix *out);
unsigned radix_plen(const struct radix_node *n);
const uint8_t *radix_key(const struct radix_node *n); /* 4 or 16 bytes */

/* In-order iteration over stored prefixes. */
struct radix_node *radix_first(const struct radix *t);
struct radix_node *radix_next(const struct radix *t, const struct radix_node *n);
/* First stored prefix strictly after (key, plen) in iteration order, present or not. */
struct radix_node *radix_next_after(const struct radix *t, const uint8_t *key, unsigned plen);

/*
 * Visits the stored prefixes covered by (key, plen), (key, plen) itself included, in order.
 * fn returns 0 to go on, non-zero to stop (that value is returned). fn must not change the
 * tree; collect first if it must.
 */
int radix_walk_sub(const struct radix *t, const uint8_t *key, unsigned plen,
		   int (*fn)(struct radix_node *n, void *arg), void *arg);
/* Same over the whole tree. */
int radix_walk(const struct radix *t, int (*fn)(struct radix_node *n, void *arg), void *arg);

#endif
