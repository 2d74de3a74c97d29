/*
 * Private to the session module: the objects shared by session.c (speaker and peer life
 * cycle, public API, reconnect back-off), session_conn.c (connections: life cycle, timers,
 * NOTIFICATIONs sent, the end of a session), session_fsm.c (framing, the RFC 4271 FSM, OPEN
 * negotiation, collisions) and session_sock.c (listening and outgoing sockets, TCP MD5 /
 * TCP-AO / GTSM options).
 *
 * Objects. A speaker owns its listeners and peers. A peer (one configured neighbor) owns at
 * most two TCP connections: while a collision is being resolved, one we opened and one the
 * neighbor opened (RFC 4271 section 6.8). At most one connection of a peer is past OpenSent;
 * that one is p->sess, and its negotiated parameters live in the peer (p->neg). A
 * connection that is closed is detached from its peer at once; one that still has a
 * NOTIFICATION to write waits on the speaker's 'closing' list until its output drains or
 * BGP_SESS_FLUSH_MS pass.
 *
 * Lifetimes. The pipeline's callbacks may reset or remove a peer while the code that called
 * them still holds a pointer, so peers and connections carry a 'busy' count held around such
 * calls; a closed connection or removed peer is freed when the count drops to zero. A reset,
 * shutdown or remove that the pipeline requests from inside a callback for that same peer is
 * deferred until the callback returns, so 'down' never runs nested inside 'update'.
 */
#ifndef BGP64_BGP_SESSION_INT_H
#define BGP64_BGP_SESSION_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <event2/util.h>

#include "bgp/session.h"
#include "lib/prefix.h"

struct event;
struct bufferevent;
struct evconnlistener;

#define BGP_SESS_OUT_LOW	 (64 * 1024)  /* 'writable' once the output drains below */
#define BGP_SESS_IN_HIGH	 (512 * 1024) /* stop reading the socket above this */
#define BGP_SESS_SLICE_NS	 2000000L     /* input work per callback, then yield */
#define BGP_SESS_OPENSENT_HOLD	 240	      /* s, hold timer in OpenSent (RFC 4271 8.2.2) */
#define BGP_SESS_FLUSH_MS	 1000	      /* longest wait for a NOTIFICATION to drain */
#define BGP_SESS_COLLISION_GUARD 3.0	      /* s, see collision() in session_fsm.c */
#define BGP_SESS_STABLE		 30.0	      /* s up before the reconnect back-off resets */

struct bgp_conn {
	struct bgp_speaker *sp;
	struct bgp_peer *peer; /* NULL once closed */
	struct bufferevent *bev;
	enum bgp_state state; /* BGP_CONNECT .. BGP_ESTABLISHED */
	bool outgoing;
	bool dead;     /* closed: freed when busy is 0 and the flush is over */
	bool flushing; /* on sp->closing, writing its last NOTIFICATION */
	bool hold_due; /* an UPDATE came in this input slice: restart the hold timer after it */
	int busy;
	int af; /* remote address, v4-mapped normalised to AF_INET */
	uint8_t addr[16];
	uint16_t port;
	struct event *hold_ev, *ka_ev, *more_ev, *flush_ev;
	double est_time;       /* monotonic, when Established */
	double out_progress;   /* monotonic, when the output last shrank or was empty */
	uint64_t acked;	       /* TCP bytes the neighbor acknowledged, at the last look */
	struct bgp_conn *next; /* sp->closing */
};

enum bgp_pending { BGP_PEND_NONE, BGP_PEND_RESET, BGP_PEND_SHUTDOWN, BGP_PEND_REMOVE };

