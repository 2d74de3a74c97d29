/*
 * The control module: the daemon side of the bgp64ctl(8) protocol, and the pure pieces the
 * client shares with it.
 *
 * Protocol: newline-delimited JSON over a unix stream socket. A request is one line holding a
 * JSON object ({"command":"show rib","family":"ipv4",...}); the answer is one compact JSON
 * document followed by a newline, or {"error":"..."} and a newline. The connection then waits
 * for the next request, so a client may send several.
 *
 * The daemon never builds a table as one JSON tree or one string: the writer below appends
 * JSON text to the connection's output buffer, and show rib runs in slices that resume from
 * the last prefix written when the socket has drained (ctl_server.c, ctl_rib.c). Text columns
 * are the client's business (STYLE.md 7).
 *
 * Pure parts, fuzzed and unit tested without a daemon: ctl_request_parse() (ctl_request.c),
 * the JSON writer and string escaping (ctl_json.c), attribute rendering (ctl_attr.c) and the
 * array element splitter the client uses to render a stream (ctl_split.c).
 */
#ifndef BGP64_CLI_CTL_H
#define BGP64_CLI_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/prefix.h"
#include "xlat/xlat.h"

struct event_base;
struct evbuffer;
struct rde;
struct attrs;

#define CTL_LINE_MAX  4096 /* longest request line */
#define CTL_MSG_MAX   256  /* shutdown communication, NUL included (RFC 9003: 255 octets) */
#define CTL_ERRLEN    256
#define CTL_SOCK_PATH BGP64_RUNSTATEDIR "/bgp64d/bgp64d.sock"

/* ---- requests (ctl_request.c) ---- */

enum ctl_cmd {
	CTL_SHOW_SUMMARY,
	CTL_SHOW_NEIGHBORS,
	CTL_SHOW_RIB,
	CTL_SHOW_NEXTHOPS,
	CTL_SHOW_FIB,
	CTL_SHOW_TRANSLATION,
	CTL_RELOAD,
	CTL_NEIGHBOR,
	CTL_SHOW_CONFIG,  /* the running configuration */
	CTL_SHOW_RIB_OUT, /* what one neighbor is sent */
	CTL_LOG_LEVEL,	  /* the daemon's log level */
	CTL_LOG_UPDATES,  /* UPDATE debugging of one neighbor */
};

/* How a show rib prefix selects routes. */
enum ctl_match {
	CTL_MATCH_LONGEST, /* the longest route covering the prefix (the default, like bgpctl) */
	CTL_MATCH_EXACT,   /* exactly that prefix */
	CTL_MATCH_LONGER,  /* the prefix and all its more-specifics */
};

enum ctl_action {
	CTL_ACT_RESET,
	CTL_ACT_SHUTDOWN,
	CTL_ACT_START,
	CTL_ACT_REFRESH,
};

struct ctl_request {
	enum ctl_cmd cmd;
	int af;		     /* show rib: AF_INET, AF_INET6, or 0 for both */
	bool has_prefix;     /* show rib "prefix", show translation "address"/"prefix" */
	bool prefix_is_addr; /* given without a length */
	struct prefix prefix;
	enum ctl_match match;
	bool filtered;	   /* show rib "view": "filtered": routes rejected on import */
	bool has_neighbor; /* show rib / show neighbors "neighbor", neighbor "address" */
	int nbr_af;
	uint8_t nbr[16];
	enum ctl_action action;	   /* neighbor */
	char message[CTL_MSG_MAX]; /* neighbor reset/shutdown; "" when none */
	int level;		   /* log level: enum log_level */
	bool on;		   /* log updates: "state" "on" or "off" */
};

/*
 * Parses one request line (without its newline; it need not be NUL-terminated). Every key is
 * checked against the command's allowed keys and unknown ones are refused. Returns 0, or -1
 * with a one-line reason in err. Pure: no I/O, no globals (fuzz target).
 */
int ctl_request_parse(const char *line, size_t len, struct ctl_request *req, char *err,
		      size_t errlen);
