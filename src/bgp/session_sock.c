/*
 * Sockets of the session module: the listening sockets, the socket of an outgoing connection,
 * and the per-neighbor options the kernel enforces: TCP MD5 (RFC 2385), TCP-AO (RFC 5925) and
 * GTSM (RFC 5082); spec/bgp-rib.md sections 8-10.
 *
 * Keys are installed on every listening socket (an IPv4 neighbor on an AF_INET6 listener under
 * its v4-mapped address) so that a neighbor's SYN is checked before accept(), and on the
 * outgoing socket before connect(). When the kernel refuses a key the neighbor is marked
 * broken and kept down: a session without the authentication the configuration asks for is
 * never opened. GTSM: every listener and every GTSM neighbor's outgoing socket send with TTL
 * (hop limit) 255; the established socket of a GTSM neighbor drops segments below 255.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/listener.h>

#include "bgp/session_int.h"
#include "lib/log.h"

#ifndef IPV6_MINHOPCOUNT
#define IPV6_MINHOPCOUNT 73
#endif

/* Linux >= 6.7 uapi, absent from older headers (spec/bgp-rib.md section 10). */
#ifndef TCP_AO_ADD_KEY
#define TCP_AO_ADD_KEY	 38
#define TCP_AO_DEL_KEY	 39
#define TCP_AO_MAXKEYLEN 80
struct tcp_ao_add {
	struct sockaddr_storage addr;
	char alg_name[64];
	int32_t ifindex;
	uint32_t set_current : 1, set_rnext : 1, reserved : 30;
	uint16_t reserved2;
	uint8_t prefix;
	uint8_t sndid;
	uint8_t rcvid;
	uint8_t maclen;
	uint8_t keyflags;
	uint8_t keylen;
	uint8_t key[TCP_AO_MAXKEYLEN];
} __attribute__((aligned(8)));
struct tcp_ao_del {
	struct sockaddr_storage addr;
	int32_t ifindex;
	uint32_t set_current : 1, set_rnext : 1, del_async : 1, reserved : 29;
	uint16_t reserved2;
	uint8_t prefix;
	uint8_t sndid;
	uint8_t rcvid;
	uint8_t current_key;
	uint8_t rnext;
	uint8_t keyflags;
} __attribute__((aligned(8)));
#endif

#define BGP_TOS_CS6 0xc0 /* DSCP CS6, network control */

socklen_t
bgp_session_sa_make(struct sockaddr_storage *ss, int sock_af, int af, const uint8_t *addr,
		    uint16_t port)
{
	memset(ss, 0, sizeof *ss);
	if (sock_af == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;
		s->sin_family = AF_INET;
		s->sin_port = htons(port);
		memcpy(&s->sin_addr, addr, 4);
		return sizeof *s;
	}
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(port);
	if (af == AF_INET) {
		s6->sin6_addr.s6_addr[10] = 0xff;
		s6->sin6_addr.s6_addr[11] = 0xff;
		memcpy(&s6->sin6_addr.s6_addr[12], addr, 4);
	} else {
		memcpy(&s6->sin6_addr, addr, 16);
	}
	return sizeof *s6;
}

int
bgp_session_sa_parse(const struct sockaddr *sa, int *af, uint8_t addr[16], uint16_t *port)
{
	memset(addr, 0, 16);
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)sa;
		*af = AF_INET;
		memcpy(addr, &s->sin_addr, 4);
		*port = ntohs(s->sin_port);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		*port = ntohs(s6->sin6_port);
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			*af = AF_INET;
			memcpy(addr, &s6->sin6_addr.s6_addr[12], 4);
		} else {
			*af = AF_INET6;
			memcpy(addr, &s6->sin6_addr, 16);
		}
		return 0;
	}
	return -1;
}

static int
setint(int fd, int level, int opt, int v)
{
	return setsockopt(fd, level, opt, &v, sizeof v);
}

/* Outgoing TTL 255 (GTSM) for traffic of family af on a socket of family sock_af. */
static int
sock_ttl255(int fd, int sock_af, int af)
{
	if (af == AF_INET)
		return setint(fd, IPPROTO_IP, IP_TTL, 255);
	(void)sock_af;
	return setint(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 255);
}

