/*
 * Unit tests of the plugin runtime (core/loader.c, core/host.c): loading
 * real plugins built by the test suite, good and broken, and the host API
 * they see.
 *
 * The plugins come from tests/plugins/ and live one per directory under
 * FGCAT_TEST_PLUGIN_DIR.  test-area is the well-behaved one, steered by the
 * environment (FGCAT_TEST_OFFERINGS, FGCAT_TEST_TITLE_SUFFIX,
 * FGCAT_TEST_BAD_OFFERING); every other one is broken in the way its name
 * says.  crash-init is never loaded here: it would kill this process (the
 * CLI tests cover it through `fgcat plugins check`, which loads in a child).
 *
 * test-area allocates its state in init and frees it in shutdown, so under
 * LeakSanitizer a runtime that forgot to call shutdown fails these tests.
 */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "runtime.h"
#include "config.h"
#include "util.h"

/* ---- helpers ---------------------------------------------------------- */

/* Every log line of the current test, newline-separated. */
static char log_text[32768];

static void capture_log(fg_log_level level, const char *line, void *ud)
{
    size_t used = strlen(log_text);
    (void)level;
    (void)ud;
    snprintf(log_text + used, sizeof log_text - used, "%s\n", line);
}

/* Clears the environment that steers test-area, and the captured log. */
static int reset(void **state)
{
    (void)state;
    unsetenv("FGCAT_TEST_OFFERINGS");
    unsetenv("FGCAT_TEST_TITLE_SUFFIX");
    unsetenv("FGCAT_TEST_BAD_OFFERING");
    log_text[0] = '\0';
    return 0;
}

static int group_setup(void **state)
{
    fg_log_set_sink(capture_log, FG_LOG_DEBUG, NULL);
    return reset(state);
}

static int group_teardown(void **state)
{
    fg_log_set_sink(NULL, FG_LOG_WARN, NULL);
    return reset(state);
}

/* Loads test-area alone into a new runtime and checks it loaded. */
static rt_runtime *runtime_with_test_area(rt_plugin **out)
{
    rt_runtime *rt = rt_create();
    rt_plugin *p;
    assert_non_null(rt);
    p = rt_load_file(rt, tu_test_plugin("test-area"));
    assert_non_null(p);
    if (p->state != RT_LOADED)
        fail_msg("test-area was refused: %s", p->reason);
    *out = p;
    return rt;
}

/* An rt_add_fn that keeps a copy of every offering it is given in the
   array `ud` and accepts them all. */
static fg_status collect(void *ud, rt_plugin *p, json_t *offering, fg_error *err)
{
    (void)p;
    (void)err;
    json_array_append_new((json_t *)ud, json_deep_copy(offering));
    return FG_OK;
}

/* An rt_add_fn that counts what it is given (in *(size_t *)ud) and refuses
   everything. */
static fg_status count_and_refuse(void *ud, rt_plugin *p, json_t *offering,
                                  fg_error *err)
{
    (void)p;
    (void)offering;
    (*(size_t *)ud)++;
    return fg_fail(err, FG_EINVAL, "the test refuses it");
}

/*
 * A test-area offering built the way a catalogue holds it: the plugin's
 * own fields with `attributes` replaced by the JSON text `attrs`, then
 * normalized.  New.
 */
static json_t *area_offering(const char *attrs)
{
    json_error_t jerr;
    json_t *raw, *content = NULL, *a = json_loads(attrs, 0, &jerr);
    fg_error err;

    if (!a)
        fail_msg("bad attributes in test: %s", jerr.text);
    raw = json_pack("{s:s, s:s, s:{s:s, s:s}, s:s, s:s, s:s, s:{s:i, s:s}, s:i,"
                    " s:s, s:o}",
                    "id", "TST/alpha", "area", "test-area", "provider", "ods", "TST",
                    "name", "Test Provider NHS Trust", "title", "Test course on alpha",
                    "summary", "A course about alpha.", "delivery", "remote", "price",
                    "amount_pence", 10000, "unit", "per-delegate", "capacity", 3,
                    "contact", "test@example.nhs.uk", "attributes", a);
    assert_non_null(raw);
    if (cat_offering_normalize(raw, "", &content, NULL, &err) != FG_OK)
        fail_msg("normalize: %s", err.msg);
    json_decref(raw);
    return content;
}

/* ---- broken plugins ----------------------------------------------------- */

typedef struct broken_case {
    const char *name;
    const char *says[3]; /* each must appear in the reason; NULL ends */
} broken_case;

/* Loads each broken plugin alone: it is refused, the reason names its fault,
   the warning names the file, and none of its areas becomes available. */
