/*
 * Unit tests of the control module's pure parts: request parsing, the streaming JSON writer
 * (escaping, nesting checks, documents written in slices), attribute rendering, and the
 * element splitter the client renders streams with. Every document written is parsed back
 * with jansson, so "valid JSON" is checked, not assumed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <event2/buffer.h>
#include <jansson.h>
#include <sys/socket.h>

#include "bgp/attr.h"
#include "cli/ctl.h"

/* ---- helpers ---- */

static int
parse(const char *line, struct ctl_request *req, char *err, size_t errlen)
{
	return ctl_request_parse(line, strlen(line), req, err, errlen);
}

static void
expect_error(const char *line, const char *fragment)
{
	struct ctl_request req;
	char err[CTL_ERRLEN] = "";

	if (parse(line, &req, err, sizeof err) == 0)
		fail_msg("accepted: %s", line);
	if (strstr(err, fragment) == NULL)
		fail_msg("error for %s is \"%s\", expected to contain \"%s\"", line, err, fragment);
}

/* The buffer's content as a NUL-terminated string (caller frees). */
static char *
buf_str(struct evbuffer *b)
{
	size_t n = evbuffer_get_length(b);
	char *s = malloc(n + 1);
	assert_non_null(s);
	evbuffer_copyout(b, s, n);
	s[n] = '\0';
	return s;
}

/* Parses one document that must end with exactly one newline. */
static json_t *
load_doc(struct evbuffer *b)
{
	char *s = buf_str(b);
	size_t n = strlen(s);
	json_error_t je;

	assert_true(n > 0);
	assert_int_equal(s[n - 1], '\n');
	assert_null(memchr(s, '\n', n - 1)); /* compact: the newline ends the document */
	json_t *doc = json_loadb(s, n - 1, 0, &je);
	if (doc == NULL)
		fail_msg("invalid JSON (%s): %s", je.text, s);
	free(s);
	return doc;
}

static struct attr_blob *
blob(uint8_t kind, const uint8_t *data, size_t len)
{
	struct attr_blob *b = calloc(1, sizeof *b + len);
	assert_non_null(b);
	b->kind = kind;
	b->len = (uint16_t)len;
	memcpy(b->data, data, len);
	return b;
}

/* ---- request parsing ---- */

