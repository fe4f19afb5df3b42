/*
 * miners.yar - cryptocurrency miners, their configurations and pools.
 *
 * A pool URL or host name alone is "suspicious" (blocklists and articles
 * name them too); a miner binary, a miner configuration with a pool and a
 * wallet, or a browser miner is "malicious" (VirusTotal engines call
 * dropped miners CoinMiner trojans or PUAs).  Pool host names are written
 * with \x2e for the dots so that this file does not match itself.
 *
 * SPDX-License-Identifier: MIT
 */

rule Miner_Stratum_URL
{
	meta:
		description = "Stratum mining-pool URL (stratum+tcp://, stratum+ssl://, stratum2+tcp://)"
		author = "Panoptes"
		date = "2026-12-04"
		category = "suspicious"
		reference = "https://en.bitcoin.it/wiki/Stratum_mining_protocol"
	strings:
		$url = /stratum2?\+(tcp|ssl|tls|udp):\/\/[A-Za-z0-9.\-_]{3,253}(:[0-9]{2,5})?/ ascii wide nocase
	condition:
		$url
}

rule Miner_Pool_Hostname
{
	meta:
		description = "Host name of a public mining pool"
		author = "Panoptes"
		date = "2026-12-04"
		category = "suspicious"
	strings:
		$p1 = "pool\x2eminexmr\x2ecom" ascii wide nocase
		$p2 = "xmr\x2enanopool\x2eorg" ascii wide nocase
		$p3 = "pool\x2esupportxmr\x2ecom" ascii wide nocase
		$p4 = "xmrpool\x2eeu" ascii wide nocase
		$p5 = "moneroocean\x2estream" ascii wide nocase
		$p6 = "pool\x2ehashvault\x2epro" ascii wide nocase
		$p7 = "c3pool\x2ecom" ascii wide nocase
		$p8 = "xmr\x2e2miners\x2ecom" ascii wide nocase
		$p9 = "monerohash\x2ecom" ascii wide nocase
		$p10 = "herominers\x2ecom" ascii wide nocase
		$p11 = "minergate\x2ecom" ascii wide nocase
		$p12 = "dwarfpool\x2ecom" ascii wide nocase
		$p13 = "unmineable\x2ecom" ascii wide nocase
		$p14 = "nicehash\x2ecom" ascii wide nocase
		$p15 = "xmr\x2ef2pool\x2ecom" ascii wide nocase
		$p16 = "pool\x2exmr\x2ept" ascii wide nocase
		$p17 = "xmr-eu1\x2enanopool\x2eorg" ascii wide nocase
		$p18 = "monero\x2ecrypto-pool\x2efr" ascii wide nocase
	condition:
		any of them
}

rule Miner_XMRig
{
	meta:
		description = "XMRig (or a fork) miner program: its name with its pool, donation and RandomX/CryptoNight strings"
		author = "Panoptes"
		date = "2026-12-04"
		category = "malicious"
		reference = "https://github.com/xmrig/xmrig"
	strings:
		$name = "xmrig" ascii wide nocase
		$s1 = "donate-level" ascii wide
		$s2 = "stratum+" ascii wide
		$s3 = "randomx" ascii wide nocase
		$s4 = "cryptonight" ascii wide nocase
		$s5 = "nicehash" ascii wide nocase
		$s6 = "--cpu-max-threads-hint" ascii wide
		$s7 = "mining.subscribe" ascii wide
	condition:
		(uint16(0) == 0x5A4D or uint32(0) == 0x464c457f or uint32(0) == 0xfeedfacf or uint32(0) == 0xcffaedfe) and
		$name and 3 of ($s*)
}

rule Miner_XMRig_Config
{
	meta:
		description = "XMRig-style miner configuration (JSON): pools with url and user plus donate-level or algorithm settings"
		author = "Panoptes"
		date = "2026-12-04"
		category = "malicious"
		reference = "https://xmrig.com/docs/miner/config"
	strings:
		$pools = /"pools"\s*:\s*\[/
		$url = /"url"\s*:\s*"/
		$user = /"user"\s*:\s*"/
		$k1 = /"donate-level"\s*:/
		$k2 = /"(algo|coin)"\s*:\s*"/
		$k3 = /"(randomx|rig-id|nicehash|keepalive|tls-fingerprint)"\s*:/
	condition:
		filesize < 1MB and $pools and $url and $user and ($k1 or ($k2 and $k3))
}

rule Miner_Wallet_And_Pool
{
	meta:
		description = "A Monero wallet address next to a stratum URL or a known pool: miner command line or script"
		author = "Panoptes"
		date = "2026-12-04"
		category = "malicious"
	strings:
		$wallet = /\b4[0-9AB][1-9A-HJ-NP-Za-km-z]{93}\b/ ascii wide
		$url = /stratum2?\+(tcp|ssl|tls):\/\// ascii wide nocase
		$opt = /(-o|--url)[ =]\S{3,253}:[0-9]{2,5}/ ascii wide
	condition:
		filesize < 50MB and $wallet and ($url or ($opt and Miner_Pool_Hostname))
}

rule Miner_Browser_Coinhive
{
	meta:
		description = "In-browser miner (CoinHive and its clones): the miner constructor or a script tag loading it (block lists that merely name the script do not match)"
		author = "Panoptes"
		date = "2026-12-04"
		category = "malicious"
		reference = "https://en.wikipedia.org/wiki/Coinhive"
	strings:
		$c1 = /new\s+CoinHive\s*\.\s*(Anonymous|User|Token)\s*\(/ ascii wide
		$c2 = /new\s+CRLT\s*\.\s*Anonymous\s*\(/ ascii wide
		$c3 = /<script[^>]{0,200}src\s*=\s*["'][^"'>]{0,200}(coinhive\.min\.js|coin-hive\.com\/lib\/)/ ascii wide nocase
	condition:
		filesize < 10MB and any of them
}
