/*
 * health-planning: the fgcat built-in plugin for hospital and health-service
 * planning advice.
 *
 * Its offerings come from the NHS Northumbria International Alliance, the
 * partnership in which Northumbria Healthcare NHS FT (RTF) and The Christie
 * NHS FT (RBV), with Northumberland County Council, the architects BDP and
 * the health planners RLB, act as long-term clinical partner to a developer
 * building 1,000-bed hospitals and medi-cities (sources 001 and 002).  The
 * council, BDP and RLB are partners, not NHS providers, so they appear in the
 * text and in the `partners` attribute, never as a provider.
 *
 * Attributes (all offerings):
 *   beds_min, beds_max  integers, 0 <= beds_min <= beds_max <= 2000, beds_max
 *                       >= 1: the size of hospital the service is scoped for;
 *                       a per-bed request must fall inside the range.
 *   phases              integer 1..12: stages the engagement is delivered in.
 *   specialty           string, one of SPECIALTIES below.
 *   partners            optional string, 1..200 bytes: non-NHS partners.
 *   site_visits         integer 0..52; must be 0 when delivery is "remote".
 *   min_lead_days       integer 14..365: notice needed before the start.
 *   days_min, days_max  integers 1..365, days_min <= days_max, required for
 *                       per-day offerings and refused otherwise; days_max may
 *                       not exceed duration_days when that is stated.
 * Unknown keys are refused.  Offerings are priced fixed, per-day or per-bed;
 * per-delegate is refused (this area sells advice, not places on courses).
 *
 * Request rules (quote_request):
 *   - a start date is required, at least min_lead_days and at most
 *     MAX_LEAD_DAYS ahead;
 *   - fixed: quantity (engagements) must be 1;
 *   - per-bed: quantity (beds) within beds_min..beds_max;
 *   - per-day: quantity (advisory days) within days_min..days_max;
 *   - per-delegate never reaches pricing: the offering fails parse_attrs and
 *     quote_request returns FGCAT_ERR_FAILED.
 * Pricing: price_pence x quantity, except per-bed, where beds beyond the
 * first TAPER_FROM_BEDS are charged at 75% of the rate (rounded down to the
 * penny), because planning effort grows more slowly than bed numbers.
 *
 * The offerings themselves are data: offerings.json in the plugin's data
 * directory (plugins/health-planning/offerings.json here).
 */
#include <fgcat/plugin.h>
#include <fgcat/plugin_util.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define AREA "health-planning"

#define BEDS_LIMIT 2000
#define PHASES_LIMIT 12
#define SITE_VISITS_LIMIT 52
#define LEAD_MIN_LIMIT 14
#define LEAD_MAX_LIMIT 365
#define DAYS_LIMIT 365
#define PARTNERS_MAX_BYTES 200
#define MAX_LEAD_DAYS 730
#define TAPER_FROM_BEDS 500

static const char *const SPECIALTIES[] = {
    "multispecialty", "oncology",   "integrated-care",       "older-people",
    "estates",        "governance", "operational-readiness", NULL};

static const char *const KNOWN_KEYS[] = {
    "beds_min",  "beds_max",      "phases",   "specialty", "partners",
    "site_visits", "min_lead_days", "days_min", "days_max",  NULL};

/* The parsed and checked attributes of one offering. */
typedef struct hp_attrs {
    int64_t beds_min;
    int64_t beds_max;
    int64_t phases;
    int64_t site_visits;
    int64_t min_lead_days;
    int64_t days_min; /* 0 unless price_unit is "per-day" */
    int64_t days_max;
    const char *specialty; /* borrowed from the host until the callback returns */
} hp_attrs;

/* ------------------------------------------------------------------------ */
/* Attributes                                                               */
/* ------------------------------------------------------------------------ */

/*
 * Reads integer attribute `key` into *out and checks lo <= value <= hi.
 * `lo_name`, when not NULL, names the attribute lo comes from, so that the
 * message reads "between beds_min (400) and 2000".  When the key is absent
 * and `required` is 0, sets *present to 0 and succeeds.  On failure writes
 * a sentence naming the attribute to msg and returns FGCAT_ERR_INVALID.
 */
