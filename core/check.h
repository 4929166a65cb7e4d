/*
 * Checking plugins: what `fgcat plugins check FILE` and `fgcat plugins`
 * report, as JSON the front end prints.
 *
 * A plugin file is checked as every command runs it, in its worker process,
 * so a plugin that crashes, hangs or prints in any callback is reported
 * rather than taking the caller with it; its dynamic symbol table is read from the file (elfsyms.c), so a plugin
 * that exports more than its entry point is named.
 */
#ifndef RT_CHECK_H
#define RT_CHECK_H

#include <jansson.h>

#include "runtime.h"
#include "status.h"

/* Validates the offerings `p` registers, without a catalogue: FG_OK with
   their count in *n (and, with `offerings`, the valid ones in a new
   array), or a refusal with the first problem in `err` (every problem also
   in p->problems).  The catalogue library provides it
   (cat_check_plugin_offerings). */
typedef fg_status (*rt_offerings_check)(rt_runtime *rt, rt_plugin *p, size_t *n,
                                        json_t **offerings, fg_error *err);

/*
 * Checks the plugin file `path` as it would load beside the plugins of
 * `plugin_path` (which are loaded first, so a name or area one of them
 * has is a refusal), with `check` (may be NULL) validating its offerings,
 * then quote_request on sample requests for each valid offering; each call
 * is limited to `timeout_s` seconds (0: the runtime's default).  *report
 * is a new object: the plugin as rt_plugin_json shows it, "state" "loaded"
 * or "refused" with "reason" (the first problem, and how many more), and
 * "problems", a list of {"what", "offering" (refused offerings and failed
 * quotes only), "message"}, "what" one of load, entry, abi, descriptor,
 * conflict, init, crash, timeout, protocol, output, offering, register,
 * quote, exports, elf.  FG_ENOTFOUND when the file cannot be read,
 * FG_EINVAL when it is not a regular file.  Silences the log sink: the
 * caller installs its own again.
 */
fg_status rt_check_file(const char *path, const char *plugin_path, int timeout_s,
                        rt_offerings_check check, json_t **report, fg_error *err);

/* A plugin as `fgcat plugins --json` shows it: {"id", "version", "abi",
   "path", "state" (loaded, refused or failed), "areas", "description"}
   and "offerings" (loaded) or "reason" (refused, failed).  New. */
json_t *rt_plugin_json(const rt_plugin *p, size_t offerings);

/*
 * The warnings about a loaded plugin's exports (a JSON array of strings,
 * new), each also logged.  Extra exports do not refuse a plugin: it loads
 * and works, and only rt_check_file treats them as a problem.
 */
json_t *rt_export_warnings(const rt_plugin *p);

/* A problem of a report as one line: "offering 'ID': MESSAGE" or
   MESSAGE. */
void rt_problem_line(const json_t *problem, char *buf, size_t size);

#endif /* RT_CHECK_H */
