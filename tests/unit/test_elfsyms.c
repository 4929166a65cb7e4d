/*
 * Unit tests of the ELF export reader (core/elfsyms.c) and of what
 * `fgcat plugins check` builds on in the runtime: every problem of a
 * plugin recorded in its ->problems (core/loader.c, core/host.c).
 *
 * The reader is tested against the plugins the test suite builds, against
 * truncated and garbled copies of them that each test writes into its own
 * temporary directory (hostile input: it must refuse them with one clear
 * line, never crash or read out of bounds; run under ASan), and against
 * small ELF32 and ELF64 images built here, which hold the kinds of symbol a
 * compiler rarely emits for a plugin (weak, protected, hidden, TLS, version
 * nodes, unprintable and overlong names).
 *
 * The built plugins are read with this host's <link.h> ElfW types to find
 * the bytes to patch; that trusted parse is the test's, not the reader's.
 * Patched copies that still load also go through the built `fgcat plugins
 * check` (FGCAT_BIN), to see what it makes of the reader's findings.
 */
#define _GNU_SOURCE /* ElfW in <link.h>, mkfifo */
#include "testutil.h"

#include <dirent.h>
#include <elf.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "elfsyms.h"
#include "runtime.h"

/* ---- helpers ---------------------------------------------------------- */

typedef struct fixture {
    char dir[4096];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "%s", tu_tmpdir());
    unsetenv("FGCAT_TEST_OFFERINGS");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    tu_rmtree(f->dir);
    free(f);
    unsetenv("FGCAT_TEST_OFFERINGS");
    return 0;
}

/* `name` in the fixture's directory (static storage, one per slot). */
static const char *tmp_file(const fixture *f, const char *name)
{
    static char paths[4][4200];
    static unsigned next;
    char *buf = paths[next++ % 4];
    snprintf(buf, sizeof paths[0], "%s/%s", f->dir, name);
    return buf;
}

/* The whole of `path`; new.  Fails the test on error. */
static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    unsigned char *buf;
    long size;
    if (!fp)
        fail_msg("cannot open %s", path);
    if (fseek(fp, 0, SEEK_END) != 0 || (size = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET))
        fail_msg("cannot size %s", path);
    buf = malloc((size_t)size + 1);
    assert_non_null(buf);
    if (fread(buf, 1, (size_t)size, fp) != (size_t)size)
        fail_msg("cannot read %s", path);
    fclose(fp);
    *len = (size_t)size;
    return buf;
}

static void spit(const char *path, const void *buf, size_t len)
{
    FILE *fp = fopen(path, "wb");
    if (!fp || fwrite(buf, 1, len, fp) != len || fclose(fp) != 0)
        fail_msg("cannot write %s", path);
}

/* Reads `path`'s exports and fails the test unless that succeeds. */
static void read_ok(const char *path, fg_elf_exports *ex)
{
    fg_error err;
    fg_error_clear(&err);
    if (fg_elf_exports_read(path, ex, &err) != FG_OK)
        fail_msg("%s: %s", path, err.msg);
}

/* Writes `len` bytes of `img` as `name` and checks that reading it fails
   with `want` and a message containing `says`, leaving nothing behind. */
static void expect_refused(const fixture *f, const char *name, const void *img,
                           size_t len, fg_status want, const char *says)
{
    const char *path = tmp_file(f, name);
    fg_elf_exports ex = {(fg_elf_symbol *)&ex, 99};
    fg_error err;
    fg_status st;

    spit(path, img, len);
    fg_error_clear(&err);
    st = fg_elf_exports_read(path, &ex, &err);
    if (st != want)
        fail_msg("%s: status %d (%s), expected %d", name, (int)st, err.msg, (int)want);
    assert_null(ex.syms);
    assert_int_equal(ex.count, 0);
    if (!strstr(err.msg, says))
        fail_msg("%s: expected \"%s\" to contain \"%s\"", name, err.msg, says);
    assert_null(strchr(err.msg, '\n'));
}

/* True when `s` is what fg_elf_symbol promises: printable, bounded. */
static bool printable(const char *s)
{
    if (strlen(s) > 4 * FG_ELF_MAX_NAME + 3)
        return false;
    for (; *s; s++)
        if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
            return false;
    return true;
}

/* ---- where things are in a built plugin (trusted parse) -------------- */

typedef struct layout {
    ElfW(Ehdr) eh;
    size_t dynsym, dynstr; /* section indexes */
    ElfW(Shdr) ds, ss;     /* their headers */
} layout;

static size_t shdr_at(const layout *l, size_t i)
{
    return (size_t)l->eh.e_shoff + i * sizeof(ElfW(Shdr));
}

static layout parse_layout(const unsigned char *img, size_t len)
{
    layout l;
    bool found = false;
    assert_true(len >= sizeof l.eh);
    memcpy(&l.eh, img, sizeof l.eh);
    assert_true(l.eh.e_shoff + (size_t)l.eh.e_shnum * sizeof(ElfW(Shdr)) <= len);
    for (size_t i = 0; i < l.eh.e_shnum; i++) {
        ElfW(Shdr) sh;
        memcpy(&sh, img + shdr_at(&l, i), sizeof sh);
        if (sh.sh_type == SHT_DYNSYM) {
            l.dynsym = i;
            l.ds = sh;
            l.dynstr = sh.sh_link;
            memcpy(&l.ss, img + shdr_at(&l, sh.sh_link), sizeof l.ss);
            found = true;
        }
    }
    assert_true(found);
    return l;
}

/* The file offset of the dynamic symbol named `name`. */
static size_t sym_at(const unsigned char *img, const layout *l, const char *name)
{
    for (size_t off = (size_t)l->ds.sh_offset; off < l->ds.sh_offset + l->ds.sh_size;
         off += sizeof(ElfW(Sym))) {
        ElfW(Sym) s;
        memcpy(&s, img + off, sizeof s);
        if (strcmp((const char *)img + l->ss.sh_offset + s.st_name, name) == 0)
            return off;
    }
    fail_msg("no dynamic symbol %s", name);
    return 0;
}