static void test_broken_plugins_are_refused(void **state)
{
    char theirs_major[32], theirs_minor[32], ours[32];
    (void)state;

    snprintf(theirs_major, sizeof theirs_major, "ABI %d.0", FGCAT_ABI_MAJOR + 1);
    snprintf(theirs_minor, sizeof theirs_minor, "ABI %d.%d", FGCAT_ABI_MAJOR,
             FGCAT_ABI_MINOR + 1);
    snprintf(ours, sizeof ours, "ABI %d.%d", FGCAT_ABI_MAJOR, FGCAT_ABI_MINOR);
    const broken_case cases[] = {
        {"no-entry", {"no entry symbol 'fgcat_plugin_entry'", NULL}},
        {"null-descriptor", {"fgcat_plugin_entry() returned NULL", NULL}},
        {"abi-major", {theirs_major, ours, "major"}},
        {"abi-minor", {theirs_minor, ours, "newer"}},
        {"small-struct", {"struct_size 16", NULL}},
        {"bad-name", {"name must be", "[a-z0-9-]", NULL}},
        {"no-quote", {"quote_request", "missing", NULL}},
        {"init-fails", {"init failed", "database of courses is missing", NULL}},
        {"not-elf", {"cannot load", "not-elf.so", NULL}},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *path = tu_test_plugin(cases[i].name);
        rt_runtime *rt = rt_create();
        rt_plugin *p;
        char warning[2048];

        log_text[0] = '\0';
        p = rt_load_file(rt, path);
        assert_non_null(p);
        if (p->state != RT_REFUSED)
            fail_msg("%s was not refused", cases[i].name);
        assert_string_equal(p->path, path);
        for (size_t k = 0; k < 3 && cases[i].says[k]; k++)
            tu_assert_contains(p->reason, cases[i].says[k]);
        snprintf(warning, sizeof warning, "plugin %s refused: %s", path, p->reason);
        tu_assert_contains(log_text, warning);
        assert_int_equal(rt_plugin_count(rt), 1);
        assert_ptr_equal(rt_plugin_at(rt, 0), p);
        assert_null(rt_area_owner(rt, cases[i].name));
        assert_null(rt_area_owner(rt, "test-area"));
        rt_free(rt);
    }
}

/* The versions a plugin declares are kept for `fgcat plugins`, even when
   they are why it was refused; a plugin refused before its descriptor was
   read keeps its file name and no versions. */
static void test_refused_plugins_keep_what_they_declared(void **state)
{
    rt_runtime *rt = rt_create();
    rt_plugin *major, *minor, *noentry, *badname;
    (void)state;

    major = rt_load_file(rt, tu_test_plugin("abi-major"));
    minor = rt_load_file(rt, tu_test_plugin("abi-minor"));
    noentry = rt_load_file(rt, tu_test_plugin("no-entry"));
    badname = rt_load_file(rt, tu_test_plugin("bad-name"));
    assert_int_equal(major->abi_major, FGCAT_ABI_MAJOR + 1);
    assert_int_equal(major->abi_minor, 0);
    assert_int_equal(minor->abi_major, FGCAT_ABI_MAJOR);
    assert_int_equal(minor->abi_minor, FGCAT_ABI_MINOR + 1);
    assert_null(noentry->desc);
    assert_int_equal(noentry->abi_major, 0);
    assert_string_equal(noentry->name, "no-entry.so");
    /* An invalid name is not taken from the descriptor. */
    assert_string_equal(badname->name, "bad-name.so");
    assert_int_equal(rt_plugin_count(rt), 4);
    rt_free(rt);
}

/* init's own message reaches the refusal verbatim, and a plugin whose init
   failed owns no area. */
static void test_init_failure_message_is_carried(void **state)
{
    rt_runtime *rt = rt_create();
    rt_plugin *p;
    (void)state;

    p = rt_load_file(rt, tu_test_plugin("init-fails"));
    assert_int_equal(p->state, RT_REFUSED);
    assert_string_equal(p->reason, "init failed (status 3): database of courses is "
                                   "missing");
    assert_false(p->initialised);
    assert_null(rt_area_owner(rt, "init-fails"));
    rt_free(rt);
}

/* ---- the good plugin -------------------------------------------------- */

static void test_good_plugin_loads(void **state)
{
    rt_plugin *p;
    rt_runtime *rt = runtime_with_test_area(&p);
    (void)state;

    assert_string_equal(p->name, "test-area");
    assert_string_equal(p->version, "1.0.0");
    assert_string_equal(p->path, tu_test_plugin("test-area"));
    tu_assert_contains(p->description, "fgcat's tests");
    assert_int_equal(p->abi_major, FGCAT_ABI_MAJOR);
    assert_int_equal(p->abi_minor, FGCAT_ABI_MINOR);
    assert_non_null(p->areas);
    assert_string_equal(p->areas[0], "test-area");
    assert_null(p->areas[1]);
    /* It runs in its own worker: fgcat holds no pointer into it. */
    assert_null(p->desc);
    assert_null(p->pstate);
    assert_non_null(p->worker);
    assert_true(p->initialised);
    assert_string_equal(p->reason, "");
    assert_ptr_equal(rt_area_owner(rt, "test-area"), p);
    assert_null(rt_area_owner(rt, "test"));
    assert_null(rt_area_owner(rt, "productivity"));
    assert_int_equal(rt_plugin_count(rt), 1);
    assert_ptr_equal(rt_plugin_at(rt, 0), p);
    assert_null(rt_plugin_at(rt, 1));
    assert_string_equal(log_text, "");
    rt_free(rt); /* calls shutdown, which frees the state */
}

/* dup-area loads on its own, but after test-area it is refused, naming the
   file (and plugin) that owns the area; and the other way round. */
