/*
 * eicar.yar - the EICAR anti-malware test file.
 *
 * The 68-byte EICAR string is written in hex so that this file is not
 * itself a test file for any scanner reading the tree.  The standard allows
 * the string at the start of a file of at most 128 bytes (trailing
 * whitespace); anywhere else it is only evidence (category info).
 *
 * SPDX-License-Identifier: MIT
 */

rule EICAR_Test_File
{
	meta:
		description = "EICAR anti-malware test file: the standard 68-byte string at offset 0 of a file of at most 128 bytes"
		author = "Panoptes"
		date = "2026-12-04"
		category = "malicious"
		reference = "https://www.eicar.org/download-anti-malware-testfile/"
	strings:
		$eicar = { 58 35 4F 21 50 25 40 41 50 5B 34 5C 50 5A 58 35 34 28 50 5E
		           29 37 43 43 29 37 7D 24 45 49 43 41 52 2D 53 54 41 4E 44 41
		           52 44 2D 41 4E 54 49 56 49 52 55 53 2D 54 45 53 54 2D 46 49
		           4C 45 21 24 48 2B 48 2A }
	condition:
		$eicar at 0 and filesize <= 128
}

rule EICAR_Test_String_Embedded
{
	meta:
		description = "The EICAR test string inside a larger file (not a test file by the standard; reported as evidence only)"
		author = "Panoptes"
		date = "2026-12-04"
		category = "info"
		reference = "https://www.eicar.org/download-anti-malware-testfile/"
	strings:
		$eicar = { 58 35 4F 21 50 25 40 41 50 5B 34 5C 50 5A 58 35 34 28 50 5E
		           29 37 43 43 29 37 7D 24 45 49 43 41 52 2D 53 54 41 4E 44 41
		           52 44 2D 41 4E 54 49 56 49 52 55 53 2D 54 45 53 54 2D 46 49
		           4C 45 21 24 48 2B 48 2A }
	condition:
		$eicar and not ($eicar at 0 and filesize <= 128)
}
