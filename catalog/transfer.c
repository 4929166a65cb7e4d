/*
 * Bulk import and export of offerings as JSON arrays (the shape of SPEC §4,
 * one object per offering).  Import is all-or-nothing.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"

#define MAX_IMPORT_RECORDS 2000000

/*
 * An import in progress, in two passes: first every record is checked
 * (SPEC §4, its area's plugin, no id twice) with no transaction open, so
 * that a plugin that hangs or crashes holds no lock on the catalogue;
 * then, when all passed, the records are stored in one write transaction
 * in bulk mode, which calls no plugin.  Any failure in the second pass
 * rolls the whole transaction back: all or nothing.
 */
typedef struct importer {
    cat_catalog *cat;
    const rt_runtime *rt;
    const char *source;
    cat_import_report *rep;
    json_t *seen; /* ids so far, as object keys (checking pass) */
    size_t count;
} importer;

static fg_status import_begin(importer *im, fg_error *err)
{
    fg_status st;
    im->count = 0;
    if ((st = cat_begin(im->cat, err)) != FG_OK)
        return st;
    if ((st = cat_bulk_begin(im->cat, err)) != FG_OK) {
        cat_rollback(im->cat);
        return st;
    }
    return FG_OK;
}

/* Commits when everything went in (st is FG_OK), rolls back otherwise. */
static fg_status import_end(importer *im, fg_status st, fg_error *err)
{
    if (st == FG_OK)
        st = cat_bulk_end(im->cat, err);
    if (st == FG_OK)
        st = cat_commit(im->cat, err);
    if (st != FG_OK) {
        cat_rollback(im->cat);
        memset(im->rep, 0, sizeof *im->rep);
    }
    return st;
}

/* Names record `n` in messages, by its id when that is printable: a
   message is one line, and an id with a control character is refused
   anyway. */
static void record_where(char *where, size_t size, const char *source, size_t n,
                         const json_t *record)
{
    const char *id = json_string_value(json_object_get(record, "id"));
    if (id && fg_has_control(id, false))
        id = NULL;
    snprintf(where, size, "%s: record %zu%s%.80s%s", source, n, id ? " (" : "", id ? id : "",
             id ? ")" : "");
}

/* The checking pass for the next record, `p` (as cat_offering_prepare
   left it, messages prefixed with `where`): its own checks, its area's
   plugin, the ids so far.  Writes nothing. */
static fg_status import_check(importer *im, const char *where, const cat_prepared *p,
                              fg_error *err)
{
    const char *id;
    fg_status st;

    im->count++;
    if (p->status != FG_OK) {
        if (err)
            *err = p->err;
        return p->status;
    }
    if ((st = cat_offering_check_area(im->rt, p->content, where, err)) != FG_OK)
        return st;
    id = json_string_value(json_object_get(p->content, "id"));
    if (json_object_get(im->seen, id))
        return fg_fail(err, FG_EINVAL, "%s: the file holds id %s more than once", where, id);
    json_object_set_new(im->seen, id, json_true());
    return FG_OK;
}

/* The writing pass for the next record, checked before, in the open
   transaction. */
static fg_status import_write(importer *im, const char *where, const cat_prepared *p,
                              fg_error *err)
{
    cat_put_result res;
    fg_status st;

    (void)where;
    im->count++;
    if (p->status != FG_OK) { /* not after a checking pass */
        if (err)
            *err = p->err;
        return p->status;
    }
    st = cat_offering_put_prepared(im->cat, p, "import", &res, err);
    if (st == FG_ECONFLICT) {
        char msg[FG_ERROR_MSG_SIZE];
        snprintf(msg, sizeof msg, "%s", err ? err->msg : "");
        fg_fail(err, st, "%s: record %zu: %s", im->source, im->count, msg);
    }
    if (st == FG_OK) {
        if (res == CAT_PUT_ADDED)
            im->rep->added++;
        else if (res == CAT_PUT_CHANGED)
            im->rep->changed++;
        else
            im->rep->unchanged++;
    }
    return st;
}

static fg_status too_many(const char *source, fg_error *err)
{
    return fg_fail(err, FG_EINVAL, "%s: more than %d records", source, MAX_IMPORT_RECORDS);
}

