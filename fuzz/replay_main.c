/*
 * Replays inputs through a fuzz target without libFuzzer, for builds that
 * cannot link it (gcc, the normal test build): each argument is a file, or
 * a directory whose files are replayed in name order.  A crash is the
 * sanitizers' or fz_fail's; this only fails when an input cannot be read
 * or there is nothing to replay, so a test of an empty corpus cannot pass.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#define MAX_INPUT ((size_t)16 * 1024 * 1024)

/* Replays one file; false when it cannot be read. */
static bool replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    size_t n;
    if (!f) {
        fprintf(stderr, "replay: cannot open %s: %s\n", path, strerror(errno));
        return false;
    }
    buf = malloc(MAX_INPUT + 1);
    if (!buf)
        abort();
    n = fread(buf, 1, MAX_INPUT + 1, f);
    fclose(f);
    if (n > MAX_INPUT) {
        fprintf(stderr, "replay: %s is larger than %zu bytes\n", path, MAX_INPUT);
        free(buf);
        return false;
    }
    fprintf(stderr, "replay: %s (%zu bytes)\n", path, n);
    /* A copy of exactly n bytes, so reading past the input is caught. */
    {
        uint8_t *exact = malloc(n ? n : 1);
        if (!exact)
            abort();
        memcpy(exact, buf, n);
        free(buf);
        LLVMFuzzerTestOneInput(exact, n);
        free(exact);
    }
    return true;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* Replays every regular file of `dir`; adds them to *count. */
static bool replay_dir(const char *dir, size_t *count)
{
    struct dirent **names;
    bool ok = true;
    int n = scandir(dir, &names, NULL, by_name);
    if (n < 0) {
        fprintf(stderr, "replay: cannot list %s: %s\n", dir, strerror(errno));
        return false;
    }
    for (int i = 0; i < n; i++) {
        char path[4096];
        struct stat sb;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
        if (names[i]->d_name[0] != '.' && stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
            ok = replay_file(path) && ok;
            ++*count;
        }
        free(names[i]);
    }
    free(names);
    return ok;
}

int main(int argc, char **argv)
{
    size_t count = 0;
    bool ok = true;
    for (int i = 1; i < argc; i++) {
        struct stat sb;
        if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
            ok = replay_dir(argv[i], &count) && ok;
        } else {
            ok = replay_file(argv[i]) && ok;
            count++;
        }
    }
    if (count == 0) {
        fprintf(stderr, "usage: %s FILE|DIR... (no inputs given)\n", argv[0]);
        return 1;
    }
    fprintf(stderr, "replay: %zu inputs%s\n", count, ok ? "" : ", some unreadable");
    return ok ? 0 : 1;
}
