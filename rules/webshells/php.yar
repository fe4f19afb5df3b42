/*
 * php.yar - PHP web shells.
 *
 * A web page that hands request parameters to eval() or a shell, or that
 * evaluates a large encoded blob, is a web shell or a backdoor planted in
 * a site: "malicious".  Every rule needs a PHP open tag, so documentation
 * that merely quotes such code in prose does not match.
 *
 * SPDX-License-Identifier: MIT
 */

rule Webshell_PHP_Request_Exec
{
	meta:
		description = "PHP passes a request parameter ($_GET/$_POST/$_REQUEST/$_COOKIE or an HTTP header), possibly decoded, straight to eval/assert or a shell function"
		author = "Panoptes"
		date = "2026-12-04"
		category = "malicious"
		reference = "https://attack.mitre.org/techniques/T1505/003/"
	strings:
		$tag = "<?"
		$exec = /\b(eval|assert|system|passthru|shell_exec|exec|popen|proc_open|pcntl_exec|create_function)\s*\(\s*(@\s*)?((base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|strrev|stripslashes|urldecode|rawurldecode|hex2bin|trim)\s*\(\s*)*\$_(GET|POST|REQUEST|COOKIE|SERVER\s*\[\s*['"]HTTP_)/ nocase
	condition:
		filesize < 5MB and $tag and $exec
}

rule Webshell_PHP_Eval_Encoded_Blob
{
	meta:
		description = "PHP evaluates a long encoded literal: eval(base64_decode('...')), eval(gzinflate(base64_decode('...'))) and similar obfuscated payloads"
		author = "Panoptes"
		date = "2026-12-04"
		category = "malicious"
		reference = "https://attack.mitre.org/techniques/T1027/"
	strings:
		$tag = "<?php" nocase
		$blob = /\b(eval|assert)\s*\(\s*(@\s*)?((gzinflate|gzuncompress|gzdecode|str_rot13|strrev|base64_decode|convert_uudecode)\s*\(\s*){1,4}['"][A-Za-z0-9+\/=\\]{200}/ nocase
	condition:
		filesize < 10MB and $tag and $blob
}

rule Webshell_PHP_Family_Markers
{
	meta:
		description = "PHP file manager / shell kits (WSO, c99, r57, b374k) identified by their banner strings next to command execution"
		author = "Panoptes"
		date = "2026-12-04"
		category = "malicious"
		reference = "https://github.com/tennc/webshell"
	strings:
		$tag = "<?php" nocase
		$m1 = "c99shell" nocase
		$m2 = "r57shell" nocase
		$m3 = "b374k" nocase
		$m4 = "Web Shell by oRb" nocase
		$m5 = /\$(default_action|color)\s*=\s*['"]FilesMan['"]/
		$x1 = /\b(shell_exec|passthru|system|proc_open|popen)\s*\(/ nocase
	condition:
		filesize < 5MB and $tag and 1 of ($m*) and $x1
}
