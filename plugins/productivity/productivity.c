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
 * The plugin keeps no state: everything it registers is static const data.
 */
#include <fgcat/plugin.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define AREA "productivity"

#if defined(__GNUC__) || defined(__clang__)
#define PRINTF_LIKE(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define PRINTF_LIKE(fmt, args)
#endif

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

/*
 * Writes one formatted sentence into the host's message buffer, if there is
 * one.  Truncates rather than overflows.
 */
PRINTF_LIKE(3, 4)
static void say(char *msg, size_t msg_size, const char *fmt, ...)
{
    va_list ap;

    if (msg == NULL || msg_size == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, msg_size, fmt, ap);
    va_end(ap);
}

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
            say(msg, msg_size,
                "attribute %s is not a productivity attribute; a %s offering "
                "takes %s",
                key, unit_labels[unit], unit_keys[unit]);
            return FGCAT_ERR_INVALID;
        }
        if ((schema[id].applies & (1u << unit)) == 0) {
            say(msg, msg_size,
                "attribute %s does not apply to a %s offering, which takes %s",
                key, unit_labels[unit], unit_keys[unit]);
            return FGCAT_ERR_INVALID;
        }
    }
    return FGCAT_OK;
}

/*
 * Reads every schema key the offering's unit takes into `out`, checking
 * presence, type and range.  Absent optional keys are left not present.
 */
