/*
 * abi-minor — a broken test plugin: built for an ABI minor newer than the host's
 * (FGCAT_ABI_MINOR + 1).  The host must refuse it naming both versions.
 */
#include "common.h"

TP_PLUGIN("abi-minor", .abi_minor = FGCAT_ABI_MINOR + 1)
