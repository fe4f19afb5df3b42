// details.js - the Details tab: hashes (with copy buttons), type, sizes,
// dates, names, and each format block (pe_info with section entropy bars,
// imports, resources; elf_info; pdf; Office macros with their source;
// archive contents) as collapsible sections.  URL, domain and IP reports
// show their own attributes (redirections, HTTP response, DNS records,
// whois, categories, popularity, network).  Anything not rendered
// specially is still shown, as an escaped tree, so no attribute is hidden.
//
// SPDX-License-Identifier: MIT

import { h, kv, section, jsonTree, table, fmtBytes, fmtDate, copyButton, pill, notice } from '../dom.js';

const HASHES = ['md5', 'sha1', 'sha256', 'ssdeep', 'tlsh', 'vhash', 'authentihash', 'permhash', 'telfhash'];

function mono(v) { return h('span', { class: 'mono' }, String(v)); }
function hashRow(v) { return h('span', { class: 'hash' }, mono(v), ' ', copyButton(String(v))); }
function date(v) { return typeof v === 'number' ? fmtDate(v) : undefined; }
function list(v) { return Array.isArray(v) && v.length ? h('ul', { class: 'plain' }, v.map(x => h('li', null, typeof x === 'object' ? jsonTree(x) : String(x)))) : undefined; }
function entropy(e) {
  if (typeof e !== 'number') return '';
  return h('span', { class: 'entropy' },
    h('meter', { min: '0', max: '8', low: '6', high: '7.2', optimum: '3', value: String(e), 'aria-label': 'entropy ' + e.toFixed(2) + ' of 8' }),
    ' ', e.toFixed(2));
}
function hex(n) { return typeof n === 'number' ? '0x' + n.toString(16) : (n ?? ''); }

function basics(a, handled) {
  const out = [];
  const hashes = HASHES.filter(k => a[k]).map(k => [k.toUpperCase() === k ? k : k, hashRow(a[k])]);
  if (a.pe_info?.imphash) hashes.push(['imphash', hashRow(a.pe_info.imphash)]);
  HASHES.forEach(k => handled.add(k));
  out.push(section('Basic properties', [
    kv(hashes),
    kv([['File type', a.type_description], ['Type tag', a.type_tag], ['Type tags', a.type_tags?.length ? h('span', null, a.type_tags.map(t => pill(t))) : undefined],
      ['Extension', a.type_extension], ['Magic', a.magic], ['MIME type', a.mime_type],
      ['Size', typeof a.size === 'number' ? fmtBytes(a.size) + ' (' + a.size.toLocaleString('en') + ' bytes)' : undefined]]),
    Array.isArray(a.trid) && a.trid.length ? table(['TrID file type', 'Probability'], a.trid.map(t => [t.file_type, String(t.probability) + ' %'])) : null,
  ], true, { id: 'details-basic' }));
  ['type_description', 'type_tag', 'type_tags', 'type_extension', 'magic', 'mime_type', 'size', 'trid'].forEach(k => handled.add(k));
  const dates = [['Creation time', date(a.creation_date)], ['First submission', date(a.first_submission_date)],
    ['Last submission', date(a.last_submission_date)], ['Last analysis', date(a.last_analysis_date)],
    ['Last modification', date(a.last_modification_date)], ['First seen in the wild', date(a.first_seen_itw_date)],
    ['Times submitted', a.times_submitted], ['Unique sources', a.unique_sources]];
  ['creation_date', 'first_submission_date', 'last_submission_date', 'last_analysis_date', 'last_modification_date', 'first_seen_itw_date', 'times_submitted', 'unique_sources'].forEach(k => handled.add(k));
  out.push(section('History', kv(dates)));
  if (Array.isArray(a.names) && a.names.length) out.push(section('Names', list(a.names), true, { id: 'details-names' }));
  handled.add('names'); handled.add('meaningful_name');
  return out;
}

