/*
 * bgp64ctl --text: the JSON answers rendered for people. Small documents arrive whole and are
 * laid out with computed column widths (struct bgp64ctl_table); show rib arrives one route
 * object at a time and uses fixed widths per address family, so memory stays bounded by one
 * route whatever the table size. The JSON schema is the contract (bgp64ctl(8)); this layout
 * is not, and may change.
 */
#include "cli/bgp64ctl.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/pool.h"

/* ---- helpers ---- */

static const char *
js(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* A member as text: strings as they are, numbers in decimal, null/absent as dflt. */
static const char *
jtext(json_t *o, const char *k, const char *dflt, char buf[32])
{
	json_t *v = json_object_get(o, k);
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, 32, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	}
	if (json_is_true(v))
		return "yes";
	if (json_is_false(v))
		return "no";
	return dflt;
}

static long long
jint(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

static bool
jtrue(json_t *o, const char *k)
{
	return json_is_true(json_object_get(o, k));
}

/* The strings of an array member joined by sep into buf. */
static const char *
jjoin(json_t *o, const char *k, const char *sep, char *buf, size_t len)
{
	json_t *a = json_object_get(o, k), *v;
	size_t i, n = 0;

	buf[0] = '\0';
	json_array_foreach(a, i, v)
	{
		if (!json_is_string(v))
			continue;
		int k2 = snprintf(buf + n, len - n, "%s%s", n > 0 ? sep : "", json_string_value(v));
		if (k2 < 0 || (size_t)k2 >= len - n)
			break;
		n += (size_t)k2;
	}
	return buf;
}

const char *
bgp64ctl_fmt_duration(long long t, char buf[32])
{
	if (t < 0) {
		snprintf(buf, 32, "never");
		return buf;
	}
	unsigned long long s = (unsigned long long)t;
	unsigned long long w = s / 604800, d = s / 86400 % 7, h = s / 3600 % 24, m = s / 60 % 60;
	if (s < 86400)
		snprintf(buf, 32, "%02llu:%02llu:%02llu", s / 3600, m, s % 60);
	else if (s < 604800)
		snprintf(buf, 32, "%llud%02lluh%02llum", s / 86400, h, m);
	else
		snprintf(buf, 32, "%lluw%llud%02lluh", w, d, h);
	return buf;
}

/* ---- tables ---- */

void
bgp64ctl_table_init(struct bgp64ctl_table *t, size_t ncols)
{
	memset(t, 0, sizeof *t);
	t->ncols = ncols;
}

void
bgp64ctl_table_row(struct bgp64ctl_table *t, const char *const *cols)
{
	if ((t->nrows + 1) * t->ncols > t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16 * t->ncols;
		t->cells = xrealloc(t->cells, t->cap * sizeof *t->cells);
	}
	for (size_t i = 0; i < t->ncols; i++)
		t->cells[t->nrows * t->ncols + i] = cols[i] != NULL ? xstrdup(cols[i]) : NULL;
	t->nrows++;
}

void
bgp64ctl_table_print(const struct bgp64ctl_table *t, FILE *out, const char *indent)
{
	size_t w[16] = {0};

	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols && c < 16; c++) {
			const char *s = t->cells[r * t->ncols + c];
			size_t l = s != NULL ? strlen(s) : 0;
			if (l > w[c])
				w[c] = l;
		}
	for (size_t r = 0; r < t->nrows; r++) {
		/* Trailing empty cells print nothing, so lines carry no trailing blanks. */
		size_t last = t->ncols;
		while (last > 0 && t->cells[r * t->ncols + last - 1] == NULL)
			last--;
		fputs(indent, out);
		for (size_t c = 0; c < last; c++) {
			const char *s = t->cells[r * t->ncols + c];
			if (c + 1 == last)
				fprintf(out, "%s", s != NULL ? s : "");
			else
				fprintf(out, "%-*s  ", (int)w[c < 16 ? c : 15], s != NULL ? s : "");
		}
		fputc('\n', out);
	}
}

