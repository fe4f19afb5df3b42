/*
 * notes.yar - ransom notes and ransomware's recovery sabotage.
 *
 * A note needs three things together to be "malicious": the claim that
 * the reader's files were encrypted, the offer to decrypt them, and a way
 * to pay or reach the attacker (bitcoin, an address, a .onion portal, Tor).
 * The claim plus the offer alone is "suspicious" (articles about
 * ransomware say as much).  Notes are small; big files are not read as
 * notes.
 *
 * SPDX-License-Identifier: MIT
 */

private rule Ransom_Claim
{
	meta:
		description = "Building block (private): the claim that the reader's files or network were encrypted or compromised"
		author = "Panoptes"
		date = "2026-12-04"
		category = "info"
		reference = "https://attack.mitre.org/techniques/T1486/"
	strings:
		$c1 = /(your|all( of)? your|all) (important |personal |company )?(files|documents|photos|pictures|databases|data|servers|network|computers?)( and [a-z]{3,12}){0,2} (have|has|had) been (encrypted|locked|crypted)/ ascii wide nocase
		$c2 = /(your|all( of)? your) (important |personal )?(files|documents|photos|data|databases) (are|were) (now )?(encrypted|locked)/ ascii wide nocase
		$c3 = /(we|i) (have )?(encrypted|locked) (all )?(of )?your (files|data|documents|network|servers|computers)/ ascii wide nocase
		$c4 = /your (network|company) has been (penetrated|hacked|compromised)/ ascii wide nocase
	condition:
		any of them
}

private rule Ransom_Offer
{
	meta:
		description = "Building block (private): the offer to decrypt, recover or restore the files"
		author = "Panoptes"
		date = "2026-12-04"
		category = "info"
		reference = "https://attack.mitre.org/techniques/T1486/"
	strings:
		$o1 = /(decrypt|recover|restore|get back|unlock) (all )?(of )?(your )?(files|data|documents|photos)/ ascii wide nocase
		$o2 = /decrypt(ion|or)? (key|tool|software|program|service)/ ascii wide nocase
		$o3 = /private (decryption )?key/ ascii wide nocase
		$o4 = /(only|unique) way to (decrypt|recover|restore)/ ascii wide nocase
	condition:
		any of them
}

private rule Ransom_Payment
{
	meta:
		description = "Building block (private): at least two payment or contact channels (bitcoin, wallet address, .onion, Tor, Monero, Tox, ransom/payment words)"
		author = "Panoptes"
		date = "2026-12-04"
		category = "info"
		reference = "https://attack.mitre.org/techniques/T1486/"
	strings:
		$p1 = /\bbitcoins?\b/ ascii wide nocase
		$p2 = /(bitcoin|btc|wallet)[^\r\n]{0,60}\b(bc1[a-z0-9]{25,59}|[13][a-km-zA-HJ-NP-Z1-9]{25,34})\b/ ascii wide nocase
		$p3 = /\b[a-z2-7]{56}\.onion\b/ ascii wide nocase
		$p4 = /\b[a-z2-7]{16}\.onion\b/ ascii wide nocase
		$p5 = "Tor Browser" ascii wide nocase
		$p6 = "torproject.org" ascii wide nocase
		$p7 = /\b(monero|XMR|BTC)\b/ ascii wide
		$p8 = /\b(ransom|payment|pay us|pay the)\b/ ascii wide nocase
		$p9 = /(tox ?id|tox chat|qtox)/ ascii wide nocase
	condition:
		2 of them
}

rule Ransom_Note
{
	meta:
		description = "Ransom note: says the reader's files were encrypted, offers decryption and names a payment or contact channel (bitcoin, wallet, .onion, Tor, Tox)"
		author = "Panoptes"
		date = "2026-12-04"
		category = "malicious"
		reference = "https://attack.mitre.org/techniques/T1486/"
	condition:
		filesize < 1MB and Ransom_Claim and Ransom_Offer and Ransom_Payment
}

rule Ransom_Note_Onion_Portal
{
	meta:
		description = "Ransom payment portal instructions: a .onion address with decryption and payment wording"
		author = "Panoptes"
		date = "2026-12-04"
		category = "malicious"
		reference = "https://attack.mitre.org/techniques/T1486/"
	strings:
		$onion = /https?:\/\/[a-z2-7]{56}\.onion/ ascii wide nocase
		$dec = /decrypt(ion|or)?\b/ ascii wide nocase
		$pay = /\b(payment|pay|ransom|bitcoin|price)\b/ ascii wide nocase
		$your = /your (files|data|network|company|documents)/ ascii wide nocase
	condition:
		filesize < 1MB and $onion and $dec and $pay and $your
}

rule Ransom_Note_Claim_Only
{
	meta:
		description = "Text that tells the reader their files were encrypted and offers decryption, without a payment channel"
		author = "Panoptes"
		date = "2026-12-04"
		category = "suspicious"
		reference = "https://attack.mitre.org/techniques/T1486/"
	condition:
		filesize < 1MB and Ransom_Claim and Ransom_Offer and not Ransom_Payment
}
