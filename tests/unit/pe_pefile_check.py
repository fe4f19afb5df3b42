#!/usr/bin/python3
# pe_pefile_check.py - print what pefile (Debian's python3-pefile) says
# about PE files, one JSON object per line, for tests/unit/test_pe.c to
# compare with pn_pe_parse().
#
#   /usr/bin/python3 tests/unit/pe_pefile_check.py FILE...
#   /usr/bin/python3 tests/unit/pe_pefile_check.py --list LISTFILE
#   /usr/bin/python3 tests/unit/pe_pefile_check.py --wine [N]   list Wine's PE files
#
# Each line: {"path", "ok": true, "imphash", "timestamp", "entry_point",
# "machine", "sections": [{"name_hex", "vsize", "raw_size", "entropy",
# "md5"}], "rich_hash", "overlay" (start offset or null), "checksum"
# (generate_checksum(), files under 1 MiB only, else null)}, or
# {"path", "ok": false, "error"} when pefile refuses the file.
# Exit 77 when pefile is not installed (the test then skips).
#
# --wine lists the PE files (.dll .exe .sys .drv .ocx .cpl .acm .ax .tlb
# .ds .com .msstyles) under /usr/lib/x86_64-linux-gnu/wine and
# /usr/lib/i386-linux-gnu/wine, sorted; with N, every len/N-th one.
#
# SPDX-License-Identifier: MIT
import json
import os
import sys

WINE_DIRS = ["/usr/lib/x86_64-linux-gnu/wine", "/usr/lib/i386-linux-gnu/wine"]
PE_EXTS = (".dll", ".exe", ".sys", ".drv", ".ocx", ".cpl", ".acm", ".ax", ".tlb",
           ".ds", ".com", ".msstyles")


def wine_files():
    out = []
    for top in WINE_DIRS:
        for root, _dirs, files in os.walk(top):
            if "-unix" in root:
                continue
            for f in files:
                if f.lower().endswith(PE_EXTS):
                    p = os.path.join(root, f)
                    if os.path.isfile(p) and not os.path.islink(p):
                        out.append(p)
    return sorted(out)


def describe(pefile, path):
    pe = pefile.PE(path)
    secs = []
    for s in pe.sections:
        secs.append({
            "name_hex": s.Name.split(b"\0")[0].hex(),
            "vsize": s.Misc_VirtualSize,
            "raw_size": s.SizeOfRawData,
            "entropy": s.get_entropy(),
            "md5": s.get_hash_md5(),
        })
    size = len(pe.__data__)
    return {
        "path": path,
        "ok": True,
        "imphash": pe.get_imphash(),
        "timestamp": pe.FILE_HEADER.TimeDateStamp,
        "entry_point": pe.OPTIONAL_HEADER.AddressOfEntryPoint,
        "machine": pe.FILE_HEADER.Machine,
        "sections": secs,
        "rich_hash": pe.get_rich_header_hash(),
        "overlay": pe.get_overlay_data_start_offset(),
        "checksum": pe.generate_checksum() if size < (1 << 20) else None,
    }


def main():
    args = sys.argv[1:]
    if args and args[0] == "--wine":
        files = wine_files()
        if len(args) > 1 and int(args[1]) > 0 and len(files) > int(args[1]):
            step = len(files) / int(args[1])
            files = [files[int(i * step)] for i in range(int(args[1]))]
        print("\n".join(files))
        return 0
    try:
        import pefile
    except ImportError:
        sys.stderr.write("pe_pefile_check: python3-pefile is not installed\n")
        return 77
    if args and args[0] == "--list":
        with open(args[1]) as f:
            args = [l.rstrip("\n") for l in f if l.strip()]
    for path in args:
        try:
            rec = describe(pefile, path)
        except Exception as e:  # pefile raises many kinds
            rec = {"path": path, "ok": False, "error": str(e)[:200]}
        print(json.dumps(rec), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