static int read_int(const fgcat_host_api *host, const fgcat_attrs *attrs,
                    const char *key, int required, int64_t lo,
                    const char *lo_name, int64_t hi, int64_t *out,
                    int *present, char *msg, size_t msg_size)
{
    char lo_text[64];
    int rc = host->attr_int(attrs, key, out);

    if (present != NULL)
        *present = (rc == FGCAT_OK);
    if (rc == FGCAT_ERR_NOT_FOUND && !required)
        return FGCAT_OK;
    if (rc == FGCAT_OK && *out >= lo && *out <= hi)
        return FGCAT_OK;

    if (lo_name != NULL)
        snprintf(lo_text, sizeof(lo_text), "%s (%" PRId64 ")", lo_name, lo);
    else
        snprintf(lo_text, sizeof(lo_text), "%" PRId64, lo);
    snprintf(msg, msg_size, "attribute %s %s an integer between %s and %" PRId64,
             key, rc == FGCAT_ERR_NOT_FOUND ? "is required and must be" : "must be",
             lo_text, hi);
    return FGCAT_ERR_INVALID;
}

/* True when `s` is one of the NULL-terminated `list`. */
static int in_list(const char *s, const char *const *list)
{
    for (; *list != NULL; list++) {
        if (strcmp(s, *list) == 0)
            return 1;
    }
    return 0;
}

/*
 * Refuses any attribute key this area does not define.  Returns FGCAT_OK or
 * FGCAT_ERR_INVALID with a sentence naming the key.
 */
static int check_known_keys(const fgcat_host_api *host, const fgcat_attrs *attrs,
                            char *msg, size_t msg_size)
{
    size_t n = host->attr_count(attrs);

    for (size_t i = 0; i < n; i++) {
        const char *key = host->attr_key(attrs, i);
        if (key == NULL)
            break;
        if (!in_list(key, KNOWN_KEYS)) {
            snprintf(msg, msg_size,
                     "attribute %.60s is not a health-planning attribute; use "
                     "beds_min, beds_max, phases, specialty, partners, "
                     "site_visits, min_lead_days, days_min or days_max",
                     key);
            return FGCAT_ERR_INVALID;
        }
    }
    return FGCAT_OK;
}

/*
 * Parses and checks an offering's attributes into *a, including the
 * cross-field rules that depend on the offering's price_unit, delivery and
 * duration_days.  Both callbacks use it, so an offering that validates can
 * always be quoted.  Returns FGCAT_OK or FGCAT_ERR_INVALID with a sentence
 * naming the attribute (or field) in msg.  Strings in *a are borrowed from
 * the host until the calling callback returns.
 */
