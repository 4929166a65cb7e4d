/*
 * integrated-care-training — built-in fgcat plugin for the
 * "integrated-care-training" service area.
 *
 * It registers the area's offerings (integrated-care courses for community
 * nurses from the Northumbria-Xiangya partnership, Imperial's nurse / doctor
 * / general management courses, train-the-trainer, the ward-to-ward
 * pathway, cancer nursing education from The Christie), checks the area's
 * attributes on every offering, and validates and prices requests:
 *
 *   - the quantity must fit the price unit: a cohort size between
 *     cohort_min and cohort_max for per-delegate offerings, exactly one
 *     cohort for fixed-price offerings, 1..duration_days for per-day ones;
 *   - a preferred start, when given, must be at least lead_time_days
 *     (default 42) and at most ICT_MAX_LEAD_DAYS after today;
 *   - price = unit price x quantity, less 10% for per-delegate cohorts of
 *     ICT_DISCOUNT_COHORT delegates or more.
 *
 * The offerings themselves are data: offerings.json in the plugin's data
 * directory (plugins/integrated-care-training/offerings.json here).  See
 * README.md beside this file for the schema and the rules in prose.  The
 * plugin keeps no state: everything is static const data.
 */
#include <fgcat/plugin.h>
#include <fgcat/plugin_util.h>

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define ICT_AREA "integrated-care-training"

/* Attribute bounds. */
#define ICT_COHORT_LIMIT 200       /* largest cohort_min / cohort_max */
#define ICT_TTT_COHORT_LIMIT 12    /* largest cohort_max for train-the-trainer */
#define ICT_CPD_LIMIT 500          /* largest cpd_hours */
#define ICT_LEAD_LIMIT 365         /* largest lead_time_days */
#define ICT_DEFAULT_LEAD_DAYS 42   /* lead_time_days when absent */
#define ICT_DEFAULT_LANGUAGE "en-GB"
#define ICT_LANGUAGE_MAX 35        /* longest language tag, in bytes */

/* Request rules. */
#define ICT_MAX_LEAD_DAYS 730      /* bookings open at most two years ahead */
#define ICT_DISCOUNT_COHORT 20     /* per-delegate cohorts this big get 10% off */

/* ------------------------------------------------------------------------ */
/* Attributes                                                                */
/* ------------------------------------------------------------------------ */

/*
 * True when `s` looks like a BCP 47 language tag as we use them: a primary
 * subtag of 2-3 lowercase letters followed by any number of "-" subtags of
 * 2-8 ASCII letters or digits ("en-GB", "zh-CN", "zh-Hans-CN"), at most
 * ICT_LANGUAGE_MAX bytes in all.
 */
static int ict_is_language_tag(const char *s)
{
    size_t len = strlen(s);
    size_t i = 0;
    size_t run = 0;

    if (len == 0 || len > ICT_LANGUAGE_MAX)
        return 0;
    while (i < len && s[i] >= 'a' && s[i] <= 'z') {
        i++;
        run++;
    }
    if (run < 2 || run > 3)
        return 0;
    while (i < len) {
        if (s[i] != '-')
            return 0;
        i++;
        run = 0;
        while (i < len && ((s[i] >= 'a' && s[i] <= 'z') ||
                           (s[i] >= 'A' && s[i] <= 'Z') ||
                           (s[i] >= '0' && s[i] <= '9'))) {
            i++;
            run++;
        }
        if (run < 2 || run > 8)
            return 0;
    }
    return 1;
}

#define ICT_LANGUAGE_EXPECT "a language tag such as \"en-GB\" or \"zh-CN\""

/* The area's attributes, in the order messages list them. */
enum { A_COHORT_MIN, A_COHORT_MAX, A_CPD_HOURS, A_LANGUAGE, A_INTERPRETING,
       A_TTT, A_LEAD_TIME_DAYS, A_COUNT };

