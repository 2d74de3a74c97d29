/*
 * bgp64ctl: the bgp64d control client (bgp64ctl(8)).
 *
 * Turns the command words into one JSON request line, sends it on the control socket and
 * copies the answer to stdout as it arrives: a show rib of a full table is never held whole.
 * With --text the answer is rendered in columns, show rib one route object at a time (split
 * out of the stream by ctl_split), the small documents after parsing them whole. An
 * {"error":...} answer goes to stderr and exits 1.
 *
 * "translate" works offline, without a daemon (bgp64ctl_translate.c).
 */
#include "cli/bgp64ctl.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli/ctl.h"
#include "config.h"
#include "lib/pool.h"
#include "lib/prefix.h"

#define RESP_DOC_MAX  (256u << 20) /* a whole non-streamed document */
#define RESP_ELEM_MAX (64u << 20)  /* one route object (thousands of paths) */

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: bgp64ctl [-s SOCKET] [-c CONFIG] [--text] COMMAND\n"
		"       bgp64ctl translate [--prefix PREFIX] [-c CONFIG] [--text] ADDR|PREFIX...\n"
		"commands:\n"
		"  show summary\n"
		"  show neighbors [ADDR]\n"
		"  show rib [ipv4|ipv6] [filtered] [PREFIX [exact|longer]] [neighbor ADDR]\n"
		"  show rib out [ipv4|ipv6] neighbor ADDR\n"
		"  show nexthops\n"
		"  show fib\n"
		"  show translation ADDR|PREFIX\n"
		"  show config\n"
		"  reload\n"
		"  neighbor ADDR reset [MESSAGE] | shutdown [MESSAGE] | start | refresh\n"
		"  log level error|warning|info|debug\n"
		"  log updates ADDR on|off\n");
}

