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
 * See README.md beside this file for the schema and the rules in prose.
 * The plugin keeps no state: everything is static const data.
 */
#include <fgcat/plugin.h>

#include <inttypes.h>
#include <stdarg.h>
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
/* Offerings                                                                 */
/* ------------------------------------------------------------------------ */

#define RTF_NAME "Northumbria Healthcare NHS Foundation Trust"
#define RTF_CONTACT "integrated.care@northumbria.example.nhs.uk"
#define RYJ_NAME "Imperial College Healthcare NHS Trust"
#define RYJ_CONTACT "international.partnerships@imperial.example.nhs.uk"
#define RBV_NAME "The Christie NHS Foundation Trust"
#define RBV_CONTACT "education.partnerships@christie.example.nhs.uk"

static const char *const regions_uk_intl_china[] = {"England", "International",
                                                    "China", NULL};
static const char *const regions_intl_china_uk[] = {"International", "China",
                                                    "England", NULL};
static const char *const regions_uk_intl[] = {"England", "International", NULL};
static const char *const regions_intl_uk[] = {"International", "England", NULL};
static const char *const regions_intl_china[] = {"International", "China", NULL};

static const char *const tags_community_nursing[] = {
    "nursing", "community", "integrated-care", "older-people",
    "hospital-to-home", "china", "xiangya", NULL};
static const char *const tags_older_people[] = {
    "nursing", "older-people", "community", "home-care", "frailty",
    "integrated-care", "china", NULL};
static const char *const tags_transitions[] = {
    "nursing", "hospital-to-home", "discharge", "transfer-of-care",
    "integrated-care", "patient-flow", NULL};
static const char *const tags_social_care[] = {
    "integrated-care", "social-care", "local-authority", "partnership",
    "leadership", "nursing", NULL};
static const char *const tags_ttt[] = {
    "train-the-trainer", "nursing", "education", "integrated-care",
    "community", "china", NULL};
static const char *const tags_study_visit[] = {
    "study-visit", "integrated-care", "older-people", "community",
    "social-care", "leadership", "china", NULL};
static const char *const tags_nurse_mgmt[] = {
    "nursing", "management", "leadership", "healthcare-manager",
    "ward-management", NULL};
static const char *const tags_doctor_mgmt[] = {
    "doctors", "management", "leadership", "healthcare-manager",
    "clinical-leadership", NULL};
static const char *const tags_general_mgmt[] = {
    "management", "leadership", "healthcare-manager", "operations",
    "patient-flow", NULL};
static const char *const tags_mdt[] = {
    "multidisciplinary", "teamwork", "nursing", "allied-health",
    "physiotherapy", "speech-therapy", "audit", "quality-improvement", NULL};
static const char *const tags_ward_to_ward[] = {
    "ward-to-ward", "patient-pathway", "international", "handover",
    "referral", "nursing", "partnership", NULL};
static const char *const tags_oncology[] = {
    "oncology", "cancer", "nursing", "education", "cancer-centre", "china",
    NULL};