static void test_duplicate_area_is_refused(void **state)
{
    const char *good = tu_test_plugin("test-area"), *dup = tu_test_plugin("dup-area");
    rt_runtime *rt;
    rt_plugin *a, *b;
    (void)state;

    rt = rt_create();
    a = rt_load_file(rt, good);
    b = rt_load_file(rt, dup);
    assert_int_equal(a->state, RT_LOADED);
    assert_int_equal(b->state, RT_REFUSED);
    tu_assert_contains(b->reason, "area 'test-area' is already provided by");
    tu_assert_contains(b->reason, good);
    tu_assert_contains(b->reason, "test-area 1.0.0");
    assert_ptr_equal(rt_area_owner(rt, "test-area"), a);
    rt_free(rt);

    rt = rt_create();
    b = rt_load_file(rt, dup);
    a = rt_load_file(rt, good);
    assert_int_equal(b->state, RT_LOADED);
    assert_int_equal(a->state, RT_REFUSED);
    tu_assert_contains(a->reason, dup);
    assert_ptr_equal(rt_area_owner(rt, "test-area"), b);
    rt_free(rt);
}

/* The same plugin reached by two paths loads once; the second is refused
   naming the first file. */
static void test_same_plugin_twice_is_refused(void **state)
{
    char dir[4096], link[4200];
    rt_runtime *rt = rt_create();
    rt_plugin *a, *b;
    (void)state;

    snprintf(dir, sizeof dir, "%s", tu_tmpdir());
    snprintf(link, sizeof link, "%s/copy.so", dir);
    assert_int_equal(symlink(tu_test_plugin("test-area"), link), 0);
    a = rt_load_file(rt, tu_test_plugin("test-area"));
    b = rt_load_file(rt, link);
    assert_int_equal(a->state, RT_LOADED);
    assert_int_equal(b->state, RT_REFUSED);
    tu_assert_contains(b->reason, "plugin name 'test-area' is already used by");
    tu_assert_contains(b->reason, tu_test_plugin("test-area"));
    rt_free(rt);
    tu_rmtree(dir);
}

/* A bare file name is a file in the current directory (as for
   `fgcat plugins check my-area.so`), not a name for dlopen to look up on
   the system's library path; and a missing file is refused, not fatal. */
static void test_relative_file_names(void **state)
{
    char cwd[4096], dir[4096];
    rt_runtime *rt = rt_create();
    rt_plugin *p, *rel, *missing;
    (void)state;

    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(dir, sizeof dir, "%s/test-area", FGCAT_TEST_PLUGIN_DIR);
    assert_int_equal(chdir(dir), 0);
    p = rt_load_file(rt, "test-area.so");
    missing = rt_load_file(rt, "no-such-plugin.so");
    assert_int_equal(chdir(".."), 0);
    rel = rt_load_file(rt, "test-area/test-area.so");
    assert_int_equal(chdir(cwd), 0);

    if (p->state != RT_LOADED)
        fail_msg("test-area.so in the current directory was refused: %s", p->reason);
    assert_string_equal(p->path, "test-area.so");
    assert_string_equal(p->name, "test-area");
    /* The same file again, by another relative path: a second copy. */
    assert_int_equal(rel->state, RT_REFUSED);
    tu_assert_contains(rel->reason, "already used by test-area.so");
    assert_int_equal(missing->state, RT_REFUSED);
    tu_assert_contains(missing->reason, "cannot load");
    tu_assert_contains(missing->reason, "no-such-plugin.so");
    rt_free(rt);
}

/* rt_refuse takes a loaded plugin out of service: its areas are free again
   and its callbacks are no longer run. */
static void test_refuse_takes_plugin_out(void **state)
{
    rt_plugin *p;
    rt_runtime *rt = runtime_with_test_area(&p);
    json_t *got = json_array();
    fg_error err;
    (void)state;

    rt_refuse(p, "registration failed");
    assert_int_equal(p->state, RT_REFUSED);
    assert_string_equal(p->reason, "registration failed");
    tu_assert_contains(log_text, "registration failed");
    assert_null(rt_area_owner(rt, "test-area"));
    assert_int_equal(rt_register(p, NULL, collect, got, &err), FG_EREFUSED);
    tu_assert_contains(err.msg, "not loaded");
    assert_int_equal(json_array_size(got), 0);
    json_decref(got);
    rt_free(rt); /* it was initialised: shutdown still runs */
}

/* ---- loading a path --------------------------------------------------- */

/* Links `target` into `dir` as `name`. */
static void link_plugin(const char *dir, const char *name, const char *target)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (symlink(target, path) != 0)
        fail_msg("symlink %s", path);
}

/* A directory holding the good plugin and broken ones: files load in name
   order, the good one works, each broken one is refused, other files are
   ignored, and a missing directory on the path is skipped with a warning. */
