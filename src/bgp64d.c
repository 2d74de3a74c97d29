/*
 * bgp64d: main, signals and the daemon life cycle.
 *
 * Runs in the foreground (systemd supervises it; no double fork), logs to stderr. One libevent
 * loop carries the BGP sessions, the route engine, the control socket and exports.
 *   SIGTERM/SIGINT  Cease/Administrative Shutdown to every peer, then exit 0
 *   SIGHUP          reload the configuration by difference (the running one is kept on error)
 * Exit status: 0 after a clean shutdown or a good -n check, 1 on a configuration or start-up
 * error.
 */
#include <errno.h>
#include <event2/event.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon_os.h"
#include "rde/rde.h"
#include "cli/ctl.h"
#include "config.h"
#include "lib/log.h"
#include "lib/pool.h"

#define DEFAULT_CONFIG BGP64_SYSCONFDIR "/bgp64d.json"

struct daemon {
	struct event_base *base;
	const char *config_path;
	struct rde *rde;
	struct ctl *ctl;
	struct ctl *ctl_ro; /* control.read-only, or NULL */
	struct ctl_metrics *metrics;
	struct event *sigs[3];
	struct event *status; /* STATUS= to the service manager every few seconds */
	bool stopping;
};

#define STATUS_INTERVAL 5 /* seconds */

/*
 * Not root (the unit's User=): the control socket can only be given to a group the daemon is
 * a member of (no CAP_CHOWN). Checked by -n too, so ExecStartPre= catches it before a start.
 */
static int
check_group_usable(const struct cfg *c, char *err, size_t errlen)
{
	if (c->control.group == NULL || geteuid() == 0)
		return 0;
	const struct group *g = getgrnam(c->control.group);
	if (g == NULL)
		return 0; /* cfg_check_host said so */
	gid_t gid = g->gr_gid, list[256];
	if (getegid() == gid)
		return 0;
	int n = getgroups(256, list);
	for (int i = 0; i < n; i++)
		if (list[i] == gid)
			return 0;
	snprintf(err, errlen,
		 "%s: control.group: running as uid %u, which is not a member of group \"%s\" "
		 "(add it, e.g. SupplementaryGroups=%s in the unit)",
		 c->path, (unsigned)geteuid(), c->control.group, c->control.group);
	return -1;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: bgp64d [-dhnV] [-c FILE]\n"
		   "  -c, --config FILE  configuration (default " DEFAULT_CONFIG ")\n"
		   "  -n, --check        check the configuration and exit (0 valid, 1 invalid)\n"
		   "  -d, --debug        debug logging\n"
		   "  -h, --help         print this help and exit\n"
		   "  -V, --version      print the version and exit\n");
}

/* Reload: parse, validate, apply by difference. Also called by the control socket. */
static int
daemon_reload_cfg(struct daemon *d, char *err, size_t errlen)
{
	struct cfg *next = cfg_load(d->config_path, err, errlen);
	if (next == NULL)
		return -1;
	char *was = strdup(rde_cfg(d->rde)->log_level != NULL ? rde_cfg(d->rde)->log_level : "");
	if (cfg_check_host(next, err, errlen) < 0 || rde_reload(d->rde, next, err, errlen) < 0) {
		free(was);
		cfg_free(next);
		return -1;
	}
	/* A log-level changed in the file applies (bgp64ctl log level lasts until then). */
	const char *now = rde_cfg(d->rde)->log_level;
	enum log_level lvl;
	if (was != NULL && now != NULL && strcmp(was, now) != 0 &&
	    log_level_parse(now, &lvl) == 0) {
		log_set_level(lvl);
		log_warn("reload: log level %s", now);
	}
	free(was);
	return 0;
}

/* Neighbors up and prefixes held, for STATUS= (systemctl status shows it). */
static void
daemon_status(struct daemon *d, const char *what)
{
	size_t n = 0, up = 0;
	struct rib_stats rs;
	for (struct bgp_peer *p = bgp_peer_first(rde_speaker(d->rde)); p != NULL;
	     p = bgp_peer_next(p), n++)
		up += bgp_peer_state(p) == BGP_ESTABLISHED;
	rib_stats(rde_rib(d->rde), &rs);
	daemon_notify("%sSTATUS=%zu/%zu neighbors established, %llu IPv4 and %llu IPv6 prefixes",
		      what, up, n, (unsigned long long)rs.prefixes[BGP_FAM_V4],
		      (unsigned long long)rs.prefixes[BGP_FAM_V6]);
}

/* Reload: parse, validate, apply by difference. Also called by the control socket; the
 * service manager sees RELOADING=1 then READY=1 whatever the outcome (the running config is
 * kept on error, and bgp64ctl reload reports the refusal). */
static int
daemon_reload(void *arg, char *err, size_t errlen)
{
	struct daemon *d = arg;
	daemon_notify("RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading %s",
		      daemon_monotonic_usec(), d->config_path);
	int rc = daemon_reload_cfg(d, err, errlen);
	if (rc < 0)
		log_err("reload refused, running configuration kept: %s", err);
	daemon_status(d, "READY=1\n");
	return rc;
}

