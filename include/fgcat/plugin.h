/*
 * fgcat plugin SDK — the whole of it.
 *
 * A plugin is a shared object that owns one or more *service areas* of the
 * fgcat catalogue.  It exports exactly one symbol, fgcat_plugin_entry(),
 * which returns a pointer to a constant descriptor (struct fgcat_plugin).
 * Everything else the plugin needs from fgcat reaches it through the host
 * API table (struct fgcat_host_api) passed to every callback, so a plugin
 * links against nothing of fgcat: build it with
 *
 *     cc -shared -fPIC -fvisibility=hidden $(pkg-config --cflags fgcat-plugin) \
 *        -o my-area.so my-area.c
 *
 * Versioning (see docs/plugin-guide.md for the full rules):
 *   - FGCAT_ABI_MAJOR changes when an existing field, callback or host
 *     function changes meaning, type or position.  The host refuses a plugin
 *     built for another major.
 *   - FGCAT_ABI_MINOR changes when something is appended: a field at the end
 *     of a struct, a function at the end of the host table.  The host refuses
 *     a plugin built for a newer minor than its own, and serves every older
 *     minor of the same major.
 *   - Every struct that crosses the boundary starts with `struct_size`, set by
 *     whoever fills the struct to sizeof() as *they* were compiled.  A reader
 *     only looks at fields that lie entirely within struct_size; anything
 *     beyond it reads as zero/NULL.  Use FGCAT_HAS_FIELD() to test.
 *
 * Ownership, in one rule: nothing crosses the boundary by transfer.
 *   - Pointers the plugin hands to the host (descriptor, strings in an
 *     offering it adds) are borrowed by the host only for the duration of the
 *     call, except the descriptor and the strings it points to, which must
 *     stay valid until the process exits (plugins are never unloaded).
 *   - Pointers the host hands to the plugin (offering, request, attribute
 *     handles, strings returned by attr_string) are valid only until the
 *     callback that received them returns.  Copy what you want to keep.
 *   - Message buffers (`msg`, `msg_size`) are owned by the host; write at most
 *     msg_size bytes including the terminating NUL (snprintf does this).
 *
 * Threading: the host calls a plugin's callbacks from one thread at a time.
 * A plugin may keep state in the pointer its init callback returns; it needs
 * no locking of its own unless it starts threads itself.
 *
 * Messages: a callback that refuses something writes one sentence into
 * `msg` (no trailing newline, no "fgcat:" prefix); fgcat shows it to the user
 * verbatim, prefixed with what was refused.
 */
#ifndef FGCAT_PLUGIN_H
#define FGCAT_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI this header describes. */
#define FGCAT_ABI_MAJOR 1
#define FGCAT_ABI_MINOR 1

/* The one symbol a plugin exports. */
#define FGCAT_PLUGIN_ENTRY_SYMBOL "fgcat_plugin_entry"

/* Marks the entry point as exported when building with -fvisibility=hidden. */
#if defined(__GNUC__) || defined(__clang__)
#define FGCAT_EXPORT __attribute__((visibility("default")))
#else
#define FGCAT_EXPORT
#endif

/*
 * True when a size-stamped struct `s` (pointer) carries `field`.  Fields
 * are only ever appended whole and struct_size is a sizeof(), so a field
 * that starts within struct_size lies entirely within it.  Fields outside
 * read as zero/NULL.
 */
#define FGCAT_HAS_FIELD(s, type, field) ((s)->struct_size > offsetof(type, field))

/* Status codes returned by callbacks and host functions. */
typedef enum fgcat_status {
    FGCAT_OK = 0,            /* done */
    FGCAT_ERR_INVALID = 1,   /* the input is malformed (bad field, bad value) */
    FGCAT_ERR_REFUSED = 2,   /* well-formed but refused by an area rule */
    FGCAT_ERR_FAILED = 3,    /* the plugin or host could not do its work */
    FGCAT_ERR_NOT_FOUND = 4, /* attr_*: no such key */
    FGCAT_ERR_TYPE = 5       /* attr_*: the key holds another JSON type */
} fgcat_status;

/* Log levels for fgcat_host_api.log. */
typedef enum fgcat_log_level {
    FGCAT_LOG_ERROR = 0,
    FGCAT_LOG_WARN = 1,
    FGCAT_LOG_INFO = 2,
    FGCAT_LOG_DEBUG = 3
} fgcat_log_level;

