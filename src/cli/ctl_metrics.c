/*
 * /metrics: Prometheus text exposition of the daemon's counters, served by the bounded HTTP
 * server of ctl_http.c on the address of "metrics.listen". The page is small (a few lines per
 * neighbor) and built per request from the same accessors as show summary; no routing state
 * is kept here.
 */
#include <errno.h>
#include <event2/buffer.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bgp/attr.h"
#include "rde/rde.h"
#include "cli/ctl.h"
#include "cli/ctl_http.h"
#include "cli/ctl_impl.h"
#include "lib/log.h"

struct ctl_metrics {
	struct ctl_http *http;
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

/* One line per neighbor of a per-neighbor limit counter or gauge (bgp64d.json(5) "Limits"). */
static void
metrics_limits(struct evbuffer *b, struct rde *r)
{
	static const struct {
		const char *name, *type, *help;
	} m[] = {
	    {"bgp64d_neighbor_attribute_bytes", "gauge",
	     "bytes of the attribute sets the neighbor created, in use"},
	    {"bgp64d_neighbor_limit_exceeded_total", "counter", "crossings of any of its limits"},
	    {"bgp64d_neighbor_limit_sessions_closed_total", "counter",
	     "sessions closed by a limit or the memory budget"},
	    {"bgp64d_neighbor_updates_blocked_total", "counter",
	     "UPDATEs whose announcements an attribute limit ignored"},
	};
	struct bgp_speaker *sp = rde_speaker(r);
	for (size_t k = 0; k < sizeof m / sizeof m[0]; k++) {
		evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s %s\n", m[k].name, m[k].help,
				    m[k].name, m[k].type);
		for (struct bgp_peer *p = bgp_peer_first(sp); p != NULL; p = bgp_peer_next(p)) {
			const struct cfg_neighbor *n = bgp_peer_cfg(p);
			struct rde_limit_stats ls;
			char a[ADDR_STRLEN];
			rde_peer_limit_stats(r, bgp_peer_id(p), &ls);
			addr_fmt(n->af, n->addr, a);
			uint64_t v = k == 0   ? ls.attribute_bytes
				     : k == 1 ? ls.exceeded
				     : k == 2 ? ls.sessions_closed
					      : ls.updates_blocked;
			evbuffer_add_printf(b, "%s{neighbor=\"%s\"} %llu\n", m[k].name, a,
					    (unsigned long long)v);
		}
	}
	evbuffer_add_printf(b, "# HELP bgp64d_neighbor_prefixes_blocked_total prefixes ignored "
			       "by a block max-prefixes\n"
			       "# TYPE bgp64d_neighbor_prefixes_blocked_total counter\n");
	for (struct bgp_peer *p = bgp_peer_first(sp); p != NULL; p = bgp_peer_next(p)) {
		const struct cfg_neighbor *n = bgp_peer_cfg(p);
		struct rde_limit_stats ls;
		char a[ADDR_STRLEN];
		rde_peer_limit_stats(r, bgp_peer_id(p), &ls);
		addr_fmt(n->af, n->addr, a);
		for (int f = 0; f < BGP_FAM_N; f++)
			evbuffer_add_printf(
			    b,
			    "bgp64d_neighbor_prefixes_blocked_total{neighbor=\"%s\","
			    "family=\"%s\"} %llu\n",
			    a, bgp_fam_name((enum bgp_fam)f),
			    (unsigned long long)ls.prefixes_blocked[f]);
	}
}

/* The endpoint's own load: what a client loop against it shows. */
static void
metrics_http(struct evbuffer *b, const struct ctl_http *h)
{
	const struct ctl_http_stats *st = ctl_http_stats(h);
	metric(b, "bgp64d_metrics_connections", "gauge", "open connections to this endpoint",
	       ctl_http_conns(h));
	metric(b, "bgp64d_metrics_requests_total", "counter", "pages served", st->requests);
	metric(b, "bgp64d_metrics_errors_total", "counter",
	       "requests answered with an error status", st->errors);
	metric(b, "bgp64d_metrics_dropped_total", "counter",
	       "connections closed unanswered (request deadline, or room for a newer one)",
	       st->timeouts + st->evicted + st->refused);
}

static int
metrics_page(void *arg, const char *path, struct evbuffer *b, const char **ctype)
{
	struct ctl_metrics *m = arg;
	struct rde *r = m->rde;
	if (strcmp(path, "/metrics") != 0)
		return -1;
	*ctype = "text/plain; version=0.0.4";
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
	metric(b, "bgp64d_attribute_bytes", "gauge", "bytes of interned attributes", as.bytes);
	metric(b, "bgp64d_attribute_budget_bytes", "gauge",
	       "memory budget for interned attributes (limits.memory-budget)",
	       rde_memory_budget(r));
	metric(b, "bgp64d_budget_sessions_closed_total", "counter",
	       "sessions closed because the memory budget would have been passed",
	       rde_budget_closed(r));
	metric(b, "bgp64d_import_filtered_total", "counter", "prefixes rejected by import policies",
	       s->import_filtered);
	metric(b, "bgp64d_next_hop_is_peer_total", "counter",
	       "routes left out toward the peer that is their next hop (RFC 4271 5.1.3)",
	       s->nexthop_is_peer);
	metrics_neighbors(b, r);
	metrics_limits(b, r);
	ctl_metrics_policies(b, r);
	metrics_http(b, m->http);
	return 0;
}

struct ctl_metrics *
ctl_metrics_new(struct event_base *base, struct rde *rde, int af, const uint8_t *addr,
		uint16_t port)
{
	struct ctl_metrics *m = calloc(1, sizeof *m);
	if (m == NULL)
		return NULL;
	m->rde = rde;
	char a[ADDR_STRLEN];
	addr_fmt(af, addr, a);
	m->http = ctl_http_new(base, af, addr, port, metrics_page, m);
	if (m->http == NULL) {
		log_err("metrics: cannot listen on %s port %u: %s", a, port, strerror(errno));
		free(m);
		return NULL;
	}
	log_info("metrics: http://%s%s%s:%u/metrics", af == AF_INET6 ? "[" : "", a,
		 af == AF_INET6 ? "]" : "", port);
	return m;
}

void
ctl_metrics_free(struct ctl_metrics *m)
{
	if (m == NULL)
		return;
	ctl_http_free(m->http);
	free(m);
}
