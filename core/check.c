/*
 * Checking a plugin file without trusting it (`fgcat plugins check`) and
 * the warnings about a loaded plugin's exports (`fgcat plugins`): every
 * callback exercised in the plugin's worker, the ELF export policy and the
 * merging of both into one report.  Nothing here prints; the front end
 * shows the reports.
 */
#define _XOPEN_SOURCE 700 /* realpath, gmtime_r */
#include "check.h"

#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "elfsyms.h"
#include "log.h"
#include "util.h"

/* A JSON string of `s`; text that is not valid UTF-8 (a message cut inside
   a character, bytes from a plugin) gets '?' for each non-ASCII byte.
   New. */
static json_t *json_text(const char *s)
{
    json_t *j = json_string(s);
    char *copy;

    if (j)
        return j;
    copy = fg_strdup(s);
    for (char *c = copy; *c; c++)
        if ((unsigned char)*c >= 0x80)
            *c = '?';
    j = json_string(copy);
    free(copy);
    return j;
}

json_t *rt_plugin_json(const rt_plugin *p, size_t offerings)
{
    char abi[32];
    json_t *areas = json_array();
    json_t *j;
    for (char **a = p->areas; a && *a; a++)
        json_array_append_new(areas, json_string(*a));
    snprintf(abi, sizeof abi, "%u.%u", (unsigned)p->abi_major, (unsigned)p->abi_minor);
    j = json_pack("{s:o, s:s, s:s, s:o, s:s, s:o}", "id", json_text(p->name), "version",
                  p->version ? p->version : "", "abi", p->abi_major ? abi : "", "path",
                  json_text(p->path), "state",
                  p->state == RT_LOADED   ? "loaded"
                  : p->state == RT_FAILED ? "failed"
                                          : "refused",
                  "areas", areas);
    json_object_set_new(j, "description", json_string(p->description ? p->description : ""));
    if (p->state == RT_LOADED)
        json_object_set_new(j, "offerings", json_integer((json_int_t)offerings));
    else
        json_object_set_new(j, "reason", json_text(p->reason));
    return j;
}

/* One problem of a `plugins check` report: {"what", "offering" (only for
   an offering), "message"}.  New. */
static json_t *problem_json(const char *what, const char *offering, const char *message)
{
    json_t *j = json_object();
    json_object_set_new(j, "what", json_string(what));
    if (offering && *offering)
        json_object_set_new(j, "offering", json_text(offering));
    json_object_set_new(j, "message", json_text(message));
    return j;
}

void rt_problem_line(const json_t *problem, char *buf, size_t size)
{
    const char *offering = json_string_value(json_object_get(problem, "offering"));
    const char *message = json_string_value(json_object_get(problem, "message"));
    if (offering)
        snprintf(buf, size, "offering '%s': %s", offering, message ? message : "");
    else
        snprintf(buf, size, "%s", message ? message : "");
}

/* True when `problems` holds one whose "what" is `what`. */
static bool has_problem(const json_t *problems, const char *what)
{
    size_t i;
    json_t *pr;
    json_array_foreach(problems, i, pr)
    {
        const char *w = json_string_value(json_object_get(pr, "what"));
        if (w && strcmp(w, what) == 0)
            return true;
    }
    return false;
}

/* The plugin of `rt` loaded from the same file as `path`, or NULL. */
static rt_plugin *find_by_file(rt_runtime *rt, const char *path)
{
    char want[PATH_MAX], have[PATH_MAX];
    if (!realpath(path, want))
        return NULL;
    for (size_t i = 0; i < rt_plugin_count(rt); i++) {
        rt_plugin *p = rt_plugin_at(rt, i);
        if (realpath(p->path, have) && strcmp(want, have) == 0)
            return p;
    }
    return NULL;
}

/*
 * What a plugin file's dynamic symbol table says, read from the file
 * (core/elfsyms.h): the symbols it exports besides its entry point, and
 * whether the entry point is there and a function.
 */
