/*
 * Schema migrations, numbered by PRAGMA user_version.  Migration N takes a
 * file from version N-1 to N.  Append new ones; never edit a released one.
 */
#include <stdio.h>

#include "internal.h"

static const char *const migrations[] = {
    /* 1: offerings, their tag and region lists, the full-text index. */
    "CREATE TABLE meta ("
    "  key TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE TABLE offering ("
    "  rowid INTEGER PRIMARY KEY,"
    "  id TEXT NOT NULL UNIQUE,"
    "  area TEXT NOT NULL,"
    "  provider_ods TEXT NOT NULL,"
    "  provider_name TEXT NOT NULL,"
    "  title TEXT NOT NULL,"
    "  summary TEXT NOT NULL,"
    "  description TEXT NOT NULL,"
    "  tags_text TEXT NOT NULL,"   /* tags joined by spaces, for the index */
    "  delivery TEXT NOT NULL,"
    "  price_pence INTEGER NOT NULL,"
    "  capacity INTEGER,"
    "  status TEXT NOT NULL CHECK (status IN ('active', 'withdrawn')),"
    "  rev INTEGER NOT NULL CHECK (rev >= 1),"
    "  updated_at TEXT NOT NULL,"
    "  withdrawn_at TEXT,"
    "  origin TEXT NOT NULL,"      /* plugin:NAME | import | sync:REMOTE */
    "  content TEXT NOT NULL"      /* canonical JSON of the content */
    ");"
    "CREATE INDEX offering_by_area ON offering(area, status);"
    "CREATE INDEX offering_by_provider ON offering(provider_ods);"
    "CREATE INDEX offering_by_origin ON offering(origin);"
    "CREATE INDEX offering_by_title ON offering(title);"
    "CREATE TABLE offering_tag ("
    "  tag TEXT NOT NULL,"
    "  offering INTEGER NOT NULL REFERENCES offering(rowid) ON DELETE CASCADE,"
    "  PRIMARY KEY (tag, offering)"
    ") WITHOUT ROWID;"
    "CREATE INDEX offering_tag_by_offering ON offering_tag(offering);"
    "CREATE TABLE offering_region ("
    "  region TEXT NOT NULL COLLATE NOCASE,"
    "  offering INTEGER NOT NULL REFERENCES offering(rowid) ON DELETE CASCADE,"
    "  PRIMARY KEY (region, offering)"
    ") WITHOUT ROWID;"
    "CREATE INDEX offering_region_by_offering ON offering_region(offering);"
    "CREATE VIRTUAL TABLE offering_fts USING fts5("
    "  title, summary, description, tags_text, provider_name,"
    "  content='offering', content_rowid='rowid',"
    "  tokenize='porter unicode61 remove_diacritics 2');"
    "CREATE TRIGGER offering_fts_ai AFTER INSERT ON offering BEGIN"
    "  INSERT INTO offering_fts(rowid, title, summary, description, tags_text,"
    "                           provider_name)"
    "  VALUES (new.rowid, new.title, new.summary, new.description, new.tags_text,"
    "          new.provider_name);"
    "END;"
    "CREATE TRIGGER offering_fts_ad AFTER DELETE ON offering BEGIN"
    "  INSERT INTO offering_fts(offering_fts, rowid, title, summary, description,"
    "                           tags_text, provider_name)"
    "  VALUES ('delete', old.rowid, old.title, old.summary, old.description,"
    "          old.tags_text, old.provider_name);"
    "END;"
    "CREATE TRIGGER offering_fts_au AFTER UPDATE OF title, summary, description,"
    "  tags_text, provider_name ON offering BEGIN"
    "  INSERT INTO offering_fts(offering_fts, rowid, title, summary, description,"
    "                           tags_text, provider_name)"
    "  VALUES ('delete', old.rowid, old.title, old.summary, old.description,"
    "          old.tags_text, old.provider_name);"
    "  INSERT INTO offering_fts(rowid, title, summary, description, tags_text,"
    "                           provider_name)"
    "  VALUES (new.rowid, new.title, new.summary, new.description, new.tags_text,"
    "          new.provider_name);"
    "END;",

    /* 2: requests and their history (SPEC §5).  Events are only ever
       appended: the life cycle is read from them, nothing is deleted. */
    "CREATE TABLE request ("
    "  rowid INTEGER PRIMARY KEY,"
    "  id TEXT NOT NULL UNIQUE,"
    "  offering_id TEXT NOT NULL,"
    "  provider_ods TEXT NOT NULL,"  /* the offering's provider when made */
    "  requester_ods TEXT NOT NULL,"
    "  contact TEXT,"
    "  quantity INTEGER NOT NULL CHECK (quantity >= 1),"
    "  start TEXT,"
    "  note TEXT,"
    "  status TEXT NOT NULL CHECK (status IN ('submitted', 'accepted', 'declined',"
    "                                         'cancelled', 'completed')),"
    "  quote_pence INTEGER NOT NULL,"
    "  currency TEXT NOT NULL,"
    "  rev INTEGER NOT NULL DEFAULT 1,"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL"
    ");"
    "CREATE INDEX request_by_offering ON request(offering_id, status);"
    "CREATE INDEX request_by_requester ON request(requester_ods);"
    "CREATE INDEX request_by_provider ON request(provider_ods);"
    "CREATE TABLE request_event ("
    "  request INTEGER NOT NULL REFERENCES request(rowid),"
    "  seq INTEGER NOT NULL,"
    "  status TEXT NOT NULL,"
    "  at TEXT NOT NULL,"
    "  by_ods TEXT NOT NULL,"
    "  reason TEXT,"
    "  PRIMARY KEY (request, seq)"
    ") WITHOUT ROWID;",

    /* 3: sync.  The change feed stamps every write to an offering or a
       request with the next sequence number, in the same transaction (by
       trigger, so every writer does it); each record keeps one row, at its
       latest sequence, and a deletion leaves a tombstone.  The epoch names
       this feed: a hub restored from a backup gets a new one.  Remotes,
       what was last synced with each, hub tokens (hashed) and idempotency
       records complete the picture. */
    "CREATE TABLE counter ("
    "  name TEXT PRIMARY KEY,"
    "  value INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "INSERT INTO counter(name, value) VALUES ('feed', 0);"
    "INSERT INTO meta(key, value) VALUES ('epoch', lower(hex(randomblob(8))));"
    "CREATE TABLE feed ("
    "  seq INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL CHECK (kind IN ('offering', 'request')),"
    "  key TEXT NOT NULL,"
    "  deleted_at TEXT,"            /* set for a tombstone */
    "  UNIQUE (kind, key)"
    ");"
    "CREATE TRIGGER feed_offering_ai AFTER INSERT ON offering BEGIN"
    "  UPDATE counter SET value = value + 1 WHERE name = 'feed';"
    "  INSERT INTO feed(seq, kind, key)"
    "  VALUES ((SELECT value FROM counter WHERE name = 'feed'), 'offering', new.id)"
    "  ON CONFLICT(kind, key) DO UPDATE SET seq = excluded.seq, deleted_at = NULL;"
    "END;"
    "CREATE TRIGGER feed_offering_au AFTER UPDATE OF rev ON offering BEGIN"
    "  UPDATE counter SET value = value + 1 WHERE name = 'feed';"
    "  UPDATE feed SET seq = (SELECT value FROM counter WHERE name = 'feed')"
    "  WHERE kind = 'offering' AND key = new.id;"
    "END;"
    "CREATE TRIGGER feed_offering_ad AFTER DELETE ON offering BEGIN"
    "  UPDATE counter SET value = value + 1 WHERE name = 'feed';"
    "  UPDATE feed SET seq = (SELECT value FROM counter WHERE name = 'feed'),"
    "                  deleted_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
    "  WHERE kind = 'offering' AND key = old.id;"
    "END;"
    "CREATE TRIGGER feed_request_ai AFTER INSERT ON request BEGIN"
    "  UPDATE counter SET value = value + 1 WHERE name = 'feed';"
    "  INSERT INTO feed(seq, kind, key)"
    "  VALUES ((SELECT value FROM counter WHERE name = 'feed'), 'request', new.id)"
    "  ON CONFLICT(kind, key) DO UPDATE SET seq = excluded.seq, deleted_at = NULL;"
    "END;"
    "CREATE TRIGGER feed_request_au AFTER UPDATE OF rev ON request BEGIN"
    "  UPDATE counter SET value = value + 1 WHERE name = 'feed';"
    "  UPDATE feed SET seq = (SELECT value FROM counter WHERE name = 'feed')"
    "  WHERE kind = 'request' AND key = new.id;"
    "END;"
    /* Existing rows join the feed in their current order. */
    "INSERT INTO feed(seq, kind, key)"
    "  SELECT row_number() OVER (ORDER BY rowid), 'offering', id FROM offering;"
    "INSERT INTO feed(seq, kind, key)"
    "  SELECT (SELECT count(*) FROM offering) + row_number() OVER (ORDER BY rowid),"
    "         'request', id FROM request;"
    "UPDATE counter SET value = (SELECT coalesce(max(seq), 0) FROM feed)"
    "  WHERE name = 'feed';"
    "CREATE TABLE remote ("
    "  name TEXT PRIMARY KEY,"
    "  url TEXT NOT NULL,"
    "  token_file TEXT NOT NULL,"
    "  org TEXT,"                   /* the token's organisation, from whoami */
    "  cursor TEXT,"                /* opaque, as the hub gave it */
    "  last_success TEXT,"
    "  last_error TEXT,"
    "  last_error_at TEXT,"
    "  added_at TEXT NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE TABLE sync_state ("     /* per remote and record: what the hub has */
    "  remote TEXT NOT NULL REFERENCES remote(name) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL,"
    "  key TEXT NOT NULL,"
    "  rev INTEGER NOT NULL,"       /* the rev both sides agree on */
    "  refused_rev INTEGER,"        /* a local rev the hub refused, */
    "  refused_status TEXT,"        /* with its item status */
    "  refused_reason TEXT,"        /* and reason */
    "  PRIMARY KEY (remote, kind, key)"
    ") WITHOUT ROWID;"
    "CREATE TABLE sync_seen ("      /* keys listed by a snapshot in progress */
    "  remote TEXT NOT NULL REFERENCES remote(name) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL,"
    "  key TEXT NOT NULL,"
    "  PRIMARY KEY (remote, kind, key)"
    ") WITHOUT ROWID;"
    "CREATE TABLE token ("
    "  hash TEXT PRIMARY KEY,"      /* SHA-256 of the token, hex */
    "  ods TEXT NOT NULL,"
    "  created_at TEXT NOT NULL,"
    "  revoked_at TEXT"
    ") WITHOUT ROWID;"
    "CREATE TABLE idempotency ("
    "  ods TEXT NOT NULL,"
    "  key TEXT NOT NULL,"
    "  response TEXT NOT NULL,"
    "  created_at TEXT NOT NULL,"
    "  PRIMARY KEY (ods, key)"
    ") WITHOUT ROWID;",

    /* 4: bulk indexing.  FTS5 writes its pending terms to disk at every
       statement savepoint, so indexing row by row from a trigger makes a
       bulk insert slow.  While the 'fts_deferred' counter is 1 (set inside
       a write transaction by cat_bulk_begin) new rows are not indexed by
       the trigger; cat_bulk_end indexes them with one INSERT ... SELECT
       before the transaction commits, so no reader ever sees them
       unindexed. */
    "INSERT INTO counter(name, value) VALUES ('fts_deferred', 0);"
    "DROP TRIGGER offering_fts_ai;"
    "CREATE TRIGGER offering_fts_ai AFTER INSERT ON offering"
    "  WHEN (SELECT value FROM counter WHERE name = 'fts_deferred') = 0 BEGIN"
    "  INSERT INTO offering_fts(rowid, title, summary, description, tags_text,"
    "                           provider_name)"
    "  VALUES (new.rowid, new.title, new.summary, new.description, new.tags_text,"
    "          new.provider_name);"
    "END;",

    /* 5: narrow offering rows.  Search ranks and filters by reading each
       matching offering's row; with the text and JSON in it, a row filled
       most of a page.  The text moves to offering_text (same rowid), which
       the full-text index now indexes, so the rows read per match are
       small. */
    "CREATE TABLE offering_text ("
    "  rowid INTEGER PRIMARY KEY,"  /* the offering's rowid */
    "  title TEXT NOT NULL,"
    "  summary TEXT NOT NULL,"
    "  description TEXT NOT NULL,"
    "  tags_text TEXT NOT NULL,"
    "  provider_name TEXT NOT NULL,"
    "  content TEXT NOT NULL"       /* canonical JSON of the content */
    ");"
    "INSERT INTO offering_text(rowid, title, summary, description, tags_text,"
    "                          provider_name, content)"
    "  SELECT rowid, title, summary, description, tags_text, provider_name, content"
    "  FROM offering;"
    "DROP TRIGGER offering_fts_ai;"
    "DROP TRIGGER offering_fts_ad;"
    "DROP TRIGGER offering_fts_au;"
    "DROP TABLE offering_fts;"
    "ALTER TABLE offering DROP COLUMN summary;"
    "ALTER TABLE offering DROP COLUMN description;"
    "ALTER TABLE offering DROP COLUMN tags_text;"
    "ALTER TABLE offering DROP COLUMN provider_name;"
    "ALTER TABLE offering DROP COLUMN content;"
    "CREATE VIRTUAL TABLE offering_fts USING fts5("
    "  title, summary, description, tags_text, provider_name,"
    "  content='offering_text', content_rowid='rowid',"
    "  tokenize='porter unicode61 remove_diacritics 2');"
    "INSERT INTO offering_fts(offering_fts) VALUES ('rebuild');"
    "CREATE TRIGGER offering_fts_ai AFTER INSERT ON offering_text"
    "  WHEN (SELECT value FROM counter WHERE name = 'fts_deferred') = 0 BEGIN"
    "  INSERT INTO offering_fts(rowid, title, summary, description, tags_text,"
    "                           provider_name)"
    "  VALUES (new.rowid, new.title, new.summary, new.description, new.tags_text,"
    "          new.provider_name);"
    "END;"
    "CREATE TRIGGER offering_fts_ad AFTER DELETE ON offering_text BEGIN"
    "  INSERT INTO offering_fts(offering_fts, rowid, title, summary, description,"
    "                           tags_text, provider_name)"
    "  VALUES ('delete', old.rowid, old.title, old.summary, old.description,"
    "          old.tags_text, old.provider_name);"
    "END;"
    "CREATE TRIGGER offering_fts_au AFTER UPDATE OF title, summary, description,"
    "  tags_text, provider_name ON offering_text BEGIN"
    "  INSERT INTO offering_fts(offering_fts, rowid, title, summary, description,"
    "                           tags_text, provider_name)"
    "  VALUES ('delete', old.rowid, old.title, old.summary, old.description,"
    "          old.tags_text, old.provider_name);"
    "  INSERT INTO offering_fts(rowid, title, summary, description, tags_text,"
    "                           provider_name)"
    "  VALUES (new.rowid, new.title, new.summary, new.description, new.tags_text,"
    "          new.provider_name);"
    "END;"
    "CREATE TRIGGER offering_text_ad AFTER DELETE ON offering BEGIN"
    "  DELETE FROM offering_text WHERE rowid = old.rowid;"
    "END;",

    /* 6: tombstones found without scanning the feed (every sync looks for
       deletions to push). */
    "CREATE INDEX feed_tombstones ON feed(seq) WHERE deleted_at IS NOT NULL;",

    /* 7: new offerings join the feed from C.  Any trigger on an insert
       into `offering` (whose id is UNIQUE) gives every single-row insert a
       statement journal; for a pulled page that cost more than the rows.
       The library writes the feed rows of new offerings itself
       (offering.c: at once, or in one statement when a bulk write ends);
       updates and deletions keep their triggers. */
    "DROP TRIGGER feed_offering_ai;",

    /* 8: federated requests.  A request goes to every remote whose hub
       carries its offering (the hub listed it in a pulled page or a
       snapshot, or took it from this node), whatever the origin of the
       local copy, so each remote records the offerings its hub carries.
       What earlier syncs agreed on, and what came from each remote, is
       carried.  A remote may name the CA certificates to trust. */
    "CREATE TABLE sync_carried ("
    "  remote TEXT NOT NULL REFERENCES remote(name) ON DELETE CASCADE,"
    "  offering TEXT NOT NULL,"
    "  PRIMARY KEY (remote, offering)"
    ") WITHOUT ROWID;"
    "CREATE INDEX sync_carried_by_offering ON sync_carried(offering);"
    "INSERT OR IGNORE INTO sync_carried(remote, offering)"
    "  SELECT remote, key FROM sync_state WHERE kind = 'offering' AND rev > 0;"
    "INSERT OR IGNORE INTO sync_carried(remote, offering)"
    "  SELECT m.name, o.id FROM offering o JOIN remote m ON o.origin = 'sync:' || m.name;"
    "ALTER TABLE remote ADD COLUMN ca_file TEXT;",

    /* 9: tokens that expire.  A token made with a lifetime, or one being
       rotated out, stops working at expires_at; NULL never expires. */
    "ALTER TABLE token ADD COLUMN expires_at TEXT;",

    /* 10: people.  A person belongs to one organisation with one role;
       the password is an Argon2id string (NULL until the person sets one
       through a one-time reset link, kept as a SHA-256 hash); failed
       sign-ins are counted per person to lock them out for a while. */
    "CREATE TABLE person ("
    "  email TEXT PRIMARY KEY COLLATE NOCASE,"
    "  ods TEXT NOT NULL,"
    "  role TEXT NOT NULL CHECK (role IN ('requester', 'approver', 'admin')),"
    "  password TEXT,"
    "  created_at TEXT NOT NULL,"
    "  reset_hash TEXT,"
    "  reset_expires TEXT,"
    "  failures INTEGER NOT NULL DEFAULT 0,"
    "  locked_until TEXT"
    ") WITHOUT ROWID;"
    "CREATE INDEX person_by_ods ON person(ods, email);"
    "CREATE UNIQUE INDEX person_by_reset ON person(reset_hash) WHERE reset_hash IS NOT NULL;",

    /* 11: who made each move: the person (an e-mail address) as well as
       the organisation, when one was given. */
    "ALTER TABLE request_event ADD COLUMN person TEXT;",

    /* Notifications (docs/notifications.md): the e-mails a request's move
       sends to the people of this catalogue, queued in the move's own
       transaction and sent by the hub's sender; a row is never deleted.
       Times are UTC ISO text, which compares as time. */
    "CREATE TABLE notification ("
    "  id INTEGER PRIMARY KEY,"
    "  request TEXT NOT NULL,"      /* the request's id */
    "  event TEXT NOT NULL,"        /* the status it moved to */
    "  recipient TEXT NOT NULL,"    /* a person's e-mail address */
    "  subject TEXT NOT NULL,"
    "  body TEXT NOT NULL,"         /* plain text, lines ended by newlines */
    "  created_at TEXT NOT NULL,"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_at TEXT NOT NULL,"      /* due from then on */
    "  last_error TEXT,"
    "  sent_at TEXT,"
    "  gave_up_at TEXT"
    ");"
    "CREATE INDEX notification_due ON notification(next_at)"
    "  WHERE sent_at IS NULL AND gave_up_at IS NULL;",

    /* 13: browser sessions of people (session.c).  Only the SHA-256 of a
       session's secret is kept; times are Unix seconds.  Removing a
       person ends their sessions. */
    "CREATE TABLE session ("
    "  hash TEXT PRIMARY KEY,"
    "  email TEXT NOT NULL REFERENCES person(email) ON DELETE CASCADE,"
    "  created_at INTEGER NOT NULL,"
    "  last_seen INTEGER NOT NULL,"
    "  expires_at INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE INDEX session_by_email ON session(email);",
};

