/*
 * The hub's HTML builder: a growing page with a fixed ceiling, and the
 * only ways data reaches it -- html_text() (escaped), html_url()
 * (percent-encoded), html_int() -- beside html_put() for markup made from
 * string literals (web.h).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"
#include "util.h"

#define MAX_PAGE_BYTES ((size_t)16 * 1024 * 1024)

/* ---- HTML buffers ------------------------------------------------------ */

/* Makes room for `n` more bytes and a NUL; false once the page is full. */
static bool reserve(html_buf *b, size_t n)
{
    size_t cap;
    char *grown;
    if (b->full)
        return false;
    if (b->len + n + 1 <= b->cap)
        return true;
    if (b->len + n + 1 > MAX_PAGE_BYTES) {
        b->full = true;
        return false;
    }
    cap = b->cap ? b->cap : 8192;
    while (cap < b->len + n + 1)
        cap *= 2;
    if (cap > MAX_PAGE_BYTES)
        cap = MAX_PAGE_BYTES;
    grown = fg_xrealloc(b->data, cap);
    b->data = grown;
    b->cap = cap;
    return true;
}

static void put(html_buf *b, const char *s, size_t n)
{
    if (!reserve(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void html_put(html_buf *b, html_lit markup)
{
    put(b, markup.s, strlen(markup.s));
}

void html_int(html_buf *b, long long n)
{
    char digits[24]; /* "-9223372036854775808" fits */
    int len = snprintf(digits, sizeof digits, "%lld", n);
    put(b, digits, (size_t)len);
}

/* The length of the UTF-8 sequence a lead byte starts, or 0. */
static size_t utf8_len(unsigned char c)
{
    if (c >= 0xc2 && c <= 0xdf)
        return 2;
    if (c >= 0xe0 && c <= 0xef)
        return 3;
    if (c >= 0xf0 && c <= 0xf4)
        return 4;
    return 0;
}

void html_text(html_buf *b, const char *text)
{
    static const char replacement[] = "\xef\xbf\xbd";
    size_t i = 0, n;
    if (!text)
        return;
    n = strlen(text);
    while (i < n) {
        unsigned char c = (unsigned char)text[i];
        size_t run = i, k;
        /* Copy the longest stretch that needs nothing done first. */
        while (run < n && (unsigned char)text[run] >= 0x20 &&
               (unsigned char)text[run] < 0x7f && !strchr("&<>\"'", text[run]))
            run++;
        if (run > i) {
            put(b, text + i, run - i);
            i = run;
            continue;
        }
        switch (c) {
        case '&':
            html_raw(b, "&amp;");
            break;
        case '<':
            html_raw(b, "&lt;");
            break;
        case '>':
            html_raw(b, "&gt;");
            break;
        case '"':
            html_raw(b, "&quot;");
            break;
        case '\'':
            html_raw(b, "&#39;");
            break;
        case '\t':
        case '\n':
        case '\r':
            put(b, text + i, 1);
            break;
        default:
            k = c >= 0x80 ? utf8_len(c) : 0;
            if (k && i + k <= n && fg_utf8_valid(text + i, k)) {
                put(b, text + i, k);
                i += k;
                continue;
            }
            put(b, replacement, 3); /* a control character or broken UTF-8 */
        }
        i++;
    }
}

void html_url(html_buf *b, const char *s, bool keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~' || (keep_slash && c == '/')) {
            put(b, s, 1);
        } else {
            char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
            put(b, esc, 3);
        }
    }
}
