/*
 * clinical-effectiveness — the built-in plugin for the
 * "clinical-effectiveness" service area: clinical audit run with
 * multidisciplinary teams, clinical effectiveness reviews, clinical
 * governance and quality assurance frameworks, and patient experience
 * programmes, offered by Imperial College Healthcare (RYJ), Northumbria
 * Healthcare (RTF, also for the NHS Northumbria International Alliance) and
 * The Christie (RBV).  See README.md beside this file for the offerings,
 * the attribute schema, the request rules and the pricing rule.
 *
 * The offerings themselves are data: offerings.json in the plugin's data
 * directory (plugins/clinical-effectiveness/offerings.json here).  The
 * plugin keeps no state: every callback reads what it needs from its
 * arguments.
 */
#include <fgcat/plugin.h>
#include <fgcat/plugin_util.h>

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define CE_AREA "clinical-effectiveness"

/* Attribute ranges (README.md, "Attributes"). */
#define CE_SPECIALTIES_MAX 30
#define CE_AUDIT_CYCLES_MAX 6
#define CE_REAUDIT_WEEKS_MIN 4
#define CE_REAUDIT_WEEKS_MAX 104
#define CE_REPORT_WEEKS_MAX 26
#define CE_LEAD_DAYS_MAX 365
#define CE_DAYS_MAX 365
#define CE_COHORT_MAX 200
#define CE_BEDS_MAX 5000

/*
 * Fixed-price offerings are priced per specialty audit; the second and later
 * specialties of one request share the set-up work and are charged this many
 * percent less (rounded down to the penny, per specialty).
 */
#define CE_EXTRA_SPECIALTY_DISCOUNT_PCT 15

static const char *const areas[] = {CE_AREA, NULL};

/* ------------------------------------------------------------------------ */
/* Attributes                                                                */
/* ------------------------------------------------------------------------ */

/* The four price units, and what a request's quantity counts under each. */
typedef enum ce_unit {
    CE_UNIT_FIXED,        /* quantity = specialty audits (engagements) */
    CE_UNIT_PER_DELEGATE, /* quantity = delegates */
    CE_UNIT_PER_DAY,      /* quantity = review days */
    CE_UNIT_PER_BED       /* quantity = beds of the hospital */
} ce_unit;

/* An offering's attributes, read and checked. */
typedef struct ce_attrs {
    ce_unit unit;
    int64_t specialties_max;
    int64_t audit_cycles;
    int64_t reaudit_weeks; /* 0 when audit_cycles is 1 */
    int mdt_required;
    int64_t report_weeks;
    int patient_survey;
    int64_t lead_days_min;
    int64_t qty_min; /* the request quantity range for the unit */
    int64_t qty_max;
} ce_attrs;

/* The unit-specific range keys: the pair each unit requires. */
typedef struct ce_range_keys {
    const char *unit_name; /* price_unit string */
    const char *min_key;   /* NULL for fixed: the range is 1..specialties_max */
    const char *max_key;
    int64_t limit;         /* upper bound of both keys */
} ce_range_keys;

static const ce_range_keys range_keys[] = {
    [CE_UNIT_FIXED] = {"fixed", NULL, NULL, 0},
    [CE_UNIT_PER_DELEGATE] = {"per-delegate", "cohort_min", "cohort_max",
                              CE_COHORT_MAX},
    [CE_UNIT_PER_DAY] = {"per-day", "days_min", "days_max", CE_DAYS_MAX},
    [CE_UNIT_PER_BED] = {"per-bed", "beds_min", "beds_max", CE_BEDS_MAX},
};

#define CE_UNIT_COUNT (sizeof(range_keys) / sizeof(range_keys[0]))

/* The keys every offering of the area may carry whatever its unit. */
static const char *const common_keys[] = {
    "specialties_max", "audit_cycles",   "reaudit_weeks", "mdt_required",
    "report_weeks",    "patient_survey", "lead_days_min", NULL};

/* The attributes every offering carries, whatever its unit, in the order
   they are checked. */
