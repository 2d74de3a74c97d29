/*
 * Request parsing: one line of JSON into a struct ctl_request. Pure (buffer and length in, no
 * I/O, no globals), so it is fuzzed as is (tests/fuzz/fuzz_ctl.c).
 *
 * Driven by two tables: the commands, each with the set of keys it accepts and requires, and
 * the keys, each with its parser. A key a command does not take is refused rather than
 * ignored, so a typo in a script fails loudly.
 */
#include "cli/ctl.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

enum {
	K_FAMILY = 1 << 0,
	K_PREFIX = 1 << 1,
	K_MATCH = 1 << 2,
	K_NEIGHBOR = 1 << 3,
	K_ADDRESS = 1 << 4,
	K_ACTION = 1 << 5,
	K_MESSAGE = 1 << 6,
	K_VIEW = 1 << 7,
	K_LEVEL = 1 << 8,
	K_STATE = 1 << 9,
};

static const struct cmd_row {
	const char *name;
	enum ctl_cmd cmd;
	unsigned allowed, required;
} cmds[] = {
    {"show summary", CTL_SHOW_SUMMARY, 0, 0},
    {"show neighbors", CTL_SHOW_NEIGHBORS, K_NEIGHBOR, 0},
    {"show rib", CTL_SHOW_RIB, K_FAMILY | K_PREFIX | K_MATCH | K_NEIGHBOR | K_VIEW, 0},
    {"show nexthops", CTL_SHOW_NEXTHOPS, 0, 0},
    {"show fib", CTL_SHOW_FIB, 0, 0},
    {"show translation", CTL_SHOW_TRANSLATION, K_ADDRESS | K_PREFIX, 0},
    {"reload", CTL_RELOAD, 0, 0},
    {"neighbor", CTL_NEIGHBOR, K_ADDRESS | K_ACTION | K_MESSAGE, K_ADDRESS | K_ACTION},
    {"show config", CTL_SHOW_CONFIG, 0, 0},
    {"show rib out", CTL_SHOW_RIB_OUT, K_FAMILY | K_NEIGHBOR, K_NEIGHBOR},
    {"log level", CTL_LOG_LEVEL, K_LEVEL, K_LEVEL},
    {"log updates", CTL_LOG_UPDATES, K_NEIGHBOR | K_STATE, K_NEIGHBOR | K_STATE},
};

static const char *const level_names[] = {"error", "warning", "info", "debug"};
static const char *const state_names[] = {"off", "on"};

static const char *const match_names[] = {
    [CTL_MATCH_LONGEST] = "longest",
    [CTL_MATCH_EXACT] = "exact",
    [CTL_MATCH_LONGER] = "longer",
};

static const char *const action_names[] = {
    [CTL_ACT_RESET] = "reset",
    [CTL_ACT_SHUTDOWN] = "shutdown",
    [CTL_ACT_START] = "start",
    [CTL_ACT_REFRESH] = "refresh",
};

static int __attribute__((format(printf, 3, 4)))
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int
parse_family(struct ctl_request *req, const char *v, char *err, size_t errlen)
{
	if (strcmp(v, "ipv4") == 0)
		req->af = AF_INET;
	else if (strcmp(v, "ipv6") == 0)
		req->af = AF_INET6;
	else
		return fail(err, errlen, "family: expected \"ipv4\" or \"ipv6\", got \"%.64s\"", v);
	return 0;
}

/* A prefix, or an address taken as a host prefix. */
static int
parse_prefix(struct ctl_request *req, const char *key, const char *v, char *err, size_t errlen)
{
	int r = prefix_parse(v, &req->prefix, true, false);
	if (r == -2)
		return fail(err, errlen, "%s: host bits set past the length in \"%.64s\"", key, v);
	if (r < 0)
		return fail(err, errlen,
			    "%s: expected an IPv4 or IPv6 address or prefix, got \"%.64s\"", key,
			    v);
	req->has_prefix = true;
	req->prefix_is_addr = strchr(v, '/') == NULL;
	return 0;
}

static int
parse_neighbor(struct ctl_request *req, const char *key, const char *v, char *err, size_t errlen)
{
	if (addr_parse(v, &req->nbr_af, req->nbr) < 0)
		return fail(err, errlen, "%s: expected an IPv4 or IPv6 address, got \"%.64s\"", key,
			    v);
	req->has_neighbor = true;
	return 0;
}

static int
parse_name(const char *const *names, size_t n, const char *key, const char *v, int *out, char *err,
	   size_t errlen)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v, names[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	char list[128] = "";
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(list);
		snprintf(list + l, sizeof list - l, "%s\"%s\"",
			 i == 0	      ? ""
			 : i + 1 == n ? " or "
				      : ", ",
			 names[i]);
	}
	return fail(err, errlen, "%s: expected %s, got \"%.64s\"", key, list, v);
}

