/*
 * The catalogue library: a SQLite file holding offerings (SPEC §4) with a
 * full-text index, and the operations the CLI and the hub run on it.
 *
 * Nothing here prints.  Every function returns an fg_status and fills an
 * optional fg_error; JSON values are Jansson's, with ownership stated per
 * function ("new": the caller decrefs; "borrowed": valid until the stated
 * point).
 */
#ifndef CAT_CATALOG_H
#define CAT_CATALOG_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "runtime.h"
#include "status.h"

typedef struct cat_catalog cat_catalog;

/* ---- opening (store.c) ---------------------------------------------- */

/*
 * Opens the catalogue at `path`, creating the file and its directory when
 * missing, and brings its schema up to date.  New; close with cat_close().
 */
fg_status cat_open(const char *path, cat_catalog **out, fg_error *err);
void cat_close(cat_catalog *cat);

/* Makes `cat` wait at most `ms` milliseconds for another connection's
   write lock (instead of a minute), noting when it gave up: the next
   cat_take_busy returns true (once), so a server can answer "busy, try
   again" rather than fail. */
void cat_set_busy_limit(cat_catalog *cat, int ms);
bool cat_take_busy(cat_catalog *cat);

/*
 * Backup and restore.  cat_backup writes a consistent copy of the open
 * catalogue (hub or node) to the new file `path` while others may be
 * writing (VACUUM INTO), marked as a backup.  cat_restore replaces the
 * catalogue at `db_path` (made when missing) with the backup: checked
 * whole first, brought up to date, given a new feed epoch (so every node
 * of a hub resynchronises) and, on a node, a full resync with each of its
 * hubs at the next sync; copied in in one transaction.  The backup file
 * is never changed.
 */
fg_status cat_backup(cat_catalog *cat, const char *path, fg_error *err);
fg_status cat_restore(const char *backup, const char *db_path, fg_error *err);

/* Whether the catalogue carries a backup's mark (it was copied back from a
   backup rather than restored with cat_restore); the mark is removed. */
fg_status cat_restored_mark(cat_catalog *cat, bool *restored, fg_error *err);

/* The SQLite handle; borrowed until cat_close. For tests and tools. */
sqlite3 *cat_db(cat_catalog *cat);

/* The schema version this build writes (PRAGMA user_version). */
int cat_schema_version(void);

/* Sets *needs to true until the built-in plugins' offerings have been
   registered once; FG_EDB when the catalogue cannot be read. */
fg_status cat_needs_seed(cat_catalog *cat, bool *needs, fg_error *err);

/* Transactions.  cat_begin takes the write lock at once (BEGIN IMMEDIATE),
   waiting up to the busy timeout for other writers. */
fg_status cat_begin(cat_catalog *cat, fg_error *err);
fg_status cat_commit(cat_catalog *cat, fg_error *err);
void cat_rollback(cat_catalog *cat);

/* ---- offerings (offering.c) ----------------------------------------- */

/* Metadata that travels with an offering but is not its content. */
typedef struct cat_meta {
    int64_t rev;              /* 0 when not given */
    char updated_at[21];      /* "" when not given */
    char withdrawn_at[21];    /* "" when not given */
} cat_meta;

/*
 * Checks `in` against SPEC §4 and builds its canonical content object: the
 * fields in a fixed order, defaults filled in (description "", regions [],
 * tags [], duration_days/capacity null, currency "GBP", status "active",
 * attributes {} with sorted keys).  `where` prefixes every message (e.g.
 * "$[3]" or "offering 'RTF/x'"); the message names the field by its JSON
 * path.  rev, updated_at and withdrawn_at go to `meta` (may be NULL).
 * *out is new.  Does not check the area: see cat_offering_check_area.
 */
fg_status cat_offering_normalize(const json_t *in, const char *where, json_t **out,
                                 cat_meta *meta, fg_error *err);

/*
 * Checks that the offering's area is loaded in `rt` and passes its plugin's
 * validate_offering: FG_EINVAL when it does not, FG_EPLUGIN when the plugin
 * failed (crashed, overran its time limit).  `content` is borrowed.
 */
fg_status cat_offering_check_area(const rt_runtime *rt, json_t *content,
                                  const char *where, fg_error *err);

/* How a write changed the catalogue. */
typedef enum cat_put_result {
    CAT_PUT_ADDED,
    CAT_PUT_CHANGED,
    CAT_PUT_UNCHANGED
} cat_put_result;

