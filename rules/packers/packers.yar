/*
 * packers.yar - executable packers and protectors.
 *
 * A packed or protected executable is not malware by itself (UPX is used
 * by plenty of honest software), but it hides code from static analysis,
 * so every rule here is "suspicious".  Detection is by the section names
 * and stub markers each tool writes; names the tool lets the user change
 * are caught only in their default form.
 *
 * SPDX-License-Identifier: MIT
 */
import "pe"
import "math"

rule Packer_UPX_PE
{
	meta:
		description = "PE packed with UPX (sections UPX0 and UPX1)"
		author = "Panoptes"
		date = "2026-12-04"
		category = "suspicious"
		reference = "https://upx.github.io/"
	condition:
		pe.is_pe and
		for any s in pe.sections : (s.name == "UPX0") and
		for any s in pe.sections : (s.name == "UPX1")
}

rule Packer_UPX_ELF
{
	meta:
		description = "ELF packed with UPX (l_info magic after the program headers and the PackHeader at the end)"
		author = "Panoptes"
		date = "2026-12-04"
		category = "suspicious"
		reference = "https://github.com/upx/upx/blob/devel/src/stub/src/include/linux.h"
	strings:
		$magic = "UPX!"
	condition:
		uint32(0) == 0x464c457f and filesize < 512MB and
		$magic in (0..0x400) and $magic in (filesize - 0x40 .. filesize)
}

rule Packer_MPRESS
{
	meta:
		description = "PE packed with MPRESS (sections .MPRESS1 and .MPRESS2)"
		author = "Panoptes"
		date = "2026-12-04"
		category = "suspicious"
		reference = "https://www.autohotkey.com/mpress/mpress_web.htm"
	condition:
		pe.is_pe and
		for any s in pe.sections : (s.name == ".MPRESS1") and
		for any s in pe.sections : (s.name == ".MPRESS2")
}

rule Packer_ASPack
{
	meta:
		description = "PE packed with ASPack (section .aspack)"
		author = "Panoptes"
		date = "2026-12-04"
		category = "suspicious"
		reference = "http://www.aspack.com/"
	condition:
		pe.is_pe and for any s in pe.sections : (s.name == ".aspack")
}

rule Packer_PECompact
{
	meta:
		description = "PE packed with PECompact (sections PEC2/pec1/pec2 or the PECompact2 stub marker)"
		author = "Panoptes"
		date = "2026-12-04"
		category = "suspicious"
		reference = "https://bitsum.com/portfolio/pecompact/"
	strings:
		$marker = "PECompact2"
	condition:
		pe.is_pe and
		(for any s in pe.sections : (s.name == "PEC2" or s.name == "PEC2TO" or
		    s.name == "PEC2MO" or s.name == "pec1" or s.name == "pec2") or
		 $marker in (0..0x1000))
}

rule Packer_NsPack
{
	meta:
		description = "PE packed with NsPack (sections .nsp0 and .nsp1)"
		author = "Panoptes"
		date = "2026-12-04"
		category = "suspicious"
	condition:
		pe.is_pe and
		for any s in pe.sections : (s.name == ".nsp0" or s.name == "nsp0") and
		for any s in pe.sections : (s.name == ".nsp1" or s.name == "nsp1")
}

rule Packer_Petite
{
	meta:
		description = "PE packed with Petite (section .petite)"
		author = "Panoptes"
		date = "2026-12-04"
		category = "suspicious"
	condition:
		pe.is_pe and for any s in pe.sections : (s.name == ".petite")
}

rule Packer_MEW
{
	meta:
		description = "PE packed with MEW (first section named MEW)"
		author = "Panoptes"
		date = "2026-12-04"
		category = "suspicious"
	condition:
		pe.is_pe and pe.number_of_sections > 0 and
		pe.sections[0].name matches /^MEW/
}

