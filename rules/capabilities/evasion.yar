/*
 * evasion.yar - anti-debugging, anti-analysis and defence tampering.
 *
 * A program that looks for debuggers and sandboxes by name, hides its
 * threads from debuggers or switches off Windows Defender is unusual;
 * these rules are "suspicious".
 *
 * SPDX-License-Identifier: MIT
 */
import "pe"

rule Win_AntiAnalysis_Tool_Names
{
	meta:
		description = "Names at least four analysis tools, debuggers or sandbox/VM agents (process names checked before running)"
		author = "Panoptes"
		date = "2026-12-04"
		category = "suspicious"
		reference = "https://attack.mitre.org/techniques/T1497/001/"
	strings:
		$t1 = "ollydbg.exe" ascii wide nocase
		$t2 = "x64dbg.exe" ascii wide nocase
		$t3 = "x32dbg.exe" ascii wide nocase
		$t4 = "idaq.exe" ascii wide nocase
		$t5 = "idaq64.exe" ascii wide nocase
		$t6 = "ImmunityDebugger.exe" ascii wide nocase
		$t7 = "wireshark.exe" ascii wide nocase
		$t8 = "procmon.exe" ascii wide nocase
		$t9 = "procexp.exe" ascii wide nocase
		$t10 = "vmtoolsd.exe" ascii wide nocase
		$t11 = "VBoxService.exe" ascii wide nocase
		$t12 = "VBoxTray.exe" ascii wide nocase
		$t13 = "SbieDll.dll" ascii wide nocase
		$t14 = "joeboxserver.exe" ascii wide nocase
		$t15 = "fiddler.exe" ascii wide nocase
		$t16 = "windbg.exe" ascii wide nocase
		$t17 = "vmsrvc.exe" ascii wide nocase
		$t18 = "prl_tools.exe" ascii wide nocase
		$t19 = "tcpview.exe" ascii wide nocase
		$t20 = "pestudio.exe" ascii wide nocase
	condition:
		uint16(0) == 0x5A4D and 4 of them
}

rule Win_AntiDebug_Thread_Hiding
{
	meta:
		description = "Checks for local and remote debuggers and resolves NtSetInformationThread (ThreadHideFromDebugger) and NtQueryInformationProcess (debug port) by name"
		author = "Panoptes"
		date = "2026-12-04"
		category = "suspicious"
		reference = "https://anti-debug.checkpoint.com/techniques/interactive.html#ntsetinformationthread"
	strings:
		$set = "NtSetInformationThread" ascii wide
		$query = "NtQueryInformationProcess" ascii wide
	condition:
		pe.is_pe and not pe.exports("NtSetInformationThread") and
		not pe.exports("IsDebuggerPresent") and
		pe.imports(/./, /^IsDebuggerPresent$/) and
		pe.imports(/./, /^CheckRemoteDebuggerPresent$/) and
		pe.imports(/./, /^GetProcAddress$/) and
		not pe.imports(/./, /^NtSetInformationThread$/) and
		$set and $query
}

rule Win_Defender_Tampering
{
	meta:
		description = "Switches off Windows Defender protection (PowerShell Set-MpPreference or the DisableAntiSpyware policy) or adds broad exclusions"
		author = "Panoptes"
		date = "2026-12-04"
		category = "suspicious"
		reference = "https://attack.mitre.org/techniques/T1562/001/"
	strings:
		$ps1 = /Set-MpPreference\s+(-[A-Za-z]+\s+\S+\s+)*-Disable(RealtimeMonitoring|BehaviorMonitoring|IOAVProtection|ScriptScanning)\s+(\$true|1)/ ascii wide nocase
		$ps2 = /Add-MpPreference\s+-ExclusionPath\s+["']?(C:\\|\$env:)/ ascii wide nocase
		$reg1 = "DisableAntiSpyware" ascii wide nocase
		$reg2 = "DisableRealtimeMonitoring" ascii wide nocase
		$key = "Policies\\Microsoft\\Windows Defender" ascii wide nocase
	condition:
		filesize < 20MB and ($ps1 or $ps2 or ($key and 1 of ($reg*)))
}

rule Win_UAC_Bypass_Registry_Hijack
{
	meta:
		description = "Auto-elevating binary plus the per-user shell\\open\\command key it reads: fodhelper/computerdefaults (ms-settings) or eventvwr (mscfile) UAC bypass"
		author = "Panoptes"
		date = "2026-12-04"
		category = "suspicious"
		reference = "https://attack.mitre.org/techniques/T1548/002/"
	strings:
		$b1 = "fodhelper.exe" ascii wide nocase
		$b2 = "computerdefaults.exe" ascii wide nocase
		$b3 = "eventvwr.exe" ascii wide nocase
		$b4 = "sdclt.exe" ascii wide nocase
		$k1 = "ms-settings\\shell\\open\\command" ascii wide nocase
		$k2 = "mscfile\\shell\\open\\command" ascii wide nocase
		$k3 = "Folder\\shell\\open\\command" ascii wide nocase
		$v = "DelegateExecute" ascii wide
	condition:
		filesize < 20MB and 1 of ($b*) and 1 of ($k*) and
		(($k1 or $k3) and $v or $k2)
}
