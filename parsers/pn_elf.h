/*
 * pn_elf.h - the ELF parser (parsers/elf.c): the "elf_info" attribute of a
 * file report, in VirusTotal's shape (VT-API.md §5.2) plus a few Panoptes
 * extras (docs/internals/elf-macho.md).
 *
 * pn_parser_elf bids on "\x7fELF" and parses 32- and 64-bit files of either
 * byte order and every e_type (REL, EXEC, DYN, CORE, others): the header,
 * section headers (with the extended numbering of gABI ch. 4: e_shnum 0,
 * e_shstrndx SHN_XINDEX and e_phnum PN_XNUM taken from section 0), program
 * headers with the sections each segment holds, the dynamic section
 * (DT_NEEDED, DT_SONAME, DT_RPATH, DT_RUNPATH), the dynamic symbol table
 * (from SHT_DYNSYM or, without section headers, from DT_SYMTAB sized by
 * DT_HASH or DT_GNU_HASH), PT_INTERP, the GNU build-id note and packer
 * hints.  All input is read through lib/rd.h.
 *
 * Limits (below): counts read from the file are capped; what is cut is
 * named in a note and parse() returns PN_ELIMIT.  The total of name bytes
 * written is capped by PN_ELF_MAX_OUTPUT so that elf_info stays well under
 * the worker's PN_ANALYSIS_RESULT_MAX.
 * Errors: a file too short for its ELF header, or with an unknown class,
 * gets no elf_info and PN_EFORMAT; any other damage keeps what could be
 * read, adds a note and returns PN_EFORMAT.
 * Spec: System V gABI (2013 draft) ch. 4 "Object Files" and ch. 5 "Program
 * Loading and Dynamic Linking"; the x86-64 psABI for SHF_X86_64_LARGE and
 * SHT_X86_64_UNWIND; strings follow GNU readelf (binutils 2.40).
 * Named pn_elf.h, not elf.h: -Iparsers would otherwise shadow the system
 * <elf.h>, which <seccomp.h> includes (as lib/pn_limits.h avoids <limits.h>).
 * See also: docs/internals/elf-macho.md, tests/unit/test_elf.c,
 * tests/fuzz/fuzz_elf.c.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_PN_ELF_H
#define PN_PN_ELF_H

#include "parser.h"

#define PN_ELF_MAX_SECTIONS      4096          /* section headers read */
#define PN_ELF_MAX_SEGMENTS      1024          /* program headers read */
#define PN_ELF_MAX_SYMBOLS       65536         /* dynamic symbol entries examined */
#define PN_ELF_MAX_LISTED        8192          /* entries of import_list, of export_list */
#define PN_ELF_MAX_NEEDED        256           /* DT_NEEDED entries listed */
#define PN_ELF_MAX_DYN           65536         /* dynamic entries read */
#define PN_ELF_MAX_NAME          512           /* bytes of one name kept */
#define PN_ELF_MAX_MAPPINGS      16384         /* section names listed in segment_list, in all */
#define PN_ELF_MAX_OUTPUT        (1u << 20)    /* name bytes written into elf_info, in all */
#define PN_ELF_MAX_ENTROPY_BYTES (256u << 20)  /* bytes read for section entropies, in all */
#define PN_ELF_MAX_NOTE_ENTRIES  1024          /* ELF notes walked looking for the build-id */
#define PN_ELF_MAX_BUILD_ID      64            /* bytes of a build-id shown */
#define PN_ELF_MAX_NOTES         16            /* analysis notes added per file */

/* Entropy (bits per byte) above which an executable section is a packer hint. */
#define PN_ELF_PACKED_ENTROPY    7.5

extern const struct pn_parser pn_parser_elf;

#endif
