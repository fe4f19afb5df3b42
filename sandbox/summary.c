/*
 * summary.c - what is built over finished behaviour reports: the
 * verdict of one report (verdicts, verdict_confidence, the
 * sandbox_verdicts entry), its behash (SANDBOX.md §5.6), the merged
 * `behaviour_summary` of several reports, and `behaviour_mitre_trees`
 * (techniques grouped by tactic per sandbox, VT-API.md §5.7).
 *
 * The technique → tactic table below is a trimmed hand-made subset of
 * MITRE ATT&CK Enterprise (v14 names) covering the ids the Panoptes rule
 * files use; an id missing from it falls back to its parent technique,
 * then to the tactic "Other".  Descriptions are Panoptes' own one-liners.
 *
 * Verdict: score = 8 per HIGH, 3 per MEDIUM, 1 per LOW signature;
 * score >= 8 → MALWARE (confidence 50 + 5 per point, max 100),
 * category "malicious"; 3..7 → "suspicious"; 1..2 → "undetected";
 * 0 → CLEAN/"harmless" for a dynamic run with events, "undetected"
 * otherwise.  Rule-given labels (verdict =) are kept.
 *
 * Ownership: every result is a new json object; inputs are borrowed.
 * Limits: merged lists capped at PN_BEH_MAX_LIST.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "buf.h"
#include "hash.h"
#include "report.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ ATT&CK table */

struct tactic {
	const char *id, *name, *desc;
};

static const struct tactic tactics[] = {
	{ "TA0043", "Reconnaissance", "Gathering information to plan an operation." },
	{ "TA0042", "Resource Development", "Setting up resources for an operation." },
	{ "TA0001", "Initial Access", "Getting into the target environment." },
	{ "TA0002", "Execution", "Running attacker-controlled code." },
	{ "TA0003", "Persistence", "Keeping a foothold across restarts and logins." },
	{ "TA0004", "Privilege Escalation", "Gaining higher permissions." },
	{ "TA0005", "Defense Evasion", "Avoiding detection and analysis." },
	{ "TA0006", "Credential Access", "Stealing account names, passwords and keys." },
	{ "TA0007", "Discovery", "Learning about the system and its network." },
	{ "TA0008", "Lateral Movement", "Moving to other systems." },
	{ "TA0009", "Collection", "Gathering data of interest." },
	{ "TA0011", "Command and Control", "Communicating with controlled systems." },
	{ "TA0010", "Exfiltration", "Moving data out of the target environment." },
	{ "TA0040", "Impact", "Disrupting availability or integrity of systems and data." },
};

struct technique {
	const char *id, *name, *tactics, *desc;
};

