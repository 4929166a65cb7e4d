/*
 * productivity — the built-in plugin for the "productivity" service area.
 *
 * It registers the productivity offerings of the public record: Northumbria
 * Foundation Group's lean delivery, lean management, workforce and
 * corporate-services support for other trusts, and Imperial College
 * Healthcare's advice on running emergency and elective work side by side,
 * bed management and ward-to-ward pathways.  It checks each offering's
 * attributes against the area's schema and applies the area's request rules
 * (quantity ranges set by the offering, minimum notice before the start) and
 * its pricing rule.  See README.md beside this file for the schema and rules.
 *
 * The offerings themselves are data: offerings.json in the plugin's data
 * directory (plugins/productivity/offerings.json here).  The plugin keeps
 * no state.
 */
#include <fgcat/plugin.h>
#include <fgcat/plugin_util.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define AREA "productivity"

/* ------------------------------------------------------------------------ */
/* Attribute schema                                                          */
/* ------------------------------------------------------------------------ */

/* The four price units, as bits so that a schema entry can name a set. */
enum unit {
    UNIT_FIXED = 0,
    UNIT_PER_DELEGATE,
    UNIT_PER_DAY,
    UNIT_PER_BED,
    UNIT_COUNT
};

#define U_FIXED (1u << UNIT_FIXED)
#define U_DELEGATE (1u << UNIT_PER_DELEGATE)
#define U_DAY (1u << UNIT_PER_DAY)
#define U_BED (1u << UNIT_PER_BED)
#define U_ALL (U_FIXED | U_DELEGATE | U_DAY | U_BED)

static const char *const unit_names[UNIT_COUNT] = {
    "fixed", "per-delegate", "per-day", "per-bed"};

/* How each unit is named in messages ("a fixed-price offering"). */
static const char *const unit_labels[UNIT_COUNT] = {
    "fixed-price", "per-delegate", "per-day", "per-bed"};

/* The keys each unit accepts, for messages about unknown keys. */
static const char *const unit_keys[UNIT_COUNT] = {
    "lead_days_min, benefits_tracking, diagnostic_weeks and sites_max",
    "lead_days_min, benefits_tracking, diagnostic_weeks, cohort_min and "
    "cohort_max",
    "lead_days_min, benefits_tracking, diagnostic_weeks, min_days and "
    "max_days",
    "lead_days_min, benefits_tracking, diagnostic_weeks, beds_min and "
    "beds_max"};

enum attr_id {
    A_LEAD_DAYS_MIN = 0,
    A_BENEFITS_TRACKING,
    A_DIAGNOSTIC_WEEKS,
    A_SITES_MAX,
    A_MIN_DAYS,
    A_MAX_DAYS,
    A_COHORT_MIN,
    A_COHORT_MAX,
    A_BEDS_MIN,
    A_BEDS_MAX,
    A_COUNT
};

enum attr_kind { KIND_INT, KIND_BOOL };

typedef struct attr_spec {
    const char *key;
    enum attr_kind kind;
    unsigned applies;  /* units whose offerings may carry the key */
    unsigned required; /* units whose offerings must carry it */
    int64_t lo, hi;    /* inclusive range, KIND_INT only */
} attr_spec;

/*
 * The whole schema.  Upper bounds are what one engagement can sensibly
 * hold (a working year of days, a teaching room of delegates, the largest
 * English hospitals' bed bases); they also keep pricing far from int64
 * overflow.  Cross-field rules (max >= min, fitting within duration_days)
 * are in check_cross_fields().
 */
