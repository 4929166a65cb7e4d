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
 * The plugin keeps no state: offerings are registered from static const
 * data, and every callback reads what it needs from its arguments.
 */
#include <fgcat/plugin.h>

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

/* ------------------------------------------------------------------------ */
/* Offerings                                                                 */
/* ------------------------------------------------------------------------ */

static const char *const areas[] = {CE_AREA, NULL};

static const char RTF_NAME[] = "Northumbria Healthcare NHS Foundation Trust";
static const char RYJ_NAME[] = "Imperial College Healthcare NHS Trust";
static const char RBV_NAME[] = "The Christie NHS Foundation Trust";

static const char RTF_CONTACT[] = "foundation.group@northumbria.example.nhs.uk";
static const char RTF_ALLIANCE_CONTACT[] =
    "international.alliance@northumbria.example.nhs.uk";
static const char RYJ_CONTACT[] =
    "international.partnerships@imperial.example.nhs.uk";
static const char RBV_CONTACT[] = "international@christie.example.nhs.uk";

static const char *const regions_england[] = {"England", NULL};
static const char *const regions_imperial[] = {"England", "International",
                                               "Middle East", "Asia", NULL};
static const char *const regions_alliance[] = {"China", "International",
                                               NULL};
static const char *const regions_wide[] = {"England", "International",
                                           "China", NULL};

static const char *const tags_mdt_audit[] = {
    "audit",           "clinical-audit",      "multidisciplinary",
    "action-plan",     "re-audit",            "quality-improvement",
    "specialty",       "physiotherapy",       "speech-therapy",
    "nursing",         "international",       NULL};
static const char *const tags_implementation[] = {
    "audit",          "action-plan",         "implementation",
    "service-design", "policy",              "education",
    "re-audit",       "quality-improvement", "multidisciplinary",
    NULL};
static const char *const tags_ce_review[] = {
    "clinical-effectiveness", "review",         "best-practice",
    "quality",                "patient-experience", "foundation-group",
    "survey",                 NULL};
static const char *const tags_peer_review[] = {
    "audit", "clinical-audit", "peer-review", "clinical-effectiveness",
    "remote", "foundation-group", NULL};
static const char *const tags_governance[] = {
    "clinical-governance", "quality-assurance", "patient-experience",
    "new-hospital",        "nhs-standards",     "international",
    "china",               "audit",             NULL};
static const char *const tags_patient_experience[] = {
    "patient-experience", "patient-centred-care", "survey",
    "quality",            "nursing",              "training",
    NULL};
static const char *const tags_oncology[] = {
    "oncology",        "cancer",          "clinical-governance",
    "quality-assurance", "audit",         "multidisciplinary",
    "re-audit",        "international",   NULL};