static void
on_status(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	daemon_status(arg, "");
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	(void)what;
	struct daemon *d = arg;
	if (sig == SIGHUP) {
		char err[CFG_ERRLEN];
		log_info("SIGHUP: reloading %s", d->config_path);
		daemon_reload(d, err, sizeof err);
		return;
	}
	if (d->stopping) {
		log_warn("second signal: exiting now");
		event_base_loopbreak(d->base);
		return;
	}
	d->stopping = true;
	log_info("%s: shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	daemon_notify("STOPPING=1\nSTATUS=shutting down");
	rde_shutdown(d->rde, "bgp64d shutting down");
	/* Let the NOTIFICATIONs leave; the sessions close themselves within a second. */
	struct timeval tv = {1, 200000};
	event_base_loopexit(d->base, &tv);
}

/* Frees what daemon_start made (any part may be missing). */
static void
daemon_stop(struct daemon *d)
{
	for (int i = 0; i < 3; i++)
		if (d->sigs[i] != NULL)
			event_free(d->sigs[i]);
	if (d->status != NULL)
		event_free(d->status);
	ctl_metrics_free(d->metrics);
	ctl_free(d->ctl_ro);
	ctl_free(d->ctl);
	rde_free(d->rde);
	if (d->base != NULL)
		event_base_free(d->base);
}

/* Event loop, engine, control socket, metrics, listeners and signals; -1 (logged) on error. */
static int
daemon_start(struct daemon *d, struct cfg *cfg)
{
	d->base = event_base_new();
	if (d->base == NULL) {
		log_err("cannot create the event loop");
		cfg_free(cfg);
		return -1;
	}
	d->rde = rde_new(d->base, cfg);
	const struct cfg *rc = rde_cfg(d->rde);
	struct ctl_sock_cfg sc = {rc->control.socket, rc->control.mode, rc->control.group, false,
				  rc->control.idle_timeout};
	d->ctl = ctl_new(d->base, d->rde, &sc, daemon_reload, d);
	if (d->ctl == NULL) {
		log_err("cannot open the control socket %s", rc->control.socket);
		daemon_stop(d);
		return -1;
	}
	if (rc->control.ro_socket != NULL) {
		struct ctl_sock_cfg ro = {rc->control.ro_socket, rc->control.ro_mode,
					  rc->control.ro_group, true, rc->control.idle_timeout};
		d->ctl_ro = ctl_new(d->base, d->rde, &ro, NULL, NULL);
		if (d->ctl_ro == NULL) {
			log_err("cannot open the read-only control socket %s", ro.path);
			daemon_stop(d);
			return -1;
		}
	}
	if (rc->metrics.enabled) {
		d->metrics = ctl_metrics_new(d->base, d->rde, rc->metrics.af, rc->metrics.addr,
					     rc->metrics.port);
		if (d->metrics == NULL) {
			daemon_stop(d);
			return -1;
		}
	}
	if (rde_start(d->rde) < 0) {
		log_err("cannot listen on the configured addresses");
		daemon_stop(d);
		return -1;
	}
	int signums[3] = {SIGTERM, SIGINT, SIGHUP};
	for (int i = 0; i < 3; i++) {
		d->sigs[i] = evsignal_new(d->base, signums[i], on_signal, d);
		if (d->sigs[i] == NULL || evsignal_add(d->sigs[i], NULL) < 0) {
			log_err("cannot install signal handlers");
			daemon_stop(d);
			return -1;
		}
	}
	/* Everything that needs root is open: listeners, netlink, the control socket. */
	if (daemon_drop_privileges(rc->user) < 0) {
		daemon_stop(d);
		return -1;
	}
	struct timeval every = {STATUS_INTERVAL, 0};
	d->status = event_new(d->base, -1, EV_PERSIST, on_status, d);
	if (d->status == NULL || event_add(d->status, &every) < 0) {
		log_err("cannot start the status timer");
		daemon_stop(d);
		return -1;
	}
	uint8_t id[4] = {(uint8_t)(rc->router_id >> 24), (uint8_t)(rc->router_id >> 16),
			 (uint8_t)(rc->router_id >> 8), (uint8_t)rc->router_id};
	char ids[ADDR_STRLEN], xs[PREFIX_STRLEN];
	log_info("bgp64d %s started: router-id %s, AS %u, %zu neighbors, translation prefix %s",
		 BGP64_VERSION, addr_fmt(AF_INET, id, ids), rc->local_as, rc->n_neighbors,
		 prefix_fmt(&rc->xlat_prefix, xs));
	return 0;
}

int
main(int argc, char **argv)
{
	struct daemon d = {.config_path = DEFAULT_CONFIG};
	log_init();
	bool check_only = false;
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'}, {"check", no_argument, NULL, 'n'},
	    {"debug", no_argument, NULL, 'd'},	      {"version", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},	      {NULL, 0, NULL, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "c:dnVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			d.config_path = optarg;
			break;
		case 'd':
			log_set_level(LOG_LVL_DEBUG);
			break;
		case 'n':
			check_only = true;
			break;
		case 'V':
			printf("bgp64d %s\n", BGP64_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "bgp64d: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		return 1;
	}

	char err[CFG_ERRLEN];
	struct cfg *cfg = cfg_load(d.config_path, err, sizeof err);
	if (cfg == NULL || cfg_check_host(cfg, err, sizeof err) < 0 ||
	    check_group_usable(cfg, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		cfg_free(cfg);
		return 1;
	}
	if (check_only) {
		printf("%s: configuration OK\n", d.config_path);
		cfg_free(cfg);
		return 0;
	}
	enum log_level lvl;
	if (log_threshold != LOG_LVL_DEBUG && cfg->log_level != NULL &&
	    log_level_parse(cfg->log_level, &lvl) == 0)
		log_set_level(lvl);

	signal(SIGPIPE, SIG_IGN);
	pool_malloc_init();
	if (daemon_start(&d, cfg) < 0)
		return 1;
	daemon_status(&d, "READY=1\n");
	event_base_dispatch(d.base);
	daemon_stop(&d);
	log_info("bgp64d stopped");
	return 0;
}