rule Packer_WWPack32
{
	meta:
		description = "PE packed with WWPack32 (section .WWP32)"
		author = "Panoptes"
		date = "2026-12-04"
		category = "suspicious"
	condition:
		pe.is_pe and for any s in pe.sections : (s.name == ".WWP32")
}

rule Packer_Upack
{
	meta:
		description = "PE packed with Upack (its loader at the entry point)"
		author = "Panoptes"
		date = "2026-12-04"
		category = "suspicious"
	strings:
		$ep = { BE ?? ?? ?? ?? AD 50 FF 76 34 EB 7C 48 }
	condition:
		pe.is_pe and $ep at pe.entry_point
}

rule Protector_PESpin
{
	meta:
		description = "PE protected with PESpin (its decryptor at the entry point)"
		author = "Panoptes"
		date = "2026-12-04"
		category = "suspicious"
	strings:
		$ep = { EB 01 ?? 60 E8 00 00 00 00 8B 1C 24 83 C3 12 81 2B E8 B1 06 00 FE 4B FD }
	condition:
		pe.is_pe and $ep at pe.entry_point
}

rule Crypter_yC
{
	meta:
		description = "PE encrypted with yoda's Crypter (section yC)"
		author = "Panoptes"
		date = "2026-12-04"
		category = "suspicious"
	condition:
		pe.is_pe and for any s in pe.sections : (s.name == "yC" or s.name == ".yC")
}

rule Protector_Themida_WinLicense
{
	meta:
		description = "PE protected with Themida or WinLicense (sections .themida / .winlice)"
		author = "Panoptes"
		date = "2026-12-04"
		category = "suspicious"
		reference = "https://www.oreans.com/"
	condition:
		pe.is_pe and
		for any s in pe.sections : (s.name == ".themida" or s.name == ".winlice")
}

rule Protector_VMProtect
{
	meta:
		description = "PE protected with VMProtect (sections .vmp0, .vmp1, ...)"
		author = "Panoptes"
		date = "2026-12-04"
		category = "suspicious"
		reference = "https://vmpsoft.com/"
	condition:
		pe.is_pe and
		for 2 s in pe.sections : (s.name matches /^\.vmp[0-9]$/)
}

rule Protector_Enigma
{
	meta:
		description = "PE protected with the Enigma Protector (sections .enigma1 / .enigma2)"
		author = "Panoptes"
		date = "2026-12-04"
		category = "suspicious"
		reference = "https://enigmaprotector.com/"
	condition:
		pe.is_pe and
		for any s in pe.sections : (s.name == ".enigma1" or s.name == ".enigma2")
}

rule Obfuscator_ConfuserEx
{
	meta:
		description = ".NET assembly obfuscated with ConfuserEx (its ConfusedByAttribute marker)"
		author = "Panoptes"
		date = "2026-12-04"
		category = "suspicious"
		reference = "https://github.com/yck1509/ConfuserEx"
	strings:
		$attr = "ConfusedByAttribute"
	condition:
		pe.is_pe and pe.number_of_sections > 0 and
		pe.data_directories[pe.IMAGE_DIRECTORY_ENTRY_COM_DESCRIPTOR].virtual_address != 0 and
		$attr
}

rule PE_Packed_Entry_Section
{
	meta:
		description = "PE whose entry point lies in a writable, executable section of near-random content (entropy > 7.2): the mark of an unknown packer's stub"
		author = "Panoptes"
		date = "2026-12-04"
		category = "suspicious"
	condition:
		pe.is_pe and filesize < 64MB and
		for any s in pe.sections : (
			pe.entry_point >= s.raw_data_offset and
			pe.entry_point < s.raw_data_offset + s.raw_data_size and
			s.raw_data_size >= 4096 and
			s.characteristics & pe.SECTION_MEM_EXECUTE != 0 and
			s.characteristics & pe.SECTION_MEM_WRITE != 0 and
			math.entropy(s.raw_data_offset, s.raw_data_size) > 7.2
		)
}