static const fgcat_attr_spec ict_schema[A_COUNT] = {
    [A_COHORT_MIN] = {"cohort_min", FGCAT_ATTR_INT, 1, 1, ICT_COHORT_LIMIT, 0, NULL, NULL, NULL},
    [A_COHORT_MAX] = {"cohort_max", FGCAT_ATTR_INT, 1, 1, ICT_COHORT_LIMIT, 0, NULL, NULL, NULL},
    [A_CPD_HOURS] = {"cpd_hours", FGCAT_ATTR_INT, 1, 0, ICT_CPD_LIMIT, 0, NULL, NULL, NULL},
    [A_LANGUAGE] = {"language", FGCAT_ATTR_STRING, 0, 1, ICT_LANGUAGE_MAX, 0,
                    ICT_DEFAULT_LANGUAGE, ict_is_language_tag, ICT_LANGUAGE_EXPECT},
    [A_INTERPRETING] = {"interpreting", FGCAT_ATTR_STRING, 0, 1, ICT_LANGUAGE_MAX, 0, NULL,
                        ict_is_language_tag, ICT_LANGUAGE_EXPECT},
    [A_TTT] = {"train_the_trainer", FGCAT_ATTR_BOOL, 0, 0, 1, 0, NULL, NULL, NULL},
    [A_LEAD_TIME_DAYS] = {"lead_time_days", FGCAT_ATTR_INT, 0, 0, ICT_LEAD_LIMIT,
                          ICT_DEFAULT_LEAD_DAYS, NULL, NULL, NULL},
};

/* The area's parsed attributes; strings are borrowed from the host. */
typedef struct ict_attrs {
    int64_t cohort_min;
    int64_t cohort_max;
    int64_t cpd_hours;
    int64_t lead_time_days;  /* ICT_DEFAULT_LEAD_DAYS when absent */
    int train_the_trainer;   /* 0 when absent */
    const char *language;    /* ICT_DEFAULT_LANGUAGE when absent */
    const char *interpreting; /* NULL when absent */
} ict_attrs;

/*
 * Reads and checks the whole attributes object of an offering into *a:
 * the schema (unknown keys refused, required keys present, types and
 * ranges), then the cross-field rules (cohort_min <= cohort_max, a
 * train-the-trainer cohort of at most ICT_TTT_COHORT_LIMIT, interpreting
 * differs from language).  Returns FGCAT_OK, or FGCAT_ERR_INVALID with a
 * sentence naming the attribute in msg.
 */
static int ict_read_attrs(const fgcat_host_api *host, const fgcat_attrs *attrs,
                          ict_attrs *a, char *msg, size_t msg_size)
{
    fgcat_attr_value v[A_COUNT];
    int rc = fgcat_read_attrs(host, attrs, ICT_AREA, ict_schema, A_COUNT, v, msg, msg_size);

    if (rc != FGCAT_OK)
        return rc;
    a->cohort_min = v[A_COHORT_MIN].i;
    a->cohort_max = v[A_COHORT_MAX].i;
    a->cpd_hours = v[A_CPD_HOURS].i;
    a->lead_time_days = v[A_LEAD_TIME_DAYS].i;
    a->train_the_trainer = (int)v[A_TTT].i;
    a->language = v[A_LANGUAGE].s;
    a->interpreting = v[A_INTERPRETING].s;
    if (a->cohort_max < a->cohort_min) {
        fgcat_say(msg, msg_size,
                  "attribute cohort_max must be an integer between cohort_min "
                  "(%" PRId64 ") and %d",
                  a->cohort_min, ICT_COHORT_LIMIT);
        return FGCAT_ERR_INVALID;
    }
    if (a->interpreting != NULL && strcmp(a->interpreting, a->language) == 0) {
        fgcat_say(msg, msg_size,
                  "attribute interpreting must name a language other than the "
                  "teaching language (%s)",
                  a->language);
        return FGCAT_ERR_INVALID;
    }
    if (a->train_the_trainer && a->cohort_max > ICT_TTT_COHORT_LIMIT) {
        fgcat_say(msg, msg_size,
                  "attribute cohort_max must be at most %d when "
                  "train_the_trainer is true",
                  ICT_TTT_COHORT_LIMIT);
        return FGCAT_ERR_INVALID;
    }
    return FGCAT_OK;
}