static const struct technique techniques[] = {
	{ "T1003.001", "LSASS Memory", "TA0006", "Reads credentials from the LSASS process memory." },
	{ "T1003.008", "/etc/passwd and /etc/shadow", "TA0006", "Reads the local password database." },
	{ "T1014", "Rootkit", "TA0005", "Hides its presence by modifying the operating system." },
	{ "T1016", "System Network Configuration Discovery", "TA0007", "Looks up network interfaces, addresses and routes." },
	{ "T1027", "Obfuscated Files or Information", "TA0005", "Hides code or data by encoding or encryption." },
	{ "T1027.002", "Software Packing", "TA0005", "Compresses or encrypts an executable to hide its code." },
	{ "T1027.009", "Embedded Payloads", "TA0005", "Carries another payload inside the file." },
	{ "T1033", "System Owner/User Discovery", "TA0007", "Finds out which user it runs as." },
	{ "T1036.004", "Masquerade Task or Service", "TA0005", "Names a process or service like a legitimate one." },
	{ "T1036.005", "Match Legitimate Name or Location", "TA0005", "Uses names or paths of legitimate programs." },
	{ "T1037.004", "RC Scripts", "TA0003,TA0004", "Starts at boot through rc scripts." },
	{ "T1046", "Network Service Discovery", "TA0007", "Scans hosts for listening services." },
	{ "T1048", "Exfiltration Over Alternative Protocol", "TA0010", "Sends data out over a protocol other than the C2 channel." },
	{ "T1049", "System Network Connections Discovery", "TA0007", "Lists open network connections." },
	{ "T1053.002", "At", "TA0002,TA0003,TA0004", "Schedules commands with at." },
	{ "T1053.003", "Cron", "TA0002,TA0003,TA0004", "Schedules commands with cron." },
	{ "T1053.005", "Scheduled Task", "TA0002,TA0003,TA0004", "Schedules commands with the Windows task scheduler." },
	{ "T1053.006", "Systemd Timers", "TA0002,TA0003,TA0004", "Schedules commands with systemd timers." },
	{ "T1055", "Process Injection", "TA0004,TA0005", "Runs code inside another process." },
	{ "T1055.012", "Process Hollowing", "TA0004,TA0005", "Replaces the code of a suspended process." },
	{ "T1055.008", "Ptrace System Calls", "TA0004,TA0005", "Injects code into another process with ptrace." },
	{ "T1055.001", "Dynamic-link Library Injection", "TA0004,TA0005", "Loads a DLL into another process." },
	{ "T1055.002", "Portable Executable Injection", "TA0004,TA0005", "Writes code into another process and starts a thread there." },
	{ "T1055.004", "Asynchronous Procedure Call", "TA0004,TA0005", "Queues an APC to run code in another thread." },
	{ "T1490", "Inhibit System Recovery", "TA0040", "Deletes shadow copies, backups or recovery settings." },
	{ "T1012", "Query Registry", "TA0007", "Reads the Windows registry." },
	{ "T1070.001", "Clear Windows Event Logs", "TA0005", "Clears Windows event logs." },
	{ "T1546.012", "Image File Execution Options Injection", "TA0003,TA0004", "Sets an IFEO debugger or silent-exit monitor." },
	{ "T1546.010", "AppInit DLLs", "TA0003,TA0004", "Registers AppInit DLLs." },
	{ "T1548.002", "Bypass User Account Control", "TA0004,TA0005", "Hijacks auto-elevating handlers or disables UAC." },
	{ "T1569.002", "Service Execution", "TA0002", "Starts a Windows service." },
	{ "T1047", "Windows Management Instrumentation", "TA0002", "Runs commands through WMI." },
	{ "T1518.001", "Security Software Discovery", "TA0007", "Looks for security products." },
	{ "T1036", "Masquerading", "TA0005", "Disguises a file or process as a legitimate one." },
	{ "T1497", "Virtualization/Sandbox Evasion", "TA0005,TA0007", "Looks for signs of an analysis environment." },
	{ "T1087.001", "Local Account", "TA0007", "Lists local accounts." },
	{ "T1555.003", "Credentials from Web Browsers", "TA0006", "Reads browsers' stored passwords or cookies." },
	{ "T1218.010", "Regsvr32", "TA0005", "Runs code through regsvr32." },
	{ "T1218.011", "Rundll32", "TA0005", "Runs code through rundll32." },
	{ "T1056.001", "Keylogging", "TA0006,TA0009", "Records keystrokes." },
	{ "T1057", "Process Discovery", "TA0007", "Lists running processes." },
	{ "T1059", "Command and Scripting Interpreter", "TA0002", "Runs commands or scripts through an interpreter." },
	{ "T1059.001", "PowerShell", "TA0002", "Runs PowerShell commands or scripts." },
	{ "T1059.003", "Windows Command Shell", "TA0002", "Runs cmd.exe commands." },
	{ "T1059.004", "Unix Shell", "TA0002", "Runs Unix shell commands." },
	{ "T1059.005", "Visual Basic", "TA0002", "Runs Visual Basic or VBA code." },
	{ "T1059.007", "JavaScript", "TA0002", "Runs JavaScript or JScript code." },
	{ "T1070.002", "Clear Linux or Mac System Logs", "TA0005", "Deletes or truncates system logs." },
	{ "T1070.003", "Clear Command History", "TA0005", "Deletes or disables shell history." },
	{ "T1070.004", "File Deletion", "TA0005", "Deletes files, including itself." },
	{ "T1071", "Application Layer Protocol", "TA0011", "Talks to a server over an application protocol." },
	{ "T1071.001", "Web Protocols", "TA0011", "Talks HTTP or HTTPS." },
	{ "T1071.003", "Mail Protocols", "TA0011", "Talks SMTP, POP or IMAP." },
	{ "T1071.004", "DNS", "TA0011", "Uses DNS queries." },
	{ "T1082", "System Information Discovery", "TA0007", "Reads operating system and hardware details." },
	{ "T1083", "File and Directory Discovery", "TA0007", "Walks directories and lists files." },
	{ "T1095", "Non-Application Layer Protocol", "TA0011", "Talks over raw sockets or custom protocols." },
	{ "T1098.004", "SSH Authorized Keys", "TA0003,TA0004", "Adds a key to authorized_keys." },
	{ "T1105", "Ingress Tool Transfer", "TA0011", "Downloads tools or payloads." },
	{ "T1106", "Native API", "TA0002", "Calls operating-system APIs directly." },
	{ "T1112", "Modify Registry", "TA0005", "Changes the Windows registry." },
	{ "T1113", "Screen Capture", "TA0009", "Takes screenshots." },
	{ "T1115", "Clipboard Data", "TA0009", "Reads the clipboard." },
	{ "T1136.001", "Local Account", "TA0003", "Creates or changes local accounts." },
	{ "T1140", "Deobfuscate/Decode Files or Information", "TA0005", "Decodes hidden data at run time." },
	{ "T1204.002", "Malicious File", "TA0002", "Relies on a user opening a file." },
	{ "T1222.002", "Linux and Mac File and Directory Permissions Modification", "TA0005", "Changes file permissions or attributes." },
	{ "T1485", "Data Destruction", "TA0040", "Destroys data or disks." },
	{ "T1486", "Data Encrypted for Impact", "TA0040", "Encrypts files for ransom." },
	{ "T1489", "Service Stop", "TA0040", "Stops services or virtual machines." },
	{ "T1496", "Resource Hijacking", "TA0040", "Uses the system's resources, e.g. for mining." },
	{ "T1497.001", "System Checks", "TA0005,TA0007", "Checks for a virtual machine or sandbox." },
	{ "T1497.003", "Time Based Evasion", "TA0005,TA0007", "Waits or sleeps to outlast analysis." },
	{ "T1529", "System Shutdown/Reboot", "TA0040", "Shuts down or reboots the system." },
	{ "T1543.002", "Systemd Service", "TA0003,TA0004", "Installs or changes a systemd service." },
	{ "T1543.003", "Windows Service", "TA0003,TA0004", "Installs or changes a Windows service." },
	{ "T1546.004", "Unix Shell Configuration Modification", "TA0003,TA0004", "Changes shell start-up files." },
	{ "T1547.001", "Registry Run Keys / Startup Folder", "TA0003,TA0004", "Starts at logon through Run keys or the Startup folder." },
	{ "T1547.006", "Kernel Modules and Extensions", "TA0003,TA0004", "Loads a kernel module." },
	{ "T1547.013", "XDG Autostart Entries", "TA0003,TA0004", "Starts with the desktop session through autostart entries." },
	{ "T1548.001", "Setuid and Setgid", "TA0004,TA0005", "Uses setuid/setgid bits or calls." },
	{ "T1548.003", "Sudo and Sudo Caching", "TA0004,TA0005", "Uses or changes sudo." },
	{ "T1552.001", "Credentials In Files", "TA0006", "Searches files for stored passwords and keys." },
	{ "T1552.003", "Bash History", "TA0006", "Reads shell history for credentials." },
	{ "T1552.004", "Private Keys", "TA0006", "Reads private keys." },
	{ "T1562.001", "Disable or Modify Tools", "TA0005", "Disables security tools." },
	{ "T1562.004", "Disable or Modify System Firewall", "TA0005", "Disables or changes the firewall." },
	{ "T1564.001", "Hidden Files and Directories", "TA0005", "Hides files as dot files." },
	{ "T1565.001", "Stored Data Manipulation", "TA0040", "Changes stored data such as the hosts file." },
	{ "T1568.002", "Domain Generation Algorithms", "TA0011", "Generates many domain names to find its server." },
	{ "T1571", "Non-Standard Port", "TA0011", "Uses a protocol on an unusual port." },
	{ "T1573", "Encrypted Channel", "TA0011", "Encrypts its command-and-control traffic." },
	{ "T1574.006", "Dynamic Linker Hijacking", "TA0003,TA0004,TA0005", "Preloads libraries with LD_PRELOAD or ld.so.preload." },
	{ "T1620", "Reflective Code Loading", "TA0005", "Runs code from memory without a file." },
	{ "T1622", "Debugger Evasion", "TA0005,TA0007", "Detects or blocks debuggers." },
};

