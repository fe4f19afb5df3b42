#!/usr/bin/python3
# make-pdfs.py - write the PDF test documents of tests/unit/test_pdf.c and
# the keyword counts an independent counter finds in them.
#
#   make-pdfs.py OUTDIR [EXTRA.pdf ...]
#
# Writes OUTDIR/<name>.pdf for every document below (Python stdlib only,
# deterministic) and OUTDIR/expected.tsv with one line per document and
# pdf_info key: "<path>\t<key>\t<value>".  EXTRA files (Debian-packaged
# PDFs found by the test) get expected lines too, so the C parser is
# compared with this script on real documents as well.
#
# The counter here is deliberately not a port of pdf.c: it uses regular
# expressions (names: '/' then letters, digits and #xx; keywords: whole
# runs of letters and digits not preceded by a letter, digit, '/' or '#'),
# which is how pdfid's counting reads for well-formed files.  pdfid itself
# is not packaged in Debian.
#
# SPDX-License-Identifier: MIT
import os
import re
import sys
import zlib

# ----------------------------------------------------------------- writer


def stream(data, extra=b"", filters=None):
    f = b""
    if filters:
        f = b" /Filter [" + b" ".join(b"/" + x for x in filters) + b"]"
    return (b"<< /Length %d" % len(data)) + f + b" " + extra + b" >>\nstream\n" + data + b"\nendstream"


def flate(data, extra=b""):
    return stream(zlib.compress(data, 9), extra, [b"FlateDecode"])


def pdf(objects, trailer=b"", header=b"%PDF-1.7", prefix=b"", suffix=b""):
    """objects: list of bodies, numbered from 1; object 1 is the catalog."""
    out = bytearray(prefix + header + b"\n%\xe2\xe3\xcf\xd3\n")
    offs = []
    for i, body in enumerate(objects, 1):
        offs.append(len(out) - len(prefix))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out) - len(prefix)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for o in offs:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root 1 0 R " % (len(objects) + 1) + trailer + b">>\n"
    out += b"startxref\n%d\n%%%%EOF\n" % xref + suffix
    return bytes(out)


CATALOG = b"<< /Type /Catalog /Pages 2 0 R%s >>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"


def page(extra=b""):
    return b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R" + extra + b" >>"


CONTENT = flate(b"BT /F1 24 Tf 72 720 Td (Hello, PDF) Tj ET")


def simple(catalog_extra=b"", page_extra=b"", more=(), trailer=b"", **kw):
    objs = [CATALOG % catalog_extra, PAGES, page(page_extra), CONTENT] + list(more)
    return pdf(objs, trailer, **kw)

# -------------------------------------------------------------- documents