static const fgcat_offering offerings[] = {
    {
        .struct_size = sizeof(fgcat_offering),
        .id = "RYJ/multidisciplinary-specialty-audit",
        .area = CE_AREA,
        .provider_ods = "RYJ",
        .provider_name = RYJ_NAME,
        .title = "Multidisciplinary clinical audit and action plan for a "
                 "specialty service",
        .summary =
            "A front-line Imperial team of doctors, nurses and therapists "
            "works alongside your own specialty team to audit the service, "
            "agree an action plan for improvement and re-audit it six months "
            "later. Priced per specialty; up to three specialties per "
            "request.",
        .description =
            "Imperial College Healthcare runs a major trauma centre in "
            "central London alongside elective work in the same hospitals and "
            "theatres, and has built its ways of working on quality "
            "improvement methodology. This engagement brings that practice to "
            "a partner hospital one specialty at a time. Imperial forms a "
            "front-line clinical team for the specialty - not only doctors "
            "and nurses but also physiotherapists, speech and language "
            "therapists and other professions, because care is organised "
            "around the patient rather than the doctor - and pairs it with "
            "the partner's own multidisciplinary team.\n\n"
            "Together the two teams audit the service against agreed "
            "standards, write an action plan with owners and dates, and the "
            "written audit report follows within six weeks of the fieldwork. "
            "A second audit cycle about 26 weeks later measures whether the "
            "changes have held. The requesting organisation names its local "
            "team and clinical lead when it asks; Imperial has found that "
            "staying specialty-focused and working closely with the local "
            "team is what makes the approach effective. Suitable for NHS "
            "trusts and for international hospitals, regional or national "
            "health systems.",
        .delivery = "blended",
        .duration_days = 210,
        .capacity = 3,
        .price_pence = 3800000,
        .currency = "GBP",
        .price_unit = "fixed",
        .regions = regions_imperial,
        .tags = tags_mdt_audit,
        .contact = RYJ_CONTACT,
        .attributes_json =
            "{\"specialties_max\": 3, \"audit_cycles\": 2, "
            "\"reaudit_weeks\": 26, \"mdt_required\": true, "
            "\"report_weeks\": 6, \"patient_survey\": false, "
            "\"lead_days_min\": 42}",
    },
    {
        .struct_size = sizeof(fgcat_offering),
        .id = "RYJ/audit-action-plan-implementation",
        .area = CE_AREA,
        .provider_ods = "RYJ",
        .provider_name = RYJ_NAME,
        .title = "Putting an audit action plan into practice: policy, service "
                 "design and tailored education",
        .summary =
            "Imperial clinicians help a partner team turn an audit action "
            "plan into change - new policies, redesigned services and "
            "education tailored to the team - then re-audit after twelve "
            "weeks. Booked by the day, 2 to 30 days.",
        .description =
            "An audit is only as useful as the change that follows it. After "
            "an audit (Imperial's own or the partner's), Imperial's "
            "front-line clinicians work with the partner's multidisciplinary "
            "team to implement the action plan: drafting or revising clinical "
            "policies, redesigning the service where the audit showed gaps, "
            "and delivering education programmes written for that team. "
            "Where useful the work also looks at cost efficiency and at how "
            "the service connects with other providers.\n\n"
            "The partner books the number of days it needs, on site or "
            "remotely, within one or two specialties. A short re-audit twelve "
            "weeks after the work starts checks that the changes are in "
            "place, and a written summary follows within four weeks.",
        .delivery = "blended",
        .duration_days = 120,
        .capacity = 5,
        .price_pence = 165000,
        .currency = "GBP",
        .price_unit = "per-day",
        .regions = regions_imperial,
        .tags = tags_implementation,
        .contact = RYJ_CONTACT,
        .attributes_json =
            "{\"specialties_max\": 2, \"audit_cycles\": 2, "
            "\"reaudit_weeks\": 12, \"mdt_required\": true, "
            "\"report_weeks\": 4, \"patient_survey\": false, "
            "\"lead_days_min\": 28, \"days_min\": 2, \"days_max\": 30}",
    },
    {
        .struct_size = sizeof(fgcat_offering),
        .id = "RTF/clinical-effectiveness-review",
        .area = CE_AREA,
        .provider_ods = "RTF",
        .provider_name = RTF_NAME,
        .title = "Clinical effectiveness review for NHS trusts",
        .summary =
            "Through the Northumbria Foundation Group, Northumbria's "
            "clinical effectiveness team reviews up to six of your services "
            "against its own best-practice models and reports within four "
            "weeks, including a patient experience survey. 5 to 15 review "
            "days.",
        .description =
            "Northumbria Healthcare was one of the first four organisations "
            "in England accredited by NHS Improvement to lead a foundation "
            "group, and makes its clinical and corporate support services "
            "available to the rest of the NHS. This review applies "
            "Northumbria's best-practice models for clinical effectiveness to "
            "a partner trust's services: how evidence-based guidance is "
            "adopted, how outcomes are measured and acted on, and how the "
            "audit programme feeds improvement.\n\n"
            "A small Northumbria team spends between five and fifteen days on "
            "site across up to six specialties, runs a short patient "
            "experience survey on the services reviewed, and delivers a "
            "written report with prioritised recommendations within four "
            "weeks of the last review day. The aim, as for the foundation "
            "group as a whole, is better patient care, better patient "
            "experience and better quality of services.",
        .delivery = "on-site",
        .duration_days = 30,
        .capacity = 6,
        .price_pence = 140000,
        .currency = "GBP",
        .price_unit = "per-day",
        .regions = regions_england,
        .tags = tags_ce_review,
        .contact = RTF_CONTACT,
        .attributes_json =
            "{\"specialties_max\": 6, \"audit_cycles\": 1, "
            "\"mdt_required\": false, \"report_weeks\": 4, "
            "\"patient_survey\": true, \"lead_days_min\": 21, "
            "\"days_min\": 5, \"days_max\": 15}",
    },
    {
        .struct_size = sizeof(fgcat_offering),
        .id = "RTF/clinical-audit-peer-review",
        .area = CE_AREA,
        .provider_ods = "RTF",
        .provider_name = RTF_NAME,
        .title = "Remote peer review of a specialty's clinical audit programme",
        .summary =
            "Northumbria clinicians review a specialty's audit programme "
            "remotely - topics, standards, methods, action plans and "
            "re-audit record - and send a written peer review within three "
            "weeks. Fixed price per specialty, up to eight per request.",
        .description =
            "A light-touch service from the Northumbria Foundation Group for "
            "trusts that want an outside view of their clinical audit work "
            "without a site visit. For each specialty the trust sends its "
            "audit programme and recent reports; Northumbria clinicians "
            "check whether the topics match the specialty's main risks, "
            "whether standards and samples are sound, whether action plans "
            "have owners and dates, and whether re-audits close the loop.\n\n"
            "The trust receives a written peer review for each specialty "
            "within three weeks, with a short video call to talk it through. "
            "There is no limit on how many trusts can use the service at "
            "once.",
        .delivery = "remote",
        .duration_days = 21,
        .capacity = 0,
        .price_pence = 450000,
        .currency = "GBP",
        .price_unit = "fixed",
        .regions = regions_england,
        .tags = tags_peer_review,
        .contact = RTF_CONTACT,
        .attributes_json =
            "{\"specialties_max\": 8, \"audit_cycles\": 1, "
            "\"mdt_required\": false, \"report_weeks\": 3, "
            "\"patient_survey\": false, \"lead_days_min\": 14}",
    },
    {
        .struct_size = sizeof(fgcat_offering),
        .id = "RTF/governance-quality-framework-new-hospital",
        .area = CE_AREA,
        .provider_ods = "RTF",
        .provider_name = RTF_NAME,
        .title = "Clinical governance, quality assurance and patient "
                 "experience framework for a new hospital",
        .summary =
            "The NHS Northumbria International Alliance sets up clinical "
            "governance, quality assurance and patient experience to NHS "
            "standards for a new hospital of 100 to 1,000 beds, with a "
            "baseline audit and a repeat audit a year later. Priced per bed.",
        .description =
            "Led by Northumbria Healthcare with The Christie, Northumberland "
            "County Council, the architects BDP and the health planners RLB, "
            "the NHS Northumbria International Alliance is the long-term "
            "clinical partner of the Rongqiao Group for ten new 1,000-bed "
            "hospitals and medi-cities in China, the first in Fuzhou. Beyond "
            "design and build, that partnership covers support for clinical "
            "governance, quality assurance and patient experience to NHS "
            "standards, and this offering makes the same support available "
            "to other new hospitals.\n\n"
            "The alliance designs the governance structure (committees, "
            "incident reporting and learning, clinical audit programme, "
            "policies), sets up quality assurance and a patient experience "
            "programme with regular surveys, and trains the hospital's "
            "multidisciplinary leads to run them. A baseline audit near "
            "opening and a repeat audit about a year later show whether the "
            "framework is working; each is followed by a report within "
            "twelve weeks. Oncology governance draws on The Christie's "
            "specialist cancer expertise. Both Northumbria and The Christie "
            "are rated outstanding by the Care Quality Commission.",
        .delivery = "blended",
        .duration_days = 540,
        .capacity = 2,
        .price_pence = 9500,
        .currency = "GBP",
        .price_unit = "per-bed",
        .regions = regions_alliance,
        .tags = tags_governance,
        .contact = RTF_ALLIANCE_CONTACT,
        .attributes_json =
            "{\"specialties_max\": 20, \"audit_cycles\": 2, "
            "\"reaudit_weeks\": 52, \"mdt_required\": true, "
            "\"report_weeks\": 12, \"patient_survey\": true, "
            "\"lead_days_min\": 60, \"beds_min\": 100, \"beds_max\": 1000}",
    },
    {
        .struct_size = sizeof(fgcat_offering),
        .id = "RTF/patient-experience-programme",
        .area = CE_AREA,
        .provider_ods = "RTF",
        .provider_name = RTF_NAME,
        .title = "Patient experience programme: measuring and improving "
                 "patient-centred care",
        .summary =
            "A blended programme for ward and service leads on running "
            "patient experience surveys, reading the results and acting on "
            "them, built on Northumbria's patient-centred care. Baseline and "
            "repeat survey twelve weeks apart; cohorts of 8 to 30 delegates.",
        .description =
            "Northumbria Healthcare is known for patient-centred care, and "
            "patient experience is one of the standards the NHS Northumbria "
            "International Alliance supports its partners to reach. This "
            "programme teaches ward, department and service leads how to "
            "measure patient experience and turn what patients say into "
            "change.\n\n"
            "Delegates plan and run a baseline patient experience survey in "
            "their own services, learn to analyse it and to agree "
            "improvements with their teams, and run a repeat survey twelve "
            "weeks later to see the effect. Teaching mixes remote sessions "
            "with workshops; each delegate's organisation receives a short "
            "report within four weeks of the repeat survey. Open to NHS "
            "trusts and to international partners, including hospitals in "
            "China.",
        .delivery = "blended",
        .duration_days = 90,
        .capacity = 10,
        .price_pence = 65000,
        .currency = "GBP",
        .price_unit = "per-delegate",
        .regions = regions_wide,
        .tags = tags_patient_experience,
        .contact = RTF_CONTACT,
        .attributes_json =
            "{\"specialties_max\": 4, \"audit_cycles\": 2, "
            "\"reaudit_weeks\": 12, \"mdt_required\": false, "
            "\"report_weeks\": 4, \"patient_survey\": true, "
            "\"lead_days_min\": 28, \"cohort_min\": 8, \"cohort_max\": 30}",
    },
    {
        .struct_size = sizeof(fgcat_offering),
        .id = "RBV/oncology-clinical-governance-review",
        .area = CE_AREA,
        .provider_ods = "RBV",
        .provider_name = RBV_NAME,
        .title = "Oncology clinical governance and quality review of a cancer "
                 "service",
        .summary =
            "The Christie reviews the clinical governance and quality of a "
            "cancer centre's tumour-site services with their multidisciplinary "
            "teams, including patient experience, and re-audits after six "
            "months. Priced per tumour-site service, up to four per request.",
        .description =
            "The Christie is a specialist cancer centre rated outstanding by "
            "the Care Quality Commission, known for cancer management, "
            "research and training and education, and is the oncology "
            "partner of the NHS Northumbria International Alliance for the "
            "cancer centre of excellence in Fuzhou and the planned cancer "
            "hospital in Chongqing. This review offers that expertise to any "
            "cancer service.\n\n"
            "For each tumour-site service (for example breast, lung or "
            "haematology) Christie clinicians work with the local "
            "multidisciplinary team meeting to review case discussion and "
            "treatment decisions, audit outcomes and safety against agreed "
            "standards, and survey patients on their experience of care. An "
            "action plan and report follow within eight weeks, and a second "
            "audit cycle 26 weeks later checks progress.",
        .delivery = "blended",
        .duration_days = 240,
        .capacity = 4,
        .price_pence = 4200000,
        .currency = "GBP",
        .price_unit = "fixed",
        .regions = regions_wide,
        .tags = tags_oncology,
        .contact = RBV_CONTACT,
        .attributes_json =
            "{\"specialties_max\": 4, \"audit_cycles\": 2, "
            "\"reaudit_weeks\": 26, \"mdt_required\": true, "
            "\"report_weeks\": 8, \"patient_survey\": true, "
            "\"lead_days_min\": 56}",
    },
};

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
 * Reads the boolean attribute `key`, which must be present.  Returns 0 and
 * sets *out to 0 or 1, or -1 with a sentence naming the attribute in msg.
 */
