/*
 * Reading a shared object's exported symbols from its ELF dynamic symbol
 * table (elfsyms.h).  Only this host's byte order is read, so fields are
 * used as they are; the two classes differ only in field widths, and each
 * structure is decoded into one class-neutral form before it is used.
 */
#define _POSIX_C_SOURCE 200809L /* pread, O_CLOEXEC */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elfsyms.h"
#include "util.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define HOST_DATA ELFDATA2MSB
#define HOST_ORDER "big-endian"
#else
#define HOST_DATA ELFDATA2LSB
#define HOST_ORDER "little-endian"
#endif

#ifndef STB_GNU_UNIQUE
#define STB_GNU_UNIQUE 10
#endif
#ifndef STT_GNU_IFUNC
#define STT_GNU_IFUNC 10
#endif

/* The linker's own symbols, which a toolchain may export from any shared
   object whatever its author wrote. */
static const char *const linker_symbols[] = {
    "_init",
    "_fini",
    "_edata",
    "_end",
    "__bss_start",
    "__bss_start__",
    "__bss_end__",
    "_bss_end__",
    "__end__",
    "_DYNAMIC",
    "_GLOBAL_OFFSET_TABLE_",
    "_PROCEDURE_LINKAGE_TABLE_",
};

typedef struct elf_file {
    int fd;
    uint64_t size;
    bool is64;
} elf_file;

/* A section header, either class. */
typedef struct section {
    uint32_t type, link;
    uint64_t offset, size, entsize;
} section;

/* A symbol, either class. */
typedef struct symbol {
    uint32_t name;
    unsigned char info, other;
    uint16_t shndx;
    uint64_t value, size;
} symbol;

/*
 * Checks that the `len` bytes at `off` lie within the file, without
 * overflow, so that an offset or size from the file can never send a read
 * (or an allocation for one) past its end; `what` names the range.
 */
static fg_status check_range(const elf_file *f, uint64_t off, uint64_t len,
                             const char *what, fg_error *err)
{
    if (off > f->size || len > f->size - off)
        return fg_fail(err, FG_EINVAL,
                       "truncated or corrupt ELF file: %s (%llu bytes at offset %llu) "
                       "goes past its end (%llu bytes)",
                       what, (unsigned long long)len, (unsigned long long)off,
                       (unsigned long long)f->size);
    return FG_OK;
}

/* Reads `len` bytes at `off` into `buf`, after check_range. */
static fg_status read_at(const elf_file *f, uint64_t off, void *buf, size_t len,
                         const char *what, fg_error *err)
{
    size_t done = 0;
    fg_status st;

    if ((st = check_range(f, off, len, what, err)) != FG_OK)
        return st;
    while (done < len) {
        ssize_t r = pread(f->fd, (char *)buf + done, len - done, (off_t)(off + done));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return fg_fail(err, FG_EIO, "cannot read it: %s", strerror(errno));
        if (r == 0)
            return fg_fail(err, FG_EIO, "cannot read it: the file shrank while read");
        done += (size_t)r;
    }
    return FG_OK;
}

/* Checks the identification bytes: magic, class, byte order, version. */
static fg_status check_ident(elf_file *f, fg_error *err)
{
    unsigned char ident[EI_NIDENT];
    fg_status st;

    if (f->size < EI_NIDENT)
        return fg_fail(err, FG_EINVAL, "not an ELF file: only %llu bytes long",
                       (unsigned long long)f->size);
    if ((st = read_at(f, 0, ident, sizeof ident, "the ELF identification", err)) != FG_OK)
        return st;
    if (memcmp(ident, ELFMAG, SELFMAG) != 0)
        return fg_fail(err, FG_EINVAL, "not an ELF file: no ELF magic number");
    if (ident[EI_CLASS] != ELFCLASS32 && ident[EI_CLASS] != ELFCLASS64)
        return fg_fail(err, FG_EINVAL,
                       "unsupported ELF class %u (neither 32- nor 64-bit)",
                       (unsigned)ident[EI_CLASS]);
    if (ident[EI_DATA] != HOST_DATA) {
        if (ident[EI_DATA] == ELFDATA2LSB || ident[EI_DATA] == ELFDATA2MSB)
            return fg_fail(err, FG_EINVAL,
                           "ELF file is %s; only this host's byte order (%s) is read",
                           ident[EI_DATA] == ELFDATA2LSB ? "little-endian" : "big-endian",
                           HOST_ORDER);
        return fg_fail(err, FG_EINVAL, "unknown ELF data encoding %u",
                       (unsigned)ident[EI_DATA]);
    }
    if (ident[EI_VERSION] != EV_CURRENT)
        return fg_fail(err, FG_EINVAL, "unsupported ELF version %u",
                       (unsigned)ident[EI_VERSION]);
    f->is64 = ident[EI_CLASS] == ELFCLASS64;
    return FG_OK;
}

