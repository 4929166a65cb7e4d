/*
 * The fgcat command line: shared state and helpers for the cmd_*.c files.
 * Each command parses its own options (getopt_long), calls the catalogue
 * library, and prints: data on stdout, messages on stderr as one line
 * "fgcat: ...".
 */
#ifndef CLI_H
#define CLI_H

#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>

#include "catalog/catalog.h"
#include "log.h"
#include "runtime.h"
#include "status.h"

typedef struct cli_ctx {
    const char *db_path;     /* --db, FGCAT_DB, or the default */
    const char *plugin_path; /* --plugin-path, FGCAT_PLUGIN_PATH, or built-ins */
    bool json;               /* --json */
    cat_catalog *cat;        /* opened on demand */
    rt_runtime *rt;          /* loaded on demand */
    char db_buf[4096];
    char plugin_buf[4096];
} cli_ctx;

/* Option codes shared by every command (above any short option). */
enum {
    CLI_OPT_JSON = 1000,
    CLI_OPT_DB,
    CLI_OPT_PLUGIN_PATH,
    CLI_OPT_HELP,
    CLI_OPT_FIRST_OWN /* commands number their own long options from here */
};

/* The options every command accepts; end a command's table with these. */
#define CLI_COMMON_OPTIONS                                                     \
    {"json", no_argument, NULL, CLI_OPT_JSON},                                 \
        {"db", required_argument, NULL, CLI_OPT_DB},                           \
        {"plugin-path", required_argument, NULL, CLI_OPT_PLUGIN_PATH},         \
        {"help", no_argument, NULL, CLI_OPT_HELP}, {NULL, 0, NULL, 0}

/* Outcome of cli_getopt: an option of the command, the end, or an exit. */
#define CLI_GETOPT_END (-1)
#define CLI_GETOPT_EXIT (-2)

/*
 * getopt_long for a command: handles the common options itself (and --help
 * by printing `usage`), reports unknown or incomplete options as usage
 * errors.  Returns the command's own option code, CLI_GETOPT_END when the
 * options are over, or CLI_GETOPT_EXIT with *exit_code set.
 */
int cli_getopt(cli_ctx *ctx, int argc, char **argv, const char *shortopts,
               const struct option *longopts, const char *usage, int *exit_code);

/*
 * For a command that takes only the common options: parses them like
 * cli_getopt, then checks the arguments after them: none when `arg` is
 * NULL, else exactly one, which `arg` names in the usage error ("expected
 * one offering ID").  Returns true, with *exit_code 0, when the command
 * goes on; false with *exit_code set when it is over (--help, a usage
 * error).
 */
bool cli_common_args(cli_ctx *ctx, int argc, char **argv, const char *usage,
                     const char *arg, int *exit_code);

/* 0 when `format` is one of the formats offerings travel in (json, csv,
   fhir), else a usage error of command `cmd` naming it (2). */
int cli_check_format(const char *cmd, const char *format);

/* Prints "fgcat: <msg>" on stderr and returns the exit code for `err`. */
int cli_fail(const fg_error *err);

/* Prints "fgcat: <printf message>" on stderr and returns `code`. */
int cli_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A usage error: "fgcat: <cmd>: <message> (see fgcat <cmd> --help)", 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Shows library log lines up to `level` on stderr (default: warnings). */
void cli_log_level(fg_log_level level);

/* Loads the plugins (once).  Refusals are warned about, not fatal.  With
   a catalogue, a plugin file it has recorded starts its worker on its
   first call, not now (rt_set_descriptor_cache). */
rt_runtime *cli_runtime(cli_ctx *ctx);

/* The catalogue's setting that records the plugin files' descriptors. */
#define CLI_META_PLUGIN_CACHE "plugin_descriptors"

/* Records in the catalogue what loading learnt of the plugin files, when
   it learnt anything new (at the end of a command). */
void cli_save_plugin_cache(cli_ctx *ctx);

/* Applies the catalogue's plugin settings (the time limit of a plugin
   call) to `rt`, opening the catalogue when its file exists. */
void cli_apply_settings(cli_ctx *ctx, rt_runtime *rt);

/*
 * Opens the catalogue (once).  A new catalogue is filled by the plugins'
 * registrations first (SPEC §6: right after building, search shows results).
 * Returns FG_OK or the failure in `err`.
 */
fg_status cli_catalog(cli_ctx *ctx, fg_error *err);

/* Prints `value` as indented JSON on stdout, then a newline. */
int cli_print_json(const json_t *value);

/* Parses a duration as "90d", "12h", "30m" or "45s" (a whole number from
   1 and a unit, at most ten years) into seconds; false when it is not one. */
bool cli_parse_duration(const char *s, int64_t *seconds);


/* One command's entry point. argv[0] is the command's name. */
typedef int (*cli_cmd_fn)(cli_ctx *ctx, int argc, char **argv);

int cmd_search(cli_ctx *ctx, int argc, char **argv);
int cmd_show(cli_ctx *ctx, int argc, char **argv);
int cmd_areas(cli_ctx *ctx, int argc, char **argv);
int cmd_plugins(cli_ctx *ctx, int argc, char **argv);
int cmd_refresh(cli_ctx *ctx, int argc, char **argv);
int cmd_import(cli_ctx *ctx, int argc, char **argv);
int cmd_export(cli_ctx *ctx, int argc, char **argv);
int cmd_delete(cli_ctx *ctx, int argc, char **argv);
int cmd_request(cli_ctx *ctx, int argc, char **argv);
int cmd_serve(cli_ctx *ctx, int argc, char **argv);
int cmd_token(cli_ctx *ctx, int argc, char **argv);
int cmd_user(cli_ctx *ctx, int argc, char **argv);
int cmd_remote(cli_ctx *ctx, int argc, char **argv);
int cmd_sync(cli_ctx *ctx, int argc, char **argv);
int cmd_config(cli_ctx *ctx, int argc, char **argv);
int cmd_notify(cli_ctx *ctx, int argc, char **argv);
int cmd_backup(cli_ctx *ctx, int argc, char **argv);
int cmd_restore(cli_ctx *ctx, int argc, char **argv);

#endif /* CLI_H */
