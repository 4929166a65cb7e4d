/*
 * The framing between fgcat and its plugin workers: each message is one
 * JSON object, sent as a 4-byte big-endian length and that many bytes of
 * compact JSON text.  A message is at most WIRE_MAX bytes.
 */
#ifndef FG_WIRE_H
#define FG_WIRE_H

#include <jansson.h>
#include <stddef.h>

#define WIRE_MAX ((size_t)16 * 1024 * 1024)

/* Bytes received and not yet parsed; init with {0}, free with wire_close. */
typedef struct wire_reader {
    unsigned char *buf;
    size_t len, cap;
} wire_reader;

/*
 * Takes one whole message from `r`: 1 with *msg set (new), 0 when more
 * bytes are needed, -1 when the bytes are not a message (too long, not a
 * JSON object), with the reason in `why`.
 */
int wire_take(wire_reader *r, json_t **msg, char *why, size_t why_size);

/* Appends up to `n` bytes read from `fd` (non-blocking); returns read()'s
   result (0 at end of file, -1 with errno). */
long wire_fill(wire_reader *r, int fd, size_t n);

void wire_close(wire_reader *r);

/* The frame of `msg` (length and text); new, *len set.  NULL when it is
   too long or on OOM. */
unsigned char *wire_frame(const json_t *msg, size_t *len);

/* Writes all of `buf` to the blocking `fd`; 0, or -1 with errno. */
int wire_write_all(int fd, const unsigned char *buf, size_t len);

/* Reads one message from the blocking `fd`; new, or NULL at end of file or
   on a bad message. */
json_t *wire_read_blocking(int fd);

#endif /* FG_WIRE_H */
