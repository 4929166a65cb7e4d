/*
 * Shared libraries loaded on first use.
 *
 * Only the commands that talk to a hub (sync, remote) or run one (serve,
 * token) need libcurl, libmicrohttpd or libcrypto, and loading them and
 * their dependencies costs every process a few milliseconds at start-up
 * (libcurl alone pulls in some thirty libraries) -- more than a selective
 * search takes.  So fgcat is not linked against them: the library that
 * uses one (sync/ libcurl, hub/ libmicrohttpd, catalog/ libcrypto) keeps
 * a table of exactly the functions it calls and fills it here, by dlopen
 * of the soname CMake found at build time, the first time it is asked.
 * The library stays loaded until exit.
 */
#ifndef FG_LAZYLIB_H
#define FG_LAZYLIB_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "status.h"

/* A function to take from a library: its name, and where in the table its
   pointer goes. */
typedef struct fg_lazy_sym {
    const char *name;
    size_t offset;
} fg_lazy_sym;

/* One library: its soname, its table (function pointers only), the
   functions to find, and the state of loading it. */
typedef struct fg_lazy_lib {
    const char *soname;
    void *table;
    const fg_lazy_sym *syms;
    size_t count;
    pthread_once_t once;
    bool ok;
    char why[FG_ERROR_MSG_SIZE];
} fg_lazy_lib;

#define FG_LAZY_SYM(type, member, name) {(name), offsetof(type, member)}
#define FG_LAZY_LIB(soname, table, syms)                                       \
    {(soname), &(table), (syms), sizeof(syms) / sizeof((syms)[0]), PTHREAD_ONCE_INIT, false, ""}

/* True when every member of a table of `count` function pointers is named
   (for a _Static_assert beside the table). */
#define FG_LAZY_COMPLETE(table, syms)                                          \
    (sizeof(table) == sizeof(syms) / sizeof((syms)[0]) * sizeof(void *))

/*
 * Defines `const TYPE *API(fg_error *err)`: the table of SONAME's
 * functions named in SYMS (an array of fg_lazy_sym), loaded on the first
 * call (thread-safe), then `after` (a statement: set-up the library asks
 * for, which may clear API_lib.ok) once.  Borrowed, valid until exit; NULL
 * with FG_EIO and the reason in `err` when it cannot be loaded.
 */
#define FG_LAZY_DEFINE(TYPE, API, SONAME, SYMS, after)                         \
    static TYPE API##_table;                                                   \
    _Static_assert(FG_LAZY_COMPLETE(API##_table, SYMS),                        \
                   #SYMS " must name every member of " #TYPE);                 \
    static fg_lazy_lib API##_lib = FG_LAZY_LIB(SONAME, API##_table, SYMS);     \
    static void API##_load(void)                                               \
    {                                                                          \
        fg_lazy_open(&API##_lib);                                              \
        after;                                                                 \
    }                                                                          \
    const TYPE *API(fg_error *err)                                             \
    {                                                                          \
        return fg_lazy_ready(&API##_lib, API##_load, err) ? &API##_table : NULL; \
    }

/* Opens l->soname and fills l->table; sets l->ok or l->why.  Call it from
   the pthread_once routine of `l` only. */
void fg_lazy_open(fg_lazy_lib *l);

/* Runs `loader` once (it calls fg_lazy_open(l) and any set-up the library
   asks for) and says whether `l` is ready; when not, FG_EIO with the
   reason in `err`. */
bool fg_lazy_ready(fg_lazy_lib *l, void (*loader)(void), fg_error *err);

#endif /* FG_LAZYLIB_H */
