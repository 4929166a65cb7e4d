#define _POSIX_C_SOURCE 200809L
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "log.h"
/* The civil-date routines are the plugin SDK's, so core and plugins count
   days the same way. */
#include "fgcat/plugin_util.h"

void fg_time_iso(int64_t t, char buf[FG_TIMESTAMP_SIZE])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, FG_TIMESTAMP_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void fg_now_iso(char buf[FG_TIMESTAMP_SIZE])
{
    fg_time_iso((int64_t)time(NULL), buf);
}

void fg_today(char buf[FG_DATE_SIZE])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, FG_DATE_SIZE, "%Y-%m-%d", &tm);
}

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static int64_t num(const char *s, size_t n)
{
    int64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* Checks "YYYY-MM-DD" at the start of `s` and returns y, m, d. */
static bool parse_ymd(const char *s, int64_t *y, int64_t *m, int64_t *d)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (!digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
        !digits(s + 8, 2))
        return false;
    *y = num(s, 4);
    *m = num(s + 5, 2);
    *d = num(s + 8, 2);
    if (*y < 1900 || *m < 1 || *m > 12 || *d < 1)
        return false;
    int64_t max = mdays[*m - 1] + (*m == 2 && fgcat_is_leap_year(*y));
    return *d <= max;
}

bool fg_parse_date(const char *s, int64_t *days)
{
    int64_t y, m, d;
    if (!s || strlen(s) != 10 || !parse_ymd(s, &y, &m, &d))
        return false;
    *days = fgcat_days_from_civil(y, m, d);
    return true;
}

bool fg_valid_timestamp(const char *s)
{
    int64_t y, m, d;
    if (!s || strlen(s) != 20 || !parse_ymd(s, &y, &m, &d))
        return false;
    if (s[10] != 'T' || !digits(s + 11, 2) || s[13] != ':' ||
        !digits(s + 14, 2) || s[16] != ':' || !digits(s + 17, 2) || s[19] != 'Z')
        return false;
    return num(s + 11, 2) < 24 && num(s + 14, 2) < 60 && num(s + 17, 2) < 61;
}

bool fg_utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        size_t n;
        unsigned cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        for (size_t k = 1; k <= n; k++) {
            if (i + k >= len || (s[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
            (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += n + 1;
    }
    return true;
}

size_t fg_utf8_char(const char *s)
{
    const unsigned char c = (unsigned char)*s;
    size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
    /* fg_utf8_valid stops at the first byte that is not a continuation
       byte, so it never reads past a terminating NUL. */
    return c != 0 && n && fg_utf8_valid(s, n) ? n : 0;
}

void fg_utf8_scrub(char *s)
{
    while (*s) {
        size_t n = fg_utf8_char(s);
        if (n == 0) {
            *s++ = '?';
        } else {
            s += n;
        }
    }
}

bool fg_valid_slug(const char *s, size_t max)
{
    size_t n = 0;
    if (!s)
        return false;
    for (; s[n]; n++) {
        char c = s[n];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
        if (n >= max)
            return false;
    }
    return n >= 1;
}

bool fg_valid_ods(const char *s)
{
    size_t n = 0;
    if (!s)
        return false;
    for (; s[n]; n++) {
        char c = s[n];
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) || n >= 5)
            return false;
    }
    return n >= 3;
}

bool fg_has_control(const char *s, bool allow_newlines)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (allow_newlines && (c == '\n' || c == '\r' || c == '\t'))
            continue;
        if (c < 0x20 || c == 0x7F)
            return true;
    }
    return false;
}

bool fg_valid_email(const char *s)
{
    const char *at = strchr(s, '@');
    if (!at || at == s || !at[1] || strchr(at + 1, '@') || strlen(s) > 254)
        return false;
    for (const char *c = s; *c; c++)
        if ((unsigned char)*c <= ' ' || *c == 0x7F)
            return false;
    return strchr(at + 1, '.') != NULL && fg_utf8_valid(s, strlen(s));
}