/*
 * Reads the ELF header and the section header table into `*sects` (new,
 * `*n` entries).
 */
static fg_status read_sections(const elf_file *f, section **sects, size_t *n,
                               fg_error *err)
{
    uint64_t shoff;
    unsigned type, shentsize, shnum;
    size_t want = f->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
    unsigned char *raw;
    fg_status st;

    if (f->is64) {
        Elf64_Ehdr h;
        if ((st = read_at(f, 0, &h, sizeof h, "the ELF header", err)) != FG_OK)
            return st;
        type = h.e_type;
        shoff = h.e_shoff;
        shentsize = h.e_shentsize;
        shnum = h.e_shnum;
    } else {
        Elf32_Ehdr h;
        if ((st = read_at(f, 0, &h, sizeof h, "the ELF header", err)) != FG_OK)
            return st;
        type = h.e_type;
        shoff = h.e_shoff;
        shentsize = h.e_shentsize;
        shnum = h.e_shnum;
    }
    if (type != ET_DYN)
        return fg_fail(err, FG_EINVAL, "not a shared object (ELF type %u, expected %u)",
                       type, (unsigned)ET_DYN);
    if (shoff == 0)
        return fg_fail(err, FG_EINVAL,
                       "no section headers: its symbol table cannot be "
                       "found");
    if (shnum == 0)
        return fg_fail(err, FG_EINVAL,
                       "extended section numbering (e_shnum 0) is not "
                       "supported");
    if (shentsize != want)
        return fg_fail(err, FG_EINVAL, "section header size %u, expected %zu", shentsize,
                       want);
    /* shnum < 2^16 and want <= 64: the product cannot overflow. */
    if ((st = check_range(f, shoff, (uint64_t)shnum * want, "the section header table",
                          err)) != FG_OK)
        return st;
    raw = fg_xmalloc((size_t)shnum * want);
    if ((st = read_at(f, shoff, raw, (size_t)shnum * want, "the section header table",
                      err)) != FG_OK) {
        free(raw);
        return st;
    }
    *sects = fg_xcalloc(shnum, sizeof **sects);
    for (size_t i = 0; i < shnum; i++) {
        section *s = &(*sects)[i];
        if (f->is64) {
            Elf64_Shdr h;
            memcpy(&h, raw + i * want, sizeof h);
            *s = (section){h.sh_type, h.sh_link, h.sh_offset, h.sh_size, h.sh_entsize};
        } else {
            Elf32_Shdr h;
            memcpy(&h, raw + i * want, sizeof h);
            *s = (section){h.sh_type, h.sh_link, h.sh_offset, h.sh_size, h.sh_entsize};
        }
    }
    free(raw);
    *n = shnum;
    return FG_OK;
}

static symbol decode_symbol(const elf_file *f, const unsigned char *p)
{
    if (f->is64) {
        Elf64_Sym s;
        memcpy(&s, p, sizeof s);
        return (symbol){s.st_name,  s.st_info,  s.st_other,
                        s.st_shndx, s.st_value, s.st_size};
    } else {
        Elf32_Sym s;
        memcpy(&s, p, sizeof s);
        return (symbol){s.st_name,  s.st_info,  s.st_other,
                        s.st_shndx, s.st_value, s.st_size};
    }
}

