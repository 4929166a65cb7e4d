/*
 * Offerings and requests as CSV (RFC 4180) for spreadsheets, and offerings
 * read back from it.  The header rows are fixed (docs/csv.md): a column is
 * only ever added at the end.
 *
 * Text cells that a spreadsheet would run as a formula (starting with '=',
 * '+', '-', '@', a tab or a carriage return) are written with a leading
 * apostrophe, and so are cells that start with an apostrophe, so that
 * reading strips exactly one and gets the text back.  Lists are joined
 * with ';' ('\;' and '\\' inside an item).  Money is in pounds with two
 * decimals, a plain number.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"

#define MAX_CSV_RECORDS 2000000
#define MAX_CSV_CELL ((size_t)1 << 20)

/* ---- columns --------------------------------------------------------- */

typedef enum col_kind { K_TEXT, K_INT, K_POUNDS, K_LIST, K_JSON } col_kind;

/* An offering's columns: the header name, the JSON field it fills (as
   offering.c names it in messages), and how it is written. */
static const struct column {
    const char *name;
    const char *field;
    col_kind kind;
} offering_cols[] = {
    {"id", "id", K_TEXT},
    {"area", "area", K_TEXT},
    {"provider_ods", "provider.ods", K_TEXT},
    {"provider_name", "provider.name", K_TEXT},
    {"title", "title", K_TEXT},
    {"summary", "summary", K_TEXT},
    {"description", "description", K_TEXT},
    {"delivery", "delivery", K_TEXT},
    {"duration_days", "duration_days", K_INT},
    {"capacity", "capacity", K_INT},
    {"price", "price.amount_pence", K_POUNDS},
    {"currency", "price.currency", K_TEXT},
    {"price_unit", "price.unit", K_TEXT},
    {"regions", "regions", K_LIST},
    {"tags", "tags", K_LIST},
    {"contact", "contact", K_TEXT},
    {"attributes", "attributes", K_JSON},
    {"status", "status", K_TEXT},
    {"rev", "rev", K_INT},
    {"updated_at", "updated_at", K_TEXT},
    {"withdrawn_at", "withdrawn_at", K_TEXT},
};
#define N_OFFERING_COLS (sizeof offering_cols / sizeof offering_cols[0])

static const char *const request_cols[] = {
    "id",       "offering_id", "provider_ods", "requester_ods", "requester_contact",
    "quantity", "start",       "note",         "status",        "quote",
    "currency", "created_at",  "updated_at"};
#define N_REQUEST_COLS (sizeof request_cols / sizeof request_cols[0])

/* ---- writing --------------------------------------------------------- */

static bool formula_lead(char c)
{
    return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r' ||
           c == '\'';
}

/* Writes one cell: quoted when it holds a comma, a quote or a line break;
   a text cell (`text`) that starts like a formula gets an apostrophe. */
static void put_cell(FILE *out, const char *s, bool text, bool first)
{
    bool quote = strpbrk(s, ",\"\r\n") != NULL;
    if (!first)
        fputc(',', out);
    if (quote)
        fputc('"', out);
    if (text && formula_lead(s[0]))
        fputc('\'', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    if (quote)
        fputc('"', out);
}

static void put_header(FILE *out, const char *const *names, size_t n, bool bom)
{
    if (bom)
        fputs("\xEF\xBB\xBF", out);
    for (size_t i = 0; i < n; i++)
        put_cell(out, names[i], false, i == 0);
    fputs("\r\n", out);
}

/* Pence as pounds with two decimals ("1850.00"). */
static void pounds(char *buf, size_t size, json_int_t pence)
{
    snprintf(buf, size, "%lld.%02lld", (long long)(pence / 100),
             (long long)(pence % 100));
}

/* A list as one cell: items joined by ';', '\' and ';' escaped. New. */
static char *join_list(const json_t *list)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    const json_t *item;
    size_t i;
    if (!f)
        abort();
    json_array_foreach(list, i, item)
    {
        if (i)
            fputc(';', f);
        for (const char *p = json_string_value(item); p && *p; p++) {
            if (*p == ';' || *p == '\\')
                fputc('\\', f);
            fputc(*p, f);
        }
    }
    if (fclose(f) != 0)
        abort();
    return buf;
}

