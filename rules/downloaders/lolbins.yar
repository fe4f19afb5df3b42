/*
 * lolbins.yar - Windows' own tools abused to fetch or run remote code
 * (living-off-the-land binaries).
 *
 * certutil, mshta and regsvr32 have no honest reason to fetch a URL in a
 * script: "malicious".  bitsadmin /transfer is also used by installers:
 * "suspicious".
 *
 * SPDX-License-Identifier: MIT
 */

rule LOLBin_Certutil_Download
{
	meta:
		description = "certutil -urlcache (-split) -f URL: certutil used as a downloader"
		author = "Panoptes"
		date = "2026-12-04"
		category = "malicious"
		reference = "https://lolbas-project.github.io/lolbas/Binaries/Certutil/"
	strings:
		$dl = /certutil(\.exe)?["']?\s+([-\/][a-z]+\s+){0,4}[-\/](urlcache|verifyctl)\s+([-\/][a-z]+\s+){0,4}["']?https?:\/\// ascii wide nocase
	condition:
		filesize < 20MB and $dl
}

rule LOLBin_Mshta_Remote
{
	meta:
		description = "mshta given a remote URL or inline VBScript/JavaScript: HTML application used to run fetched code"
		author = "Panoptes"
		date = "2026-12-04"
		category = "malicious"
		reference = "https://lolbas-project.github.io/lolbas/Binaries/Mshta/"
	strings:
		$url = /mshta(\.exe)?["']?\s+["']?(https?:\/\/|\\\\[0-9a-z.\-]+\\)/ ascii wide nocase
		$inline = /mshta(\.exe)?["']?\s+["']?(vbscript|javascript):/ ascii wide nocase
	condition:
		filesize < 20MB and ($url or $inline)
}

rule LOLBin_Regsvr32_Scriptlet
{
	meta:
		description = "regsvr32 /i:URL scrobj.dll (Squiblydoo): a remote COM scriptlet run through regsvr32"
		author = "Panoptes"
		date = "2026-12-04"
		category = "malicious"
		reference = "https://lolbas-project.github.io/lolbas/Binaries/Regsvr32/"
	strings:
		$s = /regsvr32(\.exe)?["']?\s+([\/-][a-z]+\s+){0,4}[\/-]i:["']?https?:\/\/\S{1,300}\s+([\/-][a-z]+\s+){0,4}scrobj(\.dll)?/ ascii wide nocase
	condition:
		filesize < 20MB and $s
}

rule LOLBin_Bitsadmin_Transfer
{
	meta:
		description = "bitsadmin /transfer of a URL (download through the BITS service)"
		author = "Panoptes"
		date = "2026-12-04"
		category = "suspicious"
		reference = "https://lolbas-project.github.io/lolbas/Binaries/Bitsadmin/"
	strings:
		$s = /bitsadmin(\.exe)?["']?\s+\/transfer\s[^\r\n]{1,200}https?:\/\// ascii wide nocase
	condition:
		filesize < 20MB and $s
}

rule Script_Dropper_XMLHTTP_Stream_Run
{
	meta:
		description = "VBScript/JScript dropper: fetches with XMLHTTP/WinHttp, saves with ADODB.Stream and runs the file with WScript.Shell or Shell.Application"
		author = "Panoptes"
		date = "2026-12-04"
		category = "malicious"
		reference = "https://attack.mitre.org/techniques/T1105/"
	strings:
		$h1 = "MSXML2.XMLHTTP" ascii wide nocase
		$h2 = "Microsoft.XMLHTTP" ascii wide nocase
		$h3 = "WinHttp.WinHttpRequest" ascii wide nocase
		$h4 = "MSXML2.ServerXMLHTTP" ascii wide nocase
		$st = "ADODB.Stream" ascii wide nocase
		$save = /\.SaveToFile\s*\(?/ ascii wide nocase
		$r1 = /WScript\.Shell["']\s*\)\s*\.\s*(Run|Exec)\b/ ascii wide nocase
		$r2 = /\.\s*(Run|Exec)\s*\(?\s*[^\r\n]{0,100}\.(exe|scr|dll|js|vbs|bat|cmd|ps1)/ ascii wide nocase
		$r3 = /Shell\.Application["']\s*\)\s*\.\s*ShellExecute\b/ ascii wide nocase
		$r4 = "WScript.Shell" ascii wide nocase
	condition:
		uint16(0) != 0x5A4D and uint32(0) != 0x464c457f and filesize < 5MB and
		1 of ($h*) and $st and $save and ($r1 or $r3 or ($r4 and $r2))
}