static int read_bool(const fgcat_host_api *host, const fgcat_attrs *attrs,
                     const char *key, int *out, char *msg, size_t msg_size)
{
    int v = 0;
    int rc = host->attr_bool(attrs, key, &v);

    if (rc == FGCAT_ERR_NOT_FOUND) {
        snprintf(msg, msg_size, "attribute %s is required: true or false",
                 key);
        return -1;
    }
    if (rc != FGCAT_OK) {
        snprintf(msg, msg_size, "attribute %s must be true or false", key);
        return -1;
    }
    *out = v != 0;
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

    snprintf(range, sizeof(range), "between 1 and %d", CE_SPECIALTIES_MAX);
    if (read_int(host, attrs, "specialties_max", 1, CE_SPECIALTIES_MAX, range,
                 &a->specialties_max, msg, msg_size) != 0)
        return -1;
    snprintf(range, sizeof(range), "between 1 and %d", CE_AUDIT_CYCLES_MAX);
    if (read_int(host, attrs, "audit_cycles", 1, CE_AUDIT_CYCLES_MAX, range,
                 &a->audit_cycles, msg, msg_size) != 0)
        return -1;
    if (read_bool(host, attrs, "mdt_required", &a->mdt_required, msg,
                  msg_size) != 0)
        return -1;
    snprintf(range, sizeof(range), "between 1 and %d", CE_REPORT_WEEKS_MAX);
    if (read_int(host, attrs, "report_weeks", 1, CE_REPORT_WEEKS_MAX, range,
                 &a->report_weeks, msg, msg_size) != 0)
        return -1;
    if (read_bool(host, attrs, "patient_survey", &a->patient_survey, msg,
                  msg_size) != 0)
        return -1;
    snprintf(range, sizeof(range), "between 0 and %d", CE_LEAD_DAYS_MAX);
    if (read_int(host, attrs, "lead_days_min", 0, CE_LEAD_DAYS_MAX, range,
                 &a->lead_days_min, msg, msg_size) != 0)
        return -1;

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
/* Dates                                                                     */
/* ------------------------------------------------------------------------ */

/*
 * Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil).  Valid for every year fgcat deals with.
 */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The inverse of days_from_civil: sets *y, *m, *d from a day number. */
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
    *m = mp + (mp < 10 ? 3 : -9);
    *y = yoe + era * 400 + (*m <= 2);
}

