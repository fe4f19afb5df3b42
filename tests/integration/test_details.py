"""
test_details.py - static analysis through the API (cases 2xxx "parsers"):
a PE and an ELF built here, a PDF with JavaScript, a macro workbook and a
nested archive each show their details on GET /files/{id}; the archive's
members become file objects of their own, linked both ways, each with its
own completed report.  Samples are made at test time: gcc and mingw for the
programs, tests/data/pdf/make-pdfs.py for the PDF, the OOXML unit test's
writer (--write-seeds) for the workbook, zipfile for the archives.

SPDX-License-Identifier: MIT
"""

import io
import os
import shutil
import subprocess
import time
import zipfile

import lib

HELLO = b'#include <stdio.h>\nint main(void) { puts("hello from panoptes"); return 0; }\n'


def _compile(ctx, cc, name, extra=()):
    if shutil.which(cc) is None:
        return None
    d = ctx.mkdtemp("details-" + name)
    src = os.path.join(d, "hello.c")
    out = os.path.join(d, name)
    with open(src, "wb") as f:
        f.write(HELLO)
    r = subprocess.run([cc, "-O1", "-o", out, src] + list(extra), capture_output=True)
    if r.returncode != 0:
        return None
    with open(out, "rb") as f:
        return f.read()


def _attrs(srv, sha256):
    r = srv.get("files/" + sha256)
    return ((r.json or {}).get("data") or {}).get("attributes", {})


def _submit(t, srv, data, name):
    aid, _ = srv.upload_and_wait(data, name)
    return _attrs(srv, lib.hashes(data)["sha256"])


