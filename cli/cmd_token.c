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
    "usage: fgcat token create ODS [--expires DURATION] [--output FILE]\n"
    "       fgcat token rotate ODS|ID [--grace DURATION] [--expires DURATION]\n"
    "                                 [--output FILE]\n"
    "       fgcat token list [--json]\n"
    "       fgcat token revoke ODS|ID\n"
    "\n"
    "Tokens let member trusts' nodes use this hub (fgcat remote add ...\n"
    "--token-file F on their side).  create prints a new token for ODS once,\n"
    "on stdout, or writes it to a new file; the hub keeps only its SHA-256\n"
    "hash.  A token made without --expires never expires.  rotate makes a\n"
    "new token for the organisation of ODS|ID and lets the old ones (every\n"
    "valid token of ODS, or the one with that id) work only for the grace\n"
    "period, so that the trust can switch its node to the new one without a\n"
    "failed sync.  list shows each token's id (the start of its hash),\n"
    "organisation and dates, never the token.  revoke stops every token of\n"
    "ODS, or the one with that id, at once: calls with it get 401.\n"
    "  --expires D    (create, rotate) the new token stops working after D:\n"
    "                 a whole number and a unit, d, h, m or s (90d, 12h)\n"
    "  --grace D      (rotate) how long the old tokens keep working\n"
    "                 (default 7d; 0s is not allowed: revoke does that)\n"
    "  --output FILE  (create, rotate) write the token to FILE, a new file\n"
    "                 only its owner can read (mode 0600), instead of stdout\n"
    "  --json  (create, rotate) print {\"ods\", \"token\"}; (list) an array\n"
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
    enum { O_OUTPUT = CLI_OPT_FIRST_OWN, O_EXPIRES, O_GRACE };
    static const struct option opts[] = {{"output", required_argument, NULL, O_OUTPUT},
                                         {"expires", required_argument, NULL, O_EXPIRES},
                                         {"grace", required_argument, NULL, O_GRACE},
                                         CLI_COMMON_OPTIONS};
    char token[CAT_TOKEN_SIZE], ods[8];
    const char *sub, *output = NULL, *expires = NULL, *grace = NULL;
    int64_t lifetime = 0, grace_s = (int64_t)7 * 86400;
    bool makes;
    fg_status made;
    size_t rotated = 0;
    fg_error err;
    int code = 0, c, n, fd = -1;

    while ((c = cli_getopt(ctx, argc, argv, "", opts, token_usage, &code)) >= 0) {
        if (c == O_OUTPUT)
            output = optarg;
        else if (c == O_EXPIRES)
            expires = optarg;
        else if (c == O_GRACE)
            grace = optarg;
    }
    if (c == CLI_GETOPT_EXIT)
        return code;
    n = argc - optind;
    sub = n > 0 ? argv[optind] : "";
    if (!((strcmp(sub, "create") == 0 && n == 2) || (strcmp(sub, "list") == 0 && n == 1) ||
          (strcmp(sub, "revoke") == 0 && n == 2) || (strcmp(sub, "rotate") == 0 && n == 2)))
        return cli_usage_error(argv[0], "expected 'create ODS', 'rotate ODS|ID', 'list' or "
                                        "'revoke ODS|ID'");
    makes = strcmp(sub, "create") == 0 || strcmp(sub, "rotate") == 0;
    if ((output || expires) && !makes)
        return cli_usage_error(argv[0], "--%s goes with create or rotate",
                               output ? "output" : "expires");
    if (grace && strcmp(sub, "rotate") != 0)
        return cli_usage_error(argv[0], "--grace goes with rotate");
    if (expires && !cli_parse_duration(expires, &lifetime))
        return cli_usage_error(argv[0], "--expires takes a duration such as 90d, 12h or 30m, "
                                        "not '%.40s'",
                               expires);
    if (grace && !cli_parse_duration(grace, &grace_s))
        return cli_usage_error(argv[0], "--grace takes a duration such as 7d, 12h or 30m, "
                                        "not '%.40s'",
                               grace);
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
            json_array_foreach(list, i, t) {
                const char *revoked = json_string_value(json_object_get(t, "revoked_at"));
                const char *until = json_string_value(json_object_get(t, "expires_at"));
                printf("%s  %-5s  created %s%s%s%s%s\n",
                       json_string_value(json_object_get(t, "id")),
                       json_string_value(json_object_get(t, "ods")),
                       json_string_value(json_object_get(t, "created_at")),
                       until ? "  expires " : "", until ? until : "",
                       revoked ? "  revoked " : "", revoked ? revoked : "");
            }
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
    snprintf(ods, sizeof ods, "%s", argv[optind + 1]);
    if (strcmp(sub, "rotate") == 0)
        made = cat_token_rotate(ctx->cat, argv[optind + 1], lifetime, grace_s, token, ods,
                                &rotated, &err);
    else
        made = cat_token_create(ctx->cat, argv[optind + 1], lifetime, token, &err);
    if (made != FG_OK) {
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
        if (code == 0)
            fprintf(stderr, "fgcat: token for %s written to %s (mode 0600)\n", ods, output);
    } else if (ctx->json) {
        json_t *j = json_pack("{s:s, s:s}", "ods", ods, "token", token);
        code = cli_print_json(j);
        json_decref(j);
    } else {
        printf("%s\n", token);
    }
    memset(token, 0, sizeof token);
    if (code == 0 && rotated)
        fprintf(stderr, "fgcat: %zu old token%s of %s stop%s working in %s\n", rotated,
                rotated == 1 ? "" : "s", ods, rotated == 1 ? "s" : "", grace ? grace : "7d");
    return code;
}
