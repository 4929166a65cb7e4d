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

#define CACHE_ENTRIES 256
#define CACHE_MAX_ANSWER ((size_t)512 * 1024)

typedef struct entry {
    char *key;
    char *body;
    size_t len;
    int64_t seq;
    uint64_t used;
} entry;

static entry cache[CACHE_ENTRIES];
static uint64_t clock_tick;
static pthread_mutex_t cache_mutex = PTHREAD_MUTEX_INITIALIZER;

char *hub_cache_get(const char *key, int64_t seq, size_t *len)
{
    char *copy = NULL;
    pthread_mutex_lock(&cache_mutex);
    for (size_t i = 0; i < CACHE_ENTRIES; i++) {
        entry *e = &cache[i];
        if (e->key && e->seq == seq && strcmp(e->key, key) == 0) {
            copy = malloc(e->len + 1);
            if (copy) {
                memcpy(copy, e->body, e->len + 1);
                *len = e->len;
                e->used = ++clock_tick;
            }
            break;
        }
    }
    pthread_mutex_unlock(&cache_mutex);
    return copy;
}

void hub_cache_put(const char *key, int64_t seq, const char *body, size_t len)
{
    entry *slot = NULL;
    char *k, *b;
    if (len > CACHE_MAX_ANSWER)
        return;
    k = strdup(key);
    b = malloc(len + 1);
    if (!k || !b) {
        free(k);
        free(b);
        return;
    }
    memcpy(b, body, len);
    b[len] = '\0';
    pthread_mutex_lock(&cache_mutex);
    for (size_t i = 0; i < CACHE_ENTRIES && !slot; i++)
        if (cache[i].key && strcmp(cache[i].key, key) == 0)
            slot = &cache[i];
    for (size_t i = 0; i < CACHE_ENTRIES && !slot; i++)
        if (!cache[i].key)
            slot = &cache[i];
    if (!slot) {
        slot = &cache[0];
        for (size_t i = 1; i < CACHE_ENTRIES; i++)
            if (cache[i].used < slot->used)
                slot = &cache[i];
    }
    free(slot->key);
    free(slot->body);
    slot->key = k;
    slot->body = b;
    slot->len = len;
    slot->seq = seq;
    slot->used = ++clock_tick;
    pthread_mutex_unlock(&cache_mutex);
}

void hub_cache_clear(void)
{
    pthread_mutex_lock(&cache_mutex);
    for (size_t i = 0; i < CACHE_ENTRIES; i++) {
        free(cache[i].key);
        free(cache[i].body);
        memset(&cache[i], 0, sizeof cache[i]);
    }
    pthread_mutex_unlock(&cache_mutex);
}
