/*
 * unix.yar - Unix shell droppers and reverse shells.
 *
 * Piping a download into a shell is how many honest installers are
 * documented: "suspicious".  Fetching from a raw IP address into a
 * temporary directory, making the file executable and running it is the
 * IoT-botnet dropper pattern, and a shell wired to a TCP connection is a
 * reverse shell: "malicious".
 *
 * SPDX-License-Identifier: MIT
 */

rule Unix_Download_Pipe_Shell
{
	meta:
		description = "Download piped straight into a shell: curl URL | sh, wget -O- URL | bash"
		author = "Panoptes"
		date = "2026-12-04"
		category = "suspicious"
		reference = "https://attack.mitre.org/techniques/T1105/"
	strings:
		$curl = /\bcurl\s[^|\n;&]{0,200}https?:\/\/[^|\n;&]{1,300}\|\s*(sudo\s+(-[a-zA-Z]+\s+)*)?(ba|da|z|k)?sh\b/
		$wget1 = /\bwget\s[^|\n;&]{0,200}-q?O\s*-\s[^|\n;&]{0,200}(https?|ftp):\/\/[^|\n;&]{1,300}\|\s*(sudo\s+(-[a-zA-Z]+\s+)*)?(ba|da|z|k)?sh\b/
		$wget2 = /\bwget\s[^|\n;&]{0,200}(https?|ftp):\/\/[^|\n;&\s]{1,300}\s[^|\n;&]{0,100}-q?O\s*-[^|\n;&]{0,100}\|\s*(sudo\s+(-[a-zA-Z]+\s+)*)?(ba|da|z|k)?sh\b/
	condition:
		uint32(0) != 0x464c457f and filesize < 20MB and any of them
}

rule Unix_IP_Dropper
{
	meta:
		description = "Botnet-style dropper: fetches from a raw IP address (wget/curl/tftp/busybox), chmods it executable in a temporary directory and runs it"
		author = "Panoptes"
		date = "2026-12-04"
		category = "malicious"
		reference = "https://attack.mitre.org/techniques/T1105/"
	strings:
		$fetch = /\b(wget|curl|tftp|ftpget|busybox\s+(wget|tftp))\s[^\n]{0,100}(https?:\/\/|-g\s+)?[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(:[0-9]{1,5})?[\/\s]/
		$chmod = /\bchmod\s+(\+x|[0-7]?7[0-7][0-7])\s/
		$tmp = /\bcd\s+\/(tmp|var\/tmp|dev\/shm|var\/run|mnt|root)\b/
		$run = /(\.\/[A-Za-z0-9._\-]{1,64}|\bsh\s+[A-Za-z0-9._\-]{1,64}\.sh)\b/
	condition:
		uint32(0) != 0x464c457f and filesize < 5MB and $fetch and $chmod and $tmp and $run
}

rule Unix_Reverse_Shell
{
	meta:
		description = "Reverse shell one-liner: an interactive shell wired to a TCP connection (bash /dev/tcp, nc -e, mkfifo relay, Python/Perl socket + dup2)"
		author = "Panoptes"
		date = "2026-12-04"
		category = "malicious"
		reference = "https://attack.mitre.org/techniques/T1059/004/"
	strings:
		$bash = /\b(ba)?sh\s+-i\s*>&\s*\/dev\/tcp\/[A-Za-z0-9.\-]{1,253}\/[0-9]{1,5}\s+0>&1/
		$bash2 = /\bexec\s+[0-9]+<>\/dev\/tcp\/[A-Za-z0-9.\-]{1,253}\/[0-9]{1,5}/
		$nc = /\b(nc|ncat|netcat)(\.traditional)?\s+(-[a-z]+\s+)*-(e|c)\s+\/bin\/(ba)?sh\b/
		$fifo = /mkfifo\s+\/tmp\/[A-Za-z0-9._]{1,32};\s*(cat\s+\/tmp\/[A-Za-z0-9._]{1,32}\s*\|\s*)?\/bin\/(ba)?sh\s+-i\s+2>&1\s*\|\s*(nc|ncat)\s/
		$py = /socket\.socket\([^\n]{0,200}\.connect\(\([^\n]{0,200}os\.dup2\([^\n]{0,200}(subprocess\.call|pty\.spawn|os\.system)\(\s*\[?\s*["']\/bin\/(ba)?sh["']/
		$pl = /socket\(S,PF_INET,SOCK_STREAM[^\n]{0,200}connect\(S,[^\n]{0,200}open\(STDIN,\s*">&S"\)[^\n]{0,200}exec\(["']\/bin\/(ba)?sh/
	condition:
		filesize < 20MB and any of them
}