fg_status cat_import_records(cat_catalog *cat, const rt_runtime *rt, const json_t *array,
                             const json_t *wheres, const char *source,
                             cat_import_report *rep, fg_error *err)
{
    importer im = {.cat = cat, .rt = rt, .source = source, .rep = rep};
    const json_t *record;
    cat_prepared *prepared;
    size_t i, n;
    fg_status st = FG_OK;

    memset(rep, 0, sizeof *rep);
    if (!json_is_array(array))
        return fg_fail(err, FG_EINVAL, "%s: expected a JSON array of offerings", source);
    if (json_array_size(array) > MAX_IMPORT_RECORDS)
        return too_many(source, err);
    n = json_array_size(array);
    prepared = fg_xcalloc(n ? n : 1, sizeof *prepared);
    /* Checked first, with no transaction open (the plugins run here)... */
    im.seen = json_object();
    json_array_foreach(array, i, record) {
        char where[160];
        const char *given = json_string_value(json_array_get(wheres, i));
        if (given)
            snprintf(where, sizeof where, "%s", given);
        else
            record_where(where, sizeof where, source, i + 1, record);
        cat_offering_prepare(record, where, &prepared[i]);
        if ((st = import_check(&im, where, &prepared[i], err)) != FG_OK)
            break;
    }
    json_decref(im.seen);
    /* ...then written. */
    if (st == FG_OK && (st = import_begin(&im, err)) == FG_OK) {
        for (i = 0; i < n && st == FG_OK; i++)
            st = import_write(&im, "", &prepared[i], err);
        st = import_end(&im, st, err);
    }
    for (i = 0; i < n; i++)
        cat_prepared_clear(&prepared[i]);
    free(prepared);
    if (st != FG_OK)
        memset(rep, 0, sizeof *rep);
    return st;
}

fg_status cat_import(cat_catalog *cat, const rt_runtime *rt, const json_t *array,
                     const char *source, cat_import_report *rep, fg_error *err)
{
    return cat_import_records(cat, rt, array, NULL, source, rep, err);
}

static size_t skip_space(const char *text, size_t len, size_t pos)
{
    while (pos < len && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\n' ||
                         text[pos] == '\r'))
        pos++;
    return pos;
}

/* Fails with the line and column of byte `pos` of the input. */
static fg_status syntax_error(const char *source, const char *text, size_t pos,
                              const char *what, fg_error *err)
{
    size_t line = 1, column = 1;
    for (size_t i = 0; i < pos; i++) {
        if (text[i] == '\n') {
            line++;
            column = 1;
        } else {
            column++;
        }
    }
    fg_fail(err, FG_EINVAL, "%s: line %zu, column %zu: %s", source, line, column, what);
    cat_error_printable(err);
    return FG_EINVAL;
}

void cat_error_printable(fg_error *err)
{
    if (!err)
        return;
    fg_utf8_scrub(err->msg);
    for (char *p = err->msg; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
}

/*
 * Reading a file runs ahead of using it: a second thread parses the
 * records and prepares them (cat_offering_prepare: checking and canonical
 * JSON, most of the CPU an import spends outside SQLite) in batches, while
 * this one checks each with its area's plugin (the checking pass) or
 * stores it (the writing pass).  At most
 * QUEUE batches wait, so memory stays bounded whatever the file's size.
 */
#define BATCH 256
#define QUEUE 4

typedef struct prepared_batch {
    size_t n;
    char where[BATCH][160];
    cat_prepared items[BATCH];
} prepared_batch;

typedef struct reader {
    const char *text, *source;
    size_t len, pos;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    prepared_batch *queue[QUEUE];
    size_t head, queued;
    bool stop;     /* the writer failed: read no further */
    bool done;     /* the reader has ended, with st and err */
    fg_status st;
    fg_error err;
} reader;

static void batch_free(prepared_batch *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->n; i++)
        cat_prepared_clear(&b->items[i]);
    free(b);
}

/* Queues a batch (waiting for room); false when the writer has stopped. */
static bool reader_push(reader *rd, prepared_batch *b)
{
    bool stop;
    pthread_mutex_lock(&rd->mu);
    while (rd->queued == QUEUE && !rd->stop)
        pthread_cond_wait(&rd->cv, &rd->mu);
    stop = rd->stop;
    if (!stop) {
        rd->queue[(rd->head + rd->queued) % QUEUE] = b;
        rd->queued++;
        pthread_cond_broadcast(&rd->cv);
    }
    pthread_mutex_unlock(&rd->mu);
    if (stop)
        batch_free(b);
    return !stop;
}

/* Queues the batch in hand, if it holds anything; false when the writer
   has stopped (the batch is then dropped). */
static bool flush(reader *rd, prepared_batch **b)
{
    bool ok = true;
    if (*b && (*b)->n)
        ok = reader_push(rd, *b);
    else
        free(*b);
    *b = NULL;
    return ok;
}

