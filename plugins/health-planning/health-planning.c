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
 */
#include <fgcat/plugin.h>

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
/* Offerings                                                                */
/* ------------------------------------------------------------------------ */

#define RTF_NAME "Northumbria Healthcare NHS Foundation Trust"
#define RTF_CONTACT "international.partnerships@northumbria.example.nhs.uk"
#define RBV_NAME "The Christie NHS Foundation Trust"
#define RBV_CONTACT "international@christie.example.nhs.uk"

static const char *const REGIONS_INTL[] = {"International", "China", NULL};
static const char *const REGIONS_ALL[] = {"England", "International", "China",
                                          NULL};

static const char *const TAGS_MEDI_CITY[] = {
    "hospital-planning", "medi-city",   "clinical-model", "bed-modelling",
    "capital-planning",  "new-hospital", "international", "china", NULL};
static const char *const TAGS_CANCER_CENTRE[] = {
    "oncology", "cancer", "cancer-centre", "service-planning",
    "hospital-planning", "new-hospital", "international", "china", NULL};
static const char *const TAGS_CANCER_HOSPITAL[] = {
    "oncology",         "cancer",       "cancer-hospital", "bed-modelling",
    "hospital-planning", "new-hospital", "international",  "china", NULL};
static const char *const TAGS_COMMUNITY[] = {
    "integrated-care", "community",        "older-people", "social-care",
    "service-planning", "hospital-planning", "international", NULL};
static const char *const TAGS_ESTATES[] = {
    "capital-projects", "estates",        "project-management", "architecture",
    "new-hospital",     "hospital-planning", "international",   NULL};
static const char *const TAGS_GOVERNANCE[] = {
    "clinical-governance", "governance",   "quality-assurance",
    "patient-experience",  "nhs-standards", "new-hospital",
    "international",       NULL};
static const char *const TAGS_READINESS[] = {
    "operational-readiness", "commissioning", "workforce", "lean",
    "patient-centred-care",  "new-hospital",  "international", NULL};
static const char *const TAGS_DESIGN_REVIEW[] = {
    "design-review",     "clinical-review", "architecture", "remote",
    "hospital-planning", "new-hospital",    NULL};

