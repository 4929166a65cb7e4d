/* Shared libraries loaded on first use (lazylib.h). */
#define _POSIX_C_SOURCE 200809L
#include "lazylib.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

void fg_lazy_open(fg_lazy_lib *l)
{
    void *handle = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char *why = dlerror();
        snprintf(l->why, sizeof l->why, "cannot load %s: %s", l->soname,
                 why ? why : "unknown error");
        return;
    }
    for (size_t i = 0; i < l->count; i++) {
        void *fn = dlsym(handle, l->syms[i].name);
        if (!fn) {
            snprintf(l->why, sizeof l->why, "%s has no %s", l->soname, l->syms[i].name);
            return;
        }
        /* POSIX lets dlsym's data pointer hold a function's address;
           memcpy moves it into the function pointer without aliasing. */
        memcpy((char *)l->table + l->syms[i].offset, &fn, sizeof fn);
    }
    l->ok = true; /* never dlclose()d: its functions are used until exit */
}

bool fg_lazy_ready(fg_lazy_lib *l, void (*loader)(void), fg_error *err)
{
    pthread_once(&l->once, loader);
    if (!l->ok)
        fg_fail(err, FG_EIO, "%s", l->why);
    return l->ok;
}