/*
 * Stores a normalized offering inside the caller's transaction.
 * With meta->rev == 0 (a local write) the content is compared with what is
 * stored: equal content changes nothing; new content gets rev 1 and changed
 * content the next rev.  With meta->rev > 0 (from import or sync) the given
 * rev is kept: a new id is added, a higher rev replaces, an equal rev with
 * equal content changes nothing, anything else is FG_ECONFLICT.  `origin`
 * records who wrote it ("plugin:NAME", "import", "sync:REMOTE").
 */
fg_status cat_offering_put(cat_catalog *cat, json_t *content, const cat_meta *meta,
                           const char *origin, cat_put_result *result,
                           fg_error *err);

/*
 * An offering normalized and in canonical JSON text, ready to store: the
 * CPU work of cat_offering_put done beforehand.  Preparing touches no
 * catalogue, so it may run on another thread (sync prepares a page while
 * the one before it is written).
 */
typedef struct cat_prepared {
    fg_status status; /* of normalizing; FG_OK: content and dump are set */
    fg_error err;     /* why not, otherwise */
    json_t *content;  /* owned */
    char *dump;       /* owned: content as compact JSON */
    cat_meta meta;
} cat_prepared;

/* Fills *out from `in` as cat_offering_normalize does (`where` prefixes
   messages); returns out->status.  Release with cat_prepared_clear. */
fg_status cat_offering_prepare(const json_t *in, const char *where, cat_prepared *out);
void cat_prepared_clear(cat_prepared *p);

/* cat_offering_put of a prepared offering (p->status FG_OK); `p` is
   borrowed. */
fg_status cat_offering_put_prepared(cat_catalog *cat, const cat_prepared *p,
                                    const char *origin, cat_put_result *result,
                                    fg_error *err);

/*
 * Bulk writing of offerings inside the caller's write transaction: between
 * cat_bulk_begin and cat_bulk_end, offerings added with cat_offering_put
 * are indexed for search and join the change feed all at once in
 * cat_bulk_end (much faster than row by row).  Call cat_bulk_end before
 * committing; on rollback nothing is left over.  Changed offerings are
 * re-indexed as usual.  An offering added in a bulk write may not be
 * changed or deleted in the same one (cat_offering_put refuses with
 * FG_EINTERNAL).
 */
fg_status cat_bulk_begin(cat_catalog *cat, fg_error *err);
fg_status cat_bulk_end(cat_catalog *cat, fg_error *err);

/*
 * The offering `id` in its full JSON form (content plus rev, updated_at and,
 * when withdrawn, withdrawn_at).  New.  FG_ENOTFOUND when absent.
 */
fg_status cat_offering_get(cat_catalog *cat, const char *id, json_t **out,
                           fg_error *err);

/* ---- refresh (refresh.c) -------------------------------------------- */

typedef struct cat_refresh_report {
    size_t added, changed, unchanged, withdrawn;
    size_t plugins_ok, plugins_refused;
} cat_refresh_report;

/*
 * Runs every loaded plugin's registration and applies it, each plugin in
 * its own transaction, written only once the registration is collected (no
 * plugin runs while the catalogue is locked): its offerings are added or
 * updated, and offerings it
 * registered before but no longer does become withdrawn.  A plugin whose
 * registration fails is marked refused in `rt` (its previous offerings stay
 * as they were) and counted in plugins_refused; the others carry on.
 * Returns FG_OK unless the catalogue itself fails.
 */
fg_status cat_refresh(cat_catalog *cat, rt_runtime *rt, cat_refresh_report *rep,
                      fg_error *err);

/* Runs cat_refresh once on a new catalogue and records that it did. */
fg_status cat_seed(cat_catalog *cat, rt_runtime *rt, cat_refresh_report *rep,
                   fg_error *err);

/*
 * Validates every offering `p` registers without touching any catalogue
 * (`fgcat plugins check`).  FG_OK with the count in *n, or FG_EREFUSED
 * with the first problem in `err`; every problem is also added to
 * p->problems.  With `offerings`, *offerings gets the valid ones (new
 * array of their normalised JSON).
 */
fg_status cat_check_plugin_offerings(rt_runtime *rt, rt_plugin *p, size_t *n,
                                     json_t **offerings, fg_error *err);

/* ---- search (search.c) ---------------------------------------------- */

/* The order of search results. */
typedef enum cat_sort {
    CAT_SORT_RELEVANCE, /* best match first with text, else by title */
    CAT_SORT_PRICE,     /* unit price, lowest first */
    CAT_SORT_TITLE      /* title, A to Z */
} cat_sort;

/* "relevance", "price" or "title" → sort; false for anything else. */
bool cat_sort_parse(const char *name, cat_sort *out);