struct bgp_peer {
	struct bgp_speaker *sp;
	struct bgp_peer *next;
	uint16_t id;
	struct cfg_neighbor cfg; /* own copy, strings duplicated */
	char name[ADDR_STRLEN + 16];
	struct bgp_conn *conns[2];
	struct bgp_conn *sess; /* the connection in OpenConfirm or Established */
	bool neg_valid;	       /* neg describes sess (kept through the 'down' callback) */
	struct bgp_neg neg;
	struct bgp_peer_stats stats;
	struct event *retry_ev; /* ConnectRetry: next attempt, and timeout of a pending connect */
	unsigned retries;	/* attempts since the back-off was last reset */
	bool long_backoff;	/* after Cease 2/3/5/8 received, or a max-prefix reset */
	bool admin_down;
	bool broken; /* a socket option the configuration requires is refused by the kernel */
	bool removed;
	int busy;
	int in_ops; /* depth of pipeline callbacks running for this peer */
	enum bgp_pending pending;
	uint8_t pending_subcode;
	char *pending_msg;
};

struct bgp_listener {
	struct evconnlistener *lev;
	struct event *retry_ev; /* re-enables accept after EMFILE and friends */
	int fd;
	int af;
	uint8_t addr[16];
	uint16_t port;
};

struct bgp_speaker {
	struct event_base *base;
	struct bgp_local local;
	struct bgp_speaker_ops ops;
	void *arg;
	struct bgp_peer *peers; /* in order of addition */
	uint16_t next_id;
	struct bgp_listener *ls;
	size_t n_ls;
	struct bgp_conn *closing;
	struct bgp_parse_ctx *ctx; /* one parse scratch for all peers (update.h) */
	uint64_t rng;
};

/* ---- session.c ---- */

double bgp_session_now(void);			   /* monotonic seconds */
double bgp_session_jitter(struct bgp_speaker *sp); /* uniform in [0.75, 1.0] (RFC 4271 10) */
void bgp_session_peer_hold(struct bgp_peer *p);
void bgp_session_peer_release(struct bgp_peer *p);
/* The last connection of p closed: schedule the next attempt (active neighbors). */
void bgp_session_conns_gone(struct bgp_peer *p);
/* Calls into the pipeline, with the deferral of session actions described above. */
void bgp_session_call_established(struct bgp_peer *p);
void bgp_session_call_down(struct bgp_peer *p, bool gr_keep, uint16_t gr_time);
void bgp_session_call_update(struct bgp_peer *p, struct bgp_update *u);
void bgp_session_call_refresh(struct bgp_peer *p, enum bgp_fam f, uint8_t subtype);
void bgp_session_call_writable(struct bgp_peer *p);
void bgp_session_call_input_done(struct bgp_peer *p);
/* The speaker's parse context, set up for p's session. */
struct bgp_parse_ctx *bgp_session_ctx(const struct bgp_peer *p);

/* ---- session_conn.c ---- */

enum bgp_down_why {
	BGP_DOWN_TCP,	   /* connection lost, no NOTIFICATION */
	BGP_DOWN_NOTIF_RX, /* NOTIFICATION received */
	BGP_DOWN_NOTIF_TX, /* NOTIFICATION sent (bgp_session_conn_down writes it) */
	BGP_DOWN_REPLACED, /* a new connection of a restarting neighbor took over */
	BGP_DOWN_QUIET,	   /* closed without a word */
};

void bgp_session_timer(struct event *ev, double s);
/* Busy count of a connection (see the top of this file). */
void bgp_session_conn_hold(struct bgp_conn *c);
void bgp_session_conn_release(struct bgp_conn *c);
/*
 * Detaches c from its peer and closes it; with flush, what is queued (the NOTIFICATION) is
 * written first, for at most BGP_SESS_FLUSH_MS. Schedules a reconnect when it was the peer's
 * last connection.
 */
void bgp_session_conn_close(struct bgp_conn *c, bool flush);
/*
 * Ends connection c: writes n first (BGP_DOWN_NOTIF_TX), closes, and when it carried the
 * Established session calls 'down' with the graceful restart verdict. text is for the log.
 */
void bgp_session_conn_down(struct bgp_conn *c, enum bgp_down_why why, const struct bgp_notify *n,
			   const char *text);