static int read_values(const fgcat_host_api *host, const fgcat_attrs *attrs,
                       prod_attrs *out, char *msg, size_t msg_size)
{
    int i;
    unsigned bit = 1u << out->unit;

    for (i = 0; i < A_COUNT; i++) {
        const attr_spec *s = &schema[i];
        int rc;

        if ((s->applies & bit) == 0)
            continue;
        if (s->kind == KIND_BOOL) {
            int b = 0;
            rc = host->attr_bool(attrs, s->key, &b);
            out->value[i] = b ? 1 : 0;
        } else {
            rc = host->attr_int(attrs, s->key, &out->value[i]);
        }
        if (rc == FGCAT_ERR_NOT_FOUND) {
            if (s->required & bit) {
                say(msg, msg_size, "attribute %s is required for a %s offering",
                    s->key, unit_labels[out->unit]);
                return FGCAT_ERR_INVALID;
            }
            continue;
        }
        if (rc == FGCAT_OK && s->kind == KIND_INT &&
            (out->value[i] < s->lo || out->value[i] > s->hi))
            rc = FGCAT_ERR_TYPE;
        if (rc != FGCAT_OK) {
            if (s->kind == KIND_BOOL)
                say(msg, msg_size, "attribute %s must be true or false", s->key);
            else
                say(msg, msg_size,
                    "attribute %s must be an integer between %" PRId64
                    " and %" PRId64,
                    s->key, s->lo, s->hi);
            return FGCAT_ERR_INVALID;
        }
        out->present[i] = 1;
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
        say(msg, msg_size,
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
        say(msg, msg_size,
            "attribute diagnostic_weeks (%" PRId64 " weeks) must fit within "
            "the engagement's duration_days of %" PRId64,
            a->value[A_DIAGNOSTIC_WEEKS], off->duration_days);
        return FGCAT_ERR_INVALID;
    }
    if (a->present[A_MAX_DAYS] && a->value[A_MAX_DAYS] > off->duration_days) {
        say(msg, msg_size,
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
        say(msg, msg_size,
            "price_unit %s is not one the productivity area prices by "
            "(fixed, per-delegate, per-day or per-bed)",
            off->price_unit ? off->price_unit : "(none)");
        return FGCAT_ERR_INVALID;
    }
    if (off->attributes == NULL) {
        say(msg, msg_size, "attribute lead_days_min is required for a %s "
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
/* Dates, for the lead-time message                                          */
/* ------------------------------------------------------------------------ */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
   days_from_civil). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The inverse of days_from_civil(). */
static void civil_from_days(int64_t z, int64_t *y, int64_t *m, int64_t *d)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

/*
 * Parses "YYYY-MM-DD" into days since the epoch.  Returns 1 on success, 0
 * when `s` is not such a date (the host checks dates; this only guards the
 * message).
 */
static int parse_date(const char *s, int64_t *days)
{
    int64_t y = 0, m = 0, d = 0;
    int i;

    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (i = 0; i < 10; i++) {
        if (i == 4 || i == 7)
            continue;
        if (s[i] < '0' || s[i] > '9')
            return 0;
        if (i < 4)
            y = y * 10 + (s[i] - '0');
        else if (i < 7)
            m = m * 10 + (s[i] - '0');
        else
            d = d * 10 + (s[i] - '0');
    }
    if (m < 1 || m > 12 || d < 1 || d > 31)
        return 0;
    *days = days_from_civil(y, m, d);
    return 1;
}

/* ------------------------------------------------------------------------ */
/* Request rules and pricing                                                 */
/* ------------------------------------------------------------------------ */

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
            say(msg, msg_size,
                "%" PRId64 " sites is more than this engagement covers; "
                "it covers one site, so request a quantity of 1",
                q);
            return FGCAT_ERR_REFUSED;
        }
        if (q > hi) {
            say(msg, msg_size,
                "%" PRId64 " sites is more than this engagement covers; "
                "request 1 to %" PRId64 " sites, one unit per site",
                q, hi);
            return FGCAT_ERR_REFUSED;
        }
        return FGCAT_OK;
    case UNIT_PER_DAY:
        lo = a->value[A_MIN_DAYS];
        hi = a->value[A_MAX_DAYS];
        if (q < lo || q > hi) {
            say(msg, msg_size,
                "%" PRId64 " days is %s this engagement's %s of %" PRId64
                " days; request between %" PRId64 " and %" PRId64 " days",
                q, q < lo ? "below" : "above", q < lo ? "minimum" : "maximum",
                q < lo ? lo : hi, lo, hi);
            return FGCAT_ERR_REFUSED;
        }
        return FGCAT_OK;
    case UNIT_PER_DELEGATE:
        lo = a->value[A_COHORT_MIN];
        hi = a->value[A_COHORT_MAX];
        if (q < lo || q > hi) {
            say(msg, msg_size,
                "cohort of %" PRId64 " is %s this programme's %s of %" PRId64
                " delegates; request between %" PRId64 " and %" PRId64
                " delegates",
                q, q < lo ? "below" : "above", q < lo ? "minimum" : "maximum",
                q < lo ? lo : hi, lo, hi);
            return FGCAT_ERR_REFUSED;
        }
        return FGCAT_OK;
    case UNIT_PER_BED:
        lo = a->value[A_BEDS_MIN];
        hi = a->value[A_BEDS_MAX];
        if (q < lo || q > hi) {
            say(msg, msg_size,
                "%" PRId64 " beds is %s this review's %s of %" PRId64
                " beds; request between %" PRId64 " and %" PRId64 " beds",
                q, q < lo ? "below" : "above", q < lo ? "minimum" : "maximum",
                q < lo ? lo : hi, lo, hi);
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
    int64_t need = a->value[A_LEAD_DAYS_MIN], lead, today, y, m, d;
    const char *start, *now;
    char earliest[96] = "";

    start = FGCAT_HAS_FIELD(req, fgcat_request, start) ? req->start : NULL;
    if (start == NULL || start[0] == '\0')
        return FGCAT_OK;
    lead = FGCAT_HAS_FIELD(req, fgcat_request, lead_days) ? req->lead_days : 0;
    if (lead >= need)
        return FGCAT_OK;

    now = FGCAT_HAS_FIELD(req, fgcat_request, today) ? req->today : NULL;
    if (parse_date(now, &today)) {
        civil_from_days(today + need, &y, &m, &d);
        snprintf(earliest, sizeof(earliest),
                 ", so choose a start on or after %04" PRId64 "-%02" PRId64
                 "-%02" PRId64,
                 y, m, d);
    }
    if (lead < 0)
        say(msg, msg_size,
            "start %.10s is in the past; this engagement needs at least "
            "%" PRId64 " days' notice%s",
            start, need, earliest);
    else
        say(msg, msg_size,
            "start %.10s is %" PRId64 " days away; this engagement needs at "
            "least %" PRId64 " days' notice%s",
            start, lead, need, earliest);
    return FGCAT_ERR_REFUSED;
}

/* a * b into *out for non-negative operands; 0 on overflow. */
static int mul_ok(int64_t a, int64_t b, int64_t *out)
{
    if (a < 0 || b < 0 || (b != 0 && a > INT64_MAX / b))
        return 0;
    *out = a * b;
    return 1;
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
        say(msg, msg_size, "price_pence must not be negative");
        return FGCAT_ERR_INVALID;
    }
    if (a->unit == UNIT_FIXED) {
        extra_site = p / 5 * 4 + (p % 5) * 4 / 5; /* floor(p * 0.8), no overflow */
        if (!mul_ok(extra_site, q - 1, &extra) || extra > INT64_MAX - p)
            goto too_large;
        *total = p + extra;
        return FGCAT_OK;
    }
    if (!mul_ok(p, q, total))
        goto too_large;
    return FGCAT_OK;

too_large:
    say(msg, msg_size,
        "quantity %" PRId64 " is too large to price; request a smaller "
        "quantity",
        q);
    return FGCAT_ERR_REFUSED;
}

/* ------------------------------------------------------------------------ */
/* Callbacks                                                                 */
/* ------------------------------------------------------------------------ */

/*
 * Refuses a host whose API table lacks the functions this plugin calls.
 * Keeps no state.
 */
static int productivity_init(const fgcat_host_api *host, void **state,
                             char *msg, size_t msg_size)
{
    (void)state;
    if (host == NULL || !FGCAT_HAS_FIELD(host, fgcat_host_api, attr_key) ||
        host->add_offering == NULL || host->attr_int == NULL ||
        host->attr_bool == NULL || host->attr_count == NULL ||
        host->attr_key == NULL) {
        say(msg, msg_size,
            "the host API table lacks add_offering or the attr_* readers");
        return FGCAT_ERR_FAILED;
    }
    return FGCAT_OK;
}

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
        say(msg, msg_size, "quantity must be at least 1");
        return FGCAT_ERR_INVALID;
    }
    if ((rc = check_quantity(&a, q, msg, msg_size)) ||
        (rc = check_lead_time(&a, req, msg, msg_size)) ||
        (rc = price(off, &a, q, &total, msg, msg_size)))
        return rc;

    if (FGCAT_HAS_FIELD(quote, fgcat_quote, amount_pence))
        quote->amount_pence = total;
    return FGCAT_OK;
}