enum { C_SPECIALTIES_MAX, C_AUDIT_CYCLES, C_MDT_REQUIRED, C_REPORT_WEEKS,
       C_PATIENT_SURVEY, C_LEAD_DAYS_MIN, C_COUNT };

static const fgcat_attr_spec common_schema[C_COUNT] = {
    [C_SPECIALTIES_MAX] = {"specialties_max", FGCAT_ATTR_INT, 1, 1, CE_SPECIALTIES_MAX, 0,
                           NULL, NULL, NULL},
    [C_AUDIT_CYCLES] = {"audit_cycles", FGCAT_ATTR_INT, 1, 1, CE_AUDIT_CYCLES_MAX, 0, NULL,
                        NULL, NULL},
    [C_MDT_REQUIRED] = {"mdt_required", FGCAT_ATTR_BOOL, 1, 0, 1, 0, NULL, NULL, NULL},
    [C_REPORT_WEEKS] = {"report_weeks", FGCAT_ATTR_INT, 1, 1, CE_REPORT_WEEKS_MAX, 0, NULL,
                        NULL, NULL},
    [C_PATIENT_SURVEY] = {"patient_survey", FGCAT_ATTR_BOOL, 1, 0, 1, 0, NULL, NULL, NULL},
    [C_LEAD_DAYS_MIN] = {"lead_days_min", FGCAT_ATTR_INT, 1, 0, CE_LEAD_DAYS_MAX, 0, NULL,
                         NULL, NULL},
};

/*
 * Maps a price_unit string to its unit.  Returns 0 and sets *unit, or -1 when
 * the string is NULL or names no unit.
 */
static int parse_unit(const char *s, ce_unit *unit)
{
    size_t i;

    if (s == NULL)
        return -1;
    for (i = 0; i < CE_UNIT_COUNT; i++) {
        if (strcmp(s, range_keys[i].unit_name) == 0) {
            *unit = (ce_unit)i;
            return 0;
        }
    }
    return -1;
}

/*
 * Reads the integer attribute `key`, which must be present and lie in
 * [lo, hi].  `range` is how the accepted range is named in a message
 * (e.g. "between 1 and 30" or "between days_min and 365").  Returns 0 and
 * sets *out, or -1 with one sentence naming the attribute in msg.
 */
static int read_int(const fgcat_host_api *host, const fgcat_attrs *attrs,
                    const char *key, int64_t lo, int64_t hi,
                    const char *range, int64_t *out, char *msg,
                    size_t msg_size)
{
    int64_t v = 0;
    int rc = host->attr_int(attrs, key, &v);

    if (rc == FGCAT_ERR_NOT_FOUND) {
        snprintf(msg, msg_size,
                 "attribute %s is required: an integer %s", key, range);
        return -1;
    }
    if (rc != FGCAT_OK || v < lo || v > hi) {
        snprintf(msg, msg_size, "attribute %s must be an integer %s", key,
                 range);
        return -1;
    }
    *out = v;
    return 0;
}

/*
 * Refuses every key the offering may not carry: keys unknown to the area,
 * range keys of another price unit, and reaudit_weeks on a single-cycle
 * offering.  Returns 0, or -1 with a sentence naming the key in msg.
 */