static void
sock_tos(int fd, int sock_af)
{
	/* Best effort: BGP is network control traffic. */
	if (sock_af == AF_INET6)
		(void)setint(fd, IPPROTO_IPV6, IPV6_TCLASS, BGP_TOS_CS6);
	(void)setint(fd, IPPROTO_IP, IP_TOS, BGP_TOS_CS6);
}

static int
md5_key(int fd, int sock_af, const struct cfg_neighbor *n, const char *key)
{
	struct tcp_md5sig m;
	memset(&m, 0, sizeof m);
	size_t klen = key != NULL ? strlen(key) : 0;
	if (klen > TCP_MD5SIG_MAXKEYLEN) {
		errno = EMSGSIZE;
		return -1;
	}
	bgp_session_sa_make(&m.tcpm_addr, sock_af, n->af, n->addr, 0);
	m.tcpm_keylen = (uint16_t)klen;
	if (klen > 0)
		memcpy(m.tcpm_key, key, klen);
	return setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &m, sizeof m);
}

/* MAC length of the RFC 5926 algorithms (96 bits); 0 lets the kernel use the digest size. */
static uint8_t
ao_maclen(const char *alg)
{
	if (strcmp(alg, "hmac(sha1)") == 0 || strcmp(alg, "cmac(aes128)") == 0 ||
	    strcmp(alg, "cmac(aes)") == 0)
		return 12;
	return 0;
}

static int
ao_key(int fd, int sock_af, const struct cfg_neighbor *n, bool add)
{
	uint8_t prefix = (uint8_t)af_bits(n->af);
	if (!add) {
		struct tcp_ao_del d;
		memset(&d, 0, sizeof d);
		bgp_session_sa_make(&d.addr, sock_af, n->af, n->addr, 0);
		d.prefix = prefix;
		d.sndid = n->tcp_ao.send_id;
		d.rcvid = n->tcp_ao.recv_id;
		return setsockopt(fd, IPPROTO_TCP, TCP_AO_DEL_KEY, &d, sizeof d);
	}
	struct tcp_ao_add a;
	memset(&a, 0, sizeof a);
	const char *alg = n->tcp_ao.algorithm != NULL ? n->tcp_ao.algorithm : "hmac(sha1)";
	size_t klen = strlen(n->tcp_ao.key);
	if (klen > TCP_AO_MAXKEYLEN || strlen(alg) >= sizeof a.alg_name) {
		errno = EMSGSIZE;
		return -1;
	}
	bgp_session_sa_make(&a.addr, sock_af, n->af, n->addr, 0);
	memcpy(a.alg_name, alg, strlen(alg));
	a.prefix = prefix;
	a.sndid = n->tcp_ao.send_id;
	a.rcvid = n->tcp_ao.recv_id;
	a.maclen = ao_maclen(alg);
	a.keylen = (uint8_t)klen;
	memcpy(a.key, n->tcp_ao.key, klen);
	/* The first key of a socket becomes its current and RNext key by itself. */
	return setsockopt(fd, IPPROTO_TCP, TCP_AO_ADD_KEY, &a, sizeof a);
}

/* Logs why a key was refused; true when retrying cannot help. */
static void
key_error(const struct bgp_peer *p, bool ao, const char *where)
{
	int e = errno;
	if (ao && (e == ENOPROTOOPT || e == ENOENT))
		log_err("%s: TCP-AO not supported by this kernel (%s: %s); neighbor kept down",
			p->name, where, strerror(e));
	else if (!ao && e == ENOPROTOOPT)
		log_err("%s: TCP MD5 signatures not supported by this kernel (%s); neighbor kept "
			"down",
			p->name, where);
	else if (e == EMSGSIZE)
		log_err("%s: %s key longer than 80 octets; neighbor kept down", p->name,
			ao ? "TCP-AO" : "TCP MD5");
	else
		log_err("%s: cannot set the %s key (%s): %s; neighbor kept down", p->name,
			ao ? "TCP-AO" : "TCP MD5", where, strerror(e));
}

static int
peer_key(int fd, int sock_af, struct bgp_peer *p, bool add, const char *where)
{
	const struct cfg_neighbor *n = &p->cfg;
	if (sock_af == AF_INET && n->af == AF_INET6)
		return 0;
	if (n->tcp_ao.key != NULL) {
		if (ao_key(fd, sock_af, n, add) == 0 || !add)
			return 0;
		key_error(p, true, where);
		return -1;
	}
	if (n->password != NULL) {
		if (md5_key(fd, sock_af, n, add ? n->password : NULL) == 0 || !add)
			return 0;
		key_error(p, false, where);
		return -1;
	}
	return 0;
}