function peInfo(p) {
  const parts = [];
  parts.push(kv([['Entry point', hex(p.entry_point)], ['Machine type', p.machine_type], ['Compile time', date(p.timestamp)],
    ['Imphash', p.imphash ? hashRow(p.imphash) : undefined], ['Rich header hash', p.rich_pe_header_hash],
    ['Compiler products', list(p.compiler_product_versions)], ['Packer hints', list(p.packer_hints)]]));
  if (Array.isArray(p.sections) && p.sections.length) {
    parts.push(h('h4', null, 'Sections'), table(['Name', 'Virtual address', 'Virtual size', 'Raw size', 'Entropy', 'Flags', 'MD5'],
      p.sections.map(s => [h('code', null, String(s.name ?? '')), hex(s.virtual_address), String(s.virtual_size ?? ''), String(s.raw_size ?? ''),
        entropy(s.entropy), String(s.flags ?? ''), mono(s.md5 ?? '')]), { class: 'pe-sections' }));
  }
  if (Array.isArray(p.import_list) && p.import_list.length) {
    parts.push(h('h4', null, 'Imports (' + p.import_list.length + ' libraries)'),
      h('div', { class: 'imports' }, p.import_list.map(l => h('details', null,
        h('summary', null, String(l.library_name ?? ''), ' ', h('span', { class: 'muted' }, '(' + (l.imported_functions?.length || 0) + ')')),
        list(l.imported_functions) || h('p', { class: 'muted' }, 'none')))));
  }
  if (Array.isArray(p.exports) && p.exports.length) parts.push(h('details', null, h('summary', null, 'Exports (' + p.exports.length + ')'), list(p.exports)));
  if (Array.isArray(p.resource_details) && p.resource_details.length) {
    parts.push(h('h4', null, 'Resources'), table(['Type', 'Language', 'File type', 'Entropy', 'SHA-256'],
      p.resource_details.map(r => [String(r.type ?? ''), String(r.lang ?? ''), String(r.filetype ?? ''), entropy(r.entropy), mono(r.sha256 ?? '')])));
  }
  if (p.overlay) parts.push(h('h4', null, 'Overlay'), kv([['Offset', hex(p.overlay.offset)], ['Size', p.overlay.size], ['Entropy', entropy(p.overlay.entropy)], ['File type', p.overlay.filetype], ['MD5', p.overlay.md5]]));
  const done = new Set(['entry_point', 'machine_type', 'timestamp', 'imphash', 'rich_pe_header_hash', 'compiler_product_versions', 'packer_hints', 'sections', 'import_list', 'exports', 'resource_details', 'overlay']);
  const rest = Object.fromEntries(Object.entries(p).filter(([k]) => !done.has(k)));
  if (Object.keys(rest).length) parts.push(h('details', null, h('summary', null, 'More PE fields (headers, resources by type, debug, TLS, .NET)'), jsonTree(rest)));
  return parts;
}

function elfInfo(e) {
  const parts = [];
  if (e.header) parts.push(h('h4', null, 'Header'), jsonTree(e.header));
  if (Array.isArray(e.section_list) && e.section_list.length)
    parts.push(h('h4', null, 'Sections'), table(['Name', 'Type', 'Virtual address', 'Offset', 'Size', 'Flags'],
      e.section_list.map(s => [h('code', null, String(s.name ?? '')), String(s.section_type ?? ''), hex(s.virtual_address), hex(s.physical_offset), String(s.size ?? ''), String(s.flags ?? '')])));
  if (Array.isArray(e.shared_libraries) && e.shared_libraries.length) parts.push(h('h4', null, 'Shared libraries'), list(e.shared_libraries));
  const done = new Set(['header', 'section_list', 'shared_libraries']);
  const rest = Object.fromEntries(Object.entries(e).filter(([k]) => !done.has(k)));
  if (Object.keys(rest).length) parts.push(h('details', null, h('summary', null, 'Segments, imports, exports'), jsonTree(rest)));
  return parts;
}

// Every macro object (has vba_code) anywhere inside v.
function findMacros(v, out = []) {
  if (Array.isArray(v)) v.forEach(x => findMacros(x, out));
  else if (v && typeof v === 'object') {
    if (typeof v.vba_code === 'string' || v.vba_filename) out.push(v);
    else Object.values(v).forEach(x => findMacros(x, out));
  }
  return out;
}