typedef struct cat_query {
    const char *text;     /* user text, or NULL to browse */
    const char *area, *provider, *delivery, *region, *tag; /* NULL = any */
    int64_t max_price_pence; /* < 0 = any */
    int64_t limit, offset;
    bool include_withdrawn;
    bool facets;
    cat_sort sort;
} cat_query;

/*
 * Turns user text into a safe FTS5 query: each word becomes a quoted
 * phrase (quotes doubled), a trailing '*' keeps prefix search, and words
 * are ANDed.  Operators and punctuation lose their meaning, so no input can
 * break the query.  *out is new (free()); FG_EINVAL when the text holds no
 * searchable word.
 */
fg_status cat_fts_query(const char *text, char **out, fg_error *err);

/*
 * Runs a search.  *results is a new array of offerings (ranked by bm25
 * when there is text, by title otherwise).  With q->facets, *facets is a
 * new object {"area": {...}, "provider": {...}, "delivery": {...},
 * "tag": {...}} of counts over every match; otherwise NULL.
 */
fg_status cat_search(cat_catalog *cat, const cat_query *q, json_t **results,
                     json_t **facets, fg_error *err);

/* Area name → offering counts {"active": n, "withdrawn": m}; new object. */
fg_status cat_area_counts(cat_catalog *cat, json_t **out, fg_error *err);

/* ---- import and export (transfer.c) --------------------------------- */

typedef struct cat_import_report {
    size_t added, changed, unchanged;
} cat_import_report;

/*
 * Imports a JSON array of offerings (the shape export writes) in one
 * transaction: any bad record, area or rev conflict rolls everything back,
 * naming the record by index and id.  Every record is checked, by its
 * area's plugin too, before the transaction opens: no plugin runs while it
 * is open.  `source` names the input in messages.
 */
fg_status cat_import(cat_catalog *cat, const rt_runtime *rt, const json_t *array,
                     const char *source, cat_import_report *rep, fg_error *err);

/*
 * The same from JSON text (`len` bytes at `text`), parsed one record at a
 * time, so that a large file is never held as one JSON tree.  A syntax
 * error is FG_EINVAL naming the line and column.
 */
fg_status cat_import_text(cat_catalog *cat, const rt_runtime *rt, const char *text,
                          size_t len, const char *source, cat_import_report *rep,
                          fg_error *err);

/* Every offering, withdrawn ones too, ordered by id, as one new array. */
fg_status cat_export(cat_catalog *cat, json_t **out, fg_error *err);

/*
 * The same from an array already decoded, each record named in messages by
 * the string at the same index of `wheres` ("file.csv: line 3"); NULL
 * wheres, or a missing one, name records by index and id.
 */
fg_status cat_import_records(cat_catalog *cat, const rt_runtime *rt, const json_t *array,
                             const json_t *wheres, const char *source,
                             cat_import_report *rep, fg_error *err);

/* ---- CSV (csv.c) ----------------------------------------------------- */

/*
 * Writes offerings (an array as cat_export gives) or requests (as
 * cat_request_list gives) to `out` as RFC 4180 CSV: the header row of
 * docs/csv.md, then one row each, CRLF line ends, UTF-8 (with a byte-order
 * mark first when `bom`: Excel needs it).  Money is in pounds, lists are
 * joined with ';', and text a spreadsheet would run as a formula gets a
 * leading apostrophe.  FG_EIO when writing fails.
 */
fg_status cat_csv_offerings(FILE *out, const json_t *offerings, bool bom, fg_error *err);
fg_status cat_csv_requests(FILE *out, const json_t *requests, bool bom, fg_error *err);

/* True when `text` is not JSON by its look: its first character (after an
   optional byte-order mark and white space) is neither '[' nor '{'. */
bool cat_csv_is_offerings(const char *text, size_t len);

/*
 * Imports offerings from CSV text as cat_csv_offerings writes it (the
 * header's columns in any order; optional ones may be left out): all or
 * nothing, like cat_import.  Errors name the line and the column.
 */
fg_status cat_import_csv(cat_catalog *cat, const rt_runtime *rt, const char *text,
                         size_t len, const char *source, cat_import_report *rep,
                         fg_error *err);

/* ---- FHIR R4 (fhir.c, fhir_search.c) ---------------------------------- */

/* The systems and extensions of docs/fhir.md. */
#define CAT_FHIR_BASE "https://fgcat.example.org/fhir"
#define CAT_FHIR_ODS_SYSTEM "https://fhir.nhs.uk/Id/ods-organization-code"
#define CAT_FHIR_OFFERING_SYSTEM CAT_FHIR_BASE "/Id/offering"
#define CAT_FHIR_REQUEST_SYSTEM CAT_FHIR_BASE "/Id/request"
#define CAT_FHIR_ID_SIZE 65 /* a resource id: 1-64 of [A-Za-z0-9.-] + NUL */

