/*
 * fgcat export: every offering as JSON, CSV or FHIR R4.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

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
    if ((code = cli_check_format(argv[0], format)) != 0)
        return code;
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
