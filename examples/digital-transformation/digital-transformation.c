/*
 * digital-transformation: an example fgcat plugin, built out of tree.
 *
 * It adds a fifth service area to the catalogue, "digital-transformation":
 * help for member trusts with their electronic patient record (EPR), their
 * digital maturity and remote monitoring for virtual wards, offered by
 * Northumbria Healthcare NHS FT (RTF) and Imperial College Healthcare NHS
 * Trust (RYJ).  The services and prices are illustrative.
 *
 * It is the running example of docs/plugin-guide.md, which explains every
 * part of it; read the two side by side.  The plugin includes the SDK's
 * two headers, <fgcat/plugin.h> (the ABI) and <fgcat/plugin_util.h>
 * (header-only helpers: messages, dates, checked arithmetic, the attribute
 * schema reader), and links against nothing of fgcat: everything it needs
 * from fgcat arrives through the host API table passed to each callback.
 *
 * Its offerings are data, not code: digital-transformation/offerings.json,
 * in the plugin's data directory (the folder beside the .so named like
 * it), in the JSON form `fgcat export` prints.  Change a price there and
 * run `fgcat refresh`; no rebuild.
 *
 * Attributes (the area-specific "attributes" object of every offering):
 *   focus                    string, required: one of FOCUSES below.
 *   team_size                integer 1..20, required: specialists deployed.
 *   min_lead_days            integer 0..180, required: notice needed before
 *                            the start.
 *   clinical_safety_officer  boolean, required: a clinical safety officer
 *                            (DCB0129/DCB0160) is part of the team; must be
 *                            true for remote monitoring, which puts a
 *                            clinical system in patients' homes.
 *   quantity_min,            integers 1..10000, quantity_min <= quantity_max,
 *   quantity_max             required for offerings priced per unit
 *                            (per-day, per-bed, per-delegate) and refused
 *                            for fixed ones: how many units one request may
 *                            ask for.
 *   setup_fee_pence          integer 0..10000000, optional, per-unit
 *                            offerings only: a one-off fee added to every
 *                            quote.
 * Any other key is refused, so that a typo does not pass unnoticed.
 *
 * Request rules (quote_request):
 *   - a start date is optional; when given it must be at least
 *     min_lead_days from today;
 *   - fixed: quantity (engagements) must be 1;
 *   - per unit: quantity within quantity_min..quantity_max.
 * Pricing: price_pence x quantity (the host's pre-filled quote), plus
 * setup_fee_pence once.
 */
#include <fgcat/plugin.h>
#include <fgcat/plugin_util.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define AREA "digital-transformation"

/* Limits of the attributes. */
#define TEAM_SIZE_MAX 20
#define LEAD_DAYS_MAX 180
#define QUANTITY_LIMIT 10000
#define SETUP_FEE_MAX 10000000 /* £100,000 */

static const char *const FOCUSES[] = {"epr-optimisation", "digital-maturity",
                                      "remote-monitoring", "interoperability",
                                      NULL};

/* ------------------------------------------------------------------------ */
/* Attributes                                                               */
/* ------------------------------------------------------------------------ */

/* An offering's attributes, read and checked. */
typedef struct dt_attrs {
    const char *focus; /* borrowed from the host until the callback returns */
    int64_t team_size;
    int64_t min_lead_days;
    int clinical_safety_officer;
    int64_t quantity_min; /* 1 for fixed offerings */
    int64_t quantity_max; /* 1 for fixed offerings */
    int64_t setup_fee_pence; /* 0 when absent */
} dt_attrs;

/* True when `s` is one of the NULL-terminated `list`. */
static int in_list(const char *s, const char *const *list)
{
    for (; *list != NULL; list++)
        if (strcmp(s, *list) == 0)
            return 1;
    return 0;
}

/* The check of the focus attribute (fgcat_attr_spec.check). */
static int is_focus(const char *s)
{
    return in_list(s, FOCUSES);
}

