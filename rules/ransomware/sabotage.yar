/*
 * sabotage.yar - ransomware's removal of recovery options: shadow copies,
 * backup catalogs and the boot recovery environment.
 *
 * Two or more of these commands together are the ransomware pattern
 * ("malicious"); one alone is "suspicious" (an administrator's script may
 * delete shadow copies).
 *
 * SPDX-License-Identifier: MIT
 */

rule Ransomware_Recovery_Sabotage
{
	meta:
		description = "Deletes shadow copies and disables backups or boot recovery (at least two such commands): the step ransomware takes before encrypting"
		author = "Panoptes"
		date = "2026-12-04"
		category = "malicious"
		reference = "https://attack.mitre.org/techniques/T1490/"
	strings:
		$vss1 = /vssadmin(\.exe)?["']?\s+delete\s+shadows/ ascii wide nocase
		$vss2 = /vssadmin(\.exe)?["']?\s+resize\s+shadowstorage\s+.{0,120}\/maxsize=?\s*401\s*MB/ ascii wide nocase
		$wmic = /wmic(\.exe)?["']?\s+shadowcopy\s+delete/ ascii wide nocase
		$ps = /Get-(WmiObject|CimInstance)\s+Win32_ShadowCopy\s*\|\s*(ForEach-Object|%)\s*\{?\s*\$_\.Delete\(\)/ ascii wide nocase
		$bcd1 = /bcdedit(\.exe)?["']?\s+\/set\s+\{default\}\s+recoveryenabled\s+no/ ascii wide nocase
		$bcd2 = /bcdedit(\.exe)?["']?\s+\/set\s+\{default\}\s+bootstatuspolicy\s+ignoreallfailures/ ascii wide nocase
		$wba1 = /wbadmin(\.exe)?["']?\s+delete\s+(catalog|systemstatebackup|backup)/ ascii wide nocase
	condition:
		2 of them
}

rule Ransomware_Shadow_Copy_Deletion
{
	meta:
		description = "One command that deletes shadow copies, backups or boot recovery (vssadmin, wmic, wbadmin, bcdedit)"
		author = "Panoptes"
		date = "2026-12-04"
		category = "suspicious"
		reference = "https://attack.mitre.org/techniques/T1490/"
	strings:
		$vss1 = /vssadmin(\.exe)?["']?\s+delete\s+shadows/ ascii wide nocase
		$vss2 = /vssadmin(\.exe)?["']?\s+resize\s+shadowstorage\s+.{0,120}\/maxsize=?\s*401\s*MB/ ascii wide nocase
		$wmic = /wmic(\.exe)?["']?\s+shadowcopy\s+delete/ ascii wide nocase
		$ps = /Get-(WmiObject|CimInstance)\s+Win32_ShadowCopy\s*\|\s*(ForEach-Object|%)\s*\{?\s*\$_\.Delete\(\)/ ascii wide nocase
		$bcd1 = /bcdedit(\.exe)?["']?\s+\/set\s+\{default\}\s+recoveryenabled\s+no/ ascii wide nocase
		$bcd2 = /bcdedit(\.exe)?["']?\s+\/set\s+\{default\}\s+bootstatuspolicy\s+ignoreallfailures/ ascii wide nocase
		$wba1 = /wbadmin(\.exe)?["']?\s+delete\s+(catalog|systemstatebackup|backup)/ ascii wide nocase
	condition:
		any of them and not Ransomware_Recovery_Sabotage
}