/* NOTIFICATION code/subcode without data, then down. */
void bgp_session_conn_fail(struct bgp_conn *c, uint8_t code, uint8_t subcode, const char *text);
/* Cease(subcode, msg), wrapped in Hard Reset where RFC 8538 asks, then down. */
void bgp_session_conn_cease(struct bgp_conn *c, uint8_t subcode, const char *msg, const char *text);
/* "Cease/Administrative Shutdown" (and the inner error of a Hard Reset) for logs. */
void bgp_session_notify_text(const struct bgp_notify *n, char *buf, size_t len);
/* The error a Hard Reset wraps, or n itself. */
void bgp_session_notify_inner(const struct bgp_notify *n, struct bgp_notify *inner);
/* Graceful restart advertised by both sides of p's current session. */
bool bgp_session_gr_negotiated(const struct bgp_peer *p);
void bgp_session_send(struct bgp_conn *c, const uint8_t *buf, size_t len, uint8_t type);
void bgp_session_send_keepalive(struct bgp_conn *c);
/* Restarts the hold timer: negotiated hold, none when 0 and Established, else 4 minutes. */
void bgp_session_hold_restart(struct bgp_conn *c);
/* A connection accepted on a listener; takes fd. */
void bgp_session_accept(struct bgp_speaker *sp, int fd, const struct sockaddr *sa);
/* Starts an outgoing connection to p (state Connect). */
void bgp_session_connect(struct bgp_peer *p);
/* Aborts p's outgoing connection still waiting for TCP, if any. */
void bgp_session_abort_connect(struct bgp_peer *p);
/*
 * Closes every connection of p: those past TCP set-up get Cease(subcode, msg), wrapped in Hard
 * Reset when RFC 8538 asks for it; 'down' runs for an Established session.
 */
void bgp_session_close_all(struct bgp_peer *p, uint8_t subcode, const char *msg);
/* Frees every connection without a word (bgp_speaker_free). */
void bgp_session_conns_free(struct bgp_peer *p);
void bgp_session_closing_free(struct bgp_speaker *sp);

/* ---- session_fsm.c ---- */

/* TCP is up: send our OPEN, hold timer 4 minutes (RFC 4271 8.2.2). */
void bgp_session_tcp_up(struct bgp_conn *c);
/*
 * Frames and dispatches the messages waiting in c's input; unless 'all', for one slice of
 * BGP_SESS_SLICE_NS, continuing from c->more_ev.
 */
void bgp_session_input(struct bgp_conn *c, bool all);
void bgp_session_readcb(struct bufferevent *bev, void *arg);
void bgp_session_more_cb(evutil_socket_t fd, short what, void *arg);

/* ---- session_sock.c ---- */

/* sockaddr for (af, addr, port) on a socket of family sock_af (v4-mapped when they differ). */
socklen_t bgp_session_sa_make(struct sockaddr_storage *ss, int sock_af, int af, const uint8_t *addr,
			      uint16_t port);
/* Address and port of sa, v4-mapped IPv6 normalised to IPv4; -1 for other families. */
int bgp_session_sa_parse(const struct sockaddr *sa, int *af, uint8_t addr[16], uint16_t *port);
/* Opens the listeners in place of the current ones; -1 when one failed (logged). */
int bgp_session_listen(struct bgp_speaker *sp, const struct cfg_listen *l, size_t n);
void bgp_session_listen_close(struct bgp_speaker *sp);
/* Installs (add) or removes p's MD5 / TCP-AO key on every listener. -1 when refused. */
int bgp_session_listen_keys(struct bgp_speaker *sp, struct bgp_peer *p, bool add);
/*
 * A non-blocking socket for an outgoing connection to p with its options set (key, GTSM TTL,
 * local address); the destination in ss. -1 on failure (logged; p->broken when the kernel
 * refuses a key, since retrying cannot help).
 */
int bgp_session_sock_connect(struct bgp_peer *p, struct sockaddr_storage *ss, socklen_t *sl);
/* Options of an established socket (GTSM receive floor). -1 when they cannot be set. */
/* Seconds to the next keepalive (and send hold check) of an Established connection. */
double bgp_session_ka_interval(const struct bgp_conn *c);
int bgp_session_sock_established(struct bgp_peer *p, int fd, int af);

#endif
