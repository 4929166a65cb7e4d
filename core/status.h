/*
 * Status codes and the error struct shared by every fgcat module.
 *
 * Functions return an fg_status (0 = FG_OK).  Detail goes into an optional
 * caller-provided fg_error with a fixed-size message, so a message can name
 * the field, the file and the line without allocating (Jansson's
 * json_error_t is the model).  Each status maps to one exit code of
 * SPEC §6, so a front end turns any failure into the right exit status.
 */
#ifndef FG_STATUS_H
#define FG_STATUS_H

#include <stddef.h>

/* X(name, exit code, description) */
#define FG_STATUS_MAP(X)                                                       \
    X(OK, 0, "success")                                                        \
    X(EINVAL, 2, "invalid input")                                              \
    X(ENOTFOUND, 3, "not found")                                               \
    X(EREFUSED, 4, "refused by a rule")                                        \
    X(EPERM, 4, "not permitted")                                               \
    X(ECONFLICT, 4, "conflict")                                                \
    X(EDB, 1, "database error")                                                \
    X(EIO, 1, "I/O error")                                                     \
    X(ENOMEM, 1, "out of memory")                                              \
    X(ENET, 1, "network error")                                                \
    X(EPLUGIN, 1, "plugin failure")                                            \
    X(EINTERNAL, 1, "internal error")

typedef enum fg_status {
#define FG_STATUS_ENUM(name, code, text) FG_##name,
    FG_STATUS_MAP(FG_STATUS_ENUM)
#undef FG_STATUS_ENUM
        FG_STATUS_COUNT
} fg_status;

#define FG_ERROR_MSG_SIZE 512

/* Detail for a failed call: the status and one line of text, no newline. */
typedef struct fg_error {
    fg_status status;
    char msg[FG_ERROR_MSG_SIZE];
} fg_error;

/* A short description of `st` ("not found"); never NULL. */
const char *fg_strerror(fg_status st);

/* The exit code SPEC §6 gives `st`: 0, 1, 2, 3 or 4. */
int fg_exit_code(fg_status st);

/*
 * Records `st` and a printf-style message in `err` (which may be NULL) and
 * returns `st`, so a caller can write `return fg_fail(err, FG_EINVAL, ...)`.
 */
fg_status fg_fail(fg_error *err, fg_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Clears `err` (may be NULL) to FG_OK and an empty message. */
void fg_error_clear(fg_error *err);

#endif /* FG_STATUS_H */
