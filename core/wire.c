/*
 * Length-prefixed JSON messages between fgcat and its plugin workers.
 */
#include "wire.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"

int wire_take(wire_reader *r, json_t **msg, char *why, size_t why_size)
{
    size_t n;
    json_error_t jerr;

    *msg = NULL;
    if (r->len < 4)
        return 0;
    n = (size_t)r->buf[0] << 24 | (size_t)r->buf[1] << 16 | (size_t)r->buf[2] << 8 |
        (size_t)r->buf[3];
    if (n > WIRE_MAX) {
        snprintf(why, why_size, "a message of %zu bytes, more than %zu", n, WIRE_MAX);
        return -1;
    }
    if (r->len < 4 + n)
        return 0;
    *msg = json_loadb((const char *)r->buf + 4, n, JSON_REJECT_DUPLICATES, &jerr);
    memmove(r->buf, r->buf + 4 + n, r->len - 4 - n);
    r->len -= 4 + n;
    if (!*msg || !json_is_object(*msg)) {
        snprintf(why, why_size, "a message that is not a JSON object (%s)",
                 *msg ? "another JSON value" : jerr.text);
        json_decref(*msg);
        *msg = NULL;
        return -1;
    }
    return 1;
}

long wire_fill(wire_reader *r, int fd, size_t n)
{
    ssize_t got;

    if (r->cap - r->len < n) {
        size_t cap = r->cap ? r->cap : 4096;
        while (cap - r->len < n)
            cap *= 2;
        r->buf = fg_xrealloc(r->buf, cap);
        r->cap = cap;
    }
    do
        got = read(fd, r->buf + r->len, n);
    while (got < 0 && errno == EINTR);
    if (got > 0)
        r->len += (size_t)got;
    return (long)got;
}

void wire_close(wire_reader *r)
{
    free(r->buf);
    r->buf = NULL;
    r->len = r->cap = 0;
}

unsigned char *wire_frame(const json_t *msg, size_t *len)
{
    char *text = json_dumps(msg, JSON_COMPACT);
    size_t n;
    unsigned char *buf;

    if (!text)
        return NULL;
    n = strlen(text);
    if (n > WIRE_MAX) {
        free(text);
        return NULL;
    }
    buf = fg_xmalloc(n + 4);
    buf[0] = (unsigned char)(n >> 24);
    buf[1] = (unsigned char)(n >> 16);
    buf[2] = (unsigned char)(n >> 8);
    buf[3] = (unsigned char)n;
    memcpy(buf + 4, text, n);
    free(text);
    *len = n + 4;
    return buf;
}

int wire_write_all(int fd, const unsigned char *buf, size_t len)
{
    size_t off = 0;
    while (off < len) {
        ssize_t w = send(fd, buf + off, len - off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        off += (size_t)w;
    }
    return 0;
}

/* Reads exactly `n` bytes; false at end of file or on an error. */
static int read_exact(int fd, unsigned char *buf, size_t n)
{
    size_t off = 0;
    while (off < n) {
        ssize_t got = read(fd, buf + off, n - off);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return 0;
        off += (size_t)got;
    }
    return 1;
}

json_t *wire_read_blocking(int fd)
{
    unsigned char head[4], *body;
    size_t n;
    json_t *msg;

    if (!read_exact(fd, head, 4))
        return NULL;
    n = (size_t)head[0] << 24 | (size_t)head[1] << 16 | (size_t)head[2] << 8 | (size_t)head[3];
    if (n > WIRE_MAX)
        return NULL;
    body = fg_xmalloc(n ? n : 1);
    if (!read_exact(fd, body, n)) {
        free(body);
        return NULL;
    }
    msg = json_loadb((const char *)body, n, JSON_REJECT_DUPLICATES, NULL);
    free(body);
    if (msg && !json_is_object(msg)) {
        json_decref(msg);
        return NULL;
    }
    return msg;
}