static const char *str_or_empty(const json_t *v)
{
    return json_is_string(v) ? json_string_value(v) : "";
}

static void put_int_or_empty(FILE *out, const json_t *v)
{
    char buf[32] = "";
    if (json_is_integer(v))
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
    put_cell(out, buf, false, false);
}

static void put_offering(FILE *out, const json_t *o)
{
    const json_t *provider = json_object_get(o, "provider");
    const json_t *price = json_object_get(o, "price");
    char money[32], *list, *attrs;

    put_cell(out, str_or_empty(json_object_get(o, "id")), true, true);
    put_cell(out, str_or_empty(json_object_get(o, "area")), true, false);
    put_cell(out, str_or_empty(json_object_get(provider, "ods")), true, false);
    put_cell(out, str_or_empty(json_object_get(provider, "name")), true, false);
    put_cell(out, str_or_empty(json_object_get(o, "title")), true, false);
    put_cell(out, str_or_empty(json_object_get(o, "summary")), true, false);
    put_cell(out, str_or_empty(json_object_get(o, "description")), true, false);
    put_cell(out, str_or_empty(json_object_get(o, "delivery")), true, false);
    put_int_or_empty(out, json_object_get(o, "duration_days"));
    put_int_or_empty(out, json_object_get(o, "capacity"));
    pounds(money, sizeof money,
           json_integer_value(json_object_get(price, "amount_pence")));
    put_cell(out, money, false, false);
    put_cell(out, str_or_empty(json_object_get(price, "currency")), true, false);
    put_cell(out, str_or_empty(json_object_get(price, "unit")), true, false);
    list = join_list(json_object_get(o, "regions"));
    put_cell(out, list, true, false);
    free(list);
    list = join_list(json_object_get(o, "tags"));
    put_cell(out, list, true, false);
    free(list);
    put_cell(out, str_or_empty(json_object_get(o, "contact")), true, false);
    attrs = json_dumps(json_object_get(o, "attributes"), JSON_COMPACT | JSON_ENCODE_ANY);
    put_cell(out, attrs ? attrs : "{}", true, false);
    free(attrs);
    put_cell(out, str_or_empty(json_object_get(o, "status")), true, false);
    put_int_or_empty(out, json_object_get(o, "rev"));
    put_cell(out, str_or_empty(json_object_get(o, "updated_at")), true, false);
    put_cell(out, str_or_empty(json_object_get(o, "withdrawn_at")), true, false);
    fputs("\r\n", out);
}

static fg_status written(FILE *out, fg_error *err)
{
    if (fflush(out) != 0 || ferror(out))
        return fg_fail(err, FG_EIO, "cannot write the CSV output");
    return FG_OK;
}

fg_status cat_csv_offerings(FILE *out, const json_t *offerings, bool bom, fg_error *err)
{
    const char *names[N_OFFERING_COLS];
    const json_t *o;
    size_t i;
    for (i = 0; i < N_OFFERING_COLS; i++)
        names[i] = offering_cols[i].name;
    put_header(out, names, N_OFFERING_COLS, bom);
    json_array_foreach(offerings, i, o) put_offering(out, o);
    return written(out, err);
}

