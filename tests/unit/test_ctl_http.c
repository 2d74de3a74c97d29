/*
 * The request parser of the metrics endpoint (ctl_http_parse): what is answered, what is
 * refused with which status, and when it waits for more.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cli/ctl_http.h"

static int
parse(const char *s, struct ctl_http_req *r)
{
	return ctl_http_parse(s, strlen(s), r);
}

static void
test_accepted(void **state)
{
	(void)state;
	struct ctl_http_req r;
	const char *get = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9179\r\nAccept: */*\r\n\r\n";
	assert_int_equal(parse(get, &r), 200);
	assert_string_equal(r.path, "/metrics");
	assert_false(r.head);
	assert_int_equal(r.consumed, strlen(get));
	assert_int_equal(parse("HEAD /metrics?x=1 HTTP/1.0\r\n\r\n", &r), 200);
	assert_true(r.head);
	assert_string_equal(r.path, "/metrics");
	assert_int_equal(parse("GET /other HTTP/1.1\n\n", &r),
			 200); /* bare LF; 404 is the page's */
	assert_string_equal(r.path, "/other");
	assert_int_equal(parse("GET /metrics HTTP/1.1\r\nContent-Length: 00\r\n\r\n", &r), 200);
}

static void
test_incomplete(void **state)
{
	(void)state;
	struct ctl_http_req r;
	assert_int_equal(parse("", &r), 0);
	assert_int_equal(parse("GET /metrics HTTP/1.1\r\n", &r), 0);
	assert_int_equal(parse("GET /metrics HTTP/1.1\r\nHost: a\r\n\r", &r), 0);
	/* headers that never end: 431 once the limit is reached, not before */
	static char big[CTL_HTTP_HDR_MAX + 100];
	int n = snprintf(big, sizeof big, "GET /metrics HTTP/1.1\r\nX-Slow: ");
	memset(big + n, 'x', sizeof big - (size_t)n - 1);
	assert_int_equal(ctl_http_parse(big, CTL_HTTP_HDR_MAX - 1, &r), 0);
	assert_int_equal(ctl_http_parse(big, CTL_HTTP_HDR_MAX, &r), 431);
	assert_int_equal(ctl_http_parse(big, sizeof big - 1, &r), 431);
	/* complete, but past the limit: still 431 */
	memcpy(big + sizeof big - 5, "\r\n\r\n", 4);
	assert_int_equal(ctl_http_parse(big, sizeof big - 1, &r), 431);
}

static void
test_refused(void **state)
{
	(void)state;
	struct ctl_http_req r;
	static const struct {
		const char *req;
		int status;
	} cases[] = {
	    {"POST /metrics HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc", 413}, /* body first */
	    {"POST /metrics HTTP/1.1\r\n\r\n", 405},
	    {"DELETE /metrics HTTP/1.1\r\n\r\n", 405},
	    {"GET /metrics HTTP/1.1\r\nContent-Length: 10\r\n\r\n", 413},
	    {"GET /metrics HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 413},
	    {"GET /metrics HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400},
	    {"GET /metrics HTTP/1.1\r\nContent-Length:\r\n\r\n", 400},
	    {"GET /metrics HTTP/1.1\r\nHost : a\r\n\r\n", 400},
	    {"GET /metrics HTTP/1.1\r\nX: a\r\n folded\r\n\r\n", 400},
	    {"GET /metrics HTTP/1.1\r\nno colon\r\n\r\n", 400},
	    {"GET /metrics\r\n\r\n", 400},
	    {"GET  /metrics HTTP/1.1\r\n\r\n", 400},
	    {"G(T /metrics HTTP/1.1\r\n\r\n", 400},
	    {"GET /metrics HTTP/2.0\r\n\r\n", 505},
	    {"GET /metrics HTTP/1.2\r\n\r\n", 505},
	    {"GET /metrics SIP/2.0\r\n\r\n", 400},
	    /* found by fuzz_ctl_http: a target not in origin form */
	    {"GET \xe8/metrics?x=1 HTTP/1.0\r\n\r\n", 400},
	    {"GET http://127.0.0.1:9179/metrics HTTP/1.1\r\n\r\n", 400},
	    {"OPTIONS * HTTP/1.1\r\n\r\n", 400},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int st = parse(cases[i].req, &r);
		if (st != cases[i].status)
			fail_msg("%zu '%s': %d, want %d", i, cases[i].req, st, cases[i].status);
	}
	char longt[600];
	snprintf(longt, sizeof longt, "GET /%0400d HTTP/1.1\r\n\r\n", 0);
	assert_int_equal(parse(longt, &r), 414);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_accepted),
	    cmocka_unit_test(test_incomplete),
	    cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