static void
test_parse_commands(void **state)
{
	struct ctl_request req;
	char err[CTL_ERRLEN];
	(void)state;

	assert_int_equal(parse("{\"command\":\"show summary\"}", &req, err, sizeof err), 0);
	assert_int_equal(req.cmd, CTL_SHOW_SUMMARY);

	assert_int_equal(parse("{\"command\":\"show neighbors\",\"neighbor\":\"2001:db8::1\"}",
			       &req, err, sizeof err),
			 0);
	assert_int_equal(req.cmd, CTL_SHOW_NEIGHBORS);
	assert_true(req.has_neighbor);
	assert_int_equal(req.nbr_af, AF_INET6);
	assert_int_equal(req.nbr[15], 1);

	assert_int_equal(
	    parse("{\"command\":\"show rib\",\"family\":\"ipv4\",\"prefix\":"
		  "\"198.51.100.0/24\",\"match\":\"longer\",\"neighbor\":\"192.0.2.10\"}",
		  &req, err, sizeof err),
	    0);
	assert_int_equal(req.cmd, CTL_SHOW_RIB);
	assert_int_equal(req.af, AF_INET);
	assert_true(req.has_prefix);
	assert_false(req.prefix_is_addr);
	assert_int_equal(req.prefix.len, 24);
	assert_int_equal(req.prefix.a[0], 198);
	assert_int_equal(req.match, CTL_MATCH_LONGER);
	assert_true(req.has_neighbor);
	assert_int_equal(req.nbr_af, AF_INET);

	assert_int_equal(
	    parse("{\"command\":\"show rib\",\"view\":\"filtered\"}", &req, err, sizeof err), 0);
	assert_true(req.filtered);
	assert_int_equal(
	    parse("{\"command\":\"show rib\",\"view\":\"routes\"}", &req, err, sizeof err), 0);
	assert_false(req.filtered);
	assert_int_equal(
	    parse("{\"command\":\"show rib\",\"view\":\"rejected\"}", &req, err, sizeof err), -1);
	assert_non_null(strstr(err, "view: expected"));

	/* Defaults: both families, longest match, and an address is a host prefix. */
	assert_int_equal(parse("{\"command\":\"show rib\"}", &req, err, sizeof err), 0);
	assert_int_equal(req.af, 0);
	assert_false(req.has_prefix);
	assert_int_equal(parse("{\"command\":\"show rib\",\"prefix\":\"64:ff9b::808:808\"}", &req,
			       err, sizeof err),
			 0);
	assert_int_equal(req.match, CTL_MATCH_LONGEST);
	assert_true(req.prefix_is_addr);
	assert_int_equal(req.prefix.af, AF_INET6);
	assert_int_equal(req.prefix.len, 128);
	assert_int_equal(parse("{\"command\":\"show rib\",\"prefix\":\"10.0.0.0/8\",\"match\":"
			       "\"exact\"}",
			       &req, err, sizeof err),
			 0);
	assert_int_equal(req.match, CTL_MATCH_EXACT);

	assert_int_equal(parse("{\"command\":\"show nexthops\"}", &req, err, sizeof err), 0);
	assert_int_equal(req.cmd, CTL_SHOW_NEXTHOPS);
	assert_int_equal(parse("{\"command\":\"show translation\",\"address\":\"192.0.2.33\"}",
			       &req, err, sizeof err),
			 0);
	assert_int_equal(req.cmd, CTL_SHOW_TRANSLATION);
	assert_true(req.prefix_is_addr);
	assert_int_equal(req.prefix.len, 32);
	assert_int_equal(parse("{\"command\":\"show translation\",\"prefix\":\"64:ff9b::/96\"}",
			       &req, err, sizeof err),
			 0);
	assert_false(req.prefix_is_addr);
	assert_int_equal(parse("{\"command\":\"reload\"}", &req, err, sizeof err), 0);
	assert_int_equal(req.cmd, CTL_RELOAD);

	assert_int_equal(parse("{\"command\":\"neighbor\",\"address\":\"192.0.2.10\",\"action\":"
			       "\"shutdown\",\"message\":\"maintenance \\u00e9\"}",
			       &req, err, sizeof err),
			 0);
	assert_int_equal(req.cmd, CTL_NEIGHBOR);
	assert_int_equal(req.action, CTL_ACT_SHUTDOWN);
	assert_string_equal(req.message, "maintenance \xc3\xa9");
	assert_int_equal(parse("{\"action\":\"refresh\",\"address\":\"192.0.2.10\",\"command\":"
			       "\"neighbor\"}",
			       &req, err, sizeof err),
			 0);
	assert_int_equal(req.action, CTL_ACT_REFRESH);
	assert_string_equal(req.message, "");
	assert_int_equal(
	    parse("{\"command\":\"log level\",\"level\":\"debug\"}", &req, err, sizeof err), 0);
	assert_int_equal(req.cmd, CTL_LOG_LEVEL);
	assert_int_equal(req.level, 3);
	assert_int_equal(parse("{\"command\":\"show config\"}", &req, err, sizeof err), 0);
	assert_int_equal(req.cmd, CTL_SHOW_CONFIG);
	assert_int_equal(parse("{\"command\":\"show rib out\",\"family\":\"ipv6\",\"neighbor\":"
			       "\"192.0.2.10\"}",
			       &req, err, sizeof err),
			 0);
	assert_int_equal(req.cmd, CTL_SHOW_RIB_OUT);
	assert_int_equal(req.af, AF_INET6);
	assert_true(req.has_neighbor);
	assert_true(ctl_cmd_is_show(CTL_SHOW_RIB_OUT));
	assert_true(ctl_cmd_is_show(CTL_SHOW_CONFIG));
	assert_false(ctl_cmd_is_show(CTL_RELOAD));
	assert_false(ctl_cmd_is_show(CTL_LOG_LEVEL));
	assert_int_equal(parse("{\"command\":\"log updates\",\"neighbor\":\"192.0.2.10\","
			       "\"state\":\"on\"}",
			       &req, err, sizeof err),
			 0);
	assert_int_equal(req.cmd, CTL_LOG_UPDATES);
	assert_true(req.on);
	assert_true(req.has_neighbor);
	assert_string_equal(ctl_cmd_name(CTL_SHOW_RIB), "show rib");
	assert_string_equal(ctl_action_name(CTL_ACT_START), "start");
	assert_string_equal(ctl_match_name(CTL_MATCH_LONGER), "longer");
}

