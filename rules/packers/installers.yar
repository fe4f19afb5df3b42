/*
 * installers.yar - installer and self-extractor stubs.
 *
 * Installers carry their payload compressed, which looks like packing, but
 * being one says nothing about intent: these rules are "info" (shown in the
 * engine's details, never a detection).
 *
 * SPDX-License-Identifier: MIT
 */
import "pe"

rule Installer_NSIS
{
	meta:
		description = "Nullsoft Scriptable Install System (NSIS) installer"
		author = "Panoptes"
		date = "2026-12-04"
		category = "info"
		reference = "https://nsis.sourceforge.io/"
	strings:
		$sig = { EF BE AD DE 4E 75 6C 6C 73 6F 66 74 49 6E 73 74 }  /* first header: DEADBEEF "NullsoftInst" */
		$manifest = "Nullsoft.NSIS.exehead"
	condition:
		pe.is_pe and ($sig or $manifest)
}

rule Installer_InnoSetup
{
	meta:
		description = "Inno Setup installer"
		author = "Panoptes"
		date = "2026-12-04"
		category = "info"
		reference = "https://jrsoftware.org/isinfo.php"
	strings:
		$data = "Inno Setup Setup Data"
		$msgs = "Inno Setup Messages"
		$magic = { 72 44 6C 50 74 53 }  /* "rDlPtS": setup loader offset table */
	condition:
		pe.is_pe and ($data or $msgs or $magic)
}

rule Installer_7Zip_SFX
{
	meta:
		description = "7-Zip self-extracting archive (7z signature after the PE image)"
		author = "Panoptes"
		date = "2026-12-04"
		category = "info"
	strings:
		$sig = { 37 7A BC AF 27 1C }
		$cfg = ";!@Install@!UTF-8!"
	condition:
		pe.is_pe and ($cfg or $sig in (pe.overlay.offset .. pe.overlay.offset + 0x100000)) and
		pe.overlay.size > 0
}

rule Installer_WinRAR_SFX
{
	meta:
		description = "WinRAR self-extracting archive (RAR signature after the PE image)"
		author = "Panoptes"
		date = "2026-12-04"
		category = "info"
	strings:
		$rar = { 52 61 72 21 1A 07 }
	condition:
		pe.is_pe and pe.overlay.size > 0 and
		$rar in (pe.overlay.offset .. pe.overlay.offset + 0x100000)
}
