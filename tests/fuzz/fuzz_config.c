/*
 * Fuzz target: the configuration parser. cfg_parse() is a pure function of its input (no file,
 * socket or global state), so any byte string may be fed to it; it must either refuse it with
 * a message or build a config that cfg_free() releases completely.
 */
#include <stddef.h>
#include <stdint.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[CFG_ERRLEN];
	cfg_free(cfg_parse((const char *)data, size, "fuzz.json", err, sizeof err));
	return 0;
}