void
bgp64ctl_table_free(struct bgp64ctl_table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof *t);
}

/* ---- show rib ---- */

#define RIB_NBR_W 16

void
bgp64ctl_rib_text_init(struct bgp64ctl_rib_text *t, FILE *out)
{
	memset(t, 0, sizeof *t);
	t->out = out;
}

static void
rib_widths(int af, int *wp, int *wn)
{
	*wp = af == 6 ? 30 : 18;
	*wn = af == 6 ? 25 : 15;
}

static void
rib_header(struct bgp64ctl_rib_text *t, int af)
{
	int wp, wn;

	rib_widths(af, &wp, &wn);
	if (t->af == 0)
		fprintf(t->out, "flags: * valid, > best, S stale, T translated, "
				"! no IPv6 next hop (not announced), F filtered on import\n"
				"origin: i IGP, e EGP, ? incomplete\n");
	fprintf(t->out, "\n%-3s %-*s %-*s %-*s %6s %6s  %s\n", "", wp, "prefix", wn, "next hop",
		RIB_NBR_W, "neighbor", "lpref", "med", "AS path");
	t->af = af;
}

static char
origin_code(const char *o)
{
	if (o == NULL)
		return '?';
	if (strcmp(o, "IGP") == 0)
		return 'i';
	if (strcmp(o, "EGP") == 0)
		return 'e';
	return '?';
}

/* One column of width w followed by a blank; an overflowing value gets a line of its own and
 * the row continues at column next (the start of the following column). */
static void
rib_cell(FILE *out, const char *v, int w, int next)
{
	if ((int)strlen(v) <= w) {
		fprintf(out, "%-*s ", w, v);
		return;
	}
	fprintf(out, "%s\n%*s", v, next + w + 1, "");
}

/* The attributes a table row has no room for, one line each (a single prefix asked for). */
static void
rib_detail(FILE *out, json_t *path)
{
	static const struct {
		const char *key, *label;
	} lists[] = {
	    {"communities", "Communities"},
	    {"large_communities", "Large communities"},
	    {"extended_communities", "Extended communities"},
	    {"cluster_list", "Cluster list"},
	};
	char buf[4096];

	for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
		if (json_array_size(json_object_get(path, lists[i].key)) > 0)
			fprintf(out, "      %s: %s\n", lists[i].label,
				jjoin(path, lists[i].key, " ", buf, sizeof buf));
	if (js(path, "originator_id") != NULL)
		fprintf(out, "      Originator: %s\n", js(path, "originator_id"));
	json_t *agg = json_object_get(path, "aggregator");
	if (json_is_object(agg))
		fprintf(out, "      Aggregator: AS%lld %s\n", jint(agg, "as"),
			jtext(agg, "address", "?", (char[32]){0}));
	if (jtrue(path, "atomic_aggregate"))
		fprintf(out, "      Atomic aggregate\n");
	if (json_object_get(path, "otc") != NULL)
		fprintf(out, "      Only to customer: AS%lld\n", jint(path, "otc"));
}

