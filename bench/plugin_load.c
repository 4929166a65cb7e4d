/*
 * Times loading the plugins of one directory in a fresh process, as fgcat
 * does at start-up: prints milliseconds.
 *
 *     plugin_load DIR            no descriptor cache: each plugin's worker
 *                                starts (spawn, sandbox, dlopen,
 *                                descriptor checks, init)
 *     plugin_load DIR CACHE      with the descriptor cache kept in the
 *                                file CACHE (as the CLI keeps it in the
 *                                catalogue): a plugin file it knows starts
 *                                no worker; what was learnt is written
 *                                back, so the first run fills it
 *
 * FGCAT_PLUGIN_WORKER names the worker executable (this program does not
 * live beside it).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "runtime.h"

/* The whole of `path`, new; NULL when it cannot be read. */
static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)n + 1)) != NULL) {
        if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        } else {
            buf[n] = '\0';
        }
    }
    fclose(f);
    return buf;
}

int main(int argc, char **argv)
{
    struct timespec t0, t1;
    rt_runtime *rt;
    char *cache = NULL, *out;

    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: plugin_load DIR [CACHE]\n");
        return 2;
    }
    if (argc == 3)
        cache = read_all(argv[2]);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rt = rt_create();
    if (argc == 3)
        rt_set_descriptor_cache(rt, cache);
    rt_load_path(rt, argv[1]);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("%.3f ms, %zu plugins\n",
           (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6,
           rt_plugin_count(rt));
    out = argc == 3 ? rt_descriptor_cache(rt) : NULL;
    if (out) {
        FILE *f = fopen(argv[2], "wb");
        if (!f || fputs(out, f) == EOF || fclose(f) != 0) {
            fprintf(stderr, "plugin_load: cannot write %s\n", argv[2]);
            return 1;
        }
    }
    free(out);
    free(cache);
    rt_free(rt);
    return 0;
}
