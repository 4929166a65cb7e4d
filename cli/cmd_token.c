/*
 * fgcat token: issuing, listing and revoking the tokens of this hub.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char token_usage[] =
    "usage: fgcat token create ODS [--output FILE]\n"
    "       fgcat token list [--json]\n"
    "       fgcat token revoke ODS|ID\n"
    "\n"
    "Tokens let member trusts' nodes use this hub (fgcat remote add ...\n"
    "--token-file F on their side).  create prints a new token for ODS once,\n"
    "on stdout, or writes it to a new file; the hub keeps only its SHA-256\n"
    "hash.  list shows each token's id (the start of its hash), organisation\n"
    "and dates.  revoke stops every token of ODS, or the one with that id:\n"
    "calls with it get 401.\n"
    "  --output FILE  (create) write the token to FILE, a new file only its\n"
    "                 owner can read (mode 0600), instead of stdout\n"
    "  --json  (create) print {\"ods\", \"token\"}; (list) an array\n"
    "  --db PATH, --help\n";

/* Writes `token` and a newline to `fd` and closes it; 0, or 1 with one
   line naming `path`. */
static int write_token(int fd, const char *path, const char *token)
{
    char line[CAT_TOKEN_SIZE + 1];
    size_t off = 0, n = (size_t)snprintf(line, sizeof line, "%s\n", token);
    while (off < n) {
        ssize_t w = write(fd, line + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            close(fd);
            return cli_error(1, "cannot write token file '%s': %s", path, strerror(errno));
        }
        off += (size_t)w;
    }
    memset(line, 0, sizeof line);
    if (close(fd) != 0)
        return cli_error(1, "cannot write token file '%s': %s", path, strerror(errno));
    return 0;
}

int cmd_token(cli_ctx *ctx, int argc, char **argv)
{
    enum { O_OUTPUT = CLI_OPT_FIRST_OWN };
    static const struct option opts[] = {{"output", required_argument, NULL, O_OUTPUT},
                                         CLI_COMMON_OPTIONS};
    char token[CAT_TOKEN_SIZE];
    const char *sub, *output = NULL;
    fg_error err;
    int code = 0, c, n, fd = -1;

    while ((c = cli_getopt(ctx, argc, argv, "", opts, token_usage, &code)) >= 0)
        if (c == O_OUTPUT)
            output = optarg;
    if (c == CLI_GETOPT_EXIT)
        return code;
    n = argc - optind;
    sub = n > 0 ? argv[optind] : "";
    if (!((strcmp(sub, "create") == 0 && n == 2) || (strcmp(sub, "list") == 0 && n == 1) ||
          (strcmp(sub, "revoke") == 0 && n == 2)))
        return cli_usage_error(argv[0], "expected 'create ODS', 'list' or 'revoke ODS|ID'");
    if (output && strcmp(sub, "create") != 0)
        return cli_usage_error(argv[0], "--output goes with create");
    if (cli_catalog(ctx, &err) != FG_OK)
        return cli_fail(&err);
    if (strcmp(sub, "list") == 0) {
        json_t *list, *t;
        size_t i;
        if (cat_token_list(ctx->cat, &list, &err) != FG_OK)
            return cli_fail(&err);
        if (ctx->json)
            code = cli_print_json(list);
        else
            json_array_foreach(list, i, t) printf(
                "%s  %-5s  created %s%s%s\n", json_string_value(json_object_get(t, "id")),
                json_string_value(json_object_get(t, "ods")),
                json_string_value(json_object_get(t, "created_at")),
                json_is_string(json_object_get(t, "revoked_at")) ? "  revoked " : "",
                json_is_string(json_object_get(t, "revoked_at"))
                    ? json_string_value(json_object_get(t, "revoked_at"))
                    : "");
        json_decref(list);
        return code;
    }
    if (strcmp(sub, "revoke") == 0) {
        size_t revoked;
        if (cat_token_revoke(ctx->cat, argv[optind + 1], &revoked, &err) != FG_OK)
            return err.status == FG_EINVAL ? cli_usage_error(argv[0], "%s", err.msg)
                                           : cli_fail(&err);
        fprintf(stderr, "fgcat: revoked %zu token%s\n", revoked, revoked == 1 ? "" : "s");
        return 0;
    }
    /* The file first: a token is made only when it has somewhere to go,
       and an existing file (perhaps another trust's token) is kept. */
    if (output && (fd = open(output, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
        return cli_error(errno == EEXIST ? 2 : 1, "cannot create token file '%s': %s%s",
                         output, strerror(errno),
                         errno == EEXIST ? " (it is kept; choose another name)" : "");
    if (cat_token_create(ctx->cat, argv[optind + 1], token, &err) != FG_OK) {
        if (fd >= 0) {
            close(fd);
            unlink(output);
        }
        return err.status == FG_EINVAL ? cli_usage_error(argv[0], "%s", err.msg)
                                       : cli_fail(&err);
    }
    if (output) {
        /* The umask may have taken bits away, never added any: 0600 holds. */
        code = write_token(fd, output, token);
        memset(token, 0, sizeof token);
        if (code == 0)
            fprintf(stderr, "fgcat: token for %s written to %s (mode 0600)\n",
                    argv[optind + 1], output);
        return code;
    }
    if (ctx->json) {
        json_t *j = json_pack("{s:s, s:s}", "ods", argv[optind + 1], "token", token);
        code = cli_print_json(j);
        json_decref(j);
    } else {
        printf("%s\n", token);
    }
    return code;
}
