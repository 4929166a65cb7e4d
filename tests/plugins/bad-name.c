/*
 * bad-name — a broken test plugin: its name, "Bad Name!", is not [a-z0-9-].
 */
#include "common.h"

TP_PLUGIN("bad-name", .name = "Bad Name!")