/* Every offering this plugin registers, in the order it registers them. */
static const fgcat_offering ict_offerings[] = {
    {
        .struct_size = sizeof(fgcat_offering),
        .id = "RTF/integrated-care-community-nursing",
        .area = ICT_AREA,
        .provider_ods = "RTF",
        .provider_name = RTF_NAME,
        .title = "Integrated care for community nursing teams",
        .summary =
            "Ten-day blended programme that prepares registered nurses to "
            "deliver joined-up care in the community, built on the model "
            "Northumbria runs with Northumberland County Council and first "
            "offered to Xiangya Hospital, Central South University.",
        .description =
            "Northumbria Healthcare and Northumberland County Council are "
            "known internationally for integrated care: patients move from "
            "hospital to home without falling between organisations, and "
            "health and social care staff plan around the person rather than "
            "the institution. Under a memorandum of understanding with "
            "Xiangya Hospital of Central South University, the leading "
            "hospital of Hunan Province, Northumbria undertook to help train "
            "Chinese nurses to deliver this kind of care outside hospital, in "
            "support of the Healthy China 2030 strategy.\n\n"
            "The programme covers holistic assessment in the patient's home, "
            "shared care planning with GPs, therapists and council social "
            "workers, keeping frail older people well enough to stay out of "
            "hospital, and arranging safe returns home after an admission. "
            "Teaching alternates between classroom days and supervised "
            "practice with community teams; cohorts from outside the UK are "
            "taught in English with Mandarin interpreting. NHS trusts in "
            "England can book the same programme through the Northumbria "
            "Foundation Group.",
        .delivery = "blended",
        .duration_days = 10,
        .capacity = 4,
        .price_pence = 185000,
        .currency = "GBP",
        .price_unit = "per-delegate",
        .regions = regions_uk_intl_china,
        .tags = tags_community_nursing,
        .contact = RTF_CONTACT,
        .attributes_json =
            "{\"cohort_min\": 8, \"cohort_max\": 24, \"cpd_hours\": 60, "
            "\"language\": \"en-GB\", \"interpreting\": \"zh-CN\", "
            "\"train_the_trainer\": false, \"lead_time_days\": 42}",
    },
    {
        .struct_size = sizeof(fgcat_offering),
        .id = "RTF/older-people-care-at-home",
        .area = ICT_AREA,
        .provider_ods = "RTF",
        .provider_name = RTF_NAME,
        .title = "Caring for older people at home: skills for community nurses",
        .summary =
            "Five-day practical course for nurses looking after a growing "
            "older population in their own homes, drawn from Northumbria's "
            "community services and its work with partners in China.",
        .description =
            "Northumberland, like Hunan Province, has a large and growing "
            "number of older residents, and both want more of them cared for "
            "at home rather than on a hospital ward. Northumbria's work with "
            "Xiangya Hospital, and its memorandum with the Rongqiao Group on "
            "community and older people care services in Chongqing, rest on "
            "the same experience: community nursing that spots decline "
            "early, supports families and carers, and links with social care "
            "before a crisis.\n\n"
            "This course is delivered on the requesting organisation's site. "
            "It covers frailty and falls, medicines at home, continence and "
            "skin care, end-of-life care at home, working with families, and "
            "knowing when to escalate. Each day pairs teaching with case work "
            "taken from the delegates' own caseloads.",
        .delivery = "on-site",
        .duration_days = 5,
        .capacity = 6,
        .price_pence = 95000,
        .currency = "GBP",
        .price_unit = "per-delegate",
        .regions = regions_intl_china_uk,
        .tags = tags_older_people,
        .contact = RTF_CONTACT,
        .attributes_json =
            "{\"cohort_min\": 10, \"cohort_max\": 30, \"cpd_hours\": 30, "
            "\"language\": \"en-GB\", \"interpreting\": \"zh-CN\", "
            "\"train_the_trainer\": false}",
    },
    {
        .struct_size = sizeof(fgcat_offering),
        .id = "RTF/hospital-to-home-transitions",
        .area = ICT_AREA,
        .provider_ods = "RTF",
        .provider_name = RTF_NAME,
        .title = "Hospital to home: planning safe transfers of care",
        .summary =
            "Three-day remote course for ward and community nurses on "
            "planning discharge together so that patients move from hospital "
            "to home without delay or gaps in care.",
        .description =
            "A smooth move from hospital to home is the part of integrated "
            "care that Northumbria is best known for. This live online course "
            "teaches ward and community nurses to plan discharge from the day "
            "of admission, to agree a single plan with social care and "
            "families, to hand over clearly to the team that takes over at "
            "home, and to follow the patient up in the first days after "
            "discharge.\n\n"
            "It is open to NHS organisations in England through the "
            "Northumbria Foundation Group and to international partners. "
            "Because it is taught remotely there is no limit on the number of "
            "cohorts that can run at once.",
        .delivery = "remote",
        .duration_days = 3,
        .capacity = 0,
        .price_pence = 42000,
        .currency = "GBP",
        .price_unit = "per-delegate",
        .regions = regions_uk_intl,
        .tags = tags_transitions,
        .contact = RTF_CONTACT,
        .attributes_json =
            "{\"cohort_min\": 6, \"cohort_max\": 40, \"cpd_hours\": 18, "
            "\"language\": \"en-GB\", \"train_the_trainer\": false, "
            "\"lead_time_days\": 21}",
    },
    {
        .struct_size = sizeof(fgcat_offering),
        .id = "RTF/joined-up-health-and-social-care",
        .area = ICT_AREA,
        .provider_ods = "RTF",
        .provider_name = RTF_NAME,
        .title = "Joined-up working between NHS and council social care teams",
        .summary =
            "Four-day programme, priced per cohort, for nurse leaders and "
            "social care managers who want to build integrated teams across "
            "the health and local-authority boundary.",
        .description =
            "Northumbria's integrated care rests on a long partnership with "
            "Northumberland County Council, down to executives who hold joint "
            "roles across the trust and the council. This programme shares "
            "what that partnership has learned: pooled planning, shared "
            "assessments, joint teams in the community, and the governance "
            "that lets two organisations act as one for their residents.\n\n"
            "It is taught by Northumbria staff with contributions from "
            "colleagues in the council's adult social care services, and mixes "
            "classroom sessions with remote follow-up as participants redesign "
            "a service of their own. One price covers a whole cohort of up to "
            "twenty health and social care leaders.",
        .delivery = "blended",
        .duration_days = 4,
        .capacity = 3,
        .price_pence = 1400000,
        .currency = "GBP",
        .price_unit = "fixed",
        .regions = regions_uk_intl,
        .tags = tags_social_care,
        .contact = RTF_CONTACT,
        .attributes_json =
            "{\"cohort_min\": 8, \"cohort_max\": 20, \"cpd_hours\": 24, "
            "\"language\": \"en-GB\", \"train_the_trainer\": false, "
            "\"lead_time_days\": 56}",
    },
    {
        .struct_size = sizeof(fgcat_offering),
        .id = "RTF/integrated-care-train-the-trainer",
        .area = ICT_AREA,
        .provider_ods = "RTF",
        .provider_name = RTF_NAME,
        .title = "Train the trainer: integrated-care nurse educators",
        .summary =
            "Eight-day course that prepares a small group of senior nurses to "
            "teach Northumbria's integrated community care programme to "
            "colleagues in their own organisation.",
        .description =
            "Training nurses for integrated care at the scale of a large "
            "hospital such as Xiangya, with its 3,500 beds, needs local "
            "educators as well as visiting faculty. This course takes a small "
            "group of experienced nurses through the content of the community "
            "nursing programme, how to teach it, how to supervise practice "
            "placements and how to assess competence, so that they can run "
            "the programme themselves afterwards.\n\n"
            "It is delivered on site, in small groups so that every "
            "participant teaches and is observed. Northumbria provides the "
            "teaching materials and stays in contact with the new educators "
            "through their first cohort.",
        .delivery = "on-site",
        .duration_days = 8,
        .capacity = 2,
        .price_pence = 320000,
        .currency = "GBP",
        .price_unit = "per-delegate",
        .regions = regions_intl_china_uk,
        .tags = tags_ttt,
        .contact = RTF_CONTACT,
        .attributes_json =
            "{\"cohort_min\": 4, \"cohort_max\": 10, \"cpd_hours\": 48, "
            "\"language\": \"en-GB\", \"interpreting\": \"zh-CN\", "
            "\"train_the_trainer\": true, \"lead_time_days\": 90}",
    },
    {
        .struct_size = sizeof(fgcat_offering),
        .id = "RTF/integrated-care-study-visit",
        .area = ICT_AREA,
        .provider_ods = "RTF",
        .provider_name = RTF_NAME,
        .title = "Integrated care study visit to Northumberland",
        .summary =
            "A visit of up to five days for a delegation of clinical and "
            "managerial leaders to see joined-up health and social care at "
            "work in Northumberland, priced per day.",
        .description =
            "Before signing their memorandum of understanding, Xiangya "
            "Hospital's leadership spent several days in Northumberland on "
            "sessions arranged by the trust and saw for themselves what "
            "joined-up care does for patients. This offering repeats that "
            "programme for other delegations: briefings from trust and "
            "council leaders, time with community nursing and social care "
            "teams, visits to hospital and community sites, and a closing "
            "session to plan next steps.\n\n"
            "The daily price covers a delegation of up to fifteen people, "
            "with interpreting arranged where needed. Travel and "
            "accommodation are not included.",
        .delivery = "on-site",
        .duration_days = 5,
        .capacity = 4,
        .price_pence = 450000,
        .currency = "GBP",
        .price_unit = "per-day",
        .regions = regions_intl_china_uk,
        .tags = tags_study_visit,
        .contact = RTF_CONTACT,
        .attributes_json =
            "{\"cohort_min\": 4, \"cohort_max\": 15, \"cpd_hours\": 30, "
            "\"language\": \"en-GB\", \"interpreting\": \"zh-CN\", "
            "\"train_the_trainer\": false, \"lead_time_days\": 56}",
    },
    {
        .struct_size = sizeof(fgcat_offering),
        .id = "RYJ/nurse-management-course",
        .area = ICT_AREA,
        .provider_ods = "RYJ",
        .provider_name = RYJ_NAME,
        .title = "Nurse management: running wards and services",
        .summary =
            "Six-day blended course in nurse management, designed by "
            "Imperial's front-line nurse leaders rather than in a university, "
            "for health systems building the role of the nurse manager.",
        .description =
            "Imperial College Healthcare, with around 4,500 nurses across "
            "five London hospitals, has built management courses from its own "
            "front-line practice. Many providers abroad, particularly in Asia "
            "where hospitals tend to be organised around doctors, are "
            "interested in the NHS idea of the healthcare manager; this "
            "course teaches it from the nursing side.\n\n"
            "Topics include staffing and rostering a ward, keeping patients "
            "moving through a busy hospital, leading quality improvement, "
            "handling incidents and complaints, and working with medical and "
            "general managers as one team.",
        .delivery = "blended",
        .duration_days = 6,
        .capacity = 0,
        .price_pence = 210000,
        .currency = "GBP",
        .price_unit = "per-delegate",
        .regions = regions_intl_uk,
        .tags = tags_nurse_mgmt,
        .contact = RYJ_CONTACT,
        .attributes_json =
            "{\"cohort_min\": 8, \"cohort_max\": 20, \"cpd_hours\": 36, "
            "\"language\": \"en-GB\", \"train_the_trainer\": false}",
    },
    {
        .struct_size = sizeof(fgcat_offering),
        .id = "RYJ/doctor-management-course",
        .area = ICT_AREA,
        .provider_ods = "RYJ",
        .provider_name = RYJ_NAME,
        .title = "Doctor management: clinical leadership for consultants",
        .summary =
            "Six-day blended course for senior doctors taking on management "
            "responsibility, drawn from how Imperial runs emergency and "
            "elective work side by side.",
        .description =
            "Imperial runs a major trauma centre in central London, seeing "
            "more than 300,000 emergency patients a year, alongside planned "
            "surgery in the same hospitals and theatres. Doing both depends "
            "on doctors who manage as well as treat. This course, one of "
            "Imperial's bespoke management courses shaped on the front line, "
            "prepares consultants and senior doctors for that role.\n\n"
            "It covers service and job planning, patient flow between "
            "emergency and elective work, using quality improvement methods, "
            "leading multidisciplinary teams, and understanding the costs of "
            "a clinical service.",
        .delivery = "blended",
        .duration_days = 6,
        .capacity = 0,
        .price_pence = 240000,
        .currency = "GBP",
        .price_unit = "per-delegate",
        .regions = regions_intl_uk,
        .tags = tags_doctor_mgmt,
        .contact = RYJ_CONTACT,
        .attributes_json =
            "{\"cohort_min\": 8, \"cohort_max\": 20, \"cpd_hours\": 36, "
            "\"language\": \"en-GB\", \"train_the_trainer\": false}",
    },
    {
        .struct_size = sizeof(fgcat_offering),
        .id = "RYJ/general-management-course",
        .area = ICT_AREA,
        .provider_ods = "RYJ",
        .provider_name = RYJ_NAME,
        .title = "General management for hospital managers",
        .summary =
            "Eight-day blended course introducing the NHS model of the "
            "non-clinical healthcare manager to hospitals abroad, taught by "
            "Imperial's operational managers.",
        .description =
            "The third of Imperial's front-line management courses is aimed "
            "at general managers: the people who run services, budgets and "
            "operations alongside clinical leaders. It explains how an NHS "
            "hospital keeps emergency and planned care flowing, how policies "
            "and procedures grow out of quality improvement work, and how "
            "managers, nurses and doctors share decisions.\n\n"
            "Delegates work on a problem from their own hospital between the "
            "taught blocks and present an improvement plan at the end.",
        .delivery = "blended",
        .duration_days = 8,
        .capacity = 5,
        .price_pence = 190000,
        .currency = "GBP",
        .price_unit = "per-delegate",
        .regions = regions_intl_uk,
        .tags = tags_general_mgmt,
        .contact = RYJ_CONTACT,
        .attributes_json =
            "{\"cohort_min\": 10, \"cohort_max\": 25, \"cpd_hours\": 48, "
            "\"language\": \"en-GB\", \"train_the_trainer\": false}",
    },
    {
        .struct_size = sizeof(fgcat_offering),
        .id = "RYJ/multidisciplinary-team-training",
        .area = ICT_AREA,
        .provider_ods = "RYJ",
        .provider_name = RYJ_NAME,
        .title = "Training ward teams together: a multidisciplinary programme",
        .summary =
            "Five-day on-site programme, priced per team, that trains doctors, "
            "nurses, physiotherapists and speech therapists together around "
            "an audit of their own service.",
        .description =
            "Imperial's view is that people should be trained in teams, "
            "because patients need the whole team and not only the doctor. "
            "In this programme a front-line Imperial team works with a "
            "partner's multidisciplinary team to audit one clinical service, "
            "agree an action plan, and then teach what the plan requires, "
            "from changes to policy and service design to new ways of "
            "working on the ward.\n\n"
            "One fixed price covers a team of six to sixteen staff and the "
            "audit that shapes its teaching. The programme works best when it "
            "focuses on a single specialty.",
        .delivery = "on-site",
        .duration_days = 5,
        .capacity = 3,
        .price_pence = 1800000,
        .currency = "GBP",
        .price_unit = "fixed",
        .regions = regions_intl_uk,
        .tags = tags_mdt,
        .contact = RYJ_CONTACT,
        .attributes_json =
            "{\"cohort_min\": 6, \"cohort_max\": 16, \"cpd_hours\": 30, "
            "\"language\": \"en-GB\", \"train_the_trainer\": false, "
            "\"lead_time_days\": 56}",
    },
    {
        .struct_size = sizeof(fgcat_offering),
        .id = "RYJ/ward-to-ward-pathway",
        .area = ICT_AREA,
        .provider_ods = "RYJ",
        .provider_name = RYJ_NAME,
        .title = "Ward to ward pathway: training for partner ward teams",
        .summary =
            "Up to ten days of joint training and ward exchange that links an "
            "overseas ward with an Imperial ward, so that complex patients can "
            "move between them without a break in clinical management.",
        .description =
            "Imperial's ward to ward pathway pairs a ward abroad with a ward "
            "in London. The teams learn each other's services, agree how to "
            "refer, hand over and share records, and keep in regular contact, "
            "so that a patient who needs to travel to London arrives on a ward "
            "that already knows them, and most patients can be treated well "
            "without travelling at all.\n\n"
            "Priced per day of Imperial staff time, the engagement mixes "
            "visits in both directions with remote case discussions. It suits "
            "partners in developing health systems, for example in the Middle "
            "East, that want to raise local care to NHS standards while "
            "keeping a route to London for the most complex cases.",
        .delivery = "blended",
        .duration_days = 10,
        .capacity = 2,
        .price_pence = 350000,
        .currency = "GBP",
        .price_unit = "per-day",
        .regions = regions_intl_uk,
        .tags = tags_ward_to_ward,
        .contact = RYJ_CONTACT,
        .attributes_json =
            "{\"cohort_min\": 4, \"cohort_max\": 12, \"cpd_hours\": 40, "
            "\"language\": \"en-GB\", \"train_the_trainer\": false, "
            "\"lead_time_days\": 90}",
    },
    {
        .struct_size = sizeof(fgcat_offering),
        .id = "RBV/oncology-nursing-education",
        .area = ICT_AREA,
        .provider_ods = "RBV",
        .provider_name = RBV_NAME,
        .title = "Cancer nursing education for new cancer centres",
        .summary =
            "Ten-day blended programme in specialist cancer nursing from The "
            "Christie, for the nursing teams of cancer centres being built with "
            "the NHS Northumbria International Alliance.",
        .description =
            "The Christie brings cancer care, research, training and education "
            "to the NHS Northumbria International Alliance, which is the "
            "clinical partner of the Rongqiao Group as it builds new hospitals "
            "in China, starting with a multispecialty hospital and cancer "
            "centre in Fuzhou. Opening a cancer centre to NHS standards needs "
            "nurses who are ready for specialist work from the first day.\n\n"
            "This programme covers safe handling and giving of systemic "
            "anticancer treatment, care of patients having radiotherapy, "
            "managing side effects and oncological emergencies, supportive "
            "and palliative care, and the patient experience standards the "
            "alliance has committed to. It is taught in English with Mandarin "
            "interpreting, with practical sessions in the new centre.",
        .delivery = "blended",
        .duration_days = 10,
        .capacity = 3,
        .price_pence = 260000,
        .currency = "GBP",
        .price_unit = "per-delegate",
        .regions = regions_intl_china,
        .tags = tags_oncology,
        .contact = RBV_CONTACT,
        .attributes_json =
            "{\"cohort_min\": 8, \"cohort_max\": 20, \"cpd_hours\": 60, "
            "\"language\": \"en-GB\", \"interpreting\": \"zh-CN\", "
            "\"train_the_trainer\": false, \"lead_time_days\": 90}",
    },
};

