/*
 * pe_sig.c - Authenticode: the certificate table of a PE image (data
 * directory 4), the signer chain's names read from its PKCS#7 SignedData
 * with OpenSSL, and the authentihash.
 *
 * The certificate table lies at a file offset (not an RVA) and holds
 * WIN_CERTIFICATE entries {dwLength, wRevision, wCertificateType,
 * bCertificate}, each 8-byte aligned.  The first PKCS#7 entry (type 2) is
 * decoded with d2i_PKCS7() over exactly its bytes (its dwLength checked
 * against the directory and the file first); the signer comes from
 * PKCS7_get0_signers(), then the chain is followed through the embedded
 * certificates by issuer name, leaf first, as far as it goes (at most
 * PN_PE_MAX_CERTS).  Nothing is verified: neither the signature over the
 * image, nor the chain, nor time validity; the report says so.
 *
 * authentihash: SHA-256 of the file without the CheckSum field, without
 * data directory entry 4 and without the certificate table, i.e. the
 * Authenticode digest for a conformant image (sections contiguous after
 * the headers, the certificate table at the end).  Images whose sections
 * overlap or leave gaps may hash differently in Windows' section-by-
 * section algorithm; none of the test files does.
 *
 * Limits: PN_PE_MAX_CERTS, PN_PE_MAX_CERT_ENTRIES.
 * Spec: PE/COFF rev 11 §5.7 (attribute certificate table); "Windows
 * Authenticode Portable Executable Signature Format" 1.0 (hash
 * calculation); RFC 2315 (PKCS #7 SignedData).
 * See also: pe.h, docs/internals/pe.md, tests/unit/test_pe.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pe_int.h"
#include "utf8.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#define WIN_CERT_HDR          8
#define WIN_CERT_TYPE_PKCS7   2

/* ------------------------------------------------------------ names */

static char *
name_text(X509_NAME *nm)
{
	int i = X509_NAME_get_index_by_NID(nm, NID_commonName, -1);
	char buf[512], *s;

	if (i >= 0) {
		ASN1_STRING *d = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(nm, i));
		unsigned char *u = NULL;
		int n = ASN1_STRING_to_UTF8(&u, d);
		if (n >= 0) {
			s = pn_pe_clean((const char *)u, (size_t)n);
			OPENSSL_free(u);
			return s;
		}
	}
	if (X509_NAME_oneline(nm, buf, sizeof(buf)) == NULL)
		return pn_xstrdup("");
	return pn_pe_clean(buf, strlen(buf));
}

static void
time_text(const ASN1_TIME *t, char *out, size_t n)
{
	struct tm tm;

	out[0] = '\0';
	if (t && ASN1_TIME_to_tm(t, &tm) == 1)
		strftime(out, n, "%Y-%m-%d %H:%M:%S", &tm);
}

static void
add_cert(struct pn_pe *pe, X509 *x)
{
	struct pn_pe_cert *c = &pe->certs[pe->ncerts++];
	const ASN1_INTEGER *sn = X509_get0_serialNumber(x);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	const unsigned char *b;
	int i, n;
	size_t o = 0;

	c->subject_cn = name_text(X509_get_subject_name(x));
	c->issuer_cn = name_text(X509_get_issuer_name(x));
	b = ASN1_STRING_get0_data(sn);
	n = PN_MIN(ASN1_STRING_length(sn), 64);
	c->serial = pn_xmalloc((size_t)(n > 0 ? n : 0) * 3 + 1);
	c->serial[0] = '\0';
	for (i = 0; i < n; i++) {
		snprintf(c->serial + o, 4, i ? " %02x" : "%02x", b[i]);
		o += i ? 3 : 2;
	}
	if (X509_digest(x, EVP_sha1(), md, &mdlen) == 1 && mdlen == 20)
		pn_hex(md, mdlen, c->thumbprint);
	time_text(X509_get0_notBefore(x), c->not_before, sizeof(c->not_before));
	time_text(X509_get0_notAfter(x), c->not_after, sizeof(c->not_after));
}

/* The certificate in certs that issued x (not x itself), or NULL. */
static X509 *
find_issuer(STACK_OF(X509) *certs, X509 *x)
{
	int i;

	for (i = 0; i < sk_X509_num(certs); i++) {
		X509 *cand = sk_X509_value(certs, i);
		if (cand != x && X509_NAME_cmp(X509_get_issuer_name(x), X509_get_subject_name(cand)) == 0)
			return cand;
	}
	return NULL;
}

static int
listed(X509 **done, size_t n, X509 *x)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (done[i] == x)
			return 1;
	return 0;
}

