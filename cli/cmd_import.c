/*
 * fgcat import: offerings from JSON, CSV or FHIR, all or nothing.
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
    if (format && (code = cli_check_format(argv[0], format)) != 0)
        return code;
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