static const struct technique *
technique(const char *id)
{
	char parent[16];
	const char *dot;
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(techniques); i++)
		if (strcmp(techniques[i].id, id) == 0)
			return &techniques[i];
	if ((dot = strchr(id, '.')) == NULL || (size_t)(dot - id) >= sizeof(parent))
		return NULL;
	memcpy(parent, id, (size_t)(dot - id));
	parent[dot - id] = '\0';
	for (i = 0; i < PN_ARRAY_LEN(techniques); i++)
		if (strcmp(techniques[i].id, parent) == 0)
			return &techniques[i];
	return NULL;
}

/* ------------------------------------------------------------ verdicts */

static const char *
jstr(struct json_object *o, const char *k)
{
	struct json_object *v;

	if (o && json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

static struct json_object *
jarr(struct json_object *o, const char *k)
{
	struct json_object *v;

	if (o && json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_array))
		return v;
	return NULL;
}

static int
score(struct json_object *report)
{
	struct json_object *sm = jarr(report, "signature_matches");
	size_t i, n = sm ? json_object_array_length(sm) : 0;
	int s = 0;

	for (i = 0; i < n; i++) {
		const char *sev = jstr(json_object_array_get_idx(sm, i), "severity");
		if (sev == NULL)
			continue;
		if (strcmp(sev, "IMPACT_SEVERITY_HIGH") == 0)
			s += 8;
		else if (strcmp(sev, "IMPACT_SEVERITY_MEDIUM") == 0)
			s += 3;
		else if (strcmp(sev, "IMPACT_SEVERITY_LOW") == 0)
			s += 1;
		if (s > 1000)
			break;
	}
	return s;
}

static int
dynamic_with_events(struct json_object *report)
{
	struct json_object *ri, *ev;

	return json_object_object_get_ex(report, "run_info", &ri) &&
	    json_object_object_get_ex(ri, "events", &ev) && json_object_get_int64(ev) > 0;
}

void
pn__verdict(struct json_object *report)
{
	struct json_object *v = jarr(report, "verdicts"), *nv;
	int s = score(report), conf = 0;
	size_t i;

	if (v == NULL) {
		v = json_object_new_array();
		json_object_object_add(report, "verdicts", v);
	}
	nv = json_object_new_array();
	if (s >= 8) {
		json_object_array_add(nv, json_object_new_string("MALWARE"));
		conf = PN_MIN(100, 50 + 5 * s);
	} else if (s == 0 && json_object_array_length(v) == 0 && dynamic_with_events(report)) {
		json_object_array_add(nv, json_object_new_string("CLEAN"));
		conf = 30;
	} else {
		conf = PN_MIN(45, 10 * s);
	}
	for (i = 0; i < json_object_array_length(v); i++) {
		const char *x = json_object_get_string(json_object_array_get_idx(v, i));
		if (x && strcmp(x, "MALWARE") != 0)
			json_object_array_add(nv, json_object_new_string(x));
	}
	json_object_object_add(report, "verdicts", nv);
	json_object_object_add(report, "verdict_confidence", json_object_new_int(conf));
}

struct json_object *
pn_behavior_sandbox_verdict(struct json_object *report)
{
	struct json_object *o = json_object_new_object(), *v = jarr(report, "verdicts"), *cls;
	const char *cat, *name = jstr(report, "sandbox_name");
	struct json_object *conf;
	int s = score(report);
	size_t i;

	if (s >= 8)
		cat = "malicious";
	else if (s >= 3)
		cat = "suspicious";
	else if (s == 0 && dynamic_with_events(report))
		cat = "harmless";
	else
		cat = "undetected";
	json_object_object_add(o, "category", json_object_new_string(cat));
	json_object_object_add(o, "confidence", json_object_new_int(
	    json_object_object_get_ex(report, "verdict_confidence", &conf) ? json_object_get_int(conf) : 0));
	cls = json_object_new_array();
	for (i = 0; v && i < json_object_array_length(v); i++)
		json_object_array_add(cls, json_object_get(json_object_array_get_idx(v, i)));
	json_object_object_add(o, "malware_classification", cls);
	json_object_object_add(o, "malware_names", json_object_new_array());
	json_object_object_add(o, "sandbox_name", json_object_new_string(name ? name : ""));
	return o;
}

/* ------------------------------------------------------------ behash */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* s with every occurrence of sample replaced by %SAMPLE%. */
static char *
unsample(const char *s, const char *sample)
{
	struct pn_buf b;
	const char *p;
	size_t sl;

	if (sample == NULL || *sample == '\0' || (p = strstr(s, sample)) == NULL)
		return pn_xstrdup(s);
	pn_buf_init(&b, 0);
	sl = strlen(sample);
	while (p) {
		pn_buf_append(&b, s, (size_t)(p - s));
		pn_buf_puts(&b, "%SAMPLE%");
		s = p + sl;
		p = strstr(s, sample);
	}
	pn_buf_puts(&b, s);
	return pn_buf_steal(&b, NULL);
}

struct strs {
	char **v;
	size_t n, cap;
};

static void
strs_add(struct strs *s, char *v)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = pn_xrealloc(s->v, s->cap * sizeof(char *));
	}
	s->v[s->n++] = v;
}