function macros(list) {
  return h('div', { class: 'macros' }, list.map(m => h('details', { class: 'macro' },
    h('summary', null, h('code', null, String(m.vba_filename || m.module_name || 'macro')), ' ',
      m.auto_exec?.length ? pill('auto-exec', 'bad') : null, ' ',
      m.suspicious?.length ? pill(m.suspicious.length + ' suspicious keywords', 'warn') : null),
    kv([['Stream', m.stream_path], ['Container', m.subfilename], ['Length', m.length], ['Auto-exec', list2(m.auto_exec)], ['Suspicious', list2(m.suspicious)]]),
    typeof m.vba_code === 'string' ? h('pre', { class: 'code' }, h('code', null, m.vba_code)) : h('p', { class: 'muted' }, 'Source not kept' + (m.vba_code_omitted ? ' (the report already holds enough macro source)' : '') + '.'),
    m.truncated ? h('p', { class: 'muted' }, 'Source truncated.') : null)));
}
function list2(v) { return Array.isArray(v) && v.length ? v.map(x => typeof x === 'object' ? JSON.stringify(x) : String(x)).join(', ') : undefined; }

function formatSections(a, handled) {
  const out = [];
  if (a.signature_info) { out.push(section('Signature and version information', jsonTree(a.signature_info))); handled.add('signature_info'); }
  if (a.packers) { out.push(section('Packers', jsonTree(a.packers))); handled.add('packers'); }
  if (a.pe_info) { out.push(section('Portable Executable', peInfo(a.pe_info), true, { id: 'details-pe' })); handled.add('pe_info'); }
  if (a.elf_info) { out.push(section('ELF', elfInfo(a.elf_info), true, { id: 'details-elf' })); handled.add('elf_info'); }
  for (const k of ['office_info', 'openxml_info', 'ole_info']) {
    if (!a[k]) continue;
    handled.add(k);
    const ms = findMacros(a[k]);
    out.push(section({ office_info: 'Office document', openxml_info: 'Office Open XML', ole_info: 'OLE compound file' }[k],
      [ms.length ? [h('h4', null, 'Macros (' + ms.length + ')'), macros(ms)] : null, h('details', null, h('summary', null, 'All fields'), jsonTree(a[k]))], true, { id: 'details-' + k.replace('_', '-') }));
  }
  for (const [k, title] of [['pdf_info', 'PDF'], ['pdf_details', 'PDF details'], ['rtf_info', 'RTF'], ['macho_info', 'Mach-O'], ['bundle_info', 'Archive contents'], ['script_info', 'Script'], ['strings_info', 'Strings and indicators']]) {
    if (!a[k]) continue;
    handled.add(k);
    out.push(section(title, jsonTree(a[k]), k !== 'strings_info' && k !== 'script_info', { id: 'details-' + k.replace('_', '-') }));
  }
  if (Array.isArray(a.analysis_notes) && a.analysis_notes.length) {
    out.push(section('Analysis notes', [h('p', { class: 'muted' }, 'What could not be parsed, and why.'), list(a.analysis_notes)]));
  }
  handled.add('analysis_notes');
  return out;
}