/* The name as fg_elf_symbol promises it: printable, bounded.  New. */
static char *printable_name(const char *name)
{
    size_t len = strnlen(name, FG_ELF_MAX_NAME + 1);
    bool cut = len > FG_ELF_MAX_NAME;
    char *out, *o;

    if (cut)
        len = FG_ELF_MAX_NAME;
    out = fg_xmalloc(len * 4 + sizeof "...");
    o = out;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c > 0x20 && c < 0x7f && c != '\\')
            *o++ = (char)c;
        else
            o += snprintf(o, 5, "\\x%02x", c);
    }
    if (cut) {
        memcpy(o, "...", 3);
        o += 3;
    }
    *o = '\0';
    return out;
}

/* True for the symbols fg_elf_exports_read leaves out as the toolchain's. */
static bool toolchain_symbol(const symbol *s, const char *name)
{
    unsigned type = ELF64_ST_TYPE(s->info);
    if (s->shndx == SHN_ABS && s->value == 0 && s->size == 0 &&
        (type == STT_OBJECT || type == STT_NOTYPE))
        return true; /* a version node's name */
    for (size_t i = 0; i < sizeof linker_symbols / sizeof linker_symbols[0]; i++)
        if (strcmp(name, linker_symbols[i]) == 0)
            return true;
    return false;
}

/* True when `s` can be found from outside its file. */
static bool exported(const symbol *s)
{
    unsigned bind = ELF64_ST_BIND(s->info), type = ELF64_ST_TYPE(s->info);
    unsigned vis = ELF64_ST_VISIBILITY(s->other);
    return s->shndx != SHN_UNDEF &&
           (bind == STB_GLOBAL || bind == STB_WEAK || bind == STB_GNU_UNIQUE) &&
           (vis == STV_DEFAULT || vis == STV_PROTECTED) && type != STT_SECTION &&
           type != STT_FILE;
}

/* Reads the dynamic symbol table `ds` and its string table into `out`. */
static fg_status read_symbols(const elf_file *f, const section *sects, size_t nsects,
                              const section *ds, fg_elf_exports *out, fg_error *err)
{
    size_t want = f->is64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
    const section *ss;
    unsigned char *raw = NULL;
    char *strtab = NULL;
    size_t count, cap = 0;
    fg_status st;

    if (ds->entsize != want)
        return fg_fail(err, FG_EINVAL,
                       "dynamic symbol table entries of %llu bytes, expected %zu",
                       (unsigned long long)ds->entsize, want);
    if (ds->size % want != 0)
        return fg_fail(err, FG_EINVAL,
                       "dynamic symbol table of %llu bytes is not a whole number of "
                       "entries",
                       (unsigned long long)ds->size);
    if (ds->size / want > FG_ELF_MAX_SYMBOLS)
        return fg_fail(err, FG_EINVAL, "more than %d dynamic symbols",
                       FG_ELF_MAX_SYMBOLS);
    count = (size_t)(ds->size / want);
    if (ds->link >= nsects || sects[ds->link].type != SHT_STRTAB)
        return fg_fail(err, FG_EINVAL,
                       "the dynamic symbol table's string table (section %u) is not a "
                       "string table",
                       (unsigned)ds->link);
    ss = &sects[ds->link];
    if (ss->size > FG_ELF_MAX_STRTAB)
        return fg_fail(err, FG_EINVAL, "dynamic string table larger than %zu bytes",
                       FG_ELF_MAX_STRTAB);
    if ((st = check_range(f, ss->offset, ss->size, "the dynamic string table", err)) !=
            FG_OK ||
        (st = check_range(f, ds->offset, ds->size, "the dynamic symbol table", err)) !=
            FG_OK)
        return st;
    /* One more byte than the table: a name that runs off its end stops at
       this NUL. */
    strtab = fg_xcalloc((size_t)ss->size + 1, 1);
    raw = fg_xmalloc(count * want + 1);
    if ((st = read_at(f, ss->offset, strtab, (size_t)ss->size, "the dynamic string table",
                      err)) != FG_OK ||
        (st = read_at(f, ds->offset, raw, count * want, "the dynamic symbol table",
                      err)) != FG_OK)
        goto out;
    /* Entry 0 is the reserved undefined symbol. */
    for (size_t i = 1; i < count; i++) {
        symbol s = decode_symbol(f, raw + i * want);
        const char *name;
        if (s.name >= ss->size) {
            st = fg_fail(err, FG_EINVAL,
                         "dynamic symbol %zu names offset %u of a %llu-byte string table",
                         i, (unsigned)s.name, (unsigned long long)ss->size);
            goto out;
        }
        name = strtab + s.name;
        if (!exported(&s) || toolchain_symbol(&s, name))
            continue;
        if (out->count == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            fg_elf_symbol *grown = fg_xrealloc(out->syms, ncap * sizeof *grown);
            out->syms = grown;
            cap = ncap;
        }
        out->syms[out->count++] = (fg_elf_symbol){
            .name = printable_name(name),
            .type = (unsigned char)ELF64_ST_TYPE(s.info),
            .bind = (unsigned char)ELF64_ST_BIND(s.info),
            .visibility = (unsigned char)ELF64_ST_VISIBILITY(s.other),
        };
    }
    st = FG_OK;
out:
    free(raw);
    free(strtab);
    return st;
}