/* Labels for `fgcat show` and `fgcat areas` (ABI 1.1). */
static const fgcat_attr_label ict_label_list[A_COUNT] = {
    [A_COHORT_MIN] = FGCAT_ATTR_LABEL("cohort_min", "Minimum cohort size", "delegates",
                                      "The fewest delegates a cohort may have."),
    [A_COHORT_MAX] = FGCAT_ATTR_LABEL("cohort_max", "Maximum cohort size", "delegates",
                                      "The most delegates a cohort may have."),
    [A_CPD_HOURS] = FGCAT_ATTR_LABEL("cpd_hours", "CPD hours", "hours",
                                     "Continuing professional development hours a "
                                     "delegate earns."),
    [A_LANGUAGE] = FGCAT_ATTR_LABEL("language", "Teaching language", NULL,
                                    "The language the course is taught in."),
    [A_INTERPRETING] = FGCAT_ATTR_LABEL("interpreting", "Interpreting into", NULL,
                                        "The language interpreting is provided in."),
    [A_TTT] = FGCAT_ATTR_LABEL("train_the_trainer", "Train the trainer", NULL,
                               "Whether the course prepares delegates to teach it."),
    [A_LEAD_TIME_DAYS] = FGCAT_ATTR_LABEL("lead_time_days", "Notice needed", "days",
                                          "The fewest days between a request and the "
                                          "start it asks for."),
};

static const fgcat_attr_label *const ict_attr_labels[] = {
    &ict_label_list[A_COHORT_MIN], &ict_label_list[A_COHORT_MAX],
    &ict_label_list[A_CPD_HOURS],  &ict_label_list[A_LANGUAGE],
    &ict_label_list[A_INTERPRETING], &ict_label_list[A_TTT],
    &ict_label_list[A_LEAD_TIME_DAYS], NULL};

static const fgcat_area_label ict_area_label =
    FGCAT_AREA_LABEL(ICT_AREA, "Integrated-care training",
                     "Courses for nurses, doctors and managers in integrated care, "
                     "management and teaching.",
                     ict_attr_labels);

static const fgcat_area_label *const ict_area_labels[] = {&ict_area_label, NULL};

/* ------------------------------------------------------------------------ */
/* Callbacks                                                                 */
/* ------------------------------------------------------------------------ */

/*
 * Checks an offering of the area: its price unit must suit training
 * (per-delegate, per-day or fixed per cohort; never per-bed), a per-day
 * offering must state duration_days (it caps the days requested), and its
 * attributes must pass ict_read_attrs.
 */
static int ict_validate_offering(const fgcat_host_api *host, void *state,
                                 const fgcat_offering *offering, char *msg,
                                 size_t msg_size)
{
    ict_attrs a;
    const char *unit;

    (void)state;
    unit = offering->price_unit != NULL ? offering->price_unit : "";
    if (strcmp(unit, "per-delegate") != 0 && strcmp(unit, "per-day") != 0 &&
        strcmp(unit, "fixed") != 0) {
        fgcat_say(msg, msg_size,
                "price_unit %s does not suit training; use per-delegate, "
                "per-day or fixed (one price per cohort)",
                unit);
        return FGCAT_ERR_INVALID;
    }
    if (strcmp(unit, "per-day") == 0 && offering->duration_days < 1) {
        fgcat_say(msg, msg_size,
                "duration_days must be at least 1 for a per-day offering, as "
                "it caps the number of days a request may ask for");
        return FGCAT_ERR_INVALID;
    }
    if (!FGCAT_HAS_FIELD(offering, fgcat_offering, attributes)) {
        fgcat_say(msg, msg_size, "attributes are missing from this offering");
        return FGCAT_ERR_INVALID;
    }
    return ict_read_attrs(host, offering->attributes, &a, msg, msg_size);
}

/*
 * Applies the quantity rule of the offering's price unit.  Returns
 * FGCAT_OK, or FGCAT_ERR_REFUSED (FGCAT_ERR_INVALID for a unit the area
 * never uses) with a sentence saying what would be accepted.
 */
