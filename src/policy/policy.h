/*
 * Routing policy: named sets and ordered rules (bgp64d.json(5) "sets" and "policies").
 *
 * A struct policy_db is part of one parsed configuration and as immutable as the rest of it:
 * the config parser (src/config_policy.c) fills the sets and rules, policy_db_finish()
 * compiles them (prefix sets into radix trees, AS and community sets sorted), and from then on
 * the route engine only reads: policy_eval() says which rule decides a route, policy_apply()
 * changes an attribute template as that rule says. Counters per rule live in the route engine
 * (rde), indexed by policy_rule.id, because the config never changes at run time.
 *
 * Prefix sets: entries "P/len" with an optional length range ge..le (only len when neither is
 * given). Each entry is a radix node whose value is a bitmap of the lengths it accepts, ORed
 * with the bitmaps of every stored prefix covering it, so a membership test is one longest
 * prefix match and one bit test, whatever the size of the set.
 *
 * First match decides: rules are tried in order, the first whose every condition holds gives
 * accept or reject (and its actions); no rule matched gives the policy's default.
 */
#ifndef BGP64_POLICY_POLICY_H
#define BGP64_POLICY_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp/attr.h"
#include "lib/prefix.h"

struct radix;

/* ---- sets ---- */

struct policy_pfx_entry {
	struct prefix p;
	uint8_t ge, le; /* accepted lengths, p.len <= ge <= le <= af_bits */
};

struct policy_prefix_set {
	char *name;
	int af; /* AF_INET or AF_INET6: every entry has this family */
	struct policy_pfx_entry *e;
	size_t n;
	struct radix *t; /* built by policy_db_finish() */
	void *masks;	 /* the nodes' length bitmaps (owned) */
	/* Quick refusals before the tree: the lengths any entry accepts, and the first octets
	 * any entry covers (most routes of a table miss a bogon list here). */
	uint64_t lens[3];
	uint64_t first[4];
};

struct policy_as_set {
	char *name;
	uint32_t *as; /* sorted, unique */
	size_t n;
};

struct policy_lcomm {
	uint32_t g, l1, l2; /* RFC 8092 global administrator, local data parts */
};

/* Standard (RFC 1997), large (RFC 8092) and extended (RFC 4360) communities, each sorted. */
struct policy_comm_set {
	char *name; /* NULL for a literal list inside a rule */
	uint32_t *std;
	size_t n_std;
	struct policy_lcomm *lc;
	size_t n_lc;
	uint64_t *ext; /* the 8 octets as a big-endian number */
	size_t n_ext;
};

/* Parses one community: "A:B" (standard), "A:B:C" (large), "rt:A:B" / "soo:A:B" (extended
 * route target / route origin, RFC 4360 two- or four-octet AS specific), or a well-known name
 * ("no-export", "no-advertise", "no-export-subconfed", "blackhole", "graceful-shutdown").
 * Adds it to s (unsorted until policy_comm_set_sort). 0, or -1 when s is not a community. */
int policy_comm_parse(const char *s, struct policy_comm_set *set);
void policy_comm_set_sort(struct policy_comm_set *s);
void policy_comm_set_clear(struct policy_comm_set *s);

bool policy_pset_contains(const struct policy_prefix_set *s, const struct prefix *p);
bool policy_as_set_contains(const struct policy_as_set *s, uint32_t as);
bool policy_comm_set_has_std(const struct policy_comm_set *s, uint32_t c);
bool policy_comm_set_has_lc(const struct policy_comm_set *s, const struct policy_lcomm *c);
bool policy_comm_set_has_ext(const struct policy_comm_set *s, uint64_t c);

/* ---- rules ---- */

/* policy_match.what */
#define PM_PREFIX_SET  0x0001
#define PM_PREFIX_LEN  0x0002
#define PM_NEIGHBOR    0x0004 /* the neighbor the route was learned from, by address */
#define PM_NEIGHBOR_AS 0x0008
#define PM_ORIGIN_AS   0x0010 /* origin_as, or origin_set when set */
#define PM_PATH_AS     0x0020 /* AS_PATH contains path_as, or a member of path_set */
#define PM_PATH_LEN    0x0040
#define PM_COMM_ANY    0x0080
#define PM_COMM_ALL    0x0100
#define PM_ORIGIN      0x0200
#define PM_NEXT_HOP    0x0400 /* IPv4 next hop inside nh */

struct policy_match {
	unsigned what;
	const struct policy_prefix_set *pset;
	uint8_t len_min, len_max;
	uint8_t nbr_af;
	uint8_t nbr_addr[16];
	uint32_t nbr_as;
	uint32_t origin_as;
	const struct policy_as_set *origin_set;
	uint32_t path_as;
	const struct policy_as_set *path_set;
	uint16_t path_len_min, path_len_max;
	const struct policy_comm_set *comm_any, *comm_all;
	uint8_t origin; /* enum origin */
	struct prefix nh;
};