static void
rib_row(struct bgp64ctl_rib_text *t, json_t *route, json_t *path)
{
	const char *prefix = js(route, "prefix");
	bool xl = jtrue(route, "translated");
	char flags[4] = "*  ", lp[32], med[32];
	const char *nh;
	int wp, wn;

	rib_widths(t->af, &wp, &wn);
	if (xl) {
		flags[0] = 'T';
		flags[1] = js(route, "next_hop") != NULL ? '>' : '!';
		nh = js(route, "next_hop");
	} else {
		if (jtrue(path, "best"))
			flags[1] = '>';
		nh = js(path, "next_hop");
	}
	if (jtrue(path, "stale"))
		flags[2] = 'S';
	bool filtered = jtrue(route, "filtered");
	if (filtered)
		flags[0] = 'F';
	const char *as_path = js(path, "as_path");
	/* A prefix or next hop wider than its column ends the line and the row carries on
	 * under the next column (like a router's show ip bgp), so the columns stay aligned for
	 * a /121 explicit mapping or a long IPv6 next hop. */
	fprintf(t->out, "%-3s ", flags);
	rib_cell(t->out, prefix, wp, 4);
	rib_cell(t->out, nh != NULL ? nh : "-", wn, 4 + wp + 1);
	fprintf(t->out, "%-*s %6s %6s  %s%s%c", RIB_NBR_W,
		jtext(path, "neighbor", "-", (char[32]){0}), jtext(path, "local_pref", "-", lp),
		jtext(path, "med", "-", med), as_path != NULL ? as_path : "",
		as_path != NULL && as_path[0] != '\0' ? " " : "", origin_code(js(path, "origin")));
	if (xl)
		fprintf(t->out, "  <- %s via %s (%s)", js(route, "ipv4_prefix"),
			jtext(route, "ipv4_next_hop", "-", (char[32]){0}), js(route, "rule"));
	if (filtered) {
		json_t *f = json_object_get(path, "filter");
		fprintf(t->out, "  rejected by %s rule %s", jtext(f, "policy", "-", (char[64]){0}),
			jtext(f, "rule", "-", (char[64]){0}));
	}
	fputc('\n', t->out);
	if (t->detail)
		rib_detail(t->out, path);
}

int
bgp64ctl_rib_text_route(const char *elem, size_t len, void *arg)
{
	struct bgp64ctl_rib_text *t = arg;
	json_error_t je;
	json_t *route = json_loadb(elem, len, 0, &je), *path;
	size_t i;

	if (route == NULL || js(route, "prefix") == NULL) {
		json_decref(route);
		return 1;
	}
	int af = strchr(js(route, "prefix"), ':') != NULL ? 6 : 4;
	if (af != t->af)
		rib_header(t, af);
	json_array_foreach(json_object_get(route, "paths"), i, path) rib_row(t, route, path);
	t->routes++;
	json_decref(route);
	return 0;
}

void
bgp64ctl_rib_text_end(struct bgp64ctl_rib_text *t)
{
	if (t->routes == 0)
		fprintf(t->out, "no matching routes\n");
}

/* ---- show summary ---- */

/* The FSM state, or "Idle (Admin)" for a neighbor the operator shut down (like bgpctl). */
static const char *
state_text(json_t *n, char buf[32])
{
	if (jtrue(n, "admin_down"))
		return "Idle (Admin)";
	return jtext(n, "state", "?", buf);
}

/* The counters the logs point to ("counted in show summary"), one "name value" per line. */
static void
text_counters(FILE *out, json_t *st)
{
	static const struct {
		const char *key, *label;
	} rows[] = {
	    {"updates_received", "UPDATEs received"},
	    {"prefixes_received", "prefixes received"},
	    {"withdraws_received", "withdrawals received"},
	    {"updates_sent", "UPDATEs sent"},
	    {"prefixes_sent", "prefixes sent"},
	    {"withdraws_sent", "withdrawals sent"},
	    {"treat_as_withdraw", "treat-as-withdraw (RFC 7606)"},
	    {"loops_dropped", "paths dropped: AS path or cluster loop"},
	    {"import_denied", "paths not imported (family import off)"},
	    {"non_global_skipped", "not translated: not globally reachable (RFC 6052 3.1)"},
	    {"wkp_specifics_blocked", "WKP more-specifics held back from eBGP"},
	    {"no_next_hop", "not translated: no IPv6 next hop (show nexthops)"},
	};
	struct bgp64ctl_table t;
	char b[32];

	if (!json_is_object(st))
		return;
	bgp64ctl_table_init(&t, 2);
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		if (json_object_get(st, rows[i].key) != NULL)
			bgp64ctl_table_row(&t, (const char *const[]){
						   rows[i].label, jtext(st, rows[i].key, "0", b)});
	fprintf(out, "\nCounters:\n");
	bgp64ctl_table_print(&t, out, "  ");
	bgp64ctl_table_free(&t);
}