static void
collect(struct strs *s, struct json_object *a, const char *prefix, const char *key, const char *sample)
{
	size_t i, n = a ? json_object_array_length(a) : 0;

	for (i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(a, i);
		const char *v = key ? jstr(e, key) : json_object_get_string(e);
		char *u, *l;
		if (v == NULL)
			continue;
		u = unsample(v, sample);
		if (strcmp(prefix, "dns:") == 0)
			for (l = u; *l; l++)
				if (*l >= 'A' && *l <= 'Z')
					*l = (char)(*l + 32);
		strs_add(s, pn_xasprintf("%s%s", prefix, u));
		free(u);
	}
}

void
pn__behash(struct json_object *report, struct json_object *fired, const char *sample, char out[65])
{
	struct strs s = { NULL, 0, 0 };
	struct pn_hash_ctx h;
	struct pn_hashes hs;
	size_t i;

	collect(&s, fired, "sig:", NULL, sample);
	collect(&s, jarr(report, "command_executions"), "cmd:", NULL, sample);
	collect(&s, jarr(report, "dns_lookups"), "dns:", "hostname", sample);
	collect(&s, jarr(report, "files_written"), "write:", NULL, sample);
	if (s.n)
		qsort(s.v, s.n, sizeof(char *), cmp_str);
	out[0] = '\0';
	if (pn_hash_init(&h, PN_HASH_SHA256) == PN_OK) {
		for (i = 0; i < s.n; i++) {
			if (i && strcmp(s.v[i], s.v[i - 1]) == 0)
				continue;
			pn_hash_update(&h, s.v[i], strlen(s.v[i]));
			pn_hash_update(&h, "\n", 1);
		}
		if (pn_hash_final(&h, &hs) == PN_OK)
			pn_strlcpy(out, hs.sha256, 65);
		pn_hash_release(&h);
	}
	for (i = 0; i < s.n; i++)
		free(s.v[i]);
	free(s.v);
}