typedef struct export_check {
    json_t *extra;      /* [{"name", "type"}] exports besides the entry point */
    json_t *entry;      /* a problem ("entry") with the entry symbol, or NULL */
    json_t *unreadable; /* a problem ("elf"): why the table was not read, or NULL */
} export_check;

static void check_exports(const char *path, export_check *ec)
{
    fg_elf_exports ex;
    const fg_elf_symbol *entry;
    fg_error err;
    char msg[FG_ERROR_MSG_SIZE + 64];

    ec->extra = json_array();
    ec->entry = NULL;
    ec->unreadable = NULL;
    if (fg_elf_exports_read(path, &ex, &err) != FG_OK) {
        snprintf(msg, sizeof msg, "cannot list its exported symbols: %s", err.msg);
        ec->unreadable = problem_json("elf", NULL, msg);
        return;
    }
    for (size_t i = 0; i < ex.count; i++)
        if (strcmp(ex.syms[i].name, FGCAT_PLUGIN_ENTRY_SYMBOL) != 0)
            json_array_append_new(ec->extra,
                                  json_pack("{s:s, s:s}", "name", ex.syms[i].name, "type",
                                            fg_elf_type_name(ex.syms[i].type)));
    entry = fg_elf_find(&ex, FGCAT_PLUGIN_ENTRY_SYMBOL);
    if (!entry) {
        ec->entry = problem_json("entry", NULL,
                                 "no entry symbol '" FGCAT_PLUGIN_ENTRY_SYMBOL
                                 "' in its dynamic symbol table");
    } else if (entry->type != STT_FUNC && entry->type != STT_GNU_IFUNC) {
        snprintf(msg, sizeof msg,
                 "entry symbol '%s' is not a function (ELF symbol type %s)",
                 FGCAT_PLUGIN_ENTRY_SYMBOL, fg_elf_type_name(entry->type));
        ec->entry = problem_json("entry", NULL, msg);
    }
    fg_elf_exports_close(&ex);
}

static void export_check_close(export_check *ec)
{
    json_decref(ec->extra);
    json_decref(ec->entry);
    json_decref(ec->unreadable);
}

/* The names of `extra`, at most `max` of them, comma-separated. */
static void extra_names(const json_t *extra, size_t max, char *buf, size_t size)
{
    size_t i, len = 0;
    json_t *s;
    buf[0] = '\0';
    json_array_foreach(extra, i, s)
    {
        if (len >= size)
            break;
        if (i == max) {
            snprintf(buf + len, size - len, ", ...");
            break;
        }
        len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : "",
                                json_string_value(json_object_get(s, "name")));
    }
}

json_t *rt_export_warnings(const rt_plugin *p)
{
    json_t *out = json_array();
    export_check ec;
    char names[512], msg[1024];
    size_t n;

    check_exports(p->path, &ec);
    n = json_array_size(ec.extra);
    if (ec.unreadable) {
        snprintf(msg, sizeof msg, "%s",
                 json_string_value(json_object_get(ec.unreadable, "message")));
        json_array_append_new(out, json_text(msg));
    }
    if (n) {
        extra_names(ec.extra, 5, names, sizeof names);
        snprintf(msg, sizeof msg,
                 "exports %zu symbol%s besides %s (%s), which can clash with other "
                 "code's symbols",
                 n, n == 1 ? "" : "s", FGCAT_PLUGIN_ENTRY_SYMBOL, names);
        json_array_append_new(out, json_text(msg));
    }
    for (size_t i = 0; i < json_array_size(out); i++)
        fg_log(FG_LOG_WARN, "plugin %s: %s; loaded anyway", p->path,
               json_string_value(json_array_get(out, i)));
    export_check_close(&ec);
    return out;
}

/* The report of `plugins check` for `p`: its state, what it provides, and
   every problem found while loading, registering and quoting. */
static json_t *check_report(const rt_plugin *p, size_t offerings)
{
    json_t *j = rt_plugin_json(p, offerings);
    json_t *problems = json_array();
    for (size_t i = 0; i < p->n_problems; i++)
        json_array_append_new(problems,
                              problem_json(p->problems[i].what, p->problems[i].offering,
                                           p->problems[i].message));
    json_object_set_new(j, "problems", problems);
    if (p->more_problems)
        json_object_set_new(j, "problems_not_listed",
                            json_integer((json_int_t)p->more_problems));
    return j;
}