static int check_keys(const fgcat_host_api *host, const fgcat_attrs *attrs,
                      const ce_attrs *a, char *msg, size_t msg_size)
{
    size_t n = host->attr_count(attrs);
    size_t i, j, u;

    for (i = 0; i < n; i++) {
        const char *key = host->attr_key(attrs, i);
        int known = 0;

        if (key == NULL) {
            snprintf(msg, msg_size,
                     "attribute %zu of %zu could not be read", i + 1, n);
            return -1;
        }
        for (j = 0; common_keys[j] != NULL && !known; j++)
            known = strcmp(key, common_keys[j]) == 0;
        if (known) {
            if (strcmp(key, "reaudit_weeks") == 0 && a->audit_cycles == 1) {
                snprintf(msg, msg_size,
                         "attribute reaudit_weeks applies only when "
                         "audit_cycles is above 1");
                return -1;
            }
            continue;
        }
        for (u = 0; u < CE_UNIT_COUNT; u++) {
            const ce_range_keys *rk = &range_keys[u];

            if (rk->min_key == NULL)
                continue;
            if (strcmp(key, rk->min_key) != 0 && strcmp(key, rk->max_key) != 0)
                continue;
            if ((ce_unit)u == a->unit) {
                known = 1;
                break;
            }
            snprintf(msg, msg_size,
                     "attribute %s applies only to %s offerings, not to %s "
                     "ones",
                     key, rk->unit_name, range_keys[a->unit].unit_name);
            return -1;
        }
        if (!known) {
            snprintf(msg, msg_size,
                     "attribute %s is not a clinical-effectiveness attribute",
                     key);
            return -1;
        }
    }
    return 0;
}

/*
 * Reads and checks an offering's attributes against the area's schema
 * (README.md, "Attributes"): required keys, types, ranges, unit-specific
 * range keys with min <= max, unknown keys refused, and the cross-field rules
 * (a per-day review has at least one day per audit cycle; the engagement is
 * long enough for its re-audits).  Returns 0 and fills *a, or -1 with one
 * sentence in msg.
 */
