/*
 * hostile — a test plugin whose offerings, messages and descriptor carry
 * hostile values, for tests/hardening/test_plugin_inputs.py.
 *
 * It owns the area "hostile-area" (provider HOS).  FGCAT_HOSTILE names one
 * misbehaviour, read afresh on every call; unset or unknown, it registers
 * one well-formed offering, "HOS/baseline".  Every mode registers
 * "HOS/baseline" too, then its hostile offering "HOS/probe" (or does the
 * hostile thing in another callback):
 *
 *   sql-title fts-title bidi-title    text that is data: must be stored as is
 *   big-title big-summary big-description big-provider big-contact
 *                                     1 MiB in one field
 *   utf8-title utf8-region utf8-contact  bytes that are not UTF-8
 *   control-title control-region      a newline and a terminal escape
 *   null-id null-title null-summary null-area null-provider null-delivery
 *   null-unit null-contact null-ods   a NULL where a string is required
 *   path-id sql-id other-prefix       ids that are not "HOS/<slug>"
 *   other-area unknown-area sql-area  an area it does not own
 *   max-numbers min-numbers           INT64_MAX / INT64_MIN in every number
 *   bad-delivery bad-unit bad-currency utf8-currency
 *   deep-attributes big-attributes bad-attributes utf8-attributes
 *   huge-attributes-number            malformed or enormous attributes_json
 *   many-tags bad-tags many-regions big-region  lists past their limits
 *   duplicate-id                      the same id twice
 *   struct-zero struct-small struct-huge  struct_size 0, 8, 1 MiB
 *   validate-msg                      validate refuses HOS/probe with a
 *                                     message that fills the buffer, no
 *                                     NUL, a line break, bad bytes
 *   all-msg                           validate-msg and quote-msg at once
 *   quote-msg quote-negative quote-overflow quote-currency quote-failed
 *                                     quote misbehaves (msg without NUL,
 *                                     -1 pence, INT64_MAX, "GBPX" unended,
 *                                     an unknown status)
 *   log-hostile                       logs 1 MiB, control characters and
 *                                     bytes that are not UTF-8
 *   register-fails                    registers, then returns an error
 *   desc-hostile                      (at load) a descriptor whose
 *                                     description and version carry
 *                                     control characters and bad bytes
 */
#include <fgcat/plugin.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define AREA "hostile-area"
#define BIG (1024 * 1024)

static char big[BIG + 1];
static char deep[20001];
static const char *const one_region[] = {"England", NULL};
static const char *const one_tag[] = {"hostile", NULL};

static const char *mode(void)
{
    const char *m = getenv("FGCAT_HOSTILE");
    return m ? m : "";
}

static int is(const char *name)
{
    return strcmp(mode(), name) == 0;
}

/* A well-formed offering, `id` with title `title`. */
static void base(fgcat_offering *o, const char *id, const char *title)
{
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
    o->id = id;
    o->area = AREA;
    o->provider_ods = "HOS";
    o->provider_name = "Hostile Test NHS Trust";
    o->title = title;
    o->summary = "A probe registered by the hostile test plugin.";
    o->delivery = "remote";
    o->duration_days = 1;
    o->capacity = 5;
    o->price_pence = 1000;
    o->currency = "GBP";
    o->price_unit = "per-delegate";
    o->regions = one_region;
    o->tags = one_tag;
    o->contact = "hostile@example.nhs.uk";
    o->attributes_json = "{}";
}