/*
 * The area's attributes, declared once: fgcat_read_attrs() refuses any
 * other key (so that a typo does not pass unnoticed), requires the
 * required ones, checks each type and range, and names the attribute in
 * its message.  Fields: key, kind, required, lo, hi (a string's length in
 * bytes), default, default string, check, what a string must be.
 */
enum { A_FOCUS, A_TEAM_SIZE, A_MIN_LEAD_DAYS, A_CSO, A_QUANTITY_MIN, A_QUANTITY_MAX,
       A_SETUP_FEE, A_COUNT };

static const fgcat_attr_spec SCHEMA[A_COUNT] = {
    [A_FOCUS] = {"focus", FGCAT_ATTR_STRING, 1, 1, 40, 0, NULL, is_focus,
                 "one of epr-optimisation, digital-maturity, remote-monitoring, "
                 "interoperability"},
    [A_TEAM_SIZE] = {"team_size", FGCAT_ATTR_INT, 1, 1, TEAM_SIZE_MAX, 0, NULL, NULL, NULL},
    [A_MIN_LEAD_DAYS] = {"min_lead_days", FGCAT_ATTR_INT, 1, 0, LEAD_DAYS_MAX, 0, NULL, NULL,
                         NULL},
    [A_CSO] = {"clinical_safety_officer", FGCAT_ATTR_BOOL, 1, 0, 1, 0, NULL, NULL, NULL},
    /* Required for per-unit offerings, refused for fixed ones: parse_attrs. */
    [A_QUANTITY_MIN] = {"quantity_min", FGCAT_ATTR_INT, 0, 1, QUANTITY_LIMIT, 0, NULL, NULL,
                        NULL},
    [A_QUANTITY_MAX] = {"quantity_max", FGCAT_ATTR_INT, 0, 1, QUANTITY_LIMIT, 0, NULL, NULL,
                        NULL},
    [A_SETUP_FEE] = {"setup_fee_pence", FGCAT_ATTR_INT, 0, 0, SETUP_FEE_MAX, 0, NULL, NULL,
                     NULL},
};

/*
 * Human labels for the area and its attributes (ABI 1.1): `fgcat show`
 * prints "Team size: 4 specialists" instead of "team_size: 4".
 */
static const fgcat_attr_label LABEL_LIST[A_COUNT] = {
    [A_FOCUS] = FGCAT_ATTR_LABEL("focus", "Focus", NULL, "What the engagement works on."),
    [A_TEAM_SIZE] = FGCAT_ATTR_LABEL("team_size", "Team size", "specialists",
                                     "Specialists the provider deploys."),
    [A_MIN_LEAD_DAYS] = FGCAT_ATTR_LABEL("min_lead_days", "Notice needed", "days",
                                         "The fewest days between a request and its start."),
    [A_CSO] = FGCAT_ATTR_LABEL("clinical_safety_officer", "Clinical safety officer", NULL,
                               "Whether a clinical safety officer is in the team."),
    [A_QUANTITY_MIN] = FGCAT_ATTR_LABEL("quantity_min", "Smallest request", "units", NULL),
    [A_QUANTITY_MAX] = FGCAT_ATTR_LABEL("quantity_max", "Largest request", "units", NULL),
    [A_SETUP_FEE] = FGCAT_ATTR_LABEL("setup_fee_pence", "Set-up fee", "pence",
                                     "A one-off fee added to every quote."),
};

static const fgcat_attr_label *const ATTR_LABELS[] = {
    &LABEL_LIST[A_FOCUS],        &LABEL_LIST[A_TEAM_SIZE],    &LABEL_LIST[A_MIN_LEAD_DAYS],
    &LABEL_LIST[A_CSO],          &LABEL_LIST[A_QUANTITY_MIN], &LABEL_LIST[A_QUANTITY_MAX],
    &LABEL_LIST[A_SETUP_FEE],    NULL};

static const fgcat_area_label AREA_LABEL =
    FGCAT_AREA_LABEL(AREA, "Digital transformation",
                     "Electronic patient records, digital maturity and remote monitoring.",
                     ATTR_LABELS);