/* ------------------------------------------------------------------------ */
/* Helpers                                                                   */
/* ------------------------------------------------------------------------ */

#if defined(__GNUC__) || defined(__clang__)
#define ICT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define ICT_PRINTF(f, a)
#endif

/*
 * Writes one formatted sentence into the host's message buffer, truncated
 * to msg_size bytes including the NUL.  Does nothing without a buffer.
 */
ICT_PRINTF(3, 4)
static void ict_say(char *msg, size_t msg_size, const char *fmt, ...)
{
    va_list ap;

    if (msg == NULL || msg_size == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, msg_size, fmt, ap);
    va_end(ap);
}

/* "s" unless n is exactly one, for "1 day" / "2 days". */
static const char *ict_plural(int64_t n)
{
    return n == 1 ? "" : "s";
}

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

static const char *const ict_known_keys[] = {
    "cohort_min", "cohort_max",        "cpd_hours",      "language",
    "interpreting", "train_the_trainer", "lead_time_days", NULL};

/* True when `key` is one of the area's attribute names. */
static int ict_is_known_key(const char *key)
{
    for (size_t i = 0; ict_known_keys[i] != NULL; i++) {
        if (strcmp(key, ict_known_keys[i]) == 0)
            return 1;
    }
    return 0;
}

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