function netSections(kind, a, handled) {
  const out = [];
  const take = (...ks) => ks.forEach(k => handled.add(k));
  if (kind === 'url') {
    out.push(section('URL', kv([['URL', a.url], ['Final URL', a.last_final_url], ['Title', a.title],
      ['First submission', date(a.first_submission_date)], ['Last submission', date(a.last_submission_date)], ['Last analysis', date(a.last_analysis_date)],
      ['Times submitted', a.times_submitted], ['Threat names', list(a.threat_names)]]), true, { id: 'details-url' }));
    take('url', 'last_final_url', 'title', 'first_submission_date', 'last_submission_date', 'last_analysis_date', 'times_submitted', 'threat_names');
    if (Array.isArray(a.redirection_chain) && a.redirection_chain.length) { out.push(section('Redirection chain', h('ol', null, a.redirection_chain.map(u => h('li', null, h('span', { class: 'mono' }, String(u))))))); take('redirection_chain'); }
    out.push(section('HTTP response', [kv([['Status code', a.last_http_response_code], ['Content length', a.last_http_response_content_length],
      ['Content SHA-256', a.last_http_response_content_sha256 ? hashRow(a.last_http_response_content_sha256) : undefined]]),
    a.last_http_response_headers ? [h('h4', null, 'Headers'), table(['Header', 'Value'], Object.entries(a.last_http_response_headers).map(([k, v]) => [k, String(v)]))] : null,
    a.last_http_response_cookies ? [h('h4', null, 'Cookies'), jsonTree(a.last_http_response_cookies)] : null]));
    take('last_http_response_code', 'last_http_response_content_length', 'last_http_response_content_sha256', 'last_http_response_headers', 'last_http_response_cookies');
    if (a.html_meta) { out.push(section('HTML meta tags', jsonTree(a.html_meta), false)); take('html_meta'); }
    if (a.outgoing_links) { out.push(section('Outgoing links', list(a.outgoing_links), false)); take('outgoing_links'); }
  }
  if (kind === 'domain') {
    out.push(section('Domain', kv([['Registrar', a.registrar], ['TLD', a.tld], ['Created', date(a.creation_date)], ['Updated', date(a.last_update_date)],
      ['Expires', date(a.expiration_date)], ['JARM', a.jarm], ['Last analysis', date(a.last_analysis_date)]]), true, { id: 'details-domain' }));
    take('registrar', 'tld', 'creation_date', 'last_update_date', 'expiration_date', 'jarm', 'last_analysis_date');
    if (Array.isArray(a.last_dns_records)) {
      out.push(section('DNS records' + (a.last_dns_records_date ? ' (' + fmtDate(a.last_dns_records_date) + ')' : ''),
        table(['Type', 'Value', 'TTL', 'More'], a.last_dns_records.map(r => [String(r.type ?? ''), h('span', { class: 'mono' }, String(r.value ?? '')), String(r.ttl ?? ''),
          Object.keys(r).filter(k => !['type', 'value', 'ttl'].includes(k)).map(k => k + ': ' + r[k]).join(', ')])), true, { id: 'details-dns' }));
      take('last_dns_records', 'last_dns_records_date');
    }
    if (a.popularity_ranks) {
      out.push(section('Popularity ranks', table(['Ranker', 'Rank', 'Date'], Object.entries(a.popularity_ranks).map(([k, v]) => [k, String(v?.rank ?? ''), date(v?.timestamp) || '']))));
      take('popularity_ranks');
    }
  }
  if (kind === 'ip_address') {
    out.push(section('Network', kv([['Network', a.network], ['ASN', a.asn], ['AS owner', a.as_owner], ['Country', a.country], ['Continent', a.continent],
      ['Registry', a.regional_internet_registry], ['JARM', a.jarm], ['Last analysis', date(a.last_analysis_date)]]), true, { id: 'details-network' }));
    take('network', 'asn', 'as_owner', 'country', 'continent', 'regional_internet_registry', 'jarm', 'last_analysis_date');
  }
  if (a.categories && Object.keys(a.categories).length) {
    out.push(section('Categories', table(['Source', 'Category'], Object.entries(a.categories).map(([k, v]) => [k, String(v)]))));
    take('categories');
  }
  if (a.whois) {
    out.push(section('Whois' + (a.whois_date ? ' (' + fmtDate(a.whois_date) + ')' : ''), h('pre', { class: 'code whois' }, String(a.whois)), false, { id: 'details-whois' }));
    take('whois', 'whois_date');
  }
  if (a.last_https_certificate) {
    out.push(section('HTTPS certificate' + (a.last_https_certificate_date ? ' (' + fmtDate(a.last_https_certificate_date) + ')' : ''), jsonTree(a.last_https_certificate), false));
    take('last_https_certificate', 'last_https_certificate_date');
  }
  return out;
}

// Shown elsewhere (header, detection, community tabs).
const ELSEWHERE = ['last_analysis_results', 'last_analysis_stats', 'engine_details', 'reputation', 'total_votes', 'tags', 'last_modification_date'];

export function render(panel, st) {
  const { kind } = st;
  const a = st.obj.attributes || {};
  const handled = new Set(ELSEWHERE);
  const parts = kind === 'file' ? [...basics(a, handled), ...formatSections(a, handled)] : netSections(kind, a, handled);
  const rest = Object.keys(a).filter(k => !handled.has(k)).sort();
  if (rest.length) {
    parts.push(section('Other attributes', h('div', null, rest.map(k => h('details', { class: 'attr' },
      h('summary', null, h('code', null, k)), jsonTree(a[k])))), kind !== 'file'));
  }
  if (!parts.length) parts.push(notice('No details.', 'info'));
  panel.append(h('div', { class: 'details', id: 'details' }, parts));
}