static void test_load_path_mixed_directory(void **state)
{
    static const struct {
        const char *file, *plugin;
        rt_state st;
        const char *says;
    } expect[] = {
        {"10-test-area.so", "test-area", RT_LOADED, NULL},
        {"20-dup-area.so", "dup-area", RT_REFUSED, "area 'test-area' is already provided"},
        {"30-no-entry.so", "no-entry", RT_REFUSED, "no entry symbol"},
        {"40-abi-major.so", "abi-major", RT_REFUSED, "major versions differ"},
        {"50-init-fails.so", "init-fails", RT_REFUSED, "database of courses is missing"},
        {"60-not-elf.so", "not-elf", RT_REFUSED, "cannot load"},
        {"70-null-descriptor.so", "null-descriptor", RT_REFUSED, "returned NULL"},
    };
    const size_t n = sizeof expect / sizeof expect[0];
    char dir[4096], missing[4200], dirs[9000], path[4200];
    rt_runtime *rt = rt_create();
    (void)state;

    snprintf(dir, sizeof dir, "%s", tu_tmpdir());
    /* Created in reverse so that directory order is not name order. */
    for (size_t i = n; i-- > 0;)
        link_plugin(dir, expect[i].file, tu_test_plugin(expect[i].plugin));
    /* Not plugins by their names: skipped without being opened. */
    link_plugin(dir, "80-abi-minor.so.1", tu_test_plugin("abi-minor"));
    link_plugin(dir, ".so", tu_test_plugin("no-quote"));
    snprintf(path, sizeof path, "%s/README.txt", dir);
    tu_write_file(path, "not a plugin\n");

    snprintf(missing, sizeof missing, "%s/no-such-dir", dir);
    snprintf(dirs, sizeof dirs, "%s::%s:", missing, dir);
    rt_load_path(rt, dirs);

    assert_int_equal(rt_plugin_count(rt), n);
    for (size_t i = 0; i < n; i++) {
        rt_plugin *p = rt_plugin_at(rt, i);
        snprintf(path, sizeof path, "%s/%s", dir, expect[i].file);
        assert_string_equal(p->path, path);
        if (p->state != expect[i].st)
            fail_msg("%s: state %d, reason %s", expect[i].file, (int)p->state,
                     p->reason);
        if (expect[i].says)
            tu_assert_contains(p->reason, expect[i].says);
    }
    assert_ptr_equal(rt_area_owner(rt, "test-area"), rt_plugin_at(rt, 0));
    assert_null(rt_area_owner(rt, "init-fails"));
    assert_null(rt_area_owner(rt, "abi-major"));
    tu_assert_contains(log_text, missing);
    tu_assert_contains(log_text, "skipped");
    rt_free(rt);

    /* A path of nothing but a missing directory loads nothing. */
    rt = rt_create();
    rt_load_path(rt, missing);
    assert_int_equal(rt_plugin_count(rt), 0);
    rt_free(rt);
    tu_rmtree(dir);
}

/* ---- the descriptor cache --------------------------------------------- */

/* Lines in `path` (0 when it does not exist). */
static size_t count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    size_t n = 0;
    int c;
    if (!f)
        return 0;
    while ((c = fgetc(f)) != EOF)
        n += c == '\n';
    fclose(f);
    return n;
}

/* A runtime of `dir` loaded with the descriptor cache `cache` (may be
   NULL); its one plugin in *out. */
static rt_runtime *load_cached(const char *dir, const char *cache, rt_plugin **out)
{
    rt_runtime *rt = rt_create();
    rt_set_descriptor_cache(rt, cache);
    rt_load_path(rt, dir);
    assert_int_equal(rt_plugin_count(rt), 1);
    *out = rt_plugin_at(rt, 0);
    return rt;
}

/* With the descriptor cache, loading a plugin file the cache knows starts
   no worker: its areas and labels come from the cache, its worker starts
   on the first call; a changed file, a cache that is wrong about the file
   and rt_start_all each start it. */