/* The HealthcareService id of offering `offering_id` ("RTF/slug" ->
   "RTF.slug", shortened with a hash when longer than 64). */
void cat_fhir_id(const char *offering_id, char out[CAT_FHIR_ID_SIZE]);

/* An Organization for ODS code `ods`, named `name` (may be NULL).  New. */
json_t *cat_fhir_organization(const char *ods, const char *name);

/* The HealthcareService of an offering (as cat_export gives it).  New. */
json_t *cat_fhir_service(const json_t *offering);

/* The ServiceRequest of a request (as cat_request_get gives it).  New. */
json_t *cat_fhir_service_request(const json_t *request);

/*
 * A Bundle of type `type` ("collection", "searchset") holding one
 * Organization per provider, one HealthcareService per offering and, when
 * `requests` is not NULL, one ServiceRequest per request (with an
 * Organization for each requester).  `base` (may be NULL) gives each entry
 * a fullUrl under it.  New.
 */
json_t *cat_fhir_bundle(const char *type, const json_t *offerings, const json_t *requests,
                        const char *base);

/*
 * Imports the HealthcareService resources of a FHIR R4 Bundle (JSON text)
 * as offerings, all or nothing like cat_import; Organization entries give
 * the providers' names, other resources are skipped.  Errors name the
 * entry.
 */
fg_status cat_import_fhir(cat_catalog *cat, const rt_runtime *rt, const char *text,
                          size_t len, const char *source, cat_import_report *rep,
                          fg_error *err);

/* True when `text` is a JSON object whose resourceType is "Bundle" (it is
   parsed to tell, when it starts with '{'). */
bool cat_fhir_is_bundle(const char *text, size_t len);

/* What a FHIR search of HealthcareService asks for; NULL/empty = any. */
typedef struct cat_fhir_query {
    const char *offering_id;   /* from _id or identifier */
    const char *provider;      /* ODS code, from organization */
    int active;                /* 1 active, 0 withdrawn, -1 any */
    const char *updated_after; /* _lastUpdated=gt (a time stamp), or NULL */
    const char *updated_from;  /* _lastUpdated=ge */
    const char *updated_before; /* _lastUpdated=lt */
    int64_t count, offset;
} cat_fhir_query;

/* The matching offerings ordered by id (a new array) and how many match
   in all. */
fg_status cat_fhir_search(cat_catalog *cat, const cat_fhir_query *q, json_t **offerings,
                          int64_t *total, fg_error *err);

/* The offering id (at most `size` bytes) of HealthcareService id `fid`;
   FG_ENOTFOUND when no offering has it. */
fg_status cat_fhir_offering_id(cat_catalog *cat, const char *fid, char *out, size_t size,
                               fg_error *err);

/* The name a provider's offerings give it; FG_ENOTFOUND when it has none.
   *name is new (free()). */
fg_status cat_provider_name(cat_catalog *cat, const char *ods, char **name, fg_error *err);

/* ---- requests (request.c) ------------------------------------------ */

/* What a member trust asks for (SPEC §5).  Strings are borrowed. */
typedef struct cat_request_in {
    const char *offering_id;
    const char *requester_ods;
    int64_t quantity;
    const char *start;   /* "YYYY-MM-DD" or NULL */
    const char *contact; /* e-mail or NULL */
    const char *note;    /* or NULL */
    const char *person;  /* who asks (an e-mail address), or NULL */
} cat_request_in;

/*
 * Validates a request, has the offering's area plugin check and quote it,
 * and stores it as "submitted" with its first history entry.  FG_EINVAL
 * for malformed input, FG_ENOTFOUND for an unknown offering, FG_EREFUSED
 * for a withdrawn offering or the plugin's refusal (its message verbatim
 * after "refused by the AREA plugin: ").  *out is the new request, new.
 */
fg_status cat_request_create(cat_catalog *cat, const rt_runtime *rt,
                             const cat_request_in *in, json_t **out, fg_error *err);

/* What the area plugin would charge for a request. */
typedef struct cat_quote {
    int64_t amount_pence;
    char currency[4]; /* ISO 4217, e.g. "GBP" */
} cat_quote;

/*
 * Runs every check cat_request_create runs and the area plugin's quote,
 * storing nothing: the price a request would carry, with the same errors.
 */
fg_status cat_request_quote(cat_catalog *cat, const rt_runtime *rt, const cat_request_in *in,
                            cat_quote *quote, fg_error *err);

/* The request `id` as SPEC §5 shows it, with its history.  New. */
fg_status cat_request_get(cat_catalog *cat, const char *id, json_t **out, fg_error *err);

