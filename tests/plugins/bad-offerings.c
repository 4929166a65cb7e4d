/*
 * bad-offerings — a broken test plugin: it loads (valid descriptor, area
 * "bad-offerings") but registers two offerings fgcat must refuse:
 * "BAD/by-post-course" with delivery "by-post", and "BAD/hourly-coaching"
 * with price unit "per-hour".  Registration must fail naming the first
 * offering and its field, and counting the other.
 */
#include "common.h"

#include <string.h>

#define AREA "bad-offerings"

/* Fills the fields both offerings share. */
static void base_offering(fgcat_offering *o, const char *id, const char *title)
{
    static const char *const regions[] = {"England", NULL};
    static const char *const tags[] = {"test", NULL};

    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
    o->id = id;
    o->area = AREA;
    o->provider_ods = "BAD";
    o->provider_name = "Badly Configured NHS Trust";
    o->title = title;
    o->summary = "An offering a careless plugin author registered.";
    o->delivery = "remote";
    o->price_pence = 5000;
    o->price_unit = "per-delegate";
    o->regions = regions;
    o->tags = tags;
    o->contact = "bad@example.nhs.uk";
}

static int reg_bad(const fgcat_host_api *host, void *state, fgcat_registrar *reg)
{
    fgcat_offering o;

    (void)state;
    base_offering(&o, "BAD/by-post-course", "Correspondence course sent by post");
    o.delivery = "by-post";
    host->add_offering(reg, &o);
    base_offering(&o, "BAD/hourly-coaching", "Coaching billed by the hour");
    o.price_unit = "per-hour";
    host->add_offering(reg, &o);
    return FGCAT_OK;
}

TP_PLUGIN(AREA, .register_offerings = reg_bad)
