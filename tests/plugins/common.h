/*
 * Scaffolding shared by the test plugins: a registration that adds nothing
 * and a quote that accepts the host's pre-filled price x quantity.  Broken
 * plugins differ from a good one in one field each; these keep the rest of
 * their descriptor the same everywhere.  Header-only (static inline), like
 * the SDK, so each plugin stays one self-contained shared object.
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

#endif /* FGCAT_TEST_PLUGINS_COMMON_H */