static void
text_summary(FILE *out, json_t *s)
{
	char b1[32], b2[32], b3[32];
	json_t *pfx = json_object_get(s, "prefixes"), *mem = json_object_get(s, "memory"), *n;
	struct bgp64ctl_table t;
	size_t i;

	fprintf(out, "bgp64d %s: router id %s, AS %s, up %s\n", jtext(s, "version", "?", b1),
		jtext(s, "router_id", "?", b2), jtext(s, "as", "?", b3),
		bgp64ctl_fmt_duration(jint(s, "uptime"), (char[32]){0}));
	fprintf(out, "translation prefix %s\n", jtext(s, "translation_prefix", "none", b1));
	fprintf(out, "%s IPv4 and %s IPv6 prefixes, %lld paths, %lld attribute sets, %.1f MiB\n",
		jtext(pfx, "ipv4", "0", b1), jtext(pfx, "ipv6", "0", b2), jint(s, "paths"),
		jint(s, "attribute_sets"), (double)jint(mem, "total_bytes") / (1024.0 * 1024.0));
	bgp64ctl_table_init(&t, 9);
	bgp64ctl_table_row(&t, (const char *const[]){"Neighbor", "AS", "State", "Up/Down",
						     "IPv4 rcvd", "IPv6 rcvd", "IPv4 sent",
						     "IPv6 sent", "Description"});
	json_array_foreach(json_object_get(s, "neighbors"), i, n)
	{
		char as[32], v4[32], v6[32], up[32];
		json_t *pr = json_object_get(n, "prefixes_received");
		json_t *ps = json_object_get(n, "prefixes_sent");
		char s4[32], s6[32];
		bool est = strcmp(jtext(n, "state", "", b1), "Established") == 0;
		long long updown = est ? jint(n, "uptime") : jint(n, "last_updown_sec");
		bgp64ctl_table_row(&t, (const char *const[]){
					   jtext(n, "remote_addr", "?", b2),
					   jtext(n, "remote_as", "?", as), state_text(n, b3),
					   bgp64ctl_fmt_duration(updown, up),
					   jtext(pr, "ipv4", "0", v4), jtext(pr, "ipv6", "0", v6),
					   jtext(ps, "ipv4", "0", s4), jtext(ps, "ipv6", "0", s6),
					   js(n, "description")});
	}
	fputc('\n', out);
	bgp64ctl_table_print(&t, out, "");
	bgp64ctl_table_free(&t);
	text_counters(out, json_object_get(s, "stats"));
}

/* ---- show neighbors ---- */

static void
text_caps(FILE *out, json_t *c)
{
	char buf[256], b2[256];
	json_t *em = json_object_get(c, "extended_message"), *ap = json_object_get(c, "add_path");
	json_t *gr = json_object_get(c, "graceful_restart");

	fprintf(out, "  Capabilities: multiprotocol %s",
		jjoin(c, "multiprotocol", ", ", buf, sizeof buf));
	if (jtrue(c, "as4"))
		fprintf(out, "; 4-octet AS");
	if (jtrue(c, "route_refresh"))
		fprintf(out, "; route refresh");
	if (jtrue(c, "enhanced_route_refresh"))
		fprintf(out, "; enhanced route refresh");
	if (jtrue(em, "receive") || jtrue(em, "send"))
		fprintf(out, "; extended message (%s%s%s)", jtrue(em, "receive") ? "receive" : "",
			jtrue(em, "receive") && jtrue(em, "send") ? ", " : "",
			jtrue(em, "send") ? "send" : "");
	if (json_array_size(json_object_get(c, "extended_next_hop")) > 0)
		fprintf(out, "; extended next hop %s",
			jjoin(c, "extended_next_hop", ", ", buf, sizeof buf));
	if (json_array_size(json_object_get(ap, "receive")) +
		json_array_size(json_object_get(ap, "send")) >
	    0)
		fprintf(out, "; add-path receive [%s] send [%s]",
			jjoin(ap, "receive", ", ", buf, sizeof buf),
			jjoin(ap, "send", ", ", b2, sizeof b2));
	if (json_is_object(gr)) {
		fprintf(out, "; graceful restart (restart time %llds, ", jint(gr, "restart_time"));
		if (json_array_size(json_object_get(gr, "families")) > 0)
			fprintf(out, "forwarding state kept for %s)",
				jjoin(gr, "families", ", ", buf, sizeof buf));
		else
			fprintf(out, "no family's forwarding state kept)");
	}
	if (js(c, "hostname") != NULL)
		fprintf(out, "; hostname %s", js(c, "hostname"));
	fputc('\n', out);
}