/* Filters for cat_request_list; NULL means any. */
typedef struct cat_request_filter {
    const char *org;         /* requests made by or addressed to this ODS */
    const char *status;
    const char *offering_id;
} cat_request_filter;

/* Matching requests, newest first, as a new array. */
fg_status cat_request_list(cat_catalog *cat, const cat_request_filter *f, json_t **out,
                           fg_error *err);

/* A transition of the life cycle, and who may make it. */
typedef enum cat_action {
    CAT_ACCEPT,   /* provider: submitted -> accepted (within capacity) */
    CAT_DECLINE,  /* provider: submitted -> declined */
    CAT_COMPLETE, /* provider: accepted -> completed */
    CAT_CANCEL    /* requester: submitted | accepted -> cancelled */
} cat_action;

/* "accept", "decline", ... → action; false for anything else. */
bool cat_action_parse(const char *name, cat_action *out);

/*
 * Applies `action` to request `id` on behalf of organisation `org`, in one
 * write transaction, so that capacity holds when many processes accept at
 * once.  FG_EPERM when `org` may not make this move, FG_EREFUSED when the
 * life cycle or the offering's capacity forbids it (the message says what
 * is allowed from the current state).  The move is appended to the
 * history with time, organisation, `person` (an e-mail address, or NULL;
 * checked by cat_person_may) and `reason` (may be NULL).  *out is the
 * updated request, new (may be NULL).
 */
fg_status cat_request_transition(cat_catalog *cat, const char *id, cat_action action,
                                 const char *org, const char *person, const char *reason,
                                 json_t **out, fg_error *err);

/* ---- the change feed (feed.c) --------------------------------------- */

#define CAT_EPOCH_SIZE 33 /* up to 32 hex digits + NUL */

/* The feed's epoch (hex) and its latest sequence number. */
fg_status cat_feed_epoch(cat_catalog *cat, char epoch[CAT_EPOCH_SIZE], fg_error *err);
fg_status cat_feed_seq(cat_catalog *cat, int64_t *seq, fg_error *err);

/* Gives the feed a new random epoch (a hub restored from a backup). */
fg_status cat_feed_new_epoch(cat_catalog *cat, fg_error *err);

/* The highest sequence whose tombstone was purged (0 when none). */
fg_status cat_feed_horizon(cat_catalog *cat, int64_t *seq, fg_error *err);

/* Splits a cursor "EPOCH:SEQ"; false when malformed. */
bool cat_cursor_parse(const char *cursor, char epoch[CAT_EPOCH_SIZE], int64_t *seq);

/*
 * Reads up to `limit` changes after sequence `after`, as organisation
 * `viewer` may see them (NULL: everything), and writes them to `out` as the
 * JSON text of an array: objects {"seq", "kind", "id", "record"} or
 * tombstones {"seq", "kind", "id", "deleted": true, "deleted_at"}.  *next
 * is the cursor sequence to continue from (the feed's end when *more is
 * false).  On failure `out` may hold part of a page.
 */
fg_status cat_feed_page(cat_catalog *cat, int64_t after, int64_t limit, const char *viewer,
                        FILE *out, int64_t *next, bool *more, fg_error *err);

/* Drops tombstones deleted before `before` (a UTC time stamp) and moves the
   horizon past them. */
fg_status cat_feed_purge(cat_catalog *cat, const char *before, size_t *purged,
                         fg_error *err);

/* Deletes offering `id` inside the caller's transaction, leaving a tombstone
   in the feed; *deleted says whether it existed. */
fg_status cat_offering_delete_locked(cat_catalog *cat, const char *id, bool *deleted,
                                     fg_error *err);

/* ---- push, the hub's side (push.c) ----------------------------------- */

/*
 * Applies a pushed batch {"items": [...]} for organisation `org` (from its
 * token), each item in its own transaction, and returns {"results": [...]}
 * with one {"kind", "id", "status", "rev"[, "reason"]} per item
 * (docs/sync-protocol.md).  `rt` (may be NULL) supplies area plugins for
 * validation.  Fails only for a malformed batch (FG_EINVAL) or when the
 * catalogue itself fails.
 */
fg_status cat_push_apply(cat_catalog *cat, const rt_runtime *rt, const char *org,
                         const json_t *body, json_t **results, fg_error *err);

/*
 * The same in two steps, so that no plugin runs while the caller holds a
 * lock or a write transaction: cat_push_check runs every check of the
 * batch that needs an area's plugin (validation of offerings, the quote of
 * new requests) and writes nothing; *checks (new) is then handed to
 * cat_push_apply_checked, which applies the batch calling no plugin.  An
 * item whose plugin failed on the hub is answered "unavailable".
 */
