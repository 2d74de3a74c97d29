/*
 * The HTTP/1.x server of the metrics endpoint (ctl_http.c): one page, GET and HEAD, with a
 * deadline for the request, header and body limits and a connection cap. Internal to src/cli/
 * (ctl_metrics.c and the fuzz target use it).
 */
#ifndef BGP64_CLI_CTL_HTTP_H
#define BGP64_CLI_CTL_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct evbuffer;

#define CTL_HTTP_MAX_CONNS   16	  /* connections at once (the oldest unanswered one yields) */
#define CTL_HTTP_HDR_MAX     8192 /* bytes of request line and headers */
#define CTL_HTTP_REQ_SECS    5	  /* from accept to the end of the headers, however paced */
#define CTL_HTTP_SEND_SECS   10	  /* to send the answer */
#define CTL_HTTP_LINGER_SECS 2	  /* draining after the answer, before the close */
#define CTL_HTTP_GRACE_MS    100  /* silence that makes a connection the first to yield */
#define CTL_HTTP_PATH_MAX    256

struct ctl_http_req {
	bool head;		      /* HEAD, else GET */
	char path[CTL_HTTP_PATH_MAX]; /* the target without its query */
	size_t consumed;	      /* bytes of request line and headers */
};

/*
 * Parses the start of a request in buf[0..len). Returns 0 while the headers are incomplete
 * (and shorter than CTL_HTTP_HDR_MAX), 200 for a GET or HEAD to answer (r filled), or the
 * error status to answer: 400 malformed, 405 another method, 413 a body announced, 414 a
 * target too long, 431 headers too large, 505 not HTTP/1.0 or 1.1.
 */
int ctl_http_parse(const char *buf, size_t len, struct ctl_http_req *r);

/*
 * Fills body for path and sets *ctype (a static string); -1 for an unknown path (404).
 */
typedef int (*ctl_http_page_fn)(void *arg, const char *path, struct evbuffer *body,
				const char **ctype);

struct ctl_http_stats {
	uint64_t accepted; /* connections accepted */
	uint64_t requests; /* pages served */
	uint64_t errors;   /* error statuses answered (4xx, 5xx) */
	uint64_t timeouts; /* dropped: no complete request within CTL_HTTP_REQ_SECS */
	uint64_t evicted;  /* dropped unanswered to make room for a new connection */
	uint64_t refused;  /* closed at once: every slot busy answering */
};

struct ctl_http;
/* Listens on addr:port (af AF_INET or AF_INET6). NULL when it cannot bind (errno set). */
struct ctl_http *ctl_http_new(struct event_base *base, int af, const uint8_t *addr, uint16_t port,
			      ctl_http_page_fn page, void *arg);
/* Closes every connection and the listener. NULL is a no-op. */
void ctl_http_free(struct ctl_http *s);
const struct ctl_http_stats *ctl_http_stats(const struct ctl_http *s);
size_t ctl_http_conns(const struct ctl_http *s);

#endif