static void
text_neighbor(FILE *out, json_t *n)
{
	char b1[32], b2[32], b3[32];
	json_t *st = json_object_get(n, "stats"), *c = json_object_get(n, "capabilities"), *f;
	const char *name;
	struct bgp64ctl_table t;

	fprintf(out, "BGP neighbor %s, remote AS %s", jtext(n, "remote_addr", "?", b1),
		jtext(n, "remote_as", "?", b2));
	if (js(n, "description") != NULL)
		fprintf(out, ", description: %s", js(n, "description"));
	const char *state = state_text(n, b3);
	bool est = strcmp(state, "Established") == 0;
	fprintf(out, "\n  State %s, %s %s\n", state, est ? "up for" : "last up/down",
		bgp64ctl_fmt_duration(est ? jint(n, "uptime") : jint(n, "last_updown_sec"), b2));
	if (json_is_object(c)) {
		fprintf(out, "  BGP ID %s, %s, hold time %llds, keepalive %llds\n",
			jtext(n, "bgp_id", "?", b1), jtrue(n, "ibgp") ? "iBGP" : "eBGP",
			jint(n, "hold_time"), jint(n, "keepalive"));
		text_caps(out, c);
	}
	fprintf(out, "  Families:");
	json_object_foreach(json_object_get(n, "families"), name, f)
	    fprintf(out, " %s (%s%s)", name, jtrue(f, "import") ? "import" : "no import",
		    jtrue(f, "export") ? ", export" : ", no export");
	fprintf(out, "%s%s\n", jtrue(n, "route_reflector_client") ? "; route reflector client" : "",
		jtrue(n, "passive") ? "; passive" : "");
	bgp64ctl_table_init(&t, 3);
	bgp64ctl_table_row(&t, (const char *const[]){"Messages", "Sent", "Received"});
	static const char *const kinds[] = {"open", "update", "notification", "keepalive",
					    "route_refresh"};
	for (size_t i = 0; i < 5; i++) {
		json_t *k = json_object_get(st, kinds[i]);
		bgp64ctl_table_row(&t, (const char *const[]){kinds[i], jtext(k, "sent", "0", b1),
							     jtext(k, "received", "0", b2)});
	}
	bgp64ctl_table_print(&t, out, "  ");
	bgp64ctl_table_free(&t);
	json_t *pr = json_object_get(n, "prefixes_received");
	fprintf(out,
		"  Prefixes received: %s IPv4, %s IPv6; treat-as-withdraw %s, attributes "
		"discarded %s, flaps %s\n",
		jtext(pr, "ipv4", "0", b1), jtext(pr, "ipv6", "0", b2),
		jtext(st, "treat_as_withdraw", "0", b3),
		jtext(st, "attributes_discarded", "0", (char[32]){0}),
		jtext(st, "flaps", "0", (char[32]){0}));
	json_t *ps = json_object_get(n, "prefixes_sent"),
	       *ws = json_object_get(n, "withdrawals_sent");
	if (json_is_object(ps))
		fprintf(out,
			"  Prefixes sent this session: %s IPv4, %s IPv6; withdrawals sent %s IPv4, "
			"%s IPv6 (bgp64ctl show rib out neighbor ADDR lists them)\n",
			jtext(ps, "ipv4", "0", b1), jtext(ps, "ipv6", "0", b2),
			jtext(ws, "ipv4", "0", b3), jtext(ws, "ipv6", "0", (char[32]){0}));
	if (js(n, "last_error") != NULL)
		fprintf(out, "  Last error: %s\n", js(n, "last_error"));
	if (js(n, "last_shutdown_message") != NULL)
		fprintf(out, "  Last shutdown message: \"%s\"\n", js(n, "last_shutdown_message"));
}