/*
 * Reads the integer attribute `key` into *out and checks lo <= value <= hi.
 * When the key is absent, a required attribute is an error and an optional
 * one takes `dflt`.  Returns FGCAT_OK, or FGCAT_ERR_INVALID with a sentence
 * naming the attribute in msg.
 */
static int ict_read_int(const fgcat_host_api *host, const fgcat_attrs *attrs,
                        const char *key, int required, int64_t dflt,
                        int64_t lo, int64_t hi, int64_t *out, char *msg,
                        size_t msg_size)
{
    int64_t v = 0;
    int rc = host->attr_int(attrs, key, &v);

    if (rc == FGCAT_ERR_NOT_FOUND && !required) {
        *out = dflt;
        return FGCAT_OK;
    }
    if (rc == FGCAT_ERR_NOT_FOUND) {
        ict_say(msg, msg_size,
                "attribute %s is required: an integer between %" PRId64
                " and %" PRId64,
                key, lo, hi);
        return FGCAT_ERR_INVALID;
    }
    if (rc != FGCAT_OK || v < lo || v > hi) {
        ict_say(msg, msg_size,
                "attribute %s must be an integer between %" PRId64
                " and %" PRId64,
                key, lo, hi);
        return FGCAT_ERR_INVALID;
    }
    *out = v;
    return FGCAT_OK;
}