fg_status cat_csv_requests(FILE *out, const json_t *requests, bool bom, fg_error *err)
{
    const json_t *r;
    size_t i;
    put_header(out, request_cols, N_REQUEST_COLS, bom);
    json_array_foreach(requests, i, r)
    {
        const json_t *requester = json_object_get(r, "requester");
        const json_t *quote = json_object_get(r, "quote");
        char money[32];
        put_cell(out, str_or_empty(json_object_get(r, "id")), true, true);
        put_cell(out, str_or_empty(json_object_get(r, "offering_id")), true, false);
        put_cell(out,
                 str_or_empty(json_object_get(json_object_get(r, "provider"), "ods")),
                 true, false);
        put_cell(out, str_or_empty(json_object_get(requester, "ods")), true, false);
        put_cell(out, str_or_empty(json_object_get(requester, "contact")), true, false);
        put_int_or_empty(out, json_object_get(r, "quantity"));
        put_cell(out, str_or_empty(json_object_get(r, "start")), true, false);
        put_cell(out, str_or_empty(json_object_get(r, "note")), true, false);
        put_cell(out, str_or_empty(json_object_get(r, "status")), true, false);
        pounds(money, sizeof money,
               json_integer_value(json_object_get(quote, "amount_pence")));
        put_cell(out, money, false, false);
        put_cell(out, str_or_empty(json_object_get(quote, "currency")), true, false);
        put_cell(out, str_or_empty(json_object_get(r, "created_at")), true, false);
        put_cell(out, str_or_empty(json_object_get(r, "updated_at")), true, false);
        fputs("\r\n", out);
    }
    return written(out, err);
}

/* ---- reading --------------------------------------------------------- */

/* A CSV reader over a buffer: RFC 4180 fields, CRLF or LF line ends. */
typedef struct csv_reader {
    const char *text, *source;
    size_t len, pos, line, col; /* position of the next byte */
    char *cell;                 /* the field just read (owned) */
    size_t cell_len, cell_cap;
} csv_reader;

static fg_status at(const csv_reader *rd, size_t line, size_t col, fg_error *err,
                    const char *what)
{
    /* `what` may quote a cell: a tab, a line break, anything. */
    fg_fail(err, FG_EINVAL, "%s: line %zu, column %zu: %s", rd->source, line, col, what);
    cat_error_printable(err);
    return FG_EINVAL;
}

static bool cell_add(csv_reader *rd, char c)
{
    if (rd->cell_len + 2 > rd->cell_cap) {
        size_t cap = rd->cell_cap ? rd->cell_cap * 2 : 256;
        char *grown;
        if (cap > MAX_CSV_CELL + 2)
            return false;
        grown = realloc(rd->cell, cap);
        if (!grown)
            abort();
        rd->cell = grown;
        rd->cell_cap = cap;
    }
    rd->cell[rd->cell_len++] = c;
    rd->cell[rd->cell_len] = '\0';
    return true;
}

static void advance(csv_reader *rd)
{
    if (rd->text[rd->pos] == '\n') {
        rd->line++;
        rd->col = 1;
    } else if ((rd->text[rd->pos] & 0xC0) != 0x80) {
        rd->col++; /* columns count characters, not bytes */
    }
    rd->pos++;
}

/*
 * Reads the next field into rd->cell.  *end_of_row says the field ended
 * its row (a line break or the end of the input).  `field_col` is the
 * field's number in its row, for messages.
 */
static fg_status read_field(csv_reader *rd, size_t field_col, bool *end_of_row,
                            fg_error *err)
{
    size_t line = rd->line;
    bool quoted = rd->pos < rd->len && rd->text[rd->pos] == '"';
    rd->cell_len = 0;
    if (!cell_add(rd, '\0'))
        abort();
    rd->cell_len = 0;
    if (quoted)
        advance(rd);
    for (;;) {
        char c;
        if (rd->pos >= rd->len) {
            if (quoted)
                return at(rd, line, field_col, err,
                          "a quoted field is not closed before the end of the file");
            *end_of_row = true;
            return FG_OK;
        }
        c = rd->text[rd->pos];
        if (quoted && c == '"') {
            if (rd->pos + 1 < rd->len && rd->text[rd->pos + 1] == '"') {
                advance(rd);
                advance(rd);
                if (!cell_add(rd, '"'))
                    goto too_long;
                continue;
            }
            advance(rd);
            quoted = false;
            if (rd->pos < rd->len && rd->text[rd->pos] != ',' &&
                rd->text[rd->pos] != '\n' &&
                !(rd->text[rd->pos] == '\r' && rd->pos + 1 < rd->len &&
                  rd->text[rd->pos + 1] == '\n'))
                return at(rd, rd->line, field_col, err,
                          "text after the closing quote of a quoted field");
            continue;
        }
        if (!quoted && c == '"')
            return at(rd, rd->line, field_col, err,
                      "a '\"' inside a field that does not start with one (quote the "
                      "field and double the quote)");
        if (!quoted && c == ',') {
            advance(rd);
            *end_of_row = false;
            return FG_OK;
        }
        if (!quoted && (c == '\n' || (c == '\r' && rd->pos + 1 < rd->len &&
                                      rd->text[rd->pos + 1] == '\n'))) {
            if (c == '\r')
                advance(rd);
            advance(rd);
            *end_of_row = true;
            return FG_OK;
        }
        advance(rd);
        if (!cell_add(rd, c))
            goto too_long;
    }
too_long:
    return at(rd, line, field_col, err, "a field longer than 1 MiB");
}

