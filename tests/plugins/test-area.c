/*
 * test-area — the well-behaved plugin of the test suite.
 *
 * It owns the area "test-area" for the provider TST ("Test Provider NHS
 * Trust") and lets a test steer what it registers through the environment,
 * read afresh on every registration so one process can change it between
 * refreshes:
 *
 *   FGCAT_TEST_OFFERINGS     comma-separated slugs to register, as
 *                            "TST/<slug>"; unset = "alpha,beta,gamma",
 *                            empty = none (so a test can withdraw them all)
 *   FGCAT_TEST_TITLE_SUFFIX  appended verbatim to every title (a change of
 *                            content, for rev and refresh tests)
 *   FGCAT_TEST_BAD_OFFERING  when set, also registers "TST/bad-delivery",
 *                            whose delivery "by-post" fgcat must refuse
 *
 * Every offering: delivery remote, 10000 pence per delegate, capacity 3,
 * tags ["test", "<slug>"], regions ["England"], attributes {"level": 2}.
 *
 * Rules: attributes hold exactly one key, "level", an integer 1..5.  A
 * request may ask for at most 10 delegates and, when it states a start,
 * needs at least 7 days' notice; the quote is price x quantity.
 *
 * It keeps a small state from init to shutdown (heap-allocated), so a leak
 * checker notices a host that never calls shutdown.
 */
#include "common.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AREA "test-area"
#define ODS "TST"
#define LEVEL_MIN 1
#define LEVEL_MAX 5
#define QUANTITY_MAX 10
#define LEAD_DAYS_MIN 7
#define DEFAULT_SLUGS "alpha,beta,gamma"

/* What init hands to the other callbacks. */
typedef struct test_state {
    unsigned registrations; /* how many times register_offerings ran */
} test_state;

static int test_init(const fgcat_host_api *host, void **state, char *msg,
                     size_t msg_size)
{
    test_state *s;

    if (host->abi_major != FGCAT_ABI_MAJOR) {
        snprintf(msg, msg_size, "host ABI major %u is not %d",
                 (unsigned)host->abi_major, FGCAT_ABI_MAJOR);
        return FGCAT_ERR_FAILED;
    }
    s = calloc(1, sizeof *s);
    if (s == NULL) {
        snprintf(msg, msg_size, "out of memory");
        return FGCAT_ERR_FAILED;
    }
    *state = s;
    return FGCAT_OK;
}

static void test_shutdown(const fgcat_host_api *host, void *state)
{
    (void)host;
    free(state);
}

/* Adds the offering for one slug; the strings live on this stack frame,
   which the host only borrows for the call. */
static int add_one(const fgcat_host_api *host, fgcat_registrar *reg,
                   const char *slug, size_t slug_len, const char *delivery)
{
    static const char *const regions[] = {"England", NULL};
    const char *suffix = getenv("FGCAT_TEST_TITLE_SUFFIX");
    char id[128], title[256], summary[512], tag[128];
    const char *tags[3];
    int len = (int)(slug_len < 100 ? slug_len : 100);
    fgcat_offering o;

    snprintf(id, sizeof id, ODS "/%.*s", len, slug);
    snprintf(title, sizeof title, "Test course on %.*s practice%s", len, slug,
             suffix ? suffix : "");
    snprintf(summary, sizeof summary,
             "A two-day remote course on %.*s practice for ward teams, "
             "registered by the test-area plugin of the fgcat test suite.",
             len, slug);
    snprintf(tag, sizeof tag, "%.*s", len, slug);
    tags[0] = "test";
    tags[1] = tag;
    tags[2] = NULL;

    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.id = id;
    o.area = AREA;
    o.provider_ods = ODS;
    o.provider_name = "Test Provider NHS Trust";
    o.title = title;
    o.summary = summary;
    o.description = NULL;
    o.delivery = delivery;
    o.duration_days = 2;
    o.capacity = 3;
    o.price_pence = 10000;
    o.currency = "GBP";
    o.price_unit = "per-delegate";
    o.regions = regions;
    o.tags = tags;
    o.contact = "test@example.nhs.uk";
    o.attributes_json = "{\"level\": 2}";
    return host->add_offering(reg, &o);
}

static int test_register(const fgcat_host_api *host, void *state,
                         fgcat_registrar *reg)
{
    test_state *s = state;
    const char *list = getenv("FGCAT_TEST_OFFERINGS");
    const char *p;

    s->registrations++;
    if (list == NULL)
        list = DEFAULT_SLUGS;
    /* A refused offering does not stop the others: the host reports the
       first refusal and counts the rest. */
    for (p = list; *p;) {
        size_t n = strcspn(p, ",");
        if (n > 0)
            add_one(host, reg, p, n, "remote");
        p += n;
        if (*p == ',')
            p++;
    }
    if (getenv("FGCAT_TEST_BAD_OFFERING") != NULL)
        add_one(host, reg, "bad-delivery", strlen("bad-delivery"), "by-post");
    return FGCAT_OK;
}

static int test_validate(const fgcat_host_api *host, void *state,
                         const fgcat_offering *offering, char *msg, size_t msg_size)
{
    size_t i, n = host->attr_count(offering->attributes);
    int64_t level;
    int rc;

    (void)state;
    for (i = 0; i < n; i++) {
        const char *key = host->attr_key(offering->attributes, i);
        if (key != NULL && strcmp(key, "level") != 0) {
            snprintf(msg, msg_size,
                     "attribute %s is not a test-area attribute; it takes only level",
                     key);
            return FGCAT_ERR_INVALID;
        }
    }
    rc = host->attr_int(offering->attributes, "level", &level);
    if (rc == FGCAT_ERR_NOT_FOUND) {
        snprintf(msg, msg_size, "attribute level is required");
        return FGCAT_ERR_INVALID;
    }
    if (rc != FGCAT_OK || level < LEVEL_MIN || level > LEVEL_MAX) {
        snprintf(msg, msg_size, "attribute level must be an integer between %d and %d",
                 LEVEL_MIN, LEVEL_MAX);
        return FGCAT_ERR_INVALID;
    }
    return FGCAT_OK;
}

static int test_quote(const fgcat_host_api *host, void *state,
                      const fgcat_offering *offering, const fgcat_request *request,
                      fgcat_quote *quote, char *msg, size_t msg_size)
{
    (void)host;
    (void)state;
    if (request->quantity > QUANTITY_MAX) {
        snprintf(msg, msg_size, "quantity %" PRId64 " is more than the %d this test "
                                "area allows",
                 request->quantity, QUANTITY_MAX);
        return FGCAT_ERR_REFUSED;
    }
    if (request->start != NULL && request->lead_days < LEAD_DAYS_MIN) {
        snprintf(msg, msg_size, "start must be at least %d days ahead", LEAD_DAYS_MIN);
        return FGCAT_ERR_REFUSED;
    }
    /* quantity <= 10 and a bounded price: no overflow. */
    quote->amount_pence = offering->price_pence * request->quantity;
    return FGCAT_OK;
}

TP_PLUGIN(AREA, .description = "Offerings steered by the environment, for fgcat's tests",
          .init = test_init, .register_offerings = test_register,
          .validate_offering = test_validate, .quote_request = test_quote,
          .shutdown = test_shutdown)