fg_status cat_push_check(cat_catalog *cat, const rt_runtime *rt, const char *org,
                         const json_t *body, json_t **checks, fg_error *err);
fg_status cat_push_apply_checked(cat_catalog *cat, const rt_runtime *rt, const char *org,
                                 const json_t *body, const json_t *checks, json_t **results,
                                 fg_error *err);

/* Stored answers of pushes by (organisation, Idempotency-Key), kept a day. */
fg_status cat_idempotent_get(cat_catalog *cat, const char *org, const char *key,
                             json_t **response, fg_error *err);
fg_status cat_idempotent_put(cat_catalog *cat, const char *org, const char *key,
                             const json_t *response, fg_error *err);
fg_status cat_idempotent_purge(cat_catalog *cat, fg_error *err);

/* Deletes offering `id` in its own transaction (see above). */
fg_status cat_offering_delete(cat_catalog *cat, const char *id, bool *deleted,
                              fg_error *err);

/* ---- hub tokens (token.c) -------------------------------------------- */

#define CAT_TOKEN_SIZE 69 /* "fgc_" + 64 hex digits + NUL */

/* Issues a token for organisation `ods`: stores its SHA-256 only and
   writes the token itself to `token` (shown once).  It stops working
   `lifetime` seconds from now, or never when `lifetime` is 0. */
fg_status cat_token_create(cat_catalog *cat, const char *ods, int64_t lifetime,
                           char token[CAT_TOKEN_SIZE], fg_error *err);

/* Replaces the valid tokens of organisation `which`, or the one whose id
   starts with `which`, by one new token of that organisation (as
   cat_token_create, into `token`; its organisation into `ods`): the old
   ones keep working for `grace` seconds (not longer than they would have),
   so that a node can switch without a failed sync.  One transaction;
   FG_ENOTFOUND when no valid token matched; *rotated counts the old ones. */
fg_status cat_token_rotate(cat_catalog *cat, const char *which, int64_t lifetime,
                           int64_t grace, char token[CAT_TOKEN_SIZE], char ods[8],
                           size_t *rotated, fg_error *err);

/* The tokens issued, as a new array of {"id" (the first 12 hex digits of
   the hash, safe to show), "ods", "created_at", "expires_at", "revoked_at"}
   (the last two null when not set). */
fg_status cat_token_list(cat_catalog *cat, json_t **out, fg_error *err);

/* Revokes every valid token of organisation `which`, or the one whose id
   starts with `which`; FG_ENOTFOUND when none matched. */
fg_status cat_token_revoke(cat_catalog *cat, const char *which, size_t *revoked,
                           fg_error *err);

/* The organisation of a valid token (not revoked, not expired); FG_EPERM
   otherwise, saying which. */
fg_status cat_token_check(cat_catalog *cat, const char *token, char ods[8], fg_error *err);

/* ---- people (people.c) ----------------------------------------------- */

/* What a person may do.  A requester searches, requests and cancels its
   organisation's requests; an approver also accepts, declines and
   completes requests made to its organisation; an admin also manages the
   people of its organisation. */
typedef enum cat_role { CAT_ROLE_REQUESTER, CAT_ROLE_APPROVER, CAT_ROLE_ADMIN } cat_role;

#define CAT_EMAIL_MAX 254      /* bytes of an e-mail address */
#define CAT_PASSWORD_MIN 12    /* characters of a password, at least */
#define CAT_PASSWORD_MAX 128   /* bytes of a password, at most */
#define CAT_SIGNIN_FAILURES 5  /* failed sign-ins in a row before a lock-out */

/* The role named `name` ("requester", "approver", "admin"); false when none. */
bool cat_role_parse(const char *name, cat_role *out);
const char *cat_role_name(cat_role role);

/* Adds person `email` (an address, compared without regard to case) to
   organisation `ods` with `role`, with no password yet.  FG_EINVAL for a
   malformed address or ODS code, FG_ECONFLICT when the address is taken. */
fg_status cat_person_add(cat_catalog *cat, const char *email, const char *ods, cat_role role,
                         fg_error *err);

/* The people (of organisation `ods`, or all when NULL), as a new array of
   {"email", "ods", "role", "created_at", "password_set", "locked_until"}
   ordered by organisation and address.  No password or reset secret. */
fg_status cat_person_list(cat_catalog *cat, const char *ods, json_t **out, fg_error *err);

/* The person `email` as one element of cat_person_list; FG_ENOTFOUND. */
fg_status cat_person_get(cat_catalog *cat, const char *email, json_t **out, fg_error *err);

