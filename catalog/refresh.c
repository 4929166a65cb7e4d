/*
 * Refresh: running the plugins' registrations and applying them, so the
 * catalogue holds what each plugin provides now and marks withdrawn what a
 * plugin no longer provides.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "log.h"
#include "util.h"

typedef struct apply_ctx {
    cat_catalog *cat;        /* set once the registration is collected */
    const rt_runtime *rt;
    const json_t *overrides; /* the operator's offerings, or NULL */
    json_t *ids;             /* ids registered this time, as object keys */
    json_t *collected;       /* their normalised content, when refreshing */
    char origin[64];
    cat_refresh_report *rep;
} apply_ctx;

/* Validates one registered offering and keeps it for writing.  Called
   back by rt_register for each add_offering, outside any transaction. */
static fg_status collect_one(void *ud, rt_plugin *p, json_t *offering, fg_error *err)
{
    apply_ctx *ctx = ud;
    json_t *content = NULL;
    const char *area;
    fg_status st;

    if ((st = cat_offering_normalize(offering, "", &content, NULL, err)) != FG_OK)
        return st;
    area = json_string_value(json_object_get(content, "area"));
    if (rt_area_owner(ctx->rt, area) != p) {
        st = fg_fail(err, FG_EINVAL, "field area \"%s\" is not an area of plugin %s", area,
                     p->name);
        goto out;
    }
    if ((st = cat_offering_check_area(ctx->rt, content, "", err)) != FG_OK)
        goto out;
    json_object_set_new(ctx->ids, json_string_value(json_object_get(content, "id")),
                        json_true());
    if (ctx->collected)
        json_array_append(ctx->collected, content);
out:
    json_decref(content);
    return st;
}

/* Stores the offerings collect_one kept, in the open transaction. */
static fg_status put_collected(apply_ctx *ctx, fg_error *err)
{
    size_t i;
    json_t *content;
    json_array_foreach(ctx->collected, i, content)
    {
        cat_put_result res;
        fg_status st = cat_offering_put(ctx->cat, content, NULL, ctx->origin, &res, err);
        if (st != FG_OK)
            return st;
        if (res == CAT_PUT_ADDED)
            ctx->rep->added++;
        else if (res == CAT_PUT_CHANGED)
            ctx->rep->changed++;
        else
            ctx->rep->unchanged++;
    }
    return FG_OK;
}

static const char sql_owned_active[] =
    "SELECT " CAT_OFFERING_COLUMNS CAT_OFFERING_FROM
    " WHERE o.origin = ?1 AND o.status = 'active' ORDER BY o.id";

/*
 * Marks withdrawn every active offering that `ctx->origin` wrote before and
 * did not register this time.  A withdrawal is a change of content: the
 * offering gets a new rev and its withdrawal date.
 */
static fg_status withdraw_missing(apply_ctx *ctx, fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(ctx->cat, sql_owned_active, err);
    json_t *gone = json_array(), *item;
    size_t i;
    fg_status rc = FG_OK;
    int step;

    if (!st) {
        json_decref(gone);
        return FG_EDB;
    }
    sqlite3_bind_text(st, 1, ctx->origin, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *full = cat_offering_from_stmt(st, 0);
        if (full && !json_object_get(ctx->ids, json_string_value(json_object_get(full, "id"))))
            json_array_append(gone, full);
        json_decref(full);
    }
    sqlite3_reset(st);
    if (step != SQLITE_DONE) {
        json_decref(gone);
        return cat_db_fail(ctx->cat, err, "listing a plugin's offerings");
    }
    json_array_foreach(gone, i, item) {
        cat_put_result res;
        json_object_del(item, "rev");
        json_object_del(item, "updated_at");
        json_object_set_new(item, "status", json_string("withdrawn"));
        rc = cat_offering_put(ctx->cat, item, NULL, ctx->origin, &res, err);
        if (rc != FG_OK)
            break;
        ctx->rep->withdrawn++;
    }
    json_decref(gone);
    return rc;
}

/*
 * Applies one plugin's registration: collected first, with every plugin
 * callback it takes, then written in one transaction, so that no plugin
 * runs while the catalogue is locked for writing.
 */
