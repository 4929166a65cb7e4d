/*
 * no-quote — a broken test plugin: its quote_request callback, which is required, is
 * NULL.
 */
#include "common.h"

TP_PLUGIN("no-quote", .quote_request = NULL)
