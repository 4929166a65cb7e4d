/*
 * extra-export — a broken test plugin: a valid plugin (area "extra-export",
 * one valid offering "XEX/shared-helper-course") that also exports a
 * second function, extra_export_helper, as an author who forgot `static`
 * or hidden visibility would.  `fgcat plugins` loads it with a warning;
 * `fgcat plugins check` refuses it (exit 4), naming the symbol.
 */
#include "common.h"

#include <string.h>

#define AREA "extra-export"

/* The stray export: nothing in fgcat calls it. */
FGCAT_EXPORT int extra_export_helper(int x);

FGCAT_EXPORT int extra_export_helper(int x)
{
    return x + 1;
}

static int reg_one(const fgcat_host_api *host, void *state, fgcat_registrar *reg)
{
    static const char *const regions[] = {"England", NULL};
    static const char *const tags[] = {"test", NULL};
    fgcat_offering o;

    (void)state;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.id = "XEX/shared-helper-course";
    o.area = AREA;
    o.provider_ods = "XEX";
    o.provider_name = "Extra Export NHS Trust";
    o.title = "A course from a plugin with a stray export";
    o.summary = "A valid offering; only the plugin's exports are wrong.";
    o.delivery = "remote";
    o.price_pence = (int64_t)extra_export_helper(4999);
    o.price_unit = "per-delegate";
    o.regions = regions;
    o.tags = tags;
    o.contact = "xex@example.nhs.uk";
    return host->add_offering(reg, &o);
}

TP_PLUGIN(AREA, .register_offerings = reg_one)
