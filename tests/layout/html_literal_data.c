/* Must not compile: data passed to the raw-markup call. */
#include "web/web.h"

void markup(html_buf *b, const char *data);
void markup(html_buf *b, const char *data)
{
    html_raw(b, data);
}