/*
 * Parses a "YYYY-MM-DD" date into a day number.  Returns 0 and sets *days, or
 * -1 when the text is NULL or not of that form.  Only the shape and the
 * month/day ranges are checked: the host has validated the dates already.
 */
static int parse_date(const char *s, int64_t *days)
{
    int64_t v[3] = {0, 0, 0};
    static const size_t widths[3] = {4, 2, 2};
    size_t part, k, pos = 0;

    if (s == NULL || strlen(s) != 10)
        return -1;
    for (part = 0; part < 3; part++) {
        for (k = 0; k < widths[part]; k++, pos++) {
            if (s[pos] < '0' || s[pos] > '9')
                return -1;
            v[part] = v[part] * 10 + (s[pos] - '0');
        }
        if (part < 2 && s[pos++] != '-')
            return -1;
    }
    if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31)
        return -1;
    *days = days_from_civil(v[0], v[1], v[2]);
    return 0;
}

/*
 * Writes into buf the date `offset` days after the "YYYY-MM-DD" date
 * `today`, or an empty string when today cannot be read.
 */
static void date_after(const char *today, int64_t offset, char *buf,
                       size_t size)
{
    int64_t t, y, m, d;

    buf[0] = '\0';
    if (parse_date(today, &t) != 0)
        return;
    civil_from_days(t + offset, &y, &m, &d);
    if (snprintf(buf, size, "%04" PRId64 "-%02" PRId64 "-%02" PRId64, y, m, d) >=
        (int)size)
        buf[0] = '\0';
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
    date_after(today, a->lead_days_min, earliest, sizeof(earliest));
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
    if (price > INT64_MAX / q) {
        snprintf(msg, msg_size,
                 "%" PRId64 " %s at %" PRId64 " pence each is too large a sum "
                 "to quote; ask for fewer",
                 q, qty_noun[a->unit][1], price);
        return -1;
    }
    if (a->unit != CE_UNIT_FIXED) {
        *amount = price * q;
        return 0;
    }
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

/*
 * Refuses a host whose API table lacks the functions the plugin calls (a
 * host of ABI 1.0 always has them).
 */
static int ce_init(const fgcat_host_api *host, void **state, char *msg,
                   size_t msg_size)
{
    (void)state;
    if (host == NULL || host->abi_major != FGCAT_ABI_MAJOR ||
        !FGCAT_HAS_FIELD(host, fgcat_host_api, attr_key) ||
        host->add_offering == NULL || host->attr_int == NULL ||
        host->attr_bool == NULL || host->attr_count == NULL ||
        host->attr_key == NULL) {
        snprintf(msg, msg_size,
                 "the host API table lacks add_offering or the attr_* "
                 "functions this plugin needs (ABI %d.%d)",
                 FGCAT_ABI_MAJOR, FGCAT_ABI_MINOR);
        return FGCAT_ERR_FAILED;
    }
    return FGCAT_OK;
}

/*
 * Adds every offering of the area.  Stops at the first one the host refuses;
 * the host has recorded why and refuses the plugin.
 */
static int ce_register_offerings(const fgcat_host_api *host, void *state,
                                 fgcat_registrar *reg)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(offerings) / sizeof(offerings[0]); i++) {
        int rc = host->add_offering(reg, &offerings[i]);

        if (rc != FGCAT_OK)
            return rc;
    }
    return FGCAT_OK;
}

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
    if (check_quantity(&a, request->quantity, msg, msg_size) != 0)
        return FGCAT_ERR_REFUSED;
    if (check_lead_time(&a, request, msg, msg_size) != 0)
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
    .init = ce_init,
    .register_offerings = ce_register_offerings,
    .validate_offering = ce_validate_offering,
    .quote_request = ce_quote_request,
    .shutdown = NULL,
};

/* The plugin's one exported symbol: returns the constant descriptor. */
FGCAT_EXPORT const fgcat_plugin *fgcat_plugin_entry(void)
{
    return &descriptor;
}