static const fgcat_offering OFFERINGS[] = {
    {
        .struct_size = sizeof(fgcat_offering),
        .id = "RTF/medi-city-clinical-service-model",
        .area = AREA,
        .provider_ods = "RTF",
        .provider_name = RTF_NAME,
        .title = "Clinical service model for a 1,000-bed hospital and medi-city",
        .summary =
            "Alliance-led clinical brief for a large new general hospital and "
            "the medi-city around it: demand and bed modelling, service mix, "
            "care pathways and departmental adjacencies, worked up with BDP's "
            "architects and RLB's health planners. Priced per planned bed.",
        .description =
            "Northumbria Healthcare leads the NHS Northumbria International "
            "Alliance, which a Chinese developer chose as its long-term "
            "clinical partner for a programme of ten new hospitals of about "
            "1,000 beds each, every one set in a wider medi-city. This "
            "offering packages the first step of that work for any developer "
            "or health system planning a hospital of comparable scale: turning "
            "a site and an ambition into a clinical service model the "
            "designers can build to.\n\n"
            "The engagement runs in four phases: population demand and "
            "activity modelling; the clinical service model and bed numbers "
            "by specialty; a joint design review with the architects (BDP) "
            "and health planners (RLB); and sign-off of the clinical brief. "
            "The Christie contributes the oncology content, Northumbria its "
            "integrated-care and patient-centred models, so that the "
            "hospital is planned together with the community services it "
            "relies on. Six site visits are included.",
        .delivery = "blended",
        .duration_days = 365,
        .capacity = 2,
        .price_pence = 180000,
        .currency = "GBP",
        .price_unit = "per-bed",
        .regions = REGIONS_INTL,
        .tags = TAGS_MEDI_CITY,
        .contact = RTF_CONTACT,
        .attributes_json =
            "{\"beds_min\": 400, \"beds_max\": 1200, \"phases\": 4, "
            "\"specialty\": \"multispecialty\", "
            "\"partners\": \"BDP (architecture); RLB (health planning); "
            "The Christie NHS Foundation Trust (oncology)\", "
            "\"site_visits\": 6, \"min_lead_days\": 90}",
    },
    {
        .struct_size = sizeof(fgcat_offering),
        .id = "RBV/cancer-centre-of-excellence-planning",
        .area = AREA,
        .provider_ods = "RBV",
        .provider_name = RBV_NAME,
        .title = "Oncology service planning for a cancer centre of excellence "
                 "within a multispecialty hospital",
        .summary =
            "The Christie's specialist oncology planning for a cancer centre "
            "embedded in a new multispecialty hospital: cancer pathways, "
            "service scope, bed and treatment capacity, and the links to "
            "research and education. One fixed-price engagement.",
        .description =
            "The first hospital in the alliance's programme with Rongqiao "
            "Group is a multispecialty hospital in Fuzhou with a cancer "
            "centre of excellence at its heart, and oncology is a national "
            "priority for China's new hospital building. The Christie, "
            "rated outstanding and known for cancer care, research and "
            "education, brings that expertise to the planning of such a "
            "centre.\n\n"
            "Over three phases the Christie team sets out which cancer "
            "services the centre should offer and how patients move through "
            "them, sizes inpatient, day-case and treatment capacity for a "
            "centre of 100 to 400 beds, and checks the emerging design with "
            "the alliance's health planners (RLB) and architects (BDP). The "
            "result is an oncology service plan the owner can build, staff "
            "and operate to. Four site visits are included; the fee is fixed "
            "per engagement.",
        .delivery = "blended",
        .duration_days = 270,
        .capacity = 3,
        .price_pence = 42000000,
        .currency = "GBP",
        .price_unit = "fixed",
        .regions = REGIONS_INTL,
        .tags = TAGS_CANCER_CENTRE,
        .contact = RBV_CONTACT,
        .attributes_json =
            "{\"beds_min\": 100, \"beds_max\": 400, \"phases\": 3, "
            "\"specialty\": \"oncology\", "
            "\"partners\": \"Northumbria Healthcare NHS Foundation Trust "
            "(alliance lead); RLB (health planning); BDP (architecture)\", "
            "\"site_visits\": 4, \"min_lead_days\": 90}",
    },
    {
        .struct_size = sizeof(fgcat_offering),
        .id = "RBV/cancer-hospital-service-and-bed-planning",
        .area = AREA,
        .provider_ods = "RBV",
        .provider_name = RBV_NAME,
        .title = "Service and bed planning for a specialist cancer hospital of "
                 "up to 600 beds",
        .summary =
            "Whole-hospital oncology planning for a stand-alone cancer "
            "hospital, modelled on the alliance's 500-bed project: service "
            "portfolio, bed and treatment capacity, workforce outline and "
            "design assurance. Priced per planned bed.",
        .description =
            "The alliance's next project after Fuzhou, agreed in a "
            "memorandum of understanding, is a 500-bed cancer hospital in "
            "Chongqing. A stand-alone cancer hospital needs more than a "
            "department's worth of planning: every service, from diagnosis "
            "through treatment to follow-up and end-of-life care, has to be "
            "sized and placed in one building.\n\n"
            "The Christie leads this engagement in four phases: the cancer "
            "service portfolio and activity model; bed, day-unit and "
            "treatment capacity; a workforce outline; and design assurance "
            "with RLB's health planners and BDP's architects. It suits "
            "hospitals of 250 to 600 beds. Eight site visits are included, "
            "and at least 120 days' notice is needed to assemble the team.",
        .delivery = "blended",
        .duration_days = 540,
        .capacity = 2,
        .price_pence = 240000,
        .currency = "GBP",
        .price_unit = "per-bed",
        .regions = REGIONS_INTL,
        .tags = TAGS_CANCER_HOSPITAL,
        .contact = RBV_CONTACT,
        .attributes_json =
            "{\"beds_min\": 250, \"beds_max\": 600, \"phases\": 4, "
            "\"specialty\": \"oncology\", "
            "\"partners\": \"RLB (health planning); BDP (architecture)\", "
            "\"site_visits\": 8, \"min_lead_days\": 120}",
    },
    {
        .struct_size = sizeof(fgcat_offering),
        .id = "RTF/community-older-people-care-planning",
        .area = AREA,
        .provider_ods = "RTF",
        .provider_name = RTF_NAME,
        .title = "Community and older people's care services planning around a "
                 "new hospital",
        .summary =
            "Northumbria's integrated-care advisers plan the community, "
            "home-care and older people's services that a new hospital "
            "depends on, so that patients are cared for closer to home. "
            "Advisory days, booked in blocks of 10 to 120.",
        .description =
            "Alongside the 500-bed cancer hospital in Chongqing, the "
            "alliance's memorandum of understanding covers community and "
            "older people's care services. Northumbria was chosen for its "
            "integrated-care record in England, where it works with "
            "Northumberland County Council on joined-up health and social "
            "care.\n\n"
            "The advisers map the population the hospital will serve, design "
            "community and intermediate care, care of older people at home "
            "and the discharge routes between them and the hospital, and set "
            "out how the services are governed together. The work is sold by "
            "the advisory day, mostly remote with three site visits, and is "
            "open to any trust or health system planning a hospital of 100 "
            "to 1,200 beds; there is no limit on concurrent engagements.",
        .delivery = "blended",
        .duration_days = 365,
        .capacity = 0,
        .price_pence = 150000,
        .currency = "GBP",
        .price_unit = "per-day",
        .regions = REGIONS_ALL,
        .tags = TAGS_COMMUNITY,
        .contact = RTF_CONTACT,
        .attributes_json =
            "{\"beds_min\": 100, \"beds_max\": 1200, \"phases\": 3, "
            "\"specialty\": \"older-people\", "
            "\"partners\": \"Northumberland County Council (integrated health "
            "and social care)\", "
            "\"site_visits\": 3, \"min_lead_days\": 60, "
            "\"days_min\": 10, \"days_max\": 120}",
    },
    {
        .struct_size = sizeof(fgcat_offering),
        .id = "RTF/capital-project-and-estates-advice",
        .area = AREA,
        .provider_ods = "RTF",
        .provider_name = RTF_NAME,
        .title = "Capital project and estates advice for new hospital builds",
        .summary =
            "Client-side advice on running a large hospital capital project, "
            "from brief and design through procurement and construction to "
            "handover, drawing on Northumberland County Council's project "
            "management and BDP's architecture. Advisory days.",
        .description =
            "Within the alliance, Northumberland County Council brings its "
            "experience of large-scale capital projects and project "
            "management, and BDP its architectural practice; the partnership "
            "covers the whole design, build and operate process of the "
            "hospitals. Northumbria, as alliance lead, contracts for that "
            "advice so that the client deals with one NHS partner.\n\n"
            "Advisers support the client's project team across five stages "
            "(brief, design, procurement, construction and handover): "
            "programme and cost control, design reviews from an operator's "
            "point of view, and readiness of the estate for clinical "
            "commissioning. Up to twelve site visits fall within an "
            "engagement of 5 to 200 advisory days over two years; four "
            "engagements can run at once.",
        .delivery = "blended",
        .duration_days = 730,
        .capacity = 4,
        .price_pence = 140000,
        .currency = "GBP",
        .price_unit = "per-day",
        .regions = REGIONS_ALL,
        .tags = TAGS_ESTATES,
        .contact = RTF_CONTACT,
        .attributes_json =
            "{\"beds_min\": 200, \"beds_max\": 1200, \"phases\": 5, "
            "\"specialty\": \"estates\", "
            "\"partners\": \"Northumberland County Council (capital projects "
            "and project management); BDP (architecture)\", "
            "\"site_visits\": 12, \"min_lead_days\": 60, "
            "\"days_min\": 5, \"days_max\": 200}",
    },
    {
        .struct_size = sizeof(fgcat_offering),
        .id = "RTF/governance-and-quality-assurance-setup",
        .area = AREA,
        .provider_ods = "RTF",
        .provider_name = RTF_NAME,
        .title = "Clinical governance, quality assurance and patient experience "
                 "set-up for a new hospital",
        .summary =
            "Sets up clinical governance, quality assurance and "
            "patient-experience arrangements to NHS standards before a new "
            "hospital opens: committees, policies, incident and audit cycles, "
            "and patient feedback. One fixed-price engagement.",
        .description =
            "The alliance's long-term partnership with its developer client "
            "explicitly includes support for clinical governance, quality "
            "assurance and patient experience to NHS standards, delivered by "
            "two trusts the Care Quality Commission rates outstanding.\n\n"
            "In two phases Northumbria designs the governance structure "
            "(board and committee reporting, clinical policies, incident "
            "management, audit and mortality review) and then the quality "
            "assurance and patient-experience cycle that will run once the "
            "hospital opens, with measures, feedback routes and the reports "
            "leaders will read. Most of the work is remote, with two site "
            "visits for workshops with the new leadership team. There is no "
            "limit on concurrent engagements.",
        .delivery = "blended",
        .duration_days = 180,
        .capacity = 0,
        .price_pence = 16500000,
        .currency = "GBP",
        .price_unit = "fixed",
        .regions = REGIONS_ALL,
        .tags = TAGS_GOVERNANCE,
        .contact = RTF_CONTACT,
        .attributes_json =
            "{\"beds_min\": 100, \"beds_max\": 2000, \"phases\": 2, "
            "\"specialty\": \"governance\", \"site_visits\": 2, "
            "\"min_lead_days\": 60}",
    },
    {
        .struct_size = sizeof(fgcat_offering),
        .id = "RTF/hospital-commissioning-and-operational-readiness",
        .area = AREA,
        .provider_ods = "RTF",
        .provider_name = RTF_NAME,
        .title = "Commissioning and operational readiness for opening a new "
                 "hospital",
        .summary =
            "On-site support to take a newly built hospital from handover to "
            "safe opening: workforce plans, lean operating processes, trial "
            "runs and patient-centred ways of working. Priced per bed "
            "opened.",
        .description =
            "The developer that chose the alliance singled out Northumbria's "
            "patient-centred care, workforce optimisation and lean health and "
            "care delivery as what it most valued from the NHS. Those are the "
            "skills a new hospital needs in the months before and after it "
            "opens.\n\n"
            "The engagement runs in three phases: readiness planning "
            "(workforce model, rosters, operating procedures built with lean "
            "methods); trial operations, in which every department rehearses "
            "its patient journeys before the first patient arrives; and "
            "opening and stabilisation. Northumbria staff are on site for up "
            "to ten visits. It is priced per bed opened, for hospitals of "
            "200 to 1,200 beds, and three openings can be supported at once.",
        .delivery = "on-site",
        .duration_days = 180,
        .capacity = 3,
        .price_pence = 65000,
        .currency = "GBP",
        .price_unit = "per-bed",
        .regions = REGIONS_INTL,
        .tags = TAGS_READINESS,
        .contact = RTF_CONTACT,
        .attributes_json =
            "{\"beds_min\": 200, \"beds_max\": 1200, \"phases\": 3, "
            "\"specialty\": \"operational-readiness\", "
            "\"site_visits\": 10, \"min_lead_days\": 90}",
    },
    {
        .struct_size = sizeof(fgcat_offering),
        .id = "RTF/remote-clinical-design-review",
        .area = AREA,
        .provider_ods = "RTF",
        .provider_name = RTF_NAME,
        .title = "Remote clinical review of hospital design and planning "
                 "documents",
        .summary =
            "NHS clinicians and planners review an architect's or health "
            "planner's drawings, schedules of accommodation and clinical "
            "briefs remotely and return a written review. Advisory days, "
            "2 to 40 per request.",
        .description =
            "Throughout the alliance's work, the NHS partners review what the "
            "architects (BDP) and health planners (RLB) produce against how "
            "clinical services will actually run. Trusts and developers "
            "outside the alliance can book the same review on its own.\n\n"
            "A small team of clinicians and planners from Northumbria, with "
            "Christie input for cancer services, reads the drawings, "
            "schedules of accommodation and clinical briefs, meets the design "
            "team by video, and returns a written review with prioritised "
            "changes. The work is entirely remote, so no site visits are "
            "included, and only 30 days' notice is needed.",
        .delivery = "remote",
        .duration_days = 60,
        .capacity = 0,
        .price_pence = 120000,
        .currency = "GBP",
        .price_unit = "per-day",
        .regions = REGIONS_ALL,
        .tags = TAGS_DESIGN_REVIEW,
        .contact = RTF_CONTACT,
        .attributes_json =
            "{\"beds_min\": 50, \"beds_max\": 2000, \"phases\": 1, "
            "\"specialty\": \"multispecialty\", "
            "\"partners\": \"BDP (architecture); RLB (health planning)\", "
            "\"site_visits\": 0, \"min_lead_days\": 30, "
            "\"days_min\": 2, \"days_max\": 40}",
    },
};

