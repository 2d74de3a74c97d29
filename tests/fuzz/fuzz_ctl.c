/*
 * Fuzz target: control request parsing (ctl_request_parse), the daemon's only parser of
 * client input. Seeds in ctl.in/ are replayed by ctest in every build.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cli/ctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_request req;
	char err[CTL_ERRLEN];

	if (ctl_request_parse((const char *)data, size, &req, err, sizeof err) == 0) {
		/* An accepted request is self-consistent. */
		if (req.cmd == CTL_SHOW_TRANSLATION && !req.has_prefix)
			__builtin_trap();
		if (req.has_prefix && req.prefix.len > af_bits(req.prefix.af))
			__builtin_trap();
		if (memchr(req.message, '\0', sizeof req.message) == NULL)
			__builtin_trap();
	} else if (memchr(err, '\0', sizeof err) == NULL || err[0] == '\0') {
		__builtin_trap(); /* every refusal says why */
	}
	return 0;
}