static int read_attrs(const fgcat_host_api *host, const fgcat_offering *off,
                      ce_attrs *a, char *msg, size_t msg_size)
{
    const fgcat_attrs *attrs;
    const char *unit_s;
    char range[64];
    fgcat_attr_value v[C_COUNT];

    memset(a, 0, sizeof(*a));
    if (!FGCAT_HAS_FIELD(off, fgcat_offering, attributes)) {
        snprintf(msg, msg_size, "the host's offering carries no attributes");
        return -1;
    }
    attrs = off->attributes;
    unit_s = off->price_unit;
    if (attrs == NULL) {
        snprintf(msg, msg_size,
                 "attributes are required: at least specialties_max, "
                 "audit_cycles, mdt_required, report_weeks, patient_survey "
                 "and lead_days_min");
        return -1;
    }
    if (parse_unit(unit_s, &a->unit) != 0) {
        snprintf(msg, msg_size,
                 "price_unit must be fixed, per-delegate, per-day or per-bed");
        return -1;
    }

    if (fgcat_read_attr_values(host, attrs, common_schema, C_COUNT, v, msg, msg_size) !=
        FGCAT_OK)
        return -1;
    a->specialties_max = v[C_SPECIALTIES_MAX].i;
    a->audit_cycles = v[C_AUDIT_CYCLES].i;
    a->mdt_required = (int)v[C_MDT_REQUIRED].i;
    a->report_weeks = v[C_REPORT_WEEKS].i;
    a->patient_survey = (int)v[C_PATIENT_SURVEY].i;
    a->lead_days_min = v[C_LEAD_DAYS_MIN].i;

    if (check_keys(host, attrs, a, msg, msg_size) != 0)
        return -1;

    if (a->audit_cycles > 1) {
        snprintf(range, sizeof(range), "between %d and %d",
                 CE_REAUDIT_WEEKS_MIN, CE_REAUDIT_WEEKS_MAX);
        if (read_int(host, attrs, "reaudit_weeks", CE_REAUDIT_WEEKS_MIN,
                     CE_REAUDIT_WEEKS_MAX, range, &a->reaudit_weeks, msg,
                     msg_size) != 0)
            return -1;
    }

    if (a->unit == CE_UNIT_FIXED) {
        a->qty_min = 1;
        a->qty_max = a->specialties_max;
    } else {
        const ce_range_keys *rk = &range_keys[a->unit];

        snprintf(range, sizeof(range), "between 1 and %" PRId64, rk->limit);
        if (read_int(host, attrs, rk->min_key, 1, rk->limit, range,
                     &a->qty_min, msg, msg_size) != 0)
            return -1;
        snprintf(range, sizeof(range), "between %s and %" PRId64, rk->min_key,
                 rk->limit);
        if (read_int(host, attrs, rk->max_key, a->qty_min, rk->limit, range,
                     &a->qty_max, msg, msg_size) != 0)
            return -1;
    }

    /* Each audit cycle of a review sold by the day needs a day of its own. */
    if (a->unit == CE_UNIT_PER_DAY && a->qty_min < a->audit_cycles) {
        snprintf(msg, msg_size,
                 "attribute days_min must be at least audit_cycles (%" PRId64
                 "): each audit cycle needs at least one review day",
                 a->audit_cycles);
        return -1;
    }

    /* Re-audits are spaced reaudit_weeks apart within one engagement. */
    if (a->audit_cycles > 1 &&
        FGCAT_HAS_FIELD(off, fgcat_offering, duration_days) &&
        off->duration_days > 0) {
        int64_t need = (a->audit_cycles - 1) * a->reaudit_weeks * 7;

        if (off->duration_days < need) {
            snprintf(msg, msg_size,
                     "attribute reaudit_weeks (%" PRId64 ") does not fit %"
                     PRId64 " audit cycles into duration_days %" PRId64
                     ": the engagement needs at least %" PRId64 " days",
                     a->reaudit_weeks, a->audit_cycles, off->duration_days,
                     need);
            return -1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Requests                                                                  */
/* ------------------------------------------------------------------------ */

/* Singular and plural names of what a request's quantity counts. */
static const char *const qty_noun[][2] = {
    [CE_UNIT_FIXED] = {"specialty audit", "specialty audits"},
    [CE_UNIT_PER_DELEGATE] = {"delegate", "delegates"},
    [CE_UNIT_PER_DAY] = {"review day", "review days"},
    [CE_UNIT_PER_BED] = {"bed", "beds"},
};

/* True when s holds at least one character other than white space. */
static int has_text(const char *s)
{
    if (s == NULL)
        return 0;
    for (; *s != '\0'; s++) {
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return 1;
    }
    return 0;
}

/*
 * Checks the request's quantity against the range the offering's unit and
 * attributes allow.  Returns 0, or -1 with a sentence saying what range would
 * be accepted.
 */
static int check_quantity(const ce_attrs *a, int64_t q, char *msg,
                          size_t msg_size)
{
    const char *const *noun = qty_noun[a->unit];
    const char *more = a->unit == CE_UNIT_FIXED
                           ? " and make a second request for the rest"
                           : "";

    if (q < a->qty_min) {
        snprintf(msg, msg_size,
                 "a request for %" PRId64 " %s is below this offering's "
                 "minimum of %" PRId64 "; ask for %" PRId64 " to %" PRId64
                 " %s",
                 q, noun[q == 1 ? 0 : 1], a->qty_min, a->qty_min, a->qty_max,
                 noun[1]);
        return -1;
    }
    if (q > a->qty_max) {
        snprintf(msg, msg_size,
                 "a request for %" PRId64 " %s is above this offering's "
                 "maximum of %" PRId64 "; ask for %" PRId64 " to %" PRId64
                 " %s%s",
                 q, noun[1], a->qty_max, a->qty_min, a->qty_max, noun[1],
                 more);
        return -1;
    }
    return 0;
}

/*
 * Checks the notice given before the preferred start.  A request without a
 * start is accepted: the provider then agrees a date at least lead_days_min
 * days after accepting.  Returns 0, or -1 with a sentence giving the earliest
 * acceptable start.
 */
static int check_lead_time(const ce_attrs *a, const fgcat_request *req,
                           char *msg, size_t msg_size)
{
    char earliest[16];
    const char *today = NULL;

    if (FGCAT_HAS_FIELD(req, fgcat_request, today))
        today = req->today;
    if (req->start == NULL || req->lead_days >= a->lead_days_min)
        return 0;
    fgcat_date_after(today, a->lead_days_min, earliest, sizeof(earliest));
    if (req->lead_days < 0)
        snprintf(msg, msg_size,
                 "start %s is in the past; this offering needs at least %"
                 PRId64 " days' notice%s%s",
                 req->start, a->lead_days_min,
                 earliest[0] ? ", so start on or after " : "", earliest);
    else
        snprintf(msg, msg_size,
                 "start %s is only %" PRId64 " days ahead; this offering "
                 "needs at least %" PRId64 " days' notice%s%s",
                 req->start, req->lead_days, a->lead_days_min,
                 earliest[0] ? ", so start on or after " : "", earliest);
    return -1;
}

/*
 * Prices a checked request by the offering's unit.  fixed: price per
 * specialty audit, the second and later ones CE_EXTRA_SPECIALTY_DISCOUNT_PCT
 * percent cheaper; per-delegate, per-day, per-bed: price x quantity.
 * Returns 0 and sets *amount, or -1 with a sentence when the total would not
 * fit in int64 pence.
 */
static int price_request(const ce_attrs *a, int64_t price, int64_t q,
                         int64_t *amount, char *msg, size_t msg_size)
{
    int64_t discount;

    if (price < 0) {
        snprintf(msg, msg_size, "the offering's price is negative");
        return -1;
    }
    /* q >= 1 here; the attribute ranges keep it small, but imported
       offerings may carry any price up to the host's own limit. */
    if (!fgcat_mul_ok(price, q, amount)) {
        snprintf(msg, msg_size,
                 "%" PRId64 " %s at %" PRId64 " pence each is too large a sum "
                 "to quote; ask for fewer",
                 q, qty_noun[a->unit][1], price);
        return -1;
    }
    if (a->unit != CE_UNIT_FIXED)
        return 0;
    /* floor(price * pct / 100), computed so that price * pct cannot
       overflow; the total then stays below price * q, checked above. */
    discount = price / 100 * CE_EXTRA_SPECIALTY_DISCOUNT_PCT +
               price % 100 * CE_EXTRA_SPECIALTY_DISCOUNT_PCT / 100;
    *amount = price + (q - 1) * (price - discount);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Callbacks                                                                 */
/* ------------------------------------------------------------------------ */

/* Labels for `fgcat show` and `fgcat areas` (ABI 1.1). */
static const fgcat_attr_label label_list[] = {
    FGCAT_ATTR_LABEL("specialties_max", "Most specialties", "specialties",
                     "The most specialties one request may cover."),
    FGCAT_ATTR_LABEL("audit_cycles", "Audit cycles", "cycles",
                     "How many times the audit is run, the first included."),
    FGCAT_ATTR_LABEL("reaudit_weeks", "Weeks between audits", "weeks",
                     "The interval before each re-audit."),
    FGCAT_ATTR_LABEL("mdt_required", "Works with your multidisciplinary team", NULL,
                     "Whether the requester's own team takes part."),
    FGCAT_ATTR_LABEL("report_weeks", "Report within", "weeks",
                     "Weeks from the last audit to the report."),
    FGCAT_ATTR_LABEL("patient_survey", "Patient survey", NULL,
                     "Whether a patient experience survey is included."),
    FGCAT_ATTR_LABEL("lead_days_min", "Notice needed", "days",
                     "The fewest days between a request and the start it asks for."),
    FGCAT_ATTR_LABEL("cohort_min", "Minimum cohort size", "delegates", NULL),
    FGCAT_ATTR_LABEL("cohort_max", "Maximum cohort size", "delegates", NULL),
    FGCAT_ATTR_LABEL("days_min", "Fewest review days", "days", NULL),
    FGCAT_ATTR_LABEL("days_max", "Most review days", "days", NULL),
    FGCAT_ATTR_LABEL("beds_min", "Fewest beds", "beds", NULL),
    FGCAT_ATTR_LABEL("beds_max", "Most beds", "beds", NULL),
};

static const fgcat_attr_label *const attr_labels[] = {
    &label_list[0], &label_list[1], &label_list[2],  &label_list[3],  &label_list[4],
    &label_list[5], &label_list[6], &label_list[7],  &label_list[8],  &label_list[9],
    &label_list[10], &label_list[11], &label_list[12], NULL};

static const fgcat_area_label area_label =
    FGCAT_AREA_LABEL(CE_AREA, "Clinical effectiveness",
                     "Clinical audit, effectiveness reviews, governance and patient "
                     "experience programmes.",
                     attr_labels);

static const fgcat_area_label *const area_labels[] = {&area_label, NULL};

/*
 * Checks an offering of the area: its attributes against the schema
 * (read_attrs), with the price unit deciding which range keys it needs.
 */
static int ce_validate_offering(const fgcat_host_api *host, void *state,
                                const fgcat_offering *offering, char *msg,
                                size_t msg_size)
{
    ce_attrs a;

    (void)state;
    if (read_attrs(host, offering, &a, msg, msg_size) != 0)
        return FGCAT_ERR_INVALID;
    return FGCAT_OK;
}

/*
 * Checks a request against the area's rules — quantity within the range its
 * unit allows, enough notice before the start, the local multidisciplinary
 * team named in the note when the offering works with one — and prices it
 * (price_request).  Rules are checked in that order; the first that fails is
 * reported.
 */
static int ce_quote_request(const fgcat_host_api *host, void *state,
                            const fgcat_offering *offering,
                            const fgcat_request *request, fgcat_quote *quote,
                            char *msg, size_t msg_size)
{
    ce_attrs a;
    int64_t amount = 0;
    char why[256];

    (void)state;
    if (!FGCAT_HAS_FIELD(request, fgcat_request, lead_days) ||
        !FGCAT_HAS_FIELD(quote, fgcat_quote, amount_pence) ||
        !FGCAT_HAS_FIELD(offering, fgcat_offering, price_pence)) {
        snprintf(msg, msg_size,
                 "the host's request, quote or offering struct is too small "
                 "for this plugin");
        return FGCAT_ERR_FAILED;
    }
    if (read_attrs(host, offering, &a, why, sizeof(why)) != 0) {
        snprintf(msg, msg_size, "offering %s has invalid attributes: %s",
                 offering->id != NULL ? offering->id : "(no id)", why);
        return FGCAT_ERR_FAILED;
    }
    if (request->quantity < 1) {
        snprintf(msg, msg_size, "quantity must be at least 1 %s",
                 qty_noun[a.unit][0]);
        return FGCAT_ERR_INVALID;
    }
    /* The start first: a host that asks again without the start then hears
       about the quantity too, and can show both problems at once. */
    if (check_lead_time(&a, request, msg, msg_size) != 0)
        return FGCAT_ERR_REFUSED;
    if (check_quantity(&a, request->quantity, msg, msg_size) != 0)
        return FGCAT_ERR_REFUSED;
    if (a.mdt_required &&
        !(FGCAT_HAS_FIELD(request, fgcat_request, note) &&
          has_text(request->note))) {
        snprintf(msg, msg_size,
                 "this offering works with your own multidisciplinary team: "
                 "name its clinical lead and the specialties in the request "
                 "note");
        return FGCAT_ERR_REFUSED;
    }
    if (price_request(&a, offering->price_pence, request->quantity, &amount,
                      msg, msg_size) != 0)
        return FGCAT_ERR_REFUSED;
    quote->amount_pence = amount;
    return FGCAT_OK;
}

static const fgcat_plugin descriptor = {
    FGCAT_PLUGIN_HEADER,
    .name = CE_AREA,
    .version = "1.0.0",
    .description = "Clinical audit with multidisciplinary teams, clinical "
                   "effectiveness reviews, clinical governance and patient "
                   "experience (Imperial, Northumbria, The Christie)",
    .areas = areas,
    .init = fgcat_init_data_plugin,
    .register_offerings = fgcat_register_offerings_json,
    .validate_offering = ce_validate_offering,
    .quote_request = ce_quote_request,
    .shutdown = NULL,
    .area_labels = area_labels,
};

/* The plugin's one exported symbol: returns the constant descriptor. */
FGCAT_EXPORT const fgcat_plugin *fgcat_plugin_entry(void)
{
    return &descriptor;
}
