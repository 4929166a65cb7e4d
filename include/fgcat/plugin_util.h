/*
 * fgcat plugin SDK: the scaffolding every service-area plugin needs, so a
 * plugin keeps only its area's rules.  Header-only (every function is
 * static inline) and self-contained: it needs nothing but the C library and
 * <fgcat/plugin.h>, and a plugin that includes it still links against
 * nothing of fgcat.
 *
 *   Messages    fgcat_say() writes one sentence into a host message buffer;
 *               fgcat_plural() gives "" or "s".
 *   Dates       proleptic Gregorian dates "YYYY-MM-DD" as days since
 *               1970-01-01 (years 1..9999): fgcat_parse_date(),
 *               fgcat_format_date(), fgcat_date_after(), and the civil
 *               conversions under them.
 *   Arithmetic  fgcat_mul_ok() and fgcat_add_ok(): int64 products and sums
 *               that report overflow instead of wrapping.
 *   Attributes  fgcat_read_attrs() reads an offering's attributes object
 *               against a declarative schema (fgcat_attr_spec): it refuses
 *               unknown keys, requires what is required, checks types and
 *               ranges, fills defaults, and names the attribute in its
 *               message.
 *   Labels      FGCAT_ATTR_LABEL() and FGCAT_AREA_LABEL() fill the ABI 1.1
 *               label structs.
 *
 * Names start with fgcat_ like the rest of the SDK; nothing here is part
 * of the binary ABI, so it may grow in any release.
 */
#ifndef FGCAT_PLUGIN_UTIL_H
#define FGCAT_PLUGIN_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define FGCAT_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define FGCAT_PRINTF(fmt, args)
#endif

/* ---- messages ----------------------------------------------------------- */

/*
 * Writes one formatted sentence into a host message buffer (`msg`,
 * `msg_size` as a callback received them), cut to msg_size bytes with the
 * NUL.  Does nothing without a buffer.
 */
FGCAT_PRINTF(3, 4)
static inline void fgcat_say(char *msg, size_t msg_size, const char *fmt, ...)
{
    va_list ap;

    if (msg == NULL || msg_size == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, msg_size, fmt, ap);
    va_end(ap);
}

/* "s" unless n is exactly one, for "1 day" / "2 days". */
static inline const char *fgcat_plural(int64_t n)
{
    return n == 1 ? "" : "s";
}

/* ---- dates -------------------------------------------------------------- */

/* Days from 0001-01-01 to 9999-12-31: the span fgcat's dates cover. */
#define FGCAT_DAYS_SPAN 3652058

/*
 * Days since 1970-01-01 of the proleptic Gregorian date y-m-d (Howard
 * Hinnant's days_from_civil), for years 1..9999 (never overflows there).
 */
static inline int64_t fgcat_days_from_civil(int64_t y, int64_t m, int64_t d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2 ? 1 : 0;
    era = y / 400; /* y >= 0 for years >= 1 */
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The inverse of fgcat_days_from_civil, for dates in years 1..9999. */
static inline void fgcat_civil_from_days(int64_t z, int64_t *y, int64_t *m, int64_t *d)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = z / 146097; /* z >= 0 for years >= 1 */
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2 ? 1 : 0);
}

/* True for a leap year of the Gregorian calendar. */
static inline int fgcat_is_leap_year(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/*
 * Parses "YYYY-MM-DD", a real calendar day in years 1..9999 (2027-02-29
 * is refused, 2028-02-29 accepted), into days since 1970-01-01.  Returns 1
 * on success, 0 when `s` is NULL or not such a date.
 */
static inline int fgcat_parse_date(const char *s, int64_t *days)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t y = 0, m, d, dim;

    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return 0;
    for (int i = 0; i < 4; i++)
        y = y * 10 + (s[i] - '0');
    m = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 1 || m < 1 || m > 12 || d < 1)
        return 0;
    dim = mdays[m - 1];
    if (m == 2 && fgcat_is_leap_year(y))
        dim = 29;
    if (d > dim)
        return 0;
    *days = fgcat_days_from_civil(y, m, d);
    return 1;
}

/*
 * Writes the date `days` after 1970-01-01 as "YYYY-MM-DD" into buf (at
 * least 11 bytes).  Returns 1, or 0 (buf = "") when the date leaves years
 * 1..9999 or buf is too small.
 */