/*
 * Reads the optional language-tag attribute `key` into *out (unchanged when
 * the key is absent).  Returns FGCAT_OK, or FGCAT_ERR_INVALID with a
 * sentence naming the attribute in msg.
 */
static int ict_read_language(const fgcat_host_api *host,
                             const fgcat_attrs *attrs, const char *key,
                             const char **out, char *msg, size_t msg_size)
{
    const char *s = NULL;
    int rc = host->attr_string(attrs, key, &s);

    if (rc == FGCAT_ERR_NOT_FOUND)
        return FGCAT_OK;
    if (rc != FGCAT_OK || s == NULL || !ict_is_language_tag(s)) {
        ict_say(msg, msg_size,
                "attribute %s must be a language tag such as \"en-GB\" or "
                "\"zh-CN\"",
                key);
        return FGCAT_ERR_INVALID;
    }
    *out = s;
    return FGCAT_OK;
}

/*
 * Reads and checks the whole attributes object of an offering into *a:
 * unknown keys are refused, required keys must be present, every value must
 * have its type and range, and the cross-field rules hold (cohort_min <=
 * cohort_max, a train-the-trainer cohort of at most ICT_TTT_COHORT_LIMIT,
 * interpreting differs from language).  Returns FGCAT_OK, or
 * FGCAT_ERR_INVALID with a sentence naming the attribute in msg.
 */
