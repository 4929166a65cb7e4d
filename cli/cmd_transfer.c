/*
 * fgcat import and fgcat export.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"

#define MAX_IMPORT_BYTES ((size_t)2 << 30)

/* Reads a whole stream into a new buffer of at most `max` bytes, with a NUL
   after them (not counted in *len); NULL with errno set on failure (EFBIG
   when too large). */
static char *read_all(FILE *f, size_t max, size_t *len)
{
    size_t cap = 1 << 20, n = 0;
    char *buf = fg_xmalloc(cap);
    for (;;) {
        size_t got;
        if (n + 1 == cap) {
            if (cap >= max) {
                free(buf);
                errno = EFBIG;
                return NULL;
            }
            cap = cap * 2 > max ? max : cap * 2;
            buf = fg_xrealloc(buf, cap);
        }
        got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                free(buf);
                errno = EIO;
                return NULL;
            }
            break;
        }
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static const char import_usage[] =
    "usage: fgcat import FILE|- [--format json|csv|fhir] [--json]\n"
    "\n"
    "Imports offerings from FILE or standard input.  All or nothing: every\n"
    "record is validated (the offering format and its area's plugin) before\n"
    "anything is written, and one bad record leaves the catalogue unchanged.\n"
    "A record with a rev keeps it and must be newer than the stored one (an\n"
    "equal rev with equal content is a no-op); a record without one is a local\n"
    "edit and gets the next rev if it changes.\n"
    "\n"
    "Formats ('fgcat export --format F' writes each of them):\n"
    "  json  a JSON array of offerings\n"
    "  csv   the CSV of docs/csv.md: a header row naming the columns (in any\n"
    "        order), then one offering a line; errors name line and column\n"
    "  fhir  a FHIR R4 Bundle: each HealthcareService is an offering, its\n"
    "        provider named by the Bundle's Organization (docs/fhir.md)\n"
    "Without --format the content decides: a JSON object whose resourceType\n"
    "is \"Bundle\" is FHIR, anything else starting with '[' or '{' is JSON, and\n"
    "the rest is CSV.\n"
    "\n"
    "  --format F  json, csv or fhir\n"
    "  --json      print {\"added\", \"changed\", \"unchanged\"}\n"
    "  --db PATH, --plugin-path DIRS, --help\n";

int cmd_import(cli_ctx *ctx, int argc, char **argv)
{
    enum { O_FORMAT = CLI_OPT_FIRST_OWN };
    static const struct option opts[] = {{"format", required_argument, NULL, O_FORMAT},
                                         CLI_COMMON_OPTIONS};
    const char *path, *format = NULL;
    char *text;
    size_t len;
    cat_import_report rep;
    fg_error err;
    fg_status st;
    int code = 0, c;

    while ((c = cli_getopt(ctx, argc, argv, "", opts, import_usage, &code)) >= 0)
        if (c == O_FORMAT)
            format = optarg;
    if (c == CLI_GETOPT_EXIT)
        return code;
    if (argc - optind != 1)
        return cli_usage_error(argv[0], "expected one FILE (or - for standard input)");
    if (format && strcmp(format, "json") != 0 && strcmp(format, "csv") != 0 &&
        strcmp(format, "fhir") != 0)
        return cli_usage_error(argv[0], "--format must be json, csv or fhir, not '%.40s'",
                               format);
    path = argv[optind];
    {
        /* Read it whole, then parse from memory (a record at a time): Jansson
           parses a buffer much faster than a stream read by the character. */
        FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
        if (!f)
            return cli_error(errno == ENOENT ? 3 : 1, "import: cannot open '%s': %s", path,
                             strerror(errno));
        text = read_all(f, MAX_IMPORT_BYTES, &len);
        if (f != stdin)
            fclose(f);
        if (strcmp(path, "-") == 0)
            path = "<stdin>";
        if (!text)
            return cli_error(errno == EFBIG ? 2 : 1, "import: cannot read '%s': %s", path,
                             errno == EFBIG ? "larger than 2 GiB" : strerror(errno));
    }
    if (!format)
        format = cat_fhir_is_bundle(text, len) ? "fhir"
                 : cat_csv_is_offerings(text, len) ? "csv"
                                                   : "json";
    if (cli_catalog(ctx, &err) != FG_OK) {
        free(text);
        return cli_fail(&err);
    }
    if (strcmp(format, "csv") == 0)
        st = cat_import_csv(ctx->cat, cli_runtime(ctx), text, len, path, &rep, &err);
    else if (strcmp(format, "fhir") == 0)
        st = cat_import_fhir(ctx->cat, cli_runtime(ctx), text, len, path, &rep, &err);
    else
        st = cat_import_text(ctx->cat, cli_runtime(ctx), text, len, path, &rep, &err);
    free(text);
    if (st != FG_OK)
        /* "import: " like the messages above, so every refusal reads alike. */
        return cli_error(fg_exit_code(err.status), "import: %s",
                         err.msg[0] ? err.msg : fg_strerror(err.status));
    if (ctx->json) {
        json_t *j = json_pack("{s:I, s:I, s:I}", "added", (json_int_t)rep.added,
                              "changed", (json_int_t)rep.changed, "unchanged",
                              (json_int_t)rep.unchanged);
        code = cli_print_json(j);
        json_decref(j);
    } else {
        printf("import: %zu added, %zu changed, %zu unchanged\n", rep.added, rep.changed,
               rep.unchanged);
    }
    return code;
}

