/*
 * Keeps the plugin ABI under watch.  The static assertions below pin the
 * size and every field offset of each public struct and the order of the
 * host table for ABI 1.0 and 1.1 on LP64: moving, removing or inserting a field
 * fails the build.  Appending (with a minor bump) means appending a line
 * here.  The run-time tests check what the host hands to plugins.
 */
#include <stddef.h>
#include <string.h>

#include "testutil.h"
#include "fgcat/plugin.h"

#define AT(type, field, off) _Static_assert(offsetof(type, field) == (off), \
                                            #type "." #field " moved: ABI break")
#define SIZE(type, n) _Static_assert(sizeof(type) == (n), #type " changed size")

_Static_assert(FGCAT_ABI_MAJOR == 1, "ABI major changed: update this test on purpose");

#if __SIZEOF_POINTER__ == 8 && __SIZEOF_SIZE_T__ == 8
AT(fgcat_plugin, struct_size, 0);
AT(fgcat_plugin, abi_major, 8);
AT(fgcat_plugin, abi_minor, 12);
AT(fgcat_plugin, name, 16);
AT(fgcat_plugin, version, 24);
AT(fgcat_plugin, description, 32);
AT(fgcat_plugin, areas, 40);
AT(fgcat_plugin, init, 48);
AT(fgcat_plugin, register_offerings, 56);
AT(fgcat_plugin, validate_offering, 64);
AT(fgcat_plugin, quote_request, 72);
AT(fgcat_plugin, shutdown, 80);
/* ABI 1.1 */
AT(fgcat_plugin, area_labels, 88);
SIZE(fgcat_plugin, 96);

AT(fgcat_host_api, struct_size, 0);
AT(fgcat_host_api, abi_major, 8);
AT(fgcat_host_api, abi_minor, 12);
AT(fgcat_host_api, host_version, 16);
AT(fgcat_host_api, add_offering, 24);
AT(fgcat_host_api, attr_int, 32);
AT(fgcat_host_api, attr_string, 40);
AT(fgcat_host_api, attr_bool, 48);
AT(fgcat_host_api, attr_count, 56);
AT(fgcat_host_api, attr_key, 64);
AT(fgcat_host_api, log, 72);
/* ABI 1.1 */
AT(fgcat_host_api, add_offerings_json, 80);
AT(fgcat_host_api, add_offerings_file, 88);
AT(fgcat_host_api, data_dir, 96);
SIZE(fgcat_host_api, 104);

AT(fgcat_area_label, struct_size, 0);
AT(fgcat_area_label, area, 8);
AT(fgcat_area_label, label, 16);
AT(fgcat_area_label, description, 24);
AT(fgcat_area_label, attributes, 32);
SIZE(fgcat_area_label, 40);

AT(fgcat_attr_label, struct_size, 0);
AT(fgcat_attr_label, key, 8);
AT(fgcat_attr_label, label, 16);
AT(fgcat_attr_label, unit, 24);
AT(fgcat_attr_label, description, 32);
SIZE(fgcat_attr_label, 40);

AT(fgcat_offering, struct_size, 0);
AT(fgcat_offering, id, 8);
AT(fgcat_offering, area, 16);
AT(fgcat_offering, provider_ods, 24);
AT(fgcat_offering, provider_name, 32);
AT(fgcat_offering, title, 40);
AT(fgcat_offering, summary, 48);
AT(fgcat_offering, description, 56);
AT(fgcat_offering, delivery, 64);
AT(fgcat_offering, duration_days, 72);
AT(fgcat_offering, capacity, 80);
AT(fgcat_offering, price_pence, 88);
AT(fgcat_offering, currency, 96);
AT(fgcat_offering, price_unit, 104);
AT(fgcat_offering, regions, 112);
AT(fgcat_offering, tags, 120);
AT(fgcat_offering, contact, 128);
AT(fgcat_offering, attributes_json, 136);
AT(fgcat_offering, attributes, 144);
AT(fgcat_offering, status, 152);
SIZE(fgcat_offering, 160);

AT(fgcat_request, struct_size, 0);
AT(fgcat_request, requester_ods, 8);
AT(fgcat_request, contact, 16);
AT(fgcat_request, quantity, 24);
AT(fgcat_request, start, 32);
AT(fgcat_request, lead_days, 40);
AT(fgcat_request, today, 48);
AT(fgcat_request, note, 56);
SIZE(fgcat_request, 64);

AT(fgcat_quote, struct_size, 0);
AT(fgcat_quote, amount_pence, 8);
AT(fgcat_quote, currency, 16);
SIZE(fgcat_quote, 24);
#else
#error "the ABI layout is pinned for LP64 targets; add this target's layout"
#endif

/* Values cross the boundary too. */
_Static_assert(FGCAT_OK == 0 && FGCAT_ERR_INVALID == 1 && FGCAT_ERR_REFUSED == 2 &&
                   FGCAT_ERR_FAILED == 3 && FGCAT_ERR_NOT_FOUND == 4 && FGCAT_ERR_TYPE == 5,
               "status values changed: ABI break");
_Static_assert(FGCAT_LOG_ERROR == 0 && FGCAT_LOG_WARN == 1 && FGCAT_LOG_INFO == 2 &&
                   FGCAT_LOG_DEBUG == 3,
               "log levels changed: ABI break");

/* The table plugins receive is complete and stamped with this build's ABI. */
static void test_host_table(void **state)
{
    const fgcat_host_api *h = rt_host_api();
    (void)state;
    assert_int_equal(h->struct_size, sizeof(fgcat_host_api));
    assert_int_equal(h->abi_major, FGCAT_ABI_MAJOR);
    assert_int_equal(h->abi_minor, FGCAT_ABI_MINOR);
    assert_non_null(h->host_version);
    assert_non_null(h->add_offering);
    assert_non_null(h->attr_int);
    assert_non_null(h->attr_string);
    assert_non_null(h->attr_bool);
    assert_non_null(h->attr_count);
    assert_non_null(h->attr_key);
    assert_non_null(h->log);
    assert_true(FGCAT_HAS_FIELD(h, fgcat_host_api, log));
}

/* FGCAT_HAS_FIELD treats fields past struct_size as absent: what a host
   relies on when an older plugin hands it a shorter struct. */
static void test_has_field(void **state)
{
    fgcat_offering o;
    (void)state;
    memset(&o, 0, sizeof o);
    o.struct_size = offsetof(fgcat_offering, attributes_json);
    assert_true(FGCAT_HAS_FIELD(&o, fgcat_offering, contact));
    assert_false(FGCAT_HAS_FIELD(&o, fgcat_offering, attributes_json));
    o.struct_size = sizeof o;
    assert_true(FGCAT_HAS_FIELD(&o, fgcat_offering, status));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_host_table),
        cmocka_unit_test(test_has_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
