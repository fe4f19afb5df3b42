/*
 * test_hash_ref.cpp - a C interface to Debian's libtlsh (3.4.4, C++ class
 * Tlsh) so that test_hash.c can compare lib/tlsh.c with the reference.
 * Linked into build/tests/test_hash with -ltlsh -lstdc++ (Makefile).
 *
 * The header is named by its full path: the build passes -Ilib, and
 * lib/tlsh.h (ours) would otherwise shadow <tlsh.h>.  l_capturing() is a
 * helper libtlsh exports without declaring it; the test uses it to compare
 * the length code over the whole 32-bit range cheaply.
 *
 * SPDX-License-Identifier: MIT
 */
#include </usr/include/tlsh.h>

#include <string.h>

unsigned char l_capturing(unsigned int len);

extern "C" {
void *ref_tlsh_new(void);
void ref_tlsh_update(void *t, const unsigned char *data, unsigned int len);
int ref_tlsh_final(void *t, char *out, unsigned int outlen);
int ref_tlsh_diff(const void *a, const void *b, int len_diff);
int ref_tlsh_diff_str(const char *a, const char *b, int len_diff);
unsigned ref_tlsh_lvalue(unsigned int len);
void ref_tlsh_free(void *t);
}

void *
ref_tlsh_new(void)
{
	return new Tlsh();
}

void
ref_tlsh_update(void *t, const unsigned char *data, unsigned int len)
{
	static_cast<Tlsh *>(t)->update(data, len);
}

/* final() + getHash() into out; returns the hash length (0: no hash). */
int
ref_tlsh_final(void *t, char *out, unsigned int outlen)
{
	char buf[TLSH_STRING_BUFFER_LEN];
	Tlsh *h = static_cast<Tlsh *>(t);
	const char *s;

	h->final();
	buf[0] = '\0';
	s = h->getHash(buf, sizeof(buf));
	if (s == NULL || outlen == 0 || strlen(s) >= outlen) {
		if (outlen > 0)
			out[0] = '\0';
		return 0;
	}
	memcpy(out, s, strlen(s) + 1);
	return (int)strlen(s);
}

int
ref_tlsh_diff(const void *a, const void *b, int len_diff)
{
	return static_cast<const Tlsh *>(a)->totalDiff(
	    static_cast<const Tlsh *>(b), len_diff != 0);
}

/* totalDiff of two 70-hex hash strings; -1000 if libtlsh refuses one. */
int
ref_tlsh_diff_str(const char *a, const char *b, int len_diff)
{
	Tlsh ta, tb;

	if (ta.fromTlshStr(a) != 0 || tb.fromTlshStr(b) != 0)
		return -1000;
	return ta.totalDiff(&tb, len_diff != 0);
}

unsigned
ref_tlsh_lvalue(unsigned int len)
{
	return l_capturing(len);
}

void
ref_tlsh_free(void *t)
{
	delete static_cast<Tlsh *>(t);
}
