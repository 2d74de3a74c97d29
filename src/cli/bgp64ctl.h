/*
 * bgp64ctl internals: the client's files share these (bgp64ctl.c: options, requests and the
 * connection; bgp64ctl_text.c: --text rendering; bgp64ctl_translate.c: the offline translate
 * command). Not used by the daemon.
 */
#ifndef BGP64_CLI_BGP64CTL_H
#define BGP64_CLI_BGP64CTL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

struct bgp64ctl_opts {
	const char *sock;   /* -s */
	const char *config; /* -c */
	const char *prefix; /* --prefix (translate) */
	bool text;	    /* --text */
};

/* bgp64ctl_translate.c: runs "translate" over argv[0..argc-1]; returns the exit status. */
int bgp64ctl_translate(int argc, char **argv, const struct bgp64ctl_opts *o);

/* ---- bgp64ctl_text.c ---- */

/* Renders a whole (non-streamed) response document for people; cmd is the request's. */
void bgp64ctl_text_doc(FILE *out, const char *cmd, json_t *doc);

/* show rib --text: one route object at a time (feed from the element splitter). */
struct bgp64ctl_rib_text {
	FILE *out;
	int af; /* of the section being printed, 0 before the first route */
	unsigned long routes;
	bool detail; /* one prefix asked for: attribute lines under each path */
};
void bgp64ctl_rib_text_init(struct bgp64ctl_rib_text *t, FILE *out);
/* ctl_split_feed callback: elem is one route object; non-zero stops on a bad element. */
int bgp64ctl_rib_text_route(const char *elem, size_t len, void *arg);
void bgp64ctl_rib_text_end(struct bgp64ctl_rib_text *t);

/* A table of strings printed with aligned columns. */
struct bgp64ctl_table {
	size_t ncols, nrows, cap;
	char **cells; /* nrows * ncols, row-major; NULL prints as "" */
};
void bgp64ctl_table_init(struct bgp64ctl_table *t, size_t ncols);
/* Adds a row of ncols strings (copied; NULL allowed). */
void bgp64ctl_table_row(struct bgp64ctl_table *t, const char *const *cols);
void bgp64ctl_table_print(const struct bgp64ctl_table *t, FILE *out, const char *indent);
void bgp64ctl_table_free(struct bgp64ctl_table *t);

/* "01:02:03", "2d03h04m", "3w2d05h": a duration in seconds, like bgpctl. */
const char *bgp64ctl_fmt_duration(long long secs, char buf[32]);

#endif
