/*
 * powershell.yar - PowerShell download-and-run cradles.
 *
 * IEX over a downloaded string runs code that never touches the disk.
 * Some honest installers document exactly that one-liner, so the bare
 * cradle is "suspicious"; with the usual concealment (hidden window,
 * -NoProfile with -ExecutionPolicy Bypass, an encoded command) or a raw IP
 * address as the source it is "malicious".
 *
 * SPDX-License-Identifier: MIT
 */

rule PS_Download_Cradle
{
	meta:
		description = "PowerShell download cradle: Invoke-Expression of (New-Object Net.WebClient).DownloadString / Invoke-WebRequest / Invoke-RestMethod"
		author = "Panoptes"
		date = "2026-12-04"
		category = "suspicious"
		reference = "https://attack.mitre.org/techniques/T1059/001/"
	strings:
		$c1 = /(iex|invoke-expression)\s*\(?\s*\(?\s*new-object\s+(-typename\s+)?(system\.)?net\.webclient\s*\)?\s*\.\s*download(string|data)\s*\(/ ascii wide nocase
		$c2 = /\(\s*new-object\s+(-typename\s+)?(system\.)?net\.webclient\s*\)\s*\.\s*downloadstring\s*\([^)]{1,300}\)\s*\|\s*(iex|invoke-expression)\b/ ascii wide nocase
		$c3 = /(iex|invoke-expression)\s*\(?\s*\(?\s*(iwr|invoke-webrequest|irm|invoke-restmethod|curl|wget)\s+(-uri\s+)?["']?https?:\/\// ascii wide nocase
		$c4 = /\b(iwr|invoke-webrequest|irm|invoke-restmethod)\s+(-uri\s+)?["']?https?:\/\/[^\s|]{1,300}\s*(-useb(asicparsing)?\s*)?\|\s*(iex|invoke-expression)\b/ ascii wide nocase
	condition:
		filesize < 20MB and any of them
}

rule PS_Download_Cradle_Concealed
{
	meta:
		description = "PowerShell download cradle run hidden, without profile and with the execution policy bypassed, or fetched from a raw IP address"
		author = "Panoptes"
		date = "2026-12-04"
		category = "malicious"
		reference = "https://attack.mitre.org/techniques/T1059/001/"
	strings:
		$hidden = /\s-(w|wi|win|window|windowstyle)\s+(h|hidden|1)\b/ ascii wide nocase
		$bypass = /\s-(ep|exec|executionpolicy)\s+(bypass|unrestricted)\b/ ascii wide nocase
		$nop = /\s-(nop|noprofile)\b/ ascii wide nocase
		$ip = /download(string|data|file)\s*\(\s*["']https?:\/\/[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}[:\/]/ ascii wide nocase
	condition:
		PS_Download_Cradle and ($ip or $hidden or ($nop and $bypass))
}

rule PS_Encoded_Hidden_Command
{
	meta:
		description = "PowerShell started hidden with a long Base64 -EncodedCommand (the script is concealed from the command line)"
		author = "Panoptes"
		date = "2026-12-04"
		category = "malicious"
		reference = "https://attack.mitre.org/techniques/T1027/010/"
	strings:
		$cmd = /powershell(\.exe)?["']?\s(\s*-[A-Za-z]+(\s+[A-Za-z0-9]+)?){0,6}\s*-(w|wi|win|window|windowstyle)\s+(h|hidden|1)\b(\s*-[A-Za-z]+(\s+[A-Za-z0-9]+)?){0,6}\s*-(e|en|enc|enco|encodedcommand|ec)\s+[A-Za-z0-9+\/]{100}/ ascii wide nocase
		$cmd2 = /powershell(\.exe)?["']?\s(\s*-[A-Za-z]+(\s+[A-Za-z0-9]+)?){0,6}\s*-(e|en|enc|enco|encodedcommand|ec)\s+[A-Za-z0-9+\/]{100}[A-Za-z0-9+\/=]*["']?(\s*-[A-Za-z]+(\s+[A-Za-z0-9]+)?){0,6}\s*-(w|wi|win|window|windowstyle)\s+(h|hidden|1)\b/ ascii wide nocase
	condition:
		filesize < 20MB and any of them
}