/* ------------------------------------------------------------------------ */
/* Offerings                                                                 */
/* ------------------------------------------------------------------------ */

#define RTF_NAME "Northumbria Healthcare NHS Foundation Trust"
#define RYJ_NAME "Imperial College Healthcare NHS Trust"
#define RTF_CONTACT "productivity@northumbria.example.nhs.uk"
#define RYJ_CONTACT "partnerships@imperial.example.nhs.uk"

static const char *const regions_england[] = {"England", NULL};
static const char *const regions_england_intl[] = {"England", "International",
                                                   NULL};
static const char *const regions_england_intl_china[] = {
    "England", "International", "China", NULL};
static const char *const regions_imperial[] = {"England", "International",
                                               "Middle East", NULL};
static const char *const regions_intl_partners[] = {"International",
                                                    "Middle East", NULL};

static const char *const tags_lean_diagnostic[] = {
    "lean", "productivity", "diagnostic", "efficiency", "quality-improvement",
    "foundation-group", NULL};
static const char *const tags_lean_coaching[] = {
    "lean", "lean-management", "productivity", "coaching", "leadership",
    "quality-improvement", NULL};
static const char *const tags_lean_training[] = {
    "lean", "training", "productivity", "quality-improvement",
    "corporate-services", "nursing", NULL};
static const char *const tags_workforce[] = {
    "workforce", "rostering", "e-rostering", "nursing", "agency-spend",
    "productivity", "efficiency", NULL};
static const char *const tags_corporate[] = {
    "corporate-services", "back-office", "finance", "procurement", "hr",
    "shared-services", "productivity", "foundation-group", NULL};
static const char *const tags_flow[] = {
    "patient-flow", "emergency-care", "elective-care", "major-trauma",
    "theatres", "quality-improvement", "productivity", NULL};
static const char *const tags_beds[] = {
    "bed-management", "patient-flow", "discharge", "length-of-stay",
    "productivity", "emergency-care", NULL};
static const char *const tags_ward_to_ward[] = {
    "ward-to-ward", "patient-pathway", "pathway-redesign", "international",
    "patient-flow", "referral", NULL};