/*
 * An offering's area-specific `attributes` object, opaque to the plugin.
 * Read it with the attr_* functions of the host API.  Borrowed: valid until
 * the callback that received it returns.
 */
typedef struct fgcat_attrs fgcat_attrs;

/*
 * The host's collector during register_offerings.  Opaque; pass it back to
 * host->add_offering.  Borrowed: valid until register_offerings returns.
 */
typedef struct fgcat_registrar fgcat_registrar;

/*
 * One offering, as plain C (the JSON form is docs/offering-format.md).
 *
 * Plugin → host (add_offering): the plugin fills it, usually as a static or
 * stack value; every string is borrowed by the host for the duration of the
 * call only.  `attributes` and `status` are ignored: attributes are given as
 * JSON text in `attributes_json`, and a registered offering is active.
 *
 * Host → plugin (validate_offering, quote_request): the host fills every
 * field; all pointers are borrowed until the callback returns.
 */
typedef struct fgcat_offering {
    size_t struct_size;        /* sizeof(fgcat_offering) as compiled by the filler */
    const char *id;            /* "<provider ods>/<slug>", slug [a-z0-9-]{1,64} */
    const char *area;          /* one of the plugin's own areas */
    const char *provider_ods;  /* ODS code, [A-Z0-9]{3,5} */
    const char *provider_name; /* e.g. "Northumbria Healthcare NHS Foundation Trust" */
    const char *title;         /* one line, at most 200 bytes */
    const char *summary;       /* at most 1,000 bytes */
    const char *description;   /* at most 20,000 bytes; may be NULL (empty) */
    const char *delivery;      /* "on-site", "remote" or "blended" */
    int64_t duration_days;     /* length of one engagement in days; 0 = not stated */
    int64_t capacity;          /* concurrent accepted requests; 0 = unlimited */
    int64_t price_pence;       /* price per unit, in pence (minor units), >= 0 */
    const char *currency;      /* ISO 4217, e.g. "GBP"; NULL = "GBP" */
    const char *price_unit;    /* "fixed", "per-delegate", "per-day" or "per-bed" */
    const char *const *regions; /* NULL-terminated list, or NULL for none */
    const char *const *tags;    /* NULL-terminated list of [a-z0-9-] tags, or NULL */
    const char *contact;       /* e-mail address for enquiries */
    const char *attributes_json; /* plugin → host: JSON object text, NULL = "{}" */
    const fgcat_attrs *attributes; /* host → plugin: the parsed attributes */
    const char *status;        /* host → plugin: "active" or "withdrawn" */
} fgcat_offering;

/*
 * A member trust's request for an offering, host → plugin.
 * Every pointer is borrowed until quote_request returns.
 */
typedef struct fgcat_request {
    size_t struct_size;
    const char *requester_ods; /* the requesting organisation's ODS code */
    const char *contact;       /* contact e-mail, or NULL */
    int64_t quantity;          /* >= 1; its unit is the offering's price_unit
                                  (delegates, days, beds; engagements for fixed) */
    const char *start;         /* preferred start "YYYY-MM-DD", or NULL */
    int64_t lead_days;         /* days from `today` to `start`; 0 when start is NULL */
    const char *today;         /* the host's date (UTC) "YYYY-MM-DD" */
    const char *note;          /* free text, or NULL */
} fgcat_request;

/*
 * The price the plugin quotes for a request.  The host fills it before the
 * call with struct_size, currency = the offering's currency and
 * amount_pence = price_pence * quantity; the plugin overwrites what its
 * area's pricing rule says.
 */
typedef struct fgcat_quote {
    size_t struct_size;
    int64_t amount_pence; /* total, in pence, >= 0 */
    char currency[4];     /* ISO 4217 code, NUL-terminated */
} fgcat_quote;

/*
 * The host API: a table of function pointers, append-only within a major
 * version (new functions go at the end and bump the minor).  Borrowed: valid
 * until the process exits.  Check FGCAT_HAS_FIELD(host, fgcat_host_api, fn)
 * before calling a function added after the minor you require.
 */
