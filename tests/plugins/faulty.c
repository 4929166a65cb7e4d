/*
 * faulty — a test plugin that misbehaves on demand, to test isolation.
 *
 * It owns the area "faulty" and registers one offering, FLT/faulty-course
 * (per-delegate, 5000 pence, attributes {"min_delegates": 2,
 * "max_delegates": 8}).  FGCAT_FAULT says where and how it misbehaves, as
 * "CALLBACK:FAULT" (several separated by commas), read on every call:
 *
 *   CALLBACK  entry, init, register, validate, quote, shutdown
 *   FAULT     segv    dereferences NULL
 *             abort   calls abort()
 *             exit    calls _exit(3)
 *             loop    loops for ever
 *             alloc   allocates (and touches) memory without bound
 *             stdout  prints a line on stdout and one on stderr, then works
 *             socket  opens a TCP socket to 127.0.0.1:$FGCAT_FAULT_PORT and
 *                     writes "obeyed"; logs "socket refused: ..." when it
 *                     cannot, then works
 *             exec    runs /bin/sh to create $FGCAT_FAULT_FILE; logs
 *                     "exec refused: ..." when it cannot, then works
 *             write   creates $FGCAT_FAULT_FILE itself; logs "write
 *                     refused: ..." when it cannot, then works
 *
 * Without FGCAT_FAULT it is a well-behaved plugin.
 */
#include <fgcat/plugin.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The fault FGCAT_FAULT names for `callback`, or NULL. */
static const char *fault_for(const char *callback, char *buf, size_t size)
{
    const char *spec = getenv("FGCAT_FAULT");
    size_t n = strlen(callback);

    for (const char *s = spec; s && *s;) {
        const char *end = strchr(s, ',');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        if (len > n + 1 && strncmp(s, callback, n) == 0 && s[n] == ':' &&
            len - n - 1 < size) {
            memcpy(buf, s + n + 1, len - n - 1);
            buf[len - n - 1] = '\0';
            return buf;
        }
        s = end ? end + 1 : NULL;
    }
    return NULL;
}

static void say(const fgcat_host_api *host, const char *what, int err)
{
    char line[200];
    snprintf(line, sizeof line, "%s refused: %s", what, strerror(err));
    if (host)
        host->log("faulty", FGCAT_LOG_WARN, line);
}

/* Misbehaves as FGCAT_FAULT says for `callback`; returns when the fault
   is one the plugin survives. */
static void misbehave(const fgcat_host_api *host, const char *callback)
{
    char fault[32];
    const char *f = fault_for(callback, fault, sizeof fault);

    if (!f)
        return;
    if (strcmp(f, "segv") == 0) {
        volatile int *volatile nowhere = NULL;
        signal(SIGSEGV, SIG_DFL);
        *nowhere = 1;
    } else if (strcmp(f, "abort") == 0) {
        abort();
    } else if (strcmp(f, "exit") == 0) {
        _exit(3);
    } else if (strcmp(f, "loop") == 0) {
        for (volatile unsigned long i = 0;; i++)
            ;
    } else if (strcmp(f, "alloc") == 0) {
        for (;;) {
            char *p = malloc(1 << 20);
            if (!p) {
                volatile int *volatile nowhere = NULL;
                signal(SIGSEGV, SIG_DFL);
                *nowhere = 1; /* what a careless plugin does next */
            }
            memset(p, 1, 1 << 20);
        }
    } else if (strcmp(f, "stdout") == 0) {
        printf("faulty: hello from %s on stdout\n", callback);
        fflush(stdout);
        fprintf(stderr, "faulty: and on stderr\n");
    } else if (strcmp(f, "socket") == 0) {
        const char *port = getenv("FGCAT_FAULT_PORT");
        struct sockaddr_in sa = {.sin_family = AF_INET};
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) {
            say(host, "socket", errno);
            return;
        }
        sa.sin_port = htons((unsigned short)atoi(port ? port : "9"));
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
            say(host, "connect", errno);
        } else if (write(fd, "obeyed", 6) != 6) {
            say(host, "write", errno);
        }
        close(fd);
    } else if (strcmp(f, "exec") == 0) {
        const char *file = getenv("FGCAT_FAULT_FILE");
        char cmd[512];
        snprintf(cmd, sizeof cmd, "echo obeyed > '%s'", file ? file : "/dev/null");
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        say(host, "exec", errno);
    } else if (strcmp(f, "write") == 0) {
        const char *file = getenv("FGCAT_FAULT_FILE");
        int fd = open(file ? file : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0) {
            say(host, "write", errno);
            return;
        }
        if (write(fd, "obeyed\n", 7) != 7)
            say(host, "write", errno);
        close(fd);
    }
}

static int faulty_init(const fgcat_host_api *host, void **state, char *msg,
                       size_t msg_size)
{
    (void)state;
    (void)msg;
    (void)msg_size;
    misbehave(host, "init");
    return FGCAT_OK;
}

static int faulty_register(const fgcat_host_api *host, void *state, fgcat_registrar *reg)
{
    static const char *const regions[] = {"England", NULL};
    static const char *const tags[] = {"test", NULL};
    fgcat_offering o = {
        .struct_size = sizeof o,
        .id = "FLT/faulty-course",
        .area = "faulty",
        .provider_ods = "FLT",
        .provider_name = "Faulty Test NHS Trust",
        .title = "Faulty course",
        .summary = "An offering of the plugin that misbehaves on demand.",
        .delivery = "remote",
        .price_pence = 5000,
        .price_unit = "per-delegate",
        .regions = regions,
        .tags = tags,
        .contact = "faulty@example.nhs.uk",
        .attributes_json = "{\"min_delegates\": 2, \"max_delegates\": 8}",
    };
    (void)state;
    misbehave(host, "register");
    host->add_offering(reg, &o);
    return FGCAT_OK;
}

static int faulty_validate(const fgcat_host_api *host, void *state,
                           const fgcat_offering *offering, char *msg, size_t msg_size)
{
    (void)state;
    (void)offering;
    (void)msg;
    (void)msg_size;
    misbehave(host, "validate");
    return FGCAT_OK;
}

static int faulty_quote(const fgcat_host_api *host, void *state,
                        const fgcat_offering *offering, const fgcat_request *request,
                        fgcat_quote *quote, char *msg, size_t msg_size)
{
    (void)state;
    (void)offering;
    (void)quote;
    misbehave(host, "quote");
    if (request->quantity > 8) {
        snprintf(msg, msg_size, "at most 8 delegates");
        return FGCAT_ERR_REFUSED;
    }
    return FGCAT_OK;
}

static void faulty_shutdown(const fgcat_host_api *host, void *state)
{
    (void)state;
    misbehave(host, "shutdown");
}

static const char *const areas[] = {"faulty", NULL};

static const fgcat_plugin descriptor = {
    FGCAT_PLUGIN_HEADER,
    .name = "faulty",
    .version = "1.0.0",
    .description = "Misbehaves on demand (FGCAT_FAULT), for the isolation tests",
    .areas = areas,
    .init = faulty_init,
    .register_offerings = faulty_register,
    .validate_offering = faulty_validate,
    .quote_request = faulty_quote,
    .shutdown = faulty_shutdown,
};

FGCAT_EXPORT const fgcat_plugin *fgcat_plugin_entry(void)
{
    misbehave(NULL, "entry");
    return &descriptor;
}