static const char export_usage[] =
    "usage: fgcat export [--format json|csv|fhir] [--excel] [--include-requests]\n"
    "\n"
    "Writes every offering (withdrawn ones too), ordered by id, to standard\n"
    "output, in a form 'fgcat import' reads back:\n"
    "  json  (the default) the JSON array of offerings\n"
    "  csv   RFC 4180 CSV, UTF-8, with the header row of docs/csv.md: prices in\n"
    "        pounds as plain numbers, lists joined with ';', and text that a\n"
    "        spreadsheet would run as a formula (starting with = + - @) kept as\n"
    "        text behind an apostrophe\n"
    "  fhir  a FHIR R4 Bundle (type collection): an Organization per provider\n"
    "        (its ODS code) and a HealthcareService per offering (docs/fhir.md)\n"
    "\n"
    "  --format F          json, csv or fhir\n"
    "  --excel             (csv) start with the byte-order mark Excel needs to\n"
    "                      read UTF-8\n"
    "  --include-requests  (fhir) add every request this catalogue holds as a\n"
    "                      ServiceRequest (a node holds only the requests its\n"
    "                      trust made or received)\n"
    "  --db PATH, --plugin-path DIRS, --help\n";

/* Prints FHIR JSON: decimals (money) with 15 significant digits, so 18.5
   reads 18.5 and not 18.500000000000000. */
static int print_fhir(const json_t *value)
{
    if (json_dumpf(value, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(15)) != 0 ||
        fputc('\n', stdout) == EOF || fflush(stdout) != 0)
        return cli_error(1, "cannot write to standard output");
    return 0;
}

int cmd_export(cli_ctx *ctx, int argc, char **argv)
{
    enum { O_FORMAT = CLI_OPT_FIRST_OWN, O_EXCEL, O_REQUESTS };
    static const struct option opts[] = {{"format", required_argument, NULL, O_FORMAT},
                                         {"excel", no_argument, NULL, O_EXCEL},
                                         {"include-requests", no_argument, NULL, O_REQUESTS},
                                         CLI_COMMON_OPTIONS};
    const char *format = "json";
    bool excel = false, with_requests = false;
    json_t *all, *requests = NULL;
    fg_error err;
    int code = 0, c;

    while ((c = cli_getopt(ctx, argc, argv, "", opts, export_usage, &code)) >= 0) {
        if (c == O_FORMAT)
            format = optarg;
        else if (c == O_EXCEL)
            excel = true;
        else if (c == O_REQUESTS)
            with_requests = true;
    }
    if (c == CLI_GETOPT_EXIT)
        return code;
    if (optind != argc)
        return cli_usage_error(argv[0], "takes no arguments");
    if (strcmp(format, "json") != 0 && strcmp(format, "csv") != 0 &&
        strcmp(format, "fhir") != 0)
        return cli_usage_error(argv[0], "--format must be json, csv or fhir, not '%.40s'",
                               format);
    if (excel && strcmp(format, "csv") != 0)
        return cli_usage_error(argv[0], "--excel goes with --format csv");
    if (with_requests && strcmp(format, "fhir") != 0)
        return cli_usage_error(argv[0], "--include-requests goes with --format fhir");
    if (cli_catalog(ctx, &err) != FG_OK || cat_export(ctx->cat, &all, &err) != FG_OK)
        return cli_fail(&err);
    if (strcmp(format, "csv") == 0) {
        if (cat_csv_offerings(stdout, all, excel, &err) != FG_OK)
            code = cli_fail(&err);
    } else if (strcmp(format, "fhir") == 0) {
        cat_request_filter f = {0};
        json_t *bundle;
        if (with_requests && cat_request_list(ctx->cat, &f, &requests, &err) != FG_OK) {
            json_decref(all);
            return cli_fail(&err);
        }
        bundle = cat_fhir_bundle("collection", all, requests, NULL);
        code = print_fhir(bundle);
        json_decref(bundle);
        json_decref(requests);
    } else {
        code = cli_print_json(all);
    }
    json_decref(all);
    return code;
}

static const char delete_usage[] =
    "usage: fgcat delete ID\n"
    "\n"
    "Removes an offering from this catalogue for good (to keep it visible as\n"
    "withdrawn, stop registering or import it with \"status\": \"withdrawn\"\n"
    "instead).  The deletion travels to hubs as a tombstone when this node's\n"
    "organisation provides the offering.  Requests for it are kept.  A plugin\n"
    "that still registers the offering brings it back at the next refresh.\n"
    "  --db PATH, --help\n";

int cmd_delete(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {CLI_COMMON_OPTIONS};
    bool deleted = false;
    fg_error err;
    int code = 0, c;

    while ((c = cli_getopt(ctx, argc, argv, "", opts, delete_usage, &code)) >= 0)
        ;
    if (c == CLI_GETOPT_EXIT)
        return code;
    if (argc - optind != 1)
        return cli_usage_error(argv[0], "expected one offering ID");
    if (cli_catalog(ctx, &err) != FG_OK || cat_offering_delete(ctx->cat, argv[optind],
                                                               &deleted, &err) != FG_OK)
        return cli_fail(&err);
    if (!deleted)
        return cli_error(3, "no offering with id '%.100s'", argv[optind]);
    return 0;
}