typedef struct fgcat_host_api {
    size_t struct_size;
    uint32_t abi_major;       /* the host's ABI */
    uint32_t abi_minor;
    const char *host_version; /* fgcat's version string */

    /*
     * Adds one offering during register_offerings.  The host validates it
     * (the offering format's rules, then the plugin's validate_offering) and copies it.  Returns
     * FGCAT_OK, or FGCAT_ERR_INVALID when the offering is refused; the host
     * records why and the plugin is refused after register_offerings returns.
     * Adding the same id twice is FGCAT_ERR_INVALID.
     */
    int (*add_offering)(fgcat_registrar *reg, const fgcat_offering *offering);

    /*
     * Attribute readers.  Each returns FGCAT_OK and sets *out, or
     * FGCAT_ERR_NOT_FOUND when the key is absent (or null), or FGCAT_ERR_TYPE
     * when it holds another type.  attr_int accepts JSON integers only;
     * attr_bool JSON true/false only.  Strings from attr_string are borrowed
     * until the callback returns.
     */
    int (*attr_int)(const fgcat_attrs *attrs, const char *key, int64_t *out);
    int (*attr_string)(const fgcat_attrs *attrs, const char *key, const char **out);
    int (*attr_bool)(const fgcat_attrs *attrs, const char *key, int *out);

    /* Number of keys in the attributes object, and the key at `index`
       (in the object's order; NULL past the end).  For refusing unknown keys. */
    size_t (*attr_count)(const fgcat_attrs *attrs);
    const char *(*attr_key)(const fgcat_attrs *attrs, size_t index);

    /* Logs one line on the host's log, attributed to the plugin. */
    void (*log)(const char *plugin_name, int level, const char *message);

    /* ---- ABI 1.1 (check FGCAT_HAS_FIELD before calling) ---- */

    /*
     * Adds the offerings in `json_text` during register_offerings, as if
     * each were given to add_offering.  The text is one offering object or
     * an array of them, each in the JSON form `fgcat export` prints (rev,
     * updated_at and withdrawn_at are ignored; status, when given, must be
     * "active").  `source` names the text in messages (a file name; NULL
     * reads as "JSON text").  Both are borrowed for the call.  Returns
     * FGCAT_OK when every offering was added, else FGCAT_ERR_INVALID; the
     * host records each refusal as "SOURCE: offering 'ID': field ...", or
     * "SOURCE: line L, column C: ..." for text that is not JSON, and the
     * plugin is refused after register_offerings returns.
     */
    int (*add_offerings_json)(fgcat_registrar *reg, const char *json_text,
                              const char *source);

    /*
     * Reads the file `name` (a plain file name, no "/") from the plugin's
     * data directory and adds its offerings as add_offerings_json does,
     * naming the file in every message.  A missing or unreadable file is
     * FGCAT_ERR_INVALID with that reason recorded.  `name` is borrowed.
     */
    int (*add_offerings_file)(fgcat_registrar *reg, const char *name);

    /*
     * The plugin's data directory: beside the plugin file (symlinks
     * followed), named as the file without ".so"
     * (".../plugins/productivity.so" has ".../plugins/productivity/").
     * Borrowed: valid until
     * register_offerings returns.  The directory need not exist.
     */
    const char *(*data_dir)(const fgcat_registrar *reg);
} fgcat_host_api;

/*
 * ABI 1.1: human labels for an attribute of an area, read by the host for
 * `fgcat show`, `fgcat areas` and the hub's pages.  Static data of the
 * plugin: it and its strings must stay valid until the process exits.
 */
typedef struct fgcat_attr_label {
    size_t struct_size;      /* sizeof(fgcat_attr_label) as compiled by the plugin */
    const char *key;         /* the attribute, e.g. "cohort_min" */
    const char *label;       /* e.g. "Minimum cohort size"; at most 80 bytes */
    const char *unit;        /* e.g. "delegates"; NULL when the value has none */
    const char *description; /* one sentence, or NULL; at most 500 bytes */
} fgcat_attr_label;