static const fgcat_area_label *const AREA_LABELS[] = {&AREA_LABEL, NULL};

/*
 * Reads and checks an offering's attributes into *a, with the rules that
 * depend on other fields (price unit, focus).  Both validate_offering and
 * quote_request use it, so an offering that validated can always be quoted.
 * Returns FGCAT_OK, or FGCAT_ERR_INVALID with a sentence naming the
 * attribute in msg.
 */
static int parse_attrs(const fgcat_host_api *host, const fgcat_offering *off,
                       dt_attrs *a, char *msg, size_t msg_size)
{
    fgcat_attr_value v[A_COUNT];
    int fixed = strcmp(off->price_unit, "fixed") == 0;
    int rc;

    memset(a, 0, sizeof *a);
    rc = fgcat_read_attrs(host, off->attributes, AREA, SCHEMA, A_COUNT, v, msg, msg_size);
    if (rc != FGCAT_OK)
        return rc;
    a->focus = v[A_FOCUS].s;
    a->team_size = v[A_TEAM_SIZE].i;
    a->min_lead_days = v[A_MIN_LEAD_DAYS].i;
    a->clinical_safety_officer = (int)v[A_CSO].i;
    a->setup_fee_pence = v[A_SETUP_FEE].i;
    if (strcmp(a->focus, "remote-monitoring") == 0 && !a->clinical_safety_officer) {
        fgcat_say(msg, msg_size,
                  "attribute clinical_safety_officer must be true for "
                  "remote-monitoring offerings (DCB0129/DCB0160)");
        return FGCAT_ERR_INVALID;
    }

    /* The quantity range and the set-up fee belong to per-unit offerings;
       a fixed price is for exactly one engagement. */
    if (fixed) {
        if (v[A_QUANTITY_MIN].present || v[A_QUANTITY_MAX].present || v[A_SETUP_FEE].present) {
            fgcat_say(msg, msg_size,
                      "attributes quantity_min, quantity_max and setup_fee_pence "
                      "apply only to offerings priced per unit, not fixed");
            return FGCAT_ERR_INVALID;
        }
        a->quantity_min = a->quantity_max = 1;
        return FGCAT_OK;
    }
    if (!v[A_QUANTITY_MIN].present || !v[A_QUANTITY_MAX].present) {
        fgcat_say(msg, msg_size,
                  "attributes quantity_min and quantity_max are required for an "
                  "offering priced %s",
                  off->price_unit);
        return FGCAT_ERR_INVALID;
    }
    a->quantity_min = v[A_QUANTITY_MIN].i;
    a->quantity_max = v[A_QUANTITY_MAX].i;
    if (a->quantity_max < a->quantity_min) {
        fgcat_say(msg, msg_size,
                  "attribute quantity_max must be an integer between quantity_min "
                  "(%" PRId64 ") and %d",
                  a->quantity_min, QUANTITY_LIMIT);
        return FGCAT_ERR_INVALID;
    }
    return FGCAT_OK;
}

/* ------------------------------------------------------------------------ */
/* Callbacks                                                                */
/* ------------------------------------------------------------------------ */

/*
 * Called once after loading.  The plugin reads its offerings with
 * add_offerings_file, which ABI 1.1 added: test for that function (not the
 * host's abi_minor), and refuse to load on an older host rather than crash
 * when registering.
 */
static int dt_init(const fgcat_host_api *host, void **state, char *msg,
                   size_t msg_size)
{
    (void)state; /* no state: the host passes NULL to the other callbacks */
    if (!fgcat_host_has_offerings_files(host)) {
        fgcat_say(msg, msg_size,
                  "this fgcat (%s) lacks add_offerings_file; digital-transformation "
                  "needs plugin ABI 1.1 or later",
                  host->host_version);
        return FGCAT_ERR_FAILED;
    }
    return FGCAT_OK;
}

/*
 * Checks an offering of the area: this plugin's own, and any that arrives
 * by `fgcat import`.  fgcat has already checked the common fields.
 */