static void
test_parse_errors(void **state)
{
	char longmsg[400], line[600];
	(void)state;

	expect_error("", "invalid JSON");
	expect_error("{\"command\":\"show summary\"", "invalid JSON");
	expect_error("{\"command\":\"show summary\"} x", "invalid JSON");
	expect_error("[\"show summary\"]", "expected a JSON object");
	expect_error("{}", "command: expected a string");
	expect_error("{\"command\":7}", "command: expected a string");
	expect_error("{\"command\":\"show everything\"}", "unknown command");
	expect_error("{\"command\":\"show summary\",\"family\":\"ipv4\"}", "not a key");
	expect_error("{\"command\":\"show rib\",\"fmaily\":\"ipv4\"}", "not a key");
	expect_error("{\"command\":\"show rib\",\"family\":\"ipv5\"}", "family");
	expect_error("{\"command\":\"show rib\",\"family\":4}", "expected a string");
	expect_error("{\"command\":\"show rib\",\"prefix\":\"198.51.100.1/24\"}", "host bits");
	expect_error("{\"command\":\"show rib\",\"prefix\":\"198.51.100.0/33\"}", "expected an");
	expect_error("{\"command\":\"show rib\",\"prefix\":\"nonsense\"}", "expected an");
	expect_error("{\"command\":\"show rib\",\"match\":\"longer\"}", "needs a prefix");
	expect_error("{\"command\":\"show rib\",\"prefix\":\"10.0.0.0/8\",\"match\":\"shorter\"}",
		     "\"longest\", \"exact\" or \"longer\"");
	expect_error("{\"command\":\"show rib\",\"family\":\"ipv6\",\"prefix\":\"10.0.0.0/8\"}",
		     "not of family ipv6");
	expect_error("{\"command\":\"show rib\",\"neighbor\":\"192.0.2.300\"}", "neighbor");
	expect_error("{\"command\":\"show rib\",\"family\":\"ipv4\",\"family\":\"ipv6\"}",
		     "invalid JSON");
	expect_error("{\"command\":\"show translation\"}", "needs an address");
	expect_error("{\"command\":\"show translation\",\"address\":\"192.0.2.1\",\"prefix\":"
		     "\"10.0.0.0/8\"}",
		     "not both");
	expect_error("{\"command\":\"neighbor\",\"address\":\"192.0.2.10\"}", "action: missing");
	expect_error("{\"command\":\"neighbor\",\"action\":\"reset\"}", "address: missing");
	expect_error("{\"command\":\"neighbor\",\"address\":\"192.0.2.10\",\"action\":\"bounce\"}",
		     "action");
	expect_error("{\"command\":\"neighbor\",\"address\":\"10.0.0.0/8\",\"action\":\"reset\"}",
		     "address");
	expect_error("{\"command\":\"neighbor\",\"address\":\"192.0.2.10\",\"action\":\"start\","
		     "\"message\":\"x\"}",
		     "only with reset or shutdown");
	expect_error("{\"command\":\"show summary\",\"x\":\"\\u0000\"}", "invalid JSON");
	expect_error("{\"command\":\"log level\"}", "level: missing");
	expect_error("{\"command\":\"show rib out\"}", "neighbor: missing");
	expect_error("{\"command\":\"show rib out\",\"neighbor\":\"192.0.2.10\",\"prefix\":"
		     "\"10.0.0.0/8\"}",
		     "not a key");
	expect_error("{\"command\":\"log level\",\"level\":\"loud\"}", "level: expected");
	expect_error("{\"command\":\"log updates\",\"neighbor\":\"192.0.2.10\",\"state\":\"yes\"}",
		     "state: expected");
	expect_error("{\"command\":\"log updates\",\"state\":\"on\"}", "neighbor: missing");

	memset(longmsg, 'a', sizeof longmsg - 1);
	longmsg[sizeof longmsg - 1] = '\0';
	snprintf(line, sizeof line,
		 "{\"command\":\"neighbor\",\"address\":\"192.0.2.10\",\"action\":\"reset\","
		 "\"message\":\"%s\"}",
		 longmsg);
	expect_error(line, "message: longer than");

	char *huge = malloc(CTL_LINE_MAX + 100);
	assert_non_null(huge);
	memset(huge, ' ', CTL_LINE_MAX + 99);
	memcpy(huge, "{\"command\":\"reload\"}", 20);
	huge[CTL_LINE_MAX + 99] = '\0';
	expect_error(huge, "longer than");
	free(huge);
}

