/*
 * BGP sessions: listeners, one FSM per configured neighbor (RFC 4271 section 8), timers,
 * capability negotiation, collision detection, TCP-MD5 / TCP-AO / GTSM socket options, and the
 * framing of messages on libevent bufferevents.
 *
 * The session layer knows nothing of routes. It hands each parsed UPDATE and each session
 * event to the pipeline through struct bgp_speaker_ops, and the pipeline pulls exports: when a
 * peer's output queue drains below its low watermark the 'writable' callback asks for more,
 * and the pipeline writes packed UPDATEs with bgp_peer_send(). So a slow peer costs no memory
 * beyond the pipeline's dirty marks (DESIGN.md "Exports are pulled").
 *
 * Peers are referred to by a small numeric id (bgp_peer_id) outside this module; the pointer
 * stays valid until bgp_peer_remove().
 */
#ifndef BGP64_BGP_SESSION_H
#define BGP64_BGP_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "bgp/msg.h"
#include "bgp/update.h"
#include "config.h"

struct event_base;
struct bgp_speaker;
struct bgp_peer;

enum bgp_state {
	BGP_IDLE,
	BGP_CONNECT,
	BGP_ACTIVE,
	BGP_OPENSENT,
	BGP_OPENCONFIRM,
	BGP_ESTABLISHED,
};
const char *bgp_state_name(enum bgp_state s);

/* Our side of every session. */
struct bgp_local {
	uint32_t router_id; /* host order */
	uint32_t as;
	uint32_t cluster_id;
};

/* What both sides agreed on, valid from OpenConfirm on. */
struct bgp_neg {
	uint8_t fams; /* BGP_FAM_BIT: multiprotocol families negotiated */
	bool as4;
	bool route_refresh, enhanced_rr;
	bool ext_msg_rx; /* we may receive 65535 (we advertised) */
	bool ext_msg_tx; /* we may send 65535 (peer advertised) */
	uint8_t ext_nh;	 /* families where we may send an IPv6 next hop (RFC 8950) */
	uint8_t addpath_rx, addpath_tx;
	uint16_t hold; /* negotiated hold time */
	uint16_t keepalive;
	bool ibgp;
	uint8_t ignored_logged;	   /* families whose un-negotiated NLRI was logged once */
	struct bgp_open peer_open; /* the peer's OPEN as received */
};

struct bgp_peer_stats {
	uint64_t msgs_in[6], msgs_out[6]; /* by message type 1..5, [0] unused */
	uint64_t updates_in, updates_out;
	uint64_t withdraw_treated;	/* RFC 7606 treat-as-withdraw UPDATEs */
	uint64_t attr_discarded;	/* RFC 7606 attribute discards */
	uint32_t flaps;			/* Established -> down transitions */
	time_t established_at, down_at; /* wall clock, 0 when never */
	char last_error[160];		/* last NOTIFICATION sent/received or socket error */
	char last_shutdown_msg[256];	/* RFC 8203 communication received */
};

struct bgp_speaker_ops {
	/* Session reached Established; negotiated parameters in bgp_peer_neg(). */
	void (*established)(void *arg, struct bgp_peer *p);
	/*
	 * Session left Established. gr_keep is true when the peer negotiated graceful restart
	 * and the loss qualifies (RFC 4724 / RFC 8538): keep its routes as stale for
	 * gr_time seconds (families in bgp_peer_neg(p)->peer_open.caps.gr_fams).
	 */
	void (*down)(void *arg, struct bgp_peer *p, bool gr_keep, uint16_t gr_time);
	/* A parsed UPDATE (any action but RESET; the session resets itself on RESET). */
	void (*update)(void *arg, struct bgp_peer *p, struct bgp_update *u);
	/* The peer asked for a route refresh of a family (RFC 2918), or BoRR/EoRR (RFC 7313). */
	void (*refresh)(void *arg, struct bgp_peer *p, enum bgp_fam f, uint8_t subtype);
	/* The output queue drained below the low watermark: send more with bgp_peer_send(). */
	void (*writable)(void *arg, struct bgp_peer *p);
	/* The end of a slice of p's input (after its last 'update' of the slice; optional): what
	 * the callbacks of the slice held back must take effect now. */
	void (*input_done)(void *arg, struct bgp_peer *p);
};

/*
 * Callbacks run from the event loop. Inside a callback for peer p, bgp_peer_reset(),
 * bgp_peer_shutdown() and bgp_peer_remove() of that same p take effect when the callback
 * returns (so 'down' never runs nested in 'update'); everything else acts at once. 'down' is
 * also called when an Established session is closed by bgp_peer_reset/shutdown/remove and
 * bgp_speaker_shutdown, but not by bgp_speaker_free.
 */
struct bgp_speaker *bgp_speaker_new(struct event_base *base, const struct bgp_local *local,
				    const struct bgp_speaker_ops *ops, void *arg);
/*
 * Closes the listeners and sends Cease/Administrative Shutdown (with msg; inside Hard Reset
 * where RFC 8538 is negotiated) on every connection, then closes them. The NOTIFICATIONs are
 * written at once when the sockets take them; what remains drains from the loop for at most a
 * second (see bgp_speaker_flushing()). Peers stay idle.
 */
