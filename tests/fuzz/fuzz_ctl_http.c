/*
 * Fuzz target: the request parser of the metrics endpoint (ctl_http_parse), the daemon's only
 * parser of bytes from a network client besides BGP. Checked: the status is one of those the
 * header lists; an accepted request has a NUL-terminated path starting with '/' and consumed
 * no more than it was given; "need more" is only said below the header limit.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cli/ctl_http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_http_req r;
	int st = ctl_http_parse((const char *)data, size, &r);
	switch (st) {
	case 0:
		if (size >= CTL_HTTP_HDR_MAX)
			__builtin_trap();
		break;
	case 200:
		if (memchr(r.path, '\0', sizeof r.path) == NULL || r.path[0] != '/' ||
		    r.consumed > size || r.consumed > CTL_HTTP_HDR_MAX)
			__builtin_trap();
		break;
	case 400:
	case 405:
	case 413:
	case 414:
	case 431:
	case 505:
		break;
	default:
		__builtin_trap();
	}
	return 0;
}