static const attr_spec schema[A_COUNT] = {
    [A_LEAD_DAYS_MIN] = {"lead_days_min", KIND_INT, U_ALL, U_ALL, 0, 365},
    [A_BENEFITS_TRACKING] = {"benefits_tracking", KIND_BOOL, U_ALL, U_ALL, 0, 1},
    [A_DIAGNOSTIC_WEEKS] = {"diagnostic_weeks", KIND_INT, U_ALL, U_FIXED, 1, 52},
    [A_SITES_MAX] = {"sites_max", KIND_INT, U_FIXED, U_FIXED, 1, 20},
    [A_MIN_DAYS] = {"min_days", KIND_INT, U_DAY, U_DAY, 1, 260},
    [A_MAX_DAYS] = {"max_days", KIND_INT, U_DAY, U_DAY, 1, 260},
    [A_COHORT_MIN] = {"cohort_min", KIND_INT, U_DELEGATE, U_DELEGATE, 1, 60},
    [A_COHORT_MAX] = {"cohort_max", KIND_INT, U_DELEGATE, U_DELEGATE, 1, 60},
    [A_BEDS_MIN] = {"beds_min", KIND_INT, U_BED, U_BED, 1, 5000},
    [A_BEDS_MAX] = {"beds_max", KIND_INT, U_BED, U_BED, 1, 5000},
};

/* An offering's attributes once read and checked. */
typedef struct prod_attrs {
    enum unit unit;
    int present[A_COUNT];
    int64_t value[A_COUNT]; /* booleans as 0 / 1 */
} prod_attrs;

/* Returns the unit named `name`, or UNIT_COUNT when it is not one. */
static enum unit unit_from_name(const char *name)
{
    int u;

    if (name == NULL)
        return UNIT_COUNT;
    for (u = 0; u < UNIT_COUNT; u++)
        if (strcmp(name, unit_names[u]) == 0)
            return (enum unit)u;
    return UNIT_COUNT;
}

/* Returns the schema index of `key`, or A_COUNT when it is unknown. */
static enum attr_id attr_from_key(const char *key)
{
    int i;

    for (i = 0; i < A_COUNT; i++)
        if (strcmp(key, schema[i].key) == 0)
            return (enum attr_id)i;
    return A_COUNT;
}

/*
 * Refuses any key that is not in the schema, or that the offering's unit
 * does not take (sites_max on a per-day offering, say).
 */
static int check_keys(const fgcat_host_api *host, const fgcat_attrs *attrs,
                      enum unit unit, char *msg, size_t msg_size)
{
    size_t i, n = host->attr_count(attrs);

    for (i = 0; i < n; i++) {
        const char *key = host->attr_key(attrs, i);
        enum attr_id id;

        if (key == NULL)
            break;
        id = attr_from_key(key);
        if (id == A_COUNT) {
            fgcat_say(msg, msg_size,
                "attribute %s is not a productivity attribute; a %s offering "
                "takes %s",
                key, unit_labels[unit], unit_keys[unit]);
            return FGCAT_ERR_INVALID;
        }
        if ((schema[id].applies & (1u << unit)) == 0) {
            fgcat_say(msg, msg_size,
                "attribute %s does not apply to a %s offering, which takes %s",
                key, unit_labels[unit], unit_keys[unit]);
            return FGCAT_ERR_INVALID;
        }
    }
    return FGCAT_OK;
}

/*
 * Reads every schema key the offering's unit takes into `out`, checking
 * presence, type and range with the SDK's schema reader (check_keys has
 * refused the keys the unit does not take).  Absent optional keys are left
 * not present.
 */
