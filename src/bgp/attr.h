/*
 * Path attributes and their interning.
 *
 * A route's attributes are one 'struct attrs': fixed fields inline, variable ones (AS_PATH,
 * communities, cluster list, unknown transitive attributes) as interned blobs. Both attrs and
 * blobs are hashed, reference counted and immutable once interned: a full table has about one
 * attribute set per eight prefixes, and paths only hold a pointer (DESIGN.md "Intern
 * attributes"). To change a set (export rules, next hop rewrite), fill a struct attrs from it,
 * change the copy and intern that.
 *
 * Ownership: attr_intern() returns a reference the caller owns and gives back with
 * attr_unref(). Blobs are owned by the attrs that point at them.
 * Out of memory: the daemon aborts (lib policy; see bgp64d(8)), so interning never fails; what
 * a neighbor may make the daemon intern is bounded before interning (attr_intern_cost, the
 * memory budget and per-neighbor limits of the route engine), so that a neighbor costs its
 * session, not the daemon.
 */
#ifndef BGP64_BGP_ATTR_H
#define BGP64_BGP_ATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum attr_type {
	ATTR_ORIGIN = 1,
	ATTR_AS_PATH = 2,
	ATTR_NEXT_HOP = 3,
	ATTR_MED = 4,
	ATTR_LOCAL_PREF = 5,
	ATTR_ATOMIC_AGGREGATE = 6,
	ATTR_AGGREGATOR = 7,
	ATTR_COMMUNITIES = 8,
	ATTR_ORIGINATOR_ID = 9,
	ATTR_CLUSTER_LIST = 10,
	ATTR_MP_REACH = 14,
	ATTR_MP_UNREACH = 15,
	ATTR_EXT_COMMUNITIES = 16,
	ATTR_AS4_PATH = 17,
	ATTR_AS4_AGGREGATOR = 18,
	ATTR_LARGE_COMMUNITIES = 32,
	ATTR_OTC = 35,
};

#define ATTR_FLAG_OPTIONAL   0x80
#define ATTR_FLAG_TRANSITIVE 0x40
#define ATTR_FLAG_PARTIAL    0x20
#define ATTR_FLAG_EXTLEN     0x10

enum as_seg_type { AS_SET = 1, AS_SEQUENCE = 2, AS_CONFED_SEQUENCE = 3, AS_CONFED_SET = 4 };
enum origin { ORIGIN_IGP = 0, ORIGIN_EGP = 1, ORIGIN_INCOMPLETE = 2 };

/*
 * len is 32 bits: an AS_PATH widened from a 2-octet session (RFC 6793) can exceed 65535
 * octets; such a blob is kept but cannot be encoded (the encoder reports it does not fit).
 */
struct attr_blob {
	uint32_t refcnt; /* 0: a temporary (attr_blob_tmp), not interned */
	uint32_t hash;
	struct attr_blob *next; /* intern chain */
	uint32_t len;
	uint8_t kind; /* enum attr_type of the content, or ATTR_BLOB_UNKNOWN */
	uint8_t data[];
};
/* Kind of the blob holding unknown optional transitive attributes (type code 0 is reserved). */
#define ATTR_BLOB_UNKNOWN 0

/* struct attrs.flags: which optional fields are present */
#define ATTRS_MED	 0x01
#define ATTRS_LOCAL_PREF 0x02
#define ATTRS_ATOMIC_AGG 0x04
#define ATTRS_AGGREGATOR 0x08
#define ATTRS_ORIGINATOR 0x10
#define ATTRS_OTC	 0x20

struct attrs {
	uint32_t refcnt; /* 0 in a template that is not interned */
	uint32_t hash;
	struct attrs *next; /* intern chain */
	uint8_t flags;
	uint8_t origin;
	uint8_t nh_len; /* 0, 4 (IPv4), 16 or 32 (IPv6 global [+ link-local]) */
	uint8_t wkc;	/* ATTRS_WKC_* of the communities; set when interned, not compared */
	uint32_t med, local_pref, originator_id, agg_as, agg_id, otc;
	uint8_t nh[32];
	/* Accounting, not compared: the peer id whose UPDATE created the set (0: none) and the
	 * bytes it added then, in ATTR_COST_UNIT units (attr_intern_owned). */
	uint16_t owner;
	uint16_t cost;
	/*
	 * Blobs; NULL when absent. aspath holds segments with 4-octet ASes whatever the
	 * session's encoding (AS4_PATH already merged). unknown holds the unknown optional
	 * transitive attributes as received (flags|PARTIAL, type, length, value), ascending type.
	 */
	struct attr_blob *aspath, *comms, *lcomms, *ecomms, *clusters, *unknown;
};

/* ---- interning (attr.c) ---- */