/* policy_action.what */
#define PA_LOCAL_PREF 0x01
#define PA_MED	      0x02
#define PA_COMM_ADD   0x04
#define PA_COMM_DEL   0x08
#define PA_COMM_SET   0x10 /* replace: standard and large communities become exactly 'set' */
#define PA_PREPEND    0x20 /* export to eBGP only */
#define PA_NEXT_HOP   0x40

struct policy_action {
	unsigned what;
	uint32_t local_pref, med;
	struct policy_comm_set add, set;       /* literal lists */
	struct policy_comm_set del;	       /* literal list, or ... */
	const struct policy_comm_set *del_set; /* ... a named set */
	uint8_t prepend;		       /* times the local AS is prepended */
	uint8_t nh_af;			       /* AF_INET or AF_INET6 */
	uint8_t nh[16];
};

struct policy_rule {
	char *name; /* "" when the config gave none; shown as the index */
	struct policy_match m;
	struct policy_action a;
	bool accept;
	uint32_t id; /* index of its counter in the db (policy_db.n_counters) */
};

struct policy {
	char *name;
	struct policy_rule *rules;
	size_t n_rules;
	bool default_accept;
	uint32_t default_id; /* counter of routes no rule matched */
	uint64_t hash;	     /* of the content (rules and the sets they use), for update groups */
};

struct policy_db {
	struct policy_prefix_set *psets;
	size_t n_psets;
	struct policy_as_set *asets;
	size_t n_asets;
	struct policy_comm_set *csets;
	size_t n_csets;
	struct policy *pols;
	size_t n_pols;
	uint32_t n_counters; /* rules and defaults of every policy */
};

/* Compiles the sets and numbers the rules; -1 on out of memory. */
int policy_db_finish(struct policy_db *db);
void policy_db_free(struct policy_db *db);
const struct policy *policy_find(const struct policy_db *db, const char *name);
const struct policy_prefix_set *policy_pset_find(const struct policy_db *db, const char *name);
const struct policy_as_set *policy_aset_find(const struct policy_db *db, const char *name);
const struct policy_comm_set *policy_cset_find(const struct policy_db *db, const char *name);

/* True when the two policies decide and act alike on every route (content, not names). */
bool policy_equal(const struct policy *a, const struct policy *b);
/* True when rule a of one policy and rule b of another act alike (NULL: the default). */
bool policy_action_equal(const struct policy_rule *a, const struct policy_rule *b);

/* ---- evaluation ---- */

/* A route as a policy sees it: prefix, attributes, and the neighbor it came from. */
struct policy_route {
	const struct prefix *p;
	const struct attrs *a;
	uint8_t nbr_af; /* 0 when unknown */
	const uint8_t *nbr_addr;
	uint32_t nbr_as;
};

bool policy_rule_matches(const struct policy_rule *r, const struct policy_route *rt);
/*
 * The rule that decides rt: its index, or -1 for the default. *accept tells the decision.
 * A NULL policy accepts everything (-1).
 */
int policy_eval(const struct policy *pol, const struct policy_route *rt, bool *accept);
/*
 * The same in two steps, for many prefixes sharing one attribute set (an UPDATE): the mask of
 * the rules (the first 64) whose conditions on attributes and neighbor hold for rt (rt->p is
 * not read), then per prefix policy_eval_mask() with it, which only tests the prefix
 * conditions of those rules. Same result as policy_eval().
 */
uint64_t policy_attr_mask(const struct policy *pol, const struct policy_route *rt);
int policy_eval_mask(const struct policy *pol, const struct policy_route *rt, uint64_t mask,
		     bool *accept);
/* The counter id of rule i of pol (-1: its default). */
uint32_t policy_counter_id(const struct policy *pol, int i);
/* The name of rule i ("" when unnamed; "default" for -1). */
const char *policy_rule_name(const struct policy *pol, int i);

/* Blobs created by policy_apply(), released with policy_tmp_release() after attr_intern(). */
struct policy_tmp {
	struct attr_blob *b[4];
	int n;
};
void policy_tmp_release(struct policy_tmp *tmp);
/*
 * Applies the actions of rule i of pol (nothing for -1) to template t. local_as and ebgp are
 * for AS_PATH prepend, which only applies when ebgp is true. A next hop is set only when its
 * family is that of the template's next hop family nh_af (AF_INET: 4 octets, AF_INET6: 16).
 */
void policy_apply(const struct policy *pol, int i, struct attrs *t, bool ebgp, uint32_t local_as,
		  int nh_af, struct policy_tmp *tmp);
/* Empties the memo of community edits (policy.c); policy_db_free() calls it. */
void policy_cache_flush(void);
/* True when rule i of pol changes anything (so a caller may skip copying attributes). */
bool policy_has_actions(const struct policy *pol, int i);

#endif
