/*
 * The hub's metrics, served at /v1/metrics in the Prometheus text format
 * (version 0.0.4) to the operator's addresses only (--metrics-from):
 * requests by route and status, a latency histogram, pushed items by
 * status, the feed's sequence, open connections, the connections the hub
 * closed, the plugin workers it restarted and the notification e-mails
 * sent and failed.  Counted under one mutex,
 * from zero when the hub starts.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"

/* Status codes are counted by number, from 100 to 599 (the rest as 599:
   the hub answers none). */
#define STATUS_MIN 100u
#define STATUS_MAX 599u

static const char *const route_names[HUB_ROUTES] = {
    "health", "whoami", "changes", "snapshot", "search", "offering", "request",
    "push",   "quote",  "metrics", "fhir",     "page",   "other"};

/* Latency histogram bounds, in seconds. */
static const double buckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define N_BUCKETS (sizeof buckets / sizeof *buckets)

/* The statuses of a pushed item (docs/sync-protocol.md); any other is
   counted as the last. */
static const char *const push_names[] = {"ok",        "unchanged", "conflict",
                                         "forbidden", "invalid",   "unavailable"};
#define N_PUSH (sizeof push_names / sizeof *push_names)

static const char *const close_names[HUB_CLOSE_REASONS] = {
    "per_client", "max_connections", "head_timeout", "body_timeout"};

struct hub_metrics {
    pthread_mutex_t mutex;
    uint64_t requests[HUB_ROUTES][STATUS_MAX - STATUS_MIN + 1];
    uint64_t le[N_BUCKETS]; /* requests answered within each bound */
    uint64_t count;
    double sum;
    uint64_t push[N_PUSH];
    uint64_t closed[HUB_CLOSE_REASONS];
    uint64_t mail_sent, mail_failed;
};

hub_metrics *hub_metrics_new(void)
{
    hub_metrics *m = fg_xcalloc(1, sizeof *m);
    pthread_mutex_init(&m->mutex, NULL);
    return m;
}

void hub_metrics_free(hub_metrics *m)
{
    if (!m)
        return;
    pthread_mutex_destroy(&m->mutex);
    free(m);
}

hub_route hub_route_of(const char *path)
{
    static const struct {
        const char *path;
        hub_route route;
        bool prefix;
    } table[] = {{"/v1/health", HUB_ROUTE_HEALTH, false},
                 {"/v1/whoami", HUB_ROUTE_WHOAMI, false},
                 {"/v1/changes", HUB_ROUTE_CHANGES, false},
                 {"/v1/snapshot", HUB_ROUTE_SNAPSHOT, false},
                 {"/v1/search", HUB_ROUTE_SEARCH, false},
                 {"/v1/offerings/", HUB_ROUTE_OFFERING, true},
                 {"/v1/requests/", HUB_ROUTE_REQUEST, true},
                 {"/v1/push", HUB_ROUTE_PUSH, false},
                 {"/v1/quote", HUB_ROUTE_QUOTE, false},
                 {"/v1/metrics", HUB_ROUTE_METRICS, false},
                 {"/fhir", HUB_ROUTE_FHIR, false},
                 {"/fhir/", HUB_ROUTE_FHIR, true},
                 {"/v1", HUB_ROUTE_OTHER, false},
                 {"/v1/", HUB_ROUTE_OTHER, true}};
    for (size_t i = 0; i < sizeof table / sizeof *table; i++)
        if (table[i].prefix ? strncmp(path, table[i].path, strlen(table[i].path)) == 0
                            : strcmp(path, table[i].path) == 0)
            return table[i].route;
    return HUB_ROUTE_PAGE;
}

void hub_metrics_request(hub_metrics *m, hub_route route, unsigned status, double seconds)
{
    size_t s = status < STATUS_MIN   ? 0
               : status > STATUS_MAX ? STATUS_MAX - STATUS_MIN
                                     : status - STATUS_MIN;
    pthread_mutex_lock(&m->mutex);
    m->requests[route][s]++;
    for (size_t b = 0; b < N_BUCKETS; b++)
        if (seconds <= buckets[b])
            m->le[b]++;
    m->count++;
    m->sum += seconds;
    pthread_mutex_unlock(&m->mutex);
}

void hub_metrics_push(hub_metrics *m, const json_t *answer)
{
    const json_t *item;
    size_t i;
    pthread_mutex_lock(&m->mutex);
    json_array_foreach(json_object_get(answer, "results"), i, item)
    {
        const char *status = json_string_value(json_object_get(item, "status"));
        size_t k = 0;
        while (k < N_PUSH - 1 && !(status && strcmp(status, push_names[k]) == 0))
            k++;
        m->push[k]++;
    }
    pthread_mutex_unlock(&m->mutex);
}

void hub_metrics_closed(hub_metrics *m, hub_close_reason why)
{
    pthread_mutex_lock(&m->mutex);
    m->closed[why]++;
    pthread_mutex_unlock(&m->mutex);
}

