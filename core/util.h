/*
 * Small helpers every module needs: time stamps, text checks, paths.
 */
#ifndef FG_UTIL_H
#define FG_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define FG_TIMESTAMP_SIZE 21 /* "2026-11-22T10:00:00Z" + NUL */
#define FG_DATE_SIZE 11      /* "2026-11-22" + NUL */

/* Writes the current UTC time as "YYYY-MM-DDTHH:MM:SSZ" into `buf`. */
void fg_now_iso(char buf[FG_TIMESTAMP_SIZE]);

/* Writes time `t` (seconds since the epoch) as a UTC time stamp. */
void fg_time_iso(int64_t t, char buf[FG_TIMESTAMP_SIZE]);

/* Writes today's UTC date as "YYYY-MM-DD" into `buf`. */
void fg_today(char buf[FG_DATE_SIZE]);

/*
 * Parses a calendar date "YYYY-MM-DD" (a real day: 2027-02-30 is refused)
 * into days since 1970-01-01.  Returns true on success.
 */
bool fg_parse_date(const char *s, int64_t *days);

/* True when `s` is a well-formed "YYYY-MM-DDTHH:MM:SSZ" UTC time stamp. */
bool fg_valid_timestamp(const char *s);

/* True when the `len` bytes at `s` are valid UTF-8 (no overlongs, no
   surrogates, nothing past U+10FFFF). */
bool fg_utf8_valid(const char *s, size_t len);

/* The length in bytes of the UTF-8 character `s` starts with, or 0 when it
   does not start with one (an invalid or cut sequence, or NUL). */
size_t fg_utf8_char(const char *s);

/* Replaces, in place, every byte of `s` that is not part of a UTF-8
   character with '?' (e.g. a message that cut a character in two). */
void fg_utf8_scrub(char *s);

/* True when `s` is 1..max bytes, each in [a-z0-9-]. */
bool fg_valid_slug(const char *s, size_t max);

/* True when `s` is an ODS code: 3..5 bytes of [A-Z0-9]. */
bool fg_valid_ods(const char *s);

/* True when `s` contains a byte below 0x20 (or DEL); `allow_newlines` lets
   '\n', '\r' and '\t' through. */
bool fg_has_control(const char *s, bool allow_newlines);

/* True when `s` looks like an e-mail address: one '@' with text before it,
   a dot after it, no spaces or control characters, UTF-8, at most 254
   bytes. */
bool fg_valid_email(const char *s);

/* Creates directory `path` and its missing parents (mode 0700 for new ones). */
fg_status fg_mkdir_p(const char *path, fg_error *err);

/*
 * Parses a base-10 integer that must fill the whole of `s` and lie within
 * [min, max].  Returns true on success.
 */
bool fg_parse_int(const char *s, int64_t min, int64_t max, int64_t *out);

/* Parses an amount of pounds, "1500", "1500.5" or "1500.50", into pence. */
bool fg_parse_pounds(const char *s, int64_t *pence);

/*
 * Memory fgcat allocates for itself.  These never return NULL: when memory
 * runs out they log "out of memory" (through the log sink) and abort(),
 * as git's xmalloc dies -- the one out-of-memory policy of every library
 * here (docs/design.md).  New, caller frees.
 */
void *fg_xmalloc(size_t size);
void *fg_xcalloc(size_t count, size_t size);
void *fg_xrealloc(void *p, size_t size);

/* Joins `n` strings with single spaces.  New, caller frees; aborts on
   OOM like fg_xmalloc. */
char *fg_join(const char *const *parts, size_t n);

/* Duplicates `s` (NULL stays NULL); new, caller frees.  Aborts on OOM. */
char *fg_strdup(const char *s);

/* Money as people read it: "£1,850.00" for GBP, "1,850.00 EUR" for any
   other currency (its code after the amount), "-£0.50" below zero.
   Always NUL-terminated; false when `size` was too small for all of it. */
bool fg_money(char *buf, size_t size, int64_t pence, const char *currency);

#endif /* FG_UTIL_H */