static void test_descriptor_cache(void **state)
{
    char dir[4096], so[4300], starts[4300], wrapper[4300], script[9000], real[4096];
    char *cache, *again;
    rt_runtime *rt;
    rt_plugin *p;
    json_t *got, *tampered;
    fg_error err;
    struct timespec times[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
    const char *saved = getenv("FGCAT_PLUGIN_WORKER");
    char *saved_copy = saved ? fg_strdup(saved) : NULL;
    (void)state;

    /* A worker that counts its starts. */
    snprintf(dir, sizeof dir, "%s", tu_tmpdir());
    if (saved_copy)
        snprintf(real, sizeof real, "%s", saved_copy);
    else if (fg_default_worker_path(real, sizeof real, &err) != FG_OK)
        fail_msg("worker: %s", err.msg);
    snprintf(starts, sizeof starts, "%s/starts", dir);
    snprintf(wrapper, sizeof wrapper, "%s/worker.sh", dir);
    snprintf(script, sizeof script, "#!/bin/sh\necho \"$4\" >> '%s'\nexec '%s' \"$@\"\n", starts,
             real);
    tu_write_file(wrapper, script);
    assert_int_equal(chmod(wrapper, 0755), 0);
    setenv("FGCAT_PLUGIN_WORKER", wrapper, 1);
    /* A copy, so that the test can change the file. */
    snprintf(so, sizeof so, "%s/plugins", dir);
    assert_int_equal(mkdir(so, 0755), 0);
    snprintf(so, sizeof so, "%s/plugins/test-area.so", dir);
    {
        FILE *in = fopen(tu_test_plugin("test-area"), "rb"), *outf = fopen(so, "wb");
        char buf[8192];
        size_t n;
        assert_non_null(in);
        assert_non_null(outf);
        while ((n = fread(buf, 1, sizeof buf, in)) > 0)
            assert_int_equal(fwrite(buf, 1, n, outf), n);
        fclose(in);
        fclose(outf);
    }
    snprintf(dir + strlen(dir), sizeof dir - strlen(dir), "/plugins");

    /* No cache yet: loading starts the worker and records what it says. */
    rt = load_cached(dir, NULL, &p);
    assert_int_equal(count_lines(starts), 1);
    assert_int_equal(p->state, RT_LOADED);
    cache = rt_descriptor_cache(rt);
    assert_non_null(cache);
    rt_free(rt);
    assert_int_equal(count_lines(starts), 1);

    /* Known: no worker until the first call, which starts one. */
    rt = load_cached(dir, cache, &p);
    assert_int_equal(count_lines(starts), 1);
    assert_int_equal(p->state, RT_LOADED);
    assert_string_equal(p->name, "test-area");
    assert_ptr_equal(rt_area_owner(rt, "test-area"), p);
    assert_null(rt_descriptor_cache(rt)); /* nothing new to keep */
    got = json_array();
    assert_int_equal(rt_register(p, NULL, collect, got, &err), FG_OK);
    assert_true(json_array_size(got) > 0);
    json_decref(got);
    assert_int_equal(count_lines(starts), 2);
    got = json_array();
    assert_int_equal(rt_register(p, NULL, collect, got, &err), FG_OK); /* the same worker */
    json_decref(got);
    assert_int_equal(count_lines(starts), 2);
    rt_free(rt);

    /* rt_start_all, and a hub's runtime, start every pending worker. */
    rt = load_cached(dir, cache, &p);
    rt_start_all(rt);
    assert_int_equal(count_lines(starts), 3);
    assert_int_equal(p->state, RT_LOADED);
    rt_free(rt);
    rt = load_cached(dir, cache, &p);
    rt_set_restart(rt, true);
    assert_int_equal(count_lines(starts), 4);
    rt_free(rt);

    /* The cache is wrong about the file: the first call says so and the
       plugin is refused; the cache to keep is corrected. */
    tampered = json_loads(cache, 0, NULL);
    assert_non_null(tampered);
    {
        json_t *files = json_object_get(tampered, "files");
        json_t *hello = json_object_get(json_object_get(files, so), "hello");
        assert_non_null(hello);
        json_object_set_new(hello, "version", json_string("9.9.9"));
    }
    again = json_dumps(tampered, JSON_COMPACT);
    json_decref(tampered);
    rt = load_cached(dir, again, &p);
    free(again);
    assert_int_equal(count_lines(starts), 4);
    assert_string_equal(p->version, "9.9.9");
    got = json_array();
    assert_int_equal(rt_register(p, NULL, collect, got, &err), FG_EPLUGIN);
    json_decref(got);
    tu_assert_contains(err.msg, "plugin test-area describes itself otherwise");
    assert_int_not_equal(p->state, RT_LOADED);
    assert_int_equal(count_lines(starts), 5);
    again = rt_descriptor_cache(rt);
    assert_non_null(again);
    assert_string_equal(again, cache);
    free(again);
    rt_free(rt);

    /* A changed file (here its times) is read again by a worker. */
    assert_int_equal(utimensat(AT_FDCWD, so, times, 0), 0);
    rt = load_cached(dir, cache, &p);
    assert_int_equal(count_lines(starts), 6);
    assert_int_equal(p->state, RT_LOADED);
    again = rt_descriptor_cache(rt);
    assert_non_null(again);
    assert_string_not_equal(again, cache);
    free(again);
    rt_free(rt);

    /* Another worker executable voids the cache. */
    setenv("FGCAT_PLUGIN_WORKER", real, 1);
    rt = load_cached(dir, cache, &p);
    again = rt_descriptor_cache(rt);
    assert_non_null(again); /* recorded afresh, under the other worker */
    free(again);
    rt_free(rt);
    assert_int_equal(count_lines(starts), 6); /* (the real worker counts nothing) */

    free(cache);
    if (saved_copy)
        setenv("FGCAT_PLUGIN_WORKER", saved_copy, 1);
    else
        unsetenv("FGCAT_PLUGIN_WORKER");
    free(saved_copy);
    dir[strlen(dir) - strlen("/plugins")] = '\0';
    tu_rmtree(dir);
}

/* ---- registration ----------------------------------------------------- */

/* rt_register hands every offering test-area adds to the callback, in JSON
   form, and follows the environment that steers it. */
static void test_register_delivers_offerings(void **state)
{
    static const char *const slugs[] = {"alpha", "beta", "gamma"};
    rt_plugin *p;
    rt_runtime *rt = runtime_with_test_area(&p);
    json_t *got = json_array(), *o;
    fg_error err;
    (void)state;

    assert_int_equal(rt_register(p, NULL, collect, got, &err), FG_OK);
    assert_int_equal(json_array_size(got), 3);
    for (size_t i = 0; i < 3; i++) {
        char id[32];
        o = json_array_get(got, i);
        snprintf(id, sizeof id, "TST/%s", slugs[i]);
        assert_string_equal(json_string_value(json_object_get(o, "id")), id);
        assert_string_equal(json_string_value(json_object_get(o, "area")), "test-area");
        tu_assert_contains(json_string_value(json_object_get(o, "title")), slugs[i]);
        tu_assert_contains(json_string_value(json_object_get(o, "summary")), slugs[i]);
        assert_string_equal(json_string_value(json_object_get(o, "delivery")), "remote");
        assert_string_equal(json_string_value(json_object_get(o, "status")), "active");
        assert_int_equal(json_integer_value(json_object_get(o, "capacity")), 3);
        assert_int_equal(json_integer_value(json_object_get(o, "duration_days")), 2);
        assert_string_equal(json_string_value(json_object_get(o, "contact")),
                            "test@example.nhs.uk");
        assert_string_equal(json_string_value(json_object_get(
                                json_object_get(o, "provider"), "ods")),
                            "TST");
        assert_string_equal(json_string_value(json_object_get(
                                json_object_get(o, "provider"), "name")),
                            "Test Provider NHS Trust");
        assert_int_equal(json_integer_value(json_object_get(
                             json_object_get(o, "price"), "amount_pence")),
                         10000);
        assert_string_equal(json_string_value(json_object_get(
                                json_object_get(o, "price"), "unit")),
                            "per-delegate");
        assert_string_equal(json_string_value(json_object_get(
                                json_object_get(o, "price"), "currency")),
                            "GBP");
        assert_string_equal(json_string_value(json_array_get(json_object_get(o, "tags"), 1)),
                            slugs[i]);
        assert_int_equal(json_array_size(json_object_get(o, "regions")), 1);
        assert_int_equal(json_integer_value(json_object_get(
                             json_object_get(o, "attributes"), "level")),
                         2);
    }
    json_array_clear(got);

    /* Other slugs and a title suffix: a change of content. */
    setenv("FGCAT_TEST_OFFERINGS", "delta,,epsilon", 1);
    setenv("FGCAT_TEST_TITLE_SUFFIX", " (2027 intake)", 1);
    rt_restart(rt); /* workers see the environment as it is now */
    assert_int_equal(rt_register(p, NULL, collect, got, &err), FG_OK);
    assert_int_equal(json_array_size(got), 2);
    o = json_array_get(got, 1);
    assert_string_equal(json_string_value(json_object_get(o, "id")), "TST/epsilon");
    assert_string_equal(json_string_value(json_object_get(o, "title")),
                        "Test course on epsilon practice (2027 intake)");
    json_array_clear(got);

    /* An empty list registers nothing, and that is a success. */
    setenv("FGCAT_TEST_OFFERINGS", "", 1);
    rt_restart(rt); /* workers see the environment as it is now */
    assert_int_equal(rt_register(p, NULL, collect, got, &err), FG_OK);
    assert_int_equal(json_array_size(got), 0);

    json_decref(got);
    rt_free(rt);
}

/* A refusal by the callback fails the registration with the first refused
   offering named and the others counted; every offering is still offered. */
static void test_register_reports_first_refusal(void **state)
{
    rt_plugin *p;
    rt_runtime *rt = runtime_with_test_area(&p);
    size_t seen = 0;
    fg_error err;
    (void)state;

    assert_int_equal(rt_register(p, NULL, count_and_refuse, &seen, &err), FG_EREFUSED);
    assert_int_equal(seen, 3);
    assert_string_equal(err.msg, "offering 'TST/alpha': the test refuses it (and 2 more "
                                 "refused offerings)");
    assert_int_equal(p->state, RT_LOADED); /* the caller decides */
    rt_free(rt);
}

/* Registration without a catalogue (`fgcat plugins check`): the good
   plugin's offerings pass; a bad one is refused naming the offering and the
   field, whether from test-area or from bad-offerings. */
static void test_check_plugin_offerings(void **state)
{
    rt_runtime *rt = rt_create();
    rt_plugin *good, *bad;
    size_t n = 99;
    fg_error err;
    (void)state;

    good = rt_load_file(rt, tu_test_plugin("test-area"));
    bad = rt_load_file(rt, tu_test_plugin("bad-offerings"));
    assert_int_equal(good->state, RT_LOADED);
    assert_int_equal(bad->state, RT_LOADED); /* its descriptor is fine */

    assert_int_equal(cat_check_plugin_offerings(rt, good, &n, NULL, &err), FG_OK);
    assert_int_equal(n, 3);

    assert_int_equal(cat_check_plugin_offerings(rt, bad, &n, NULL, &err), FG_EREFUSED);
    assert_int_equal(n, 0);
    tu_assert_contains(err.msg, "offering 'BAD/by-post-course'");
    tu_assert_contains(err.msg, "field delivery");
    tu_assert_contains(err.msg, "\"by-post\"");
    tu_assert_contains(err.msg, "(and 1 more refused offerings)");

    setenv("FGCAT_TEST_BAD_OFFERING", "1", 1);

    rt_restart(rt); /* workers see the environment as it is now */
    assert_int_equal(cat_check_plugin_offerings(rt, good, &n, NULL, &err), FG_EREFUSED);
    assert_int_equal(n, 3); /* the three good ones passed */
    tu_assert_contains(err.msg, "offering 'TST/bad-delivery'");
    tu_assert_contains(err.msg, "field delivery");
    tu_assert_contains(err.msg, "by-post");
    rt_free(rt);
}

/* ---- the host API ----------------------------------------------------- */

/* The table a plugin receives: this header's ABI, every function present,
   and each attribute reader keeping to its type. */
static void test_host_api_table(void **state)
{
    const fgcat_host_api *h = rt_host_api();
    json_t *obj = json_loads("{\"n\": 42, \"neg\": -7, \"big\": 9007199254740993,"
                             " \"s\": \"text\", \"b\": true, \"f\": false,"
                             " \"r\": 1.5, \"z\": null, \"o\": {}}",
                             0, NULL);
    const fgcat_attrs *a = (const fgcat_attrs *)obj;
    int64_t i = 0;
    const char *s = NULL;
    int b = -1;
    (void)state;

    assert_non_null(obj);
    assert_int_equal(h->struct_size, sizeof *h);
    assert_int_equal(h->abi_major, FGCAT_ABI_MAJOR);
    assert_int_equal(h->abi_minor, FGCAT_ABI_MINOR);
    assert_non_null(h->host_version);
    assert_true(h->host_version[0] != '\0');
    assert_true(FGCAT_HAS_FIELD(h, fgcat_host_api, log));
    assert_non_null(h->add_offering);
    assert_non_null(h->log);

    assert_int_equal(h->attr_int(a, "n", &i), FGCAT_OK);
    assert_int_equal(i, 42);
    assert_int_equal(h->attr_int(a, "neg", &i), FGCAT_OK);
    assert_int_equal(i, -7);
    assert_int_equal(h->attr_int(a, "big", &i), FGCAT_OK);
    assert_true(i == 9007199254740993LL);
    assert_int_equal(h->attr_int(a, "r", &i), FGCAT_ERR_TYPE);
    assert_int_equal(h->attr_int(a, "s", &i), FGCAT_ERR_TYPE);
    assert_int_equal(h->attr_int(a, "b", &i), FGCAT_ERR_TYPE);
    assert_int_equal(h->attr_int(a, "z", &i), FGCAT_ERR_NOT_FOUND);
    assert_int_equal(h->attr_int(a, "absent", &i), FGCAT_ERR_NOT_FOUND);

    assert_int_equal(h->attr_string(a, "s", &s), FGCAT_OK);
    assert_string_equal(s, "text");
    assert_int_equal(h->attr_string(a, "n", &s), FGCAT_ERR_TYPE);
    assert_int_equal(h->attr_string(a, "o", &s), FGCAT_ERR_TYPE);
    assert_int_equal(h->attr_string(a, "z", &s), FGCAT_ERR_NOT_FOUND);

    assert_int_equal(h->attr_bool(a, "b", &b), FGCAT_OK);
    assert_int_equal(b, 1);
    assert_int_equal(h->attr_bool(a, "f", &b), FGCAT_OK);
    assert_int_equal(b, 0);
    assert_int_equal(h->attr_bool(a, "n", &b), FGCAT_ERR_TYPE);
    assert_int_equal(h->attr_bool(a, "absent", &b), FGCAT_ERR_NOT_FOUND);

    /* Keys in the object's order, NULL past the end. */
    assert_int_equal(h->attr_count(a), 9);
    assert_string_equal(h->attr_key(a, 0), "n");
    assert_string_equal(h->attr_key(a, 3), "s");
    assert_string_equal(h->attr_key(a, 8), "o");
    assert_null(h->attr_key(a, 9));

    /* No attributes at all reads as an empty object. */
    assert_int_equal(h->attr_count(NULL), 0);
    assert_null(h->attr_key(NULL, 0));
    assert_int_equal(h->attr_int(NULL, "n", &i), FGCAT_ERR_NOT_FOUND);

    /* A plugin's log line is attributed to it. */
    h->log("test-area", FGCAT_LOG_WARN, "courses table reloaded");
    tu_assert_contains(log_text, "plugin test-area: courses table reloaded");
    json_decref(obj);
}

typedef struct attrs_case {
    const char *attrs; /* JSON object text */
    const char *msg;   /* the plugin's verbatim message, NULL = accepted */
} attrs_case;

/* test-area's validator, reached through rt_validate_offering, reads the
   attributes with the host's attr_* functions: each refusal comes back
   verbatim with FG_EINVAL. */
static void test_validate_offering_attributes(void **state)
{
    static const char range[] = "attribute level must be an integer between 1 and 5";
    static const attrs_case cases[] = {
        {"{\"level\": 2}", NULL},
        {"{\"level\": 1}", NULL},
        {"{\"level\": 5}", NULL},
        {"{}", "attribute level is required"},
        {"{\"level\": null}", "attribute level is required"},
        {"{\"level\": 0}", range},
        {"{\"level\": 6}", range},
        {"{\"level\": \"2\"}", range},
        {"{\"level\": 2.0}", range},
        {"{\"level\": true}", range},
        {"{\"level\": 2, \"colour\": \"blue\"}",
         "attribute colour is not a test-area attribute; it takes only level"},
        /* Sorted on normalizing, so the stray key is the second one. */
        {"{\"zeta\": 1, \"level\": 2}",
         "attribute zeta is not a test-area attribute; it takes only level"},
    };
    rt_plugin *p;
    rt_runtime *rt = runtime_with_test_area(&p);
    fg_error err;
    (void)state;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *o = area_offering(cases[i].attrs);
        fg_status st = rt_validate_offering(p, o, &err);
        if (!cases[i].msg) {
            if (st != FG_OK)
                fail_msg("%s refused: %s", cases[i].attrs, err.msg);
        } else {
            if (st != FG_EINVAL)
                fail_msg("%s: status %d, expected FG_EINVAL", cases[i].attrs, (int)st);
            assert_string_equal(err.msg, cases[i].msg);
        }
        json_decref(o);
    }

    /* The catalogue's area check puts the plugin's name in front. */
    {
        json_t *o = area_offering("{\"level\": 9}");
        assert_int_equal(cat_offering_check_area(rt, o, "", &err), FG_EINVAL);
        tu_assert_contains(err.msg, "refused by the test-area plugin: ");
        tu_assert_contains(err.msg, range);
        json_decref(o);
    }
    rt_free(rt);
}