static int reg(const fgcat_host_api *host, void *state, fgcat_registrar *r)
{
    static const char *tags[10002];
    static const char *regions[10002];
    static const char *const bad_tags[] = {"'; DROP TABLE offering; --", "UPPER", NULL};
    static const char *const utf8_region[] = {"Eng\xff" "land", NULL};
    static const char *const control_region[] = {"Eng\nland\x1b[2J", NULL};
    static const char *const big_region[] = {big, NULL};
    fgcat_offering o;
    const char *m = mode();

    (void)state;
    memset(big, 'x', BIG);
    big[BIG] = '\0';
    for (size_t i = 0; i < 10000; i++) {
        deep[i] = '[';
        deep[20000 - 1 - i] = ']';
    }
    deep[20000] = '\0';

    base(&o, "HOS/baseline", "Hostile plugin baseline offering");
    host->add_offering(r, &o);
    if (!*m)
        return FGCAT_OK;

    base(&o, "HOS/probe", "Hostile probe");
    if (is("sql-title"))
        o.title = "'; DROP TABLE offering; -- probe";
    else if (is("fts-title"))
        o.title = "NEAR(\"probe\" OR * AND ^title: {x}";
    else if (is("bidi-title"))
        o.title = "probe \xe2\x80\xae" "exe.gnp \xf0\x9f\x92\x89";
    else if (is("big-title"))
        o.title = big;
    else if (is("big-summary"))
        o.summary = big;
    else if (is("big-description"))
        o.description = big;
    else if (is("big-provider"))
        o.provider_name = big;
    else if (is("big-contact"))
        o.contact = big;
    else if (is("utf8-title"))
        o.title = "probe \xff\xfe \xed\xa0\x80";
    else if (is("utf8-region"))
        o.regions = utf8_region;
    else if (is("utf8-contact"))
        o.contact = "a\xff@example.nhs.uk";
    else if (is("control-title"))
        o.title = "probe\nfgcat: forged\x1b[2J";
    else if (is("control-region"))
        o.regions = control_region;
    else if (is("null-id"))
        o.id = NULL;
    else if (is("null-title"))
        o.title = NULL;
    else if (is("null-summary"))
        o.summary = NULL;
    else if (is("null-area"))
        o.area = NULL;
    else if (is("null-provider"))
        o.provider_name = NULL;
    else if (is("null-delivery"))
        o.delivery = NULL;
    else if (is("null-unit"))
        o.price_unit = NULL;
    else if (is("null-contact"))
        o.contact = NULL;
    else if (is("null-ods"))
        o.provider_ods = NULL;
    else if (is("path-id"))
        o.id = "HOS/../../etc/passwd";
    else if (is("sql-id"))
        o.id = "HOS/x' OR '1'='1";
    else if (is("other-prefix"))
        o.id = "RTF/probe";
    else if (is("other-area"))
        o.area = "productivity";
    else if (is("unknown-area"))
        o.area = "no-such-area";
    else if (is("sql-area"))
        o.area = "'; DROP TABLE offering; --";
    else if (is("max-numbers")) {
        o.price_pence = INT64_MAX;
        o.capacity = INT64_MAX;
        o.duration_days = INT64_MAX;
    } else if (is("min-numbers")) {
        o.price_pence = INT64_MIN;
        o.capacity = INT64_MIN;
        o.duration_days = INT64_MIN;
    } else if (is("bad-delivery"))
        o.delivery = "by-post'; --";
    else if (is("bad-unit"))
        o.price_unit = "per-hour";
    else if (is("bad-currency"))
        o.currency = "GBPX";
    else if (is("utf8-currency"))
        o.currency = "\xff\xff\xff";
    else if (is("deep-attributes"))
        o.attributes_json = deep;
    else if (is("big-attributes")) {
        static char text[BIG + 16];
        memcpy(text, "{\"x\": \"", 7);
        memset(text + 7, 'x', BIG);
        memcpy(text + 7 + BIG, "\"}", 3);
        o.attributes_json = text;
    } else if (is("bad-attributes"))
        o.attributes_json = "{\"level\": ";
    else if (is("utf8-attributes"))
        o.attributes_json = "{\"\xff\": \"\xfe\"}";
    else if (is("huge-attributes-number"))
        o.attributes_json = "{\"a\": 1e400, \"b\": 18446744073709551616, "
                            "\"c\": -9223372036854775809}";
    else if (is("many-tags")) {
        for (size_t i = 0; i < 10000; i++)
            tags[i] = "t";
        tags[10000] = NULL;
        o.tags = tags;
    } else if (is("bad-tags"))
        o.tags = bad_tags;
    else if (is("many-regions")) {
        for (size_t i = 0; i < 10000; i++)
            regions[i] = "England";
        regions[10000] = NULL;
        o.regions = regions;
    } else if (is("big-region"))
        o.regions = big_region;
    else if (is("struct-zero"))
        o.struct_size = 0;
    else if (is("struct-small"))
        o.struct_size = 8;
    else if (is("struct-huge"))
        o.struct_size = BIG;
    else if (is("duplicate-id"))
        host->add_offering(r, &o);
    else if (is("log-hostile")) {
        host->log("hostile", FGCAT_LOG_WARN, big);
        host->log("hostile", FGCAT_LOG_WARN, "line\nfgcat: forged\x1b[2J \xff\xfe");
        host->log("hostile\n\x1b", FGCAT_LOG_ERROR, "from a plugin named with controls");
    }
    /* struct-huge: the host must read no further than its own struct.  A
       refused offering refuses the registration; the plugin carries on. */
    host->add_offering(r, &o);
    return is("register-fails") ? FGCAT_ERR_FAILED : FGCAT_OK;
}

/* Fills the whole buffer, without a NUL, with a line break, an escape and
   bytes that are not UTF-8. */
static void bad_msg(char *msg, size_t size)
{
    static const char junk[] = "refused\n\x1b[2J\xff\xfe";
    for (size_t i = 0; i < size; i++)
        msg[i] = junk[i % (sizeof junk - 1)];
}

static int validate(const fgcat_host_api *host, void *state, const fgcat_offering *o,
                    char *msg, size_t size)
{
    (void)host;
    (void)state;
    if ((is("validate-msg") || is("all-msg")) && strcmp(o->id, "HOS/probe") == 0) {
        bad_msg(msg, size);
        return FGCAT_ERR_INVALID;
    }
    return FGCAT_OK;
}

static int quote(const fgcat_host_api *host, void *state, const fgcat_offering *o,
                 const fgcat_request *req, fgcat_quote *q, char *msg, size_t size)
{
    (void)host;
    (void)state;
    (void)o;
    (void)req;
    if (is("quote-msg") || is("all-msg")) {
        bad_msg(msg, size);
        return FGCAT_ERR_REFUSED;
    }
    if (is("quote-negative"))
        q->amount_pence = -1;
    else if (is("quote-overflow"))
        q->amount_pence = INT64_MAX;
    else if (is("quote-currency"))
        memcpy(q->currency, "GBPX", 4); /* fills the array: no NUL */
    else if (is("quote-failed")) {
        bad_msg(msg, size);
        return 77;
    }
    return FGCAT_OK;
}

static const char *const areas[] = {AREA, NULL};

static const fgcat_plugin plain = {
    FGCAT_PLUGIN_HEADER,
    .name = "hostile",
    .version = "1.0.0",
    .description = "Offerings and messages with hostile values, for fgcat's tests",
    .areas = areas,
    .register_offerings = reg,
    .validate_offering = validate,
    .quote_request = quote,
};

static const fgcat_plugin described = {
    FGCAT_PLUGIN_HEADER,
    .name = "hostile",
    .version = "1.0\n\x1b[2J\xff",
    .description = "line one\nfgcat: forged line\x1b[31m \xff\xfe \xed\xa0\x80",
    .areas = areas,
    .register_offerings = reg,
    .validate_offering = validate,
    .quote_request = quote,
};

FGCAT_EXPORT const fgcat_plugin *fgcat_plugin_entry(void)
{
    return is("desc-hostile") ? &described : &plain;
}
