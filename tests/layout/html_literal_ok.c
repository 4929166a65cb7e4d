/* Compiles: markup from string literals (the control for html_literal_data.c). */
#include "web/web.h"

void markup(html_buf *b, int flag);
void markup(html_buf *b, int flag)
{
    html_raw(b, "<p>");
    html_put(b, flag ? HTML("<b>") : HTML("<i>"));
    html_int(b, 42);
}