/* A plugin without a validator accepts any attributes (dup-area, loaded
   alone, owns test-area and has none). */
static void test_validate_without_validator(void **state)
{
    rt_runtime *rt = rt_create();
    rt_plugin *p = rt_load_file(rt, tu_test_plugin("dup-area"));
    json_t *o = area_offering("{\"anything\": [1, 2]}");
    fg_error err;
    (void)state;

    assert_int_equal(p->state, RT_LOADED);
    assert_int_equal(rt_validate_offering(p, o, &err), FG_OK);
    json_decref(o);
    rt_free(rt);
}

/* ---- quoting ------------------------------------------------------------ */

/* Writes today (UTC) + `days` as "YYYY-MM-DD" computed from `now`. */
static void date_in(time_t now, int days, char out[FG_DATE_SIZE])
{
    time_t t = now + (time_t)days * 86400;
    struct tm tm;
    assert_non_null(gmtime_r(&t, &tm));
    assert_int_equal(strftime(out, FG_DATE_SIZE, "%Y-%m-%d", &tm), 10);
}

/*
 * Quotes `quantity` with a start `days` from today (no start when days is
 * negative).  Repeats when the UTC date changed during the call, so a run
 * at midnight cannot see an off-by-one lead time.
 */
static fg_status quote_in(rt_plugin *p, json_t *offering, int64_t quantity, int days,
                          int64_t *amount, char currency[4], fg_error *err)
{
    for (;;) {
        char before[FG_DATE_SIZE], after[FG_DATE_SIZE], start[FG_DATE_SIZE], today[FG_DATE_SIZE];
        time_t now = time(NULL);
        rt_request req = {.requester_ods = "RXX", .contact = "buyer@example.nhs.uk",
                          .quantity = quantity, .note = "unit test"};
        fg_status st;

        fg_today(before);
        date_in(now, 0, today);
        date_in(now, days, start);
        req.start = days >= 0 ? start : NULL;
        st = rt_quote(p, offering, &req, amount, currency, err);
        fg_today(after);
        if (strcmp(before, after) == 0 && strcmp(before, today) == 0)
            return st;
    }
}