int
bgp_session_listen_keys(struct bgp_speaker *sp, struct bgp_peer *p, bool add)
{
	int rc = 0;
	for (size_t i = 0; i < sp->n_ls; i++) {
		char a[ADDR_STRLEN], where[ADDR_STRLEN + 32];
		addr_fmt(sp->ls[i].af, sp->ls[i].addr, a);
		snprintf(where, sizeof where, "listener %s port %u", a, sp->ls[i].port);
		if (peer_key(sp->ls[i].fd, sp->ls[i].af, p, add, where) < 0)
			rc = -1;
	}
	return rc;
}

int
bgp_session_sock_connect(struct bgp_peer *p, struct sockaddr_storage *ss, socklen_t *sl)
{
	const struct cfg_neighbor *n = &p->cfg;
	int fd = socket(n->af, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (fd < 0) {
		log_err("%s: socket: %s", p->name, strerror(errno));
		return -1;
	}
	if (peer_key(fd, n->af, p, true, "outgoing socket") < 0) {
		p->broken = true;
		goto fail;
	}
	if (n->ttl_security && sock_ttl255(fd, n->af, n->af) < 0) {
		log_err("%s: GTSM: cannot set TTL 255: %s", p->name, strerror(errno));
		goto fail;
	}
	sock_tos(fd, n->af);
	if (n->has_local) {
		struct sockaddr_storage ls;
		socklen_t ll = bgp_session_sa_make(&ls, n->af, n->af, n->local, 0);
		(void)setint(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1);
		if (bind(fd, (struct sockaddr *)&ls, ll) < 0) {
			char a[ADDR_STRLEN];
			log_err("%s: cannot bind local-address %s: %s", p->name,
				addr_fmt(n->af, n->local, a), strerror(errno));
			goto fail;
		}
	}
	*sl = bgp_session_sa_make(ss, n->af, n->af, n->addr, n->port != 0 ? n->port : BGP_PORT);
	return fd;
fail:
	close(fd);
	return -1;
}

int
bgp_session_sock_established(struct bgp_peer *p, int fd, int af)
{
	if (!p->cfg.ttl_security)
		return 0;
	int rc;
	if (af == AF_INET)
		rc = setint(fd, IPPROTO_IP, IP_MINTTL, 255);
	else
		rc = setint(fd, IPPROTO_IPV6, IPV6_MINHOPCOUNT, 255);
	if (rc < 0)
		log_err("%s: GTSM: cannot set the minimum TTL: %s", p->name, strerror(errno));
	return rc;
}

/* ---- listeners ---- */

static void
listen_accept_cb(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *sa, int salen,
		 void *arg)
{
	(void)lev;
	(void)salen;
	bgp_session_accept(arg, fd, sa);
}

static void
listen_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct bgp_listener *l = arg;
	evconnlistener_enable(l->lev);
}

/* accept() failed (EMFILE, ENOBUFS...): pause this listener for a second, log once. */
static void
listen_error_cb(struct evconnlistener *lev, void *arg)
{
	struct bgp_speaker *sp = arg;
	int e = EVUTIL_SOCKET_ERROR();
	for (size_t i = 0; i < sp->n_ls; i++) {
		struct bgp_listener *l = &sp->ls[i];
		if (l->lev != lev)
			continue;
		char a[ADDR_STRLEN];
		log_err("listener %s port %u: accept: %s; pausing 1 s", addr_fmt(l->af, l->addr, a),
			l->port, evutil_socket_error_to_string(e));
		evconnlistener_disable(lev);
		struct timeval tv = {1, 0};
		evtimer_add(l->retry_ev, &tv);
	}
}