const char *ctl_cmd_name(enum ctl_cmd c);
/* Commands that only read (allowed on the read-only socket). */
bool ctl_cmd_is_show(enum ctl_cmd c);
const char *ctl_match_name(enum ctl_match m);
const char *ctl_action_name(enum ctl_action a);

/* ---- the server (ctl_server.c) ---- */

struct ctl;

/* A control socket's settings. */
struct ctl_sock_cfg {
	const char *path;
	mode_t mode;
	const char *group;     /* NULL: unchanged */
	bool read_only;	       /* show commands only */
	unsigned idle_seconds; /* an idle client is dropped after this */
};

/*
 * Limits that keep one local user from locking others out: at most CTL_MAX_CONNS clients, the
 * last CTL_ROOT_RESERVED of them for root only, and at most CTL_MAX_PER_UID from one uid
 * (root excepted). A client over a limit is closed at once, with a log line rate-limited to
 * one a second.
 */
#define CTL_MAX_CONNS	  64
#define CTL_ROOT_RESERVED 4
#define CTL_MAX_PER_UID	  8

/*
 * Creates the control socket at s->path (a stale socket left by a dead daemon is removed; a
 * live one, or a file that is not a socket, is an error), sets its mode and group and serves
 * it on base. reload(arg, err, errlen) runs the "reload" command: 0, or -1 with a reason; it
 * must not free the ctl. A read-only socket answers show commands only. Returns NULL with the
 * reason logged.
 */
struct ctl *ctl_new(struct event_base *base, struct rde *rde, const struct ctl_sock_cfg *s,
		    int (*reload)(void *arg, char *err, size_t errlen), void *arg);
/* Closes every connection and the socket, and removes the socket file. NULL is a no-op. */
void ctl_free(struct ctl *c);
/* Open client connections (for tests and metrics). */
size_t ctl_conn_count(const struct ctl *c);

/* ---- Prometheus metrics over HTTP (ctl_metrics.c) ---- */

struct ctl_metrics;
/* Serves GET /metrics on addr:port. NULL (logged) when the address cannot be bound. */
struct ctl_metrics *ctl_metrics_new(struct event_base *base, struct rde *rde, int af,
				    const uint8_t *addr, uint16_t port);
void ctl_metrics_free(struct ctl_metrics *m);

/* ---- streaming JSON writer (ctl_json.c) ---- */

#define CTL_JW_DEPTH 16
#define CTL_JW_STAGE 8192

/*
 * Appends compact JSON text to an evbuffer as it is produced; nothing is kept but the nesting
 * state (which container is open and whether it holds an element yet) and a small staging
 * buffer that saves an evbuffer call per token, so a document can be written in many slices.
 * Staged text reaches the evbuffer when the stage fills, at ctl_jw_flush() and at
 * ctl_jw_end(): call ctl_jw_flush() at the end of a slice.
 *
 * key is the member name inside an object and must be NULL inside an array or at the top. A
 * nesting error (closing what is not open, too deep) or a failed append sets err; later calls
 * do nothing, and the caller drops the connection.
 */
struct ctl_jw {
	struct evbuffer *out;
	unsigned depth;
	bool err;
	bool first[CTL_JW_DEPTH]; /* container at this depth has no element yet */
	char kind[CTL_JW_DEPTH];  /* '{' or '[' */
	size_t staged;
	char stage[CTL_JW_STAGE];
};

