/*
 * dup-area — a broken test plugin: otherwise valid, it claims the area "test-area",
 * which the test-area plugin owns.  Loaded after test-area it must be refused
 * naming test-area's file; loaded alone it loads.
 */
#include "common.h"

TP_PLUGIN("dup-area", .areas = (const char *const[]){"test-area", NULL})
