/*
 * Sending one e-mail through the operator's SMTP relay with libcurl, which
 * this library alone loads (curl.c).  The hub's notification sender
 * (hub/notify.c) reaches it through the function pointer `fgcat serve`
 * gives it, so the hub itself never loads libcurl.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "sync.h"
#include "util.h"

#define SMTP_CREDENTIALS_MAX 1024

struct sync_smtp {
    const net_curl *cu;
    char *url, *from, *ca_file;
    char *user, *password; /* from --smtp-user-file, or NULL; never logged */
    bool plain;
    long timeout_s;
};

/* Reads "USER:PASSWORD" (one line) from `path` into s->user and s->password. */
static fg_status read_credentials(sync_smtp *s, const char *path, fg_error *err)
{
    char buf[SMTP_CREDENTIALS_MAX + 2], *colon;
    size_t n;
    FILE *f = fopen(path, "r");

    if (!f)
        return fg_fail(err, FG_EIO, "cannot read --smtp-user-file %.200s", path);
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    if (n > SMTP_CREDENTIALS_MAX)
        return fg_fail(err, FG_EINVAL, "--smtp-user-file %.200s is too long", path);
    buf[strcspn(buf, "\r\n")] = '\0';
    if (!(colon = strchr(buf, ':')) || colon == buf)
        return fg_fail(err, FG_EINVAL, "--smtp-user-file %.200s must hold USER:PASSWORD on "
                                       "one line",
                       path);
    *colon = '\0';
    s->user = fg_strdup(buf);
    s->password = fg_strdup(colon + 1);
    return FG_OK;
}

sync_smtp *sync_smtp_new(const sync_smtp_options *o, fg_error *err)
{
    sync_smtp *s;
    bool smtps = o->url && strncasecmp(o->url, "smtps://", 8) == 0;

    if (!o->url || (!smtps && strncasecmp(o->url, "smtp://", 7) != 0)) {
        fg_fail(err, FG_EINVAL, "--smtp must be smtp://HOST[:PORT] or smtps://HOST[:PORT], "
                                "not '%.100s'",
                o->url ? o->url : "");
        return NULL;
    }
    if (strchr(o->url + (smtps ? 8 : 7), '@')) {
        fg_fail(err, FG_EINVAL, "--smtp must not hold a user name or password: put them "
                                "in --smtp-user-file");
        return NULL;
    }
    if (o->insecure_plain && smtps) {
        fg_fail(err, FG_EINVAL, "--smtp-insecure-plain goes with smtp://, not smtps://");
        return NULL;
    }
    if (!o->from || !strchr(o->from, '@') || strpbrk(o->from, "\r\n<> \t")) {
        fg_fail(err, FG_EINVAL, "--mail-from must be an e-mail address, not '%.100s'",
                o->from ? o->from : "");
        return NULL;
    }
    s = fg_xcalloc(1, sizeof *s);
    if (!(s->cu = net_curl_api(err))) {
        free(s);
        return NULL;
    }
    s->url = fg_strdup(o->url);
    s->from = fg_strdup(o->from);
    s->ca_file = fg_strdup(o->ca_file);
    s->plain = o->insecure_plain;
    s->timeout_s = o->timeout_s > 0 ? o->timeout_s : 30;
    if (o->user_file && read_credentials(s, o->user_file, err) != FG_OK) {
        sync_smtp_free(s);
        return NULL;
    }
    return s;
}

void sync_smtp_free(sync_smtp *s)
{
    if (!s)
        return;
    free(s->url);
    free(s->from);
    free(s->ca_file);
    free(s->user);
    if (s->password) {
        memset(s->password, 0, strlen(s->password));
        free(s->password);
    }
    free(s);
}

/* The message as libcurl reads it, in pieces. */
typedef struct reader {
    const char *data;
    size_t left;
} reader;

static size_t on_read(char *buf, size_t size, size_t nitems, void *ud)
{
    reader *r = ud;
    size_t n = size * nitems < r->left ? size * nitems : r->left;
    memcpy(buf, r->data, n);
    r->data += n;
    r->left -= n;
    return n;
}

/* Aborts the transfer once the caller asks to stop (a hanging relay must
   not hold up the hub's shutdown). */
static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    const volatile sig_atomic_t *stop = ud;
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    return stop && *stop ? 1 : 0;
}

fg_status sync_smtp_send(sync_smtp *s, const char *rcpt, const char *message,
                         const volatile sig_atomic_t *stop, fg_error *err)
{
    const net_curl *cu = s->cu;
    char detail[CURL_ERROR_SIZE] = "";
    struct curl_slist *to = NULL;
    reader r = {message, strlen(message)};
    CURL *c = cu->easy_init();
    CURLcode rc;

    if (!c)
        return fg_fail(err, FG_ENOMEM, "cannot make a libcurl handle");
    to = cu->slist_append(NULL, rcpt);
    cu->easy_setopt(c, CURLOPT_ERRORBUFFER, detail);
    cu->easy_setopt(c, CURLOPT_URL, s->url);
    cu->easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    cu->easy_setopt(c, CURLOPT_USE_SSL, s->plain ? (long)CURLUSESSL_NONE : (long)CURLUSESSL_ALL);
    cu->easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    cu->easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    if (s->ca_file)
        cu->easy_setopt(c, CURLOPT_CAINFO, s->ca_file);
    if (s->user) {
        cu->easy_setopt(c, CURLOPT_USERNAME, s->user);
        cu->easy_setopt(c, CURLOPT_PASSWORD, s->password);
    }
    cu->easy_setopt(c, CURLOPT_MAIL_FROM, s->from);
    cu->easy_setopt(c, CURLOPT_MAIL_RCPT, to);
    cu->easy_setopt(c, CURLOPT_UPLOAD, 1L);
    cu->easy_setopt(c, CURLOPT_READFUNCTION, on_read);
    cu->easy_setopt(c, CURLOPT_READDATA, &r);
    cu->easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)r.left);
    cu->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    cu->easy_setopt(c, CURLOPT_CONNECTTIMEOUT, s->timeout_s < 10 ? s->timeout_s : 10L);
    cu->easy_setopt(c, CURLOPT_TIMEOUT, s->timeout_s);
    cu->easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    cu->easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    cu->easy_setopt(c, CURLOPT_XFERINFODATA, (void *)stop);
    rc = cu->easy_perform(c);
    cu->easy_cleanup(c);
    cu->slist_free_all(to);
    if (rc == CURLE_OK)
        return FG_OK;
    return fg_fail(err, FG_ENET, "%s%s%.300s", cu->easy_strerror(rc), detail[0] ? ": " : "",
                   detail);
}
