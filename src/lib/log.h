/*
 * Logging: one line per event to stderr, with a full timestamp, or with the syslog priority
 * prefix when stderr is the systemd journal (log.c). The level threshold comes from the
 * config and can change at run time. Lines name the peer and prefix where there is one;
 * nothing is logged per route at the default level (STYLE.md 8), except the rate-limited
 * UPDATE debugging an operator turns on for one neighbor.
 */
#ifndef BGP64_LOG_H
#define BGP64_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum log_level { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

extern enum log_level log_threshold;

/* Chooses the sink: the journal's priority prefixes when $JOURNAL_STREAM is stderr. */
void log_init(void);
bool log_to_journal(void);
void log_set_level(enum log_level lvl);
const char *log_level_name(enum log_level lvl);
/* Parses "error", "warning", "info", "debug"; returns -1 for anything else. */
int log_level_parse(const char *s, enum log_level *out);
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Whatever the threshold (UPDATE debugging an operator asked for). */
void log_force(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vforce(enum log_level lvl, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

#define log_err(...)  log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...)                                                                             \
	do {                                                                                       \
		if (log_threshold >= LOG_LVL_DEBUG)                                                \
			log_msg(LOG_LVL_DEBUG, __VA_ARGS__);                                       \
	} while (0)

#endif