/* ------------------------------------------------------------ summary */

static int
report_only(const char *k)
{
	static const char *const drop[] = { "sandbox_name", "analysis_date", "last_modification_date",
		"behash", "has_html_report", "has_pcap", "has_evtx", "has_memdump", "run_info",
		"verdict_confidence" };
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(drop); i++)
		if (strcmp(k, drop[i]) == 0)
			return 1;
	return 0;
}

struct json_object *
pn_behavior_summary(struct json_object *const *reports, size_t n)
{
	struct json_object *sum = json_object_new_object(), *seen = json_object_new_object();
	int conf = -1;
	size_t i;

	for (i = 0; i < n; i++) {
		struct json_object *r = reports[i], *c;
		if (r == NULL || !json_object_is_type(r, json_type_object))
			continue;
		if (json_object_object_get_ex(r, "verdict_confidence", &c))
			conf = PN_MAX(conf, json_object_get_int(c));
		json_object_object_foreach(r, k, v) {
			struct json_object *dst, *set;
			size_t j, m;
			if (report_only(k) || !json_object_is_type(v, json_type_array))
				continue;
			if (!json_object_object_get_ex(sum, k, &dst)) {
				dst = json_object_new_array();
				json_object_object_add(sum, k, dst);
				set = json_object_new_object();
				json_object_object_add(seen, k, set);
			}
			json_object_object_get_ex(seen, k, &set);
			m = json_object_array_length(v);
			for (j = 0; j < m && json_object_array_length(dst) < PN_BEH_MAX_LIST; j++) {
				struct json_object *e = json_object_array_get_idx(v, j);
				const char *key = json_object_to_json_string_ext(e, JSON_C_TO_STRING_PLAIN);
				if (json_object_object_get_ex(set, key, NULL))
					continue;
				json_object_object_add(set, key, NULL);
				json_object_array_add(dst, json_object_get(e));
			}
		}
	}
	if (conf >= 0)
		json_object_object_add(sum, "verdict_confidence", json_object_new_int(conf));
	json_object_put(seen);
	return sum;
}

/* ------------------------------------------------------------ MITRE trees */

static const char *
sev_short(const char *s)
{
	return s && strncmp(s, "IMPACT_SEVERITY_", 16) == 0 ? s + 16 : (s ? s : "UNKNOWN");
}