/*
 * Reads one row into `cells` (a new array of strings).  *eof is set when
 * the input ended before the row (nothing was read).
 */
static fg_status read_row(csv_reader *rd, json_t **cells, bool *eof, fg_error *err)
{
    bool end = false;
    fg_status st;
    *cells = NULL;
    *eof = rd->pos >= rd->len;
    if (*eof)
        return FG_OK;
    *cells = json_array();
    while (!end) {
        if ((st = read_field(rd, json_array_size(*cells) + 1, &end, err)) != FG_OK) {
            json_decref(*cells);
            *cells = NULL;
            return st;
        }
        json_array_append_new(*cells, json_stringn(rd->cell, rd->cell_len));
        if (json_array_size(*cells) > 1000) {
            json_decref(*cells);
            *cells = NULL;
            return at(rd, rd->line, 1001, err, "more than 1000 fields in a row");
        }
    }
    return FG_OK;
}

/* Strips the apostrophe put_cell adds before a formula-like text. */
static const char *unprotect(const char *s)
{
    return s[0] == '\'' ? s + 1 : s;
}

/* Splits a list cell at unescaped ';' into a new array. */
static json_t *split_list(const char *s)
{
    json_t *list = json_array();
    char *item = malloc(strlen(s) + 1);
    size_t n = 0;
    if (!item)
        abort();
    if (!*s) {
        free(item);
        return list;
    }
    for (;; s++) {
        if (*s == '\\' && (s[1] == ';' || s[1] == '\\')) {
            item[n++] = *++s;
            continue;
        }
        if (*s == ';' || *s == '\0') {
            item[n] = '\0';
            json_array_append_new(list, json_string(item));
            n = 0;
            if (*s == '\0')
                break;
            continue;
        }
        item[n++] = *s;
    }
    free(item);
    return list;
}

/* Sets field `path` ("price.unit") of `o` to `v` (new reference taken). */
static void set_path(json_t *o, const char *path, json_t *v)
{
    const char *dot = strchr(path, '.');
    if (dot) {
        char head[32];
        json_t *sub;
        snprintf(head, sizeof head, "%.*s", (int)(dot - path), path);
        sub = json_object_get(o, head);
        if (!sub) {
            sub = json_object();
            json_object_set_new(o, head, sub);
        }
        o = sub;
        path = dot + 1;
    }
    json_object_set_new(o, path, v);
}

/* Builds an offering from one row, by the header's columns (`map[i]` is the
   column of field i); messages name the line and column. */
