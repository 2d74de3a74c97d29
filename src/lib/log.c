/*
 * Logging: one line per event, to one of two sinks chosen at start-up (log_init):
 *   - standard error with a full local timestamp (date, time to the millisecond, UTC offset)
 *     and the level, when run by hand or by the tests;
 *   - the systemd journal, when standard error is the journal's stream ($JOURNAL_STREAM names
 *     its device and inode, systemd.exec(5)): each line starts with its syslog priority
 *     ("<3>" for an error, sd-daemon(3)), which journald records, so `journalctl -p err -u
 *     bgp64d` finds errors; no timestamp, the journal has its own.
 * The threshold can change at run time (bgp64ctl log level).
 */
#include "lib/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

enum log_level log_threshold = LOG_LVL_INFO;
static bool log_journal;

static const char *const log_names[] = {"error", "warning", "info", "debug"};
/* syslog(3) priorities: LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG. */
static const int log_prio[] = {3, 4, 6, 7};

void
log_init(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	log_journal = false;
	if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2 || fstat(STDERR_FILENO, &st) < 0)
		return;
	log_journal = (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

bool
log_to_journal(void)
{
	return log_journal;
}

void
log_set_level(enum log_level lvl)
{
	log_threshold = lvl;
}

const char *
log_level_name(enum log_level lvl)
{
	return log_names[lvl];
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
log_vforce(enum log_level lvl, const char *fmt, va_list ap)
{
	char line[1024];
	int n;

	if (log_journal) {
		n = snprintf(line, sizeof line, "<%d>", log_prio[lvl]);
	} else {
		struct timeval tv;
		struct tm tm;
		char date[64];
		gettimeofday(&tv, NULL);
		localtime_r(&tv.tv_sec, &tm);
		strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &tm);
		char zone[8];
		strftime(zone, sizeof zone, "%z", &tm);
		n = snprintf(line, sizeof line, "%s.%03ld %s %s: ", date, (long)(tv.tv_usec / 1000),
			     zone, log_names[lvl]);
	}
	if (n > 0 && (size_t)n < sizeof line)
		vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	fprintf(stderr, "%s\n", line);
}

void
log_force(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vforce(lvl, fmt, ap);
	va_end(ap);
}

void
log_msg(enum log_level lvl, const char *fmt, ...)
{
	if (lvl > log_threshold)
		return;
	va_list ap;
	va_start(ap, fmt);
	log_vforce(lvl, fmt, ap);
	va_end(ap);
}