/* The records from rd->pos to the array's closing bracket, then the end of
   the input; returns the first problem found, which ends the reading (the
   records before it are queued first).  Stops early, with FG_OK, when the
   writer has stopped. */
static fg_status read_records(reader *rd, fg_error *err)
{
    const char *text = rd->text;
    size_t len = rd->len, pos = rd->pos, count = 0;
    prepared_batch *b = NULL;

    if (pos < len && text[pos] == ']') {
        pos = skip_space(text, len, pos + 1);
        return pos == len ? FG_OK
                          : syntax_error(rd->source, text, pos,
                                         "end of file expected after the array", err);
    }
    for (;;) {
        json_error_t jerr;
        json_t *record;
        if (!b)
            b = fg_xcalloc(1, sizeof *b);
        if (++count > MAX_IMPORT_RECORDS) {
            flush(rd, &b);
            return too_many(rd->source, err);
        }
        /* One record at a time: the parser stops after its closing brace
           and says how far it read.  (Any value is decoded, so that a
           record that is not an object is refused by name; such a record
           stops the import, so the parser reading a byte past a bare
           number does not matter.) */
        record = json_loadb(text + pos, len - pos,
                            JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY | JSON_REJECT_DUPLICATES,
                            &jerr);
        if (!record) {
            size_t at = pos + (size_t)(jerr.position > 0 ? jerr.position : 0);
            flush(rd, &b);
            return syntax_error(rd->source, text, at, jerr.text, err);
        }
        record_where(b->where[b->n], sizeof b->where[0], rd->source, count, record);
        cat_offering_prepare(record, b->where[b->n], &b->items[b->n]);
        b->n++;
        json_decref(record);
        if (b->n == BATCH && !flush(rd, &b))
            return FG_OK;
        pos = skip_space(text, len, pos + (size_t)jerr.position);
        if (pos < len && text[pos] == ',') {
            pos = skip_space(text, len, pos + 1);
            continue;
        }
        if (!flush(rd, &b))
            return FG_OK;
        if (pos < len && text[pos] == ']') {
            pos = skip_space(text, len, pos + 1);
            return pos == len ? FG_OK
                              : syntax_error(rd->source, text, pos,
                                             "end of file expected after the array", err);
        }
        return syntax_error(rd->source, text, pos, "expected ',' or ']' after a record", err);
    }
}

static void *reader_main(void *arg)
{
    reader *rd = arg;
    fg_error err = {0};
    fg_status st = read_records(rd, &err);
    pthread_mutex_lock(&rd->mu);
    rd->st = st;
    rd->err = err;
    rd->done = true;
    pthread_cond_broadcast(&rd->cv);
    pthread_mutex_unlock(&rd->mu);
    return NULL;
}

/* The next batch the reader prepared; NULL when it has ended (its status
   in *st). */
static prepared_batch *reader_take(reader *rd, fg_status *st, fg_error *err)
{
    prepared_batch *b = NULL;
    pthread_mutex_lock(&rd->mu);
    while (rd->queued == 0 && !rd->done)
        pthread_cond_wait(&rd->cv, &rd->mu);
    if (rd->queued) {
        b = rd->queue[rd->head];
        rd->head = (rd->head + 1) % QUEUE;
        rd->queued--;
        pthread_cond_broadcast(&rd->cv);
    } else {
        *st = rd->st;
        if (rd->st != FG_OK && err)
            *err = rd->err;
    }
    pthread_mutex_unlock(&rd->mu);
    return b;
}

/* What one pass over the text does with each record. */
typedef fg_status (*import_step)(importer *im, const char *where, const cat_prepared *p,
                                 fg_error *err);

/* The records the checking pass keeps for the writing pass, at most: a
   larger file is read and prepared again instead, so memory stays bounded
   whatever its size. */
#define KEEP_BATCHES 8

/*
 * One pass over the records of `text` from `start`: the reader thread
 * prepares them, this one hands each to `step`, in file order.  With
 * `kept`, the batches are kept there (up to KEEP_BATCHES; *n_kept says
 * how many, and is KEEP_BATCHES + 1 once some were dropped); otherwise
 * each is freed once done.
 */