static int read_values(const fgcat_host_api *host, const fgcat_attrs *attrs,
                       prod_attrs *out, char *msg, size_t msg_size)
{
    fgcat_attr_spec specs[A_COUNT];
    fgcat_attr_value values[A_COUNT];
    enum attr_id ids[A_COUNT];
    unsigned bit = 1u << out->unit;
    size_t n = 0;
    int rc;

    for (int i = 0; i < A_COUNT; i++) {
        const attr_spec *s = &schema[i];
        if ((s->applies & bit) == 0)
            continue;
        memset(&specs[n], 0, sizeof specs[n]);
        specs[n].key = s->key;
        specs[n].kind = s->kind == KIND_BOOL ? FGCAT_ATTR_BOOL : FGCAT_ATTR_INT;
        specs[n].required = (s->required & bit) != 0;
        specs[n].lo = s->lo;
        specs[n].hi = s->hi;
        ids[n++] = (enum attr_id)i;
    }
    rc = fgcat_read_attrs(host, attrs, AREA, specs, n, values, msg, msg_size);
    if (rc != FGCAT_OK)
        return rc;
    for (size_t k = 0; k < n; k++) {
        out->present[ids[k]] = values[k].present;
        out->value[ids[k]] = values[k].i;
    }
    return FGCAT_OK;
}

/*
 * Checks a "max" attribute against its "min" partner (both already in
 * range): max must lie between min and the schema's upper bound.
 */
static int check_min_max(const prod_attrs *a, enum attr_id min,
                         enum attr_id max, char *msg, size_t msg_size)
{
    if (!a->present[min] || !a->present[max])
        return FGCAT_OK;
    if (a->value[max] < a->value[min]) {
        fgcat_say(msg, msg_size,
            "attribute %s must be an integer between %s (%" PRId64
            ") and %" PRId64,
            schema[max].key, schema[min].key, a->value[min], schema[max].hi);
        return FGCAT_ERR_INVALID;
    }
    return FGCAT_OK;
}

/*
 * The cross-field rules: each max is at least its min, and when the
 * offering states its length (duration_days), the diagnostic phase and the
 * largest number of days that can be bought both fit inside it.
 */
static int check_cross_fields(const fgcat_offering *off, const prod_attrs *a,
                              char *msg, size_t msg_size)
{
    int rc;

    if ((rc = check_min_max(a, A_MIN_DAYS, A_MAX_DAYS, msg, msg_size)) ||
        (rc = check_min_max(a, A_COHORT_MIN, A_COHORT_MAX, msg, msg_size)) ||
        (rc = check_min_max(a, A_BEDS_MIN, A_BEDS_MAX, msg, msg_size)))
        return rc;

    if (off->duration_days <= 0)
        return FGCAT_OK;
    if (a->present[A_DIAGNOSTIC_WEEKS] &&
        a->value[A_DIAGNOSTIC_WEEKS] * 7 > off->duration_days) {
        fgcat_say(msg, msg_size,
            "attribute diagnostic_weeks (%" PRId64 " weeks) must fit within "
            "the engagement's duration_days of %" PRId64,
            a->value[A_DIAGNOSTIC_WEEKS], off->duration_days);
        return FGCAT_ERR_INVALID;
    }
    if (a->present[A_MAX_DAYS] && a->value[A_MAX_DAYS] > off->duration_days) {
        fgcat_say(msg, msg_size,
            "attribute max_days (%" PRId64 ") must not exceed duration_days "
            "(%" PRId64 "), the window the days are delivered in",
            a->value[A_MAX_DAYS], off->duration_days);
        return FGCAT_ERR_INVALID;
    }
    return FGCAT_OK;
}

/*
 * Reads and checks an offering's price unit and attributes into `out`.
 * Returns FGCAT_OK, or FGCAT_ERR_INVALID with one sentence in msg naming the
 * field or attribute at fault.  Shared by validate and quote so that both
 * see the same schema.
 */
static int read_attrs(const fgcat_host_api *host, const fgcat_offering *off,
                      prod_attrs *out, char *msg, size_t msg_size)
{
    int rc;

    memset(out, 0, sizeof(*out));
    out->unit = unit_from_name(off->price_unit);
    if (out->unit == UNIT_COUNT) {
        fgcat_say(msg, msg_size,
            "price_unit %s is not one the productivity area prices by "
            "(fixed, per-delegate, per-day or per-bed)",
            off->price_unit ? off->price_unit : "(none)");
        return FGCAT_ERR_INVALID;
    }
    if (off->attributes == NULL) {
        fgcat_say(msg, msg_size, "attribute lead_days_min is required for a %s "
                           "offering",
            unit_labels[out->unit]);
        return FGCAT_ERR_INVALID;
    }
    if ((rc = check_keys(host, off->attributes, out->unit, msg, msg_size)) ||
        (rc = read_values(host, off->attributes, out, msg, msg_size)) ||
        (rc = check_cross_fields(off, out, msg, msg_size)))
        return rc;
    return FGCAT_OK;
}

