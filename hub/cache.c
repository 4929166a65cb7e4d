/*
 * The hub's search answer cache.  Searches repeat (a popular word, the
 * first page of an area) while the catalogue changes seldom, so the hub
 * keeps recent answers keyed by the query, each stamped with the feed's
 * sequence number when it was made: any write to an offering moves the
 * sequence on, so a stamped answer is served only while it is still what a
 * search would return.  Bounded in entries and bytes; least recently used
 * answers go first.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"

#define CACHE_ENTRIES 256
#define CACHE_MAX_ANSWER ((size_t)512 * 1024)

typedef struct entry {
    char *key;
    char *body;
    size_t len;
    int64_t seq;
    uint64_t used;
} entry;

struct hub_cache {
    entry slot[CACHE_ENTRIES];
    uint64_t clock_tick;
    pthread_mutex_t mutex;
};

hub_cache *hub_cache_new(void)
{
    hub_cache *c = fg_xcalloc(1, sizeof *c);
    pthread_mutex_init(&c->mutex, NULL);
    return c;
}

char *hub_cache_get(hub_cache *c, const char *key, int64_t seq, size_t *len)
{
    char *copy = NULL;
    pthread_mutex_lock(&c->mutex);
    for (size_t i = 0; i < CACHE_ENTRIES; i++) {
        entry *e = &c->slot[i];
        if (e->key && e->seq == seq && strcmp(e->key, key) == 0) {
            copy = fg_xmalloc(e->len + 1);
            memcpy(copy, e->body, e->len + 1);
            *len = e->len;
            e->used = ++c->clock_tick;
            break;
        }
    }
    pthread_mutex_unlock(&c->mutex);
    return copy;
}

void hub_cache_put(hub_cache *c, const char *key, int64_t seq, const char *body, size_t len)
{
    entry *slot = NULL;
    char *k, *b;
    if (len > CACHE_MAX_ANSWER)
        return;
    k = fg_strdup(key);
    b = fg_xmalloc(len + 1);
    memcpy(b, body, len);
    b[len] = '\0';
    pthread_mutex_lock(&c->mutex);
    for (size_t i = 0; i < CACHE_ENTRIES && !slot; i++)
        if (c->slot[i].key && strcmp(c->slot[i].key, key) == 0)
            slot = &c->slot[i];
    for (size_t i = 0; i < CACHE_ENTRIES && !slot; i++)
        if (!c->slot[i].key)
            slot = &c->slot[i];
    if (!slot) {
        slot = &c->slot[0];
        for (size_t i = 1; i < CACHE_ENTRIES; i++)
            if (c->slot[i].used < slot->used)
                slot = &c->slot[i];
    }
    free(slot->key);
    free(slot->body);
    slot->key = k;
    slot->body = b;
    slot->len = len;
    slot->seq = seq;
    slot->used = ++c->clock_tick;
    pthread_mutex_unlock(&c->mutex);
}

void hub_cache_free(hub_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < CACHE_ENTRIES; i++) {
        free(c->slot[i].key);
        free(c->slot[i].body);
    }
    pthread_mutex_destroy(&c->mutex);
    free(c);
}
