/*
 * Internal to the plugin runtime (core/loader.c, core/host.c,
 * core/supervisor.c and the worker, core/worker_main.c): the runtime's
 * record and the pieces the host side and the worker side share.
 */
#ifndef FG_RT_INTERNAL_H
#define FG_RT_INTERNAL_H

#include <stdbool.h>

#include "runtime.h"

struct rt_runtime {
    rt_plugin **plugins;
    size_t count, cap;
    bool direct;         /* callbacks run in this process (the worker's own runtime) */
    bool restart;        /* a failed worker is restarted (the hub), not refused */
    int timeout_ms;      /* per callback */
    char *worker_exe;    /* the worker executable; NULL: found beside the binary */
    json_t *cache;       /* the descriptor cache (desc_cache.c); NULL: none */
    bool cache_dirty;    /* changed since rt_set_descriptor_cache */
};

/* A new record for `path`, appended to `rt`'s list; NULL on OOM. */
rt_plugin *rt_record_new(rt_runtime *rt, const char *path);

/*
 * Direct loading (in the worker): dlopen, the entry symbol and the
 * descriptor's own checks, without init.  Leaves ->state RT_LOADED with
 * ->desc set when there was no problem.
 */
void rt_direct_open(rt_runtime *rt, rt_plugin *p);

/* Runs `p`'s init in this process; false (p refused) when it failed. */
bool rt_direct_init(rt_plugin *p);

/*
 * Checks `p`'s name and areas against the plugins `rt` loaded before it,
 * recording a "conflict" problem for each clash.  True when there is none.
 */
bool rt_check_conflicts(rt_runtime *rt, rt_plugin *p);

/* Completes the reason of a plugin refused while loading and logs it. */
rt_plugin *rt_finish_refusal(rt_plugin *p);

/* Records a problem found while loading; the first one refuses `p`. */
rt_plugin *rt_refuse_load(rt_plugin *p, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* --- the host side of isolation (core/supervisor.c) --------------------- */

/* Starts `p`'s worker and reads its descriptor; the first half of
   loading, so that several workers start in parallel.  On failure `p` is
   refused with the reason. */
void rt_worker_start(rt_runtime *rt, rt_plugin *p);

/* Completes loading of a started plugin: its descriptor, the conflict
   checks against the plugins loaded before it, then init. */
void rt_worker_finish(rt_runtime *rt, rt_plugin *p);

/* Isolated counterparts of rt_register, rt_validate_offering, rt_quote. */
fg_status rt_worker_register(rt_plugin *p, const json_t *overrides, rt_add_fn add, void *ud,
                             fg_error *err);
fg_status rt_worker_validate(rt_plugin *p, json_t *offering, fg_error *err);
fg_status rt_worker_quote(rt_plugin *p, json_t *offering, const rt_request *req,
                          int64_t *amount_pence, char currency[4], fg_error *err);

/* Runs shutdown in the worker (bounded) and ends it. */
void rt_worker_stop(rt_plugin *p);

/* Loading with the descriptor cache: a plugin whose file the cache knows
   takes its descriptor from there and its worker is left to its first
   call (pending); any other starts its worker now, as rt_worker_start. */
void rt_worker_prepare(rt_runtime *rt, rt_plugin *p);

/* The worker executable: FGCAT_PLUGIN_WORKER when set, else the one
   beside this binary; false with the reason in `why`. */
bool rt_worker_exe(char *buf, size_t size, char *why, size_t why_size);

/* --- the descriptor cache (core/desc_cache.c) --------------------------- */

#define RT_FILE_KEY_SIZE 128

/* Opens `path` without blocking and keys its identity ("dev:ino:size:
   mtime:ctime"): 1 with `key` set; -1 (why set) when it is not a regular
   file, which must not reach dlopen; 0 when it cannot be opened. */
int rt_file_key(const char *path, char key[RT_FILE_KEY_SIZE], char *why, size_t why_size);

/* The hello the cache holds for `path` under `key`; borrowed, or NULL. */
const json_t *rt_cache_lookup(const rt_runtime *rt, const char *path, const char *key);

/* Records `hello` (copied; NULL: forgets the file) for `path` under `key`. */
void rt_cache_store(rt_runtime *rt, const char *path, const char *key, const json_t *hello);

/* --- the registrar, shared by both sides (core/host.c) ------------------ */

/* Receives each offering the host functions of a registration produced
(add_offering, add_offerings_json, add_offerings_file): `id` its usable id
   or NULL, `source` the file or text it came from or NULL, `offering` NULL
   when it (or the whole text, when `id` is NULL) was refused in the
   registrar, with the reason in `why`; returns the host function's result. */
typedef int (*rt_offering_fn)(void *ud, const char *id, const char *source, json_t *offering,
                              const char *why);

/* Runs `p`'s register_offerings in this process, handing each offering to
   `fn`, with the plugin's data directory (its path without ".so") known to
   data_dir and add_offerings_file; returns what register_offerings
   returned. */
int rt_direct_register(rt_plugin *p, rt_offering_fn fn, void *ud);

/*
 * The host's handling of one offering a plugin added, already in JSON
 * form (`offering` NULL when converting it failed, with the reason in
 * `why`): repeats, the cap on offerings, then `add`.  Returns FGCAT_OK or
 * FGCAT_ERR_INVALID.
 */
typedef struct rt_collector rt_collector;
rt_collector *rt_collector_new(rt_plugin *p, const json_t *overrides, rt_add_fn add,
                               void *ud);
/* Takes what an rt_offering_fn receives; refusals are recorded as problems
   naming the source, the offering and the reason. */
int rt_collector_add(rt_collector *c, const char *id, const char *source, json_t *offering,
                     const char *why);
/* Adds the operator's offerings (`overrides`) when `rc`, what
   register_offerings returned, is FGCAT_OK; frees `c` and returns
   rt_register's result for this run. */
fg_status rt_collector_finish(rt_collector *c, int rc, fg_error *err);
/* Frees `c` after a failed call, keeping the problems it recorded. */
void rt_collector_abandon(rt_collector *c);

/* The offering a plugin passed to add_offering, as JSON; new, or NULL with
   the reason in `err`.  `id` gets a printable id for messages ("?"). */
json_t *rt_offering_to_json(const fgcat_offering *o, const char **id, fg_error *err);

#endif /* FG_RT_INTERNAL_H */