static inline int fgcat_format_date(int64_t days, char *buf, size_t buf_size)
{
    int64_t y, m, d;

    if (buf == NULL || buf_size < 11)
        return 0;
    buf[0] = '\0';
    if (days < fgcat_days_from_civil(1, 1, 1) || days > fgcat_days_from_civil(9999, 12, 31))
        return 0;
    fgcat_civil_from_days(days, &y, &m, &d);
    snprintf(buf, buf_size, "%04d-%02d-%02d", (int)y, (int)m, (int)d);
    return 1;
}

/*
 * Writes the date `offset` days after the date `today` ("YYYY-MM-DD", e.g.
 * a request's today) into buf: the earliest or latest start a lead-time
 * rule accepts.  Returns 1, or 0 (buf = "") when today is malformed or the
 * result leaves years 1..9999.
 */
static inline int fgcat_date_after(const char *today, int64_t offset, char *buf,
                                   size_t buf_size)
{
    int64_t t;

    if (buf != NULL && buf_size > 0)
        buf[0] = '\0';
    if (!fgcat_parse_date(today, &t) || offset < -FGCAT_DAYS_SPAN || offset > FGCAT_DAYS_SPAN)
        return 0;
    return fgcat_format_date(t + offset, buf, buf_size);
}

/*
 * Days from date `from` to date `to` (negative when `to` is earlier), as
 * the host computes a request's lead_days.  Returns 1, or 0 when either
 * is not a date.
 */
static inline int fgcat_days_between(const char *from, const char *to, int64_t *days)
{
    int64_t a, b;

    if (!fgcat_parse_date(from, &a) || !fgcat_parse_date(to, &b))
        return 0;
    *days = b - a;
    return 1;
}

/* ---- checked arithmetic ------------------------------------------------- */

/* *out = a * b; returns 1, or 0 (and *out untouched) when it overflows. */
static inline int fgcat_mul_ok(int64_t a, int64_t b, int64_t *out)
{
    int64_t r;
#if defined(__GNUC__) || defined(__clang__)
    if (__builtin_mul_overflow(a, b, &r))
        return 0;
#else
    if (a != 0 && b != 0 &&
        ((a == -1 && b == INT64_MIN) || (b == -1 && a == INT64_MIN) ||
         (a > 0 ? (b > 0 ? a > INT64_MAX / b : b < INT64_MIN / a)
                : (b > 0 ? a < INT64_MIN / b : a < INT64_MAX / b))))
        return 0;
    r = a * b;
#endif
    *out = r;
    return 1;
}

/* *out = a + b; returns 1, or 0 (and *out untouched) when it overflows. */
static inline int fgcat_add_ok(int64_t a, int64_t b, int64_t *out)
{
    if ((b > 0 && a > INT64_MAX - b) || (b < 0 && a < INT64_MIN - b))
        return 0;
    *out = a + b;
    return 1;
}

/* ---- attribute schema --------------------------------------------------- */

typedef enum fgcat_attr_kind {
    FGCAT_ATTR_INT = 1,  /* a JSON integer in [lo, hi] */
    FGCAT_ATTR_BOOL = 2, /* true or false */
    FGCAT_ATTR_STRING = 3 /* a string of lo..hi bytes passing `check` */
} fgcat_attr_kind;

/* One attribute an area knows.  Static data of the plugin. */
typedef struct fgcat_attr_spec {
    const char *key;
    fgcat_attr_kind kind;
    int required;          /* 1: the offering must carry it */
    int64_t lo, hi;        /* INT: the range; STRING: the length in bytes */
    int64_t dflt;          /* INT, BOOL: the value when absent (optional only) */
    const char *dflt_str;  /* STRING: the value when absent, or NULL */
    int (*check)(const char *s); /* STRING: extra check (1 = good), or NULL */
    const char *expect;    /* STRING: what it must be, for the message, e.g.
                              "a language tag such as \"en-GB\""; NULL = "a string" */
} fgcat_attr_spec;

/* One attribute as read.  `s` is borrowed from the host (valid until the
   callback returns) or is the spec's dflt_str. */
typedef struct fgcat_attr_value {
    int present; /* 1 when the offering carries it */
    int64_t i;   /* INT, BOOL (0 or 1): the value or the default */
    const char *s;
} fgcat_attr_value;