/*
 * Whether person `email` (NULL: nobody named, always allowed) may act for
 * organisation `org`: a provider's move (accept, decline, complete) when
 * `provider_move`, else a requester's (request, cancel).  A person of this
 * catalogue must belong to `org`, and a requester may make no provider's
 * move (FG_EPERM saying so); an address this catalogue does not know (a
 * node records what it is given) is allowed.  FG_EINVAL for a malformed
 * address.
 */
fg_status cat_person_may(cat_catalog *cat, const char *email, const char *org,
                         bool provider_move, fg_error *err);

/* Removes person `email`; FG_ENOTFOUND when there is none. */
fg_status cat_person_remove(cat_catalog *cat, const char *email, fg_error *err);

/* Gives person `email` role `role`; FG_ENOTFOUND when there is none. */
fg_status cat_person_set_role(cat_catalog *cat, const char *email, cat_role role,
                              fg_error *err);

/* Makes a one-time secret with which person `email` sets a password,
   valid for `lifetime` seconds (into `secret`, shown once; only its
   SHA-256 is stored).  A newer one replaces an older one. */
fg_status cat_person_reset(cat_catalog *cat, const char *email, int64_t lifetime,
                           char secret[CAT_TOKEN_SIZE], fg_error *err);

/* Whether `password` may be a password of `email`: CAT_PASSWORD_MIN to
   CAT_PASSWORD_MAX long, valid UTF-8 without control characters, not one
   of the most common passwords and not the address itself.  FG_EINVAL
   saying which rule it breaks. */
fg_status cat_password_check(const char *email, const char *password, fg_error *err);

/* Sets the password of the person whose reset secret is `secret` (then
   used up), hashed with Argon2id, and clears their failed sign-ins; their
   address into `email`.  FG_EPERM for an unknown, used or expired secret,
   FG_EINVAL for a password cat_password_check refuses.  Ends the
   person's sessions. */
fg_status cat_person_set_password(cat_catalog *cat, const char *secret, const char *password,
                                  char email[CAT_EMAIL_MAX + 1], fg_error *err);

/* Checks `email` and `password`: FG_OK with the person (as
   cat_person_get) in *out; FG_EPERM for a wrong address or password (the
   same message for both, and about the same time); FG_EREFUSED while the
   person is locked out after CAT_SIGNIN_FAILURES failures in a row (for
   15 minutes, doubling with each further failure up to a day). */
fg_status cat_person_sign_in(cat_catalog *cat, const char *email, const char *password,
                             json_t **out, fg_error *err);

/* ---- notifications (notify.c, docs/notifications.md) ----------------- */

/*
 * Queues the e-mails of the latest move of request `id`, inside the
 * caller's write transaction (so a move and its messages commit together):
 * on "submitted" to the approvers and admins of the provider, on
 * "accepted", "declined" and "completed" to the person who submitted it,
 * on "cancelled" to both; only to people of this catalogue, so a
 * catalogue without people queues nothing.  One message per recipient.
 */
fg_status cat_notify_queue_locked(cat_catalog *cat, const char *id, fg_error *err);

/* The messages due at time `now` (UTC ISO), oldest first, at most `limit`,
   as a new array of {"id", "recipient", "subject", "body", "attempts"}. */
fg_status cat_notify_due(cat_catalog *cat, const char *now, int limit, json_t **out,
                         fg_error *err);

/* Records message `id` as sent at `now`. */
fg_status cat_notify_sent(cat_catalog *cat, int64_t id, const char *now, fg_error *err);

/* How the sender retries: the first wait, the longest, and how long after
   its creation a message is given up (seconds). */
typedef struct cat_notify_backoff {
    int64_t first_s, max_s, give_up_s;
} cat_notify_backoff;
#define CAT_NOTIFY_RETRY_MIN 60
#define CAT_NOTIFY_RETRY_MAX 3600
#define CAT_NOTIFY_GIVE_UP ((int64_t)3 * 86400)

/* Records a failed attempt of message `id` at time `now` (seconds since the
   epoch) with `why` (printable, borrowed): due again after first_s doubling
   with each attempt up to max_s, or given up once older than give_up_s. */
fg_status cat_notify_failed(cat_catalog *cat, int64_t id, const char *why, int64_t now,
                            const cat_notify_backoff *b, fg_error *err);

/* The queue as a new object: counts "queued", "failing", "sent",
   "given_up"; "hub_url" (string or null); "problems", the failing and
   given-up messages with id, request, event, recipient, attempts, next_at,
   last_error, created_at and "state". */
fg_status cat_notify_status(cat_catalog *cat, json_t **out, fg_error *err);

/* Makes every failing or given-up message due at `now`; *count says how
   many. */
