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
 * part of it; read the two side by side.  The plugin includes one header,
 * <fgcat/plugin.h>, and links against nothing of fgcat: everything it
 * needs from fgcat arrives through the host API table passed to each
 * callback.
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

static const char *const KNOWN_KEYS[] = {
    "focus",        "team_size",    "min_lead_days",   "clinical_safety_officer",
    "quantity_min", "quantity_max", "setup_fee_pence", NULL};

/* ------------------------------------------------------------------------ */
/* Offerings                                                                */
/* ------------------------------------------------------------------------ */

/*
 * The offerings are constant data.  The host only borrows an offering, and
 * every string in it, for the duration of add_offering (it copies what it
 * keeps), so stack buffers would do as well; static data is simply the
 * easiest thing to get right.
 */

#define RTF_NAME "Northumbria Healthcare NHS Foundation Trust"
#define RTF_CONTACT "digital.partnerships@northumbria.example.nhs.uk"
#define RYJ_NAME "Imperial College Healthcare NHS Trust"
#define RYJ_CONTACT "digital.services@imperial.example.nhs.uk"

static const char *const REGIONS_ENGLAND[] = {"England", NULL};
static const char *const REGIONS_ALL[] = {"England", "International", NULL};

static const char *const TAGS_EPR[] = {
    "epr", "electronic-patient-record", "clinical-systems", "usability",
    "digital", NULL};
static const char *const TAGS_MATURITY[] = {
    "digital-maturity", "what-good-looks-like", "assessment",
    "board-assurance", "digital", NULL};
static const char *const TAGS_REMOTE[] = {
    "remote-monitoring", "virtual-ward", "hospital-at-home", "telehealth",
    "digital", NULL};

static const fgcat_offering OFFERINGS[] = {
    {
        /* Always sizeof as *this* plugin was compiled: the host reads only
           the fields that lie within it. */
        .struct_size = sizeof(fgcat_offering),
        .id = "RTF/epr-optimisation-sprint",
        .area = AREA,
        .provider_ods = "RTF",
        .provider_name = RTF_NAME,
        .title = "Electronic patient record optimisation sprint",
        .summary =
            "Clinicians and EPR analysts from Northumbria work alongside a "
            "trust's own teams to remove clicks, duplicate documentation and "
            "unsafe workarounds from its electronic patient record. Sold by "
            "the team day, 5 to 60 days.",
        .description =
            "Most trusts now have an electronic patient record; far fewer "
            "have one their clinicians find quick and safe to use. The sprint "
            "starts with observed shifts on two or three wards, measures time "
            "spent in the record and collects the workarounds staff rely on. "
            "A team of four, including a clinical safety officer, then fixes "
            "what can be fixed in configuration, order sets and documentation "
            "templates, and leaves a prioritised backlog for the rest.",
        .delivery = "blended",
        .duration_days = 90,
        .capacity = 3,
        .price_pence = 135000, /* £1,350 per team day */
        .currency = "GBP",
        .price_unit = "per-day",
        .regions = REGIONS_ENGLAND,
        .tags = TAGS_EPR,
        .contact = RTF_CONTACT,
        /* Attributes go to the host as JSON text; it parses and stores them
           and hands them back to validate_offering as an fgcat_attrs. */
        .attributes_json =
            "{\"focus\": \"epr-optimisation\", \"team_size\": 4, "
            "\"min_lead_days\": 28, \"clinical_safety_officer\": true, "
            "\"quantity_min\": 5, \"quantity_max\": 60}",
    },
    {
        .struct_size = sizeof(fgcat_offering),
        .id = "RYJ/digital-maturity-assessment",
        .area = AREA,
        .provider_ods = "RYJ",
        .provider_name = RYJ_NAME,
        .title = "Digital maturity assessment and board roadmap",
        .summary =
            "An independent assessment of a trust's digital maturity against "
            "the What Good Looks Like framework, with a costed three-year "
            "roadmap presented to the board. One fixed-price engagement.",
        .description =
            "Imperial's digital team interviews executives, clinical leads and "
            "IT staff, reviews infrastructure, cyber security, data and "
            "clinical systems, and scores the trust against each of the seven "
            "success measures of What Good Looks Like. The result is a short "
            "maturity report, a costed roadmap and a board session to agree "
            "priorities.",
        .delivery = "remote",
        .duration_days = 45,
        .capacity = 4,
        .price_pence = 3800000, /* £38,000 per engagement */
        .currency = "GBP",
        .price_unit = "fixed",
        .regions = REGIONS_ALL,
        .tags = TAGS_MATURITY,
        .contact = RYJ_CONTACT,
        .attributes_json =
            "{\"focus\": \"digital-maturity\", \"team_size\": 3, "
            "\"min_lead_days\": 21, \"clinical_safety_officer\": false}",
    },
    {
        .struct_size = sizeof(fgcat_offering),
        .id = "RTF/virtual-ward-remote-monitoring-set-up",
        .area = AREA,
        .provider_ods = "RTF",
        .provider_name = RTF_NAME,
        .title = "Remote monitoring set-up for a virtual ward",
        .summary =
            "Northumbria sets up remote monitoring for a virtual ward: "
            "clinical protocols, device logistics, alert thresholds and "
            "clinical safety case. Priced per virtual-ward bed, 10 to 200 "
            "beds, plus a one-off set-up fee of £12,000.",
        .description =
            "Virtual wards let patients who would otherwise be in hospital be "
            "cared for at home, watched over by remote monitoring. Northumbria "
            "runs such wards and sets them up for other trusts: choosing the "
            "monitoring platform and devices, writing the escalation "
            "protocols and alert thresholds with the trust's clinicians, "
            "training the virtual-ward team and producing the clinical safety "
            "case. The price is per virtual-ward bed, with one set-up fee per "
            "request for the platform configuration.",
        .delivery = "blended",
        .duration_days = 120,
        .capacity = 2,
        .price_pence = 95000, /* £950 per virtual-ward bed */
        .currency = "GBP",
        .price_unit = "per-bed",
        .regions = REGIONS_ENGLAND,
        .tags = TAGS_REMOTE,
        .contact = RTF_CONTACT,
        .attributes_json =
            "{\"focus\": \"remote-monitoring\", \"team_size\": 5, "
            "\"min_lead_days\": 42, \"clinical_safety_officer\": true, "
            "\"quantity_min\": 10, \"quantity_max\": 200, "
            "\"setup_fee_pence\": 1200000}",
    },
};

