/*
 * The sync client's state machine per remote (catalog/sync.c), driven
 * through the library: one provider's node (RTF, real SQLite file, the
 * built-in plugins) following two real hubs (`fgcat serve` on free
 * loopback ports, each with its own catalogue).  What is pending,
 * agreed and refused is kept per remote: a push to one hub changes nothing
 * of what the other is owed; an item a hub refuses is recorded with its
 * reason, not pushed again until it changes, and fails only the sync that
 * met it.
 */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sync/sync.h"
#include "util.h"

typedef struct hub {
    char path[4200]; /* its catalogue */
    char log[4200];  /* its standard error */
    pid_t pid;
    unsigned port;
} hub;

typedef struct fixture {
    tu_fixture node; /* RTF's node */
    hub hubs[2];
} fixture;

static const char *const remote_names[] = {"one", "two"};

/* The port in the hub's "listening on" line, 0 while there is none. */
static unsigned listening_port(const hub *h)
{
    FILE *fp = fopen(h->log, "r");
    char line[512];
    unsigned port = 0;
    if (!fp)
        return 0;
    while (!port && fgets(line, sizeof line, fp))
        if (sscanf(line, "fgcat: hub listening on 127.0.0.1:%u", &port) != 1)
            port = 0;
    fclose(fp);
    return port;
}

/* Creates hub `i`'s catalogue, issues a token for RTF into the node's
   directory, starts `fgcat serve` on it (a free loopback port; one hub per
   process, as operators run them) and adds it to the node as a remote. */
