/*
 * The request context of the hub: what a handler asks of its call (the
 * request's headers, cookies and arguments, the caller's organisation,
 * the server's lock) and how it builds its reply.  The API (api.c) and the
 * browser pages (web/) both stand on this; the server (server.c) fills a
 * call for each request and sends its reply.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "util.h"

const char *hub_lookup(const hub_call *call, enum MHD_ValueKind kind, const char *key)
{
    return call->srv->mhd->lookup_connection_value(call->conn, kind, key);
}

void hub_unlock(const hub_call *call)
{
    pthread_mutex_unlock(&call->srv->lock);
}

/* ---- replies ---------------------------------------------------------- */

void hub_reply_json(hub_reply *r, unsigned status, json_t *value)
{
    r->status = status;
    r->content_type = "application/json";
    r->body = json_dumps(value, JSON_COMPACT);
    r->len = r->body ? strlen(r->body) : 0;
    json_decref(value);
}

void hub_reply_error(hub_reply *r, unsigned status, const char *code, const char *fmt, ...)
{
    char msg[FG_ERROR_MSG_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* A message quoting input at a bounded length may cut a character in
       two; JSON takes only UTF-8. */
    fg_utf8_scrub(msg);
    hub_reply_json(r, status, json_pack("{s:s, s:s}", "error", code, "message", msg));
}

void hub_reply_header(hub_reply *r, const char *name, const char *value)
{
    if (r->n_headers == r->cap_headers) {
        r->cap_headers = r->cap_headers ? r->cap_headers * 2 : 8;
        r->headers = fg_xrealloc(r->headers, r->cap_headers * sizeof *r->headers);
    }
    r->headers[r->n_headers].name = fg_strdup(name);
    r->headers[r->n_headers].value = fg_strdup(value);
    r->n_headers++;
}

void hub_reply_clear(hub_reply *r)
{
    for (size_t i = 0; i < r->n_headers; i++) {
        free(r->headers[i].name);
        free(r->headers[i].value);
    }
    free(r->headers);
    free(r->body);
    memset(r, 0, sizeof *r);
}

const char *hub_arg(const hub_call *call, const char *name)
{
    return hub_lookup(call, MHD_GET_ARGUMENT_KIND, name);
}

bool hub_token_org(cat_catalog *cat, const char *token, char org[8])
{
    fg_error e;
    return token && cat_token_check(cat, token, org, &e) == FG_OK;
}

bool hub_call_bearer(hub_call *call)
{
    const char *auth = hub_lookup(call, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    /* The scheme's name is case-insensitive (RFC 9110). */
    if (auth && strncasecmp(auth, "Bearer ", 7) == 0 &&
        hub_token_org(call->cat, auth + 7, call->org))
        return true;
    call->org[0] = '\0';
    return false;
}