fg_status fg_elf_exports_read(const char *path, fg_elf_exports *out, fg_error *err)
{
    elf_file f = {.fd = -1};
    struct stat sb;
    section *sects = NULL;
    const section *ds = NULL;
    size_t nsects = 0;
    fg_status st;

    out->syms = NULL;
    out->count = 0;
    /* O_NONBLOCK: opening a FIFO must not wait for a writer. */
    f.fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (f.fd < 0)
        return fg_fail(err, FG_EIO, "cannot open it: %s", strerror(errno));
    if (fstat(f.fd, &sb) != 0) {
        st = fg_fail(err, FG_EIO, "cannot read it: %s", strerror(errno));
        goto out;
    }
    if (!S_ISREG(sb.st_mode)) {
        st = fg_fail(err, FG_EINVAL, "not a regular file");
        goto out;
    }
    f.size = (uint64_t)sb.st_size;
    if ((st = check_ident(&f, err)) != FG_OK ||
        (st = read_sections(&f, &sects, &nsects, err)) != FG_OK)
        goto out;
    for (size_t i = 0; i < nsects; i++) {
        if (sects[i].type != SHT_DYNSYM)
            continue;
        if (ds) {
            st = fg_fail(err, FG_EINVAL, "more than one dynamic symbol table");
            goto out;
        }
        ds = &sects[i];
    }
    if (ds)
        st = read_symbols(&f, sects, nsects, ds, out, err);
out:
    if (st != FG_OK)
        fg_elf_exports_close(out);
    free(sects);
    close(f.fd);
    return st;
}

void fg_elf_exports_close(fg_elf_exports *ex)
{
    for (size_t i = 0; i < ex->count; i++)
        free(ex->syms[i].name);
    free(ex->syms);
    ex->syms = NULL;
    ex->count = 0;
}

const fg_elf_symbol *fg_elf_find(const fg_elf_exports *ex, const char *name)
{
    for (size_t i = 0; i < ex->count; i++)
        if (strcmp(ex->syms[i].name, name) == 0)
            return &ex->syms[i];
    return NULL;
}

const char *fg_elf_type_name(unsigned type)
{
    switch (type) {
    case STT_NOTYPE:
        return "NOTYPE";
    case STT_OBJECT:
        return "OBJECT";
    case STT_FUNC:
        return "FUNC";
    case STT_SECTION:
        return "SECTION";
    case STT_FILE:
        return "FILE";
    case STT_COMMON:
        return "COMMON";
    case STT_TLS:
        return "TLS";
    case STT_GNU_IFUNC:
        return "GNU_IFUNC";
    default:
        return "OTHER";
    }
}