#define OFFERING_COUNT (sizeof(OFFERINGS) / sizeof(OFFERINGS[0]))

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

/* Sets *out = a * b for non-negative a, b; returns 0 on int64 overflow. */
static int mul_ok(int64_t a, int64_t b, int64_t *out)
{
    if (a < 0 || b < 0)
        return 0;
    if (b != 0 && a > INT64_MAX / b)
        return 0;
    *out = a * b;
    return 1;
}

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
        return mul_ok(price, quantity, amount);

    if (!mul_ok(price, TAPER_FROM_BEDS, &base) ||
        !mul_ok(price, quantity - TAPER_FROM_BEDS, &extra))
        return 0;
    /* 75% of extra, rounded down, without forming 3 * extra. */
    extra = (extra / 4) * 3 + ((extra % 4) * 3) / 4;
    if (base > INT64_MAX - extra)
        return 0;
    *amount = base + extra;
    return 1;
}

/* ------------------------------------------------------------------------ */
/* Callbacks                                                                */
/* ------------------------------------------------------------------------ */

/*
 * Adds every offering in OFFERINGS.  Stops at the first the host refuses and
 * returns its status, so a broken offering abandons the registration rather
 * than leaving a partial catalogue.
 */
static int hp_register_offerings(const fgcat_host_api *host, void *state,
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

static const fgcat_plugin PLUGIN = {
    FGCAT_PLUGIN_HEADER,
    .name = "health-planning",
    .version = "1.0.0",
    .description = "Hospital and cancer-centre planning advice from the NHS "
                   "Northumbria International Alliance (Northumbria, The "
                   "Christie)",
    .areas = AREAS,
    .init = NULL,
    .register_offerings = hp_register_offerings,
    .validate_offering = hp_validate_offering,
    .quote_request = hp_quote_request,
    .shutdown = NULL,
};

/* Returns the plugin's descriptor, valid until the process exits. */
FGCAT_EXPORT const fgcat_plugin *fgcat_plugin_entry(void)
{
    return &PLUGIN;
}