fg_status cat_notify_retry(cat_catalog *cat, const char *now, int *count, fg_error *err);

/* ---- browser sessions (session.c) ------------------------------------ */

/* Starts a session of person `email` that ends `max_age` seconds from
   now whatever its use; its secret (for the browser's cookie, shown once;
   only its SHA-256 is stored) goes to `secret`. */
fg_status cat_session_create(cat_catalog *cat, const char *email, int64_t max_age,
                             char secret[CAT_TOKEN_SIZE], fg_error *err);

/* The person of session `secret` as {"email", "ods", "role"} (as they are
   now) into *person (new), recording the use; FG_ENOTFOUND for an
   unknown secret or a session past its end or unused for `idle` seconds
   (which is then ended). */
fg_status cat_session_find(cat_catalog *cat, const char *secret, int64_t idle,
                           json_t **person, fg_error *err);

/* Ends session `secret` (an unknown one is not an error). */
fg_status cat_session_end(cat_catalog *cat, const char *secret, fg_error *err);

/* Ends every session of person `email` (a new password, a removal). */
fg_status cat_session_end_person(cat_catalog *cat, const char *email, fg_error *err);

/* Removes the sessions that have ended (past their end, or unused for
   `idle` seconds). */
fg_status cat_session_purge(cat_catalog *cat, int64_t idle, fg_error *err);

/* ---- SQL, for the store's modules and the sync client (store.c) ------ */

/* A statement for `sql` prepared once per catalogue and reset for reuse.
   `sql` must be a static string: it is cached by address, in a table
   that grows as needed (so every statement of the code fits).  Borrowed;
   NULL with FG_EDB in `err` when SQLite refuses it. */
sqlite3_stmt *cat_stmt(cat_catalog *cat, const char *sql, fg_error *err);

/* Records SQLite's last error as FG_EDB with `what` as context. */
fg_status cat_db_fail(cat_catalog *cat, fg_error *err, const char *what);

/*
 * Catalogue setting: the operator's offerings directory, an absolute path.
 * Every "*.json" file in it adds offerings to, or replaces offerings of,
 * the loaded plugins' registrations at each refresh (rt_read_offerings_dir).
 */
#define CAT_SETTING_OFFERINGS_DIR "offerings_dir"

/*
 * Catalogue setting: the address at which people reach this hub's pages
 * ("https://hub.example.nhs.uk", no trailing slash), for the links of
 * password e-mails and notifications.
 */
#define CAT_SETTING_HUB_URL "hub_url"

/* Reads and writes the meta table (key/value). *value is new or NULL. */
fg_status cat_meta_get(cat_catalog *cat, const char *key, char **value, fg_error *err);

/* The node's time limit of one plugin call, in seconds (1 to
   RT_MAX_TIMEOUT_S), kept in the catalogue's settings: FG_ENOTFOUND when
   it is not set (the runtime's default applies). */
#define CAT_SETTING_PLUGIN_TIMEOUT "plugin_timeout"
fg_status cat_plugin_timeout(cat_catalog *cat, int *seconds, fg_error *err);
fg_status cat_set_plugin_timeout(cat_catalog *cat, int seconds, fg_error *err);
fg_status cat_meta_set(cat_catalog *cat, const char *key, const char *value,
                       fg_error *err);

/* ---- records as they travel, for the sync client (offering.c,
   request.c) ----------------------------------------------------------- */

/* The columns cat_offering_from_row needs, in this order, as SQL, and the
   tables they come from: the narrow row `o` and its text `t`. */
#define CAT_OFFERING_COLUMNS "t.content, o.rev, o.status, o.updated_at, o.withdrawn_at"
#define CAT_OFFERING_FROM " FROM offering o JOIN offering_text t ON t.rowid = o.rowid"

/* Reads those five columns starting at `col` of the current row. New. */
json_t *cat_offering_from_stmt(sqlite3_stmt *st, int col);

/* Checks the shape of a request record that travels (SPEC §5 plus provider
   and rev = number of moves). */
fg_status cat_request_check(const json_t *r, fg_error *err);

/*
 * Stores a checked request record as it is, inside the caller's
 * transaction: inserts it or updates its status, rev and time, writes its
 * history from entry `first_event` on, and drops local entries beyond the
 * record's history (moves the hub refused).
 */
fg_status cat_request_store_locked(cat_catalog *cat, const json_t *r, size_t first_event,
                                   fg_error *err);

/* Removes `key` from the meta table (nothing to remove is not an error). */
fg_status cat_meta_delete(cat_catalog *cat, const char *key, fg_error *err);

#endif /* CAT_CATALOG_H */
