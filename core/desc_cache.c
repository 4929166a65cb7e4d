/*
 * The descriptor cache: what each plugin file's worker said in its
 * "hello" (name, version, ABI, areas, labels), kept by the caller (the CLI
 * keeps it in the catalogue) and keyed by the file's identity, so that
 * loading the plugin path can know every plugin's areas without starting
 * a worker.  A worker then starts on its plugin's first call
 * (docs/design.md, "Plugin isolation", "Lazy start").
 *
 * The cache is one JSON object:
 *     {"worker": KEY, "files": {PATH: {"key": KEY, "hello": {...}}}}
 * where a KEY is "dev:inode:size:mtime:ctime" (nanoseconds) of the file:
 * a file that changes in any way gets a new key, and so does the worker
 * executable (a new fgcat judges descriptors by its own ABI), which voids
 * the whole cache.  Only hellos of loadable plugins are kept: a refused
 * descriptor is read again each time, so it is named each time.
 */
#define _GNU_SOURCE /* O_CLOEXEC, st_mtim */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rt_internal.h"
#include "util.h"

/* At most this many files are remembered; more start the cache afresh. */
#define CACHE_MAX_FILES 256

static void key_of(const struct stat *sb, char key[RT_FILE_KEY_SIZE])
{
    snprintf(key, RT_FILE_KEY_SIZE, "%llu:%llu:%lld:%lld.%09ld:%lld.%09ld",
             (unsigned long long)sb->st_dev, (unsigned long long)sb->st_ino,
             (long long)sb->st_size, (long long)sb->st_mtim.tv_sec, sb->st_mtim.tv_nsec,
             (long long)sb->st_ctim.tv_sec, sb->st_ctim.tv_nsec);
}

int rt_file_key(const char *path, char key[RT_FILE_KEY_SIZE], char *why, size_t why_size)
{
    struct stat sb;
    /* O_NONBLOCK: opening a FIFO must not wait for its writer. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    int rc = 1;

    key[0] = '\0';
    if (fd < 0)
        return 0; /* dlopen, in the worker, says why in its own words */
    if (fstat(fd, &sb) != 0) {
        rc = 0;
    } else if (!S_ISREG(sb.st_mode)) {
        snprintf(why, why_size, "cannot load: not a regular file (%s)",
                 S_ISDIR(sb.st_mode)    ? "a directory"
                 : S_ISFIFO(sb.st_mode) ? "a FIFO"
                 : S_ISSOCK(sb.st_mode) ? "a socket"
                                        : "a device");
        rc = -1;
    } else {
        key_of(&sb, key);
    }
    close(fd);
    return rc;
}

void rt_set_descriptor_cache(rt_runtime *rt, const char *text)
{
    char exe[4096], why[FG_ERROR_MSG_SIZE], key[RT_FILE_KEY_SIZE];
    struct stat sb;
    json_t *in = text ? json_loads(text, 0, NULL) : NULL;

    json_decref(rt->cache);
    rt->cache = NULL;
    rt->cache_dirty = false;
    /* Without a worker to judge descriptors there is nothing to key on:
       loading starts every worker, as without a cache. */
    if (!rt_worker_exe(exe, sizeof exe, why, sizeof why) || stat(exe, &sb) != 0) {
        json_decref(in);
        return;
    }
    key_of(&sb, key);
    if (!json_is_object(in) || !json_is_object(json_object_get(in, "files")) ||
        !json_is_string(json_object_get(in, "worker")) ||
        strcmp(json_string_value(json_object_get(in, "worker")), key) != 0 ||
        json_object_size(json_object_get(in, "files")) > CACHE_MAX_FILES) {
        /* Another fgcat, or none yet: start afresh. */
        json_decref(in);
        in = json_pack("{s:s, s:{}}", "worker", key, "files");
        rt->cache_dirty = text != NULL;
    }
    rt->cache = in;
}

char *rt_descriptor_cache(const rt_runtime *rt)
{
    if (!rt->cache || !rt->cache_dirty)
        return NULL;
    return json_dumps(rt->cache, JSON_COMPACT | JSON_SORT_KEYS);
}

const json_t *rt_cache_lookup(const rt_runtime *rt, const char *path, const char *key)
{
    json_t *f = json_object_get(json_object_get(rt->cache, "files"), path);
    const char *k = json_string_value(json_object_get(f, "key"));
    json_t *hello = json_object_get(f, "hello");
    if (!k || !*key || strcmp(k, key) != 0 || !json_is_object(hello))
        return NULL;
    return hello;
}

void rt_cache_store(rt_runtime *rt, const char *path, const char *key, const json_t *hello)
{
    json_t *files = json_object_get(rt->cache, "files");
    if (!files || !*key)
        return;
    if (hello && rt_cache_lookup(rt, path, key) &&
        json_equal(rt_cache_lookup(rt, path, key), hello))
        return;
    if (!hello) {
        if (json_object_get(files, path)) {
            json_object_del(files, path);
            rt->cache_dirty = true;
        }
        return;
    }
    if (json_object_size(files) >= CACHE_MAX_FILES)
        json_object_clear(files);
    json_object_set_new(files, path, json_pack("{s:s, s:O}", "key", key, "hello", hello));
    rt->cache_dirty = true;
}