static int ict_check_quantity(const fgcat_offering *offering,
                              const ict_attrs *a, int64_t q, char *msg,
                              size_t msg_size)
{
    const char *unit = offering->price_unit != NULL ? offering->price_unit : "";

    if (strcmp(unit, "per-delegate") == 0) {
        if (q < a->cohort_min) {
            fgcat_say(msg, msg_size,
                    "a cohort of %" PRId64 " delegate%s is below this "
                    "programme's minimum of %" PRId64 "; request between "
                    "%" PRId64 " and %" PRId64 " delegates",
                    q, fgcat_plural(q), a->cohort_min, a->cohort_min,
                    a->cohort_max);
            return FGCAT_ERR_REFUSED;
        }
        if (q > a->cohort_max) {
            fgcat_say(msg, msg_size,
                    "a cohort of %" PRId64 " delegates is above this "
                    "programme's maximum of %" PRId64 "; request between "
                    "%" PRId64 " and %" PRId64 " delegates, or split them "
                    "into several requests",
                    q, a->cohort_max, a->cohort_min, a->cohort_max);
            return FGCAT_ERR_REFUSED;
        }
        return FGCAT_OK;
    }
    if (strcmp(unit, "fixed") == 0) {
        if (q != 1) {
            fgcat_say(msg, msg_size,
                    "this programme is priced per cohort, so quantity must be "
                    "1 (one cohort of %" PRId64 " to %" PRId64 " delegates), "
                    "not %" PRId64 "; send one request per cohort",
                    a->cohort_min, a->cohort_max, q);
            return FGCAT_ERR_REFUSED;
        }
        return FGCAT_OK;
    }
    if (strcmp(unit, "per-day") == 0) {
        if (q > offering->duration_days) {
            fgcat_say(msg, msg_size,
                    "%" PRId64 " days is longer than this offering's "
                    "%" PRId64 " day%s; request between 1 and %" PRId64
                    " day%s",
                    q, offering->duration_days,
                    fgcat_plural(offering->duration_days),
                    offering->duration_days,
                    fgcat_plural(offering->duration_days));
            return FGCAT_ERR_REFUSED;
        }
        return FGCAT_OK;
    }
    fgcat_say(msg, msg_size,
            "this offering is priced %s, which %s does not use; ask the "
            "provider to price it per delegate, per day or per cohort",
            unit[0] != '\0' ? unit : "without a unit", ICT_AREA);
    return FGCAT_ERR_INVALID;
}

/*
 * Applies the lead-time rule.  A request without a start is accepted (the
 * date is agreed with the provider later, under the same notice period).
 * A start must lie between lead_time_days and ICT_MAX_LEAD_DAYS days after
 * today.  Returns FGCAT_OK, or FGCAT_ERR_REFUSED with a sentence giving the
 * earliest or latest acceptable date.
 */
static int ict_check_start(const fgcat_request *request, const ict_attrs *a,
                           char *msg, size_t msg_size)
{
    char when[32];
    char bound[16];
    int64_t lead;

    if (request->start == NULL)
        return FGCAT_OK;
    lead = request->lead_days;

    if (lead >= a->lead_time_days && lead <= ICT_MAX_LEAD_DAYS)
        return FGCAT_OK;

    if (lead > ICT_MAX_LEAD_DAYS) {
        if (fgcat_date_after(request->today, ICT_MAX_LEAD_DAYS, bound,
                           sizeof bound))
            fgcat_say(msg, msg_size,
                    "start %s is %" PRId64 " days away; bookings open at most "
                    "%d days ahead, so start on or before %s",
                    request->start, lead, ICT_MAX_LEAD_DAYS, bound);
        else
            fgcat_say(msg, msg_size,
                    "start %s is %" PRId64 " days away; bookings open at most "
                    "%d days ahead",
                    request->start, lead, ICT_MAX_LEAD_DAYS);
        return FGCAT_ERR_REFUSED;
    }

    /* Too soon: say how soon, then what would be accepted. */
    if (lead < 0)
        snprintf(when, sizeof when, "is in the past");
    else if (lead == 0)
        snprintf(when, sizeof when, "is today");
    else
        snprintf(when, sizeof when, "is only %" PRId64 " day%s away", lead,
                 fgcat_plural(lead));
    if (!fgcat_date_after(request->today, a->lead_time_days, bound, sizeof bound))
        fgcat_say(msg, msg_size,
                "start %s %s; this programme needs at least %" PRId64
                " days' notice",
                request->start, when, a->lead_time_days);
    else if (a->lead_time_days == 0)
        fgcat_say(msg, msg_size, "start %s %s; start on or after %s",
                request->start, when, bound);
    else
        fgcat_say(msg, msg_size,
                "start %s %s; this programme needs at least %" PRId64
                " days' notice, so start on or after %s",
                request->start, when, a->lead_time_days, bound);
    return FGCAT_ERR_REFUSED;
}