/* ---- JSON writer ---- */

static void
test_json_escape(void **state)
{
	struct evbuffer *b = evbuffer_new();
	(void)state;

	static const struct {
		const char *in;
		size_t len;
		const char *out;
	} cases[] = {
	    {"plain", 5, "\"plain\""},
	    {"q\"b\\s/", 6, "\"q\\\"b\\\\s/\""},
	    {"\n\r\t\b\f\x01\x1f", 7, "\"\\n\\r\\t\\b\\f\\u0001\\u001f\""},
	    {"nul\0x", 5, "\"nul\\u0000x\""},
	    {"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9, "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\""},
	    {"a\xff"
	     "b",
	     3,
	     "\"a\xef\xbf\xbd"
	     "b\""},							     /* invalid byte */
	    {"\xc0\xaf", 2, "\"\xef\xbf\xbd\xef\xbf\xbd\""},		     /* overlong '/' */
	    {"\xed\xa0\x80", 3, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""}, /* surrogate */
	    {"\xe2\x82", 2, "\"\xef\xbf\xbd\xef\xbf\xbd\""},		     /* truncated */
	    {"\xf4\x90\x80\x80", 4,
	     "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""}, /* > U+10FFFF */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		evbuffer_drain(b, evbuffer_get_length(b));
		assert_int_equal(ctl_json_quote(b, cases[i].in, cases[i].len), 0);
		char *s = buf_str(b);
		if (strcmp(s, cases[i].out) != 0)
			fail_msg("case %zu: got %s, expected %s", i, s, cases[i].out);
		/* And jansson reads it back as valid JSON. */
		json_t *v = json_loadb(s, strlen(s), JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
		assert_non_null(v);
		json_decref(v);
		free(s);
	}

	/* A long string crosses the writer's internal chunk size intact. */
	char big[3000];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = i % 7 == 0 ? '"' : 'a' + (char)(i % 26);
	evbuffer_drain(b, evbuffer_get_length(b));
	assert_int_equal(ctl_json_quote(b, big, sizeof big), 0);
	char *s = buf_str(b);
	json_t *v = json_loads(s, JSON_DECODE_ANY, NULL);
	assert_non_null(v);
	assert_int_equal(json_string_length(v), sizeof big);
	assert_memory_equal(json_string_value(v), big, sizeof big);
	json_decref(v);
	free(s);
	evbuffer_free(b);
}

static void
test_json_writer(void **state)
{
	struct evbuffer *b = evbuffer_new();
	struct ctl_jw w;
	struct prefix p;
	uint8_t a4[4] = {192, 0, 2, 1};
	(void)state;

	ctl_jw_init(&w, b);
	ctl_jw_obj_open(&w, NULL);
	ctl_jw_str(&w, "s", "x\"y");
	ctl_jw_str(&w, "n", NULL);
	ctl_jw_u64(&w, "u", (uint64_t)1 << 62);
	ctl_jw_i64(&w, "i", -5);
	ctl_jw_bool(&w, "t", true);
	ctl_jw_bool(&w, "f", false);
	ctl_jw_strf(&w, "fmt", "%d:%s", 64500, "1");
	ctl_jw_addr(&w, "a", AF_INET, a4);
	assert_int_equal(prefix_parse("2001:db8:0:0:1::/80", &p, false, false), 0);
	ctl_jw_prefix(&w, "p", &p);
	ctl_jw_arr_open(&w, "arr");
	ctl_jw_u64(&w, NULL, 1);
	ctl_jw_obj_open(&w, NULL);
	ctl_jw_obj_close(&w);
	ctl_jw_arr_open(&w, NULL);
	ctl_jw_arr_close(&w);
	ctl_jw_arr_close(&w);
	ctl_jw_key(&w, "raw");
	ctl_jw_raw(&w, "\"%u %u\"", 1u, 2u);
	ctl_jw_obj_close(&w);
	ctl_jw_end(&w);
	assert_false(w.err);

	json_t *doc = load_doc(b);
	assert_string_equal(json_string_value(json_object_get(doc, "s")), "x\"y");
	assert_true(json_is_null(json_object_get(doc, "n")));
	assert_true(json_is_true(json_object_get(doc, "t")));
	assert_true(json_is_false(json_object_get(doc, "f")));
	assert_int_equal(json_integer_value(json_object_get(doc, "i")), -5);
	assert_string_equal(json_string_value(json_object_get(doc, "fmt")), "64500:1");
	assert_string_equal(json_string_value(json_object_get(doc, "a")), "192.0.2.1");
	assert_string_equal(json_string_value(json_object_get(doc, "p")), "2001:db8:0:0:1::/80");
	assert_int_equal(json_array_size(json_object_get(doc, "arr")), 3);
	assert_string_equal(json_string_value(json_object_get(doc, "raw")), "1 2");
	json_decref(doc);
	char *s = buf_str(b);
	assert_non_null(strstr(s, "{\"s\":\"x\\\"y\",\"n\":null,\"u\":4611686018427387904,"));
	free(s);

	/* UINT64_MAX does not fit jansson's integer; check the text. */
	evbuffer_drain(b, evbuffer_get_length(b));
	ctl_jw_init(&w, b);
	ctl_jw_u64(&w, NULL, UINT64_MAX);
	ctl_jw_end(&w);
	s = buf_str(b);
	assert_string_equal(s, "18446744073709551615\n");
	free(s);

	/* The error document. */
	evbuffer_drain(b, evbuffer_get_length(b));
	ctl_jw_error(b, "neighbor 192.0.2.9: not configured");
	s = buf_str(b);
	assert_string_equal(s, "{\"error\":\"neighbor 192.0.2.9: not configured\"}\n");
	free(s);
	evbuffer_free(b);
}

/* Misuse is caught: the writer refuses to produce invalid JSON. */
static void
test_json_writer_misuse(void **state)
{
	struct evbuffer *b = evbuffer_new();
	struct ctl_jw w;
	(void)state;

	ctl_jw_init(&w, b); /* member without key inside an object */
	ctl_jw_obj_open(&w, NULL);
	ctl_jw_u64(&w, NULL, 1);
	assert_true(w.err);

	ctl_jw_init(&w, b); /* key inside an array */
	ctl_jw_arr_open(&w, NULL);
	ctl_jw_u64(&w, "k", 1);
	assert_true(w.err);

	ctl_jw_init(&w, b); /* mismatched close */
	ctl_jw_arr_open(&w, NULL);
	ctl_jw_obj_close(&w);
	assert_true(w.err);

	ctl_jw_init(&w, b); /* close at the top */
	ctl_jw_arr_close(&w);
	assert_true(w.err);

	ctl_jw_init(&w, b); /* two top-level values */
	ctl_jw_u64(&w, NULL, 1);
	assert_false(w.err);
	ctl_jw_u64(&w, NULL, 2);
	assert_true(w.err);

	ctl_jw_init(&w, b); /* end with an open container */
	ctl_jw_obj_open(&w, NULL);
	ctl_jw_end(&w);
	assert_true(w.err);

	ctl_jw_init(&w, b); /* end of an empty document */
	ctl_jw_end(&w);
	assert_true(w.err);

	ctl_jw_init(&w, b); /* too deep */
	for (int i = 0; i < CTL_JW_DEPTH; i++)
		ctl_jw_arr_open(&w, NULL);
	assert_true(w.err);

	/* Once in error nothing more is written. */
	evbuffer_drain(b, evbuffer_get_length(b));
	ctl_jw_init(&w, b);
	ctl_jw_arr_close(&w);
	size_t n = evbuffer_get_length(b);
	ctl_jw_str(&w, NULL, "more");
	assert_int_equal(evbuffer_get_length(b), n);
	evbuffer_free(b);
}

/*
 * A document written in many slices, with the output drained between them (as the server
 * does when the socket takes the bytes), is the same valid document.
 */
static void
test_json_slices(void **state)
{
	struct evbuffer *b = evbuffer_new(), *all = evbuffer_new();
	struct ctl_jw w;
	(void)state;

	ctl_jw_init(&w, b);
	ctl_jw_obj_open(&w, NULL);
	ctl_jw_arr_open(&w, "rib");
	for (int slice = 0; slice < 10; slice++) {
		for (int i = 0; i < 1000; i++) {
			ctl_jw_obj_open(&w, NULL);
			ctl_jw_strf(&w, "prefix", "10.%d.%d.0/24", slice, i % 256);
			ctl_jw_u64(&w, "n", (uint64_t)(slice * 1000 + i));
			ctl_jw_obj_close(&w);
		}
		ctl_jw_flush(&w);
		evbuffer_add_buffer(all, b); /* "sent": the writer keeps only its state */
		assert_int_equal(evbuffer_get_length(b), 0);
	}
	ctl_jw_arr_close(&w);
	ctl_jw_obj_close(&w);
	ctl_jw_end(&w);
	evbuffer_add_buffer(all, b);
	assert_false(w.err);
	json_t *doc = load_doc(all);
	json_t *rib = json_object_get(doc, "rib");
	assert_int_equal(json_array_size(rib), 10000);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(rib, 9999), "n")), 9999);
	json_decref(doc);
	evbuffer_free(b);
	evbuffer_free(all);
}