static const char *const tags_flow_workshop[] = {
    "patient-flow", "quality-improvement", "multidisciplinary", "training",
    "allied-health-professionals", "teamwork", NULL};

static const fgcat_offering offerings[] = {
    {
        .struct_size = sizeof(fgcat_offering),
        .id = "RTF/lean-delivery-diagnostic",
        .area = AREA,
        .provider_ods = "RTF",
        .provider_name = RTF_NAME,
        .title = "Lean health and care delivery diagnostic",
        .summary =
            "A fixed-price diagnostic, priced per site, in which Northumbria's "
            "lean improvement team maps how patients, staff and information "
            "move through the services you choose, measures the waste, and "
            "leaves a prioritised improvement plan with baselines.",
        .description =
            "Northumbria Healthcare's lean approach to health and care "
            "delivery is something overseas partners, the Rongqiao Group "
            "among them, have singled out as of great value, and the "
            "Northumbria Foundation Group now makes it available to other NHS "
            "organisations. Northumbria improvement practitioners spend six "
            "weeks on each site with the local teams: they walk the patient "
            "and staff journey through the wards, clinics and support "
            "departments in scope, time the queues, handoffs and rework, and "
            "agree with clinical and operational leads where the largest "
            "gains in productivity and quality lie.\n\n"
            "Request one unit per hospital or community site, up to three "
            "sites in one engagement; every site after the first costs 80% "
            "of the site price because the method, tools and governance set "
            "up for the first are reused. The engagement ends with a "
            "board-level report, a sequenced improvement plan and measured "
            "baselines, and Northumbria tracks the agreed benefits with the "
            "trust for a year afterwards.",
        .delivery = "on-site",
        .duration_days = 56,
        .capacity = 4,
        .price_pence = 1850000,
        .currency = "GBP",
        .price_unit = "fixed",
        .regions = regions_england_intl_china,
        .tags = tags_lean_diagnostic,
        .contact = RTF_CONTACT,
        .attributes_json = "{\"lead_days_min\": 42, \"benefits_tracking\": "
                           "true, \"diagnostic_weeks\": 6, \"sites_max\": 3}",
    },
    {
        .struct_size = sizeof(fgcat_offering),
        .id = "RTF/lean-management-system-coaching",
        .area = AREA,
        .provider_name = RTF_NAME,
        .provider_ods = "RTF",
        .title = "Lean management system coaching for divisional and ward "
                 "leaders",
        .summary =
            "Coaching bought by the day from Northumbria improvement leads, "
            "to set up a lean management system (daily huddles, visual "
            "performance boards, standard work, escalation routes) and keep "
            "it running once the coaches have gone.",
        .description =
            "A diagnostic finds the problems; a management system is what "
            "keeps them solved. Northumbria's improvement leads coach "
            "divisional, ward and department leaders of the receiving trust "
            "as they put in place the routines Northumbria runs on: short "
            "daily huddles at visual boards, standard work for leaders, a "
            "clear route for escalating problems, and regular review of the "
            "measures that matter to patients.\n\n"
            "The trust buys between 5 and 40 coaching days, spread over up "
            "to six months, mixing time on site with remote sessions. Each "
            "engagement includes a benefits register, agreed at the start "
            "and reviewed with the trust's executive sponsor, so that "
            "productivity gains are counted rather than assumed.",
        .delivery = "blended",
        .duration_days = 180,
        .capacity = 6,
        .price_pence = 125000,
        .currency = "GBP",
        .price_unit = "per-day",
        .regions = regions_england_intl,
        .tags = tags_lean_coaching,
        .contact = RTF_CONTACT,
        .attributes_json = "{\"lead_days_min\": 28, \"benefits_tracking\": "
                           "true, \"min_days\": 5, \"max_days\": 40}",
    },
    {
        .struct_size = sizeof(fgcat_offering),
        .id = "RTF/lean-practitioner-training",
        .area = AREA,
        .provider_ods = "RTF",
        .provider_name = RTF_NAME,
        .title = "Lean practitioner training for clinical and corporate teams",
        .summary =
            "A five-day lean practitioner course, taught by Northumbria "
            "staff who use the methods daily, for cohorts of 8 to 24 "
            "clinical, operational and corporate staff from one trust.",
        .description =
            "The course gives staff the working tools of lean health and "
            "care delivery as Northumbria practises them: value-stream and "
            "process mapping, measuring demand and capacity, finding and "
            "removing waste, running small tests of change and sustaining "
            "the result. Each delegate brings a real problem from their own "
            "service and leaves with a project charter and a first test of "
            "change under way.\n\n"
            "Cohorts are mixed on purpose: nurses, therapists, doctors, "
            "managers and staff from finance, procurement and estates learn "
            "side by side, as they will have to improve services together. "
            "Teaching is blended, with three days in the room and two "
            "remote, and there is no limit on the number of cohorts the "
            "Foundation Group will run.",
        .delivery = "blended",
        .duration_days = 5,
        .capacity = 0,
        .price_pence = 95000,
        .currency = "GBP",
        .price_unit = "per-delegate",
        .regions = regions_england_intl,
        .tags = tags_lean_training,
        .contact = RTF_CONTACT,
        .attributes_json = "{\"lead_days_min\": 28, \"benefits_tracking\": "
                           "false, \"cohort_min\": 8, \"cohort_max\": 24}",
    },
    {
        .struct_size = sizeof(fgcat_offering),
        .id = "RTF/workforce-optimisation-rostering",
        .area = AREA,
        .provider_ods = "RTF",
        .provider_name = RTF_NAME,
        .title = "Workforce optimisation and rostering review",
        .summary =
            "Day-rate support from Northumbria's workforce team to match "
            "staffing to patient demand: rostering rules, skill mix, bank "
            "and agency use, and the e-rostering discipline behind them.",
        .description =
            "Workforce optimisation is one of the strengths partners cite "
            "when they describe what Northumbria brings to a collaboration. "
            "In this engagement Northumbria's workforce and rostering "
            "specialists start with a four-week diagnostic of how rosters "
            "are built, approved and changed across the wards and "
            "departments in scope, comparing staffing with patient demand "
            "by hour and day, and looking at skill mix, unused hours and "
            "reliance on bank and agency staff.\n\n"
            "They then work with ward managers, matrons and the rostering "
            "team to redesign rules and approval steps, and to set up "
            "reporting that lets the trust see its own progress. Requests "
            "are for 10 to 30 days of specialist time within a four-month "
            "window; savings and safe-staffing measures are tracked against "
            "the baseline.",
        .delivery = "blended",
        .duration_days = 120,
        .capacity = 3,
        .price_pence = 110000,
        .currency = "GBP",
        .price_unit = "per-day",
        .regions = regions_england_intl_china,
        .tags = tags_workforce,
        .contact = RTF_CONTACT,
        .attributes_json = "{\"lead_days_min\": 28, \"benefits_tracking\": "
                           "true, \"diagnostic_weeks\": 4, \"min_days\": 10, "
                           "\"max_days\": 30}",
    },
    {
        .struct_size = sizeof(fgcat_offering),
        .id = "RTF/corporate-support-services-review",
        .area = AREA,
        .provider_ods = "RTF",
        .provider_name = RTF_NAME,
        .title = "Corporate support services productivity review",
        .summary =
            "An eight-week review, priced per site, of a trust's corporate "
            "support services (finance, HR, procurement, estates and "
            "digital) against Northumbria's own models, with options for "
            "sharing services through the Foundation Group.",
        .description =
            "When NHS Improvement accredited Northumbria to lead a "
            "foundation group, the offer was to share corporate as well as "
            "clinical support services with other parts of the NHS, and to "
            "help them towards financial viability. This review looks at "
            "how a trust's back-office functions are organised, what they "
            "cost, how well they serve clinical teams, and how they compare "
            "with the way Northumbria runs its own.\n\n"
            "Each site in scope receives an eight-week review; a single "
            "engagement can cover up to five sites of one organisation, each "
            "after the first at 80% of the site price. The trust receives a "
            "set of options, from improving services in place to taking "
            "them as shared services from the Foundation Group, each costed "
            "with its expected savings, and Northumbria tracks the savings "
            "the trust chooses to pursue.",
        .delivery = "blended",
        .duration_days = 90,
        .capacity = 5,
        .price_pence = 2400000,
        .currency = "GBP",
        .price_unit = "fixed",
        .regions = regions_england,
        .tags = tags_corporate,
        .contact = RTF_CONTACT,
        .attributes_json = "{\"lead_days_min\": 42, \"benefits_tracking\": "
                           "true, \"diagnostic_weeks\": 8, \"sites_max\": 5}",
    },
    {
        .struct_size = sizeof(fgcat_offering),
        .id = "RYJ/emergency-elective-flow-advisory",
        .area = AREA,
        .provider_ods = "RYJ",
        .provider_name = RYJ_NAME,
        .title = "Balancing emergency and elective flow: advice from a major "
                 "trauma centre",
        .summary =
            "Day-rate advisory from Imperial College Healthcare teams who "
            "run a central London major trauma centre and planned surgery in "
            "the same hospitals and theatres, for providers struggling to "
            "keep elective work going under emergency pressure.",
        .description =
            "Imperial's central London hospitals see more than 300,000 "
            "emergency patients a year, a number that keeps rising, and the "
            "trust runs a major trauma centre in the same hospital and "
            "theatres as its elective operating. Keeping both moving depends on disciplined patient "
            "flow and on quality-improvement methods built into everyday "
            "policies and procedures. Imperial offers that experience to "
            "hospitals at home and abroad that find emergency demand keeps "
            "displacing their planned work.\n\n"
            "A small specialty-focused team from Imperial works closely with "
            "the local team: four weeks of diagnosis of flow from the front "
            "door to discharge, then joint redesign of escalation, theatre "
            "scheduling and bed allocation, with attention to cost and to "
            "links with neighbouring providers. The provider buys 10 to 60 "
            "advisory days over six months; Imperial can take on two such "
            "engagements at a time.",
        .delivery = "on-site",
        .duration_days = 180,
        .capacity = 2,
        .price_pence = 160000,
        .currency = "GBP",
        .price_unit = "per-day",
        .regions = regions_imperial,
        .tags = tags_flow,
        .contact = RYJ_CONTACT,
        .attributes_json = "{\"lead_days_min\": 56, \"benefits_tracking\": "
                           "true, \"diagnostic_weeks\": 4, \"min_days\": 10, "
                           "\"max_days\": 60}",
    },
    {
        .struct_size = sizeof(fgcat_offering),
        .id = "RYJ/bed-management-flow-review",
        .area = AREA,
        .provider_ods = "RYJ",
        .provider_name = RYJ_NAME,
        .title = "Bed management and patient flow review",
        .summary =
            "A review of bed management, priced per bed in scope, drawing on "
            "how Imperial keeps beds available for emergency admissions and "
            "elective patients at the same time.",
        .description =
            "Beds are where emergency and elective demand meet. Imperial's "
            "operational and nursing teams review how the receiving "
            "hospital allocates and frees its beds: the bed meeting and "
            "site management, criteria-led and early-in-the-day discharge, "
            "outliers and moves between wards, and the protection of beds "
            "for planned surgery. Six weeks of observation and data work "
            "end in a redesigned bed management policy and a set of "
            "measures the hospital can run itself.\n\n"
            "The review is priced per bed in the inpatient base covered, "
            "from 100 to 1,500 beds, so that a single specialist unit and a "
            "whole acute hospital pay in proportion. Length of stay and "
            "bed-occupancy benefits are tracked against the baseline for "
            "six months.",
        .delivery = "on-site",
        .duration_days = 70,
        .capacity = 3,
        .price_pence = 6000,
        .currency = "GBP",
        .price_unit = "per-bed",
        .regions = regions_imperial,
        .tags = tags_beds,
        .contact = RYJ_CONTACT,
        .attributes_json = "{\"lead_days_min\": 42, \"benefits_tracking\": "
                           "true, \"diagnostic_weeks\": 6, \"beds_min\": 100, "
                           "\"beds_max\": 1500}",
    },
    {
        .struct_size = sizeof(fgcat_offering),
        .id = "RYJ/ward-to-ward-pathway-redesign",
        .area = AREA,
        .provider_ods = "RYJ",
        .provider_name = RYJ_NAME,
        .title = "Ward-to-ward pathway redesign with an overseas partner "
                 "hospital",
        .summary =
            "A fixed-price redesign, priced per partner site, of the pathway "
            "between a partner hospital's ward and Imperial's wards in "
            "London, so that care continues without a break and only the "
            "most complex cases need to travel.",
        .description =
            "Imperial's aim with overseas partners is a 'ward to ward' "
            "pathway: a patient who must come to London moves from the "
            "partner's ward to an Imperial ward with clinical management "
            "carried across, and everyone else is treated well at home. "
            "That needs clinicians on both sides who know each other's "
            "services, agreed referral criteria and regular, dependable "
            "communication.\n\n"
            "Over a twelve-week design phase per partner site, Imperial "
            "clinicians and managers and the partner's teams agree the "
            "specialties in scope, write referral and transfer criteria and "
            "handover standards, set up joint case reviews and plan the "
            "education that lets the partner keep more patients locally. "
            "It suits providers in developing health systems, for example in "
            "the Middle East, where travel to London is not always possible. "
            "One engagement covers up to two partner sites.",
        .delivery = "blended",
        .duration_days = 180,
        .capacity = 2,
        .price_pence = 3800000,
        .currency = "GBP",
        .price_unit = "fixed",
        .regions = regions_intl_partners,
        .tags = tags_ward_to_ward,
        .contact = RYJ_CONTACT,
        .attributes_json = "{\"lead_days_min\": 90, \"benefits_tracking\": "
                           "false, \"diagnostic_weeks\": 12, \"sites_max\": 2}",
    },
    {
        .struct_size = sizeof(fgcat_offering),
        .id = "RYJ/flow-improvement-team-workshop",
        .area = AREA,
        .provider_ods = "RYJ",
        .provider_name = RYJ_NAME,
        .title = "Quality improvement for patient flow: a workshop for whole "
                 "ward teams",
        .summary =
            "A two-day workshop in which a multidisciplinary ward or "
            "department team (doctors, nurses, therapists and managers "
            "together) learns the quality-improvement methods Imperial uses "
            "to keep patients moving.",
        .description =
            "Imperial holds that teams, not professions, should be trained "
            "together: improving flow is about the patient, who needs the "
            "physiotherapist, the speech therapist and the nurse as much as "
            "the doctor. This workshop takes a whole ward or department "
            "team through the quality-improvement methods behind "
            "Imperial's flow work: understanding demand and delays, mapping "
            "the day of discharge, setting measures and running small tests "
            "of change.\n\n"
            "Delivered on the requesting hospital's site by Imperial "
            "front-line clinicians and managers, for 6 to 30 delegates. The "
            "team leaves with an improvement aim and a first test of change "
            "for its own area. Imperial runs as many workshops as are "
            "requested.",
        .delivery = "on-site",
        .duration_days = 2,
        .capacity = 0,
        .price_pence = 45000,
        .currency = "GBP",
        .price_unit = "per-delegate",
        .regions = regions_imperial,
        .tags = tags_flow_workshop,
        .contact = RYJ_CONTACT,
        .attributes_json = "{\"lead_days_min\": 28, \"benefits_tracking\": "
                           "false, \"cohort_min\": 6, \"cohort_max\": 30}",
    },
};

/*
 * Adds every offering.  Keeps going after a refusal so that the host
 * records every reason, then reports the registration as failed.
 */
static int productivity_register(const fgcat_host_api *host, void *state,
                                 fgcat_registrar *reg)
{
    size_t i;
    int rc = FGCAT_OK;

    (void)state;
    for (i = 0; i < sizeof(offerings) / sizeof(offerings[0]); i++)
        if (host->add_offering(reg, &offerings[i]) != FGCAT_OK)
            rc = FGCAT_ERR_INVALID;
    return rc;
}

static const char *const areas[] = {AREA, NULL};

static const fgcat_plugin descriptor = {
    FGCAT_PLUGIN_HEADER,
    .name = "productivity",
    .version = "1.0.0",
    .description = "Lean delivery, workforce, corporate services and patient "
                   "flow support from Northumbria and Imperial",
    .areas = areas,
    .init = productivity_init,
    .register_offerings = productivity_register,
    .validate_offering = productivity_validate,
    .quote_request = productivity_quote,
    .shutdown = NULL,
};

/* Returns the plugin's descriptor; the one symbol the plugin exports. */
FGCAT_EXPORT const fgcat_plugin *fgcat_plugin_entry(void)
{
    return &descriptor;
}