/* ABI 1.1: a human label for one of the plugin's areas.  Static, as above. */
typedef struct fgcat_area_label {
    size_t struct_size;      /* sizeof(fgcat_area_label) as compiled by the plugin */
    const char *area;        /* one of the descriptor's areas */
    const char *label;       /* e.g. "Integrated-care training"; at most 80 bytes */
    const char *description; /* one sentence, or NULL; at most 500 bytes */
    const fgcat_attr_label *const *attributes; /* NULL-terminated, or NULL */
} fgcat_area_label;

/*
 * The plugin descriptor.  Returned by fgcat_plugin_entry(); must stay valid
 * (and unchanged) until the process exits, with every string it points to.
 * Start it with FGCAT_PLUGIN_HEADER.
 */
typedef struct fgcat_plugin {
    size_t struct_size; /* sizeof(fgcat_plugin) as compiled by the plugin */
    uint32_t abi_major; /* FGCAT_ABI_MAJOR the plugin was built with */
    uint32_t abi_minor; /* FGCAT_ABI_MINOR the plugin was built with */
    const char *name;   /* plugin name, [a-z0-9-]{1,40}; unique among loaded plugins */
    const char *version; /* the plugin's own version, e.g. "1.2.0" */
    const char *description; /* one line for `fgcat plugins` */
    const char *const *areas; /* NULL-terminated list of area names it owns
                                 ([a-z0-9-]{1,40}); at least one */

    /*
     * Optional.  Called once after loading.  May set *state to anything the
     * plugin wants handed back to its other callbacks (NULL by default).
     * Return FGCAT_OK, or an error with a sentence in msg: the plugin is then
     * refused and none of its other callbacks is called.
     */
    int (*init)(const fgcat_host_api *host, void **state, char *msg, size_t msg_size);

    /*
     * Required.  Adds every offering the plugin currently provides with
     * host->add_offering(reg, ...).  Called on a new catalogue and on every
     * `fgcat refresh`; offerings it no longer adds are marked withdrawn.
     * Return FGCAT_OK, or an error to abandon this registration (the
     * catalogue then keeps the plugin's previous offerings unchanged).
     */
    int (*register_offerings)(const fgcat_host_api *host, void *state,
                              fgcat_registrar *reg);

    /*
     * Optional.  Checks an offering of one of the plugin's areas, chiefly its
     * attributes (which keys are required, their types and ranges).  Called
     * for the plugin's own registrations and for offerings of its areas that
     * arrive by import or sync.  Return FGCAT_OK, or FGCAT_ERR_INVALID with a
     * sentence naming the attribute in msg.  NULL accepts every offering
     * that passes fgcat's own checks.
     */
    int (*validate_offering)(const fgcat_host_api *host, void *state,
                             const fgcat_offering *offering, char *msg,
                             size_t msg_size);

    /*
     * Required.  Checks a request against the area's rules (cohort size,
     * lead time, beds, ...) and prices it.  `quote` arrives pre-filled (see
     * struct fgcat_quote).  Return FGCAT_OK, or FGCAT_ERR_REFUSED /
     * FGCAT_ERR_INVALID with a sentence in msg that tells the requester what
     * would be accepted.
     */
    int (*quote_request)(const fgcat_host_api *host, void *state,
                         const fgcat_offering *offering,
                         const fgcat_request *request, fgcat_quote *quote,
                         char *msg, size_t msg_size);

    /* Optional.  Called once before the process exits; the object stays
       mapped afterwards (plugins are never unloaded). */
    void (*shutdown)(const fgcat_host_api *host, void *state);

    /* ---- ABI 1.1 ---- */

    /* Optional.  Labels for the plugin's areas and their attributes,
       NULL-terminated; an area without an entry shows its name.  Static:
       valid, with everything it points to, until the process exits. */
    const fgcat_area_label *const *area_labels;
} fgcat_plugin;

/* Designated-initializer prefix for a descriptor built against this header. */
#define FGCAT_PLUGIN_HEADER                                                    \
    .struct_size = sizeof(fgcat_plugin), .abi_major = FGCAT_ABI_MAJOR,          \
    .abi_minor = FGCAT_ABI_MINOR

/* The entry point's type, and its declaration: a plugin defines it once. */
typedef const fgcat_plugin *(*fgcat_plugin_entry_fn)(void);
FGCAT_EXPORT const fgcat_plugin *fgcat_plugin_entry(void);

#ifdef __cplusplus
}
#endif

#endif /* FGCAT_PLUGIN_H */