static int ict_read_attrs(const fgcat_host_api *host, const fgcat_attrs *attrs,
                          ict_attrs *a, char *msg, size_t msg_size)
{
    int rc;
    size_t n;

    if (attrs == NULL) {
        ict_say(msg, msg_size,
                "attributes must be an object with at least cohort_min, "
                "cohort_max and cpd_hours");
        return FGCAT_ERR_INVALID;
    }

    n = host->attr_count(attrs);
    for (size_t i = 0; i < n; i++) {
        const char *key = host->attr_key(attrs, i);

        if (key == NULL)
            break;
        if (!ict_is_known_key(key)) {
            ict_say(msg, msg_size,
                    "attribute %s is not known to %s; use cohort_min, "
                    "cohort_max, cpd_hours, language, interpreting, "
                    "train_the_trainer or lead_time_days",
                    key, ICT_AREA);
            return FGCAT_ERR_INVALID;
        }
    }

    rc = ict_read_int(host, attrs, "cohort_min", 1, 0, 1, ICT_COHORT_LIMIT,
                      &a->cohort_min, msg, msg_size);
    if (rc != FGCAT_OK)
        return rc;
    rc = ict_read_int(host, attrs, "cohort_max", 1, 0, 1, ICT_COHORT_LIMIT,
                      &a->cohort_max, msg, msg_size);
    if (rc != FGCAT_OK)
        return rc;
    if (a->cohort_max < a->cohort_min) {
        ict_say(msg, msg_size,
                "attribute cohort_max must be an integer between cohort_min "
                "(%" PRId64 ") and %d",
                a->cohort_min, ICT_COHORT_LIMIT);
        return FGCAT_ERR_INVALID;
    }
    rc = ict_read_int(host, attrs, "cpd_hours", 1, 0, 0, ICT_CPD_LIMIT,
                      &a->cpd_hours, msg, msg_size);
    if (rc != FGCAT_OK)
        return rc;
    rc = ict_read_int(host, attrs, "lead_time_days", 0, ICT_DEFAULT_LEAD_DAYS,
                      0, ICT_LEAD_LIMIT, &a->lead_time_days, msg, msg_size);
    if (rc != FGCAT_OK)
        return rc;

    a->language = ICT_DEFAULT_LANGUAGE;
    rc = ict_read_language(host, attrs, "language", &a->language, msg,
                           msg_size);
    if (rc != FGCAT_OK)
        return rc;
    a->interpreting = NULL;
    rc = ict_read_language(host, attrs, "interpreting", &a->interpreting, msg,
                           msg_size);
    if (rc != FGCAT_OK)
        return rc;
    if (a->interpreting != NULL && strcmp(a->interpreting, a->language) == 0) {
        ict_say(msg, msg_size,
                "attribute interpreting must name a language other than the "
                "teaching language (%s)",
                a->language);
        return FGCAT_ERR_INVALID;
    }

    a->train_the_trainer = 0;
    rc = host->attr_bool(attrs, "train_the_trainer", &a->train_the_trainer);
    if (rc == FGCAT_ERR_NOT_FOUND) {
        a->train_the_trainer = 0;
    } else if (rc != FGCAT_OK) {
        ict_say(msg, msg_size, "attribute train_the_trainer must be true or "
                               "false");
        return FGCAT_ERR_INVALID;
    }
    if (a->train_the_trainer && a->cohort_max > ICT_TTT_COHORT_LIMIT) {
        ict_say(msg, msg_size,
                "attribute cohort_max must be at most %d when "
                "train_the_trainer is true",
                ICT_TTT_COHORT_LIMIT);
        return FGCAT_ERR_INVALID;
    }
    return FGCAT_OK;
}

