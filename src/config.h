/*
 * Configuration: the JSON file (bgp64d.json(5)) parsed with jansson into a validated, immutable
 * struct cfg. Every field is checked (type, range, address, prefix, duplicates) and unknown
 * keys are refused, so typos are caught. An error names the file, the JSON path of the field
 * and what was expected, e.g.
 *     bgp64d.json: neighbors[2].remote-as: expected integer 1..4294967295, got "abc"
 * A reload parses the new file into a second struct cfg and compares; the running one is kept
 * when the new one is refused.
 */
#ifndef BGP64_CONFIG_H
#define BGP64_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/prefix.h"
#include "xlat/xlat.h"

#define CFG_ERRLEN 512

struct cfg_listen {
	int af;
	uint8_t addr[16];
	uint16_t port;
};

/*
 * A limit and what happens when a neighbor passes it (bgp64d.json(5) "Limits"):
 * warn logs and counts each crossing once; block keeps the session and ignores what is over
 * the limit; restart closes the session (Cease) and starts it again after restart_time
 * seconds, or never by itself when restart_time is 0. limit 0: no limit.
 */
enum cfg_limit_action { CFG_LIMIT_WARN, CFG_LIMIT_BLOCK, CFG_LIMIT_RESTART };
struct cfg_limit {
	uint64_t limit;
	enum cfg_limit_action action;
	uint32_t restart_time; /* s, default CFG_LIMIT_RESTART_TIME */
};
#define CFG_LIMIT_RESTART_TIME 60
#define CFG_MAX_PREFIXES_V4    2000000	    /* a full table (about 1M) with headroom */
#define CFG_MAX_PREFIXES_V6    1000000	    /* a full table (about 250k) with headroom */
#define CFG_ATTR_BYTES	       (256u << 20) /* a full table's sets are about 40 MiB */
#define CFG_ASPATH_LEN	       255
#define CFG_COMMUNITIES	       2048
struct policy;
struct policy_db;

struct cfg_family {
	bool import;
	bool export;
	struct cfg_limit max_prefixes; /* Adj-RIB-In size of the family */
	/* "import-policy" / "export-policy" (bgp64d.json(5) POLICIES): the names as written, NULL
	 * when absent, and the policies of cfg.pol they name (NULL: accept everything). */
	char *import_policy_name, *export_policy_name;
	const struct policy *import_policy, *export_policy;
};

struct cfg_neighbor {
	int af; /* transport family of address */
	uint8_t addr[16];
	uint16_t port;	/* remote port when connecting, default 179 */
	bool has_local; /* "local-address": source address to bind */
	uint8_t local[16];
	uint32_t remote_as;
	char *description; /* NULL when absent */
	bool rr_client;
	struct cfg_family fam[2]; /* [BGP_FAM_V4], [BGP_FAM_V6] */
	uint16_t hold_time;	  /* 0 or 3..65535, default 90 */
	uint16_t connect_retry;	  /* s, default 30 */
	uint16_t send_hold_time;  /* RFC 9687, s; 0: max(2 * hold time, 480) */
	bool passive;
	char *password;	   /* TCP MD5 key, NULL when none */
	bool ttl_security; /* GTSM, RFC 5082 */
	struct {	   /* TCP-AO (RFC 5925); enabled when key != NULL */
		char *key;
		char *algorithm; /* kernel crypto name, default "hmac(sha1)" */
		uint8_t send_id, recv_id;
	} tcp_ao;
	struct cfg_limit max_prefixes; /* both families together; limit 0 = none (default) */
	struct {
		struct cfg_limit attr_bytes;  /* attribute sets held for the neighbor */
		struct cfg_limit aspath_len;  /* ASes in a route's AS_PATH */
		struct cfg_limit communities; /* standard + extended + large, per route */
	} limits;
	bool graceful_restart;	  /* advertise GR (helper), default true */
	uint16_t gr_restart_time; /* advertised restart time, default 120 */
	uint16_t gr_stale_time;	  /* s a restarted peer's stale routes wait for End-of-RIB */
	uint16_t eorr_time;	  /* s routes wait for EoRR after a BoRR (RFC 7313) */
	bool has_nexthop6;	  /* "ipv6-next-hop": translator next hop for its routes */
	uint8_t nexthop6[16];
	bool has_nexthop6_ll; /* "ipv6-link-local-next-hop" */
	uint8_t nexthop6_ll[16];
	bool extended_nexthop;	  /* RFC 8950: export IPv4 with the mapped IPv6 next hop */
	bool allow_wkp_specifics; /* export WKP more-specifics to this eBGP neighbor */
	bool copy_unknown_attrs;  /* copy unknown transitive attributes into translations */
};