/* The smallest (`max` false) or largest quantity `offering`'s attributes
   allow: its integer attributes named min_* or *_min (max_*, *_max),
   lead times aside; 1 when it has none. */
static int64_t sample_quantity(const json_t *offering, bool max)
{
    json_t *attrs = json_object_get(offering, "attributes"), *v;
    const char *key;
    int64_t best = 0;
    bool found = false;

    json_object_foreach(attrs, key, v)
    {
        size_t len = strlen(key);
        bool is_min = strncmp(key, "min_", 4) == 0 || (len > 4 && !strcmp(key + len - 4, "_min"));
        bool is_max = strncmp(key, "max_", 4) == 0 || (len > 4 && !strcmp(key + len - 4, "_max"));
        int64_t n;
        if (!json_is_integer(v) || strstr(key, "lead") || (max ? !is_max : !is_min))
            continue;
        n = (int64_t)json_integer_value(v);
        if (n < 1)
            continue;
        if (!found || (max ? n > best : n < best))
            best = n;
        found = true;
    }
    return found ? best : 1;
}

/*
 * Asks `p` to quote sample requests for each of its offerings: the
 * smallest and the largest quantity the offering's attributes allow, with
 * no start date and with a start date tomorrow.  A refusal is the area's
 * rule at work; a crash, an overrun or a bad quote is a problem (in
 * p->problems, from the runtime).  Stops at the first failure.
 */
static void check_quotes(rt_plugin *p, const json_t *offerings)
{
    char tomorrow[FG_DATE_SIZE];
    time_t t = time(NULL) + (time_t)24 * 3600;
    struct tm tm;
    size_t i;
    json_t *o;

    gmtime_r(&t, &tm);
    strftime(tomorrow, sizeof tomorrow, "%Y-%m-%d", &tm);
    json_array_foreach(offerings, i, o)
    {
        for (int k = 0; k < 4; k++) {
            rt_request req = {.requester_ods = "ZZ999",
                              .contact = "plugins-check@example.nhs.uk",
                              .quantity = sample_quantity(o, k & 1),
                              .start = (k & 2) ? tomorrow : NULL,
                              .note = "fgcat plugins check: a sample request"};
            int64_t amount;
            char currency[4];
            fg_error err;
            if (rt_quote(p, (json_t *)o, &req, &amount, currency, &err) == FG_EPLUGIN) {
                const char *id = json_string_value(json_object_get(o, "id"));
                if (p->state == RT_LOADED)
                    rt_problem_add(p, "quote", id, "%s", err.msg);
                return;
            }
        }
    }
}

/*
 * Loads and checks one plugin file: registers its offerings and has
 * `check` validate them (without a catalogue), then quotes sample
 * requests for each.  The plugins of `plugin_path` are loaded first, as
 * every other command would, so that the answer is "would this file load
 * here": a name or area another plugin already has is a refusal.  When
 * the file is on the path itself, its record from the path is the one
 * reported.  Every callback runs in the plugin's worker, so a crash, a
 * hang or output is reported, not fatal.  Returns the report (new), NULL
 * on OOM.
 */
static json_t *check_plugin(const char *path, const char *plugin_path, int timeout_s,
                            rt_offerings_check check)
{
    rt_runtime *rt = rt_create();
    rt_plugin *p;
    size_t n = 0;
    json_t *report, *offerings = NULL;
    fg_error err;

    if (!rt)
        return NULL;
    if (timeout_s > 0)
        rt_set_timeout(rt, timeout_s);
    rt_load_path(rt, plugin_path);
    p = find_by_file(rt, path);
    if (!p)
        p = rt_load_file(rt, path);
    if (p && p->state == RT_LOADED && check) {
        if (check(rt, p, &n, &offerings, &err) != FG_OK) {
            if (p->state == RT_LOADED) {
                p->state = RT_REFUSED;
                snprintf(p->reason, sizeof p->reason, "%s", err.msg);
            }
        } else {
            check_quotes(p, offerings);
        }
    }
    report = p ? check_report(p, n) : NULL;
    json_decref(offerings);
    rt_free(rt);
    return report;
}

