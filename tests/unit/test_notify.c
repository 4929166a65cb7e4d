/*
 * Unit tests of the notification queue (catalog/notify.c) on a real
 * catalogue with the built-in plugins: who is told of each move, that a
 * catalogue without people queues nothing, that a refused move queues
 * nothing, the backoff and giving up, status and retry.
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util.h"

typedef tu_fixture fixture;

#define OFFERING "RTF/integrated-care-community-nursing"

static void add(fixture *f, const char *email, const char *ods, cat_role role)
{
    fg_error err;
    if (cat_person_add(f->cat, email, ods, role, &err) != FG_OK)
        fail_msg("cat_person_add %s: %s", email, err.msg);
}

/* A new request by `person`; its id into `id` (64 bytes). */
static void submit(fixture *f, const char *person, char id[64])
{
    cat_request_in in = {.offering_id = OFFERING,
                         .requester_ods = "RXX",
                         .quantity = 12,
                         .start = tu_date_in(100),
                         .note = "a private note",
                         .person = person};
    json_t *r = NULL;
    fg_error err;
    if (cat_request_create(f->cat, f->rt, &in, &r, &err) != FG_OK)
        fail_msg("cat_request_create: %s", err.msg);
    snprintf(id, 64, "%s", json_string_value(json_object_get(r, "id")));
    json_decref(r);
}

/* The recipients of the due messages, sorted, joined by spaces ("" for
   none), into `out` (512 bytes); *due (new) holds them. */
static void due_to(fixture *f, char out[512], json_t **due)
{
    char now[FG_TIMESTAMP_SIZE];
    json_t *m;
    size_t i;
    fg_error err;

    fg_now_iso(now);
    assert_int_equal(cat_notify_due(f->cat, now, 100, due, &err), FG_OK);
    out[0] = '\0';
    json_array_foreach(*due, i, m) {
        if (i)
            strncat(out, " ", 511 - strlen(out));
        strncat(out, json_string_value(json_object_get(m, "recipient")), 511 - strlen(out));
    }
}

/* Marks every due message sent. */
static void send_all(fixture *f)
{
    char now[FG_TIMESTAMP_SIZE];
    json_t *due = NULL, *m;
    size_t i;
    fg_error err;

    fg_now_iso(now);
    assert_int_equal(cat_notify_due(f->cat, now, 100, &due, &err), FG_OK);
    json_array_foreach(due, i, m)
        assert_int_equal(cat_notify_sent(f->cat, json_integer_value(json_object_get(m, "id")),
                                         now, &err),
                         FG_OK);
    json_decref(due);
}

static void test_no_people_no_mail(void **state)
{
    fixture *f = *state;
    char id[64];
    submit(f, NULL, id);
    submit(f, "someone@rxx.nhs.uk", id);
    assert_int_equal(tu_sql_int(f->cat, "SELECT count(*) FROM notification"), 0);
}

static void test_recipients(void **state)
{
    fixture *f = *state;
    char id[64], to[512];
    json_t *due = NULL, *m;
    fg_error err;

    add(f, "ann@rtf.nhs.uk", "RTF", CAT_ROLE_APPROVER);
    add(f, "ade@rtf.nhs.uk", "RTF", CAT_ROLE_ADMIN);
    add(f, "rob@rtf.nhs.uk", "RTF", CAT_ROLE_REQUESTER);
    add(f, "bea@rxx.nhs.uk", "RXX", CAT_ROLE_REQUESTER);
    add(f, "bob@rxx.nhs.uk", "RXX", CAT_ROLE_APPROVER);
    assert_int_equal(cat_meta_set(f->cat, CAT_SETTING_HUB_URL, "https://hub.example", &err),
                     FG_OK);

    submit(f, "bea@rxx.nhs.uk", id);
    due_to(f, to, &due);
    assert_string_equal(to, "ade@rtf.nhs.uk ann@rtf.nhs.uk");
    m = json_array_get(due, 0);
    tu_assert_contains(json_string_value(json_object_get(m, "subject")), ": submitted");
    tu_assert_contains(json_string_value(json_object_get(m, "body")),
                       "See the request: https://hub.example/requests/");
    tu_assert_contains(json_string_value(json_object_get(m, "body")), id);
    assert_null(strstr(json_string_value(json_object_get(m, "body")), "private note"));
    json_decref(due);
    send_all(f);

    /* A refused move (a requester may not accept) queues nothing. */
    assert_int_not_equal(cat_request_transition(f->cat, id, CAT_ACCEPT, "RXX",
                                                "bea@rxx.nhs.uk", NULL, NULL, &err),
                         FG_OK);
    due_to(f, to, &due);
    assert_string_equal(to, "");
    json_decref(due);

    assert_int_equal(cat_request_transition(f->cat, id, CAT_ACCEPT, "RTF", "ann@rtf.nhs.uk",
                                            "Dates agreed", NULL, &err),
                     FG_OK);
    due_to(f, to, &due);
    assert_string_equal(to, "bea@rxx.nhs.uk");
    tu_assert_contains(json_string_value(json_object_get(json_array_get(due, 0), "body")),
                       "Reason: Dates agreed");
    json_decref(due);
    send_all(f);

    assert_int_equal(cat_request_transition(f->cat, id, CAT_CANCEL, "RXX", "bea@rxx.nhs.uk",
                                            NULL, NULL, &err),
                     FG_OK);
    due_to(f, to, &due);
    assert_string_equal(to, "ade@rtf.nhs.uk ann@rtf.nhs.uk bea@rxx.nhs.uk");
    json_decref(due);

    /* A request made by nobody known tells nobody of its moves. */
    send_all(f);
    submit(f, NULL, id);
    send_all(f);
    assert_int_equal(cat_request_transition(f->cat, id, CAT_DECLINE, "RTF", NULL, NULL, NULL,
                                            &err),
                     FG_OK);
    due_to(f, to, &due);
    assert_string_equal(to, "");
    json_decref(due);
}