static void start_hub(fixture *f, int i)
{
    hub *h = &f->hubs[i];
    char name[32], token[CAT_TOKEN_SIZE], token_path[4200], url[64];
    cat_catalog *cat;
    fg_error err;
    snprintf(name, sizeof name, "hub-%s.db", remote_names[i]);
    snprintf(h->path, sizeof h->path, "%s/%s", f->node.dir, name);
    snprintf(h->log, sizeof h->log, "%s/hub-%s.log", f->node.dir, remote_names[i]);
    cat = tu_open_catalog(f->node.dir, name);
    assert_int_equal(cat_token_create(cat, "RTF", 0, token, &err), FG_OK);
    cat_close(cat);
    snprintf(token_path, sizeof token_path, "%s/%s.token", f->node.dir, remote_names[i]);
    tu_write_file(token_path, token);

    h->pid = fork();
    assert_true(h->pid >= 0);
    if (h->pid == 0) {
        int fd = open(h->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0 || dup2(fd, STDERR_FILENO) < 0)
            _exit(127);
        execl(FGCAT_BIN, FGCAT_BIN, "--db", h->path, "--plugin-path",
              FGCAT_BUILTIN_PLUGIN_DIR, "serve", "--listen", "127.0.0.1:0", (char *)NULL);
        _exit(127);
    }
    /* Wait for its "listening" line (or its end). */
    for (int waited = 0; !(h->port = listening_port(h)); waited++) {
        struct timespec nap = {0, 20L * 1000 * 1000};
        if (waitpid(h->pid, NULL, WNOHANG) == h->pid || waited > 6000) {
            h->pid = 0;
            fail_msg("hub %s did not start (see %s)", remote_names[i], h->log);
        }
        nanosleep(&nap, NULL);
    }
    snprintf(url, sizeof url, "http://127.0.0.1:%u", h->port);
    if (sync_remote_add(f->node.cat, remote_names[i], url, token_path, NULL, &err) != FG_OK)
        fail_msg("sync_remote_add: %s", err.msg);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    void *inner;
    assert_non_null(f);
    tu_setup_seeded(&inner);
    f->node = *(tu_fixture *)inner;
    free(inner);
    *state = f;
    start_hub(f, 0);
    start_hub(f, 1);
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    tu_fixture *node = malloc(sizeof *node);
    for (int i = 0; i < 2; i++) {
        int status = 0;
        if (f->hubs[i].pid <= 0)
            continue;
        kill(f->hubs[i].pid, SIGTERM);
        assert_int_equal(waitpid(f->hubs[i].pid, &status, 0), f->hubs[i].pid);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    assert_non_null(node);
    *node = f->node;
    free(f);
    *state = node;
    return tu_teardown(state);
}

/* One sync with remote `i`; returns its status and fills `rep`. */
static fg_status sync_with(fixture *f, int i, sync_report *rep)
{
    sync_options so = {.attempts = 2, .timeout_s = 60, .low_speed_time_s = 30,
                       .page = SYNC_DEFAULT_PAGE};
    fg_error err;
    fg_status st;
    memset(rep, 0, sizeof *rep);
    st = sync_run(f->node.cat, remote_names[i], &so, rep, &err);
    if (st != FG_OK && st != FG_EREFUSED)
        fail_msg("sync %s: %s", remote_names[i], err.msg);
    return st;
}

/* Remote `i`'s object in sync_status (new). */
static json_t *status_of(fixture *f, int i)
{
    json_t *all = NULL, *r, *out = NULL;
    size_t k;
    fg_error err;
    assert_int_equal(sync_status(f->node.cat, &all, &err), FG_OK);
    json_array_foreach(all, k, r) {
        if (strcmp(json_string_value(json_object_get(r, "name")), remote_names[i]) == 0)
            out = json_incref(r);
    }
    json_decref(all);
    assert_non_null(out);
    return out;
}

/* Remote `i`'s pending count, or -1 while it is null (org not known). */
static json_int_t pending(fixture *f, int i)
{
    json_t *s = status_of(f, i);
    json_t *p = json_object_get(s, "pending");
    json_int_t n = json_is_null(p) ? -1 : json_integer_value(p);
    assert_true(json_is_null(p) || json_is_integer(p));
    json_decref(s);
    return n;
}

static size_t refused_count(fixture *f, int i)
{
    json_t *s = status_of(f, i);
    size_t n = json_array_size(json_object_get(s, "refused"));
    json_decref(s);
    return n;
}

/* Imports RTF's offering `id` as a local edit (no rev) with `title`. */
static void edit_title(cat_catalog *cat, const rt_runtime *rt, const char *id,
                       const char *title)
{
    json_t *o = NULL, *arr;
    fg_error err;
    if (cat_offering_get(cat, id, &o, &err) != FG_OK)
        fail_msg("cat_offering_get %s: %s", id, err.msg);
    json_object_del(o, "rev");
    json_object_del(o, "updated_at");
    json_object_del(o, "withdrawn_at");
    json_object_set_new(o, "title", json_string(title));
    arr = json_pack("[o]", o);
    tu_import(cat, rt, arr);
    json_decref(arr);
}

static void test_pending_agreed_refused_per_remote(void **state)
{
    fixture *f = *state;
    const json_int_t own = tu_sql_int(f->node.cat,
                                      "SELECT count(*) FROM offering WHERE provider_ods = 'RTF'");
    char id[128];
    sync_report rep;
    json_t *s, *refused;
    cat_catalog *hubcat;
    int64_t node_rev;
    fg_error err;

    assert_true(own >= 2);
    {
        /* The first of RTF's offerings, the one edited below. */
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_prepare_v2(cat_db(f->node.cat),
                                            "SELECT id FROM offering WHERE provider_ods = 'RTF'"
                                            " ORDER BY id LIMIT 1",
                                            -1, &st, NULL),
                         SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        snprintf(id, sizeof id, "%s", (const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
    }

    /* Before the first sync the node does not know its organisation on
       either hub, so nothing can be counted as pending. */
    for (int i = 0; i < 2; i++) {
        s = status_of(f, i);
        assert_true(json_is_null(json_object_get(s, "org")));
        assert_true(json_is_null(json_object_get(s, "pending")));
        assert_true(json_is_null(json_object_get(s, "last_success")));
        json_decref(s);
    }

    /* First sync with hub one: it pushes every offering RTF provides (the
       hub, loading the same built-in plugins, already has them unchanged)
       and agrees on all of them; hub two is still owed everything. */
    assert_int_equal(sync_with(f, 0, &rep), FG_OK);
    assert_int_equal(rep.pushed + rep.unchanged, own);
    assert_int_equal(rep.refused, 0);
    s = status_of(f, 0);
    assert_string_equal(json_string_value(json_object_get(s, "org")), "RTF");
    assert_true(fg_valid_timestamp(json_string_value(json_object_get(s, "last_success"))));
    assert_true(json_is_null(json_object_get(s, "last_error")));
    assert_non_null(json_string_value(json_object_get(s, "cursor")));
    json_decref(s);
    assert_int_equal(pending(f, 0), 0);
    assert_int_equal(pending(f, 1), -1);

    /* A second sync with nothing new pushes nothing. */
    assert_int_equal(sync_with(f, 0, &rep), FG_OK);
    assert_int_equal(rep.pushed, 0);
    assert_int_equal(sync_with(f, 1, &rep), FG_OK);
    assert_int_equal(rep.pushed + rep.unchanged, own);
    assert_int_equal(pending(f, 0), 0);
    assert_int_equal(pending(f, 1), 0);

    /* A local edit is owed to both hubs; pushing it to one leaves it
       pending for the other. */
    edit_title(f->node.cat, f->node.rt, id, "Edited once");
    assert_int_equal(pending(f, 0), 1);
    assert_int_equal(pending(f, 1), 1);
    assert_int_equal(sync_with(f, 0, &rep), FG_OK);
    assert_int_equal(rep.pushed, 1);
    assert_int_equal(pending(f, 0), 0);
    assert_int_equal(pending(f, 1), 1);
    assert_int_equal(sync_with(f, 1, &rep), FG_OK);
    assert_int_equal(pending(f, 1), 0);

    /* Hub two's operator stores a much newer rev of that offering behind
       the node's back; the node's next edit is older there: refused
       (conflict) by hub two only, with its reason, and not pushed again. */
    hubcat = tu_open_catalog(f->node.dir, "hub-two.db");
    {
        json_t *o = NULL, *arr;
        assert_int_equal(cat_offering_get(hubcat, id, &o, &err), FG_OK);
        json_object_set_new(o, "rev", json_integer(50));
        json_object_set_new(o, "title", json_string("The hub's own version"));
        json_object_del(o, "updated_at");
        arr = json_pack("[o]", o);
        tu_import(hubcat, f->node.rt, arr);
        json_decref(arr);
    }
    cat_close(hubcat);
    edit_title(f->node.cat, f->node.rt, id, "Edited twice");
    node_rev = tu_sql_int(f->node.cat, "SELECT max(rev) FROM offering WHERE provider_ods = 'RTF'"
                                       " AND title = 'Edited twice'");
    assert_int_equal(pending(f, 1), 1);
    assert_int_equal(sync_with(f, 1, &rep), FG_EREFUSED);
    assert_int_equal(rep.refused, 1);
    assert_int_equal(rep.pushed, 0);
    s = status_of(f, 1);
    refused = json_object_get(s, "refused");
    assert_int_equal(json_array_size(refused), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(refused, 0), "kind")),
                        "offering");
    assert_string_equal(json_string_value(json_object_get(json_array_get(refused, 0), "id")), id);
    assert_string_equal(json_string_value(json_object_get(json_array_get(refused, 0), "status")),
                        "conflict");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(refused, 0), "rev")),
                     node_rev);
    assert_non_null(json_string_value(json_object_get(json_array_get(refused, 0), "reason")));
    json_decref(s);
    assert_int_equal(pending(f, 1), 0);

    /* Hub one has no quarrel with it: still owed, then agreed. */
    assert_int_equal(refused_count(f, 0), 0);
    assert_int_equal(pending(f, 0), 1);
    assert_int_equal(sync_with(f, 0, &rep), FG_OK);
    assert_int_equal(rep.pushed, 1);
    assert_int_equal(pending(f, 0), 0);

    /* A later sync with hub two is not failed by the old refusal and does
       not push the refused item again. */
    assert_int_equal(sync_with(f, 1, &rep), FG_OK);
    assert_int_equal(rep.pushed, 0);
    assert_int_equal(rep.refused, 0);
    assert_int_equal(refused_count(f, 1), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pending_agreed_refused_per_remote, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
