/*
 * The small control documents, written whole in one callback: show summary, show neighbors,
 * show nexthops, show translation, and the neighbor commands. Their size grows with the
 * configuration (neighbors, next-hop rules), never with the table; a table lookup here is one
 * longest match. Each function checks its request before writing anything, so an error is
 * answered with {"error"} alone.
 */
#include "cli/ctl_impl.h"

#include "lib/log.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "bgp/attr.h"
#include "bgp/session.h"
#include "fib/fib.h"

static void
jw_u32_addr(struct ctl_jw *w, const char *key, uint32_t v)
{
	uint8_t a[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
	ctl_jw_addr(w, key, AF_INET, a);
}

static void
jw_fams(struct ctl_jw *w, const char *key, uint8_t fams)
{
	ctl_jw_arr_open(w, key);
	for (int f = 0; f < BGP_FAM_N; f++)
		if (fams & BGP_FAM_BIT(f))
			ctl_jw_str(w, NULL, bgp_fam_name((enum bgp_fam)f));
	ctl_jw_arr_close(w);
}

static void
jw_per_fam(struct ctl_jw *w, const char *key, const uint64_t v[BGP_FAM_N])
{
	ctl_jw_obj_open(w, key);
	ctl_jw_u64(w, "ipv4", v[BGP_FAM_V4]);
	ctl_jw_u64(w, "ipv6", v[BGP_FAM_V6]);
	ctl_jw_obj_close(w);
}

/* Seconds since t, or null when t is 0 (never). */
static void
jw_since(struct ctl_jw *w, const char *key, time_t t, time_t now)
{
	if (t == 0)
		ctl_jw_null(w, key);
	else
		ctl_jw_i64(w, key, now >= t ? (int64_t)(now - t) : 0);
}

/* Members every neighbor object has, in show summary and show neighbors. */
static void
neighbor_head(struct ctl_jw *w, struct rde *r, struct bgp_peer *p, time_t now)
{
	const struct cfg_neighbor *c = bgp_peer_cfg(p);
	const struct bgp_peer_stats *st = bgp_peer_stats(p);
	const struct rib_peer *rp = rib_peer_get(rde_rib(r), bgp_peer_id(p));
	static const uint64_t zero[BGP_FAM_N];
	enum bgp_state s = bgp_peer_state(p);

	ctl_jw_addr(w, "remote_addr", c->af, c->addr);
	ctl_jw_u64(w, "remote_as", c->remote_as);
	ctl_jw_str(w, "description", c->description);
	ctl_jw_str(w, "state", bgp_state_name(s));
	ctl_jw_bool(w, "admin_down", bgp_peer_admin_down(p));
	if (s == BGP_ESTABLISHED)
		jw_since(w, "uptime", st->established_at, now);
	else
		ctl_jw_u64(w, "uptime", 0);
	jw_since(w, "last_updown_sec",
		 st->established_at > st->down_at ? st->established_at : st->down_at, now);
	jw_per_fam(w, "prefixes_received", rp != NULL ? rp->paths : zero);
	uint64_t pfx[BGP_FAM_N], wdr[BGP_FAM_N];
	if (!rde_peer_sent(r, bgp_peer_id(p), pfx, wdr)) {
		memset(pfx, 0, sizeof pfx);
		memset(wdr, 0, sizeof wdr);
	}
	jw_per_fam(w, "prefixes_sent", pfx);
	jw_per_fam(w, "withdrawals_sent", wdr);
}

int
ctl_show_summary(struct rde *r, struct ctl_jw *w)
{
	const struct cfg *c = rde_cfg(r);
	const struct rde_stats *s = rde_stats(r);
	const struct prefix *t = xlat_get_prefix(c->xlat);
	struct rib_stats rs;
	struct attr_stats as;
	time_t now = time(NULL);

	rib_stats(rde_rib(r), &rs);
	attr_stats(&as);
	ctl_jw_obj_open(w, NULL);
	ctl_jw_obj_open(w, "summary");
	ctl_jw_str(w, "version", BGP64_VERSION);
	jw_u32_addr(w, "router_id", c->router_id);
	ctl_jw_u64(w, "as", c->local_as);
	jw_since(w, "uptime", rde_started_at(r), now);
	ctl_jw_str(w, "log_level", log_level_name(log_threshold));
	if (t != NULL)
		ctl_jw_prefix(w, "translation_prefix", t);
	else
		ctl_jw_null(w, "translation_prefix");
	ctl_jw_obj_open(w, "prefixes");
	ctl_jw_u64(w, "ipv4", rs.prefixes[BGP_FAM_V4]);
	ctl_jw_u64(w, "ipv6", rs.prefixes[BGP_FAM_V6]);
	ctl_jw_obj_close(w);
	ctl_jw_u64(w, "paths", rs.paths);
	ctl_jw_u64(w, "attribute_sets", as.sets);
	ctl_jw_u64(w, "attribute_blobs", as.blobs);
	ctl_jw_obj_open(w, "memory");
	ctl_jw_u64(w, "rib_tree_bytes", rs.tree_bytes);
	ctl_jw_u64(w, "path_bytes", rs.path_bytes);
	ctl_jw_u64(w, "attribute_bytes", as.bytes);
	ctl_jw_u64(w, "total_bytes", rs.tree_bytes + rs.path_bytes + as.bytes);
	ctl_jw_u64(w, "attribute_budget", rde_memory_budget(r));
	ctl_jw_u64(w, "budget_sessions_closed", rde_budget_closed(r));
	ctl_jw_obj_close(w);
	struct rde_export_stats xs;
	rde_export_stats(r, &xs);
	ctl_jw_obj_open(w, "exports");
	ctl_jw_u64(w, "update_groups", xs.groups);
	ctl_jw_u64(w, "peers", xs.peers);
	ctl_jw_u64(w, "readers", xs.rib.readers);
	ctl_jw_u64(w, "catching_up", xs.rib.detached);
	ctl_jw_u64(w, "journal_ipv4", xs.rib.journal[BGP_FAM_V4]);
	ctl_jw_u64(w, "journal_ipv6", xs.rib.journal[BGP_FAM_V6]);
	ctl_jw_u64(w, "withdrawn_pending", xs.rib.reap_pending);
	ctl_jw_u64(w, "epoch", xs.rib.epoch);
	ctl_jw_obj_close(w);
	ctl_jw_obj_open(w, "stats");
	ctl_jw_u64(w, "updates_received", s->updates_in);
	ctl_jw_u64(w, "prefixes_received", s->prefixes_in);
	ctl_jw_u64(w, "withdraws_received", s->withdraws_in);
	ctl_jw_u64(w, "treat_as_withdraw", s->treat_as_withdraw);
	ctl_jw_u64(w, "loops_dropped", s->loops_dropped);
	ctl_jw_u64(w, "import_denied", s->import_denied);
	ctl_jw_u64(w, "import_filtered", s->import_filtered);
	ctl_jw_u64(w, "non_global_skipped", rde_non_global_skipped(r));
	ctl_jw_u64(w, "wkp_specifics_blocked", s->wkp_specifics_blocked);
	ctl_jw_u64(w, "next_hop_is_peer", s->nexthop_is_peer);
	ctl_jw_u64(w, "no_next_hop", rde_untranslated_paths(r));
	ctl_jw_u64(w, "updates_sent", s->updates_out);
	ctl_jw_u64(w, "prefixes_sent", s->prefixes_out);
	ctl_jw_u64(w, "withdraws_sent", s->withdraws_out);
	ctl_jw_obj_close(w);
	ctl_render_policies(w, r);
	ctl_jw_arr_open(w, "neighbors");
	for (struct bgp_peer *p = bgp_peer_first(rde_speaker(r)); p != NULL; p = bgp_peer_next(p)) {
		ctl_jw_obj_open(w, NULL);
		neighbor_head(w, r, p, now);
		ctl_jw_obj_close(w);
	}
	ctl_jw_arr_close(w);
	ctl_jw_obj_close(w);
	ctl_jw_obj_close(w);
	ctl_jw_end(w);
	return 0;
}

/* A configured limit, null when there is none. */
static void
jw_limit(struct ctl_jw *w, const char *key, const struct cfg_limit *l)
{
	if (l->limit == 0) {
		ctl_jw_null(w, key);
		return;
	}
	ctl_jw_obj_open(w, key);
	ctl_jw_u64(w, "limit", l->limit);
	ctl_jw_str(w, "action", rde_limit_action_name(l->action));
	ctl_jw_u64(w, "restart_time", l->restart_time);
	ctl_jw_obj_close(w);
}

/* The neighbor's limits and what they did (bgp64d.json(5) "Limits"). */
static void
neighbor_limits(struct ctl_jw *w, struct rde *r, struct bgp_peer *p)
{
	const struct cfg_neighbor *c = bgp_peer_cfg(p);
	struct rde_limit_stats ls;

	rde_peer_limit_stats(r, bgp_peer_id(p), &ls);
	ctl_jw_obj_open(w, "limits");
	jw_limit(w, "max_prefixes", &c->max_prefixes);
	jw_limit(w, "attribute_bytes", &c->limits.attr_bytes);
	jw_limit(w, "as_path_length", &c->limits.aspath_len);
	jw_limit(w, "communities", &c->limits.communities);
	ctl_jw_u64(w, "attribute_bytes_held", ls.attribute_bytes);
	jw_per_fam(w, "prefixes_blocked", ls.prefixes_blocked);
	ctl_jw_u64(w, "updates_blocked", ls.updates_blocked);
	ctl_jw_u64(w, "exceeded", ls.exceeded);
	ctl_jw_u64(w, "sessions_closed", ls.sessions_closed);
	ctl_jw_bool(w, "restart_pending", ls.restart_pending);
	ctl_jw_obj_close(w);
}

static void
neighbor_caps(struct ctl_jw *w, const struct bgp_neg *n)
{
	const struct bgp_caps *pc = &n->peer_open.caps;

	ctl_jw_obj_open(w, "capabilities");
	jw_fams(w, "multiprotocol", n->fams);
	ctl_jw_bool(w, "as4", n->as4);
	ctl_jw_bool(w, "route_refresh", n->route_refresh);
	ctl_jw_bool(w, "enhanced_route_refresh", n->enhanced_rr);
	ctl_jw_obj_open(w, "extended_message");
	ctl_jw_bool(w, "receive", n->ext_msg_rx);
	ctl_jw_bool(w, "send", n->ext_msg_tx);
	ctl_jw_obj_close(w);
	jw_fams(w, "extended_next_hop", n->ext_nh);
	ctl_jw_obj_open(w, "add_path");
	jw_fams(w, "receive", n->addpath_rx);
	jw_fams(w, "send", n->addpath_tx);
	ctl_jw_obj_close(w);
	if (pc->gr) {
		ctl_jw_obj_open(w, "graceful_restart");
		ctl_jw_u64(w, "restart_time", pc->gr_time);
		ctl_jw_bool(w, "restarted", pc->gr_restarted);
		ctl_jw_bool(w, "notification", pc->gr_notification);
		jw_fams(w, "families", pc->gr_fams);
		jw_fams(w, "forwarding", pc->gr_fwd);
		ctl_jw_obj_close(w);
	} else {
		ctl_jw_null(w, "graceful_restart");
	}
	if (pc->hostname[0] != '\0')
		ctl_jw_strn(w, "hostname", pc->hostname,
			    strnlen(pc->hostname, sizeof pc->hostname));
	ctl_jw_obj_close(w);
}

static void
neighbor_stats(struct ctl_jw *w, const struct bgp_peer_stats *st)
{
	static const char *const names[6] = {NULL,	     "open",	  "update",
					     "notification", "keepalive", "route_refresh"};

	ctl_jw_obj_open(w, "stats");
	for (int t = 1; t < 6; t++) {
		ctl_jw_obj_open(w, names[t]);
		ctl_jw_u64(w, "sent", st->msgs_out[t]);
		ctl_jw_u64(w, "received", st->msgs_in[t]);
		ctl_jw_obj_close(w);
	}
	ctl_jw_u64(w, "updates_received", st->updates_in);
	ctl_jw_u64(w, "updates_sent", st->updates_out);
	ctl_jw_u64(w, "treat_as_withdraw", st->withdraw_treated);
	ctl_jw_u64(w, "attributes_discarded", st->attr_discarded);
	ctl_jw_u64(w, "flaps", st->flaps);
	ctl_jw_obj_close(w);
}

static void
neighbor_detail(struct ctl_jw *w, struct rde *r, struct bgp_peer *p, time_t now)
{
	const struct cfg_neighbor *c = bgp_peer_cfg(p);
	const struct bgp_peer_stats *st = bgp_peer_stats(p);
	const struct bgp_neg *n = bgp_peer_neg(p);
	const struct rib_peer *rp = rib_peer_get(rde_rib(r), bgp_peer_id(p));
	static const uint64_t zero[BGP_FAM_N];

	ctl_jw_obj_open(w, NULL);
	neighbor_head(w, r, p, now);
	ctl_jw_u64(w, "remote_port", c->port);
	ctl_jw_bool(w, "route_reflector_client", c->rr_client);
	ctl_jw_bool(w, "passive", c->passive);
	ctl_jw_obj_open(w, "families");
	for (int f = 0; f < BGP_FAM_N; f++) {
		ctl_jw_obj_open(w, ctl_af_name(f == BGP_FAM_V4 ? AF_INET : AF_INET6));
		ctl_jw_bool(w, "import", c->fam[f].import);
		ctl_jw_bool(w, "export", c->fam[f].export);
		jw_limit(w, "max_prefixes", &c->fam[f].max_prefixes);
		ctl_jw_obj_close(w);
	}
	ctl_jw_obj_close(w);
	neighbor_limits(w, r, p);
	if (n != NULL) {
		jw_u32_addr(w, "bgp_id", n->peer_open.bgp_id);
		ctl_jw_bool(w, "ibgp", n->ibgp);
		ctl_jw_u64(w, "hold_time", n->hold);
		ctl_jw_u64(w, "keepalive", n->keepalive);
		neighbor_caps(w, n);
	} else {
		ctl_jw_null(w, "bgp_id");
		ctl_jw_null(w, "capabilities");
	}
	neighbor_stats(w, st);
	jw_per_fam(w, "prefixes_stale", rp != NULL ? rp->stale : zero);
	if (st->last_error[0] != '\0')
		ctl_jw_strn(w, "last_error", st->last_error,
			    strnlen(st->last_error, sizeof st->last_error));
	else
		ctl_jw_null(w, "last_error");
	if (st->last_shutdown_msg[0] != '\0')
		ctl_jw_strn(w, "last_shutdown_message", st->last_shutdown_msg,
			    strnlen(st->last_shutdown_msg, sizeof st->last_shutdown_msg));
	else
		ctl_jw_null(w, "last_shutdown_message");
	ctl_jw_obj_close(w);
}

static struct bgp_peer *
find_peer(struct rde *r, const struct ctl_request *req, char *err, size_t errlen)
{
	char a[ADDR_STRLEN];
	struct bgp_peer *p = bgp_peer_by_addr(rde_speaker(r), req->nbr_af, req->nbr);
	if (p == NULL)
		snprintf(err, errlen, "neighbor %s: not configured",
			 addr_fmt(req->nbr_af, req->nbr, a));
	return p;
}

int
ctl_show_neighbors(struct rde *r, const struct ctl_request *req, struct ctl_jw *w, char *err,
		   size_t errlen)
{
	struct bgp_peer *only = NULL;
	time_t now = time(NULL);

	if (req->has_neighbor && (only = find_peer(r, req, err, errlen)) == NULL)
		return -1;
	ctl_jw_obj_open(w, NULL);
	ctl_jw_arr_open(w, "neighbors");
	if (only != NULL)
		neighbor_detail(w, r, only, now);
	else
		for (struct bgp_peer *p = bgp_peer_first(rde_speaker(r)); p != NULL;
		     p = bgp_peer_next(p))
			neighbor_detail(w, r, p, now);
	ctl_jw_arr_close(w);
	ctl_jw_obj_close(w);
	ctl_jw_end(w);
	return 0;
}

static void
nexthop_rule(const struct prefix *v4, const struct xlat_nh *nh, void *arg)
{
	struct ctl_jw *w = arg;

	ctl_jw_obj_open(w, NULL);
	ctl_jw_prefix(w, "ipv4", v4);
	ctl_jw_addr(w, "ipv6", AF_INET6, nh->v6);
	if (nh->dev[0] != '\0')
		ctl_jw_strn(w, "device", nh->dev, strnlen(nh->dev, sizeof nh->dev));
	ctl_jw_obj_close(w);
}

static void
nexthop_unknown(const uint8_t v4[4], uint64_t n, void *arg)
{
	struct ctl_jw *w = arg;

	ctl_jw_obj_open(w, NULL);
	ctl_jw_addr(w, "next_hop", AF_INET, v4);
	ctl_jw_u64(w, "paths", n);
	ctl_jw_obj_close(w);
}

static void
eam_entry(const struct prefix *v4, const struct prefix *v6, void *arg)
{
	struct ctl_jw *w = arg;

	ctl_jw_obj_open(w, NULL);
	ctl_jw_prefix(w, "ipv4", v4);
	ctl_jw_prefix(w, "ipv6", v6);
	ctl_jw_obj_close(w);
}

int
ctl_show_nexthops(struct rde *r, struct ctl_jw *w)
{
	const struct cfg *c = rde_cfg(r);
	const struct prefix *t = xlat_get_prefix(c->xlat);
	bool dflt = c->unknown_policy == XLAT_UNKNOWN_DEFAULT;

	ctl_jw_obj_open(w, NULL);
	ctl_jw_obj_open(w, "nexthops");
	if (t != NULL)
		ctl_jw_prefix(w, "translation_prefix", t);
	else
		ctl_jw_null(w, "translation_prefix");
	ctl_jw_str(w, "unknown_next_hop", dflt ? "default" : "reject");
	if (dflt) {
		ctl_jw_addr(w, "default_next_hop", AF_INET6, c->unknown_default.v6);
		if (c->unknown_default.dev[0] != '\0')
			ctl_jw_strn(w, "default_device", c->unknown_default.dev,
				    strnlen(c->unknown_default.dev, sizeof c->unknown_default.dev));
	} else {
		ctl_jw_null(w, "default_next_hop");
	}
	ctl_jw_arr_open(w, "rules");
	xlat_nexthop_walk(c->xlat, nexthop_rule, w);
	ctl_jw_arr_close(w);
	ctl_jw_arr_open(w, "unknown");
	rde_unknown_walk(r, nexthop_unknown, w);
	ctl_jw_arr_close(w);
	ctl_jw_u64(w, "untranslated_paths", rde_untranslated_paths(r));
	ctl_jw_arr_open(w, "explicit_mappings");
	xlat_eam_walk(c->xlat, eam_entry, w);
	ctl_jw_arr_close(w);
	ctl_jw_obj_close(w);
	ctl_jw_obj_close(w);
	ctl_jw_end(w);
	return 0;
}

/* ---- show translation ---- */

struct xlat_view {
	struct prefix v4, v6;
	enum xlat_rule rule;
	bool has_src;
	struct prefix src;
	const char *warning;
};

/*
 * Both sides of the query and the rule joining them. The mapping is shown even where the
 * policy does not announce it (then with a warning). -1 with err when nothing maps it.
 */
static int
xlat_view(const struct xlat *x, const struct prefix *in, struct xlat_view *v, char *err,
	  size_t errlen)
{
	const struct prefix *t = xlat_get_prefix(x);
	struct xlat_route xr[RDE_XROUTES_MAX];
	enum xlat_reason why = XLAT_OK;
	char a[PREFIX_STRLEN], b[PREFIX_STRLEN];

	memset(v, 0, sizeof *v);
	if (in->af == AF_INET6) {
		v->v6 = *in;
		if (xlat_unmap_prefix(x, in, &v->v4, &v->rule) < 0) {
			snprintf(err, errlen,
				 "%s: not inside the translation prefix%s%s or an explicit mapping",
				 prefix_fmt(in, a), t != NULL ? " " : "",
				 t != NULL ? prefix_fmt(t, b) : "");
			return -1;
		}
	} else {
		v->v4 = *in;
	}
	int k = xlat_map_prefix(x, &v->v4, xr, RDE_XROUTES_MAX, &why);
	if (k > 0) {
		if (in->af == AF_INET) {
			v->v6 = xr[0].v6;
			v->rule = xr[0].rule;
		}
		v->has_src = xr[0].rule == v->rule;
		v->src = xr[0].src;
	} else if (why == XLAT_NON_GLOBAL && t != NULL) {
		if (in->af == AF_INET) {
			xlat_prefix_4to6(t, &v->v4, &v->v6);
			v->rule = XLAT_RULE_RFC6052;
		}
		v->has_src = v->rule == XLAT_RULE_RFC6052;
		v->src = *t;
		v->warning = "not globally reachable: not announced under the well-known prefix";
	} else if (in->af == AF_INET) {
		snprintf(err, errlen, "%s: no translation prefix or explicit mapping covers it",
			 prefix_fmt(in, a));
		return -1;
	}
	return 0;
}

/* Address or prefix, as the query was given. */
static void
jw_query(struct ctl_jw *w, const char *key, const struct prefix *p, bool addr)
{
	if (addr)
		ctl_jw_addr(w, key, p->af, p->a);
	else
		ctl_jw_prefix(w, key, p);
}

/* The IPv4 route covering v4 and the IPv6 routes derived from it. */
static void
translation_routes(struct ctl_jw *w, struct rde *r, const struct prefix *v4)
{
	struct radix_node *n = ctl_rib_lpm(r, v4, NULL);
	struct rde_xroute xr[RDE_XROUTES_MAX];
	struct prefix p4;
	int k = 0;

	if (n != NULL) {
		radix_prefix(rib_tree(rde_rib(r), BGP_FAM_V4), n, &p4);
		ctl_render_route(w, r, "route", &p4, rib_best(n), NULL);
		enum xlat_reason why = XLAT_OK;
		k = rde_translate(r, &p4, rib_best(n), xr, RDE_XROUTES_MAX, &why);
		if (why == XLAT_POLICY_REJECT)
			k = 0; /* no IPv6 route: the policy said so, not a missing next hop */
		const char *pol, *rule;
		int idx;
		bool ok = rde_xlat_decision(r, &p4, rib_best(n), &pol, &rule, &idx);
		if (pol != NULL) {
			/* the translation policy's rule that decided */
			ctl_jw_obj_open(w, "policy");
			ctl_jw_str(w, "name", pol);
			ctl_jw_str(w, "rule", rule);
			if (idx >= 0)
				ctl_jw_u64(w, "rule_index", (uint64_t)idx);
			else
				ctl_jw_null(w, "rule_index");
			ctl_jw_str(w, "decision", ok ? "accept" : "reject");
			ctl_jw_obj_close(w);
		} else {
			ctl_jw_null(w, "policy");
		}
	} else {
		ctl_jw_null(w, "route");
	}
	ctl_jw_arr_open(w, "ipv6_routes");
	for (int i = 0; i < k; i++)
		ctl_render_xroute(w, r, &p4, rib_best(n), &xr[i]);
	ctl_jw_arr_close(w);
}

int
ctl_show_translation(struct rde *r, const struct ctl_request *req, struct ctl_jw *w, char *err,
		     size_t errlen)
{
	const struct xlat *x = rde_cfg(r)->xlat;
	const struct prefix *in = &req->prefix;
	bool addr = req->prefix_is_addr;
	struct xlat_view v;

	if (xlat_view(x, in, &v, err, errlen) < 0)
		return -1;
	ctl_jw_obj_open(w, NULL);
	ctl_jw_obj_open(w, "translation");
	jw_query(w, "input", in, addr);
	jw_query(w, "ipv4", &v.v4, addr);
	jw_query(w, "ipv6", &v.v6, addr);
	ctl_jw_str(w, "rule", v.rule == XLAT_RULE_EAM ? "eam" : "rfc6052");
	if (v.has_src)
		ctl_jw_prefix(w, "rule_source", &v.src);
	else
		ctl_jw_null(w, "rule_source");
	if (v.warning != NULL)
		ctl_jw_str(w, "warning", v.warning);
	if (in->af == AF_INET && addr) {
		/* The address as a next hop: its rule and the IPv6 next hop it gets. */
		struct prefix rule;
		const struct xlat_nh *nh = xlat_map_nexthop(x, v.v4.a);
		if (nh != NULL)
			ctl_jw_addr(w, "next_hop", AF_INET6, nh->v6);
		else
			ctl_jw_null(w, "next_hop");
		if (ctl_xlat_nexthop_rule(x, v.v4.a, &rule, NULL))
			ctl_jw_prefix(w, "next_hop_rule", &rule);
		else
			ctl_jw_null(w, "next_hop_rule");
	}
	translation_routes(w, r, &v.v4);
	if (in->af == AF_INET6) {
		struct radix_node *n = ctl_rib_lpm(r, in, NULL);
		struct prefix p6;
		if (n != NULL) {
			radix_prefix(rib_tree(rde_rib(r), BGP_FAM_V6), n, &p6);
			ctl_render_route(w, r, "native_route", &p6, rib_best(n), NULL);
		} else {
			ctl_jw_null(w, "native_route");
		}
	}
	ctl_jw_obj_close(w);
	ctl_jw_obj_close(w);
	ctl_jw_end(w);
	return 0;
}

/* ---- neighbor commands ---- */

int
ctl_neighbor_cmd(struct rde *r, const struct ctl_request *req, struct ctl_jw *w, char *err,
		 size_t errlen)
{
	char a[ADDR_STRLEN];
	const char *msg = req->message;
	int rc = -1;

	if (find_peer(r, req, err, errlen) == NULL)
		return -1;
	switch (req->action) {
	case CTL_ACT_RESET:
		rc = rde_neighbor_reset(r, req->nbr_af, req->nbr, msg);
		break;
	case CTL_ACT_SHUTDOWN:
		rc = rde_neighbor_shutdown(r, req->nbr_af, req->nbr, msg);
		break;
	case CTL_ACT_START:
		rc = rde_neighbor_start(r, req->nbr_af, req->nbr);
		break;
	case CTL_ACT_REFRESH:
		rc = rde_neighbor_refresh(r, req->nbr_af, req->nbr);
		break;
	}
	addr_fmt(req->nbr_af, req->nbr, a);
	if (rc < 0) {
		snprintf(err, errlen, "neighbor %s: %s failed", a, ctl_action_name(req->action));
		return -1;
	}
	ctl_jw_obj_open(w, NULL);
	ctl_jw_str(w, "result", "ok");
	ctl_jw_str(w, "neighbor", a);
	ctl_jw_str(w, "action", ctl_action_name(req->action));
	ctl_jw_obj_close(w);
	ctl_jw_end(w);
	return 0;
}

/* show fib: the kernel export's settings and counters (the routes themselves are the
 * translated table: show rib ipv6, or ip -6 route show proto N). */
int
ctl_show_fib(struct rde *r, struct ctl_jw *w)
{
	const struct cfg *c = rde_cfg(r);
	const struct fib *f = rde_fib(r);
	ctl_jw_obj_open(w, NULL);
	ctl_jw_obj_open(w, "fib");
	ctl_jw_bool(w, "enabled", f != NULL);
	ctl_jw_u64(w, "table", c->fib.table);
	ctl_jw_u64(w, "protocol", c->fib.protocol);
	ctl_jw_u64(w, "metric", c->fib.metric);
	if (f != NULL) {
		const struct fib_stats *s = fib_stats(f);
		ctl_jw_bool(w, "sync_active", fib_sync_active(f));
		ctl_jw_u64(w, "queued", fib_queued(f));
		ctl_jw_u64(w, "installed", s->installed);
		ctl_jw_u64(w, "deleted", s->deleted);
		ctl_jw_u64(w, "absent", s->absent);
		ctl_jw_u64(w, "errors", s->errors);
		ctl_jw_u64(w, "batches", s->batches);
		ctl_jw_u64(w, "stale_removed", s->stale);
		ctl_jw_u64(w, "enobufs", s->enobufs);
		ctl_jw_str(w, "last_error", s->last_error[0] ? s->last_error : NULL);
	}
	ctl_jw_obj_close(w);
	ctl_jw_obj_close(w);
	ctl_jw_end(w);
	return 0;
}

/* show config: the file as the daemon parsed it, secrets hidden (config.c, cfg->source). */
int
ctl_show_config(struct rde *r, struct ctl_jw *w)
{
	const struct cfg *cf = rde_cfg(r);
	ctl_jw_obj_open(w, NULL);
	ctl_jw_str(w, "path", cf->path);
	ctl_jw_key(w, "config");
	ctl_jw_raw(w, "%s", cf->source != NULL ? cf->source : "null");
	ctl_jw_obj_close(w);
	ctl_jw_end(w);
	return 0;
}