/* ------------------------------------------------------------------------ */
/* Request rules and pricing                                                 */
/* ------------------------------------------------------------------------ */

/*
 * The range a quantity of each ranged unit must lie in (two attributes),
 * and how a refusal words it: "<before><quantity><after> is below this
 * <whose>'s minimum of <n> <units>; request between <lo> and <hi> <units>",
 * e.g. "cohort of 4 is below this programme's minimum of 8 delegates; ...".
 */
static const struct {
    enum attr_id lo, hi;
    const char *before, *after, *whose, *units;
} ranges[UNIT_COUNT] = {
    [UNIT_PER_DAY] = {A_MIN_DAYS, A_MAX_DAYS, "", " days", "engagement", "days"},
    [UNIT_PER_DELEGATE] = {A_COHORT_MIN, A_COHORT_MAX, "cohort of ", "", "programme",
                           "delegates"},
    [UNIT_PER_BED] = {A_BEDS_MIN, A_BEDS_MAX, "", " beds", "review", "beds"},
};

/*
 * The quantity rule: days within min_days..max_days, sites within
 * 1..sites_max, delegates within cohort_min..cohort_max, beds within
 * beds_min..beds_max.  Refusals say what range would be accepted.
 */
static int check_quantity(const prod_attrs *a, int64_t q, char *msg,
                          size_t msg_size)
{
    int64_t lo, hi;

    switch (a->unit) {
    case UNIT_FIXED:
        hi = a->value[A_SITES_MAX];
        if (q > hi && hi == 1) {
            fgcat_say(msg, msg_size,
                "%" PRId64 " sites is more than this engagement covers; "
                "it covers one site, so request a quantity of 1",
                q);
            return FGCAT_ERR_REFUSED;
        }
        if (q > hi) {
            fgcat_say(msg, msg_size,
                "%" PRId64 " sites is more than this engagement covers; "
                "request 1 to %" PRId64 " sites, one unit per site",
                q, hi);
            return FGCAT_ERR_REFUSED;
        }
        return FGCAT_OK;
    case UNIT_PER_DAY:
    case UNIT_PER_DELEGATE:
    case UNIT_PER_BED:
        lo = a->value[ranges[a->unit].lo];
        hi = a->value[ranges[a->unit].hi];
        if (q < lo || q > hi) {
            fgcat_say(msg, msg_size,
                "%s%" PRId64 "%s is %s this %s's %s of %" PRId64
                " %s; request between %" PRId64 " and %" PRId64 " %s",
                ranges[a->unit].before, q, ranges[a->unit].after,
                q < lo ? "below" : "above", ranges[a->unit].whose,
                q < lo ? "minimum" : "maximum", q < lo ? lo : hi,
                ranges[a->unit].units, lo, hi, ranges[a->unit].units);
            return FGCAT_ERR_REFUSED;
        }
        return FGCAT_OK;
    case UNIT_COUNT:
    default:
        break;
    }
    return FGCAT_ERR_FAILED;
}

/*
 * The lead-time rule: a stated start must be at least lead_days_min days
 * after today.  A request without a start is accepted; the start is then
 * agreed with the provider on acceptance (and is bound by the same notice).
 */
