/*
 * The hub's browser catalogue.  (Pages are added in a later commit; until
 * then every non-API path is "not found".)
 */
#include "hub.h"

bool hub_html_route(hub_call *call, hub_reply *r)
{
    (void)call;
    (void)r;
    return false;
}
