/*
 * /metrics: Prometheus text exposition of the daemon's counters over libevent's HTTP server,
 * on the address of "metrics.listen". The page is small (a few lines per neighbor) and built
 * per request from the same accessors as show summary; no routing state is kept here.
 */
#include <event2/buffer.h>
#include <event2/http.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bgp/attr.h"
#include "rde/rde.h"
#include "cli/ctl.h"
#include "lib/log.h"

struct ctl_metrics {
	struct evhttp *http;
	struct rde *rde;
};

static void
metric(struct evbuffer *b, const char *name, const char *type, const char *help, uint64_t v)
{
	evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n", name, help, name, type,
			    name, (unsigned long long)v);
}

static void
metrics_neighbors(struct evbuffer *b, struct rde *r)
{
	evbuffer_add_printf(b, "# HELP bgp64d_neighbor_up 1 when the session is Established\n"
			       "# TYPE bgp64d_neighbor_up gauge\n");
	const struct rib *rib = rde_rib(r);
	struct bgp_speaker *sp = rde_speaker(r);
	for (struct bgp_peer *p = bgp_peer_first(sp); p != NULL; p = bgp_peer_next(p)) {
		const struct cfg_neighbor *n = bgp_peer_cfg(p);
		char a[ADDR_STRLEN];
		addr_fmt(n->af, n->addr, a);
		evbuffer_add_printf(b, "bgp64d_neighbor_up{neighbor=\"%s\",remote_as=\"%u\"} %d\n",
				    a, n->remote_as, bgp_peer_state(p) == BGP_ESTABLISHED);
	}
	evbuffer_add_printf(b, "# HELP bgp64d_neighbor_prefixes paths held from the neighbor\n"
			       "# TYPE bgp64d_neighbor_prefixes gauge\n");
	for (struct bgp_peer *p = bgp_peer_first(sp); p != NULL; p = bgp_peer_next(p)) {
		const struct cfg_neighbor *n = bgp_peer_cfg(p);
		const struct rib_peer *pe = rib_peer_get(rib, bgp_peer_id(p));
		char a[ADDR_STRLEN];
		addr_fmt(n->af, n->addr, a);
		for (int f = 0; f < BGP_FAM_N; f++)
			evbuffer_add_printf(
			    b,
			    "bgp64d_neighbor_prefixes{neighbor=\"%s\",family=\"%s\"} "
			    "%llu\n",
			    a, bgp_fam_name((enum bgp_fam)f),
			    (unsigned long long)(pe ? pe->paths[f] : 0));
	}
	evbuffer_add_printf(b, "# HELP bgp64d_neighbor_flaps sessions lost since start\n"
			       "# TYPE bgp64d_neighbor_flaps counter\n");
	for (struct bgp_peer *p = bgp_peer_first(sp); p != NULL; p = bgp_peer_next(p)) {
		const struct cfg_neighbor *n = bgp_peer_cfg(p);
		char a[ADDR_STRLEN];
		addr_fmt(n->af, n->addr, a);
		evbuffer_add_printf(b, "bgp64d_neighbor_flaps{neighbor=\"%s\"} %u\n", a,
				    bgp_peer_stats(p)->flaps);
	}
}

static void
metrics_page(struct evhttp_request *req, void *arg)
{
	struct ctl_metrics *m = arg;
	struct rde *r = m->rde;
	struct evbuffer *b = evbuffer_new();
	if (b == NULL) {
		evhttp_send_error(req, HTTP_SERVUNAVAIL, NULL);
		return;
	}
	struct rib_stats rs;
	struct attr_stats as;
	rib_stats(rde_rib(r), &rs);
	attr_stats(&as);
	const struct rde_stats *s = rde_stats(r);
	evbuffer_add_printf(b,
			    "# HELP bgp64d_prefixes prefixes in the RIB\n"
			    "# TYPE bgp64d_prefixes gauge\n"
			    "bgp64d_prefixes{family=\"ipv4\"} %zu\n"
			    "bgp64d_prefixes{family=\"ipv6\"} %zu\n",
			    rs.prefixes[BGP_FAM_V4], rs.prefixes[BGP_FAM_V6]);
	metric(b, "bgp64d_paths", "gauge", "paths in the Adj-RIB-In", rs.paths);
	metric(b, "bgp64d_attribute_sets", "gauge", "interned attribute sets", as.sets);
	metric(b, "bgp64d_memory_bytes", "gauge", "bytes held by the RIB and attributes",
	       rs.tree_bytes + rs.path_bytes + as.bytes);
	metric(b, "bgp64d_updates_received_total", "counter", "UPDATE messages received",
	       s->updates_in);
	metric(b, "bgp64d_updates_sent_total", "counter", "UPDATE messages sent", s->updates_out);
	metric(b, "bgp64d_prefixes_sent_total", "counter", "prefixes announced", s->prefixes_out);
	metric(b, "bgp64d_withdraws_sent_total", "counter", "prefixes withdrawn", s->withdraws_out);
	metric(b, "bgp64d_treat_as_withdraw_total", "counter",
	       "UPDATEs handled as withdrawals (RFC 7606)", s->treat_as_withdraw);
	metric(b, "bgp64d_loops_dropped_total", "counter", "paths dropped by loop checks",
	       s->loops_dropped);
	metric(b, "bgp64d_untranslated_paths", "gauge",
	       "IPv4 best paths without an IPv6 next hop (unknown-next-hop reject)",
	       rde_untranslated_paths(r));
	metric(b, "bgp64d_wkp_specifics_blocked_total", "counter",
	       "well-known-prefix more-specifics not sent to eBGP (RFC 6052 3.1)",
	       s->wkp_specifics_blocked);
	metric(b, "bgp64d_next_hop_is_peer_total", "counter",
	       "routes left out toward the peer that is their next hop (RFC 4271 5.1.3)",
	       s->nexthop_is_peer);
	metrics_neighbors(b, r);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
			  "text/plain; version=0.0.4");
	evhttp_send_reply(req, HTTP_OK, "OK", b);
	evbuffer_free(b);
}

static void
metrics_other(struct evhttp_request *req, void *arg)
{
	(void)arg;
	evhttp_send_error(req, HTTP_NOTFOUND, "only /metrics here");
}

struct ctl_metrics *
ctl_metrics_new(struct event_base *base, struct rde *rde, int af, const uint8_t *addr,
		uint16_t port)
{
	struct ctl_metrics *m = calloc(1, sizeof *m);
	if (m == NULL)
		return NULL;
	m->rde = rde;
	m->http = evhttp_new(base);
	char a[ADDR_STRLEN];
	addr_fmt(af, addr, a);
	if (m->http == NULL || evhttp_bind_socket(m->http, a, port) != 0) {
		log_err("metrics: cannot listen on %s port %u", a, port);
		if (m->http != NULL)
			evhttp_free(m->http);
		free(m);
		return NULL;
	}
	evhttp_set_allowed_methods(m->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_cb(m->http, "/metrics", metrics_page, m);
	evhttp_set_gencb(m->http, metrics_other, m);
	log_info("metrics: http://%s%s%s:%u/metrics", af == AF_INET6 ? "[" : "", a,
		 af == AF_INET6 ? "]" : "", port);
	return m;
}

void
ctl_metrics_free(struct ctl_metrics *m)
{
	if (m == NULL)
		return;
	evhttp_free(m->http);
	free(m);
}
