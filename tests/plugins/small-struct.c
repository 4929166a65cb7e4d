/*
 * small-struct — a broken test plugin: its descriptor claims struct_size 16, smaller than
 * any ABI 1.x descriptor.  The host must refuse it without reading past it.
 */
#include "common.h"

TP_PLUGIN("small-struct", .struct_size = 16)
