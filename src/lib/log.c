/*
 * Logging to stderr with a monotonic-free wall-clock timestamp and a level tag. The daemon runs
 * in the foreground under systemd, which adds its own metadata; the timestamp helps when it is
 * run by hand or by the tests.
 */
#include "lib/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

enum log_level log_threshold = LOG_LVL_INFO;

static const char *const log_names[] = {"error", "warning", "info", "debug"};

void
log_set_level(enum log_level lvl)
{
	log_threshold = lvl;
}

int
log_level_parse(const char *s, enum log_level *out)
{
	for (unsigned i = 0; i < sizeof log_names / sizeof log_names[0]; i++) {
		if (strcmp(s, log_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

void
log_msg(enum log_level lvl, const char *fmt, ...)
{
	if (lvl > log_threshold)
		return;
	char line[1024];
	struct timeval tv;
	struct tm tm;
	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	int n = snprintf(line, sizeof line, "%02d:%02d:%02d.%03ld %s: ", tm.tm_hour, tm.tm_min,
			 tm.tm_sec, (long)(tv.tv_usec / 1000), log_names[lvl]);
	va_list ap;
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof line)
		vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", line);
}
