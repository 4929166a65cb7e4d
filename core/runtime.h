/*
 * The plugin runtime: finds plugins on a path, loads each in its own
 * supervised worker process (fgcat-plugin-worker, which dlopens it), checks
 * their descriptors against the ABI of include/fgcat/plugin.h, and
 * marshals offerings, attributes and requests across the boundary.
 *
 * Every callback runs in the plugin's worker, one call at a time, with a
 * time limit; a worker that crashes, overruns or breaks the protocol makes
 * its plugin RT_FAILED (or, with rt_set_restart, is restarted with
 * backoff) and the call returns FG_EPLUGIN naming the plugin and what
 * happened.  The design is in docs/design.md.
 *
 * A refused plugin stays in the list with its reason, so `fgcat plugins`
 * can show it; the others load and work (collectd's model).  Plugins are
 * never dlclose()d: their descriptors must stay valid until exit.
 */
#ifndef FG_RUNTIME_H
#define FG_RUNTIME_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "fgcat/plugin.h"
#include "status.h"

/* RT_FAILED: its worker crashed, overran its time limit or broke the
   protocol; ->reason says which, in which callback. */
typedef enum rt_state { RT_LOADED = 0, RT_REFUSED = 1, RT_FAILED = 2 } rt_state;

/* The time limit of one callback unless rt_set_timeout says otherwise. */
#define RT_DEFAULT_TIMEOUT_S 5
#define RT_MAX_TIMEOUT_S 3600

/* At most this many problems are kept per plugin; more are only counted. */
#define RT_MAX_PROBLEMS 50

/*
 * One problem found with a plugin, for `fgcat plugins check`, which lists
 * them all.  `what` says which check found it (a static string):
 *   "load"        dlopen refused the file
 *   "entry"       the entry symbol is missing, not a function, or returned NULL
 *   "abi"         another ABI major, or a newer minor than this fgcat's
 *   "descriptor"  a bad descriptor field (size, name, version, callbacks, areas)
 *   "conflict"    a name or area another loaded plugin already has
 *   "init"        init returned an error
 *   "offering"    an offering add_offering refused (`offering` is its id)
 *   "register"    register_offerings returned an error
 *   "crash"       the worker died (signal or exit) during a callback
 *   "timeout"     a callback overran the time limit
 *   "protocol"    the worker sent something that is not the protocol
 *   "output"      the plugin wrote to its stdout or stderr
 */
typedef struct rt_problem {
    const char *what;
    char offering[104];              /* the offering's id (cut at 100 bytes), or "" */
    char message[FG_ERROR_MSG_SIZE]; /* one line, without the offering's id */
} rt_problem;

/* One plugin file, loaded or refused.  Owned by its runtime. */
typedef struct rt_plugin {
    char *path;        /* as found on the path */
    char *name;        /* from the descriptor, or the file's base name */
    char *version;     /* from the descriptor, or "" */
    char *description; /* from the descriptor, or "" */
    uint32_t abi_major, abi_minor; /* as the plugin declares; 0 when unknown */
    char **areas;      /* the areas it claims (NULL-terminated) */
    /* Its labels (ABI 1.1), checked: {AREA: {"label", "description"?,
       "attributes": {KEY: {"label", "unit"?, "description"?}}}}; NULL when
       it gives none.  Read from the descriptor in the worker, from the
       worker's report in fgcat. */
    json_t *labels;
    rt_state state;
    char reason[FG_ERROR_MSG_SIZE]; /* why it was refused */
    const fgcat_plugin *desc;       /* in the worker only; NULL in fgcat */
    void *pstate;                   /* in the worker: what its init returned */
    struct rt_worker *worker;       /* in fgcat: its worker (core/supervisor.c) */
    bool initialised;
    /* Every problem found, in the order found: while loading (then the
       first one is `reason`) and by its last rt_register.  Owned by the
       runtime; NULL when there is none. */
    rt_problem *problems;
    size_t n_problems;
    size_t more_problems; /* found after RT_MAX_PROBLEMS were kept */
} rt_plugin;

typedef struct rt_runtime rt_runtime;

