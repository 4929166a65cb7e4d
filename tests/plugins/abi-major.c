/*
 * abi-major — a broken test plugin: built for ABI major 2.  The host must refuse it
 * naming both versions (2.0 and its own) before reading anything else.
 */
#include "common.h"

TP_PLUGIN("abi-major", .abi_major = FGCAT_ABI_MAJOR + 1, .abi_minor = 0)