static int parse_attrs(const fgcat_host_api *host, const fgcat_offering *off,
                       hp_attrs *a, char *msg, size_t msg_size)
{
    const fgcat_attrs *attrs = off->attributes;
    const char *unit = off->price_unit != NULL ? off->price_unit : "";
    const char *partners = NULL;
    int per_day = strcmp(unit, "per-day") == 0;
    int has_min = 0, has_max = 0;
    int rc;

    memset(a, 0, sizeof(*a));
    if (!FGCAT_HAS_FIELD(off, fgcat_offering, attributes) || attrs == NULL) {
        snprintf(msg, msg_size,
                 "attributes must be an object with beds_min, beds_max, "
                 "phases, specialty, site_visits and min_lead_days");
        return FGCAT_ERR_INVALID;
    }

    if (strcmp(unit, "fixed") != 0 && strcmp(unit, "per-bed") != 0 && !per_day) {
        snprintf(msg, msg_size,
                 "price unit %.20s does not fit health-planning advice; use "
                 "fixed, per-day or per-bed",
                 unit);
        return FGCAT_ERR_INVALID;
    }

    if ((rc = check_known_keys(host, attrs, msg, msg_size)) != FGCAT_OK)
        return rc;

    if ((rc = read_int(host, attrs, "beds_min", 1, 0, NULL, BEDS_LIMIT,
                       &a->beds_min, NULL, msg, msg_size)) != FGCAT_OK)
        return rc;
    if ((rc = read_int(host, attrs, "beds_max", 1,
                       a->beds_min > 0 ? a->beds_min : 1,
                       a->beds_min > 0 ? "beds_min" : NULL, BEDS_LIMIT,
                       &a->beds_max, NULL, msg, msg_size)) != FGCAT_OK)
        return rc;
    if (strcmp(unit, "per-bed") == 0 && a->beds_min < 1) {
        snprintf(msg, msg_size,
                 "attribute beds_min must be at least 1 for a per-bed offering");
        return FGCAT_ERR_INVALID;
    }
    if ((rc = read_int(host, attrs, "phases", 1, 1, NULL, PHASES_LIMIT,
                       &a->phases, NULL, msg, msg_size)) != FGCAT_OK)
        return rc;

    rc = host->attr_string(attrs, "specialty", &a->specialty);
    if (rc != FGCAT_OK || !in_list(a->specialty, SPECIALTIES)) {
        snprintf(msg, msg_size,
                 "attribute specialty %s one of multispecialty, oncology, "
                 "integrated-care, older-people, estates, governance or "
                 "operational-readiness",
                 rc == FGCAT_ERR_NOT_FOUND ? "is required and must be"
                                           : "must be");
        return FGCAT_ERR_INVALID;
    }

    rc = host->attr_string(attrs, "partners", &partners);
    if (rc != FGCAT_ERR_NOT_FOUND) {
        size_t len = rc == FGCAT_OK ? strlen(partners) : 0;
        if (rc != FGCAT_OK || len < 1 || len > PARTNERS_MAX_BYTES) {
            snprintf(msg, msg_size,
                     "attribute partners must be a string of 1 to %d bytes "
                     "naming the non-NHS partners",
                     PARTNERS_MAX_BYTES);
            return FGCAT_ERR_INVALID;
        }
    }

    if ((rc = read_int(host, attrs, "site_visits", 1, 0, NULL,
                       SITE_VISITS_LIMIT, &a->site_visits, NULL, msg,
                       msg_size)) != FGCAT_OK)
        return rc;
    if (off->delivery != NULL && strcmp(off->delivery, "remote") == 0 &&
        a->site_visits != 0) {
        snprintf(msg, msg_size,
                 "attribute site_visits must be 0 for a remote offering, not "
                 "%" PRId64,
                 a->site_visits);
        return FGCAT_ERR_INVALID;
    }

    if ((rc = read_int(host, attrs, "min_lead_days", 1, LEAD_MIN_LIMIT, NULL,
                       LEAD_MAX_LIMIT, &a->min_lead_days, NULL, msg,
                       msg_size)) != FGCAT_OK)
        return rc;

    /* The day range belongs to per-day offerings only: elsewhere it would
       be a second, contradictory statement of the engagement's size. */
    if ((rc = read_int(host, attrs, "days_min", per_day, 1, NULL, DAYS_LIMIT,
                       &a->days_min, &has_min, msg, msg_size)) != FGCAT_OK)
        return rc;
    if ((rc = read_int(host, attrs, "days_max", per_day,
                       has_min ? a->days_min : 1, has_min ? "days_min" : NULL,
                       DAYS_LIMIT, &a->days_max, &has_max, msg,
                       msg_size)) != FGCAT_OK)
        return rc;
    if (!per_day && (has_min || has_max)) {
        snprintf(msg, msg_size,
                 "attribute %s applies only to per-day offerings; remove it or "
                 "price the offering per-day",
                 has_min ? "days_min" : "days_max");
        return FGCAT_ERR_INVALID;
    }
    if (per_day && off->duration_days > 0 && a->days_max > off->duration_days) {
        snprintf(msg, msg_size,
                 "attribute days_max (%" PRId64 ") must not exceed the "
                 "offering's duration_days (%" PRId64 ")",
                 a->days_max, off->duration_days);
        return FGCAT_ERR_INVALID;
    }
    return FGCAT_OK;
}

/* ------------------------------------------------------------------------ */
/* Pricing                                                                  */
/* ------------------------------------------------------------------------ */

/*
 * Prices `quantity` units at `price` pence under `unit` into *amount.  Every
 * unit is price x quantity, except per-bed: beds beyond TAPER_FROM_BEDS cost
 * 75% of the rate, rounded down to the penny.  Returns 0 on overflow.
 */
static int price_of(const char *unit, int64_t price, int64_t quantity,
                    int64_t *amount)
{
    int64_t base, extra;

    if (strcmp(unit, "per-bed") != 0 || quantity <= TAPER_FROM_BEDS)
        return fgcat_mul_ok(price, quantity, amount);

    if (!fgcat_mul_ok(price, TAPER_FROM_BEDS, &base) ||
        !fgcat_mul_ok(price, quantity - TAPER_FROM_BEDS, &extra))
        return 0;
    /* 75% of extra, rounded down, without forming 3 * extra. */
    extra = (extra / 4) * 3 + ((extra % 4) * 3) / 4;
    return fgcat_add_ok(base, extra, amount);
}