void ctl_jw_init(struct ctl_jw *w, struct evbuffer *out);
void ctl_jw_obj_open(struct ctl_jw *w, const char *key);
void ctl_jw_obj_close(struct ctl_jw *w);
void ctl_jw_arr_open(struct ctl_jw *w, const char *key);
void ctl_jw_arr_close(struct ctl_jw *w);
/* A string (escaped, invalid UTF-8 replaced by U+FFFD); NULL writes null. */
void ctl_jw_str(struct ctl_jw *w, const char *key, const char *s);
void ctl_jw_strn(struct ctl_jw *w, const char *key, const char *s, size_t len);
void ctl_jw_strf(struct ctl_jw *w, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ctl_jw_u64(struct ctl_jw *w, const char *key, uint64_t v);
void ctl_jw_i64(struct ctl_jw *w, const char *key, int64_t v);
void ctl_jw_bool(struct ctl_jw *w, const char *key, bool v);
void ctl_jw_null(struct ctl_jw *w, const char *key);
/* Addresses and prefixes as strings (RFC 5952 for IPv6). */
void ctl_jw_addr(struct ctl_jw *w, const char *key, int af, const uint8_t *a);
void ctl_jw_prefix(struct ctl_jw *w, const char *key, const struct prefix *p);
/*
 * For values written piecewise: ctl_jw_key() writes the separator and the key, then the caller
 * writes exactly one JSON value with ctl_jw_raw() (no escaping: the caller's text must be
 * valid JSON, e.g. digits and spaces inside quotes it writes itself).
 */
void ctl_jw_key(struct ctl_jw *w, const char *key);
void ctl_jw_raw(struct ctl_jw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Moves staged text to the evbuffer. */
void ctl_jw_flush(struct ctl_jw *w);
/* Ends the document: checks that everything is closed, writes the newline and flushes. */
void ctl_jw_end(struct ctl_jw *w);
/* A whole {"error":"..."} document with its newline. */
void ctl_jw_error(struct evbuffer *out, const char *msg);

/* Appends s as a quoted JSON string (see ctl_jw_str). Returns 0 or -1 on a failed append. */
int ctl_json_quote(struct evbuffer *out, const char *s, size_t len);

/* ---- attribute rendering (ctl_attr.c) ---- */

/* "IGP", "EGP", "incomplete" ("?" for anything else). */
const char *ctl_origin_name(uint8_t origin);
/*
 * Writes the members of one path's attributes into the open object: origin, as_path,
 * next_hop [, next_hop_link_local], then med, local_pref, atomic_aggregate, aggregator,
 * communities, large_communities, extended_communities, originator_id, cluster_list, otc,
 * unknown_attributes when present. Malformed blob content ends that member's list early.
 */
void ctl_render_attrs(struct ctl_jw *w, const struct attrs *a);

/* ---- array element splitter (ctl_split.c) ---- */

/*
 * Splits a JSON byte stream into the containers found at nesting depth 'depth' (2: the
 * elements of the arrays of the top-level object, e.g. each route of {"rib":[...]}), so a
 * client renders a large document one element at a time in bounded memory. Only brackets,
 * strings and escapes are tracked; each element is handed to a callback for a real parser.
 */
struct ctl_split {
	unsigned depth, at;
	bool in_str, esc, in_elem, done, err;
	char *buf;
	size_t len, cap, max;
};

/* max: largest element accepted (an element past it is an error). */
void ctl_split_init(struct ctl_split *s, unsigned depth, size_t max);
void ctl_split_free(struct ctl_split *s);
/*
 * Feeds n bytes. fn(elem, len, arg) is called for each complete element; a non-zero return
 * stops the feed and is returned. Returns 0, or -1 on a malformed stream or an element larger
 * than max. *used (may be NULL) is how many bytes were taken: all of them, or up to and
 * including the byte that closed the top-level document (s->done is then set).
 */
int ctl_split_feed(struct ctl_split *s, const char *p, size_t n, size_t *used,
		   int (*fn)(const char *elem, size_t len, void *arg), void *arg);

/* ---- translation helpers shared with bgp64ctl translate (ctl_xlat.c) ---- */

/*
 * The next-hop rule of x whose IPv4 prefix is the longest containing the address v4; false
 * when none. rule and nh (each may be NULL) receive the rule's two sides.
 */
bool ctl_xlat_nexthop_rule(const struct xlat *x, const uint8_t v4[4], struct prefix *rule,
			   struct xlat_nh *nh);
/* True when an explicit mapping's IPv6 side overlaps p (contains it or lies inside it). */
bool ctl_xlat_eam6_overlaps(const struct xlat *x, const struct prefix *p);

#endif
