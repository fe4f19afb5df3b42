/*
 * aspx_jsp.yar - ASP, ASP.NET and JSP web shells.
 *
 * Server pages that start a command interpreter with a request parameter,
 * or evaluate a request parameter as code (China Chopper), are web shells:
 * "malicious".  Each rule needs the page directive or a server-side block,
 * so prose quoting the calls does not match.
 *
 * SPDX-License-Identifier: MIT
 */

rule Webshell_ASPX_Cmd_Exec
{
	meta:
		description = "ASP.NET page that starts cmd.exe or PowerShell through Process/ProcessStartInfo with input from the request"
		author = "Panoptes"
		date = "2026-12-04"
		category = "malicious"
		reference = "https://attack.mitre.org/techniques/T1505/003/"
	strings:
		$page = /<%@\s*Page\s[^>]{0,200}Language\s*=/ nocase
		$p1 = "ProcessStartInfo" nocase
		$p2 = /Process\s*\.\s*Start\s*\(/ nocase
		$c1 = "cmd.exe" nocase
		$c2 = /["']cmd["']/ nocase
		$c3 = "powershell" nocase
		$r = /Request\s*(\.\s*(Form|QueryString|Params|Item))?\s*[\[\(]/ nocase
	condition:
		filesize < 2MB and $page and 1 of ($p*) and 1 of ($c*) and $r
}

rule Webshell_China_Chopper
{
	meta:
		description = "China Chopper style one-line shell: a server page that evaluates a request parameter as code (eval(Request.Item[...]) / Execute Request(...))"
		author = "Panoptes"
		date = "2026-12-04"
		category = "malicious"
		reference = "https://www.mandiant.com/resources/blog/breaking-down-the-china-chopper-web-shell-part-i"
	strings:
		$aspx = /<%\s*(@\s*Page\s+Language\s*=\s*["']?Jscript["']?\s*%>\s*<%\s*)?eval\s*\(\s*Request(\s*\.\s*Item)?\s*[\[\(]/ nocase
		$asp = /<%\s*(eval|execute(global)?)\s*\(?\s*request\s*\(/ nocase
	condition:
		filesize < 1MB and ($aspx or $asp)
}

rule Webshell_JSP_Cmd_Exec
{
	meta:
		description = "JSP page that runs Runtime.exec or a ProcessBuilder with a request parameter"
		author = "Panoptes"
		date = "2026-12-04"
		category = "malicious"
		reference = "https://attack.mitre.org/techniques/T1505/003/"
	strings:
		$jsp = /<%[@!=]?/
		$e1 = /Runtime\s*\.\s*getRuntime\s*\(\s*\)\s*\.\s*exec\s*\(/
		$e2 = /new\s+ProcessBuilder\s*\(/
		$param = /request\s*\.\s*getParameter\s*\(/
	condition:
		filesize < 2MB and $jsp and 1 of ($e*) and $param
}