/* Creates an empty runtime; new, free with rt_free().  NULL on OOM. */
rt_runtime *rt_create(void);

/* Calls every loaded plugin's shutdown (bounded by the time limit), ends
   the workers and frees the runtime. */
void rt_free(rt_runtime *rt);

/* The time limit of each callback, in seconds (1 to RT_MAX_TIMEOUT_S). */
void rt_set_timeout(rt_runtime *rt, int seconds);
int rt_timeout(const rt_runtime *rt);

/* With `restart`, a failed worker is started again on the next call after
   a backoff (1 s, doubling to 60 s) instead of failing its plugin for
   good: for the hub, which runs for days.  It also starts every worker
   loading left to its first call (rt_start_all): a hub starts them all. */
void rt_set_restart(rt_runtime *rt, bool restart);

/* Ends every loaded plugin's worker (after its shutdown) and starts a
   new one, which loads the file again with fgcat's environment as it is
   now: what a new fgcat command would see.  A plugin whose new worker
   fails becomes RT_FAILED. */
void rt_restart(rt_runtime *rt);

/* Makes every call in progress or to come fail at once, killing its
   worker: for a prompt stop.  Async-signal-safe. */
void rt_interrupt(void);

/*
 * Loads every "*.so" in each directory of the colon-separated list `dirs`,
 * in file-name order.  A missing directory is logged and skipped.  A refused
 * plugin is logged as a warning and kept with its reason; refusals are not
 * errors of this call.
 */
void rt_load_path(rt_runtime *rt, const char *dirs);

/*
 * Loads one file and returns its record (borrowed from `rt`), whether it was
 * loaded or refused: check ->state.  NULL only on OOM.  Checks go on past
 * the first problem wherever what follows can still be read safely (an
 * ABI major that differs, a descriptor smaller than ABI 1.0's or a failed
 * dlopen end them), so ->problems lists every problem; ->reason is the
 * first, followed by "(and N more problems)" when there are more.  init
 * runs only when there is none.
 */
rt_plugin *rt_load_file(rt_runtime *rt, const char *path);

/*
 * The descriptor cache, which lets loading start no worker (docs/design.md,
 * "Plugin isolation").  Give rt_set_descriptor_cache, before rt_load_path,
 * the text a previous runtime's rt_descriptor_cache returned (NULL: none
 * yet).  Then rt_load_path takes each plugin file whose identity (device,
 * inode, size, modification and change times) the cache knows, under the
 * same worker executable, from the cache (name, version, ABI, areas,
 * labels; conflicts are judged as ever) and leaves its worker to its
 * first call, which starts it, checks that it says what the cache said,
 * and runs init; a failure there refuses the plugin and fails the call
 * with one line naming it.  Any other file starts its worker while
 * loading, as without a cache, and what it says is recorded.
 * rt_descriptor_cache returns the cache to keep (new text) when it
 * changed, else NULL.
 */
void rt_set_descriptor_cache(rt_runtime *rt, const char *text);
char *rt_descriptor_cache(const rt_runtime *rt);

/*
 * Starts every worker that loading left to its first call, in parallel,
 * and runs init in each, refusing (and logging) the plugins that fail as
 * loading does: for commands that report every plugin's state (`plugins`,
 * `areas`, `refresh`) and for the hub, which starts them all at once.
 */
void rt_start_all(rt_runtime *rt);

/* The plugins in load order; borrowed from `rt`. */
size_t rt_plugin_count(const rt_runtime *rt);
rt_plugin *rt_plugin_at(const rt_runtime *rt, size_t i);

/* The loaded plugin that owns `area`, or NULL; borrowed. */
rt_plugin *rt_area_owner(const rt_runtime *rt, const char *area);

/* Marks a loaded plugin refused (after its registration failed) and logs
   the reason; a failed plugin stays failed. */
void rt_refuse(rt_plugin *p, const char *reason);

/*
 * Appends a problem to `p`'s list (or counts it once RT_MAX_PROBLEMS are
 * kept).  `what` must be a static string; `offering` (may be NULL) is cut
 * at 100 bytes on a UTF-8 boundary.  Does not change `p`'s state.
 */