/* ---- show nexthops ---- */

static void
text_nexthops(FILE *out, json_t *nh)
{
	char b1[32], b2[32];
	struct bgp64ctl_table t;
	json_t *e;
	size_t i;

	fprintf(out, "Translation prefix: %s\n", jtext(nh, "translation_prefix", "none", b1));
	fprintf(out, "Unknown next hops: %s", jtext(nh, "unknown_next_hop", "?", b1));
	if (js(nh, "default_next_hop") != NULL)
		fprintf(out, " (default %s%s%s)", js(nh, "default_next_hop"),
			js(nh, "default_device") ? " dev " : "",
			js(nh, "default_device") ? js(nh, "default_device") : "");
	fprintf(out, "\n\nNext-hop rules:\n");
	bgp64ctl_table_init(&t, 3);
	bgp64ctl_table_row(&t, (const char *const[]){"IPv4 prefix", "IPv6 next hop", "Device"});
	json_array_foreach(json_object_get(nh, "rules"), i, e) bgp64ctl_table_row(
	    &t, (const char *const[]){js(e, "ipv4"), js(e, "ipv6"), js(e, "device")});
	bgp64ctl_table_print(&t, out, "  ");
	bgp64ctl_table_free(&t);

	fprintf(out, "\nUnknown next hops (%s best paths not translated):\n",
		jtext(nh, "untranslated_paths", "0", b1));
	bgp64ctl_table_init(&t, 2);
	bgp64ctl_table_row(&t, (const char *const[]){"IPv4 next hop", "Paths"});
	json_array_foreach(json_object_get(nh, "unknown"), i, e) bgp64ctl_table_row(
	    &t, (const char *const[]){js(e, "next_hop"), jtext(e, "paths", "0", b2)});
	bgp64ctl_table_print(&t, out, "  ");
	bgp64ctl_table_free(&t);

	fprintf(out, "\nExplicit mappings:\n");
	bgp64ctl_table_init(&t, 2);
	bgp64ctl_table_row(&t, (const char *const[]){"IPv4 prefix", "IPv6 prefix"});
	json_array_foreach(json_object_get(nh, "explicit_mappings"), i, e)
	    bgp64ctl_table_row(&t, (const char *const[]){js(e, "ipv4"), js(e, "ipv6")});
	bgp64ctl_table_print(&t, out, "  ");
	bgp64ctl_table_free(&t);
}

/* ---- show translation ---- */

static void
route_line(FILE *out, const char *label, json_t *route, const char *none)
{
	json_t *p = json_array_get(json_object_get(route, "paths"), 0);
	char b1[32];

	if (!json_is_object(route)) {
		fprintf(out, "%-14s %s\n", label, none);
		return;
	}
	const char *asp = jtext(p, "as_path", "", (char[32]){0});
	fprintf(out, "%-14s %s via %s from %s, ", label, js(route, "prefix"),
		jtext(p, "next_hop", "-", b1), jtext(p, "neighbor", "-", (char[32]){0}));
	if (asp[0] == '\0')
		fprintf(out, "empty AS path (from the local AS)\n");
	else
		fprintf(out, "AS path %s\n", asp);
}