/* st_info of a symbol bound `b`, of type `t`. */
#define INFO(b, t) ((unsigned char)ELF64_ST_INFO(b, t))

/* Patches the `field` of section header `idx` of `img` to `value`. */
#define PATCH_SHDR(img, l, idx, field, value)                                            \
    do {                                                                                 \
        ElfW(Shdr) sh_;                                                                  \
        memcpy(&sh_, (img) + shdr_at((l), (idx)), sizeof sh_);                           \
        sh_.field = (value);                                                             \
        memcpy((img) + shdr_at((l), (idx)), &sh_, sizeof sh_);                           \
    } while (0)

/* Patches the `field` of the symbol at file offset `off`. */
#define PATCH_SYM(img, off, field, value)                                                \
    do {                                                                                 \
        ElfW(Sym) s_;                                                                    \
        memcpy(&s_, (img) + (off), sizeof s_);                                           \
        s_.field = (value);                                                              \
        memcpy((img) + (off), &s_, sizeof s_);                                           \
    } while (0)

/* ---- the built plugins ------------------------------------------------ */

/* A plugin built with hidden visibility exports its entry point alone. */
static void test_built_plugins(void **state)
{
    fg_elf_exports ex;
    const fg_elf_symbol *s;
    DIR *dh;
    struct dirent *de;
    size_t builtins = 0;
    (void)state;

    read_ok(tu_test_plugin("test-area"), &ex);
    assert_int_equal(ex.count, 1);
    assert_string_equal(ex.syms[0].name, FGCAT_PLUGIN_ENTRY_SYMBOL);
    assert_int_equal(ex.syms[0].type, STT_FUNC);
    assert_int_equal(ex.syms[0].bind, STB_GLOBAL);
    assert_int_equal(ex.syms[0].visibility, STV_DEFAULT);
    assert_ptr_equal(fg_elf_find(&ex, FGCAT_PLUGIN_ENTRY_SYMBOL), &ex.syms[0]);
    assert_null(fg_elf_find(&ex, "test_register")); /* static: not exported */
    fg_elf_exports_close(&ex);
    assert_null(ex.syms);
    assert_int_equal(ex.count, 0);

    /* The stray export of extra-export, and its entry point. */
    read_ok(tu_test_plugin("extra-export"), &ex);
    assert_int_equal(ex.count, 2);
    s = fg_elf_find(&ex, "extra_export_helper");
    assert_non_null(s);
    assert_int_equal(s->type, STT_FUNC);
    s = fg_elf_find(&ex, FGCAT_PLUGIN_ENTRY_SYMBOL);
    assert_non_null(s);
    assert_int_equal(s->type, STT_FUNC);
    fg_elf_exports_close(&ex);

    /* no-entry exports its misnamed entry point instead. */
    read_ok(tu_test_plugin("no-entry"), &ex);
    assert_int_equal(ex.count, 1);
    assert_string_equal(ex.syms[0].name, "fgcat_plugin_main");
    assert_null(fg_elf_find(&ex, FGCAT_PLUGIN_ENTRY_SYMBOL));
    fg_elf_exports_close(&ex);

    /* Every built-in plugin. */
    dh = opendir(FGCAT_BUILTIN_PLUGIN_DIR);
    assert_non_null(dh);
    while ((de = readdir(dh)) != NULL) {
        char path[4200];
        size_t len = strlen(de->d_name);
        if (len <= 3 || strcmp(de->d_name + len - 3, ".so") != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", FGCAT_BUILTIN_PLUGIN_DIR, de->d_name);
        read_ok(path, &ex);
        if (ex.count != 1 || strcmp(ex.syms[0].name, FGCAT_PLUGIN_ENTRY_SYMBOL) != 0)
            fail_msg("%s exports %zu symbols, the first %s", path, ex.count,
                     ex.count ? ex.syms[0].name : "-");
        fg_elf_exports_close(&ex);
        builtins++;
    }
    closedir(dh);
    assert_int_equal(builtins, 4);
}

/* Files that are not ELF shared objects, or not files at all. */
static void test_not_elf(void **state)
{
    fixture *f = *state;
    fg_elf_exports ex = {NULL, 0};
    fg_error err;
    size_t len;
    unsigned char *img = slurp(tu_test_plugin("not-elf"), &len);

    expect_refused(f, "text.so", img, len, FG_EINVAL, "not an ELF file: no ELF magic");
    free(img);
    expect_refused(f, "empty.so", "", 0, FG_EINVAL, "not an ELF file: only 0 bytes");

    assert_int_equal(fg_elf_exports_read(tmp_file(f, "missing.so"), &ex, &err), FG_EIO);
    tu_assert_contains(err.msg, "cannot open it: No such file");
    assert_int_equal(fg_elf_exports_read(f->dir, &ex, &err), FG_EINVAL);
    assert_string_equal(err.msg, "not a regular file");
    /* A FIFO: refused at once, not waited on. */
    assert_int_equal(mkfifo(tmp_file(f, "fifo.so"), 0600), 0);
    assert_int_equal(fg_elf_exports_read(tmp_file(f, "fifo.so"), &ex, &err), FG_EINVAL);
    assert_string_equal(err.msg, "not a regular file");
    assert_null(ex.syms);
}

/* Every prefix of a plugin is refused: the section header table is at the
   end of the file, so no prefix holds all the reader needs. */
static void test_truncated_copies(void **state)
{
    fixture *f = *state;
    size_t len;
    unsigned char *img = slurp(tu_test_plugin("test-area"), &len);
    layout l = parse_layout(img, len);

    assert_true(l.eh.e_shoff + l.eh.e_shnum * sizeof(ElfW(Shdr)) == len);
    for (size_t cut = 0; cut < len; cut += cut < 200 ? 1 : 97) {
        const char *says = cut < EI_NIDENT            ? "only"
                           : cut < sizeof(ElfW(Ehdr)) ? "the ELF header"
                                                      : "the section header table";
        char name[64];
        snprintf(name, sizeof name, "cut-%zu.so", cut);
        expect_refused(f, name, img, cut, FG_EINVAL, says);
        unlink(tmp_file(f, name));
    }
    expect_refused(f, "cut-last.so", img, len - 1, FG_EINVAL, "goes past its end");
    free(img);
}

/* One corruption of a copy of test-area and what the reader must say. */
static void garble(const fixture *f, const unsigned char *orig, size_t len,
                   void (*patch)(unsigned char *img, const layout *l), const char *says)
{
    unsigned char *img = malloc(len);
    layout l;
    assert_non_null(img);
    memcpy(img, orig, len);
    l = parse_layout(img, len);
    patch(img, &l);
    expect_refused(f, "garbled.so", img, len, FG_EINVAL, says);
    free(img);
}

static void p_magic(unsigned char *img, const layout *l)
{
    (void)l;
    img[1] = 'X';
}
static void p_class(unsigned char *img, const layout *l)
{
    (void)l;
    img[EI_CLASS] = 7;
}
static void p_order(unsigned char *img, const layout *l)
{
    (void)l;
    img[EI_DATA] = img[EI_DATA] == ELFDATA2LSB ? ELFDATA2MSB : ELFDATA2LSB;
}
static void p_encoding(unsigned char *img, const layout *l)
{
    (void)l;
    img[EI_DATA] = 9;
}
static void p_version(unsigned char *img, const layout *l)
{
    (void)l;
    img[EI_VERSION] = 0;
}
static void p_exec(unsigned char *img, const layout *l)
{
    ElfW(Ehdr) eh = l->eh;
    eh.e_type = ET_EXEC;
    memcpy(img, &eh, sizeof eh);
}
static void p_no_shoff(unsigned char *img, const layout *l)
{
    ElfW(Ehdr) eh = l->eh;
    eh.e_shoff = 0;
    memcpy(img, &eh, sizeof eh);
}
static void p_huge_shoff(unsigned char *img, const layout *l)
{
    ElfW(Ehdr) eh = l->eh;
    eh.e_shoff = (ElfW(Off)) - 8; /* offset + size would wrap around */
    memcpy(img, &eh, sizeof eh);
}
static void p_shnum_zero(unsigned char *img, const layout *l)
{
    ElfW(Ehdr) eh = l->eh;
    eh.e_shnum = 0;
    memcpy(img, &eh, sizeof eh);
}
static void p_shnum_huge(unsigned char *img, const layout *l)
{
    ElfW(Ehdr) eh = l->eh;
    eh.e_shnum = 0xffff;
    memcpy(img, &eh, sizeof eh);
}
static void p_shentsize(unsigned char *img, const layout *l)
{
    ElfW(Ehdr) eh = l->eh;
    eh.e_shentsize = 10;
    memcpy(img, &eh, sizeof eh);
}
static void p_dynsym_offset(unsigned char *img, const layout *l)
{
    PATCH_SHDR(img, l, l->dynsym, sh_offset, (ElfW(Off)) - 16);
}
static void p_dynsym_size_huge(unsigned char *img, const layout *l)
{
    PATCH_SHDR(img, l, l->dynsym, sh_size, (ElfW(Xword))sizeof(ElfW(Sym)) << 40);
}
static void p_dynsym_size_past_end(unsigned char *img, const layout *l)
{
    PATCH_SHDR(img, l, l->dynsym, sh_size, (ElfW(Xword))sizeof(ElfW(Sym)) * 90000);
}
static void p_dynsym_size_odd(unsigned char *img, const layout *l)
{
    PATCH_SHDR(img, l, l->dynsym, sh_size, l->ds.sh_size + 1);
}
static void p_dynsym_entsize(unsigned char *img, const layout *l)
{
    PATCH_SHDR(img, l, l->dynsym, sh_entsize, 7);
}
static void p_dynsym_link_range(unsigned char *img, const layout *l)
{
    PATCH_SHDR(img, l, l->dynsym, sh_link, 60000);
}
static void p_dynsym_link_self(unsigned char *img, const layout *l)
{
    PATCH_SHDR(img, l, l->dynsym, sh_link, (ElfW(Word))l->dynsym);
}
static void p_dynstr_huge(unsigned char *img, const layout *l)
{
    PATCH_SHDR(img, l, l->dynstr, sh_size, 0x7fffffff);
}
static void p_dynstr_offset(unsigned char *img, const layout *l)
{
    PATCH_SHDR(img, l, l->dynstr, sh_offset, (ElfW(Off)) - 1);
}
static void p_name_out(unsigned char *img, const layout *l)
{
    PATCH_SYM(img, sym_at(img, l, FGCAT_PLUGIN_ENTRY_SYMBOL), st_name,
              (ElfW(Word))l->ss.sh_size);
}
static void p_two_dynsyms(unsigned char *img, const layout *l)
{
    /* The string table's header now claims to be a second symbol table. */
    PATCH_SHDR(img, l, l->dynstr, sh_type, SHT_DYNSYM);
}

/* Each field the reader relies on, garbled: one clear refusal each. */
static void test_garbled_copies(void **state)
{
    fixture *f = *state;
    size_t len;
    unsigned char *img = slurp(tu_test_plugin("test-area"), &len);
    const struct {
        void (*patch)(unsigned char *, const layout *);
        const char *says;
    } cases[] = {
        {p_magic, "not an ELF file: no ELF magic number"},
        {p_class, "unsupported ELF class 7"},
        {p_order, "only this host's byte order"},
        {p_encoding, "unknown ELF data encoding 9"},
        {p_version, "unsupported ELF version 0"},
        {p_exec, "not a shared object (ELF type 2"},
        {p_no_shoff, "no section headers"},
        {p_huge_shoff, "the section header table"},
        {p_shnum_zero, "extended section numbering"},
        {p_shnum_huge, "the section header table"},
        {p_shentsize, "section header size 10"},
        {p_dynsym_offset, "the dynamic symbol table"},
        {p_dynsym_size_huge, "more than 100000 dynamic symbols"},
        {p_dynsym_size_past_end, "the dynamic symbol table"},
        {p_dynsym_size_odd, "not a whole number of entries"},
        {p_dynsym_entsize, "entries of 7 bytes"},
        {p_dynsym_link_range, "is not a string table"},
        {p_dynsym_link_self, "is not a string table"},
        {p_dynstr_huge, "dynamic string table larger than"},
        {p_dynstr_offset, "the dynamic string table"},
        {p_name_out, "names offset"},
        {p_two_dynsyms, "more than one dynamic symbol table"},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        garble(f, img, len, cases[i].patch, cases[i].says);
    free(img);
}

/* Symbols patched in place: what is and is not an export, and names that
   need escaping or run off the end of their table. */
static void test_patched_symbols(void **state)
{
    fixture *f = *state;
    const char *path = tmp_file(f, "patched.so");
    size_t len, entry;
    unsigned char *orig = slurp(tu_test_plugin("extra-export"), &len);
    unsigned char *img = malloc(len);
    layout l = parse_layout(orig, len);
    fg_elf_exports ex;
    ElfW(Sym) s;
    const struct {
        unsigned char info, other;
        bool undefined, exported;
    } cases[] = {
        {INFO(STB_WEAK, STT_FUNC), STV_DEFAULT, false, true},
        {INFO(STB_GLOBAL, STT_FUNC), STV_PROTECTED, false, true},
        {INFO(STB_GNU_UNIQUE, STT_OBJECT), STV_DEFAULT, false, true},
        {INFO(STB_GLOBAL, STT_TLS), STV_DEFAULT, false, true},
        {INFO(STB_LOCAL, STT_FUNC), STV_DEFAULT, false, false},
        {INFO(STB_GLOBAL, STT_FUNC), STV_HIDDEN, false, false},
        {INFO(STB_GLOBAL, STT_FUNC), STV_INTERNAL, false, false},
        {INFO(STB_GLOBAL, STT_FUNC), STV_DEFAULT, true, false},
        {INFO(STB_GLOBAL, STT_SECTION), STV_DEFAULT, false, false},
        {INFO(STB_GLOBAL, STT_FILE), STV_DEFAULT, false, false},
    };
    assert_non_null(img);
    entry = sym_at(orig, &l, "extra_export_helper");
    memcpy(&s, orig + entry, sizeof s);

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const fg_elf_symbol *got;
        memcpy(img, orig, len);
        PATCH_SYM(img, entry, st_info, cases[i].info);
        PATCH_SYM(img, entry, st_other, cases[i].other);
        PATCH_SYM(img, entry, st_shndx, cases[i].undefined ? SHN_UNDEF : s.st_shndx);
        spit(path, img, len);
        read_ok(path, &ex);
        got = fg_elf_find(&ex, "extra_export_helper");
        if (cases[i].exported != (got != NULL))
            fail_msg("case %zu: exported %d, expected %d", i, got != NULL,
                     cases[i].exported);
        if (got) {
            assert_int_equal(got->bind, ELF64_ST_BIND(cases[i].info));
            assert_int_equal(got->type, ELF64_ST_TYPE(cases[i].info));
            assert_int_equal(got->visibility, cases[i].other);
        }
        assert_non_null(fg_elf_find(&ex, FGCAT_PLUGIN_ENTRY_SYMBOL));
        fg_elf_exports_close(&ex);
    }

    /* An absolute, zero-sized symbol is a version node's name: left out.
       With a value it is an export like any other. */
    memcpy(img, orig, len);
    PATCH_SYM(img, entry, st_info, INFO(STB_GLOBAL, STT_OBJECT));
    PATCH_SYM(img, entry, st_shndx, SHN_ABS);
    PATCH_SYM(img, entry, st_value, 0);
    PATCH_SYM(img, entry, st_size, 0);
    spit(path, img, len);
    read_ok(path, &ex);
    assert_int_equal(ex.count, 1);
    fg_elf_exports_close(&ex);
    PATCH_SYM(img, entry, st_value, 4096);
    spit(path, img, len);
    read_ok(path, &ex);
    assert_int_equal(ex.count, 2);
    fg_elf_exports_close(&ex);

    /* A linker name is left out, whatever else the symbol is. */
    memcpy(img, orig, len);
    memcpy(img + l.ss.sh_offset + s.st_name, "_edata\0", 7);
    spit(path, img, len);
    read_ok(path, &ex);
    assert_int_equal(ex.count, 1);
    fg_elf_exports_close(&ex);

    /* Unprintable bytes and the escape character are written \xNN. */
    memcpy(img, orig, len);
    img[l.ss.sh_offset + s.st_name] = '\t';
    img[l.ss.sh_offset + s.st_name + 1] = '\\';
    img[l.ss.sh_offset + s.st_name + 2] = (unsigned char)0xe9;
    spit(path, img, len);
    read_ok(path, &ex);
    assert_non_null(fg_elf_find(&ex, "\\x09\\x5c\\xe9ra_export_helper"));
    fg_elf_exports_close(&ex);

    /* A name that runs to the end of an unterminated string table stops
       there (ASan would see a read past it). */
    memcpy(img, orig, len);
    PATCH_SYM(img, entry, st_name, (ElfW(Word))l.ss.sh_size - 3);
    memset(img + l.ss.sh_offset + l.ss.sh_size - 3, 'z', 3);
    spit(path, img, len);
    read_ok(path, &ex);
    for (size_t i = 0; i < ex.count; i++)
        assert_true(printable(ex.syms[i].name));
    assert_non_null(fg_elf_find(&ex, "zzz"));
    fg_elf_exports_close(&ex);

    /* An entry point that the table calls a variable. */
    memcpy(img, orig, len);
    PATCH_SYM(img, sym_at(orig, &l, FGCAT_PLUGIN_ENTRY_SYMBOL), st_info,
              INFO(STB_GLOBAL, STT_OBJECT));
    spit(path, img, len);
    read_ok(path, &ex);
    assert_int_equal(fg_elf_find(&ex, FGCAT_PLUGIN_ENTRY_SYMBOL)->type, STT_OBJECT);
    assert_string_equal(fg_elf_type_name(STT_OBJECT), "OBJECT");
    fg_elf_exports_close(&ex);

    free(img);
    free(orig);
}

/* Marsaglia's xorshift32: a fixed sequence from a fixed seed. */
static uint32_t xorshift(uint32_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

/* Random bytes over the parts the reader reads, from a fixed seed: every
   outcome is either a clean refusal or exports with printable names, and
   both outcomes occur. */
static void test_random_noise(void **state)
{
    fixture *f = *state;
    const char *path = tmp_file(f, "noise.so");
    size_t len, ok = 0, refused = 0;
    unsigned char *orig = slurp(tu_test_plugin("test-area"), &len);
    unsigned char *img = malloc(len);
    layout l = parse_layout(orig, len);
    const size_t starts[4] = {0, shdr_at(&l, 0), (size_t)l.ds.sh_offset,
                              (size_t)l.ss.sh_offset};
    const size_t sizes[4] = {sizeof(ElfW(Ehdr)), l.eh.e_shnum * sizeof(ElfW(Shdr)),
                             (size_t)l.ds.sh_size, (size_t)l.ss.sh_size};
    uint32_t x = 2463534242u;
    assert_non_null(img);

    for (int round = 0; round < 600; round++) {
        fg_elf_exports ex;
        fg_error err;
        fg_status st;
        int flips;
        memcpy(img, orig, len);
        flips = 1 + (int)(xorshift(&x) % 4);
        for (int k = 0; k < flips; k++) {
            size_t region = xorshift(&x) % 4;
            uint32_t r = xorshift(&x);
            img[starts[region] + r % sizes[region]] = (unsigned char)(r >> 24);
        }
        spit(path, img, len);
        fg_error_clear(&err);
        st = fg_elf_exports_read(path, &ex, &err);
        if (st == FG_OK) {
            ok++;
            assert_true(ex.count <= FG_ELF_MAX_SYMBOLS);
            for (size_t i = 0; i < ex.count; i++)
                if (!printable(ex.syms[i].name))
                    fail_msg("round %d: unprintable name %s", round, ex.syms[i].name);
            fg_elf_exports_close(&ex);
        } else {
            refused++;
            assert_int_equal(st, FG_EINVAL);
            assert_true(err.msg[0] != '\0');
            assert_null(ex.syms);
        }
    }
    if (!ok || !refused)
        fail_msg("%zu read, %zu refused: the noise should give both", ok, refused);
    free(img);
    free(orig);
}

/* ---- ELF32 and ELF64 images built here -------------------------------- */

typedef struct tsym {
    const char *name;
    unsigned char info, other;
    uint16_t shndx;
    uint64_t value, size;
} tsym;

/*
 * Builds a minimal ELF shared object of class `is64` and byte order
 * `data`: the ELF header, a string table, the symbols `syms` (after the
 * reserved null one), and four section headers (null, a stand-in text
 * section, .dynstr, .dynsym).  New, `*len` bytes.
 */
static unsigned char *build_elf(bool is64, unsigned char data, const tsym *syms, size_t n,
                                size_t *len)
{
    size_t ehsize = is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
    size_t symsize = is64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
    size_t shsize = is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
    size_t strsize = 1, stroff = ehsize, symoff, shoff, off;
    unsigned char *img;

    for (size_t i = 0; i < n; i++)
        strsize += strlen(syms[i].name) + 1;
    symoff = stroff + strsize;
    shoff = symoff + (n + 1) * symsize;
    *len = shoff + 4 * shsize;
    img = calloc(1, *len);
    assert_non_null(img);

    /* The string table, and the symbols pointing into it. */
    off = 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char *at = img + symoff + (i + 1) * symsize;
        memcpy(img + stroff + off, syms[i].name, strlen(syms[i].name) + 1);
        if (is64) {
            Elf64_Sym s = {(Elf64_Word)off, syms[i].info,  syms[i].other,
                           syms[i].shndx,   syms[i].value, syms[i].size};
            memcpy(at, &s, sizeof s);
        } else {
            Elf32_Sym s = {(Elf32_Word)off,
                           (Elf32_Addr)syms[i].value,
                           (Elf32_Word)syms[i].size,
                           syms[i].info,
                           syms[i].other,
                           syms[i].shndx};
            memcpy(at, &s, sizeof s);
        }
        off += strlen(syms[i].name) + 1;
    }
    if (is64) {
        Elf64_Ehdr eh = {.e_type = ET_DYN,
                         .e_machine = EM_X86_64,
                         .e_version = EV_CURRENT,
                         .e_shoff = shoff,
                         .e_ehsize = (Elf64_Half)ehsize,
                         .e_shentsize = (Elf64_Half)shsize,
                         .e_shnum = 4,
                         .e_shstrndx = SHN_UNDEF};
        Elf64_Shdr sh[4] = {
            {0},
            {.sh_type = SHT_PROGBITS, .sh_flags = SHF_ALLOC | SHF_EXECINSTR},
            {.sh_type = SHT_STRTAB, .sh_offset = stroff, .sh_size = strsize},
            {.sh_type = SHT_DYNSYM,
             .sh_offset = symoff,
             .sh_size = (n + 1) * symsize,
             .sh_link = 2,
             .sh_info = 1,
             .sh_entsize = symsize},
        };
        memcpy(eh.e_ident, ELFMAG, SELFMAG);
        eh.e_ident[EI_CLASS] = ELFCLASS64;
        eh.e_ident[EI_DATA] = data;
        eh.e_ident[EI_VERSION] = EV_CURRENT;
        memcpy(img, &eh, sizeof eh);
        memcpy(img + shoff, sh, sizeof sh);
    } else {
        Elf32_Ehdr eh = {.e_type = ET_DYN,
                         .e_machine = EM_386,
                         .e_version = EV_CURRENT,
                         .e_shoff = (Elf32_Off)shoff,
                         .e_ehsize = (Elf32_Half)ehsize,
                         .e_shentsize = (Elf32_Half)shsize,
                         .e_shnum = 4,
                         .e_shstrndx = SHN_UNDEF};
        Elf32_Shdr sh[4] = {
            {0},
            {.sh_type = SHT_PROGBITS, .sh_flags = SHF_ALLOC | SHF_EXECINSTR},
            {.sh_type = SHT_STRTAB,
             .sh_offset = (Elf32_Off)stroff,
             .sh_size = (Elf32_Word)strsize},
            {.sh_type = SHT_DYNSYM,
             .sh_offset = (Elf32_Off)symoff,
             .sh_size = (Elf32_Word)((n + 1) * symsize),
             .sh_link = 2,
             .sh_info = 1,
             .sh_entsize = (Elf32_Word)symsize},
        };
        memcpy(eh.e_ident, ELFMAG, SELFMAG);
        eh.e_ident[EI_CLASS] = ELFCLASS32;
        eh.e_ident[EI_DATA] = data;
        eh.e_ident[EI_VERSION] = EV_CURRENT;
        memcpy(img, &eh, sizeof eh);
        memcpy(img + shoff, sh, sizeof sh);
    }
    return img;
}

#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define HOST_DATA ELFDATA2MSB
#define OTHER_DATA ELFDATA2LSB
#else
#define HOST_DATA ELFDATA2LSB
#define OTHER_DATA ELFDATA2MSB
#endif

/* Both classes of this host's byte order give the same exports, in table
   order; the other byte order is refused. */
static void test_built_images(void **state)
{
    fixture *f = *state;
    char long_name[301], long_seen[FG_ELF_MAX_NAME + 4];
    const tsym syms[] = {
        {FGCAT_PLUGIN_ENTRY_SYMBOL, INFO(STB_GLOBAL, STT_FUNC), STV_DEFAULT, 1, 0x100, 8},
        {"helper", INFO(STB_GLOBAL, STT_FUNC), STV_PROTECTED, 1, 0x110, 8},
        {"weak_data", INFO(STB_WEAK, STT_OBJECT), STV_DEFAULT, 1, 0x120, 4},
        {"hidden_fn", INFO(STB_GLOBAL, STT_FUNC), STV_HIDDEN, 1, 0x130, 8},
        {"imported", INFO(STB_GLOBAL, STT_FUNC), STV_DEFAULT, SHN_UNDEF, 0, 0},
        {"local_fn", INFO(STB_LOCAL, STT_FUNC), STV_DEFAULT, 1, 0x140, 8},
        {"_edata", INFO(STB_GLOBAL, STT_NOTYPE), STV_DEFAULT, 1, 0x200, 0},
        {"_init", INFO(STB_GLOBAL, STT_FUNC), STV_DEFAULT, 1, 0x150, 0},
        {"VERS_1.0", INFO(STB_GLOBAL, STT_OBJECT), STV_DEFAULT, SHN_ABS, 0, 0},
        {"tls_var", INFO(STB_GLOBAL, STT_TLS), STV_DEFAULT, 1, 0, 4},
        {"sect", INFO(STB_GLOBAL, STT_SECTION), STV_DEFAULT, 1, 0, 0},
        {long_name, INFO(STB_GLOBAL, STT_FUNC), STV_DEFAULT, 1, 0x160, 8},
        {"bad\tname\x80", INFO(STB_GLOBAL, STT_FUNC), STV_DEFAULT, 1, 0x170, 8},
        {"unique_obj", INFO(STB_GNU_UNIQUE, STT_OBJECT), STV_DEFAULT, 1, 0x180, 8},
    };
    const char *want[] = {
        FGCAT_PLUGIN_ENTRY_SYMBOL, "helper",    "weak_data", "tls_var", long_seen,
        "bad\\x09name\\x80",       "unique_obj"};
    const size_t n = sizeof syms / sizeof syms[0], nwant = sizeof want / sizeof want[0];

    memset(long_name, 'a', 300);
    long_name[300] = '\0';
    memset(long_seen, 'a', FG_ELF_MAX_NAME);
    memcpy(long_seen + FG_ELF_MAX_NAME, "...", 4);

    for (int is64 = 0; is64 <= 1; is64++) {
        const char *path = tmp_file(f, is64 ? "image64.so" : "image32.so");
        fg_elf_exports ex;
        size_t len;
        unsigned char *img = build_elf(is64, HOST_DATA, syms, n, &len);

        spit(path, img, len);
        read_ok(path, &ex);
        if (ex.count != nwant)
            fail_msg("ELF%d: %zu exports, expected %zu", is64 ? 64 : 32, ex.count, nwant);
        for (size_t i = 0; i < nwant; i++)
            assert_string_equal(ex.syms[i].name, want[i]);
        assert_int_equal(ex.syms[1].visibility, STV_PROTECTED);
        assert_int_equal(ex.syms[2].bind, STB_WEAK);
        assert_int_equal(ex.syms[2].type, STT_OBJECT);
        assert_int_equal(ex.syms[3].type, STT_TLS);
        assert_int_equal(ex.syms[6].bind, STB_GNU_UNIQUE);
        fg_elf_exports_close(&ex);
        free(img);

        img = build_elf(is64, OTHER_DATA, syms, n, &len);
        expect_refused(f, "other-order.so", img, len, FG_EINVAL,
                       "only this host's byte order");
        free(img);

        /* No symbols at all but the reserved one: nothing exported. */
        img = build_elf(is64, HOST_DATA, syms, 0, &len);
        spit(path, img, len);
        read_ok(path, &ex);
        assert_int_equal(ex.count, 0);
        fg_elf_exports_close(&ex);
        free(img);
    }
}

/* ---- the problems the runtime records --------------------------------- */

/* Finds the 16 bytes that open a plugin's descriptor (struct_size,
   abi_major, abi_minor) in `img`; exactly one place must hold them. */
static size_t descriptor_at(const unsigned char *img, size_t len)
{
    unsigned char head[sizeof(size_t) + 2 * sizeof(uint32_t)];
    size_t size = sizeof(fgcat_plugin), found = 0, at = 0;
    uint32_t major = FGCAT_ABI_MAJOR, minor = FGCAT_ABI_MINOR;

    memcpy(head, &size, sizeof size);
    memcpy(head + sizeof size, &major, sizeof major);
    memcpy(head + sizeof size + sizeof major, &minor, sizeof minor);
    for (size_t i = 0; i + sizeof head <= len; i++)
        if (memcmp(img + i, head, sizeof head) == 0) {
            found++;
            at = i;
        }
    if (found != 1)
        fail_msg("the descriptor's first bytes occur %zu times", found);
    return at;
}

/* Loading goes on past the first problem while the rest can be read, and
   stops where it cannot: each refused plugin lists what was found. */
static void test_loader_lists_every_problem(void **state)
{
    fixture *f = *state;
    const char *path = tmp_file(f, "bad-name-newer.so");
    rt_runtime *rt = rt_create();
    rt_plugin *p;
    size_t len, at;
    unsigned char *img = slurp(tu_test_plugin("bad-name"), &len);
    uint32_t v;
    const struct {
        const char *plugin, *what, *says;
    } single[] = {
        {"not-elf", "load", "cannot load"},
        {"no-entry", "entry", "no entry symbol"},
        {"null-descriptor", "entry", "returned NULL"},
        {"abi-major", "abi", "major versions differ"},
        {"small-struct", "descriptor", "struct_size 16"},
        {"no-quote", "descriptor", "quote_request callback is missing"},
        {"init-fails", "init", "database of courses is missing"},
    };

    for (size_t i = 0; i < sizeof single / sizeof single[0]; i++) {
        p = rt_load_file(rt, tu_test_plugin(single[i].plugin));
        assert_int_equal(p->state, RT_REFUSED);
        if (p->n_problems != 1)
            fail_msg("%s: %zu problems", single[i].plugin, p->n_problems);
        assert_string_equal(p->problems[0].what, single[i].what);
        assert_string_equal(p->problems[0].offering, "");
        tu_assert_contains(p->problems[0].message, single[i].says);
        assert_string_equal(p->reason, p->problems[0].message);
    }

    /* bad-name built for a newer minor: both problems, the ABI first. */
    at = descriptor_at(img, len);
    v = FGCAT_ABI_MINOR + 1;
    memcpy(img + at + sizeof(size_t) + sizeof(uint32_t), &v, sizeof v);
    spit(path, img, len);
    p = rt_load_file(rt, path);
    assert_int_equal(p->state, RT_REFUSED);
    assert_int_equal(p->n_problems, 2);
    assert_string_equal(p->problems[0].what, "abi");
    tu_assert_contains(p->problems[0].message, "newer than this fgcat's");
    assert_string_equal(p->problems[1].what, "descriptor");
    tu_assert_contains(p->problems[1].message, "name must be");
    tu_assert_contains(p->reason, "newer than this fgcat's");
    tu_assert_contains(p->reason, "(and 1 more problem)");

    /* Another major: the layout is unknown, nothing more is read. */
    path = tmp_file(f, "bad-name-major.so");
    v = FGCAT_ABI_MAJOR + 1;
    memcpy(img + at + sizeof(size_t), &v, sizeof v);
    spit(path, img, len);
    p = rt_load_file(rt, path);
    assert_int_equal(p->n_problems, 1);
    assert_string_equal(p->problems[0].what, "abi");
    tu_assert_contains(p->reason, "major versions differ");
    assert_null(strstr(p->reason, "more problem"));

    free(img);
    rt_free(rt);
}

/* Runs `fgcat plugins check PATH` with an empty plugin path; returns its
   exit status, with its stdout in `out`. */
static int run_check(const fixture *f, const char *path, char *out, size_t size)
{
    char cmd[12000];
    FILE *pipe;
    size_t got;
    int status;

    snprintf(cmd, sizeof cmd,
             "FGCAT_DB='%s/catalogue.db' '%s' --plugin-path '%s' plugins check '%s' "
             "2>/dev/null",
             f->dir, FGCAT_BIN, f->dir, path);
    pipe = popen(cmd, "r");
    assert_non_null(pipe);
    got = fread(out, 1, size - 1, pipe);
    out[got] = '\0';
    status = pclose(pipe);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/*
 * A plugin whose entry symbol the dynamic table calls a variable is
 * refused before it is called: test-area with that one byte patched
 * (calling it would work, so only the check can refuse it).  `fgcat
 * plugins check` reports that once, not again from its own reading.
 */
static void test_entry_must_be_a_function(void **state)
{
    fixture *f = *state;
    const char *path = tmp_file(f, "object-entry.so");
    const char *same = tmp_file(f, "unpatched.so");
    rt_runtime *rt = rt_create();
    rt_plugin *p;
    size_t len;
    unsigned char *img = slurp(tu_test_plugin("test-area"), &len);
    layout l = parse_layout(img, len);
    char want[4400], out[4096];

    /* The unpatched copy loads: the copying is not what is refused. */
    spit(same, img, len);
    p = rt_load_file(rt, same);
    if (p->state != RT_LOADED)
        fail_msg("the copy of test-area was refused: %s", p->reason);
    rt_free(rt);

    PATCH_SYM(img, sym_at(img, &l, FGCAT_PLUGIN_ENTRY_SYMBOL), st_info,
              INFO(STB_GLOBAL, STT_OBJECT));
    spit(path, img, len);
    rt = rt_create();
    p = rt_load_file(rt, path);
    assert_int_equal(p->state, RT_REFUSED);
    assert_false(p->initialised);
    assert_int_equal(p->n_problems, 1);
    assert_string_equal(p->problems[0].what, "entry");
    assert_string_equal(p->reason, "entry symbol 'fgcat_plugin_entry' is not a function "
                                   "(ELF symbol type OBJECT)");
    rt_free(rt);

    assert_int_equal(run_check(f, path, out, sizeof out), 4);
    snprintf(want, sizeof want,
             "%s: entry symbol 'fgcat_plugin_entry' is not a function (ELF symbol type "
             "OBJECT)\n",
             path);
    assert_string_equal(out, want);
    free(img);
}

/* A plugin that loads but whose symbol table cannot be read (its section
   headers stripped, which the dynamic loader does not need) is refused by
   `plugins check` for that alone; the listing would load it. */
static void test_check_refuses_unreadable_table(void **state)
{
    fixture *f = *state;
    const char *path = tmp_file(f, "no-sections.so");
    size_t len;
    unsigned char *img = slurp(tu_test_plugin("test-area"), &len);
    ElfW(Ehdr) eh;
    rt_runtime *rt = rt_create();
    rt_plugin *p;
    char want[4400], out[4096];

    memcpy(&eh, img, sizeof eh);
    eh.e_shoff = 0;
    eh.e_shnum = 0;
    eh.e_shstrndx = 0;
    memcpy(img, &eh, sizeof eh);
    spit(path, img, len);
    p = rt_load_file(rt, path);
    if (p->state != RT_LOADED)
        fail_msg("test-area without section headers was refused: %s", p->reason);
    rt_free(rt);

    assert_int_equal(run_check(f, path, out, sizeof out), 4);
    snprintf(want, sizeof want,
             "%s: cannot list its exported symbols: no section headers: its symbol table "
             "cannot be found\n",
             path);
    assert_string_equal(out, want);
    free(img);
}

/* Registration lists every refused offering with its id and field, keeps
   at most RT_MAX_PROBLEMS and counts the rest, and each registration
   replaces the list of the one before. */
static void test_register_lists_every_offering(void **state)
{
    rt_runtime *rt = rt_create();
    rt_plugin *p = rt_load_file(rt, tu_test_plugin("test-area"));
    char many[2048] = "";
    size_t n = 0, used = 0;
    fg_error err;
    (void)state;

    assert_int_equal(p->state, RT_LOADED);
    setenv("FGCAT_TEST_OFFERINGS", "alpha,BAD ONE,beta,Bad-two", 1);
    rt_restart(rt); /* workers see the environment as it is now */
    for (int round = 0; round < 2; round++) {
        assert_int_equal(cat_check_plugin_offerings(rt, p, &n, NULL, &err), FG_EREFUSED);
        assert_int_equal(n, 2);
        assert_int_equal(p->n_problems, 2);
        assert_int_equal(p->more_problems, 0);
        assert_string_equal(p->problems[0].what, "offering");
        assert_string_equal(p->problems[0].offering, "TST/BAD ONE");
        tu_assert_contains(p->problems[0].message, "field id must be");
        assert_string_equal(p->problems[1].offering, "TST/Bad-two");
        tu_assert_contains(err.msg, "offering 'TST/BAD ONE'");
        tu_assert_contains(err.msg, "(and 1 more refused offerings)");
    }

    for (int i = 0; i < RT_MAX_PROBLEMS + 10; i++)
        used +=
            (size_t)snprintf(many + used, sizeof many - used, "%sX%d", i ? "," : "", i);
    setenv("FGCAT_TEST_OFFERINGS", many, 1);
    rt_restart(rt); /* workers see the environment as it is now */
    assert_int_equal(cat_check_plugin_offerings(rt, p, &n, NULL, &err), FG_EREFUSED);
    assert_int_equal(n, 0);
    assert_int_equal(p->n_problems, RT_MAX_PROBLEMS);
    assert_int_equal(p->more_problems, 10);
    assert_string_equal(p->problems[RT_MAX_PROBLEMS - 1].offering, "TST/X49");

    unsetenv("FGCAT_TEST_OFFERINGS");

    rt_restart(rt); /* workers see the environment as it is now */
    assert_int_equal(cat_check_plugin_offerings(rt, p, &n, NULL, &err), FG_OK);
    assert_int_equal(n, 3);
    assert_int_equal(p->n_problems, 0);
    assert_int_equal(p->more_problems, 0);
    rt_free(rt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_built_plugins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_elf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated_copies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbled_copies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_patched_symbols, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_noise, setup, teardown),
        cmocka_unit_test_setup_teardown(test_built_images, setup, teardown),
        cmocka_unit_test_setup_teardown(test_loader_lists_every_problem, setup, teardown),
        cmocka_unit_test_setup_teardown(test_entry_must_be_a_function, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_refuses_unreadable_table, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_register_lists_every_offering, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