/* Writes "a, b, c or d" (the spec's keys) into buf. */
static inline void fgcat_attr_key_list(const fgcat_attr_spec *specs, size_t n, char *buf,
                                       size_t size)
{
    size_t used = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < n && used < size; i++) {
        const char *sep = i == 0 ? "" : i + 1 == n ? " or " : ", ";
        int w = snprintf(buf + used, size - used, "%s%s", sep, specs[i].key);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

/*
 * Refuses a key of `attrs` that none of the `n` specs names, with the
 * sentence "attribute KEY is not known to AREA; use A, B or C" in msg.
 * Returns FGCAT_OK or FGCAT_ERR_INVALID.  NULL attrs has no keys.
 */
static inline int fgcat_check_attr_keys(const fgcat_host_api *host, const fgcat_attrs *attrs,
                                        const char *area, const fgcat_attr_spec *specs,
                                        size_t n, char *msg, size_t msg_size)
{
    size_t count = attrs != NULL ? host->attr_count(attrs) : 0;

    for (size_t k = 0; k < count; k++) {
        const char *key = host->attr_key(attrs, k);
        size_t i = 0;

        if (key == NULL)
            break;
        while (i < n && strcmp(key, specs[i].key) != 0)
            i++;
        if (i == n) {
            char keys[512];
            fgcat_attr_key_list(specs, n, keys, sizeof keys);
            fgcat_say(msg, msg_size, "attribute %s is not known to %s; use %s", key, area,
                      keys);
            return FGCAT_ERR_INVALID;
        }
    }
    return FGCAT_OK;
}

/*
 * Reads the `n` specs' keys from `attrs` (NULL reads as empty) into
 * values[0..n-1] (same order), in spec order, leaving other keys alone.
 * A required key must be present; every present value must have its type
 * and lie in its range; an absent optional key takes its default.
 * Returns FGCAT_OK, or FGCAT_ERR_INVALID with one sentence naming the
 * attribute in msg:
 *   attribute KEY is required: an integer between LO and HI
 *   attribute KEY must be an integer between LO and HI
 *   attribute KEY is required: true or false
 *   attribute KEY must be true or false
 *   attribute KEY must be EXPECT (is required: EXPECT)
 */
static inline int fgcat_read_attr_values(const fgcat_host_api *host, const fgcat_attrs *attrs,
                                         const fgcat_attr_spec *specs, size_t n,
                                         fgcat_attr_value *values, char *msg, size_t msg_size)
{
    for (size_t i = 0; i < n; i++) {
        const fgcat_attr_spec *sp = &specs[i];
        fgcat_attr_value *v = &values[i];
        int rc = FGCAT_ERR_NOT_FOUND, b = 0;
        int64_t iv = 0;
        const char *sv = NULL;

        v->present = 0;
        v->i = sp->dflt;
        v->s = sp->dflt_str;
        if (attrs != NULL) {
            if (sp->kind == FGCAT_ATTR_INT)
                rc = host->attr_int(attrs, sp->key, &iv);
            else if (sp->kind == FGCAT_ATTR_BOOL)
                rc = host->attr_bool(attrs, sp->key, &b);
            else
                rc = host->attr_string(attrs, sp->key, &sv);
        }
        if (rc == FGCAT_ERR_NOT_FOUND && !sp->required)
            continue;
        if (sp->kind == FGCAT_ATTR_INT) {
            if (rc != FGCAT_OK || iv < sp->lo || iv > sp->hi) {
                fgcat_say(msg, msg_size, "attribute %s %s an integer between %lld and %lld",
                          sp->key, rc == FGCAT_ERR_NOT_FOUND ? "is required:" : "must be",
                          (long long)sp->lo, (long long)sp->hi);
                return FGCAT_ERR_INVALID;
            }
            v->i = iv;
        } else if (sp->kind == FGCAT_ATTR_BOOL) {
            if (rc != FGCAT_OK) {
                fgcat_say(msg, msg_size, "attribute %s %s true or false", sp->key,
                          rc == FGCAT_ERR_NOT_FOUND ? "is required:" : "must be");
                return FGCAT_ERR_INVALID;
            }
            v->i = b != 0;
        } else {
            size_t len = rc == FGCAT_OK && sv != NULL ? strlen(sv) : 0;
            if (rc != FGCAT_OK || sv == NULL || (int64_t)len < sp->lo || (int64_t)len > sp->hi ||
                (sp->check != NULL && !sp->check(sv))) {
                fgcat_say(msg, msg_size, "attribute %s %s %s", sp->key,
                          rc == FGCAT_ERR_NOT_FOUND ? "is required:" : "must be",
                          sp->expect != NULL ? sp->expect : "a string");
                return FGCAT_ERR_INVALID;
            }
            v->s = sv;
        }
        v->present = 1;
    }
    return FGCAT_OK;
}

/*
 * Reads `attrs` against the whole schema of `area`: fgcat_check_attr_keys,
 * then fgcat_read_attr_values.  Cross-field rules (min <= max, ...) are
 * the plugin's, after this call.
 */
static inline int fgcat_read_attrs(const fgcat_host_api *host, const fgcat_attrs *attrs,
                                   const char *area, const fgcat_attr_spec *specs, size_t n,
                                   fgcat_attr_value *values, char *msg, size_t msg_size)
{
    int rc = fgcat_check_attr_keys(host, attrs, area, specs, n, msg, msg_size);
    if (rc != FGCAT_OK)
        return rc;
    return fgcat_read_attr_values(host, attrs, specs, n, values, msg, msg_size);
}

/* ---- labels (ABI 1.1) --------------------------------------------------- */

/* An fgcat_attr_label initialiser: key, label, unit (or NULL), description
   (or NULL). */
#define FGCAT_ATTR_LABEL(key, label, unit, description)                        \
    {sizeof(fgcat_attr_label), (key), (label), (unit), (description)}

/* An fgcat_area_label initialiser; `attributes` is a NULL-terminated array
   of pointers to fgcat_attr_label, or NULL. */
#define FGCAT_AREA_LABEL(area, label, description, attributes)                 \
    {sizeof(fgcat_area_label), (area), (label), (description), (attributes)}

/* ---- offerings as data -------------------------------------------------- */

/*
 * True when the host offers what a data-driven plugin needs: ABI 1.1's
 * add_offerings_file (and so add_offerings_json and data_dir).  Call it
 * from init and refuse to load without it.
 */
static inline int fgcat_host_has_offerings_files(const fgcat_host_api *host)
{
    return host != NULL && host->abi_major == FGCAT_ABI_MAJOR &&
           FGCAT_HAS_FIELD(host, fgcat_host_api, data_dir) && host->add_offerings_file != NULL &&
           host->add_offerings_json != NULL && host->data_dir != NULL;
}

/*
 * An init callback for a data-driven plugin that keeps no state
 * (`.init = fgcat_init_data_plugin`): refuses a host that lacks ABI 1.1's
 * offerings files (fgcat_host_has_offerings_files) or any of the attr_*
 * readers, so that an older fgcat names the reason instead of crashing in
 * a later callback.
 */
static inline int fgcat_init_data_plugin(const fgcat_host_api *host, void **state, char *msg,
                                         size_t msg_size)
{
    (void)state;
    if (!fgcat_host_has_offerings_files(host) || host->attr_int == NULL ||
        host->attr_string == NULL || host->attr_bool == NULL || host->attr_count == NULL ||
        host->attr_key == NULL) {
        fgcat_say(msg, msg_size,
                  "the host API table lacks add_offerings_file or the attr_* readers this "
                  "plugin needs (it was built for plugin ABI %d.%d)",
                  FGCAT_ABI_MAJOR, FGCAT_ABI_MINOR);
        return FGCAT_ERR_FAILED;
    }
    return FGCAT_OK;
}

/*
 * A register_offerings callback for a plugin whose offerings are all data
 * (`.register_offerings = fgcat_register_offerings_json`): adds every
 * offering of offerings.json in the plugin's data directory.  The host
 * reads the file and checks each offering, the plugin's validate_offering
 * among the checks; every refusal names the file and the offering.
 */
static inline int fgcat_register_offerings_json(const fgcat_host_api *host, void *state,
                                                fgcat_registrar *reg)
{
    (void)state;
    return host->add_offerings_file(reg, "offerings.json");
}

#ifdef __cplusplus
}
#endif

#endif /* FGCAT_PLUGIN_UTIL_H */
