/*
 * crash-init — a broken test plugin: its init crashes with SIGSEGV.  Never
 * load it in a test process; `fgcat plugins check` loads plugins in a child
 * so that this is reported, not fatal.
 *
 * The default action is restored before raising: a sanitizer (or any host)
 * may have installed a SIGSEGV handler that turns the crash into an exit
 * status, and the test wants a real death by signal whatever the build.
 */
#include "common.h"

#include <signal.h>
#include <stdlib.h>

static int init_crash(const fgcat_host_api *host, void **state, char *msg,
                      size_t msg_size)
{
    (void)host;
    (void)state;
    (void)msg;
    (void)msg_size;
    signal(SIGSEGV, SIG_DFL);
    raise(SIGSEGV);
    abort(); /* not reached unless SIGSEGV is blocked */
}

TP_PLUGIN("crash-init", .init = init_crash)