static int check_lead_time(const prod_attrs *a, const fgcat_request *req,
                           char *msg, size_t msg_size)
{
    int64_t need = a->value[A_LEAD_DAYS_MIN], lead;
    const char *start, *now;
    char earliest[96] = "", date[16];

    start = FGCAT_HAS_FIELD(req, fgcat_request, start) ? req->start : NULL;
    if (start == NULL || start[0] == '\0')
        return FGCAT_OK;
    lead = FGCAT_HAS_FIELD(req, fgcat_request, lead_days) ? req->lead_days : 0;
    if (lead >= need)
        return FGCAT_OK;

    now = FGCAT_HAS_FIELD(req, fgcat_request, today) ? req->today : NULL;
    if (fgcat_date_after(now, need, date, sizeof date))
        snprintf(earliest, sizeof(earliest), ", so choose a start on or after %s", date);
    if (lead < 0)
        fgcat_say(msg, msg_size,
            "start %.10s is in the past; this engagement needs at least "
            "%" PRId64 " days' notice%s",
            start, need, earliest);
    else
        fgcat_say(msg, msg_size,
            "start %.10s is %" PRId64 " days away; this engagement needs at "
            "least %" PRId64 " days' notice%s",
            start, lead, need, earliest);
    return FGCAT_ERR_REFUSED;
}

/*
 * The pricing rule.  per-delegate, per-day and per-bed: price x quantity.
 * fixed: priced per site, the first site at the full price and every further
 * site at 80% of it (rounded down to the penny), because the method and
 * governance set up for the first site are reused.  Refuses a total that
 * would not fit in int64 pence.
 */
static int price(const fgcat_offering *off, const prod_attrs *a, int64_t q,
                 int64_t *total, char *msg, size_t msg_size)
{
    int64_t p = off->price_pence, extra_site, extra;

    if (p < 0) {
        fgcat_say(msg, msg_size, "price_pence must not be negative");
        return FGCAT_ERR_INVALID;
    }
    if (a->unit == UNIT_FIXED) {
        extra_site = p / 5 * 4 + (p % 5) * 4 / 5; /* floor(p * 0.8), no overflow */
        if (!fgcat_mul_ok(extra_site, q - 1, &extra) || extra > INT64_MAX - p)
            goto too_large;
        *total = p + extra;
        return FGCAT_OK;
    }
    if (!fgcat_mul_ok(p, q, total))
        goto too_large;
    return FGCAT_OK;

too_large:
    fgcat_say(msg, msg_size,
        "quantity %" PRId64 " is too large to price; request a smaller "
        "quantity",
        q);
    return FGCAT_ERR_REFUSED;
}

/* ------------------------------------------------------------------------ */
/* Callbacks                                                                 */
/* ------------------------------------------------------------------------ */

/* Checks a productivity offering's price unit and attributes. */
static int productivity_validate(const fgcat_host_api *host, void *state,
                                 const fgcat_offering *off, char *msg,
                                 size_t msg_size)
{
    prod_attrs a;

    (void)state;
    return read_attrs(host, off, &a, msg, msg_size);
}

/*
 * Applies the area's request rules (quantity range, then notice before the
 * start) and prices an accepted request into quote->amount_pence.
 */
static int productivity_quote(const fgcat_host_api *host, void *state,
                              const fgcat_offering *off,
                              const fgcat_request *req, fgcat_quote *quote,
                              char *msg, size_t msg_size)
{
    prod_attrs a;
    int64_t q, total = 0;
    int rc;

    (void)state;
    if (read_attrs(host, off, &a, msg, msg_size) != FGCAT_OK)
        return FGCAT_ERR_FAILED; /* the host validated it; should not happen */

    q = req->quantity;
    if (q < 1) {
        fgcat_say(msg, msg_size, "quantity must be at least 1");
        return FGCAT_ERR_INVALID;
    }
    /* The start first: a host that asks again without the start then hears
       about the quantity too, and can show both problems at once. */
    if ((rc = check_lead_time(&a, req, msg, msg_size)) ||
        (rc = check_quantity(&a, q, msg, msg_size)) ||
        (rc = price(off, &a, q, &total, msg, msg_size)))
        return rc;

    if (FGCAT_HAS_FIELD(quote, fgcat_quote, amount_pence))
        quote->amount_pence = total;
    return FGCAT_OK;
}