/* ---- attribute rendering ---- */

static json_t *
render(const struct attrs *a)
{
	struct evbuffer *b = evbuffer_new();
	struct ctl_jw w;

	ctl_jw_init(&w, b);
	ctl_jw_obj_open(&w, NULL);
	ctl_render_attrs(&w, a);
	ctl_jw_obj_close(&w);
	ctl_jw_end(&w);
	assert_false(w.err);
	json_t *doc = load_doc(b);
	evbuffer_free(b);
	return doc;
}

static void
test_render_attrs(void **state)
{
	static const uint8_t aspath[] = {
	    AS_SEQUENCE,
	    2,
	    0,
	    0,
	    0xfb,
	    0xf5,
	    0,
	    0,
	    0xfb,
	    0xf6, /* 64501 64502 */
	    AS_SET,
	    2,
	    0,
	    0,
	    0xfb,
	    0xf7,
	    0,
	    0,
	    0xfb,
	    0xf8, /* { 64503 64504 } */
	    AS_CONFED_SEQUENCE,
	    1,
	    0xfa,
	    0x56,
	    0xea,
	    0x00, /* ( 4200000000 ) */
	};
	static const uint8_t comms[] = {0xfb, 0xf4, 0, 1, 0xff, 0xff, 0xff, 0x01};
	static const uint8_t lcomms[] = {0, 0, 0xfb, 0xf4, 0, 0, 0, 1, 0, 0, 0, 2};
	static const uint8_t ecomms[] = {
	    0x00, 0x02, 0xfb, 0xf4, 0,	  0, 0, 100, /* rt 64500:100 */
	    0x01, 0x03, 192,  0,    2,	  1, 0, 5,   /* soo 192.0.2.1:5 */
	    0x02, 0x02, 0xfa, 0x56, 0xea, 0, 0, 7,   /* rt 4200000000:7 */
	    0x03, 0x0c, 0,    0,    0,	  0, 0, 8,   /* other */
	};
	static const uint8_t clusters[] = {10, 0, 0, 1, 10, 0, 0, 2};
	static const uint8_t unknown[] = {0xc0, 99, 2, 0xab, 0xcd, 0xd0, 100, 0, 1, 0xee};
	struct attrs a;
	(void)state;

	memset(&a, 0, sizeof a);
	a.origin = ORIGIN_IGP;
	a.nh_len = 4;
	memcpy(a.nh, (uint8_t[]){192, 0, 2, 10}, 4);
	a.flags = ATTRS_MED | ATTRS_LOCAL_PREF | ATTRS_ORIGINATOR | ATTRS_AGGREGATOR |
		  ATTRS_ATOMIC_AGG | ATTRS_OTC;
	a.med = 0;
	a.local_pref = 200;
	a.originator_id = 0xc0000205; /* 192.0.2.5 */
	a.agg_as = 64510;
	a.agg_id = 0xc0000206;
	a.otc = 64999;
	a.aspath = blob(ATTR_AS_PATH, aspath, sizeof aspath);
	a.comms = blob(ATTR_COMMUNITIES, comms, sizeof comms);
	a.lcomms = blob(ATTR_LARGE_COMMUNITIES, lcomms, sizeof lcomms);
	a.ecomms = blob(ATTR_EXT_COMMUNITIES, ecomms, sizeof ecomms);
	a.clusters = blob(ATTR_CLUSTER_LIST, clusters, sizeof clusters);
	a.unknown = blob(0, unknown, sizeof unknown);

	json_t *d = render(&a);
	assert_string_equal(json_string_value(json_object_get(d, "origin")), "IGP");
	assert_string_equal(json_string_value(json_object_get(d, "as_path")),
			    "64501 64502 { 64503 64504 } ( 4200000000 )");
	assert_string_equal(json_string_value(json_object_get(d, "next_hop")), "192.0.2.10");
	assert_int_equal(json_integer_value(json_object_get(d, "med")), 0);
	assert_int_equal(json_integer_value(json_object_get(d, "local_pref")), 200);
	assert_true(json_is_true(json_object_get(d, "atomic_aggregate")));
	json_t *agg = json_object_get(d, "aggregator");
	assert_int_equal(json_integer_value(json_object_get(agg, "as")), 64510);
	assert_string_equal(json_string_value(json_object_get(agg, "address")), "192.0.2.6");
	json_t *c = json_object_get(d, "communities");
	assert_int_equal(json_array_size(c), 2);
	assert_string_equal(json_string_value(json_array_get(c, 0)), "64500:1");
	assert_string_equal(json_string_value(json_array_get(c, 1)), "65535:65281");
	assert_string_equal(
	    json_string_value(json_array_get(json_object_get(d, "large_communities"), 0)),
	    "64500:1:2");
	json_t *e = json_object_get(d, "extended_communities");
	assert_int_equal(json_array_size(e), 4);
	assert_string_equal(json_string_value(json_array_get(e, 0)), "rt 64500:100");
	assert_string_equal(json_string_value(json_array_get(e, 1)), "soo 192.0.2.1:5");
	assert_string_equal(json_string_value(json_array_get(e, 2)), "rt 4200000000:7");
	assert_string_equal(json_string_value(json_array_get(e, 3)), "0x030c:0x000000000008");
	assert_string_equal(json_string_value(json_object_get(d, "originator_id")), "192.0.2.5");
	json_t *cl = json_object_get(d, "cluster_list");
	assert_int_equal(json_array_size(cl), 2);
	assert_string_equal(json_string_value(json_array_get(cl, 1)), "10.0.0.2");
	assert_int_equal(json_integer_value(json_object_get(d, "otc")), 64999);
	json_t *u = json_object_get(d, "unknown_attributes");
	assert_int_equal(json_array_size(u), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(u, 0), "type")), 99);
	assert_string_equal(json_string_value(json_object_get(json_array_get(u, 0), "flags")),
			    "0xc0");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(u, 1), "length")), 1);
	json_decref(d);

	/* Absent optional attributes are absent; IPv6 next hop with link-local. */
	free(a.aspath);
	free(a.comms);
	free(a.lcomms);
	free(a.ecomms);
	free(a.clusters);
	free(a.unknown);
	memset(&a, 0, sizeof a);
	a.origin = ORIGIN_INCOMPLETE;
	a.nh_len = 32;
	assert_int_equal(addr_parse("2001:db8::1", &(int){0}, a.nh), 0);
	assert_int_equal(addr_parse("fe80::1", &(int){0}, a.nh + 16), 0);
	d = render(&a);
	assert_string_equal(json_string_value(json_object_get(d, "origin")), "incomplete");
	assert_string_equal(json_string_value(json_object_get(d, "as_path")), "");
	assert_string_equal(json_string_value(json_object_get(d, "next_hop")), "2001:db8::1");
	assert_string_equal(json_string_value(json_object_get(d, "next_hop_link_local")),
			    "fe80::1");
	assert_null(json_object_get(d, "med"));
	assert_null(json_object_get(d, "local_pref"));
	assert_null(json_object_get(d, "communities"));
	assert_null(json_object_get(d, "aggregator"));
	json_decref(d);
	assert_string_equal(ctl_origin_name(ORIGIN_EGP), "EGP");
	assert_string_equal(ctl_origin_name(7), "?");
}