#define OFFERING_COUNT (sizeof(OFFERINGS) / sizeof(OFFERINGS[0]))

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

/*
 * Reads integer attribute `key` into *out and checks lo <= value <= hi.
 * When the key is absent and `required` is 0, leaves *out alone and
 * succeeds.  Otherwise writes a sentence naming the attribute to msg and
 * returns FGCAT_ERR_INVALID.
 */
static int read_int(const fgcat_host_api *host, const fgcat_attrs *attrs,
                    const char *key, int required, int64_t lo, int64_t hi,
                    int64_t *out, char *msg, size_t msg_size)
{
    int64_t v = 0;
    int rc = host->attr_int(attrs, key, &v);

    if (rc == FGCAT_ERR_NOT_FOUND && !required)
        return FGCAT_OK;
    if (rc == FGCAT_OK && v >= lo && v <= hi) {
        *out = v;
        return FGCAT_OK;
    }
    /* FGCAT_ERR_NOT_FOUND: absent or null; FGCAT_ERR_TYPE: not an integer
       (a string, a float, ...); FGCAT_OK: out of range. */
    snprintf(msg, msg_size, "attribute %s %s an integer between %" PRId64
             " and %" PRId64,
             key, rc == FGCAT_ERR_NOT_FOUND ? "is required and must be" : "must be",
             lo, hi);
    return FGCAT_ERR_INVALID;
}

/* True when attribute `key` is present and not null, whatever its type. */
static int has_attr(const fgcat_host_api *host, const fgcat_attrs *attrs,
                    const char *key)
{
    int64_t ignored;
    return host->attr_int(attrs, key, &ignored) != FGCAT_ERR_NOT_FOUND;
}