/* Labels for `fgcat show` and `fgcat areas` (ABI 1.1). */
static const fgcat_attr_label attr_label_list[A_COUNT] = {
    [A_LEAD_DAYS_MIN] = FGCAT_ATTR_LABEL("lead_days_min", "Notice needed", "days",
                                         "The fewest days between a request and the "
                                         "start it asks for."),
    [A_BENEFITS_TRACKING] = FGCAT_ATTR_LABEL("benefits_tracking", "Benefits tracking",
                                             NULL,
                                             "Whether the provider tracks the savings "
                                             "after the engagement."),
    [A_DIAGNOSTIC_WEEKS] = FGCAT_ATTR_LABEL("diagnostic_weeks", "Diagnostic phase", "weeks",
                                            "The length of the diagnostic phase."),
    [A_SITES_MAX] = FGCAT_ATTR_LABEL("sites_max", "Most sites", "sites",
                                     "The most sites one engagement covers."),
    [A_MIN_DAYS] = FGCAT_ATTR_LABEL("min_days", "Fewest days", "days",
                                    "The fewest days a request may buy."),
    [A_MAX_DAYS] = FGCAT_ATTR_LABEL("max_days", "Most days", "days",
                                    "The most days a request may buy."),
    [A_COHORT_MIN] = FGCAT_ATTR_LABEL("cohort_min", "Minimum cohort size", "delegates",
                                      "The fewest delegates a cohort may have."),
    [A_COHORT_MAX] = FGCAT_ATTR_LABEL("cohort_max", "Maximum cohort size", "delegates",
                                      "The most delegates a cohort may have."),
    [A_BEDS_MIN] = FGCAT_ATTR_LABEL("beds_min", "Fewest beds", "beds",
                                    "The fewest beds a review covers."),
    [A_BEDS_MAX] = FGCAT_ATTR_LABEL("beds_max", "Most beds", "beds",
                                    "The most beds a review covers."),
};

static const fgcat_attr_label *const attr_labels[] = {
    &attr_label_list[A_LEAD_DAYS_MIN], &attr_label_list[A_BENEFITS_TRACKING],
    &attr_label_list[A_DIAGNOSTIC_WEEKS], &attr_label_list[A_SITES_MAX],
    &attr_label_list[A_MIN_DAYS], &attr_label_list[A_MAX_DAYS],
    &attr_label_list[A_COHORT_MIN], &attr_label_list[A_COHORT_MAX],
    &attr_label_list[A_BEDS_MIN], &attr_label_list[A_BEDS_MAX], NULL};

static const fgcat_area_label area_label =
    FGCAT_AREA_LABEL(AREA, "Productivity",
                     "Lean delivery, workforce, corporate services and patient flow "
                     "support.",
                     attr_labels);

static const fgcat_area_label *const area_labels[] = {&area_label, NULL};

static const char *const areas[] = {AREA, NULL};

static const fgcat_plugin descriptor = {
    FGCAT_PLUGIN_HEADER,
    .name = "productivity",
    .version = "1.0.0",
    .description = "Lean delivery, workforce, corporate services and patient "
                   "flow support from Northumbria and Imperial",
    .areas = areas,
    .init = fgcat_init_data_plugin,
    .register_offerings = fgcat_register_offerings_json,
    .validate_offering = productivity_validate,
    .quote_request = productivity_quote,
    .shutdown = NULL,
    .area_labels = area_labels,
};

/* Returns the plugin's descriptor; the one symbol the plugin exports. */
FGCAT_EXPORT const fgcat_plugin *fgcat_plugin_entry(void)
{
    return &descriptor;
}
