#include "log.h"

#include <stdarg.h>
#include <stdio.h>

static fg_log_sink log_sink;
static fg_log_level log_max = FG_LOG_WARN;
static void *log_ud;

void fg_log_set_sink(fg_log_sink sink, fg_log_level max_level, void *ud)
{
    log_sink = sink;
    log_max = max_level;
    log_ud = ud;
}

void fg_log(fg_log_level level, const char *fmt, ...)
{
    char line[1024];
    va_list ap;

    if (!log_sink || level > log_max)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    log_sink(level, line, log_ud);
}