static fg_status row_to_offering(const csv_reader *rd, size_t line, const json_t *cells,
                                 const size_t *map, json_t **out, fg_error *err)
{
    json_t *o = json_object();
    for (size_t i = 0; i < json_array_size(cells); i++) {
        const struct column *c = &offering_cols[map[i]];
        const char *raw = json_string_value(json_array_get(cells, i));
        char what[200];
        json_t *v = NULL;
        switch (c->kind) {
        case K_TEXT:
            raw = unprotect(raw);
            /* Empty optional cells leave the field out (its default). */
            if (*raw)
                v = json_string(raw);
            break;
        case K_LIST:
            v = split_list(unprotect(raw));
            break;
        case K_INT: {
            int64_t n;
            if (!*raw)
                break;
            if (!fg_parse_int(raw, 0, INT64_MAX / 2, &n)) {
                snprintf(what, sizeof what, "%s must be a whole number, not \"%.40s\"",
                         c->name, raw);
                json_decref(o);
                return at(rd, line, i + 1, err, what);
            }
            v = json_integer((json_int_t)n);
            break;
        }
        case K_POUNDS: {
            int64_t pence;
            if (!fg_parse_pounds(raw, &pence)) {
                snprintf(
                    what, sizeof what,
                    "%s must be an amount of pounds like 1850 or 1850.00, not \"%.40s\"",
                    c->name, raw);
                json_decref(o);
                return at(rd, line, i + 1, err, what);
            }
            v = json_integer((json_int_t)pence);
            break;
        }
        case K_JSON: {
            json_error_t jerr;
            raw = unprotect(raw);
            if (!*raw)
                break;
            v = json_loads(raw, JSON_REJECT_DUPLICATES, &jerr);
            if (!v) {
                snprintf(what, sizeof what, "%s must be a JSON object: %s", c->name,
                         jerr.text);
                json_decref(o);
                return at(rd, line, i + 1, err, what);
            }
            break;
        }
        }
        if (v)
            set_path(o, c->field, v);
    }
    *out = o;
    return FG_OK;
}

/* Maps the header's names to columns; every name must be known, once. */
static fg_status read_header(const csv_reader *rd, const json_t *names, size_t *map,
                             fg_error *err)
{
    bool seen[N_OFFERING_COLS] = {false};
    for (size_t i = 0; i < json_array_size(names); i++) {
        const char *name = json_string_value(json_array_get(names, i));
        char what[160];
        size_t c;
        for (c = 0; c < N_OFFERING_COLS; c++)
            if (strcmp(name, offering_cols[c].name) == 0)
                break;
        if (c == N_OFFERING_COLS || seen[c]) {
            snprintf(what, sizeof what, "%s column \"%.40s\" in the header row",
                     c == N_OFFERING_COLS ? "unknown" : "a second", name);
            return at(rd, 1, i + 1, err, what);
        }
        seen[c] = true;
        map[i] = c;
    }
    return FG_OK;
}

/* Refuses input that is not UTF-8 text (or holds a NUL byte), naming the
   line and the character where it goes wrong. */
static fg_status check_text(const csv_reader *rd, fg_error *err)
{
    csv_reader probe = *rd;
    if (fg_utf8_valid(rd->text + rd->pos, rd->len - rd->pos) &&
        !memchr(rd->text + rd->pos, '\0', rd->len - rd->pos))
        return FG_OK;
    while (probe.pos < probe.len) {
        size_t k = probe.text[probe.pos] ? fg_utf8_char(probe.text + probe.pos) : 0;
        if (k == 0 || k > probe.len - probe.pos)
            return fg_fail(err, FG_EINVAL,
                           "%s: line %zu, character %zu: not UTF-8 text (save the sheet "
                           "as CSV UTF-8)",
                           rd->source, probe.line, probe.col);
        while (k--)
            advance(&probe);
    }
    return FG_OK;
}

