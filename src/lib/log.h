/*
 * Logging: one line per event to stderr (systemd's journal takes it from there), with a level
 * threshold set once at start-up. Lines name the peer and prefix where there is one; nothing
 * is logged per route at the default level (STYLE.md 8).
 */
#ifndef BGP64_LOG_H
#define BGP64_LOG_H

enum log_level { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

extern enum log_level log_threshold;

void log_set_level(enum log_level lvl);
/* Parses "error", "warning", "info", "debug"; returns -1 for anything else. */
int log_level_parse(const char *s, enum log_level *out);
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...)  log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...)                                                                             \
	do {                                                                                       \
		if (log_threshold >= LOG_LVL_DEBUG)                                                \
			log_msg(LOG_LVL_DEBUG, __VA_ARGS__);                                       \
	} while (0)

#endif