static int __attribute__((format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	fputs("bgp64ctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static bool
is_addr(const char *s)
{
	int af;
	uint8_t a[16];
	return addr_parse(s, &af, a) == 0;
}

static bool
is_prefix(const char *s)
{
	struct prefix p;
	return prefix_parse(s, &p, true, true) == 0;
}

/* Joins words with spaces (the MESSAGE of neighbor shutdown may be several words). */
static char *
join(char **w, int n)
{
	size_t len = 1;
	for (int i = 0; i < n; i++)
		len += strlen(w[i]) + 1;
	char *s = xmalloc(len);
	s[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (i > 0)
			strcat(s, " ");
		strcat(s, w[i]);
	}
	return s;
}

static int
parse_rib(json_t *req, char **w, int n)
{
	int i = 0;

	if (i < n && (strcmp(w[i], "ipv4") == 0 || strcmp(w[i], "ipv6") == 0))
		json_object_set_new(req, "family", json_string(w[i++]));
	if (i < n && strcmp(w[i], "filtered") == 0) {
		json_object_set_new(req, "view", json_string(w[i++]));
	}
	if (i < n && strcmp(w[i], "neighbor") != 0) {
		if (!is_prefix(w[i]))
			return die("show rib: \"%s\" is not an address or prefix", w[i]);
		json_object_set_new(req, "prefix", json_string(w[i++]));
		if (i < n && (strcmp(w[i], "exact") == 0 || strcmp(w[i], "longer") == 0))
			json_object_set_new(req, "match", json_string(w[i++]));
	}
	if (i < n && strcmp(w[i], "neighbor") == 0) {
		if (i + 1 >= n || !is_addr(w[i + 1]))
			return die("show rib: neighbor needs an address");
		json_object_set_new(req, "neighbor", json_string(w[i + 1]));
		i += 2;
	}
	if (i < n)
		return die("show rib: unexpected \"%s\"", w[i]);
	return 0;
}

static int
parse_neighbor(json_t *req, char **w, int n)
{
	static const char *const actions[] = {"reset", "shutdown", "start", "refresh"};

	if (n < 1)
		return die("neighbor: needs an address and an action (reset, shutdown, start, "
			   "refresh)");
	if (!is_addr(w[0]))
		return die("neighbor: \"%s\" is not an address", w[0]);
	if (n < 2)
		return die("neighbor %s: needs an action (reset, shutdown, start, refresh)", w[0]);
	json_object_set_new(req, "address", json_string(w[0]));
	for (size_t i = 0; i < 4; i++)
		if (strcmp(w[1], actions[i]) == 0) {
			json_object_set_new(req, "action", json_string(actions[i]));
			if (n > 2 && i >= 2)
				return die("neighbor %s: takes no message", actions[i]);
			if (n > 2) {
				char *m = join(w + 2, n - 2);
				json_t *js = json_string(m);
				free(m);
				if (js == NULL)
					return die("neighbor: the message is not valid UTF-8");
				json_object_set_new(req, "message", js);
			}
			return 0;
		}
	return die("neighbor: unknown action \"%s\" (expected reset, shutdown, start or refresh)",
		   w[1]);
}

static const char show_words[] = "summary, neighbors, rib, nexthops, fib, translation, config";
static const char cmd_words[] = "show, reload, neighbor, log, translate";

/* log level LEVEL | log updates ADDR on|off */
static int
parse_log(json_t *req, char **w, int n, const char **cmd)
{
	if (n >= 1 && strcmp(w[0], "level") == 0) {
		*cmd = "log level";
		if (n < 2)
			return die("log level: needs a level (error, warning, info, debug)");
		json_object_set_new(req, "level", json_string(w[1]));
		return n > 2 ? die("log level: unexpected \"%s\"", w[2]) : 0;
	}
	if (n >= 1 && strcmp(w[0], "updates") == 0) {
		*cmd = "log updates";
		if (n < 3 || !is_addr(w[1]) ||
		    (strcmp(w[2], "on") != 0 && strcmp(w[2], "off") != 0))
			return die("log updates: expected ADDR on|off");
		json_object_set_new(req, "neighbor", json_string(w[1]));
		json_object_set_new(req, "state", json_string(w[2]));
		return n > 3 ? die("log updates: unexpected \"%s\"", w[3]) : 0;
	}
	return die("log: expected \"level LEVEL\" or \"updates ADDR on|off\"");
}

/* "show X" with no more words: extra words are named. */
static int
no_more(const char *what, char **w, int n, int from)
{
	if (n > from)
		return die("%s: unexpected \"%s\" (it takes no argument)", what, w[from]);
	return 0;
}

static int
parse_show(json_t *req, char **w, int n, const char **cmd)
{
	const char *what = w[1];

	if (strcmp(what, "summary") == 0) {
		*cmd = "show summary";
		return no_more(*cmd, w, n, 2);
	}
	if (strcmp(what, "neighbors") == 0 || strcmp(what, "neighbor") == 0) {
		*cmd = "show neighbors";
		if (n == 2)
			return 0;
		if (!is_addr(w[2]))
			return die("show neighbors: \"%s\" is not an address", w[2]);
		json_object_set_new(req, "neighbor", json_string(w[2]));
		return n > 3 ? die("show neighbors: unexpected \"%s\" after the address", w[3]) : 0;
	}
	if (strcmp(what, "rib") == 0 && n > 2 && strcmp(w[2], "out") == 0) {
		/* show rib out [ipv4|ipv6] neighbor ADDR (the order of the two is free) */
		*cmd = "show rib out";
		bool nbr = false;
		for (int i = 3; i < n; i++) {
			if ((strcmp(w[i], "ipv4") == 0 || strcmp(w[i], "ipv6") == 0) &&
			    json_object_get(req, "family") == NULL) {
				json_object_set_new(req, "family", json_string(w[i]));
			} else if (strcmp(w[i], "neighbor") == 0 && i + 1 < n &&
				   is_addr(w[i + 1]) && !nbr) {
				json_object_set_new(req, "neighbor", json_string(w[++i]));
				nbr = true;
			} else {
				return die("show rib out: unexpected \"%s\" (expected [ipv4|ipv6] "
					   "neighbor ADDR)",
					   w[i]);
			}
		}
		return nbr ? 0 : die("show rib out: needs neighbor ADDR");
	}
	if (strcmp(what, "rib") == 0) {
		*cmd = "show rib";
		return parse_rib(req, w + 2, n - 2);
	}
	if (strcmp(what, "nexthops") == 0) {
		*cmd = "show nexthops";
		return no_more(*cmd, w, n, 2);
	}
	if (strcmp(what, "fib") == 0) {
		*cmd = "show fib";
		return no_more(*cmd, w, n, 2);
	}
	if (strcmp(what, "config") == 0) {
		*cmd = "show config";
		return no_more(*cmd, w, n, 2);
	}
	if (strcmp(what, "translation") == 0) {
		*cmd = "show translation";
		if (n < 3)
			return die("show translation: needs an address or a prefix");
		if (!is_prefix(w[2]))
			return die("show translation: \"%s\" is not an address or prefix", w[2]);
		json_object_set_new(req, strchr(w[2], '/') ? "prefix" : "address",
				    json_string(w[2]));
		return no_more("show translation ADDR", w, n, 3);
	}
	return die("show: unknown \"%s\" (expected one of: %s)", what, show_words);
}

/*
 * The request object for the command words, with its command name in *cmd. NULL after a
 * message naming what is wrong (never only the usage: the operator typed something close).
 */
static json_t *
build_request(char **w, int n, const char **cmd)
{
	json_t *req = json_object();
	int rc = 0;

	if (strcmp(w[0], "show") == 0) {
		if (n < 2)
			rc = die("show: needs what to show (one of: %s)", show_words);
		else
			rc = parse_show(req, w, n, cmd);
	} else if (strcmp(w[0], "reload") == 0) {
		*cmd = "reload";
		rc = no_more(*cmd, w, n, 1);
	} else if (strcmp(w[0], "log") == 0) {
		rc = parse_log(req, w + 1, n - 1, cmd);
	} else if (strcmp(w[0], "neighbor") == 0 || strcmp(w[0], "neighbors") == 0) {
		*cmd = "neighbor";
		rc = parse_neighbor(req, w + 1, n - 1);
	} else {
		rc = die("unknown command \"%s\" (expected one of: %s; see bgp64ctl --help)", w[0],
			 cmd_words);
	}
	if (rc != 0) {
		json_decref(req);
		return NULL;
	}
	json_object_set_new(req, "command", json_string(*cmd));
	return req;
}

static int
ctl_connect(const char *path)
{
	struct sockaddr_un sun;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int
send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* The answer as it arrives: decided once its first bytes tell an error from a document. */
struct resp {
	bool text;
	bool detail; /* --text show rib of one prefix */
	const char *cmd;
	bool decided, whole, complete;
	char *acc; /* error document, or a whole document for --text */
	size_t len, cap;
	struct ctl_split split; /* --text show rib */
	struct bgp64ctl_rib_text rt;
};

static void
acc_add(struct resp *r, const char *p, size_t n)
{
	if (r->len + n + 1 > r->cap) {
		size_t cap = r->cap ? r->cap : 65536;
		while (cap < r->len + n + 1)
			cap *= 2;
		r->acc = xrealloc(r->acc, cap);
		r->cap = cap;
	}
	memcpy(r->acc + r->len, p, n);
	r->len += n;
	r->acc[r->len] = '\0';
}

static int
write_out(const char *p, size_t n)
{
	if (n > 0 && fwrite(p, 1, n, stdout) != n)
		return die("stdout: %s", strerror(errno));
	return 0;
}

/* Handles a chunk once decided. Returns 0, or 1 after a message. */
static int
resp_chunk(struct resp *r, const char *p, size_t n)
{
	const char *nl = memchr(p, '\n', n);
	size_t take = nl != NULL ? (size_t)(nl - p) + 1 : n;

	if (r->whole) {
		if (r->len + take > RESP_DOC_MAX)
			return die("answer larger than %u MiB", RESP_DOC_MAX >> 20);
		acc_add(r, p, take);
	} else if (r->text) {
		size_t used;
		if (ctl_split_feed(&r->split, p, take, &used, bgp64ctl_rib_text_route, &r->rt) != 0)
			return die("malformed answer from the daemon");
	} else if (write_out(p, take) != 0) {
		return 1;
	}
	if (nl != NULL)
		r->complete = true;
	return 0;
}

static int
resp_feed(struct resp *r, const char *p, size_t n)
{
	static const char err_head[] = "{\"error\":";

	if (r->decided)
		return resp_chunk(r, p, n);
	acc_add(r, p, n);
	if (r->len < sizeof err_head - 1 && memchr(r->acc, '\n', r->len) == NULL)
		return 0;
	r->decided = true;
	bool is_err = strncmp(r->acc, err_head, sizeof err_head - 1) == 0;
	bool rib = strncmp(r->cmd, "show rib", 8) == 0;
	r->whole = is_err || (r->text && !rib);
	if (r->text && !r->whole) {
		ctl_split_init(&r->split, 2, RESP_ELEM_MAX);
		bgp64ctl_rib_text_init(&r->rt, stdout);
		r->rt.detail = r->detail;
	}
	/* Replay what was gathered through the decided path. */
	char *head = r->acc;
	size_t hlen = r->len;
	r->acc = NULL;
	r->len = r->cap = 0;
	int rc = resp_chunk(r, head, hlen);
	free(head);
	return rc;
}

/* Ends the answer: prints the error or the whole document. Returns the exit status. */
static int
resp_finish(struct resp *r)
{
	int rc = 0;

	if (r->whole) {
		json_error_t je;
		json_t *doc = json_loadb(r->acc, r->len, 0, &je);
		if (doc == NULL) {
			rc = die("malformed answer from the daemon: %s", je.text);
		} else if (json_is_string(json_object_get(doc, "error"))) {
			rc = die("%s", json_string_value(json_object_get(doc, "error")));
		} else if (r->text) {
			bgp64ctl_text_doc(stdout, r->cmd, doc);
		} else {
			rc = write_out(r->acc, r->len);
		}
		json_decref(doc);
	} else if (r->text) {
		if (!r->split.done)
			rc = die("malformed answer from the daemon");
		bgp64ctl_rib_text_end(&r->rt);
	}
	if (fflush(stdout) != 0)
		rc = die("stdout: %s", strerror(errno));
	return rc;
}

static int
run(const struct bgp64ctl_opts *o, const char *path, char **words, int n)
{
	const char *cmd = NULL;
	json_t *req = build_request(words, n, &cmd);
	struct resp r = {.text = o->text, .cmd = cmd};
	char buf[65536];
	int rc = 1;

	if (req == NULL)
		return 1;
	const char *match = json_string_value(json_object_get(req, "match"));
	r.detail = json_object_get(req, "prefix") != NULL &&
		   (match == NULL || strcmp(match, "longer") != 0);
	char *line = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (line == NULL)
		return die("out of memory");
	int fd = ctl_connect(path);
	if (fd < 0) {
		rc = die("cannot connect to %s: %s", path, strerror(errno));
		free(line);
		return rc;
	}
	if (send_all(fd, line, strlen(line)) < 0 || send_all(fd, "\n", 1) < 0) {
		rc = die("%s: %s", path, strerror(errno));
		goto out;
	}
	shutdown(fd, SHUT_WR);
	while (!r.complete) {
		ssize_t k = read(fd, buf, sizeof buf);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			rc = die("%s: %s", path, strerror(errno));
			goto out;
		}
		if (k == 0) {
			rc = die("%s: connection closed before the end of the answer", path);
			goto out;
		}
		if (resp_feed(&r, buf, (size_t)k) != 0)
			goto out;
	}
	rc = resp_finish(&r);
out:
	close(fd);
	free(line);
	free(r.acc);
	ctl_split_free(&r.split);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"socket", required_argument, NULL, 's'},
	    {"config", required_argument, NULL, 'c'},
	    {"text", no_argument, NULL, 't'},
	    {"prefix", required_argument, NULL, 'p'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	struct bgp64ctl_opts o = {0};
	int c;

	while ((c = getopt_long(argc, argv, "s:c:tp:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			o.sock = optarg;
			break;
		case 'c':
			o.config = optarg;
			break;
		case 't':
			o.text = true;
			break;
		case 'p':
			o.prefix = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("bgp64ctl %s\n", BGP64_VERSION);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	char **words = argv + optind;
	int n = argc - optind;
	if (n == 0) {
		usage(stderr);
		return 1;
	}
	if (strcmp(words[0], "translate") == 0)
		return bgp64ctl_translate(n - 1, words + 1, &o);
	if (o.prefix != NULL)
		return die("--prefix is an option of translate");

	const char *path = o.sock != NULL ? o.sock : CTL_SOCK_PATH;
	struct cfg *cfg = NULL;
	if (o.sock == NULL && o.config != NULL) {
		char err[CFG_ERRLEN];
		cfg = cfg_load(o.config, err, sizeof err);
		if (cfg == NULL)
			return die("%s", err);
		path = cfg->control.socket;
	}
	int rc = run(&o, path, words, n);
	cfg_free(cfg);
	return rc;
}