void bgp_speaker_shutdown(struct bgp_speaker *sp, const char *msg);
/* Connections still writing their last NOTIFICATION: run the loop until 0 before freeing. */
size_t bgp_speaker_flushing(const struct bgp_speaker *sp);
/*
 * Frees everything; connections still open are closed without NOTIFICATION (a graceful
 * restart helper keeps our routes). The process must ignore SIGPIPE (bgp64d does).
 */
void bgp_speaker_free(struct bgp_speaker *sp);
/*
 * Opens the listeners (replacing earlier ones; "::" also takes IPv4 unless "0.0.0.0" is listed
 * with the same port); -1 with a logged error when one fails, the others stay open.
 */
int bgp_speaker_listen(struct bgp_speaker *sp, const struct cfg_listen *l, size_t n);

/*
 * Adds a configured neighbor (the cfg entry is copied) and starts it. NULL on error. When the
 * kernel refuses its TCP-AO or MD5 key the peer is returned but kept Idle (error logged).
 */
struct bgp_peer *bgp_peer_add(struct bgp_speaker *sp, const struct cfg_neighbor *n);
/* Stops (Cease subcode, e.g. BGP_CEASE_PEER_DECONFIGURED) and frees the peer. */
void bgp_peer_remove(struct bgp_peer *p, uint8_t cease_subcode);
/*
 * Sends Cease(subcode, msg) and restarts the FSM (reset) or stays idle (shutdown). With
 * RFC 8538 negotiated, subcodes 1-3 are sent inside Cease/Hard Reset (the neighbor flushes).
 */
void bgp_peer_reset(struct bgp_peer *p, uint8_t cease_subcode, const char *msg);
void bgp_peer_shutdown(struct bgp_peer *p, const char *msg);
/* bgp_peer_shutdown() with another Cease subcode (a limit: RFC 4486 1 or 8): idle until
 * bgp_peer_start(). */
void bgp_peer_stop(struct bgp_peer *p, uint8_t cease_subcode, const char *msg);
/* Starts a peer left idle by bgp_peer_shutdown() (or kept down by a refused key: retried). */
void bgp_peer_start(struct bgp_peer *p);
/* Sends a ROUTE-REFRESH request for a family (no-op when not negotiated). */
void bgp_peer_request_refresh(struct bgp_peer *p, enum bgp_fam f);

/* Iteration and lookup. */
struct bgp_peer *bgp_peer_first(struct bgp_speaker *sp);
struct bgp_peer *bgp_peer_next(struct bgp_peer *p);
struct bgp_peer *bgp_peer_by_id(struct bgp_speaker *sp, uint16_t id);
struct bgp_peer *bgp_peer_by_addr(struct bgp_speaker *sp, int af, const uint8_t *addr);

uint16_t bgp_peer_id(const struct bgp_peer *p); /* 1..65535, stable for the peer's life */
const struct cfg_neighbor *bgp_peer_cfg(const struct bgp_peer *p);
enum bgp_state bgp_peer_state(const struct bgp_peer *p);
const struct bgp_neg *bgp_peer_neg(const struct bgp_peer *p); /* NULL before OpenConfirm */
const struct bgp_peer_stats *bgp_peer_stats(const struct bgp_peer *p);
/* "192.0.2.10 AS64500" for logs. */
const char *bgp_peer_name(const struct bgp_peer *p);
/* Shut down by the operator (bgp64ctl neighbor ADDR shutdown) until started again. */
bool bgp_peer_admin_down(const struct bgp_peer *p);
/* Gives a peer re-created for a changed configuration the counters of the one it replaces. */
void bgp_peer_carry_stats(struct bgp_peer *p, const struct bgp_peer_stats *st);

/*
 * Output: queues a whole message. Returns 0, or -1 when the peer is not Established. The
 * pipeline writes while bgp_peer_send_queued() is below the bounds that follow and waits for
 * 'writable' otherwise.
 */
int bgp_peer_send(struct bgp_peer *p, const uint8_t *msg, size_t len);
/* Bytes waiting in the output queue; SIZE_MAX when the peer is not Established. */
size_t bgp_peer_send_queued(const struct bgp_peer *p);
/*
 * Output bounds for the pipeline: a peer with BGP_OUT_HIGH bytes queued is full (the pipeline
 * waits for 'writable'); an update group member with BGP_OUT_LAG queued while another member
 * has room is split out of its group. No writer queues a message once BGP_OUT_LAG is reached,
 * so a peer's output never exceeds BGP_OUT_LAG + one message.
 */
#define BGP_OUT_HIGH (256 * 1024)
#define BGP_OUT_LAG  (1024 * 1024)
/* The largest message we may send this peer (4096, or 65535 with RFC 8654). */
size_t bgp_peer_max_msg(const struct bgp_peer *p);
/* Local address of the established session's socket (for next-hop-self); -1 when down. */
int bgp_peer_local_addr(const struct bgp_peer *p, int *af, uint8_t addr[16]);
/*
 * Parser context set up for the peer's session (as4, ibgp, addpath). The speaker has one
 * context (its scratch is large) shared by all peers: valid until the next UPDATE is parsed or
 * this is called for another peer.
 */
const struct bgp_parse_ctx *bgp_peer_parse_ctx(const struct bgp_peer *p);

#endif