def _pefile_imphash(data, d):
    path = os.path.join(d, "pe.exe")
    with open(path, "wb") as f:
        f.write(data)
    r = subprocess.run(["/usr/bin/python3", "-c",
                        "import pefile,sys; print(pefile.PE(sys.argv[1]).get_imphash())", path],
                       capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else None


def test_pe_details(ctx, t):
    srv = ctx.shared()
    data = _compile(ctx, "x86_64-w64-mingw32-gcc", "hello.exe")
    if data is None:
        t.ok(True, "# SKIP mingw is not installed: no PE built")
        return
    a = _submit(t, srv, data, "hello.exe")
    pe = a.get("pe_info") or {}
    c = t.check("PE built with mingw: pe_info with sections, imports and imphash")
    c.eq(a.get("type_tag"), "peexe", "type_tag")
    c(len(pe.get("sections") or []) >= 3, "sections %r" % (pe.get("sections"),))
    c(any(x.get("library_name", "").lower() == "kernel32.dll" for x in pe.get("import_list") or []),
      "import_list names KERNEL32.dll")
    c(isinstance(pe.get("entry_point"), int), "entry_point is an int")
    ref = _pefile_imphash(data, ctx.mkdtemp("details-pefile"))
    if ref is not None:
        c.eq(pe.get("imphash"), ref, "imphash equals pefile's")
    c.done()


def test_elf_details(ctx, t):
    srv = ctx.shared()
    data = _compile(ctx, "gcc", "hello-elf")
    t.require(data is not None, "gcc builds an ELF")
    a = _submit(t, srv, data, "hello-elf")
    elf = a.get("elf_info") or {}
    c = t.check("ELF built with gcc: elf_info header, sections and libraries")
    c.eq(a.get("type_tag"), "elf", "type_tag")
    c.eq((elf.get("header") or {}).get("class"), "ELF64", "header.class")
    c("libc.so.6" in (elf.get("shared_libraries") or []), "shared_libraries %r" % (
        elf.get("shared_libraries"),))
    c(any(s.get("name") == ".text" for s in elf.get("section_list") or []), ".text listed")
    c("64bits" in (a.get("tags") or []), "tag 64bits")
    c.done()


def test_pdf_details(ctx, t):
    srv = ctx.shared()
    d = ctx.mkdtemp("details-pdf")
    r = subprocess.run(["/usr/bin/python3", os.path.join(lib.ROOT, "tests/data/pdf/make-pdfs.py"), d],
                       capture_output=True)
    t.require(r.returncode == 0, "PDFs generated")
    with open(os.path.join(d, "openaction-js.pdf"), "rb") as f:
        data = f.read()
    a = _submit(t, srv, data, "openaction-js.pdf")
    pdf = a.get("pdf_info") or {}
    c = t.check("PDF with /OpenAction and /JS: pdf_info counts and tags")
    c.eq(a.get("type_tag"), "pdf", "type_tag")
    c((pdf.get("js") or 0) >= 1, "pdf_info.js %r" % pdf.get("js"))
    c((pdf.get("openaction") or 0) >= 1, "pdf_info.openaction %r" % pdf.get("openaction"))
    c("js-embedded" in (a.get("tags") or []), "tags %r" % a.get("tags"))
    c.done()


def test_macro_document(ctx, t):
    srv = ctx.shared()
    tool = os.path.join(os.path.dirname(ctx.bin), "tests", "test_ooxml")
    d = ctx.mkdtemp("details-office")
    if not os.access(tool, os.X_OK):
        t.ok(False, "the OOXML writer %s is built (make check builds it)" % tool)
        return
    r = subprocess.run([tool, "--write-seeds", d], capture_output=True)
    path = os.path.join(d, "ooxml", "macro.xlsm")
    t.require(r.returncode == 0 and os.path.exists(path), "macro workbook written")
    with open(path, "rb") as f:
        data = f.read()
    a = _submit(t, srv, data, "macro.xlsm")
    ox = a.get("openxml_info") or {}
    c = t.check("macro workbook: openxml_info with the VBA macros and tag 'macros'")
    c("macros" in (a.get("tags") or []), "tags %r" % a.get("tags"))
    macros = ((ox.get("ole") or {}).get("macros")) or []
    c(len(macros) >= 1 and any("vba_code" in m for m in macros), "macros with source: %r" % (
        [m.get("vba_filename") for m in macros],))
    c.done()


def test_nested_archive(ctx, t):
    srv = ctx.shared()
    inner_file = lib.random_bytes(3000, b"nested-member")
    eicar = lib.eicar()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("deep/member.bin", inner_file)
        z.writestr("eicar.txt", eicar)
    inner = buf.getvalue()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("inner.zip", inner)
        z.writestr("readme.txt", b"nested archive test\n")
    outer = buf.getvalue()
    a = _submit(t, srv, outer, "outer.zip")
    c = t.check("outer zip: bundle_info lists its two members")
    bi = a.get("bundle_info") or {}
    c.eq(bi.get("num_children"), 2, "num_children")
    c.eq(bi.get("type"), "ZIP", "type")
    c.done()

    oh, ih = lib.hashes(outer)["sha256"], lib.hashes(inner)["sha256"]
    mh, eh = lib.hashes(inner_file)["sha256"], lib.hashes(eicar)["sha256"]

    def related(sha, rel):
        r = srv.get("files/%s/%s" % (sha, rel))
        return {o["id"]: o for o in ((r.json or {}).get("data") or [])}

    # Members are analysed after the parent: wait for the whole tree.
    deadline = time.monotonic() + ctx.analysis_timeout
    while time.monotonic() < deadline:
        deep = related(ih, "bundled_files")
        if mh in deep and eh in deep and all(
                o["attributes"].get("last_analysis_date") for o in deep.values()):
            break
        time.sleep(ctx.poll_interval)
    kids = related(oh, "bundled_files")
    t.ok(ih in kids, "the inner zip is a bundled file of the outer one")
    deep = related(ih, "bundled_files")
    t.ok(mh in deep and eh in deep, "the inner zip's members are its bundled files")
    e = deep.get(eh, {}).get("attributes", {})
    t.eq((e.get("last_analysis_stats") or {}).get("malicious", 0) >= 1, True,
         "the EICAR member has its own report, flagged malicious")
    t.eq(e.get("names"), ["eicar.txt"], "the member keeps its name from the archive")
    parents = related(eh, "compressed_parents")
    t.ok(ih in parents, "compressed_parents leads back to the inner zip")
