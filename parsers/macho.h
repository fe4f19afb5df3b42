/*
 * macho.h - the Mach-O parser (parsers/macho.c): the "macho_info"
 * attribute of a file report, a list with one entry per architecture
 * (VT-API.md §5.2; member names as VirusTotal's reports show them, extras
 * in docs/internals/elf-macho.md).
 *
 * pn_parser_macho bids on thin Mach-O (MH_MAGIC, MH_CIGAM, MH_MAGIC_64,
 * MH_CIGAM_64) and on universal ("fat") files (FAT_MAGIC, FAT_MAGIC_64,
 * always big-endian).  0xCAFEBABE is also the magic of Java class files,
 * whose next word (minor << 16 | major version, major >= 45) is where a
 * fat header keeps nfat_arch: like file(1), a count of 1 to
 * PN_MACHO_FAT_PLAUSIBLE is fat, anything else is not ours.
 *
 * Each architecture yields its header, every load command's type, the
 * segments with their sections, linked dylibs, rpaths, the dynamic
 * linker, UUID, minimum OS (LC_BUILD_VERSION / LC_VERSION_MIN_*), the
 * LC_MAIN entry offset, encryption, symbol count and the code signature:
 * present or not, the blobs of its SuperBlob, whether it embeds
 * entitlements (blob magic 0xfade7171) and their XML.  All input is read
 * through lib/rd.h; every cmdsize is checked (>= 8, a multiple of 4 or 8,
 * inside sizeofcmds and the file).
 *
 * Limits (below): what a limit cuts is named in a note and parse()
 * returns PN_ELIMIT.
 * Errors: PN_EFORMAT with a note for damage (what could be read is kept);
 * a fat slice that is not a Mach-O (a static library, a nested fat file)
 * gets an entry with only "fat_arch".
 * Spec: Apple <mach-o/loader.h>, <mach-o/fat.h>, <mach/machine.h> (cctools
 * and xnu, EXTERNAL_HEADERS/mach-o), xnu osfmk/kern/cs_blobs.h for the
 * code signature SuperBlob.
 * See also: docs/internals/elf-macho.md, tests/unit/test_macho.c,
 * tests/fuzz/fuzz_macho.c.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_MACHO_H
#define PN_MACHO_H

#include "parser.h"

#define PN_MACHO_FAT_PLAUSIBLE   19           /* most nfat_arch taken as fat, not Java */
#define PN_MACHO_MAX_ARCHS       PN_MACHO_FAT_PLAUSIBLE /* fat entries parsed */
#define PN_MACHO_MAX_CMDS        4096         /* load commands read per architecture */
#define PN_MACHO_MAX_SECTIONS    4096         /* sections listed per architecture */
#define PN_MACHO_MAX_LIBS        1024         /* dylibs and rpaths listed per architecture */
#define PN_MACHO_MAX_NAME        1024         /* bytes of one name kept */
#define PN_MACHO_MAX_BLOBS       64           /* SuperBlob index entries read */
#define PN_MACHO_MAX_ENTITLEMENTS 16384       /* bytes of entitlements XML kept */
#define PN_MACHO_MAX_OUTPUT      (1u << 20)   /* name bytes written into macho_info, in all */
#define PN_MACHO_MAX_NOTES       16           /* analysis notes added per file */

extern const struct pn_parser pn_parser_macho;

#endif