/* Short blobs end their list early; the document stays valid. */
static void
test_render_truncated(void **state)
{
	static const uint8_t aspath[] = {AS_SEQUENCE, 2, 0, 0, 0xfb, 0xf5, 0, 0}; /* one AS short */
	static const uint8_t comms[] = {0xfb, 0xf4, 0, 1, 0xff};
	static const uint8_t unknown[] = {0xd0, 100, 0, 9, 1}; /* value short */
	struct attrs a;
	(void)state;

	memset(&a, 0, sizeof a);
	a.aspath = blob(ATTR_AS_PATH, aspath, sizeof aspath);
	a.comms = blob(ATTR_COMMUNITIES, comms, sizeof comms);
	a.unknown = blob(0, unknown, sizeof unknown);
	json_t *d = render(&a);
	assert_string_equal(json_string_value(json_object_get(d, "as_path")), "");
	assert_int_equal(json_array_size(json_object_get(d, "communities")), 1);
	assert_int_equal(json_array_size(json_object_get(d, "unknown_attributes")), 0);
	assert_true(json_is_null(json_object_get(d, "next_hop")));
	json_decref(d);
	free(a.aspath);
	free(a.comms);
	free(a.unknown);
}

/* ---- element splitter ---- */

struct collect {
	int n;
	char last[256];
	int stop_at;
};