bool cat_csv_is_offerings(const char *text, size_t len)
{
    size_t i = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    while (i < len &&
           (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
        i++;
    return i < len && text[i] != '[' && text[i] != '{';
}

/* Finds the 1-based position, in the header `map`, of the column that
   fills JSON field `field` (as offering.c names it); 0 when none does. */
static size_t column_of(const size_t *map, size_t n, const char *field)
{
    for (size_t i = 0; i < n; i++) {
        const char *f = offering_cols[map[i]].field;
        size_t k = strlen(f);
        if (strncmp(field, f, k) == 0 &&
            (field[k] == '\0' || field[k] == '[' || field[k] == '.' || field[k] == ' '))
            return i + 1;
    }
    return 0;
}

/*
 * A validation message reads "SOURCE: line N: field F ...": this adds the
 * column that holds F, so the user finds the cell ("line N, column C
 * (name): field F ...").
 */
static void name_column(fg_error *err, const char *source, const size_t *map, size_t n)
{
    char head[FG_ERROR_MSG_SIZE], msg[FG_ERROR_MSG_SIZE];
    size_t hl, col;
    const char *p, *field;
    int line_end;
    if (!err || err->status != FG_EINVAL)
        return;
    hl = (size_t)snprintf(head, sizeof head, "%s: line ", source);
    if (hl >= sizeof head || strncmp(err->msg, head, hl) != 0)
        return;
    p = err->msg + hl;
    line_end = (int)strspn(p, "0123456789");
    if (line_end == 0 || strncmp(p + line_end, ": field ", 8) != 0)
        return;
    field = p + line_end + 8;
    if ((col = column_of(map, n, field)) == 0)
        return;
    snprintf(msg, sizeof msg, "%.*s, column %zu (%s)%s", (int)(hl + (size_t)line_end),
             err->msg, col, offering_cols[map[col - 1]].name, p + line_end);
    memcpy(err->msg, msg, sizeof msg);
}

fg_status cat_import_csv(cat_catalog *cat, const rt_runtime *rt, const char *text,
                         size_t len, const char *source, cat_import_report *rep,
                         fg_error *err)
{
    csv_reader rd = {.text = text, .source = source, .len = len, .line = 1, .col = 1};
    json_t *names = NULL, *records = json_array(), *wheres = json_array(), *cells;
    size_t map[N_OFFERING_COLS] = {0}, n_cols;
    bool eof;
    fg_status st;

    memset(rep, 0, sizeof *rep);
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        rd.pos = 3; /* the byte-order mark Excel writes */
    if ((st = check_text(&rd, err)) != FG_OK)
        goto out;
    if ((st = read_row(&rd, &names, &eof, err)) != FG_OK)
        goto out;
    if (eof || (n_cols = json_array_size(names)) > N_OFFERING_COLS) {
        st = at(&rd, 1, N_OFFERING_COLS + 1, err,
                eof ? "the file is empty: a header row is expected"
                    : "more columns than an offering has");
        goto out;
    }
    if ((st = read_header(&rd, names, map, err)) != FG_OK)
        goto out;
    for (;;) {
        size_t line = rd.line;
        char where[160];
        json_t *o;
        if ((st = read_row(&rd, &cells, &eof, err)) != FG_OK)
            goto out;
        if (eof)
            break;
        if (json_array_size(cells) == 1 &&
            !*json_string_value(json_array_get(cells, 0))) {
            json_decref(cells); /* a blank line */
            continue;
        }
        if (json_array_size(cells) != n_cols) {
            char what[120];
            snprintf(what, sizeof what, "%zu fields where the header row has %zu",
                     json_array_size(cells), n_cols);
            json_decref(cells);
            st = at(&rd, line, 1, err, what);
            goto out;
        }
        if (json_array_size(records) >= MAX_CSV_RECORDS) {
            json_decref(cells);
            st = at(&rd, line, 1, err, "more than 2000000 records");
            goto out;
        }
        st = row_to_offering(&rd, line, cells, map, &o, err);
        json_decref(cells);
        if (st != FG_OK)
            goto out;
        json_array_append_new(records, o);
        snprintf(where, sizeof where, "%s: line %zu", source, line);
        json_array_append_new(wheres, json_string(where));
    }
    st = cat_import_records(cat, rt, records, wheres, source, rep, err);
    if (st != FG_OK)
        name_column(err, source, map, n_cols);
out:
    free(rd.cell);
    json_decref(names);
    json_decref(records);
    json_decref(wheres);
    return st;
}