static struct json_object *
tactic_node(struct json_object *tnodes, struct json_object *list, const char *id)
{
	const struct tactic *t = NULL;
	struct json_object *o;
	size_t i;
	char *link;

	if (json_object_object_get_ex(tnodes, id, &o))
		return o;
	for (i = 0; i < PN_ARRAY_LEN(tactics); i++)
		if (strcmp(tactics[i].id, id) == 0)
			t = &tactics[i];
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "name", json_object_new_string(t ? t->name : "Other"));
	json_object_object_add(o, "description", json_object_new_string(t ? t->desc :
	    "Techniques without a tactic in Panoptes' table."));
	link = t ? pn_xasprintf("https://attack.mitre.org/tactics/%s/", id) : pn_xstrdup("");
	json_object_object_add(o, "link", json_object_new_string(link));
	free(link);
	json_object_object_add(o, "techniques", json_object_new_array());
	json_object_object_add(tnodes, id, o);
	json_object_array_add(list, json_object_get(o));
	return o;
}

static struct json_object *
technique_node(struct json_object *tac, const char *id, const struct technique *t)
{
	struct json_object *arr, *o;
	size_t i, n;
	char *link, *p;

	json_object_object_get_ex(tac, "techniques", &arr);
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		o = json_object_array_get_idx(arr, i);
		if (strcmp(jstr(o, "id"), id) == 0)
			return o;
	}
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "name", json_object_new_string(t ? t->name : id));
	json_object_object_add(o, "description", json_object_new_string(t ? t->desc : ""));
	link = pn_xasprintf("https://attack.mitre.org/techniques/%s/", id);
	if ((p = strchr(link + strlen("https://attack.mitre.org/techniques/"), '.')) != NULL)
		*p = '/';
	json_object_object_add(o, "link", json_object_new_string(link));
	free(link);
	json_object_object_add(o, "signatures", json_object_new_array());
	json_object_array_add(arr, o);
	return o;
}

static void
add_signature(struct json_object *tech, const char *sev, const char *desc)
{
	struct json_object *arr, *o;
	size_t i, n;

	json_object_object_get_ex(tech, "signatures", &arr);
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		o = json_object_array_get_idx(arr, i);
		if (strcmp(jstr(o, "description"), desc) == 0)
			return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "severity", json_object_new_string(sev_short(sev)));
	json_object_object_add(o, "description", json_object_new_string(desc));
	json_object_array_add(arr, o);
}

static int
tactic_order(const char *id)
{
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(tactics); i++)
		if (strcmp(tactics[i].id, id) == 0)
			return (int)i;
	return (int)PN_ARRAY_LEN(tactics);
}

static int
by_tactic(const void *a, const void *b)
{
	struct json_object *x = *(struct json_object *const *)a, *y = *(struct json_object *const *)b;

	return tactic_order(jstr(x, "id")) - tactic_order(jstr(y, "id"));
}

static struct json_object *
one_tree(struct json_object *report)
{
	struct json_object *mt = jarr(report, "mitre_attack_techniques");
	struct json_object *tnodes = json_object_new_object(), *list = json_object_new_array(), *o;
	size_t i, n = mt ? json_object_array_length(mt) : 0;

	for (i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(mt, i);
		const char *id = jstr(e, "id"), *desc = jstr(e, "signature_description");
		const struct technique *t;
		const char *p;
		char tid[16];
		if (id == NULL || strlen(id) >= 16)
			continue;
		t = technique(id);
		p = t ? t->tactics : "other";
		while (*p) {
			size_t l = strcspn(p, ",");
			if (l >= sizeof(tid))
				break;
			memcpy(tid, p, l);
			tid[l] = '\0';
			add_signature(technique_node(tactic_node(tnodes, list, tid), id, t),
			    jstr(e, "severity"), desc ? desc : "");
			p += l + (p[l] == ',');
		}
	}
	json_object_array_sort(list, by_tactic);
	json_object_put(tnodes);
	o = json_object_new_object();
	json_object_object_add(o, "tactics", list);
	return o;
}

struct json_object *
pn_behavior_mitre_trees(struct json_object *const *reports, const char *const *sandbox_names, size_t n)
{
	struct json_object *out = json_object_new_object();
	size_t i;

	for (i = 0; i < n; i++) {
		const char *name = sandbox_names && sandbox_names[i] ? sandbox_names[i] :
		    jstr(reports[i], "sandbox_name");
		if (reports[i] == NULL || name == NULL)
			continue;
		json_object_object_add(out, name, one_tree(reports[i]));
	}
	return out;
}