static fg_status refresh_plugin(cat_catalog *cat, rt_runtime *rt, rt_plugin *p,
                                const json_t *overrides, cat_refresh_report *rep,
                                fg_error *err)
{
    cat_refresh_report mine = {0};
    apply_ctx ctx = {.rt = rt, .rep = &mine, .overrides = overrides};
    fg_error perr;
    fg_status st;

    snprintf(ctx.origin, sizeof ctx.origin, "plugin:%s", p->name);
    ctx.ids = json_object();
    ctx.collected = json_array();
    st = rt_register(p, ctx.overrides, collect_one, &ctx, &perr);
    if (st != FG_OK) {
        /* The plugin's fault: keep its previous offerings, refuse it, go on. */
        json_decref(ctx.ids);
        json_decref(ctx.collected);
        rt_refuse(p, perr.msg);
        rep->plugins_refused++;
        return FG_OK;
    }
    ctx.cat = cat;
    if ((st = cat_begin(cat, err)) == FG_OK) {
        if ((st = put_collected(&ctx, err)) == FG_OK &&
            (st = withdraw_missing(&ctx, err)) == FG_OK)
            st = cat_commit(cat, err);
        if (st != FG_OK)
            cat_rollback(cat);
    }
    json_decref(ctx.ids);
    json_decref(ctx.collected);
    if (st != FG_OK)
        return st;
    rep->added += mine.added;
    rep->changed += mine.changed;
    rep->unchanged += mine.unchanged;
    rep->withdrawn += mine.withdrawn;
    rep->plugins_ok++;
    return FG_OK;
}

/*
 * Reads the operator's offerings directory when the catalogue names one
 * (*overrides new, or NULL when none is set), and warns about offerings in
 * an area no loaded plugin provides: nothing can check or apply them.
 */
static fg_status read_overrides(cat_catalog *cat, const rt_runtime *rt, json_t **overrides,
                                fg_error *err)
{
    char *dir = NULL;
    const char *id;
    json_t *entry;
    fg_status st;

    *overrides = NULL;
    if ((st = cat_meta_get(cat, CAT_SETTING_OFFERINGS_DIR, &dir, err)) != FG_OK || !dir)
        return st;
    st = rt_read_offerings_dir(dir, overrides, err);
    free(dir);
    if (st != FG_OK)
        return st;
    json_object_foreach(*overrides, id, entry) {
        const char *area =
            json_string_value(json_object_get(json_object_get(entry, "offering"), "area"));
        if (!rt_area_owner(rt, area))
            fg_log(FG_LOG_WARN, "%s: offering '%.100s' is not applied: no loaded plugin "
                   "provides area '%s'",
                   json_string_value(json_object_get(entry, "source")), id, area);
    }
    return FG_OK;
}

fg_status cat_refresh(cat_catalog *cat, rt_runtime *rt, cat_refresh_report *rep,
                      fg_error *err)
{
    json_t *overrides;
    fg_status st;

    memset(rep, 0, sizeof *rep);
    /* Every plugin's worker, with init, before anything is judged: a
       plugin whose init fails is refused and counted like any other. */
    rt_start_all(rt);
    if ((st = read_overrides(cat, rt, &overrides, err)) != FG_OK)
        return st;
    for (size_t i = 0; i < rt_plugin_count(rt); i++) {
        rt_plugin *p = rt_plugin_at(rt, i);
        if (p->state != RT_LOADED) {
            rep->plugins_refused++;
            continue;
        }
        if ((st = refresh_plugin(cat, rt, p, overrides, rep, err)) != FG_OK)
            break;
    }
    json_decref(overrides);
    return st;
}

fg_status cat_seed(cat_catalog *cat, rt_runtime *rt, cat_refresh_report *rep,
                   fg_error *err)
{
    fg_status st = cat_refresh(cat, rt, rep, err);
    char now[FG_TIMESTAMP_SIZE];
    if (st != FG_OK)
        return st;
    fg_now_iso(now);
    return cat_meta_set(cat, "seeded", now, err);
}

/* `err` gets the first problem; every refused offering, with its field,
   is in p->problems (rt_register keeps them), for `plugins check`. */
fg_status cat_check_plugin_offerings(rt_runtime *rt, rt_plugin *p, size_t *n,
                                     json_t **offerings, fg_error *err)
{
    cat_refresh_report mine = {0};
    apply_ctx ctx = {.cat = NULL, .rt = rt, .rep = &mine};
    fg_status st;

    ctx.ids = json_object();
    ctx.collected = offerings ? json_array() : NULL;
    st = rt_register(p, NULL, collect_one, &ctx, err);
    *n = json_object_size(ctx.ids);
    json_decref(ctx.ids);
    if (offerings)
        *offerings = ctx.collected;
    return st;
}