/* ------------------------------------------------------------------------ */
/* Dates                                                                     */
/* ------------------------------------------------------------------------ */

/*
 * Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil, restricted to years 1..9999 so it never overflows).
 */
static int64_t ict_days_from_civil(int64_t y, int64_t m, int64_t d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2 ? 1 : 0;
    era = y / 400; /* y >= 0 here */
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The inverse of ict_days_from_civil, for dates in years 1..9999. */
static void ict_civil_from_days(int64_t z, int64_t *y, int64_t *m, int64_t *d)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = z / 146097; /* z >= 0 for years >= 1 */
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2 ? 1 : 0);
}

/*
 * Parses "YYYY-MM-DD" (a real calendar date, years 1..9999) into days since
 * 1970-01-01.  Returns 1 on success, 0 when `s` is NULL or malformed.
 */
static int ict_parse_date(const char *s, int64_t *days)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
    int64_t y = 0, m = 0, d = 0, dim;

    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++) {
        if (i == 4 || i == 7)
            continue;
        if (s[i] < '0' || s[i] > '9')
            return 0;
    }
    for (int i = 0; i < 4; i++)
        y = y * 10 + (s[i] - '0');
    m = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 1 || m < 1 || m > 12 || d < 1)
        return 0;
    dim = mdays[m - 1];
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        dim = 29;
    if (d > dim)
        return 0;
    *days = ict_days_from_civil(y, m, d);
    return 1;
}

/*
 * Writes the date `offset` days after `today` ("YYYY-MM-DD") into buf.
 * Returns 1 on success, 0 (buf = "") when today is malformed or the result
 * leaves years 1..9999.
 */
static int ict_date_after(const char *today, int64_t offset, char *buf,
                          size_t buf_size)
{
    int64_t t, y, m, d;

    buf[0] = '\0';
    if (!ict_parse_date(today, &t))
        return 0;
    /* 2932896 = days from 0001-01-01 to 9999-12-31; t is within that. */
    if (offset < -2932896 || offset > 2932896)
        return 0;
    t += offset;
    if (t < ict_days_from_civil(1, 1, 1) ||
        t > ict_days_from_civil(9999, 12, 31))
        return 0;
    ict_civil_from_days(t, &y, &m, &d);
    if (snprintf(buf, buf_size, "%04" PRId64 "-%02" PRId64 "-%02" PRId64, y, m, d) >=
        (int)buf_size)
        return 0;
    return 1;
}

/* ------------------------------------------------------------------------ */
/* Callbacks                                                                 */
/* ------------------------------------------------------------------------ */

/*
 * Checks that the host's API table carries every function this plugin
 * calls.  The plugin keeps no state, so *state stays NULL.
 */
static int ict_init(const fgcat_host_api *host, void **state, char *msg,
                    size_t msg_size)
{
    *state = NULL;
    if (host == NULL || host->abi_major != FGCAT_ABI_MAJOR ||
        !FGCAT_HAS_FIELD(host, fgcat_host_api, attr_key) ||
        host->add_offering == NULL || host->attr_int == NULL ||
        host->attr_string == NULL || host->attr_bool == NULL ||
        host->attr_count == NULL || host->attr_key == NULL) {
        ict_say(msg, msg_size,
                "the host API lacks the attribute readers this plugin needs "
                "(ABI %d.%d)",
                FGCAT_ABI_MAJOR, FGCAT_ABI_MINOR);
        return FGCAT_ERR_FAILED;
    }
    return FGCAT_OK;
}

/*
 * Adds every offering in ict_offerings.  It adds them all even when one is
 * refused, so that the host can report every problem at once, and then
 * returns the first failure so the registration is abandoned.
 */