/* True when `s` is one of the NULL-terminated `list`. */
static int in_list(const char *s, const char *const *list)
{
    for (; *list != NULL; list++)
        if (strcmp(s, *list) == 0)
            return 1;
    return 0;
}

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
    const fgcat_attrs *attrs = off->attributes;
    int fixed = strcmp(off->price_unit, "fixed") == 0;
    int rc;

    memset(a, 0, sizeof *a);

    /* Unknown keys first: attr_count and attr_key walk the object. */
    for (size_t i = 0; i < host->attr_count(attrs); i++) {
        const char *key = host->attr_key(attrs, i);
        if (key != NULL && !in_list(key, KNOWN_KEYS)) {
            snprintf(msg, msg_size,
                     "attribute %.60s is not a digital-transformation "
                     "attribute; use focus, team_size, min_lead_days, "
                     "clinical_safety_officer, quantity_min, quantity_max or "
                     "setup_fee_pence",
                     key);
            return FGCAT_ERR_INVALID;
        }
    }

    if (host->attr_string(attrs, "focus", &a->focus) != FGCAT_OK ||
        !in_list(a->focus, FOCUSES)) {
        snprintf(msg, msg_size,
                 "attribute focus is required and must be one of "
                 "epr-optimisation, digital-maturity, remote-monitoring, "
                 "interoperability");
        return FGCAT_ERR_INVALID;
    }
    if ((rc = read_int(host, attrs, "team_size", 1, 1, TEAM_SIZE_MAX,
                       &a->team_size, msg, msg_size)) != FGCAT_OK ||
        (rc = read_int(host, attrs, "min_lead_days", 1, 0, LEAD_DAYS_MAX,
                       &a->min_lead_days, msg, msg_size)) != FGCAT_OK)
        return rc;
    if (host->attr_bool(attrs, "clinical_safety_officer",
                        &a->clinical_safety_officer) != FGCAT_OK) {
        snprintf(msg, msg_size,
                 "attribute clinical_safety_officer is required and must be "
                 "true or false");
        return FGCAT_ERR_INVALID;
    }
    if (strcmp(a->focus, "remote-monitoring") == 0 && !a->clinical_safety_officer) {
        snprintf(msg, msg_size,
                 "attribute clinical_safety_officer must be true for "
                 "remote-monitoring offerings (DCB0129/DCB0160)");
        return FGCAT_ERR_INVALID;
    }

    /* The quantity range and the set-up fee belong to per-unit offerings;
       a fixed price is for exactly one engagement. */
    if (fixed) {
        if (has_attr(host, attrs, "quantity_min") ||
            has_attr(host, attrs, "quantity_max") ||
            has_attr(host, attrs, "setup_fee_pence")) {
            snprintf(msg, msg_size,
                     "attributes quantity_min, quantity_max and setup_fee_pence "
                     "apply only to offerings priced per unit, not fixed");
            return FGCAT_ERR_INVALID;
        }
        a->quantity_min = a->quantity_max = 1;
        return FGCAT_OK;
    }
    if ((rc = read_int(host, attrs, "quantity_min", 1, 1, QUANTITY_LIMIT,
                       &a->quantity_min, msg, msg_size)) != FGCAT_OK ||
        (rc = read_int(host, attrs, "quantity_max", 1, a->quantity_min,
                       QUANTITY_LIMIT, &a->quantity_max, msg, msg_size)) != FGCAT_OK ||
        (rc = read_int(host, attrs, "setup_fee_pence", 0, 0, SETUP_FEE_MAX,
                       &a->setup_fee_pence, msg, msg_size)) != FGCAT_OK)
        return rc;
    return FGCAT_OK;
}

/* ------------------------------------------------------------------------ */
/* Callbacks                                                                */
/* ------------------------------------------------------------------------ */

/*
 * Called once after loading.  Every function of ABI 1.0 is in the host
 * table of any 1.x host, so this check cannot fail today: it is the pattern
 * to copy when the plugin starts using a host function added in a later
 * minor version (test that field, not the host's abi_minor).
 */
static int dt_init(const fgcat_host_api *host, void **state, char *msg,
                   size_t msg_size)
{
    (void)state; /* no state: the host passes NULL to the other callbacks */
    if (!FGCAT_HAS_FIELD(host, fgcat_host_api, attr_key)) {
        snprintf(msg, msg_size,
                 "this fgcat (%s) lacks attr_key; digital-transformation "
                 "needs plugin ABI 1.0 or later",
                 host->host_version);
        return FGCAT_ERR_FAILED;
    }
    return FGCAT_OK;
}

/*
 * Adds every offering.  The host checks each one (the offering format and then
 * dt_validate_offering) and copies it; one refused offering refuses the
 * whole registration, so stop at the first.
 */
static int dt_register_offerings(const fgcat_host_api *host, void *state,
                                 fgcat_registrar *reg)
{
    (void)state;
    for (size_t i = 0; i < OFFERING_COUNT; i++) {
        int rc = host->add_offering(reg, &OFFERINGS[i]);
        if (rc != FGCAT_OK)
            return rc;
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
    if (quote->amount_pence > INT64_MAX - a.setup_fee_pence) {
        snprintf(msg, msg_size, "the total is too large to quote");
        return FGCAT_ERR_REFUSED;
    }
    quote->amount_pence += a.setup_fee_pence;
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
    .register_offerings = dt_register_offerings,
    .validate_offering = dt_validate_offering,
    .quote_request = dt_quote_request,
    .shutdown = NULL, /* nothing to release */
};

/* The one exported symbol.  FGCAT_EXPORT makes it visible although the
   plugin is compiled with -fvisibility=hidden, which keeps every other
   symbol (the static ones anyway, and any helper you forget to make static)
   out of the dynamic symbol table. */
FGCAT_EXPORT const fgcat_plugin *fgcat_plugin_entry(void)
{
    return &PLUGIN;
}