/* ------------------------------------------------------------------------ */
/* Callbacks                                                                */
/* ------------------------------------------------------------------------ */

/*
 * Checks an offering of the health-planning area: its price unit and its
 * attributes (see parse_attrs and the file comment).
 */
static int hp_validate_offering(const fgcat_host_api *host, void *state,
                                const fgcat_offering *offering, char *msg,
                                size_t msg_size)
{
    hp_attrs a;

    (void)state;
    return parse_attrs(host, offering, &a, msg, msg_size);
}

/*
 * Checks the request's quantity against the range the price unit implies:
 * one engagement for fixed, beds_min..beds_max beds for per-bed,
 * days_min..days_max days for per-day.  Returns FGCAT_OK or
 * FGCAT_ERR_REFUSED with a sentence saying what would be accepted.
 */
static int check_quantity(const char *unit, const hp_attrs *a, int64_t q,
                          char *msg, size_t msg_size)
{
    if (strcmp(unit, "fixed") == 0) {
        if (q != 1) {
            snprintf(msg, msg_size,
                     "this is a fixed-price engagement: request quantity 1, "
                     "not %" PRId64 ", and submit one request per hospital",
                     q);
            return FGCAT_ERR_REFUSED;
        }
    } else if (strcmp(unit, "per-bed") == 0) {
        if (q < a->beds_min || q > a->beds_max) {
            snprintf(msg, msg_size,
                     "a hospital of %" PRId64 " beds is outside this service's "
                     "range of %" PRId64 " to %" PRId64 " beds",
                     q, a->beds_min, a->beds_max);
            return FGCAT_ERR_REFUSED;
        }
    } else if (strcmp(unit, "per-day") == 0) {
        if (q < a->days_min || q > a->days_max) {
            snprintf(msg, msg_size,
                     "%" PRId64 " advisory day%s %s outside this offering's "
                     "range of %" PRId64 " to %" PRId64 " days",
                     q, q == 1 ? "" : "s", q == 1 ? "is" : "are", a->days_min,
                     a->days_max);
            return FGCAT_ERR_REFUSED;
        }
    } else {
        /* parse_attrs refuses every other unit (per-delegate included), so
           an offering priced any other way never gets this far. */
        snprintf(msg, msg_size, "price unit %.20s cannot be quoted by "
                                "health-planning", unit);
        return FGCAT_ERR_INVALID;
    }
    return FGCAT_OK;
}

/*
 * Applies the area's request rules (start date and lead time, quantity by
 * price unit) and prices the request into *quote.  A missing start is
 * refused: planning teams are scheduled months ahead.  Returns FGCAT_OK,
 * FGCAT_ERR_REFUSED or FGCAT_ERR_INVALID with a sentence in msg, or
 * FGCAT_ERR_FAILED when the offering's own attributes are unusable.
 */