static void test_backoff_give_up_retry(void **state)
{
    fixture *f = *state;
    cat_notify_backoff b = {.first_s = 60, .max_s = 3600, .give_up_s = 86400};
    char id[64], when[FG_TIMESTAMP_SIZE], now[FG_TIMESTAMP_SIZE];
    json_t *due = NULL, *st = NULL, *p;
    int64_t t = (int64_t)time(NULL), mid;
    int n;
    fg_error err;

    add(f, "ann@rtf.nhs.uk", "RTF", CAT_ROLE_APPROVER);
    submit(f, "bea@rxx.nhs.uk", id);
    fg_now_iso(now);
    assert_int_equal(cat_notify_due(f->cat, now, 10, &due, &err), FG_OK);
    assert_int_equal(json_array_size(due), 1);
    mid = json_integer_value(json_object_get(json_array_get(due, 0), "id"));
    json_decref(due);

    /* 60 s, 120 s, 240 s ... up to an hour. */
    for (int i = 0; i < 8; i++)
        assert_int_equal(cat_notify_failed(f->cat, mid, "451 busy", t, &b, &err), FG_OK);
    assert_int_equal(cat_notify_status(f->cat, &st, &err), FG_OK);
    assert_int_equal(json_integer_value(json_object_get(st, "failing")), 1);
    assert_int_equal(json_integer_value(json_object_get(st, "queued")), 0);
    assert_true(json_is_null(json_object_get(st, "hub_url")));
    p = json_array_get(json_object_get(st, "problems"), 0);
    assert_int_equal(json_integer_value(json_object_get(p, "attempts")), 8);
    assert_string_equal(json_string_value(json_object_get(p, "last_error")), "451 busy");
    assert_string_equal(json_string_value(json_object_get(p, "state")), "failing");
    fg_time_iso(t + 3600, when);
    assert_string_equal(json_string_value(json_object_get(p, "next_at")), when);
    json_decref(st);
    /* Not due before then. */
    assert_int_equal(cat_notify_due(f->cat, now, 10, &due, &err), FG_OK);
    assert_int_equal(json_array_size(due), 0);
    json_decref(due);
    fg_time_iso(t + 3600, when);
    assert_int_equal(cat_notify_due(f->cat, when, 10, &due, &err), FG_OK);
    assert_int_equal(json_array_size(due), 1);
    json_decref(due);

    /* Past a day after it was queued: given up, and said so. */
    assert_int_equal(cat_notify_failed(f->cat, mid, "451 still busy", t + (int64_t)2 * 86400, &b, &err),
                     FG_OK);
    fg_time_iso(t + (int64_t)10 * 86400, when);
    assert_int_equal(cat_notify_due(f->cat, when, 10, &due, &err), FG_OK);
    assert_int_equal(json_array_size(due), 0);
    json_decref(due);
    assert_int_equal(cat_notify_status(f->cat, &st, &err), FG_OK);
    assert_int_equal(json_integer_value(json_object_get(st, "given_up")), 1);
    assert_int_equal(json_integer_value(json_object_get(st, "failing")), 0);
    p = json_array_get(json_object_get(st, "problems"), 0);
    assert_string_equal(json_string_value(json_object_get(p, "state")), "given up");
    json_decref(st);

    /* retry makes it due again. */
    assert_int_equal(cat_notify_retry(f->cat, now, &n, &err), FG_OK);
    assert_int_equal(n, 1);
    assert_int_equal(cat_notify_due(f->cat, now, 10, &due, &err), FG_OK);
    assert_int_equal(json_array_size(due), 1);
    json_decref(due);
    send_all(f);
    assert_int_equal(cat_notify_status(f->cat, &st, &err), FG_OK);
    assert_int_equal(json_integer_value(json_object_get(st, "sent")), 1);
    assert_int_equal(json_array_size(json_object_get(st, "problems")), 0);
    json_decref(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_no_people_no_mail, tu_setup_seeded, tu_teardown),
        cmocka_unit_test_setup_teardown(test_recipients, tu_setup_seeded, tu_teardown),
        cmocka_unit_test_setup_teardown(test_backoff_give_up_retry, tu_setup_seeded,
                                        tu_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