void hub_metrics_notify(hub_metrics *m, bool sent)
{
    pthread_mutex_lock(&m->mutex);
    if (sent)
        m->mail_sent++;
    else
        m->mail_failed++;
    pthread_mutex_unlock(&m->mutex);
}

bool hub_metrics_allowed(const char *list, const char *addr)
{
    size_t n = strlen(addr);
    for (const char *p = list; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, addr, n) == 0)
            return true;
        p = end ? end + 1 : NULL;
    }
    return false;
}

/* Writes the counters of `m` to `out`. */
static void write_counters(hub_metrics *m, FILE *out)
{
    fputs("# HELP fgcat_hub_requests_total Requests answered, by route and status.\n"
          "# TYPE fgcat_hub_requests_total counter\n",
          out);
    for (size_t r = 0; r < HUB_ROUTES; r++)
        for (size_t s = 0; s <= STATUS_MAX - STATUS_MIN; s++)
            if (m->requests[r][s])
                fprintf(out,
                        "fgcat_hub_requests_total{route=\"%s\",status=\"%zu\"} %llu\n",
                        route_names[r], s + STATUS_MIN,
                        (unsigned long long)m->requests[r][s]);
    fputs("# HELP fgcat_hub_request_duration_seconds Time from a request's first line to "
          "its answer.\n"
          "# TYPE fgcat_hub_request_duration_seconds histogram\n",
          out);
    for (size_t b = 0; b < N_BUCKETS; b++)
        fprintf(out, "fgcat_hub_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
                buckets[b], (unsigned long long)m->le[b]);
    fprintf(out,
            "fgcat_hub_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
            "fgcat_hub_request_duration_seconds_sum %.6f\n"
            "fgcat_hub_request_duration_seconds_count %llu\n",
            (unsigned long long)m->count, m->sum, (unsigned long long)m->count);
    fputs(
        "# HELP fgcat_hub_push_items_total Pushed items, by the status the hub answered "
        "(ok and unchanged are applied, the others refused).\n"
        "# TYPE fgcat_hub_push_items_total counter\n",
        out);
    for (size_t k = 0; k < N_PUSH; k++)
        fprintf(out, "fgcat_hub_push_items_total{status=\"%s\"} %llu\n", push_names[k],
                (unsigned long long)m->push[k]);
    fputs("# HELP fgcat_hub_connections_closed_total Connections the hub closed, by "
          "reason.\n"
          "# TYPE fgcat_hub_connections_closed_total counter\n",
          out);
    for (size_t k = 0; k < HUB_CLOSE_REASONS; k++)
        fprintf(out, "fgcat_hub_connections_closed_total{reason=\"%s\"} %llu\n",
                close_names[k], (unsigned long long)m->closed[k]);
    fprintf(out,
            "# HELP fgcat_hub_notifications_total Notification e-mails handed to the relay "
            "(sent) or refused by it or not delivered to it (failed; retried later).\n"
            "# TYPE fgcat_hub_notifications_total counter\n"
            "fgcat_hub_notifications_total{result=\"sent\"} %llu\n"
            "fgcat_hub_notifications_total{result=\"failed\"} %llu\n",
            (unsigned long long)m->mail_sent, (unsigned long long)m->mail_failed);
}

void hub_metrics_answer(hub_call *call, hub_reply *r)
{
    hub_server *srv = call->srv;
    int64_t seq = 0;
    unsigned open;
    fg_error e;
    char *text = NULL;
    size_t len = 0;
    FILE *out;

    if (cat_feed_seq(call->cat, &seq, &e) != FG_OK) {
        hub_reply_error(r, 503, "unavailable", "the catalogue cannot be read: %s", e.msg);
        return;
    }
    pthread_mutex_lock(&srv->conns_lock);
    open = srv->n_conns;
    pthread_mutex_unlock(&srv->conns_lock);
    if (!(out = open_memstream(&text, &len))) {
        hub_reply_error(r, 500, "internal", "the hub is out of memory");
        return;
    }
    pthread_mutex_lock(&srv->metrics->mutex);
    write_counters(srv->metrics, out);
    pthread_mutex_unlock(&srv->metrics->mutex);
    fprintf(out,
            "# HELP fgcat_hub_plugin_worker_restarts_total Plugin workers started again "
            "after "
            "one failed.\n"
            "# TYPE fgcat_hub_plugin_worker_restarts_total counter\n"
            "fgcat_hub_plugin_worker_restarts_total %lu\n"
            "# HELP fgcat_hub_feed_sequence The change feed's latest sequence number.\n"
            "# TYPE fgcat_hub_feed_sequence gauge\n"
            "fgcat_hub_feed_sequence %lld\n"
            "# HELP fgcat_hub_connections Open client connections.\n"
            "# TYPE fgcat_hub_connections gauge\n"
            "fgcat_hub_connections %u\n",
            rt_worker_restarts(), (long long)seq, open);
    if (fclose(out) != 0) {
        free(text);
        hub_reply_error(r, 500, "internal", "the hub is out of memory");
        return;
    }
    r->status = 200;
    r->content_type = "text/plain; version=0.0.4; charset=utf-8";
    r->body = text;
    r->len = len;
}
