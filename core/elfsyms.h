/*
 * What a shared object exports: its dynamic symbol table, read from the
 * file without loading it, so that `fgcat plugins` and `fgcat plugins
 * check` can tell a plugin that exports more than its entry point.
 *
 * The file is hostile input.  Every offset and size in it is checked
 * against the file's size before it is read, every table has a fixed upper
 * bound, and a file that breaks any rule is refused with one line saying
 * what is wrong, never read out of bounds.  ELF64 and ELF32 files of this
 * host's byte order are read; anything else is refused.
 *
 * The table is found through the section headers (SHT_DYNSYM and its
 * linked string table), as `nm -D` finds it.  The dynamic loader reads the
 * dynamic segment instead, so a file built to make the two disagree can
 * hide a symbol from this reader; the loader's own lookups (dlsym) stay
 * the authority on the entry point.
 */
#ifndef FG_ELFSYMS_H
#define FG_ELFSYMS_H

#include <stddef.h>

#include "status.h"

/* Limits: more is refused as implausible for a plugin. */
#define FG_ELF_MAX_SYMBOLS 100000             /* entries of the dynamic symbol table */
#define FG_ELF_MAX_STRTAB ((size_t)16 * 1024 * 1024) /* bytes of its string table */
#define FG_ELF_MAX_NAME 200                   /* bytes of a name as reported */

/* One exported symbol. */
typedef struct fg_elf_symbol {
    /* The name, made printable: bytes outside 0x21-0x7e are written \xNN
       and a name longer than FG_ELF_MAX_NAME is cut and ends in "...".
       New, owned by the fg_elf_exports. */
    char *name;
    unsigned char type;       /* STT_FUNC, STT_OBJECT, ... */
    unsigned char bind;       /* STB_GLOBAL, STB_WEAK or STB_GNU_UNIQUE */
    unsigned char visibility; /* STV_DEFAULT or STV_PROTECTED */
} fg_elf_symbol;

/* The symbols a file exports, in the order of its symbol table. */
typedef struct fg_elf_exports {
    fg_elf_symbol *syms;
    size_t count;
} fg_elf_exports;

/*
 * Reads the symbols `path` exports: the dynamic symbols that are defined
 * (not SHN_UNDEF), bound STB_GLOBAL, STB_WEAK or STB_GNU_UNIQUE, of
 * default or protected visibility (both can be found from outside the
 * file), and not sections or file names.  Left out as the toolchain's, not
 * the author's: the linker's boundary and init symbols (_init, _fini,
 * _edata, _end, __bss_start and their variants, _DYNAMIC,
 * _GLOBAL_OFFSET_TABLE_, _PROCEDURE_LINKAGE_TABLE_) and the absolute,
 * zero-sized symbols that name the version nodes of a version script.  A
 * versioned definition (name@@V) counts like any other: an unversioned
 * lookup still finds it.  A shared object defines only its own versions
 * (copies of another library's symbols, name@GLIBC_..., occur in
 * executables only), so there is no case for those.
 *
 * On FG_OK fills `out` (close it with fg_elf_exports_close); a file
 * without a dynamic symbol table exports nothing.  Otherwise returns
 * FG_EIO (cannot open or read: errno's text) or FG_EINVAL (not an ELF
 * shared object this reader accepts, or a malformed one), with one line
 * in `err` that does not name the file, and leaves `out` empty.
 */
fg_status fg_elf_exports_read(const char *path, fg_elf_exports *out, fg_error *err);

/* Frees what fg_elf_exports_read filled in and empties `ex`. */
void fg_elf_exports_close(fg_elf_exports *ex);

/* The export named `name`, or NULL; borrowed from `ex`. */
const fg_elf_symbol *fg_elf_find(const fg_elf_exports *ex, const char *name);

/* "FUNC", "OBJECT", "TLS", ... for an STT_* value, "OTHER" for the rest;
   static. */
const char *fg_elf_type_name(unsigned type);

#endif /* FG_ELFSYMS_H */
