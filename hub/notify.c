/*
 * The hub's notification sender (docs/notifications.md): one thread that
 * wakes every few seconds, reads the catalogue's due messages, writes
 * each as a plain-text RFC 5322 message and hands it to the mailer the
 * CLI configured, then records the outcome (sent, or failed with backoff)
 * in a short transaction of its own.  No transaction is held while the
 * relay is talking, and a stop abandons the message in flight, which
 * stays queued.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "log.h"
#include "util.h"

#define BATCH 50 /* messages read from the queue at a time */
#define MESSAGE_MAX ((size_t)64 * 1024)

struct hub_notifier {
    const hub_config *cfg;
    hub_mailer mail;
    hub_metrics *metrics;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    volatile sig_atomic_t stop;
};

/* "Fri, 04 Dec 2026 18:30:00 +0000" (RFC 5322 §3.3), whatever the locale. */
static void mail_date(time_t t, char buf[40])
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(buf, 40, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday % 7],
             tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
             tm.tm_sec);
}

/* Appends `len` bytes of `s` to buf (size `size`, used `*n`); false when
   it does not fit. */
static bool put(char *buf, size_t size, size_t *n, const char *s, size_t len)
{
    if (len >= size - *n)
        return false;
    memcpy(buf + *n, s, len);
    *n += len;
    buf[*n] = '\0';
    return true;
}

static bool puts_(char *buf, size_t size, size_t *n, const char *s)
{
    return put(buf, size, n, s, strlen(s));
}

/* Appends `len` bytes of `in` in base64. */
static bool put_base64(char *buf, size_t size, size_t *n, const unsigned char *in, size_t len)
{
    static const char abc[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned)in[i] << 16;
        char q[4];
        if (i + 1 < len)
            v |= (unsigned)in[i + 1] << 8;
        if (i + 2 < len)
            v |= in[i + 2];
        q[0] = abc[(v >> 18) & 63];
        q[1] = abc[(v >> 12) & 63];
        q[2] = (char)(i + 1 < len ? abc[(v >> 6) & 63] : '=');
        q[3] = (char)(i + 2 < len ? abc[v & 63] : '=');
        if (!put(buf, size, n, q, 4))
            return false;
    }
    return true;
}

/* The Subject: header's value: ASCII as it is; otherwise RFC 2047
   encoded-words of at most 45 bytes each, cut between UTF-8 characters
   and folded.  Control characters become spaces either way. */
static bool put_subject(char *buf, size_t size, size_t *n, const char *subject)
{
    char clean[1024];
    size_t len = 0;
    bool ascii = true;

    for (const unsigned char *p = (const unsigned char *)subject; *p && len < sizeof clean - 1;
         p++) {
        clean[len++] = (char)(*p < 0x20 || *p == 0x7f ? ' ' : *p);
        ascii = ascii && *p < 0x80;
    }
    clean[len] = '\0';
    if (ascii)
        return put(buf, size, n, clean, len);
    for (size_t i = 0; i < len;) {
        size_t end = i + 45 < len ? i + 45 : len;
        while (end < len && end > i + 1 && ((unsigned char)clean[end] & 0xC0) == 0x80)
            end--; /* not inside a character */
        if ((i > 0 && !puts_(buf, size, n, "\r\n ")) || !puts_(buf, size, n, "=?UTF-8?B?") ||
            !put_base64(buf, size, n, (const unsigned char *)clean + i, end - i) ||
            !puts_(buf, size, n, "?="))
            return false;
        i = end;
    }
    return true;
}

/* The whole message of queue entry `m` ({"id", "recipient", "subject",
   "body"}): headers, a blank line, the body with CRLF line ends.  New, or
   NULL when it would be longer than MESSAGE_MAX. */
static char *make_message(const hub_mailer *mail, const json_t *m, time_t now)
{
    char *buf = fg_xmalloc(MESSAGE_MAX), date[40], line[512];
    const char *domain = strchr(mail->from, '@');
    const char *body = json_string_value(json_object_get(m, "body"));
    size_t n = 0;
    bool ok;

    buf[0] = '\0';
    mail_date(now, date);
    snprintf(line, sizeof line,
             "Date: %s\r\nFrom: %s\r\nTo: %s\r\nMessage-ID: <fgcat.%lld.%lld@%s>\r\nSubject: ",
             date, mail->from, json_string_value(json_object_get(m, "recipient")),
             (long long)json_integer_value(json_object_get(m, "id")), (long long)now,
             domain ? domain + 1 : "localhost");
    ok = puts_(buf, MESSAGE_MAX, &n, line) &&
         put_subject(buf, MESSAGE_MAX, &n, json_string_value(json_object_get(m, "subject"))) &&
         puts_(buf, MESSAGE_MAX, &n,
               "\r\nMIME-Version: 1.0\r\n"
               "Content-Type: text/plain; charset=utf-8\r\n"
               "Content-Transfer-Encoding: 8bit\r\n"
               "Auto-Submitted: auto-generated\r\n\r\n");
    for (const char *p = body; ok && p && *p; p++)
        ok = *p == '\n' ? puts_(buf, MESSAGE_MAX, &n, "\r\n")
             : *p == '\r' ? true
                          : put(buf, MESSAGE_MAX, &n, p, 1);
    if (!ok) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* Sends one due message and records the outcome. */
static void send_one(hub_notifier *nt, cat_catalog *cat, const json_t *m)
{
    int64_t id = json_integer_value(json_object_get(m, "id"));
    const char *rcpt = json_string_value(json_object_get(m, "recipient"));
    time_t now = time(NULL);
    char *msg = make_message(&nt->mail, m, now), stamp[FG_TIMESTAMP_SIZE];
    fg_error e = {0}, e2;
    fg_status st;

    if (!msg)
        st = fg_fail(&e, FG_EINVAL, "the message is longer than %zu bytes", MESSAGE_MAX);
    else
        st = nt->mail.send(nt->mail.ud, rcpt, msg, &nt->stop, &e);
    free(msg);
    if (st != FG_OK && nt->stop)
        return; /* abandoned by the stop: still due, nothing to count */
    hub_metrics_notify(nt->metrics, st == FG_OK);
    if (st == FG_OK) {
        fg_time_iso((int64_t)time(NULL), stamp);
        if (cat_notify_sent(cat, id, stamp, &e2) != FG_OK)
            fg_log(FG_LOG_ERROR, "notify: message %lld sent but not recorded: %s",
                   (long long)id, e2.msg);
        else
            fg_log(FG_LOG_INFO, "notify: message %lld sent", (long long)id);
        return;
    }
    fg_log(FG_LOG_WARN, "notify: message %lld not sent (attempt %lld): %s", (long long)id,
           (long long)json_integer_value(json_object_get(m, "attempts")) + 1, e.msg);
    if (cat_notify_failed(cat, id, e.msg, (int64_t)time(NULL), &nt->mail.backoff, &e2) != FG_OK)
        fg_log(FG_LOG_ERROR, "notify: cannot record a failed message: %s", e2.msg);
}

/* Sleeps up to `s` seconds, returning early when asked to stop. */
static void nap(hub_notifier *nt, unsigned s)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += (time_t)s;
    pthread_mutex_lock(&nt->lock);
    while (!nt->stop && pthread_cond_timedwait(&nt->wake, &nt->lock, &until) == 0)
        ;
    pthread_mutex_unlock(&nt->lock);
}