static int
collect_elem(const char *elem, size_t len, void *arg)
{
	struct collect *c = arg;
	json_t *v = json_loadb(elem, len, 0, NULL);
	if (v == NULL)
		fail_msg("element is not JSON: %.*s", (int)len, elem);
	json_decref(v);
	c->n++;
	snprintf(c->last, sizeof c->last, "%.*s", (int)len, elem);
	return c->n == c->stop_at ? 7 : 0;
}

static void
test_split(void **state)
{
	const char *doc = "{\"rib\":[{\"prefix\":\"10.0.0.0/8\",\"paths\":[{\"x\":\"]}\"}]},"
			  "{\"prefix\":\"a\\\"[{\"},{\"prefix\":\"c\",\"n\":[1,[2]]}]}\nEXTRA";
	size_t len = strlen(doc), end = (size_t)(strchr(doc, '\n') - doc);
	(void)state;

	/* Whole, then byte by byte: the same three elements, and 'used' stops at the end. */
	for (int bytewise = 0; bytewise < 2; bytewise++) {
		struct ctl_split s;
		struct collect c = {0};
		size_t off = 0, used;
		ctl_split_init(&s, 2, 1024);
		while (off < len && !s.done) {
			size_t n = bytewise ? 1 : len - off;
			assert_int_equal(ctl_split_feed(&s, doc + off, n, &used, collect_elem, &c),
					 0);
			off += used;
		}
		assert_true(s.done);
		assert_int_equal(off, end);
		assert_int_equal(c.n, 3);
		assert_string_equal(c.last, "{\"prefix\":\"c\",\"n\":[1,[2]]}");
		ctl_split_free(&s);
	}

	/* The callback's non-zero return stops the feed and is returned. */
	struct ctl_split s;
	struct collect c = {.stop_at = 1};
	size_t used;
	ctl_split_init(&s, 2, 1024);
	assert_int_equal(ctl_split_feed(&s, doc, len, &used, collect_elem, &c), 7);
	assert_int_equal(c.n, 1);
	assert_true(used < end);
	ctl_split_free(&s);

	/* An element past max is an error, as is a stray close. */
	ctl_split_init(&s, 2, 16);
	c = (struct collect){0};
	assert_int_equal(ctl_split_feed(&s, doc, len, NULL, collect_elem, &c), -1);
	ctl_split_free(&s);
	ctl_split_init(&s, 2, 16);
	assert_int_equal(ctl_split_feed(&s, "]", 1, NULL, collect_elem, &c), -1);
	ctl_split_free(&s);

	/* Depth 0: the document itself is the element. */
	ctl_split_init(&s, 0, 1024);
	c = (struct collect){0};
	assert_int_equal(ctl_split_feed(&s, "{\"a\":[1]}\n", 10, &used, collect_elem, &c), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(used, 9);
	assert_true(s.done);
	ctl_split_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_commands),
	    cmocka_unit_test(test_parse_errors),
	    cmocka_unit_test(test_json_escape),
	    cmocka_unit_test(test_json_writer),
	    cmocka_unit_test(test_json_writer_misuse),
	    cmocka_unit_test(test_json_slices),
	    cmocka_unit_test(test_render_attrs),
	    cmocka_unit_test(test_render_truncated),
	    cmocka_unit_test(test_split),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