static void
text_translation(FILE *out, json_t *x)
{
	char b1[32];
	json_t *r;
	size_t i;

	fprintf(out, "%-14s %s\n", "Input", js(x, "input"));
	fprintf(out, "%-14s %s\n", "IPv4", js(x, "ipv4"));
	fprintf(out, "%-14s %s\n", "IPv6", js(x, "ipv6"));
	fprintf(out, "%-14s %s (%s)\n", "Rule", js(x, "rule"), jtext(x, "rule_source", "-", b1));
	if (js(x, "warning") != NULL)
		fprintf(out, "%-14s %s\n", "Warning", js(x, "warning"));
	if (js(x, "next_hop") != NULL)
		fprintf(out, "%-14s %s (next-hop rule %s)\n", "As next hop", js(x, "next_hop"),
			jtext(x, "next_hop_rule", "?", b1));
	else if (json_object_get(x, "next_hop") != NULL)
		fprintf(out,
			"%-14s no next-hop rule matches (routes via %s get no IPv6 next hop "
			"from the table)\n",
			"As next hop", js(x, "ipv4"));
	route_line(out, "IPv4 route", json_object_get(x, "route"),
		   "no IPv4 route covers it: nothing is translated");
	if (json_is_object(json_object_get(x, "route")) &&
	    json_array_size(json_object_get(x, "ipv6_routes")) == 0)
		fprintf(out, "%-14s none\n", "IPv6 routes");
	json_array_foreach(json_object_get(x, "ipv6_routes"), i, r)
	{
		fprintf(out, "%-14s %s via %s", i == 0 ? "IPv6 routes" : "", js(r, "prefix"),
			jtext(r, "next_hop", "-", b1));
		if (js(r, "next_hop") == NULL)
			fprintf(out, " (not announced: %s)",
				jtext(r, "untranslated_reason", "?", b1));
		else
			fprintf(out, " (%s)", jtext(r, "next_hop_source", "?", b1));
		fputc('\n', out);
	}
	if (json_object_get(x, "native_route") != NULL)
		route_line(out, "Native IPv6", json_object_get(x, "native_route"),
			   "no native IPv6 route");
}

void
bgp64ctl_text_doc(FILE *out, const char *cmd, json_t *doc)
{
	json_t *n;
	size_t i;

	if (strcmp(cmd, "show summary") == 0) {
		text_summary(out, json_object_get(doc, "summary"));
	} else if (strcmp(cmd, "show neighbors") == 0) {
		json_array_foreach(json_object_get(doc, "neighbors"), i, n)
		{
			if (i > 0)
				fputc('\n', out);
			text_neighbor(out, n);
		}
	} else if (strcmp(cmd, "show nexthops") == 0) {
		text_nexthops(out, json_object_get(doc, "nexthops"));
	} else if (strcmp(cmd, "show translation") == 0) {
		text_translation(out, json_object_get(doc, "translation"));
	} else if (strcmp(cmd, "show fib") == 0) {
		/* key: value lines, in the daemon's order */
		const char *k;
		json_t *v;
		json_object_foreach(json_object_get(doc, "fib"), k, v)
		{
			char *txt = json_is_string(v) ? NULL : json_dumps(v, JSON_ENCODE_ANY);
			fprintf(out, "%-14s %s\n", k,
				json_is_string(v) ? json_string_value(v)
				: txt		  ? txt
						  : "?");
			free(txt);
		}
		if (json_is_false(json_object_get(json_object_get(doc, "fib"), "enabled")))
			fprintf(out,
				"(fib.enabled is false: nothing is installed in the kernel, so "
				"there are no counters)\n");
	} else if (strcmp(cmd, "show config") == 0) {
		/* The configuration as a person would write it: indented JSON. */
		fprintf(out, "# %s (secrets hidden)\n", js(doc, "path") ? js(doc, "path") : "?");
		json_dumpf(json_object_get(doc, "config"), out, JSON_INDENT(2));
		fputc('\n', out);
	} else if (strcmp(cmd, "neighbor") == 0) {
		fprintf(out, "neighbor %s: %s requested\n", js(doc, "neighbor"), js(doc, "action"));
	} else {
		fprintf(out, "%s: %s\n", cmd,
			js(doc, "result") != NULL ? js(doc, "result") : "done");
	}
}
