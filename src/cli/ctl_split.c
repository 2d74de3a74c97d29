/*
 * Array element splitter for streamed responses: follows brackets, strings and escapes of a
 * JSON byte stream and hands out each container found at a given depth as its own buffer, so
 * bgp64ctl --text renders show rib one route at a time whatever the table size. Validation of
 * each element is left to the JSON parser the callback uses.
 *
 * Memory: one growing buffer, at most the largest element (bounded by s->max).
 */
#include "cli/ctl.h"

#include <stdlib.h>
#include <string.h>

void
ctl_split_init(struct ctl_split *s, unsigned depth, size_t max)
{
	memset(s, 0, sizeof *s);
	s->at = depth;
	s->max = max;
}

void
ctl_split_free(struct ctl_split *s)
{
	free(s->buf);
	s->buf = NULL;
	s->len = s->cap = 0;
}

static int
split_append(struct ctl_split *s, char c)
{
	if (s->len == s->cap) {
		if (s->cap >= s->max)
			return -1;
		size_t ncap = s->cap ? s->cap * 2 : 4096;
		if (ncap > s->max)
			ncap = s->max;
		char *nb = realloc(s->buf, ncap);
		if (nb == NULL)
			return -1;
		s->buf = nb;
		s->cap = ncap;
	}
	s->buf[s->len++] = c;
	return 0;
}

int
ctl_split_feed(struct ctl_split *s, const char *p, size_t n, size_t *used,
	       int (*fn)(const char *elem, size_t len, void *arg), void *arg)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < n && !s->done && rc == 0; i++) {
		char c = p[i];
		if (s->err)
			break;
		if (s->in_str) {
			if (s->esc)
				s->esc = false;
			else if (c == '\\')
				s->esc = true;
			else if (c == '"')
				s->in_str = false;
		} else if (c == '"') {
			s->in_str = true;
		} else if (c == '{' || c == '[') {
			if (s->depth == s->at) {
				s->in_elem = true;
				s->len = 0;
			}
			s->depth++;
		} else if (c == '}' || c == ']') {
			if (s->depth == 0) {
				s->err = true;
				break;
			}
			s->depth--;
			if (s->in_elem && s->depth == s->at) {
				if (split_append(s, c) < 0) {
					s->err = true;
					break;
				}
				s->in_elem = false;
				rc = fn(s->buf, s->len, arg);
				if (s->depth == 0)
					s->done = true;
				continue;
			}
			if (s->depth == 0)
				s->done = true;
		}
		if (s->in_elem && split_append(s, c) < 0) {
			s->err = true;
			break;
		}
	}
	if (used != NULL)
		*used = i;
	if (s->err)
		return -1;
	return rc;
}
