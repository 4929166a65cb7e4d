/*
 * Logging without printing: library code reports through fg_log(), and the
 * front end (CLI, hub) decides where lines go by installing a sink.  With no
 * sink installed, log lines are dropped.
 */
#ifndef FG_LOG_H
#define FG_LOG_H

typedef enum fg_log_level {
    FG_LOG_ERROR = 0,
    FG_LOG_WARN = 1,
    FG_LOG_INFO = 2,
    FG_LOG_DEBUG = 3
} fg_log_level;

/* Receives one formatted line (no trailing newline); `line` is borrowed. */
typedef void (*fg_log_sink)(fg_log_level level, const char *line, void *ud);

/* Installs `sink` (NULL to drop everything) for levels <= `max_level`. */
void fg_log_set_sink(fg_log_sink sink, fg_log_level max_level, void *ud);

/* Formats and hands one line to the sink, if any. */
void fg_log(fg_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif /* FG_LOG_H */
