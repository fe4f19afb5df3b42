/*
 * injection.yar - Windows executables that import what code injection,
 * process hollowing, keylogging and credential dumping need.
 *
 * Import combinations are capabilities, not intent (debuggers and
 * installers hold some of them), so these rules are "suspicious".  Files
 * that export the functions themselves (Windows' and Wine's kernel32,
 * kernelbase, ntdll, dbghelp) are the implementation, not a user, and are
 * left out.
 *
 * SPDX-License-Identifier: MIT
 */
import "pe"

rule Win_Process_Injection_Imports
{
	meta:
		description = "Imports the classic remote-thread injection chain: open a process, allocate and write its memory, start a thread in it"
		author = "Panoptes"
		date = "2026-12-04"
		category = "suspicious"
		reference = "https://attack.mitre.org/techniques/T1055/001/"
	condition:
		pe.is_pe and not pe.exports("WriteProcessMemory") and
		pe.imports(/./, /^OpenProcess$/) and
		pe.imports(/./, /^VirtualAllocEx(Numa)?$/) and
		pe.imports(/./, /^WriteProcessMemory$/) and
		pe.imports(/./, /^(CreateRemoteThread(Ex)?|QueueUserAPC|NtQueueApcThread|RtlCreateUserThread|NtCreateThreadEx)$/)
}

rule Win_Process_Hollowing_Imports
{
	meta:
		description = "Imports what process hollowing needs: create a process, unmap its image, write memory, change a thread's context and resume it"
		author = "Panoptes"
		date = "2026-12-04"
		category = "suspicious"
		reference = "https://attack.mitre.org/techniques/T1055/012/"
	strings:
		$unmap = /\x00(Nt|Zw)UnmapViewOfSection\x00/
	condition:
		pe.is_pe and not pe.exports("WriteProcessMemory") and
		not pe.exports("NtUnmapViewOfSection") and
		pe.imports(/./, /^CreateProcess(A|W|InternalW)$/) and
		pe.imports(/./, /^WriteProcessMemory$/) and
		pe.imports(/./, /^(Wow64)?SetThreadContext$/) and
		pe.imports(/./, /^ResumeThread$/) and
		(pe.imports(/./, /^(Nt|Zw)UnmapViewOfSection$/) or $unmap)
}

rule Win_Keylogger_Network_Imports
{
	meta:
		description = "Imports a global keyboard hook or key-state polling together with the foreground window title and a way to send data out"
		author = "Panoptes"
		date = "2026-12-04"
		category = "suspicious"
		reference = "https://attack.mitre.org/techniques/T1056/001/"
	condition:
		pe.is_pe and not pe.exports("SetWindowsHookExW") and
		(pe.imports(/./, /^SetWindowsHookEx(A|W)$/) or pe.imports(/./, /^GetAsyncKeyState$/)) and
		pe.imports(/./, /^(GetAsyncKeyState|GetKeyboardState|MapVirtualKey(A|W|ExA|ExW)|ToUnicode(Ex)?|ToAscii(Ex)?)$/) and
		pe.imports(/./, /^GetForegroundWindow$/) and
		pe.imports(/./, /^GetWindowText(A|W)$/) and
		(pe.imports(/ws2_32|wsock32/i, /./) or
		 pe.imports(/./, /^(InternetOpen(A|W)|HttpSendRequest(A|W)|WinHttpSendRequest|URLDownloadToFile(A|W)|InternetWriteFile|FtpPutFile(A|W))$/))
}

rule Win_Credential_Dumping_Lsass
{
	meta:
		description = "Names lsass.exe and uses MiniDumpWriteDump with the debug privilege: dumping LSASS memory for credentials"
		author = "Panoptes"
		date = "2026-12-04"
		category = "suspicious"
		reference = "https://attack.mitre.org/techniques/T1003/001/"
	strings:
		$lsass = "lsass.exe" ascii wide nocase
		$priv = "SeDebugPrivilege" ascii wide
		$dump = "MiniDumpWriteDump" ascii
	condition:
		pe.is_pe and not pe.exports("MiniDumpWriteDump") and
		$lsass and $priv and
		(pe.imports(/./, /^MiniDumpWriteDump$/) or $dump)
}

rule HackTool_Mimikatz
{
	meta:
		description = "Mimikatz credential dumper: its module commands and author strings (escaped here so this file does not match itself)"
		author = "Panoptes"
		date = "2026-12-04"
		category = "malicious"
		reference = "https://github.com/gentilkiwi/mimikatz"
	strings:
		$s1 = "sekurlsa\x3a\x3alogonpasswords" ascii wide nocase
		$s2 = "lsadump\x3a\x3asam" ascii wide nocase
		$s3 = "gentil\x6biwi" ascii wide
		$s4 = "mimi\x6batz" ascii wide nocase
		$s5 = "kiwi\x5fmsv1\x5f0\x5f" ascii wide
		$s6 = "privilege\x3a\x3adebug" ascii wide nocase
	condition:
		3 of them
}