/*
 * Validates a request against the offering's rules (the start date, then
 * the quantity for the price unit) and prices it: unit price x quantity, with
 * 10% off a per-delegate cohort of ICT_DISCOUNT_COHORT delegates or more
 * (the discount is rounded down to the penny).  Quantities are bounded by
 * the rules, and the multiplication is checked, so the total never
 * overflows.
 */
static int ict_quote_request(const fgcat_host_api *host, void *state,
                             const fgcat_offering *offering,
                             const fgcat_request *request, fgcat_quote *quote,
                             char *msg, size_t msg_size)
{
    ict_attrs a;
    int64_t q, total;
    int rc;

    (void)state;
    if (!FGCAT_HAS_FIELD(offering, fgcat_offering, attributes) ||
        !FGCAT_HAS_FIELD(request, fgcat_request, note) ||
        !FGCAT_HAS_FIELD(quote, fgcat_quote, currency)) {
        fgcat_say(msg, msg_size, "the host passed structures older than ABI "
                               "1.0");
        return FGCAT_ERR_FAILED;
    }
    rc = ict_read_attrs(host, offering->attributes, &a, msg, msg_size);
    if (rc != FGCAT_OK)
        return rc;

    q = request->quantity;
    if (q < 1) {
        fgcat_say(msg, msg_size, "quantity must be at least 1, not %" PRId64, q);
        return FGCAT_ERR_INVALID;
    }
    /* The start first: a host that asks again without the start then
       hears about the quantity too, and can show both problems at once. */
    rc = ict_check_start(request, &a, msg, msg_size);
    if (rc != FGCAT_OK)
        return rc;
    rc = ict_check_quantity(offering, &a, q, msg, msg_size);
    if (rc != FGCAT_OK)
        return rc;

    if (offering->price_pence < 0) {
        fgcat_say(msg, msg_size, "this offering has a negative price");
        return FGCAT_ERR_INVALID;
    }
    if (!fgcat_mul_ok(offering->price_pence, q, &total)) {
        fgcat_say(msg, msg_size,
                  "a quantity of %" PRId64 " would make the price too large to "
                  "quote; ask for fewer",
                  q);
        return FGCAT_ERR_REFUSED;
    }
    if (strcmp(offering->price_unit, "per-delegate") == 0 &&
        q >= ICT_DISCOUNT_COHORT)
        total -= total / 10;
    quote->amount_pence = total;
    return FGCAT_OK;
}

static const char *const ict_areas[] = {ICT_AREA, NULL};

static const fgcat_plugin ict_plugin = {
    FGCAT_PLUGIN_HEADER,
    .name = ICT_AREA,
    .version = "1.0.0",
    .description = "Integrated-care, management and train-the-trainer courses "
                   "for nurses and clinical teams (Northumbria, Imperial, "
                   "The Christie)",
    .areas = ict_areas,
    .init = fgcat_init_data_plugin,
    .register_offerings = fgcat_register_offerings_json,
    .validate_offering = ict_validate_offering,
    .quote_request = ict_quote_request,
    .shutdown = NULL,
    .area_labels = ict_area_labels,
};

/* The plugin's one exported symbol: its constant descriptor. */
FGCAT_EXPORT const fgcat_plugin *fgcat_plugin_entry(void)
{
    return &ict_plugin;
}