static int hp_quote_request(const fgcat_host_api *host, void *state,
                            const fgcat_offering *offering,
                            const fgcat_request *request, fgcat_quote *quote,
                            char *msg, size_t msg_size)
{
    hp_attrs a;
    int64_t amount = 0;
    const char *unit;
    int rc;

    (void)state;
    if (!FGCAT_HAS_FIELD(request, fgcat_request, lead_days) ||
        !FGCAT_HAS_FIELD(quote, fgcat_quote, amount_pence)) {
        snprintf(msg, msg_size, "the request or quote is too old a structure "
                                "to be priced by health-planning 1.0.0");
        return FGCAT_ERR_INVALID;
    }
    if (parse_attrs(host, offering, &a, msg, msg_size) != FGCAT_OK)
        return FGCAT_ERR_FAILED;
    unit = offering->price_unit;

    if (request->quantity < 1) {
        snprintf(msg, msg_size, "quantity must be at least 1, not %" PRId64,
                 request->quantity);
        return FGCAT_ERR_INVALID;
    }

    if (request->start == NULL) {
        snprintf(msg, msg_size,
                 "a start date is required: this engagement needs at least "
                 "%" PRId64 " days' notice",
                 a.min_lead_days);
        return FGCAT_ERR_REFUSED;
    }
    if (request->lead_days < 0) {
        snprintf(msg, msg_size,
                 "start %.10s is in the past; choose a start at least "
                 "%" PRId64 " days from today",
                 request->start, a.min_lead_days);
        return FGCAT_ERR_REFUSED;
    }
    if (request->lead_days < a.min_lead_days) {
        snprintf(msg, msg_size,
                 "start %.10s is %" PRId64 " days away; this engagement needs "
                 "at least %" PRId64 " days' notice",
                 request->start, request->lead_days, a.min_lead_days);
        return FGCAT_ERR_REFUSED;
    }
    if (request->lead_days > MAX_LEAD_DAYS) {
        snprintf(msg, msg_size,
                 "start %.10s is %" PRId64 " days away; health-planning "
                 "engagements are booked at most %d days ahead",
                 request->start, request->lead_days, MAX_LEAD_DAYS);
        return FGCAT_ERR_REFUSED;
    }

    if ((rc = check_quantity(unit, &a, request->quantity, msg, msg_size)) !=
        FGCAT_OK)
        return rc;

    if (!price_of(unit, offering->price_pence, request->quantity, &amount)) {
        snprintf(msg, msg_size,
                 "quantity %" PRId64 " at %" PRId64 " pence per unit is too "
                 "large to price; request fewer units",
                 request->quantity, offering->price_pence);
        return FGCAT_ERR_REFUSED;
    }
    quote->amount_pence = amount;
    return FGCAT_OK;
}

static const char *const AREAS[] = {AREA, NULL};

/* Labels for `fgcat show` and `fgcat areas` (ABI 1.1). */
static const fgcat_attr_label LABEL_LIST[] = {
    FGCAT_ATTR_LABEL("beds_min", "Smallest hospital", "beds",
                     "The smallest hospital the service is scoped for."),
    FGCAT_ATTR_LABEL("beds_max", "Largest hospital", "beds",
                     "The largest hospital the service is scoped for."),
    FGCAT_ATTR_LABEL("phases", "Phases", "phases", "Stages the engagement is delivered in."),
    FGCAT_ATTR_LABEL("specialty", "Specialty", NULL, "What the planning covers."),
    FGCAT_ATTR_LABEL("partners", "Partners", NULL, "Partners outside the NHS."),
    FGCAT_ATTR_LABEL("site_visits", "Site visits", "visits",
                     "Visits to the requester's site included."),
    FGCAT_ATTR_LABEL("min_lead_days", "Notice needed", "days",
                     "The fewest days between a request and the start it asks for."),
    FGCAT_ATTR_LABEL("days_min", "Fewest advisory days", "days", NULL),
    FGCAT_ATTR_LABEL("days_max", "Most advisory days", "days", NULL),
};

static const fgcat_attr_label *const ATTR_LABELS[] = {
    &LABEL_LIST[0], &LABEL_LIST[1], &LABEL_LIST[2], &LABEL_LIST[3], &LABEL_LIST[4],
    &LABEL_LIST[5], &LABEL_LIST[6], &LABEL_LIST[7], &LABEL_LIST[8], NULL};

static const fgcat_area_label AREA_LABEL =
    FGCAT_AREA_LABEL(AREA, "Health planning",
                     "Planning advice for new hospitals, cancer centres and health "
                     "services.",
                     ATTR_LABELS);

static const fgcat_area_label *const AREA_LABELS[] = {&AREA_LABEL, NULL};

static const fgcat_plugin PLUGIN = {
    FGCAT_PLUGIN_HEADER,
    .name = "health-planning",
    .version = "1.0.0",
    .description = "Hospital and cancer-centre planning advice from the NHS "
                   "Northumbria International Alliance (Northumbria, The "
                   "Christie)",
    .areas = AREAS,
    .init = fgcat_init_data_plugin,
    .register_offerings = fgcat_register_offerings_json,
    .validate_offering = hp_validate_offering,
    .quote_request = hp_quote_request,
    .shutdown = NULL,
    .area_labels = AREA_LABELS,
};

/* Returns the plugin's descriptor, valid until the process exits. */
FGCAT_EXPORT const fgcat_plugin *fgcat_plugin_entry(void)
{
    return &PLUGIN;
}
