// behavior.js - the Behavior tab: the sandbox summary
// (GET /files/{id}/behaviour_summary: process tree, commands, files,
// registry, network, mutexes, signatures) and the ATT&CK view
// (GET /files/{id}/behaviour_mitre_trees: tactics as columns, techniques
// with their evidence on demand).  404 means no sandbox report.
//
// SPDX-License-Identifier: MIT

import { h, notice, section, table, jsonTree, pill, spinner } from '../dom.js';
import { api } from '../api.js';

// Only http(s) links from report data become links (never javascript: or data:).
function safeHref(u) {
  return typeof u === 'string' && /^https?:\/\/[^\s]+$/i.test(u) ? u : null;
}

function procTree(list) {
  if (!Array.isArray(list) || !list.length) return null;
  return h('ul', { class: 'proc-tree' }, list.map(p => h('li', null,
    h('span', { class: 'proc' }, h('code', null, String(p.name ?? '?')), p.process_id !== undefined ? h('span', { class: 'muted' }, ' pid ' + p.process_id) : null),
    procTree(p.children))));
}

function strList(v) {
  return h('ul', { class: 'plain mono-list' }, v.map(x => h('li', null, typeof x === 'object' ? jsonTree(x) : String(x))));
}

const GROUPS = [
  ['Processes', ['processes_created', 'processes_terminated', 'processes_killed', 'processes_injected']],
  ['Command executions', ['command_executions']],
  ['Files', ['files_opened', 'files_written', 'files_deleted', 'files_attribute_changed', 'files_copied', 'files_dropped']],
  ['Registry', ['registry_keys_opened', 'registry_keys_set', 'registry_keys_deleted']],
  ['Mutexes', ['mutexes_created', 'mutexes_opened']],
  ['Services', ['services_created', 'services_started', 'services_stopped', 'services_deleted', 'services_opened', 'services_bound']],
  ['Modules loaded', ['modules_loaded']],
  ['Highlighted', ['calls_highlighted', 'text_highlighted', 'text_decoded']],
];

function netSection(s) {
  const parts = [];
  if (Array.isArray(s.dns_lookups) && s.dns_lookups.length)
    parts.push(h('h4', null, 'DNS'), table(['Host name', 'Resolved IPs'], s.dns_lookups.map(d => [String(d.hostname ?? ''), Array.isArray(d.resolved_ips) ? d.resolved_ips.join(', ') : h('span', { class: 'muted' }, 'no answer')])));
  if (Array.isArray(s.ip_traffic) && s.ip_traffic.length)
    parts.push(h('h4', null, 'IP traffic'), table(['Protocol', 'Destination', 'Port'], s.ip_traffic.map(t => [String(t.transport_layer_protocol ?? ''), String(t.destination_ip ?? ''), String(t.destination_port ?? '')])));
  if (Array.isArray(s.http_conversations) && s.http_conversations.length)
    parts.push(h('h4', null, 'HTTP'), table(['Method', 'URL', 'Status', 'Body type'], s.http_conversations.map(c => [String(c.request_method ?? ''), h('span', { class: 'mono' }, String(c.url ?? '')), String(c.response_status_code ?? ''), String(c.response_body_filetype ?? '')])));
  if (Array.isArray(s.tls) && s.tls.length)
    parts.push(h('h4', null, 'TLS'), table(['SNI', 'Subject', 'Issuer', 'JA3'], s.tls.map(t => [String(t.sni ?? ''), typeof t.subject === 'object' ? JSON.stringify(t.subject) : String(t.subject ?? ''), typeof t.issuer === 'object' ? JSON.stringify(t.issuer) : String(t.issuer ?? ''), String(t.ja3 ?? '')])));
  return parts.length ? section('Network', parts, true, { id: 'behavior-network' }) : null;
}

