/*
 * Scaffolding shared by the test plugins: a registration that adds nothing,
 * a quote that accepts the host's pre-filled price x quantity, and
 * TP_PLUGIN, which defines a plugin's descriptor and entry point.  Broken
 * plugins differ from a good one in one field each; TP_PLUGIN keeps the
 * rest of their descriptor the same everywhere, so each states only what
 * is broken in it.  Header-only (static inline), like the SDK, so each
 * plugin stays one self-contained shared object.
 */
#ifndef FGCAT_TEST_PLUGINS_COMMON_H
#define FGCAT_TEST_PLUGINS_COMMON_H

#include <fgcat/plugin.h>

/* Registers no offerings. */
static inline int tp_reg_none(const fgcat_host_api *host, void *state, fgcat_registrar *reg)
{
    (void)host;
    (void)state;
    (void)reg;
    return FGCAT_OK;
}

/* Accepts every request at the host's pre-filled price x quantity. */
static inline int tp_quote_list_price(const fgcat_host_api *host, void *state,
                                      const fgcat_offering *offering,
                                      const fgcat_request *request, fgcat_quote *quote,
                                      char *msg, size_t msg_size)
{
    (void)host;
    (void)state;
    (void)offering;
    (void)request;
    (void)quote;
    (void)msg;
    (void)msg_size;
    return FGCAT_OK;
}

/*
 * Defines a test plugin's descriptor and its entry point,
 * fgcat_plugin_entry.  The descriptor is a valid one for the one area NAME:
 * named NAME, version 1.0.0, described as broken on purpose, registering
 * nothing and quoting the host's price.  The designated initialisers after
 * NAME (e.g. `.name = "Bad Name!"`, `.init = my_init`) then replace those
 * fields; C takes the last initialiser of a field, so the warning about a
 * replaced initialiser is silenced for the descriptor alone.
 */
#define TP_PLUGIN(NAME, ...)                                                   \
    static const char *const tp_areas[] = {NAME, NULL};                        \
    _Pragma("GCC diagnostic push")                                             \
    _Pragma("GCC diagnostic ignored \"-Woverride-init\"")                      \
    static const fgcat_plugin tp_descriptor = {                                \
        FGCAT_PLUGIN_HEADER,                                                   \
        .name = NAME,                                                          \
        .version = "1.0.0",                                                    \
        .description = "Broken on purpose: " NAME,                             \
        .areas = tp_areas,                                                     \
        .register_offerings = tp_reg_none,                                     \
        .quote_request = tp_quote_list_price,                                  \
        __VA_ARGS__};                                                          \
    _Pragma("GCC diagnostic pop")                                              \
    FGCAT_EXPORT const fgcat_plugin *fgcat_plugin_entry(void)                  \
    {                                                                          \
        return &tp_descriptor;                                                 \
    }

#endif /* FGCAT_TEST_PLUGINS_COMMON_H */