static void *sender(void *ud)
{
    hub_notifier *nt = ud;
    cat_catalog *cat = NULL;
    fg_error e;

    while (!nt->stop) {
        char now[FG_TIMESTAMP_SIZE];
        json_t *due = NULL, *m;
        size_t i;

        if (!cat && cat_open(nt->cfg->db_path, &cat, &e) != FG_OK) {
            fg_log(FG_LOG_ERROR, "notify: cannot open the catalogue: %s", e.msg);
            cat = NULL;
        }
        fg_now_iso(now);
        if (cat && cat_notify_due(cat, now, BATCH, &due, &e) != FG_OK)
            fg_log(FG_LOG_ERROR, "notify: cannot read the queue: %s", e.msg);
        json_array_foreach(due, i, m) {
            if (nt->stop)
                break;
            send_one(nt, cat, m);
        }
        /* A full batch may have more behind it: read again at once. */
        if (json_array_size(due) < BATCH)
            nap(nt, nt->mail.poll_s);
        json_decref(due);
    }
    cat_close(cat);
    return NULL;
}

/* Warns once at start when links cannot be made. */
static void check_hub_url(const char *db_path)
{
    cat_catalog *cat;
    char *url = NULL;
    fg_error e;
    if (cat_open(db_path, &cat, &e) != FG_OK)
        return;
    if (cat_meta_get(cat, CAT_SETTING_HUB_URL, &url, &e) == FG_OK && !url)
        fg_log(FG_LOG_WARN, "notify: hub-url is not set (fgcat config set hub-url URL): "
                            "messages carry no link to the request");
    free(url);
    cat_close(cat);
}

hub_notifier *hub_notify_start(const hub_config *cfg, hub_metrics *m)
{
    hub_notifier *nt;

    if (!cfg->mailer) {
        fg_log(FG_LOG_INFO, "notify: no SMTP relay (--smtp): notifications stay queued "
                            "(fgcat notify status)");
        return NULL;
    }
    check_hub_url(cfg->db_path);
    nt = fg_xcalloc(1, sizeof *nt);
    nt->cfg = cfg;
    nt->mail = *cfg->mailer;
    nt->metrics = m;
    if (!nt->mail.poll_s)
        nt->mail.poll_s = 5;
    if (nt->mail.backoff.first_s <= 0)
        nt->mail.backoff.first_s = CAT_NOTIFY_RETRY_MIN;
    if (nt->mail.backoff.max_s <= 0)
        nt->mail.backoff.max_s = CAT_NOTIFY_RETRY_MAX;
    if (nt->mail.backoff.give_up_s <= 0)
        nt->mail.backoff.give_up_s = CAT_NOTIFY_GIVE_UP;
    pthread_mutex_init(&nt->lock, NULL);
    pthread_cond_init(&nt->wake, NULL);
    if (pthread_create(&nt->thread, NULL, sender, nt) != 0) {
        fg_log(FG_LOG_ERROR, "notify: cannot start the sender thread: notifications stay "
                             "queued");
        pthread_mutex_destroy(&nt->lock);
        pthread_cond_destroy(&nt->wake);
        free(nt);
        return NULL;
    }
    fg_log(FG_LOG_INFO, "notify: sending notifications through %s as %s", nt->mail.relay,
           nt->mail.from);
    return nt;
}

void hub_notify_stop(hub_notifier *nt)
{
    if (!nt)
        return;
    pthread_mutex_lock(&nt->lock);
    nt->stop = 1;
    pthread_cond_signal(&nt->wake);
    pthread_mutex_unlock(&nt->lock);
    pthread_join(nt->thread, NULL);
    pthread_mutex_destroy(&nt->lock);
    pthread_cond_destroy(&nt->wake);
    free(nt);
}