/* Most problems `plugins check` lists about exports, one per symbol. */
#define CHECK_MAX_EXPORT_PROBLEMS 20

/*
 * Completes the child's report with what the file's symbol table says,
 * then settles its state and reason from the whole list of problems.
 * Findings from the symbol table are left out when dlopen refused the
 * file (its message is the one that matters), and the table's view of the
 * entry symbol only counts when the loader did not already report on it
 * (it did not get that far, or its view differs).
 */
static void finish_report(json_t *report, const char *path)
{
    json_t *problems = json_object_get(report, "problems");
    json_t *more = json_object_get(report, "problems_not_listed");
    const char *state = json_string_value(json_object_get(report, "state"));
    export_check ec;
    size_t i, total;
    json_t *s;
    char msg[1024];

    if (!json_is_array(problems)) {
        problems = json_array();
        json_object_set_new(report, "problems", problems);
    }
    /* A refusal the child could not itemise still counts as one. */
    if (json_array_size(problems) == 0 && (!state || strcmp(state, "loaded") != 0)) {
        const char *reason = json_string_value(json_object_get(report, "reason"));
        json_array_append_new(problems,
                              problem_json("load", NULL, reason ? reason : "refused"));
    }
    if (!has_problem(problems, "load")) {
        check_exports(path, &ec);
        json_array_foreach(ec.extra, i, s)
        {
            if (i == CHECK_MAX_EXPORT_PROBLEMS) {
                snprintf(msg, sizeof msg, "exports %zu more symbols besides %s",
                         json_array_size(ec.extra) - i, FGCAT_PLUGIN_ENTRY_SYMBOL);
                json_array_append_new(problems, problem_json("exports", NULL, msg));
                break;
            }
            snprintf(msg, sizeof msg,
                     "exports '%s' (%s) besides %s: make it static or hidden, so it "
                     "cannot clash with other code's symbols",
                     json_string_value(json_object_get(s, "name")),
                     json_string_value(json_object_get(s, "type")),
                     FGCAT_PLUGIN_ENTRY_SYMBOL);
            json_array_append_new(problems, problem_json("exports", NULL, msg));
        }
        if (ec.entry && !has_problem(problems, "entry"))
            json_array_append(problems, ec.entry);
        if (ec.unreadable)
            json_array_append(problems, ec.unreadable);
        export_check_close(&ec);
    }
    total = json_array_size(problems) + (size_t)json_integer_value(more);
    if (total == 0)
        return;
    rt_problem_line(json_array_get(problems, 0), msg, sizeof msg);
    if (total > 1) {
        size_t l = strlen(msg);
        if (l < sizeof msg)
            snprintf(msg + l, sizeof msg - l, " (and %zu more problem%s)", total - 1,
                     total == 2 ? "" : "s");
    }
    json_object_set_new(report, "state", json_string("refused"));
    json_object_set_new(report, "reason", json_text(msg));
    json_object_del(report, "offerings");
}

fg_status rt_check_file(const char *path, const char *plugin_path, int timeout_s,
                        rt_offerings_check check, json_t **report, fg_error *err)
{
    struct stat sb;

    *report = NULL;
    if (stat(path, &sb) != 0)
        return fg_fail(err, FG_ENOTFOUND, "cannot read '%s': %s", path, strerror(errno));
    /* dlopen would wait for ever on a FIFO's writer. */
    if (!S_ISREG(sb.st_mode))
        return fg_fail(err, FG_EINVAL, "'%s' is not a regular file", path);
    /* The report says what went wrong; the loader stays quiet meanwhile
       (the front end installs its sink again). */
    fg_log_set_sink(NULL, FG_LOG_ERROR, NULL);
    *report = check_plugin(path, plugin_path, timeout_s, check);
    if (!*report)
        return fg_fail(err, FG_ENOMEM, "out of memory");
    finish_report(*report, path);
    return FG_OK;
}