def docs():
    d = {}
    d["plain"] = simple(more=[b"<< /Title (Plain) /Producer (make-pdfs.py) >>"],
                        trailer=b"/Info 5 0 R ")
    d["openaction-js"] = simple(b" /OpenAction << /S /JavaScript /JS (app.alert\\('hello from js'\\);) >>")
    # a Flate script by reference, plus a page additional action
    d["flate-js"] = simple(
        b" /OpenAction 5 0 R",
        b" /AA << /O << /S /JavaScript /JS (this.print\\(\\);) >> >>",
        [b"<< /Type /Action /S /JavaScript /JS 6 0 R >>",
         flate(b"var s = 'flate-compressed script'; app.alert(s);")])
    hello = b"Hello, embedded world! 26"
    mz = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
    d["embedded"] = simple(
        b" /Names << /EmbeddedFiles << /Names [(hello.txt) 5 0 R (payload.exe) 7 0 R] >> >>",
        more=[b"<< /Type /Filespec /F (hello.txt) /UF (hello.txt) /EF << /F 6 0 R >> >>",
              flate(hello, b"/Type /EmbeddedFile /Subtype /text#2Fplain /Params << /Size %d >>" % len(hello)),
              b"<< /Type /Filespec /F (payload.exe) /UF <FEFF007000610079006C006F00610064002E006500780065> /EF << /F 8 0 R >> >>",
              stream(mz, b"/Type /EmbeddedFile /DL %d" % len(mz))])
    d["uri"] = simple(
        page_extra=b" /Annots [5 0 R 6 0 R 7 0 R 8 0 R]",
        more=[b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A << /S /URI /URI (http://example.com/path\\(1\\)?q=a) >> >>",
              b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A << /S /URI /URI <" +
              b"https://example.org/hex".hex().encode() + b"> >> >>",
              b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A << /S /URI /URI (mailto:someone@example.com) >> >>",
              b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A << /S /URI /URI (http://example.net/\\141bc) >> >>"])
    d["hexnames"] = simple(b" /O#70enAction << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>")
    d["encrypted"] = simple(
        b" /OpenAction << /S /JavaScript /JS <8f12a3b4c5d6e7f8> >>",
        more=[b"<< /Filter /Standard /V 1 /R 2 /O <" + b"ab" * 32 + b"> /U <" + b"cd" * 32 + b"> /P -4 >>"],
        trailer=b"/Encrypt 5 0 R /ID [<0123456789abcdef0123456789abcdef><0123456789abcdef0123456789abcdef>] ")
    many = [b"<< /Type /Annot /Subtype /Text /N %d /Contents (note %d) >>" % (i, i) for i in range(5, 5001)]
    d["many-objects"] = simple(more=many)
    d["objstm"] = objstm_pdf()
    # filter chains: /Names /JavaScript tree of actions whose scripts are streams
    js = [b"hex and flate", b"ascii85", b"run length", b"lzw (not decoded)"]
    chain = [stream(zlib.compress(b"app.alert('" + js[0] + b"');").hex().encode() + b">",
                    b"", [b"ASCIIHexDecode", b"FlateDecode"]),
             stream(a85(b"app.alert('" + js[1] + b"');"), b"", [b"ASCII85Decode"]),
             stream(runlength(b"app.alert('" + js[2] + b"');"), b"", [b"RunLengthDecode"]),
             stream(b"\x80\x0b\x60\x50\x22\x0c\x0c\x85\x01", b"", [b"LZWDecode"])]
    acts = [b"<< /S /JavaScript /JS %d 0 R >>" % (9 + i) for i in range(4)]
    tree = b" /Names << /JavaScript << /Names [(a) 5 0 R (b) 6 0 R (c) 7 0 R (d) 8 0 R] >> >>"
    d["chain"] = simple(tree, more=acts + chain)
    d["launch"] = simple(b" /OpenAction << /S /Launch /Win << /F (cmd.exe) /P (/c calc.exe) >> >>")
    d["keywords"] = simple(
        b" /AcroForm << /XFA 6 0 R /Fields [] >> /OpenAction 7 0 R",
        b" /AA << /C 7 0 R >> /Annots [8 0 R]",
        [stream(b"\x00" * 16, b"/Type /XObject /Subtype /Image /Width 4 /Height 4 /BitsPerComponent 1"
                b" /Filter /JBIG2Decode /DecodeParms << /Predictor 2 /Colors 16777217 /Columns 4 >>"),
         b"<< /Length 0 >>\nstream\n\nendstream",
         b"<< /S /JavaScript /JS (1;) >>",
         b"<< /Type /Annot /Subtype /RichMedia /RichMediaContent << /Colors 3 >> >>"])
    d["header-offset"] = simple(prefix=b"JUNK" * 25, suffix=b"trailing garbage after eof\n")
    # a deflate bomb: 32 MiB of 'A' in about 32 KB, run as a script
    d["bomb"] = simple(b" /OpenAction << /S /JavaScript /JS 5 0 R >>",
                       more=[flate(b"A" * (32 << 20))])
    # twenty of them exhaust the per-file budget
    bombs = [flate(b"\x00" * (8 << 20))] * 20
    refs = b" ".join(b"(s%d) %d 0 R" % (i, 25 + i) for i in range(20))
    acts = [b"<< /S /JavaScript /JS %d 0 R >>" % (5 + i) for i in range(20)]
    d["bombs"] = simple(b" /Names << /JavaScript << /Names [" + refs + b"] >> >>",
                        more=bombs + acts)
    return d


def a85(data):
    out = bytearray()
    for i in range(0, len(data), 4):
        chunk = data[i:i + 4]
        n = len(chunk)
        v = int.from_bytes(chunk + b"\x00" * (4 - n), "big")
        if v == 0 and n == 4:
            out += b"z"
            continue
        digits = []
        for _ in range(5):
            digits.append(v % 85)
            v //= 85
        enc = bytes(33 + x for x in reversed(digits))
        out += enc[:n + 1]
    return bytes(out) + b"~>"


def runlength(data):
    out = bytearray()
    i = 0
    while i < len(data):
        # a run of one repeated byte, else a literal chunk
        j = i
        while j < len(data) and data[j] == data[i] and j - i < 128:
            j += 1
        if j - i >= 2:
            out += bytes([257 - (j - i), data[i]])
            i = j
        else:
            k = min(len(data), i + 128)
            out += bytes([k - i - 1]) + data[i:k]
            i = k
    return bytes(out) + b"\x80"


def objstm_pdf():
    """PDF 1.5: objects 1-5 and 8 in an object stream (6), xref stream (7)."""
    inner = {
        1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Annots [5 0 R] >>",
        8: b"(app.alert\\('from objstm string'\\);)",
        4: b"<< /S /JavaScript /JS 8 0 R >>",
        5: b"<< /Type /Annot /Subtype /Link /A << /S /URI /URI (http://objstm.example/) >> >>",
    }
    body = bytearray()
    hdr = []
    for num, obj in inner.items():
        hdr.append(b"%d %d" % (num, len(body)))
        body += obj + b"\n"
    head = b" ".join(hdr) + b"\n"
    data = head + bytes(body)
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    off6 = len(out)
    out += b"6 0 obj\n" + flate(data, b"/Type /ObjStm /N %d /First %d" % (len(inner), len(head))) + b"\nendobj\n"
    off7 = len(out)
    rows = [(0, 0, 255)]
    idx = {num: i for i, num in enumerate(inner)}
    for n in range(1, 9):
        if n == 6:
            rows.append((1, off6, 0))
        elif n == 7:
            rows.append((1, off7, 0))
        else:
            rows.append((2, 6, idx[n]))
    xdata = b"".join(bytes([t]) + a.to_bytes(2, "big") + bytes([b]) for t, a, b in rows)
    out += b"7 0 obj\n" + flate(xdata, b"/Type /XRef /Size 9 /W [1 2 1] /Root 1 0 R") + b"\nendobj\n"
    out += b"startxref\n%d\n%%%%EOF\n" % off7
    return bytes(out)

# ---------------------------------------------------------------- counter

WORDS = {"obj": "num_obj", "endobj": "num_endobj", "stream": "num_stream",
         "endstream": "num_endstream", "xref": "xref", "trailer": "trailer",
         "startxref": "startxref"}
NAMES = {"Page": "num_pages", "Encrypt": "encrypted", "ObjStm": "num_object_streams",
         "JS": "js", "JavaScript": "javascript", "AA": "autoaction",
         "OpenAction": "openaction", "AcroForm": "acroform",
         "JBIG2Decode": "jbig2_compression", "RichMedia": "flash",
         "Launch": "num_launch_actions", "EmbeddedFile": "embedded_file", "XFA": "xfa"}


def counts(data):
    c = dict.fromkeys(list(WORDS.values()) + list(NAMES.values()), 0)
    for m in re.finditer(rb"/((?:[A-Za-z0-9]|#[0-9A-Fa-f]{2})+)", data):
        name = re.sub(rb"#([0-9A-Fa-f]{2})", lambda x: bytes([int(x.group(1), 16)]), m.group(1))
        key = NAMES.get(name.decode("latin-1"))
        if key:
            c[key] += 1
    for m in re.finditer(rb"(?<![A-Za-z0-9/#])[A-Za-z0-9]+", data):
        key = WORDS.get(m.group(0).decode("ascii"))
        if key:
            c[key] += 1
    c["encrypted"] = 1 if c["encrypted"] else 0
    c["suspicious_colors"] = sum(1 for m in re.finditer(rb"/Colors\s+(\d+)", data)
                                 if int(m.group(1)) > 1 << 24)
    h = re.search(rb"%PDF-[0-9.]{0,8}", data[:1024])
    c["header"] = h.group(0).decode("ascii") if h else ""
    return c


def unescape(lit):
    """A literal string's escapes (ISO 32000-1 7.3.4.2), for the URI check."""
    out = bytearray()
    i = 0
    while i < len(lit):
        c = lit[i]
        i += 1
        if c != 0x5c or i >= len(lit):
            out.append(c)
            continue
        e = lit[i]
        i += 1
        if e in b"01234567":
            j = i
            while j < len(lit) and j - i < 2 and lit[j] in b"01234567":
                j += 1
            out.append(int(lit[i - 1:j], 8) & 0xFF)
            i = j
        else:
            out += {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t"}.get(e, bytes([e]))
    return bytes(out)


def urls(data):
    """http(s)/ftp /URI values in the file and in its Flate streams."""
    found = set()
    parts = [data]
    for m in re.finditer(rb"stream\r?\n", data):
        try:
            parts.append(zlib.decompressobj().decompress(data[m.end():], 4 << 20))
        except zlib.error:
            pass
    for part in parts:
        for m in re.finditer(rb"/URI\s*(?:\(((?:\\.|[^\\)])*)\)|<([0-9A-Fa-f\s]*)>)", part):
            u = unescape(m.group(1)) if m.group(1) is not None else bytes.fromhex(m.group(2).decode())
            u = u.strip()
            if re.match(rb"(?i)(https?|ftp)://[\x21-\x7e]+$", u):
                found.add(u.decode("ascii"))
    return " ".join(sorted(found))


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: make-pdfs.py OUTDIR [EXTRA.pdf ...]")
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    lines = []
    for name, data in docs().items():
        path = os.path.join(outdir, name + ".pdf")
        with open(path, "wb") as f:
            f.write(data)
        for k, v in sorted(counts(data).items()):
            lines.append("%s\t%s\t%s\n" % (path, k, v))
        lines.append("%s\t_urls\t%s\n" % (path, urls(data)))
    for path in sys.argv[2:]:
        with open(path, "rb") as f:
            data = f.read()
        for k, v in sorted(counts(data).items()):
            lines.append("%s\t%s\t%s\n" % (path, k, v))
        lines.append("%s\t_urls\t%s\n" % (path, urls(data)))
    with open(os.path.join(outdir, "expected.tsv"), "w") as f:
        f.writelines(lines)


if __name__ == "__main__":
    main()