/* Signer chain first (its names in pe->signers), then the other certificates. */
static void
collect(struct pn_pe_ctx *c, PKCS7 *p7)
{
	struct pn_pe *pe = c->pe;
	STACK_OF(X509) *certs = p7->d.sign->cert, *signers;
	X509 *done[PN_PE_MAX_CERTS], *x;
	size_t nchain = 0, len = 0, i;
	int k;

	pe->certs = pn_xcalloc(PN_PE_MAX_CERTS, sizeof(*pe->certs));
	signers = PKCS7_get0_signers(p7, NULL, 0);
	x = signers && sk_X509_num(signers) > 0 ? sk_X509_value(signers, 0) : NULL;
	if (x == NULL)
		pn_pe_note(c, "signature: the signer's certificate is not in the signature");
	while (x && pe->ncerts < PN_PE_MAX_CERTS && !listed(done, pe->ncerts, x)) {
		done[pe->ncerts] = x;
		add_cert(pe, x);
		nchain++;
		x = find_issuer(certs, x);
	}
	sk_X509_free(signers);
	for (i = 0; i < nchain; i++)
		len += strlen(pe->certs[i].subject_cn) + 2;
	if (nchain) {
		size_t o = 0;
		pe->signers = pn_xcalloc(len + 1, 1);
		for (i = 0; i < nchain; i++) {
			size_t n = strlen(pe->certs[i].subject_cn);
			if (i) {
				memcpy(pe->signers + o, "; ", 2);
				o += 2;
			}
			memcpy(pe->signers + o, pe->certs[i].subject_cn, n);
			o += n;
		}
		pe->signers[o] = '\0';
	}
	for (k = 0; k < sk_X509_num(certs) && pe->ncerts < PN_PE_MAX_CERTS; k++) {
		x = sk_X509_value(certs, k);
		if (!listed(done, pe->ncerts, x)) {
			done[pe->ncerts] = x;
			add_cert(pe, x);
		}
	}
	if (sk_X509_num(certs) > PN_PE_MAX_CERTS)
		pn_pe_note_limit(c, "signature: %d certificates, %d kept", sk_X509_num(certs), PN_PE_MAX_CERTS);
}

static void
decode_pkcs7(struct pn_pe_ctx *c, const uint8_t *p, size_t n)
{
	const unsigned char *q = p;
	PKCS7 *p7;

	if (n > LONG_MAX || (p7 = d2i_PKCS7(NULL, &q, (long)n)) == NULL) {
		pn_pe_note(c, "signature: the PKCS#7 data does not decode");
		ERR_clear_error();
		return;
	}
	if (!PKCS7_type_is_signed(p7) || p7->d.sign == NULL) {
		pn_pe_note(c, "signature: PKCS#7 data is not SignedData");
	} else {
		c->pe->sig_parsed = 1;
		collect(c, p7);
	}
	PKCS7_free(p7);
	ERR_clear_error();
}

void
pn_pe_parse_signature(struct pn_pe_ctx *c)
{
	struct pn_pe *pe = c->pe;
	const struct pn_pe_dir *d = &pe->dirs[PE_DIR_SECURITY];
	struct pn_rd tab, r;
	unsigned k;

	if (pe->ndirs <= PE_DIR_SECURITY || d->rva == 0 || d->size == 0)
		return;
	pe->has_security = 1;
	if (pn_rd_at(&c->in, d->rva, d->size, &tab) != PN_OK) {
		pn_pe_note(c, "signature: certificate table (offset %u, %u bytes) is outside the file",
		    d->rva, d->size);
		return;
	}
	for (k = 0; k < PN_PE_MAX_CERT_ENTRIES && pn_rd_left(&tab) >= WIN_CERT_HDR; k++) {
		uint32_t len = 0;
		uint16_t rev = 0, type = 0;
		const uint8_t *body = NULL;

		r = tab;
		pn_rd_le32(&r, &len);
		pn_rd_le16(&r, &rev);
		pn_rd_le16(&r, &type);
		if (len < WIN_CERT_HDR || len > pn_rd_left(&tab)) {
			pn_pe_note(c, "signature: WIN_CERTIFICATE length %u does not fit the table", len);
			return;
		}
		pn_rd_bytes(&r, len - WIN_CERT_HDR, &body);
		if (type == WIN_CERT_TYPE_PKCS7) {
			decode_pkcs7(c, body, len - WIN_CERT_HDR);
			return;
		}
		if (pn_rd_skip(&tab, PN_MIN(((uint64_t)len + 7) & ~7ULL, pn_rd_left(&tab))) != PN_OK)
			break;
	}
	pn_pe_note(c, "signature: no PKCS#7 certificate in the certificate table");
}

void
pn_pe_sig_free(struct pn_pe *pe)
{
	size_t i;

	for (i = 0; i < pe->ncerts; i++) {
		free(pe->certs[i].subject_cn);
		free(pe->certs[i].issuer_cn);
		free(pe->certs[i].serial);
	}
	free(pe->certs);
	free(pe->signers);
}

/* ---------------------------------------------------- authentihash */

void
pn_pe_authentihash(struct pn_pe_ctx *c)
{
	struct pn_pe *pe = c->pe;
	const struct pn_pe_dir *d = &pe->dirs[PE_DIR_SECURITY];
	uint64_t cs = pe->checksum_off, sd = pe->secdir_off, cert_lo, cert_hi;
	const uint8_t *p = c->in.p;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx;

	if (!pe->has_opt || sd == 0 || cs == 0 || cs + 4 > sd || sd + 8 > pe->size)
		return;
	cert_lo = cert_hi = pe->size;
	if (d->rva && d->size && d->rva >= sd + 8 && d->rva <= pe->size &&
	    d->size <= pe->size - d->rva) {
		cert_lo = d->rva;
		cert_hi = (uint64_t)d->rva + d->size;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, p, cs) == 1 &&
	    EVP_DigestUpdate(ctx, p + cs + 4, sd - cs - 4) == 1 &&
	    EVP_DigestUpdate(ctx, p + sd + 8, cert_lo - sd - 8) == 1 &&
	    EVP_DigestUpdate(ctx, p + cert_hi, pe->size - cert_hi) == 1 &&
	    EVP_DigestFinal_ex(ctx, md, &mdlen) == 1)
		pn_hex(md, mdlen, pe->authentihash);
	EVP_MD_CTX_free(ctx);
}