/*
 * Interns a blob of the given kind; returns a new reference. In a template, blobs may be
 * raw (refcnt 0, e.g. made with attr_blob_tmp) or interned.
 */
struct attr_blob *attr_blob_intern(uint8_t kind, const uint8_t *data, size_t len);
struct attr_blob *attr_blob_ref(struct attr_blob *b);
void attr_blob_unref(struct attr_blob *b);
/*
 * Builds a temporary blob (refcnt 0) in caller memory mem of memlen bytes (any alignment; the
 * blob is placed at the first suitably aligned address): for templates that are interned
 * right after (update parsing uses the parser's scratch area). NULL when it does not fit.
 */
struct attr_blob *attr_blob_tmp(void *mem, size_t memlen, uint8_t kind, const uint8_t *data,
				size_t len);
/* Bytes attr_blob_tmp() needs at most for len octets of data. */
#define ATTR_BLOB_TMP_SIZE(len) (sizeof(struct attr_blob) + (len) + _Alignof(struct attr_blob))
/*
 * Interns an attribute set. t is a template: its blob pointers may be interned blobs or
 * temporary ones (refcnt 0), which are interned here. Returns a new reference.
 */
struct attrs *attr_intern(const struct attrs *t);
/*
 * A set like attr_intern()'s (its blobs interned, a reference returned, freed by attr_unref())
 * but not entered in the intern table: for sets that one owner derives and keeps, such as an
 * update group's exported attributes (adjout.c caches one per source set), where a lookup
 * would only cost its cache misses. Two private sets are never the same pointer.
 */
struct attrs *attr_private(const struct attrs *t);
/*
 * The same, and when the set is new, the bytes it adds (the set and its new blobs) are
 * charged to owner (a peer id, not 0) until the set is freed: attr_owner_bytes(). Memory a
 * neighbor makes the daemon hold can thus be bounded (bgp64d.json(5) "Limits").
 */
struct attrs *attr_intern_owned(const struct attrs *t, uint16_t owner);
/*
 * attr_intern_owned(), but a new set is created only when admit(cost, arg) agrees, cost
 * being the bytes it would add (as attr_intern_cost, found in the same lookup); NULL when it
 * does not.
 */
struct attrs *attr_intern_if(const struct attrs *t, uint16_t owner,
			     bool (*admit)(size_t cost, void *arg), void *arg);
/* Bytes attr_intern(t) would add now: 0 when an equal set is interned. */
size_t attr_intern_cost(const struct attrs *t);
/* Bytes of the live sets charged to owner (a multiple of ATTR_COST_UNIT). */
size_t attr_owner_bytes(uint16_t owner);
#define ATTR_COST_UNIT 16
struct attrs *attr_ref(struct attrs *a);
void attr_unref(struct attrs *a);
/* Fills t with a copy of a (blob pointers shared) for modification and re-interning. */
void attr_copy(struct attrs *t, const struct attrs *a);

/* Counts for show/metrics: live sets, live blobs, and their bytes. */
struct attr_stats {
	size_t sets, blobs, bytes;
};
void attr_stats(struct attr_stats *s);
/* Returns the empty slab kept for reuse by the pool of sets (when quiet, see rde.c). */
void attr_trim(void);

/* ---- helpers for the decision process and exports (attr.c) ---- */

/* Every AS number in an AS_PATH blob (any segment type, interned or temporary). */
unsigned attr_aspath_count(const struct attr_blob *path);
/* Communities of a set or template: standard, extended and large together. */
unsigned attr_community_count(const struct attrs *a);
/* AS path length for best path (SEQUENCE: each AS, SET: 1, confed: 0). */
unsigned attr_aspath_len(const struct attrs *a);
/* The neighbouring AS (first AS of the first SEQUENCE), 0 when the path is empty. */
uint32_t attr_aspath_first(const struct attrs *a);
bool attr_aspath_contains(const struct attrs *a, uint32_t as);
/* Blob with 'as' prepended (bgp-wire.md section 7); returns a new reference. */
struct attr_blob *attr_aspath_prepend(const struct attr_blob *path, uint32_t as);
bool attr_clusters_contain(const struct attrs *a, uint32_t id);
/* Blob with id prepended to the cluster list (created when absent); a new reference. */
struct attr_blob *attr_clusters_prepend(const struct attr_blob *cl, uint32_t id);
bool attr_has_community(const struct attrs *a, uint32_t c);
/* Well-known communities of an interned set (RFC 1997), found once when it was interned. */
#define ATTRS_WKC_NO_EXPORT	      0x01 /* 0xFFFFFF01 */
#define ATTRS_WKC_NO_ADVERTISE	      0x02 /* 0xFFFFFF02 */
#define ATTRS_WKC_NO_EXPORT_SUBCONFED 0x04 /* 0xFFFFFF03 */
unsigned attr_cluster_len(const struct attrs *a);

#endif