static fg_status import_pass(importer *im, const char *text, size_t len, size_t start,
                             import_step step, prepared_batch **kept, size_t *n_kept,
                             fg_error *err)
{
    reader rd = {.text = text, .source = im->source, .len = len, .pos = start};
    prepared_batch *b;
    pthread_t thread;
    fg_status st = FG_OK;

    pthread_mutex_init(&rd.mu, NULL);
    pthread_cond_init(&rd.cv, NULL);
    if (pthread_create(&thread, NULL, reader_main, &rd) != 0) {
        pthread_cond_destroy(&rd.cv);
        pthread_mutex_destroy(&rd.mu);
        return fg_fail(err, FG_ENOMEM, "cannot start a thread");
    }
    while ((b = reader_take(&rd, &st, err))) {
        for (size_t i = 0; i < b->n && st == FG_OK; i++)
            st = step(im, b->where[i], &b->items[i], err);
        if (kept && *n_kept < KEEP_BATCHES) {
            kept[(*n_kept)++] = b;
        } else {
            if (kept && *n_kept == KEEP_BATCHES) {
                /* Too many to keep: the writing pass reads them again. */
                for (size_t i = 0; i < KEEP_BATCHES; i++)
                    batch_free(kept[i]);
                *n_kept = KEEP_BATCHES + 1;
            }
            batch_free(b);
        }
        if (st != FG_OK)
            break;
    }
    /* Stop the reader (when this side failed first) and drop what it
       prepared beyond. */
    pthread_mutex_lock(&rd.mu);
    rd.stop = true;
    pthread_cond_broadcast(&rd.cv);
    pthread_mutex_unlock(&rd.mu);
    pthread_join(thread, NULL);
    while (rd.queued) {
        batch_free(rd.queue[rd.head]);
        rd.head = (rd.head + 1) % QUEUE;
        rd.queued--;
    }
    pthread_cond_destroy(&rd.cv);
    pthread_mutex_destroy(&rd.mu);
    return st;
}

fg_status cat_import_text(cat_catalog *cat, const rt_runtime *rt, const char *text,
                          size_t len, const char *source, cat_import_report *rep,
                          fg_error *err)
{
    importer im = {.cat = cat, .rt = rt, .source = source, .rep = rep};
    size_t pos = skip_space(text, len, 0), start, n_kept = 0;
    prepared_batch *kept[KEEP_BATCHES];
    fg_status st;

    memset(rep, 0, sizeof *rep);
    if (pos < len && text[pos] == '{') /* JSON, but one offering, not a list */
        return fg_fail(err, FG_EINVAL, "%s: expected a JSON array of offerings", source);
    if (pos >= len || text[pos] != '[')
        return syntax_error(source, text, pos, "'[' expected: a JSON array of offerings",
                            err);
    start = skip_space(text, len, pos + 1);
    /* Jansson's hash seed is set once, before a second thread makes
       objects (its documentation asks for this). */
    json_object_seed(0);
    /* Every record checked, the plugins with them, before the catalogue
       is locked for writing... */
    im.seen = json_object();
    st = import_pass(&im, text, len, start, import_check, kept, &n_kept, err);
    json_decref(im.seen);
    im.seen = NULL;
    /* ...then written: from the batches kept, or read again. */
    if (st == FG_OK && (st = import_begin(&im, err)) == FG_OK) {
        if (n_kept <= KEEP_BATCHES) {
            for (size_t k = 0; k < n_kept && st == FG_OK; k++)
                for (size_t i = 0; i < kept[k]->n && st == FG_OK; i++)
                    st = import_write(&im, kept[k]->where[i], &kept[k]->items[i], err);
        } else {
            st = import_pass(&im, text, len, start, import_write, NULL, NULL, err);
        }
        st = import_end(&im, st, err);
    }
    if (n_kept <= KEEP_BATCHES)
        for (size_t k = 0; k < n_kept; k++)
            batch_free(kept[k]);
    if (st != FG_OK)
        memset(rep, 0, sizeof *rep);
    return st;
}

static const char sql_export[] =
    "SELECT " CAT_OFFERING_COLUMNS CAT_OFFERING_FROM " ORDER BY o.id";

fg_status cat_offerings_collect(cat_catalog *cat, sqlite3_stmt *st, const char *what,
                                json_t **out, fg_error *err)
{
    json_t *arr = json_array();
    int rc;
    *out = NULL;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *o = cat_offering_from_stmt(st, 0);
        if (!o) {
            sqlite3_reset(st);
            json_decref(arr);
            return fg_fail(err, FG_EDB, "an offering is stored corrupt");
        }
        json_array_append_new(arr, o);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(arr);
        return cat_db_fail(cat, err, what);
    }
    *out = arr;
    return FG_OK;
}

fg_status cat_export(cat_catalog *cat, json_t **out, fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(cat, sql_export, err);
    *out = NULL;
    if (!st)
        return FG_EDB;
    return cat_offerings_collect(cat, st, "exporting", out, err);
}
