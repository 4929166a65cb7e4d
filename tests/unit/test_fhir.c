/*
 * Unit tests of FHIR R4 (catalog/fhir.c, fhir_search.c): resource ids,
 * the HealthcareService of an offering, the Bundle, reading a Bundle back,
 * and the offering id of a HealthcareService id, shortened ones included.
 * (Validation against the R4 definitions is tests/fhir/, with an
 * independent validator.)
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef tu_fixture fixture;

#define LONG_SLUG "a-slug-of-sixty-four-characters-which-is-the-most-that-ids-allow"

static void resource_ids(void **state)
{
    char id[CAT_FHIR_ID_SIZE], again[CAT_FHIR_ID_SIZE];
    (void)state;
    cat_fhir_id("RTF/integrated-care-community-nursing", id);
    assert_string_equal(id, "RTF.integrated-care-community-nursing");
    assert_int_equal(strlen(LONG_SLUG), 64);
    cat_fhir_id("RTF/" LONG_SLUG, id);
    assert_int_equal(strlen(id), 64);
    assert_null(strchr(id, '/'));
    assert_memory_equal(id, "RTF.a-slug-of", 13);
    cat_fhir_id("RTF/" LONG_SLUG, again);
    assert_string_equal(id, again); /* stable */
    cat_fhir_id("RTX/" LONG_SLUG, again);
    assert_string_not_equal(id, again);
}

static void service_of_an_offering(void **state)
{
    json_t *o = tu_spec_example(), *hs, *price;
    (void)state;
    hs = cat_fhir_service(o);
    assert_string_equal(json_string_value(json_object_get(hs, "resourceType")),
                        "HealthcareService");
    assert_string_equal(json_string_value(json_object_get(hs, "name")),
                        "Integrated care for community nursing teams");
    assert_true(json_is_true(json_object_get(hs, "active")));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(hs, "providedBy"), "reference")),
        "Organization/RTF");
    assert_string_equal(json_string_value(json_object_get(json_object_get(hs, "meta"),
                                                          "versionId")),
                        "3");
    price = json_object_get(json_array_get(json_object_get(hs, "extension"), 0), "extension");
    assert_true(json_real_value(json_object_get(
                    json_object_get(json_array_get(price, 0), "valueMoney"), "value")) ==
                1850.0);
    json_decref(hs);
    json_object_set_new(o, "status", json_string("withdrawn"));
    json_object_set_new(o, "description", json_string(""));
    hs = cat_fhir_service(o);
    assert_true(json_is_false(json_object_get(hs, "active")));
    assert_null(json_object_get(hs, "extraDetails")); /* FHIR has no empty strings */
    json_decref(hs);
    json_decref(o);
}

static void bundle_round_trip(void **state)
{
    fixture *f = *state;
    json_t *o = tu_spec_example(), *arr, *bundle, *got;
    cat_import_report rep;
    fg_error err;
    char *text;
    json_object_set_new(o, "id", json_string("RTF/" LONG_SLUG));
    arr = json_pack("[o]", o);
    bundle = cat_fhir_bundle("collection", arr, NULL, NULL);
    assert_int_equal(json_array_size(json_object_get(bundle, "entry")), 2);
    text = json_dumps(bundle, JSON_COMPACT);
    assert_true(cat_fhir_is_bundle(text, strlen(text)));
    assert_false(cat_fhir_is_bundle("[]", 2));
    assert_int_equal(cat_import_fhir(f->cat, f->rt, text, strlen(text), "b.json", &rep, &err),
                     FG_OK);
    assert_int_equal(rep.added, 1);
    assert_int_equal(cat_offering_get(f->cat, "RTF/" LONG_SLUG, &got, &err), FG_OK);
    assert_true(json_equal(got, json_array_get(arr, 0)));
    json_decref(got);
    {
        char fid[CAT_FHIR_ID_SIZE], back[128];
        cat_fhir_id("RTF/" LONG_SLUG, fid);
        assert_int_equal(cat_fhir_offering_id(f->cat, fid, back, sizeof back, &err), FG_OK);
        assert_string_equal(back, "RTF/" LONG_SLUG);
        assert_int_equal(cat_fhir_offering_id(f->cat, "RTF.other", back, sizeof back, &err),
                         FG_OK); /* a plain id maps whether or not it exists */
        assert_string_equal(back, "RTF/other");
        assert_int_equal(cat_fhir_offering_id(f->cat, "nodot", back, sizeof back, &err),
                         FG_ENOTFOUND);
    }
    free(text);
    json_decref(bundle);
    json_decref(arr);
}

static void bad_bundles(void **state)
{
    fixture *f = *state;
    cat_import_report rep;
    fg_error err;
    static const char *const cases[][2] = {
        {"{\"resourceType\": \"Patient\"}", "expected a FHIR Bundle"},
        {"{\"resourceType\": \"Bundle\", \"entry\": {}}", "Bundle.entry must be an array"},
        {"{\"resourceType\": \"Bundle\", \"entry\": [1]}", "entry 1 has no resource"},
        {"{\"resourceType\": \"Bundle\", \"entry\": [{\"resource\": {\"resourceType\":"
         " \"HealthcareService\", \"id\": \"x\", \"extension\": [{\"url\": "
         "\"" CAT_FHIR_BASE "/StructureDefinition/price\", \"extension\": [{\"url\": "
         "\"amount\", \"valueMoney\": {\"value\": 1.005}}]}]}}]}",
         "entry 1 (HealthcareService x): the price extension's amount must be pounds"},
        {"{\"resourceType\": \"Bundle\"", "b.json: line 1, column"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(cat_import_fhir(f->cat, f->rt, cases[i][0], strlen(cases[i][0]),
                                         "b.json", &rep, &err),
                         FG_EINVAL);
        tu_assert_contains(err.msg, cases[i][1]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(resource_ids),
        cmocka_unit_test(service_of_an_offering),
        cmocka_unit_test_setup_teardown(bundle_round_trip, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(bad_bundles, tu_setup, tu_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