fg_status fg_mkdir_p(const char *path, fg_error *err)
{
    char buf[4096];
    size_t len = strlen(path);
    if (len == 0 || len >= sizeof buf)
        return fg_fail(err, FG_EINVAL, "path '%s' is empty or too long", path);
    memcpy(buf, path, len + 1);
    for (size_t i = 1; i <= len; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char saved = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0700) != 0 && errno != EEXIST)
            return fg_fail(err, FG_EIO, "cannot create directory '%s': %s", buf,
                           strerror(errno));
        buf[i] = saved;
    }
    return FG_OK;
}

bool fg_parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
    char *end;
    long long v;
    /* strtoll skips leading white space: " 12" (or "1. 5" in pounds) would
       pass although the number does not fill the whole of `s`. */
    if (!s || !*s || isspace((unsigned char)*s))
        return false;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return false;
    *out = (int64_t)v;
    return true;
}

bool fg_parse_pounds(const char *s, int64_t *pence)
{
    char whole[24];
    const char *dot = strchr(s, '.');
    int64_t pounds, frac = 0;
    size_t n = dot ? (size_t)(dot - s) : strlen(s);
    if (n == 0 || n >= sizeof whole || s[0] == '+' || s[0] == '-')
        return false;
    memcpy(whole, s, n);
    whole[n] = '\0';
    if (!fg_parse_int(whole, 0, 10000000000LL, &pounds))
        return false;
    if (dot) {
        size_t fl = strlen(dot + 1);
        if (fl < 1 || fl > 2 || dot[1] == '+' || dot[1] == '-' ||
            !fg_parse_int(dot + 1, 0, 99, &frac))
            return false;
        if (fl == 1)
            frac *= 10;
    }
    *pence = pounds * 100 + frac;
    return true;
}

/* The end of every failed allocation: one line, then abort(). */
static void oom(size_t size)
{
    fg_log(FG_LOG_ERROR, "out of memory (%zu bytes)", size);
    abort();
}

void *fg_xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        oom(size);
    return p;
}

void *fg_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        oom(count * size);
    return p;
}

void *fg_xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (!q)
        oom(size);
    return q;
}

bool fg_money(char *buf, size_t size, int64_t pence, const char *currency)
{
    char whole[24], grouped[32];
    /* The magnitude as unsigned, so that INT64_MIN has one too. */
    uint64_t mag = pence < 0 ? (uint64_t)0 - (uint64_t)pence : (uint64_t)pence;
    size_t n, g = 0;
    int len;

    snprintf(whole, sizeof whole, "%llu", (unsigned long long)(mag / 100));
    n = strlen(whole);
    for (size_t i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            grouped[g++] = ',';
        grouped[g++] = whole[i];
    }
    grouped[g] = '\0';
    if (currency && strcmp(currency, "GBP") == 0)
        len = snprintf(buf, size, "%s\xc2\xa3%s.%02u", pence < 0 ? "-" : "", grouped,
                       (unsigned)(mag % 100));
    else
        len = snprintf(buf, size, "%s%s.%02u %s", pence < 0 ? "-" : "", grouped,
                       (unsigned)(mag % 100), currency ? currency : "");
    return len >= 0 && (size_t)len < size;
}

char *fg_join(const char *const *parts, size_t n)
{
    size_t len = 1, at = 0;
    char *out;
    for (size_t i = 0; i < n; i++)
        len += strlen(parts[i]) + 1;
    out = fg_xmalloc(len);
    for (size_t i = 0; i < n; i++) {
        size_t k = strlen(parts[i]);
        if (i)
            out[at++] = ' ';
        memcpy(out + at, parts[i], k);
        at += k;
    }
    out[at] = '\0';
    return out;
}

char *fg_strdup(const char *s)
{
    char *p;
    if (!s)
        return NULL;
    p = strdup(s);
    if (!p)
        oom(strlen(s) + 1);
    return p;
}