static int
listen_one(struct bgp_speaker *sp, const struct cfg_listen *cl, bool v6only, struct bgp_listener *l)
{
	char a[ADDR_STRLEN];
	addr_fmt(cl->af, cl->addr, a);
	uint16_t port = cl->port != 0 ? cl->port : BGP_PORT;
	memset(l, 0, sizeof *l);
	l->fd = -1;
	l->af = cl->af;
	memcpy(l->addr, cl->addr, 16);
	l->port = port;
	int fd = socket(cl->af, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (fd < 0) {
		log_err("listen %s port %u: socket: %s", a, port, strerror(errno));
		return -1;
	}
	(void)setint(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	if (cl->af == AF_INET6 && setint(fd, IPPROTO_IPV6, IPV6_V6ONLY, v6only) < 0)
		log_warn("listen %s port %u: IPV6_V6ONLY: %s", a, port, strerror(errno));
	/* GTSM: the SYN-ACK to a GTSM neighbor must leave with TTL 255 too. */
	if (sock_ttl255(fd, cl->af, cl->af) < 0 ||
	    (cl->af == AF_INET6 && !v6only && sock_ttl255(fd, cl->af, AF_INET) < 0))
		log_warn("listen %s port %u: cannot set TTL 255: %s", a, port, strerror(errno));
	sock_tos(fd, cl->af);
	struct sockaddr_storage ss;
	socklen_t sl = bgp_session_sa_make(&ss, cl->af, cl->af, cl->addr, port);
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0) {
		int e = errno;
		const char *hint = "";
		if (e == EACCES)
			hint = " (ports below 1024 need root or CAP_NET_BIND_SERVICE)";
		else if (e == EADDRINUSE)
			hint = " (another BGP speaker running?)";
		else if (e == EADDRNOTAVAIL)
			hint = " (address not configured on this host)";
		log_err("listen %s port %u: bind: %s%s", a, port, strerror(e), hint);
		close(fd);
		return -1;
	}
	if (listen(fd, 64) < 0) {
		log_err("listen %s port %u: listen: %s", a, port, strerror(errno));
		close(fd);
		return -1;
	}
	/* backlog 0: the socket is already listening. */
	l->lev = evconnlistener_new(sp->base, listen_accept_cb, sp, LEV_OPT_CLOSE_ON_FREE, 0, fd);
	if (l->lev == NULL) {
		log_err("listen %s port %u: cannot create the listener", a, port);
		close(fd);
		return -1;
	}
	evconnlistener_set_error_cb(l->lev, listen_error_cb);
	l->retry_ev = evtimer_new(sp->base, listen_retry_cb, l);
	l->fd = fd;
	log_info("listening on %s port %u", a, port);
	return 0;
}

void
bgp_session_listen_close(struct bgp_speaker *sp)
{
	for (size_t i = 0; i < sp->n_ls; i++) {
		if (sp->ls[i].retry_ev != NULL)
			event_free(sp->ls[i].retry_ev);
		if (sp->ls[i].lev != NULL)
			evconnlistener_free(sp->ls[i].lev);
	}
	free(sp->ls);
	sp->ls = NULL;
	sp->n_ls = 0;
}

static bool
is_any(int af, const uint8_t *a)
{
	static const uint8_t zero[16];
	return memcmp(a, zero, af_bytes(af)) == 0;
}

int
bgp_session_listen(struct bgp_speaker *sp, const struct cfg_listen *cl, size_t n)
{
	bgp_session_listen_close(sp);
	if (n == 0)
		return 0;
	sp->ls = calloc(n, sizeof *sp->ls);
	if (sp->ls == NULL) {
		log_err("listen: out of memory");
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		/* "::" takes IPv4 too (IPV6_V6ONLY 0) unless "0.0.0.0" has the same port. */
		bool v6only = false;
		uint16_t port = cl[i].port != 0 ? cl[i].port : BGP_PORT;
		for (size_t j = 0; j < n; j++) {
			uint16_t pj = cl[j].port != 0 ? cl[j].port : BGP_PORT;
			if (cl[j].af == AF_INET && pj == port && is_any(AF_INET, cl[j].addr))
				v6only = true;
		}
		if (cl[i].af == AF_INET6 && !is_any(AF_INET6, cl[i].addr))
			v6only = true;
		if (listen_one(sp, &cl[i], v6only, &sp->ls[sp->n_ls]) < 0) {
			rc = -1;
			continue;
		}
		sp->n_ls++;
	}
	for (struct bgp_peer *p = sp->peers; p != NULL; p = p->next) {
		if (bgp_session_listen_keys(sp, p, true) < 0)
			p->broken = true;
	}
	return rc;
}