/* rt_quote with test-area: the accepted quote is price x quantity, and both
   area rules refuse with the plugin's message verbatim. */
static void test_quote(void **state)
{
    rt_plugin *p;
    rt_runtime *rt = runtime_with_test_area(&p);
    json_t *got = json_array(), *offering = NULL;
    int64_t amount = -1;
    char currency[4] = "";
    fg_error err;
    (void)state;

    /* Quote the offering exactly as the plugin registers it. */
    assert_int_equal(rt_register(p, NULL, collect, got, &err), FG_OK);
    if (cat_offering_normalize(json_array_get(got, 0), "", &offering, NULL, &err) != FG_OK)
        fail_msg("normalize: %s", err.msg);
    json_decref(got);

    assert_int_equal(quote_in(p, offering, 4, -1, &amount, currency, &err), FG_OK);
    assert_int_equal(amount, 40000);
    assert_string_equal(currency, "GBP");
    assert_int_equal(quote_in(p, offering, 10, 30, &amount, currency, &err), FG_OK);
    assert_int_equal(amount, 100000);

    assert_int_equal(quote_in(p, offering, 11, -1, &amount, currency, &err), FG_EREFUSED);
    assert_string_equal(err.msg, "quantity 11 is more than the 10 this test area allows");

    assert_int_equal(quote_in(p, offering, 2, 3, &amount, currency, &err), FG_EREFUSED);
    assert_string_equal(err.msg, "start must be at least 7 days ahead");
    assert_int_equal(quote_in(p, offering, 2, 6, &amount, currency, &err), FG_EREFUSED);
    assert_string_equal(err.msg, "start must be at least 7 days ahead");
    assert_int_equal(quote_in(p, offering, 2, 7, &amount, currency, &err), FG_OK);
    assert_int_equal(amount, 20000);

    /* Too large to price: refused by the host before the plugin sees it. */
    assert_int_equal(quote_in(p, offering, INT64_MAX, -1, &amount, currency, &err),
                     FG_EREFUSED);
    tu_assert_contains(err.msg, "too large to price");

    /* A refused plugin quotes nothing. */
    rt_refuse(p, "taken out by the test");
    assert_int_equal(quote_in(p, offering, 1, -1, &amount, currency, &err), FG_EREFUSED);
    tu_assert_contains(err.msg, "not loaded");

    json_decref(offering);
    rt_free(rt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_broken_plugins_are_refused, reset, reset),
        cmocka_unit_test_setup_teardown(test_refused_plugins_keep_what_they_declared,
                                        reset, reset),
        cmocka_unit_test_setup_teardown(test_init_failure_message_is_carried, reset,
                                        reset),
        cmocka_unit_test_setup_teardown(test_good_plugin_loads, reset, reset),
        cmocka_unit_test_setup_teardown(test_duplicate_area_is_refused, reset, reset),
        cmocka_unit_test_setup_teardown(test_same_plugin_twice_is_refused, reset, reset),
        cmocka_unit_test_setup_teardown(test_relative_file_names, reset, reset),
        cmocka_unit_test_setup_teardown(test_refuse_takes_plugin_out, reset, reset),
        cmocka_unit_test_setup_teardown(test_load_path_mixed_directory, reset, reset),
        cmocka_unit_test_setup_teardown(test_descriptor_cache, reset, reset),
        cmocka_unit_test_setup_teardown(test_register_delivers_offerings, reset, reset),
        cmocka_unit_test_setup_teardown(test_register_reports_first_refusal, reset,
                                        reset),
        cmocka_unit_test_setup_teardown(test_check_plugin_offerings, reset, reset),
        cmocka_unit_test_setup_teardown(test_host_api_table, reset, reset),
        cmocka_unit_test_setup_teardown(test_validate_offering_attributes, reset, reset),
        cmocka_unit_test_setup_teardown(test_validate_without_validator, reset, reset),
        cmocka_unit_test_setup_teardown(test_quote, reset, reset),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