function summary(s) {
  const out = [];
  const used = new Set(['processes_tree', 'dns_lookups', 'ip_traffic', 'http_conversations', 'tls', 'verdicts', 'tags', 'mitre_attack_techniques', 'signature_matches', 'verdict_confidence']);
  const head = [];
  if (Array.isArray(s.verdicts) && s.verdicts.length) head.push(h('p', null, 'Verdicts: ', s.verdicts.map(v => [pill(String(v), v === 'CLEAN' ? 'good' : 'bad'), ' ']), s.verdict_confidence !== undefined ? h('span', { class: 'muted' }, ' confidence ' + s.verdict_confidence) : null));
  if (Array.isArray(s.tags) && s.tags.length) head.push(h('p', null, 'Tags: ', s.tags.map(t => [pill(String(t)), ' '])));
  if (head.length) out.push(h('div', { class: 'card' }, head));
  if (Array.isArray(s.processes_tree) && s.processes_tree.length) out.push(section('Process tree', procTree(s.processes_tree), true, { id: 'behavior-proctree' }));
  const net = netSection(s);
  for (const [title, keys] of GROUPS) {
    const parts = [];
    for (const k of keys) {
      used.add(k);
      if (Array.isArray(s[k]) && s[k].length) parts.push(h('h4', null, k.replace(/_/g, ' ') + ' (' + s[k].length + ')'), strList(s[k]));
    }
    if (parts.length) out.push(section(title, parts, title !== 'Modules loaded'));
    if (title === 'Command executions' && net) out.push(net);
  }
  if (Array.isArray(s.signature_matches) && s.signature_matches.length)
    out.push(section('Signatures', table(['Name', 'Severity', 'Description', 'Format'], s.signature_matches.map(m => [String(m.name ?? m.id ?? ''), String(m.severity ?? ''), String(m.description ?? ''), String(m.format ?? '')]))));
  if (Array.isArray(s.mitre_attack_techniques) && s.mitre_attack_techniques.length)
    out.push(section('ATT&CK techniques observed', table(['Technique', 'Severity', 'Description'], s.mitre_attack_techniques.map(t => [String(t.id ?? ''), String(t.severity ?? '').replace('IMPACT_SEVERITY_', ''), String(t.signature_description ?? '')]))));
  const rest = Object.keys(s).filter(k => !used.has(k)).sort();
  if (rest.length) out.push(section('More observations', rest.map(k => h('details', null, h('summary', null, h('code', null, k)), jsonTree(s[k]))), false));
  return out;
}

function mitre(trees) {
  const out = [];
  for (const [sandbox, tree] of Object.entries(trees || {})) {
    const tactics = Array.isArray(tree?.tactics) ? tree.tactics : [];
    if (!tactics.length) continue;
    out.push(h('h3', null, sandbox),
      h('div', { class: 'attack-matrix', role: 'list' }, tactics.map(t => h('div', { class: 'tactic', role: 'listitem' },
        h('h4', null, safeHref(t.link) ? h('a', { href: safeHref(t.link), rel: 'noreferrer noopener', target: '_blank' }, String(t.name ?? t.id)) : String(t.name ?? t.id), h('span', { class: 'muted small' }, ' ' + (t.id ?? ''))),
        (t.techniques || []).map(tech => h('details', { class: 'technique' },
          h('summary', null, String(tech.name ?? tech.id), h('span', { class: 'muted small' }, ' ' + (tech.id ?? '')),
            ' ', pill(String((tech.signatures || []).length), 'neutral')),
          tech.description ? h('p', { class: 'small' }, String(tech.description)) : null,
          h('ul', { class: 'plain' }, (tech.signatures || []).map(sg => h('li', null, pill(String(sg.severity ?? 'INFO'), /HIGH/.test(sg.severity) ? 'bad' : /MEDIUM/.test(sg.severity) ? 'warn' : 'neutral'), ' ', String(sg.description ?? ''))))))))));
  }
  return out.length ? section('MITRE ATT&CK', out, true, { id: 'behavior-mitre' }) : null;
}

export async function render(panel, st, ctx) {
  const id = st.obj.id;
  panel.append(h('h2', null, 'Behaviour'), spinner('Loading the sandbox report…'));
  const [sum, trees] = await Promise.all([
    api('files/' + id + '/behaviour_summary', { signal: ctx.signal }).catch(e => e),
    api('files/' + id + '/behaviour_mitre_trees', { signal: ctx.signal }).catch(e => e),
  ]);
  if (!ctx.alive()) return;
  panel.lastChild.remove();
  if (sum instanceof Error && (sum.status === 404 || sum.status === 405)) {
    panel.append(notice(sum.missingRoute ? 'No behaviour report: this server does not run sandboxes yet.' : 'No behaviour report for this file.', 'info'));
    return;
  }
  if (sum instanceof Error) { panel.append(notice('Could not load the behaviour report: ' + sum.message, 'error')); return; }
  const s = sum?.data || {};
  if (!Object.keys(s).length) { panel.append(notice('No behaviour report for this file.', 'info')); return; }
  if (!(trees instanceof Error)) { const m = mitre(trees?.data); if (m) panel.append(m); }
  panel.append(...summary(s));
}
