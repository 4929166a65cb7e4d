#include "status.h"

#include <stdarg.h>
#include <stdio.h>

static const struct {
    const char *text;
    int exit_code;
} status_table[] = {
#define FG_STATUS_ROW(name, code, text) {text, code},
    FG_STATUS_MAP(FG_STATUS_ROW)
#undef FG_STATUS_ROW
};

const char *fg_strerror(fg_status st)
{
    if ((unsigned)st >= FG_STATUS_COUNT)
        return "unknown status";
    return status_table[st].text;
}

int fg_exit_code(fg_status st)
{
    if ((unsigned)st >= FG_STATUS_COUNT)
        return 1;
    return status_table[st].exit_code;
}

fg_status fg_fail(fg_error *err, fg_status st, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->status = st;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return st;
}

void fg_error_clear(fg_error *err)
{
    if (err) {
        err->status = FG_OK;
        err->msg[0] = '\0';
    }
}