/* One key of the request; bit is the key's K_ flag (set in *seen by the caller). */
static int
parse_key(struct ctl_request *req, unsigned bit, const char *key, const char *v, char *err,
	  size_t errlen)
{
	int x = 0;

	switch (bit) {
	case K_FAMILY:
		return parse_family(req, v, err, errlen);
	case K_PREFIX:
		return parse_prefix(req, key, v, err, errlen);
	case K_ADDRESS:
		if (req->cmd == CTL_SHOW_TRANSLATION)
			return parse_prefix(req, key, v, err, errlen);
		return parse_neighbor(req, key, v, err, errlen);
	case K_NEIGHBOR:
		return parse_neighbor(req, key, v, err, errlen);
	case K_MATCH:
		if (parse_name(match_names, 3, key, v, &x, err, errlen) < 0)
			return -1;
		req->match = (enum ctl_match)x;
		return 0;
	case K_ACTION:
		if (parse_name(action_names, 4, key, v, &x, err, errlen) < 0)
			return -1;
		req->action = (enum ctl_action)x;
		return 0;
	case K_VIEW: /* show rib: "routes" (the RIB, default) or "filtered" */
		if (strcmp(v, "filtered") != 0 && strcmp(v, "routes") != 0)
			return fail(err, errlen, "view: expected \"routes\" or \"filtered\"");
		req->filtered = strcmp(v, "filtered") == 0;
		return 0;
	case K_LEVEL:
		return parse_name(level_names, 4, key, v, &req->level, err, errlen);
	case K_STATE:
		if (parse_name(state_names, 2, key, v, &x, err, errlen) < 0)
			return -1;
		req->on = x == 1;
		return 0;
	case K_MESSAGE:
		if (strlen(v) >= CTL_MSG_MAX)
			return fail(err, errlen, "message: longer than %d bytes", CTL_MSG_MAX - 1);
		snprintf(req->message, sizeof req->message, "%s", v);
		return 0;
	}
	return fail(err, errlen, "%s: not handled", key);
}

static const struct key_row {
	const char *name;
	unsigned bit;
} keys[] = {
    {"family", K_FAMILY},   {"prefix", K_PREFIX}, {"match", K_MATCH},	  {"neighbor", K_NEIGHBOR},
    {"address", K_ADDRESS}, {"action", K_ACTION}, {"message", K_MESSAGE}, {"level", K_LEVEL},
    {"state", K_STATE},	    {"view", K_VIEW},
};

/* Checks that depend on several keys. */
static int
check_combination(const struct ctl_request *req, unsigned seen, char *err, size_t errlen)
{
	switch (req->cmd) {
	case CTL_SHOW_RIB:
		if ((seen & K_MATCH) && !req->has_prefix)
			return fail(err, errlen, "match: needs a prefix");
		if (req->has_prefix && req->af != 0 && req->af != req->prefix.af)
			return fail(err, errlen, "prefix: not of family %s",
				    req->af == AF_INET ? "ipv4" : "ipv6");
		return 0;
	case CTL_SHOW_TRANSLATION:
		if ((seen & (K_ADDRESS | K_PREFIX)) == (K_ADDRESS | K_PREFIX))
			return fail(err, errlen,
				    "show translation: give an address or a prefix, not both");
		if (!req->has_prefix)
			return fail(err, errlen, "show translation: needs an address or a prefix");
		return 0;
	case CTL_NEIGHBOR:
		if ((seen & K_MESSAGE) && req->action != CTL_ACT_RESET &&
		    req->action != CTL_ACT_SHUTDOWN)
			return fail(err, errlen, "message: only with reset or shutdown");
		return 0;
	default:
		return 0;
	}
}

int
ctl_request_parse(const char *line, size_t len, struct ctl_request *req, char *err, size_t errlen)
{
	json_error_t je;
	const struct cmd_row *row = NULL;
	unsigned seen = 0;
	int rc = -1;

	memset(req, 0, sizeof *req);
	if (len > CTL_LINE_MAX)
		return fail(err, errlen, "request: longer than %d bytes", CTL_LINE_MAX);
	json_t *root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL)
		return fail(err, errlen, "request: invalid JSON at column %d: %s", je.column,
			    je.text);
	if (!json_is_object(root)) {
		fail(err, errlen, "request: expected a JSON object");
		goto out;
	}
	const char *cmd = json_string_value(json_object_get(root, "command"));
	if (cmd == NULL) {
		fail(err, errlen, "command: expected a string");
		goto out;
	}
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (strcmp(cmd, cmds[i].name) == 0)
			row = &cmds[i];
	if (row == NULL) {
		fail(err, errlen, "command: unknown command \"%.64s\"", cmd);
		goto out;
	}
	req->cmd = row->cmd;

	const char *key;
	json_t *val;
	json_object_foreach(root, key, val)
	{
		if (strcmp(key, "command") == 0)
			continue;
		const struct key_row *k = NULL;
		for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
			if (strcmp(key, keys[i].name) == 0)
				k = &keys[i];
		if (k == NULL || !(row->allowed & k->bit)) {
			fail(err, errlen, "%.64s: not a key of \"%s\"", key, row->name);
			goto out;
		}
		if (!json_is_string(val)) {
			fail(err, errlen, "%s: expected a string", key);
			goto out;
		}
		if (parse_key(req, k->bit, key, json_string_value(val), err, errlen) < 0)
			goto out;
		seen |= k->bit;
	}
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if ((row->required & keys[i].bit) && !(seen & keys[i].bit)) {
			fail(err, errlen, "%s: missing (\"%s\" needs it)", keys[i].name, row->name);
			goto out;
		}
	if (check_combination(req, seen, err, errlen) < 0)
		goto out;
	rc = 0;
out:
	json_decref(root);
	return rc;
}

const char *
ctl_cmd_name(enum ctl_cmd c)
{
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (cmds[i].cmd == c)
			return cmds[i].name;
	return "?";
}

bool
ctl_cmd_is_show(enum ctl_cmd c)
{
	switch (c) {
	case CTL_SHOW_SUMMARY:
	case CTL_SHOW_NEIGHBORS:
	case CTL_SHOW_RIB:
	case CTL_SHOW_NEXTHOPS:
	case CTL_SHOW_FIB:
	case CTL_SHOW_TRANSLATION:
	case CTL_SHOW_CONFIG:
	case CTL_SHOW_RIB_OUT:
		return true;
	default:
		return false;
	}
}

const char *
ctl_match_name(enum ctl_match m)
{
	return (unsigned)m < 3 ? match_names[m] : "?";
}

const char *
ctl_action_name(enum ctl_action a)
{
	return (unsigned)a < 4 ? action_names[a] : "?";
}