#define N_MIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

int cat_schema_version(void)
{
    return N_MIGRATIONS;
}

static fg_status user_version(cat_catalog *cat, int *out, fg_error *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(cat_db(cat), "PRAGMA user_version", -1, &st, NULL) !=
        SQLITE_OK)
        return cat_db_fail(cat, err, "reading the schema version");
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return cat_db_fail(cat, err, "reading the schema version");
    }
    *out = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return FG_OK;
}

/*
 * Brings the schema to the newest version.  The version is read again
 * under the write lock, so two processes opening a new file at once apply
 * each migration exactly once.  A file from a newer fgcat is refused.
 */
fg_status cat_migrate(cat_catalog *cat, fg_error *err)
{
    fg_status st;
    int version = 0;
    char sql[64];

    if ((st = user_version(cat, &version, err)) != FG_OK)
        return st;
    if (version == N_MIGRATIONS)
        return FG_OK;
    if ((st = cat_begin(cat, err)) != FG_OK)
        return st;
    if ((st = user_version(cat, &version, err)) != FG_OK)
        goto fail;
    if (version > N_MIGRATIONS) {
        st = fg_fail(err, FG_EINVAL,
                     "catalogue schema version %d is newer than this fgcat's %d", version,
                     N_MIGRATIONS);
        goto fail;
    }
    for (; version < N_MIGRATIONS; version++) {
        char *msg = NULL;
        if (sqlite3_exec(cat_db(cat), migrations[version], NULL, NULL, &msg) !=
            SQLITE_OK) {
            st = fg_fail(err, FG_EDB, "migration %d failed: %s", version + 1,
                         msg ? msg : sqlite3_errmsg(cat_db(cat)));
            sqlite3_free(msg);
            goto fail;
        }
    }
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", N_MIGRATIONS);
    if (sqlite3_exec(cat_db(cat), sql, NULL, NULL, NULL) != SQLITE_OK) {
        st = cat_db_fail(cat, err, "recording the schema version");
        goto fail;
    }
    return cat_commit(cat, err);
fail:
    cat_rollback(cat);
    return st;
}
