/*
 * Times loading the plugins of one directory (each in its worker process:
 * spawn, sandbox, dlopen, descriptor checks, init) in a fresh process, as
 * fgcat does at start-up: prints milliseconds.  FGCAT_PLUGIN_WORKER names
 * the worker executable (this program does not live beside it).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <time.h>

#include "runtime.h"

int main(int argc, char **argv)
{
    struct timespec t0, t1;
    rt_runtime *rt;
    if (argc != 2) {
        fprintf(stderr, "usage: plugin_load DIR\n");
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rt = rt_create();
    rt_load_path(rt, argv[1]);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("%.3f ms, %zu plugins\n",
           (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6,
           rt_plugin_count(rt));
    rt_free(rt);
    return 0;
}