void rt_problem_add(rt_plugin *p, const char *what, const char *offering, const char *fmt,
                    ...) __attribute__((format(printf, 4, 5)));

/*
 * Receives one offering a plugin adds, converted to its JSON form (SPEC §4)
 * but not yet validated.  `offering` is borrowed for the call.  Returns
 * FG_OK to accept it, or an error with detail in `err`.
 */
typedef fg_status (*rt_add_fn)(void *ud, rt_plugin *p, json_t *offering,
                               fg_error *err);

/*
 * Runs `p`'s register_offerings, passing each offering it adds to `add`,
 * then each offering of `overrides` (may be NULL; from
 * rt_read_offerings_dir) in one of `p`'s areas, which replaces the
 * plugin's own offering of the same id.  Returns FG_OK when the plugin
 * succeeded and every offering was accepted; otherwise FG_EREFUSED with
 * the first problem (and how many more) in `err`.  Replaces `p`'s problem
 * list with this run's: one "offering" problem per refused offering, and a
 * "register" one when register_offerings returned an error.  Does not mark
 * the plugin refused: the caller decides.
 */
fg_status rt_register(rt_plugin *p, const json_t *overrides, rt_add_fn add, void *ud,
                      fg_error *err);

/*
 * Reads the operator's offerings directory: every "*.json" file in `dir`
 * (in name order; each one offering object or an array of them) into *out,
 * new: an object from offering id to {"offering": {...}, "source": PATH}.
 * Only the shape is checked here (objects with an id and an area, no id
 * twice); the area's plugin checks the rest when rt_register adds them.
 * FG_EINVAL names the file and the offering; FG_EIO a directory that
 * cannot be read.
 */
fg_status rt_read_offerings_dir(const char *dir, json_t **out, fg_error *err);

/*
 * Runs `p`'s validate_offering on `offering` (JSON form, already checked
 * against SPEC §4).  FG_OK when it passes or the plugin has no validator;
 * FG_EINVAL with the plugin's message otherwise.
 */
fg_status rt_validate_offering(rt_plugin *p, json_t *offering, fg_error *err);

/* A request as the runtime hands it to a plugin. */
typedef struct rt_request {
    const char *requester_ods;
    const char *contact; /* may be NULL */
    int64_t quantity;
    const char *start;   /* "YYYY-MM-DD" or NULL */
    const char *note;    /* may be NULL */
} rt_request;

/*
 * Asks `p` to validate `req` for `offering` and quote it.  On FG_OK sets
 * *amount_pence and `currency`.  A plugin's refusal comes back as FG_EREFUSED
 * (or FG_EINVAL) with its message verbatim in err->msg.
 */
fg_status rt_quote(rt_plugin *p, json_t *offering, const rt_request *req,
                   int64_t *amount_pence, char currency[4], fg_error *err);

/*
 * The label (ABI 1.1) of `area` as its loaded owner gives it, and its
 * description (may be NULL).  False, setting nothing, when no loaded plugin
 * owns the area or it gives no label.  Strings are borrowed from the plugin
 * and valid until exit (plugins are never unloaded).
 */
bool rt_area_label(const rt_runtime *rt, const char *area, const char **label,
                   const char **description);

/* The label, unit and description (each may be NULL but the label) of
   attribute `key` of `area`, as rt_area_label gives them.  False when
   there is none. */
bool rt_attr_label(const rt_runtime *rt, const char *area, const char *key,
                   const char **label, const char **unit, const char **description);

/* The host API table this build gives plugins; borrowed, static. */
const fgcat_host_api *rt_host_api(void);

/* Size of the descriptor as ABI 1.0 defined it: the least a plugin may
   declare in struct_size. */
#define RT_PLUGIN_MIN_SIZE                                                     \
    (offsetof(fgcat_plugin, shutdown) + sizeof(((fgcat_plugin *)0)->shutdown))

/* How many plugin workers this process has started again after one failed
   (crashed, overran its time limit, broke the protocol), with
   rt_set_restart, since it started: the hub's metrics. */
unsigned long rt_worker_restarts(void);

#endif /* FG_RUNTIME_H */