static int ict_register_offerings(const fgcat_host_api *host, void *state,
                                  fgcat_registrar *reg)
{
    int result = FGCAT_OK;

    (void)state;
    for (size_t i = 0; i < sizeof ict_offerings / sizeof ict_offerings[0];
         i++) {
        int rc = host->add_offering(reg, &ict_offerings[i]);

        if (rc != FGCAT_OK && result == FGCAT_OK)
            result = rc;
    }
    return result;
}

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
        ict_say(msg, msg_size,
                "price_unit %s does not suit training; use per-delegate, "
                "per-day or fixed (one price per cohort)",
                unit);
        return FGCAT_ERR_INVALID;
    }
    if (strcmp(unit, "per-day") == 0 && offering->duration_days < 1) {
        ict_say(msg, msg_size,
                "duration_days must be at least 1 for a per-day offering, as "
                "it caps the number of days a request may ask for");
        return FGCAT_ERR_INVALID;
    }
    if (!FGCAT_HAS_FIELD(offering, fgcat_offering, attributes)) {
        ict_say(msg, msg_size, "attributes are missing from this offering");
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
            ict_say(msg, msg_size,
                    "a cohort of %" PRId64 " delegate%s is below this "
                    "programme's minimum of %" PRId64 "; request between "
                    "%" PRId64 " and %" PRId64 " delegates",
                    q, ict_plural(q), a->cohort_min, a->cohort_min,
                    a->cohort_max);
            return FGCAT_ERR_REFUSED;
        }
        if (q > a->cohort_max) {
            ict_say(msg, msg_size,
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
            ict_say(msg, msg_size,
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
            ict_say(msg, msg_size,
                    "%" PRId64 " days is longer than this offering's "
                    "%" PRId64 " day%s; request between 1 and %" PRId64
                    " day%s",
                    q, offering->duration_days,
                    ict_plural(offering->duration_days),
                    offering->duration_days,
                    ict_plural(offering->duration_days));
            return FGCAT_ERR_REFUSED;
        }
        return FGCAT_OK;
    }
    ict_say(msg, msg_size,
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
        if (ict_date_after(request->today, ICT_MAX_LEAD_DAYS, bound,
                           sizeof bound))
            ict_say(msg, msg_size,
                    "start %s is %" PRId64 " days away; bookings open at most "
                    "%d days ahead, so start on or before %s",
                    request->start, lead, ICT_MAX_LEAD_DAYS, bound);
        else
            ict_say(msg, msg_size,
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
                 ict_plural(lead));
    if (!ict_date_after(request->today, a->lead_time_days, bound, sizeof bound))
        ict_say(msg, msg_size,
                "start %s %s; this programme needs at least %" PRId64
                " days' notice",
                request->start, when, a->lead_time_days);
    else if (a->lead_time_days == 0)
        ict_say(msg, msg_size, "start %s %s; start on or after %s",
                request->start, when, bound);
    else
        ict_say(msg, msg_size,
                "start %s %s; this programme needs at least %" PRId64
                " days' notice, so start on or after %s",
                request->start, when, a->lead_time_days, bound);
    return FGCAT_ERR_REFUSED;
}

/*
 * Validates a request against the offering's rules (quantity for the price
 * unit, then the start date) and prices it: unit price x quantity, with
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
        ict_say(msg, msg_size, "the host passed structures older than ABI "
                               "1.0");
        return FGCAT_ERR_FAILED;
    }
    rc = ict_read_attrs(host, offering->attributes, &a, msg, msg_size);
    if (rc != FGCAT_OK)
        return rc;

    q = request->quantity;
    if (q < 1) {
        ict_say(msg, msg_size, "quantity must be at least 1, not %" PRId64, q);
        return FGCAT_ERR_INVALID;
    }
    rc = ict_check_quantity(offering, &a, q, msg, msg_size);
    if (rc != FGCAT_OK)
        return rc;
    rc = ict_check_start(request, &a, msg, msg_size);
    if (rc != FGCAT_OK)
        return rc;

    if (offering->price_pence < 0) {
        ict_say(msg, msg_size, "this offering has a negative price");
        return FGCAT_ERR_INVALID;
    }
    if (offering->price_pence > 0 && q > INT64_MAX / offering->price_pence) {
        ict_say(msg, msg_size,
                "a quantity of %" PRId64 " would make the price too large to "
                "quote; ask for fewer",
                q);
        return FGCAT_ERR_REFUSED;
    }
    total = offering->price_pence * q;
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
    .init = ict_init,
    .register_offerings = ict_register_offerings,
    .validate_offering = ict_validate_offering,
    .quote_request = ict_quote_request,
    .shutdown = NULL,
};

/* The plugin's one exported symbol: its constant descriptor. */
FGCAT_EXPORT const fgcat_plugin *fgcat_plugin_entry(void)
{
    return &ict_plugin;
}