struct cfg_nexthop {
	struct prefix v4;
	uint8_t v6[16];
	char dev[XLAT_DEVLEN]; /* "" when none */
};

struct cfg_eam {
	struct prefix v4, v6;
};

struct cfg {
	char *path;	    /* file name used in messages */
	uint32_t router_id; /* host order */
	uint32_t local_as;
	uint32_t cluster_id; /* default router_id */
	char *log_level;     /* "error" "warning" "info" "debug"; default "info" */
	char *user;	     /* run as this user after start-up (from root); NULL = stay */
	char *source;	     /* the file as parsed, compact JSON, secrets (password, tcp-ao key)
				replaced by "(hidden)": show config */

	struct cfg_listen *listen;
	size_t n_listen;

	/* translation */
	struct prefix xlat_prefix;
	struct cfg_nexthop *nexthops;
	size_t n_nexthops;
	enum xlat_unknown_policy unknown_policy;
	struct xlat_nh unknown_default; /* when policy is DEFAULT */
	bool wkp_global_only;		/* default true */
	bool translatable_best;		/* IPv6 from the best translatable path, default true */
	struct cfg_eam *eams;
	size_t n_eams;
	uint16_t eor_wait; /* s to wait for IPv4 End-of-RIBs before the IPv6 one, default 120 */
	struct xlat *xlat; /* built from the above; owned by the cfg */
	char *xlat_policy_name;		  /* translation.policy, NULL when absent */
	const struct policy *xlat_policy; /* which IPv4 best paths are translated, and how */

	struct policy_db *pol; /* "sets" and "policies"; NULL when the file has none */

	struct cfg_neighbor *neighbors;
	size_t n_neighbors;

	/* "limits": bytes of interned attributes the daemon may hold in all; 0: half of the
	 * physical memory, decided at start (rde_limit.c) */
	uint64_t memory_budget;

	struct {
		bool enabled;
		uint32_t table;	   /* default 254 */
		uint8_t protocol;  /* default 64 ("bgp64d") */
		uint32_t metric;   /* default 20 */
		bool keep_on_exit; /* leave routes installed at exit (graceful restart) */
	} fib;

	struct {
		char *socket;	       /* default /run/bgp64d/bgp64d.sock */
		mode_t mode;	       /* default 0660 */
		char *group;	       /* NULL = unchanged */
		unsigned idle_timeout; /* seconds a client may stay idle; default 30 */
		/* A second socket that answers show commands only (monitoring); ro_socket NULL
		 * when not configured. */
		char *ro_socket;
		mode_t ro_mode; /* default 0660 */
		char *ro_group; /* NULL = unchanged */
	} control;

	struct {
		bool enabled;
		int af;
		uint8_t addr[16];
		uint16_t port;
	} metrics;
};

/* Reads and validates a file. Returns the config, or NULL with the message in err. */
struct cfg *cfg_load(const char *path, char *err, size_t errlen);
/* Same from memory; name is used in messages in place of the file name. */
struct cfg *cfg_parse(const char *json, size_t len, const char *name, char *err, size_t errlen);
void cfg_free(struct cfg *c);
/*
 * Checks against the host that parsing leaves out (the config stays a pure value): the
 * control group and the user exist. 0, or -1 with the message in err. Run by bgp64d -n, at
 * start and on reload.
 */
int cfg_check_host(const struct cfg *c, char *err, size_t errlen);
/* The neighbor with this address, or NULL. */
const struct cfg_neighbor *cfg_neighbor_find(const struct cfg *c, int af, const uint8_t *addr);
/* True when two neighbor entries differ in anything that needs a session reset. */
bool cfg_neighbor_changed(const struct cfg_neighbor *a, const struct cfg_neighbor *b);
bool cfg_limit_eq(const struct cfg_limit *a, const struct cfg_limit *b);
/* (config_policy.c) Parses "sets" and "policies" of root into c->pol and resolves the policy
 * names of the translation and the neighbors; 0, or -1 with the message in err. */
struct json_t;
int cfg_policy_parse(struct cfg *c, struct json_t *root, const char *name, char *err,
		     size_t errlen);
/* True when anything of "control" differs (applies at the next start). */
bool cfg_control_changed(const struct cfg *a, const struct cfg *b);
/* The keys that differ between two entries of one neighbor, for the log ("hold-time 9 -> 12,
 * passive"); "" when none. Returns buf. */
const char *cfg_neighbor_diff(const struct cfg_neighbor *a, const struct cfg_neighbor *b, char *buf,
			      size_t len);
/* True when the translation settings (prefix, next hops, EAMs, policies) differ. */
bool cfg_xlat_changed(const struct cfg *a, const struct cfg *b);

#endif
