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

/* Reads a whole stream into a new buffer of at most `max` bytes; NULL with
   errno set on failure (EFBIG when too large). */
static char *read_all(FILE *f, size_t max, size_t *len)
{
    size_t cap = 1 << 20, n = 0;
    char *buf = fg_xmalloc(cap);
    for (;;) {
        size_t got;
        if (n == cap) {
            if (cap >= max) {
                free(buf);
                errno = EFBIG;
                return NULL;
            }
            cap = cap * 2 > max ? max : cap * 2;
            buf = fg_xrealloc(buf, cap);
        }
        got = fread(buf + n, 1, cap - n, f);
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
    *len = n;
    return buf;
}

static const char import_usage[] =
    "usage: fgcat import FILE|- [--json]\n"
    "\n"
    "Imports a JSON array of offerings (the shape 'fgcat export' writes) from\n"
    "FILE or standard input.  All or nothing: every record is checked (its\n"
    "format and its area's plugin) before anything is written, and one bad record\n"
    "leaves the catalogue unchanged.  A record with \"rev\" keeps it and must be\n"
    "newer than the stored one (an equal rev with equal content is a no-op); a\n"
    "record without \"rev\" is a local edit and gets the next rev if it changes.\n"
    "  --json  print {\"added\", \"changed\", \"unchanged\"}\n"
    "  --db PATH, --plugin-path DIRS, --help\n";

int cmd_import(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {CLI_COMMON_OPTIONS};
    const char *path;
    char *text;
    size_t len;
    cat_import_report rep;
    fg_error err;
    int code = 0, c;

    while ((c = cli_getopt(ctx, argc, argv, "", opts, import_usage, &code)) >= 0)
        ;
    if (c == CLI_GETOPT_EXIT)
        return code;
    if (argc - optind != 1)
        return cli_usage_error(argv[0], "expected one FILE (or - for standard input)");
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
    if (cli_catalog(ctx, &err) != FG_OK) {
        free(text);
        return cli_fail(&err);
    }
    if (cat_import_text(ctx->cat, cli_runtime(ctx), text, len, path, &rep, &err) != FG_OK) {
        free(text);
        /* "import: " like the messages above, so every refusal reads alike. */
        return cli_error(fg_exit_code(err.status), "import: %s",
                         err.msg[0] ? err.msg : fg_strerror(err.status));
    }
    free(text);
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
    "usage: fgcat export [--format json]\n"
    "\n"
    "Writes every offering (withdrawn ones too), ordered by id, to standard\n"
    "output as the JSON array that 'fgcat import' reads.\n"
    "  --format F  json (the default)\n"
    "  --db PATH, --plugin-path DIRS, --help\n";

int cmd_export(cli_ctx *ctx, int argc, char **argv)
{
    enum { O_FORMAT = CLI_OPT_FIRST_OWN };
    static const struct option opts[] = {{"format", required_argument, NULL, O_FORMAT},
                                         CLI_COMMON_OPTIONS};
    const char *format = "json";
    json_t *all;
    fg_error err;
    int code = 0, c;

    while ((c = cli_getopt(ctx, argc, argv, "", opts, export_usage, &code)) >= 0)
        if (c == O_FORMAT)
            format = optarg;
    if (c == CLI_GETOPT_EXIT)
        return code;
    if (optind != argc)
        return cli_usage_error(argv[0], "takes no arguments");
    if (strcmp(format, "json") != 0)
        return cli_usage_error(argv[0], "--format must be json, not '%.40s'", format);
    if (cli_catalog(ctx, &err) != FG_OK || cat_export(ctx->cat, &all, &err) != FG_OK)
        return cli_fail(&err);
    code = cli_print_json(all);
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