static int dt_validate_offering(const fgcat_host_api *host, void *state,
                                const fgcat_offering *offering, char *msg,
                                size_t msg_size)
{
    dt_attrs a;

    (void)state;
    return parse_attrs(host, offering, &a, msg, msg_size);
}

/*
 * Applies the request rules and prices the request.  `quote` arrives with
 * price_pence x quantity in the offering's currency; this area adds the
 * one-off set-up fee.  Refusals say what would be accepted.
 */
static int dt_quote_request(const fgcat_host_api *host, void *state,
                            const fgcat_offering *offering,
                            const fgcat_request *request, fgcat_quote *quote,
                            char *msg, size_t msg_size)
{
    dt_attrs a;

    (void)state;
    if (parse_attrs(host, offering, &a, msg, msg_size) != FGCAT_OK)
        return FGCAT_ERR_FAILED; /* cannot happen for a validated offering */

    /* A start is optional (it can be agreed later); lead_days is 0 when
       there is none. */
    if (request->start != NULL && request->lead_days < 0) {
        snprintf(msg, msg_size,
                 "start %.10s is in the past; choose a start at least "
                 "%" PRId64 " days from today",
                 request->start, a.min_lead_days);
        return FGCAT_ERR_REFUSED;
    }
    if (request->start != NULL && request->lead_days < a.min_lead_days) {
        snprintf(msg, msg_size,
                 "start %.10s is %" PRId64 " days away; this service needs at "
                 "least %" PRId64 " days' notice",
                 request->start, request->lead_days, a.min_lead_days);
        return FGCAT_ERR_REFUSED;
    }
    if (request->quantity < a.quantity_min || request->quantity > a.quantity_max) {
        if (strcmp(offering->price_unit, "fixed") == 0)
            snprintf(msg, msg_size,
                     "this is a fixed-price engagement: request quantity 1, "
                     "not %" PRId64,
                     request->quantity);
        else
            snprintf(msg, msg_size,
                     "quantity %" PRId64 " is outside this service's range of "
                     "%" PRId64 " to %" PRId64 " (%s)",
                     request->quantity, a.quantity_min, a.quantity_max,
                     offering->price_unit);
        return FGCAT_ERR_REFUSED;
    }

    /* quantity <= 10000 and the fee <= 10^7, but the host's price may be up
       to 10^12 pence: check the sum rather than assume. */
    if (!fgcat_add_ok(quote->amount_pence, a.setup_fee_pence, &quote->amount_pence)) {
        fgcat_say(msg, msg_size, "the total is too large to quote");
        return FGCAT_ERR_REFUSED;
    }
    return FGCAT_OK;
}

/* ------------------------------------------------------------------------ */
/* Descriptor and entry point                                               */
/* ------------------------------------------------------------------------ */

static const char *const AREAS[] = {AREA, NULL};

/* Constant, and valid until the process exits, with every string in it. */
static const fgcat_plugin PLUGIN = {
    FGCAT_PLUGIN_HEADER, /* struct_size, abi_major, abi_minor */
    .name = "digital-transformation",
    .version = "1.0.0",
    .description = "EPR optimisation, digital maturity and remote monitoring "
                   "(example plugin, Northumbria and Imperial)",
    .areas = AREAS,
    .init = dt_init,
    /* Every offering of offerings.json, in the plugin's data directory
       (plugin_util.h): the host reads the file and checks each offering,
       fgcat's own rules, then dt_validate_offering. */
    .register_offerings = fgcat_register_offerings_json,
    .validate_offering = dt_validate_offering,
    .quote_request = dt_quote_request,
    .shutdown = NULL, /* nothing to release */
    .area_labels = AREA_LABELS, /* ABI 1.1 */
};

/* The one exported symbol.  FGCAT_EXPORT makes it visible although the
   plugin is compiled with -fvisibility=hidden, which keeps every other
   symbol (the static ones anyway, and any helper you forget to make static)
   out of the dynamic symbol table. */
FGCAT_EXPORT const fgcat_plugin *fgcat_plugin_entry(void)
{
    return &PLUGIN;
}
