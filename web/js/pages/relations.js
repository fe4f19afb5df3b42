// relations.js - the Relations tab: every relationship of the object
// (GET /api/v3/{collection}/{id}/{relationship}, cursor-paginated) as a
// table with Previous/Next, and a graph of the object and its neighbours
// that grows node by node (select a node, then Expand or double-click).
//
// Relationship names come from GET /metadata; for object types it does
// not list, VirusTotal's most used names are tried and those the server
// refuses (404) are left out.
//
// SPDX-License-Identifier: MIT

import { h, clear, notice, fmtDate, fmtBytes, pill, spinner, jsonTree } from '../dom.js';
import { api, page, ApiError } from '../api.js';
import { Graph } from '../graph.js';
import { KINDS, ratioOf } from './report.js';

const FALLBACK = {
  url: ['analyses', 'contacted_domains', 'contacted_ips', 'downloaded_files', 'redirecting_urls', 'redirects_to', 'last_serving_ip_address', 'network_location', 'submissions', 'comments', 'votes'],
  domain: ['resolutions', 'subdomains', 'siblings', 'parent', 'urls', 'communicating_files', 'downloaded_files', 'referrer_files', 'comments', 'votes'],
  ip_address: ['resolutions', 'urls', 'communicating_files', 'downloaded_files', 'referrer_files', 'comments', 'votes'],
  file: ['analyses', 'submissions', 'bundled_files', 'compressed_parents', 'contacted_domains', 'contacted_ips', 'contacted_urls', 'dropped_files', 'execution_parents', 'embedded_urls', 'similar_files'],
};
const PAGE = 10;
let metaCache = null;

async function relNames(kind) {
  try {
    metaCache = metaCache || api('metadata').then(j => j.data?.relationships || {});
    const rels = await metaCache;
    const list = rels[kind];
    if (Array.isArray(list) && list.length) return list.map(r => ({ name: r.name, description: r.description || '' }));
  } catch { metaCache = null; }
  return (FALLBACK[kind] || []).map(name => ({ name, description: '' }));
}

const GUI = { file: 'file', url: 'url', domain: 'domain', ip_address: 'ip-address' };

export function linkTo(type, id, text) {
  if (GUI[type]) return h('a', { href: '/gui/' + GUI[type] + '/' + encodeURIComponent(id) }, text || id);
  return h('span', { class: 'mono' }, text || id);
}

function ratioPill(stats) {
  if (!stats) return '';
  const r = ratioOf(stats);
  return pill(r.mal + '/' + r.total, r.sev);
}

function labelOf(o) {
  const a = o.attributes || {};
  switch (o.type) {
  case 'file': return a.meaningful_name || (a.names && a.names[0]) || (o.id || '').slice(0, 16) + '…';
  case 'url': return a.url || o.id;
  case 'submission': return (a.name || 'submission') + (a.date ? ' · ' + fmtDate(a.date) : '');
  case 'analysis': return 'analysis' + (a.date ? ' · ' + fmtDate(a.date) : '');
  case 'comment': return (a.text || 'comment').slice(0, 40);
  case 'resolution': return (a.host_name || '') + ' → ' + (a.ip_address || '');
  default: return o.id;
  }
}

// Columns for a page of objects, by the type of the first.
function rowsFor(items) {
  const type = items[0]?.type;
  const ctxCol = items.some(o => o.context_attributes);
  let cols, row;
  switch (type) {
  case 'file':
    cols = ['File', 'Name', 'Type', 'Size', 'Detections'];
    row = o => { const a = o.attributes || {}; return [linkTo('file', o.id, h('span', { class: 'mono' }, o.id.slice(0, 16) + '…')), a.meaningful_name || '', a.type_description || '', typeof a.size === 'number' ? fmtBytes(a.size) : '', ratioPill(a.last_analysis_stats)]; };
    break;
  case 'url':
    cols = ['URL', 'Title', 'Detections'];
    row = o => { const a = o.attributes || {}; return [linkTo('url', o.id, a.url || o.id), a.title || '', ratioPill(a.last_analysis_stats)]; };
    break;
  case 'domain': case 'ip_address':
    cols = [type === 'domain' ? 'Domain' : 'IP address', 'Detections', 'More'];
    row = o => { const a = o.attributes || {}; return [linkTo(type, o.id), ratioPill(a.last_analysis_stats), [a.registrar, a.as_owner, a.country].filter(Boolean).join(' · ')]; };
    break;
  case 'analysis':
    cols = ['Analysis', 'Date', 'Status', 'Detections'];
    row = o => { const a = o.attributes || {}; return [h('span', { class: 'mono' }, o.id), fmtDate(a.date), a.status || '', ratioPill(a.stats)]; };
    break;
  case 'submission':
    cols = ['Date', 'Name', 'Interface', 'Source'];
    row = o => { const a = o.attributes || {}; return [fmtDate(a.date), a.name || '', a.interface || '', [a.country, a.city, a.source_key].filter(Boolean).join(' · ')]; };
    break;
  case 'resolution':
    cols = ['Date', 'Host', 'IP address', 'Resolver'];
    row = o => { const a = o.attributes || {}; return [fmtDate(a.date), linkTo('domain', a.host_name || ''), linkTo('ip_address', a.ip_address || ''), a.resolver || '']; };
    break;
  default:
    cols = ['Type', 'Id', 'Attributes'];
    row = o => [o.type || '', h('span', { class: 'mono' }, o.id || ''), o.attributes ? h('details', null, h('summary', null, 'show'), jsonTree(o.attributes)) : ''];
  }
  if (ctxCol) cols = [...cols, 'Context'];
  return { cols, rows: items.map(o => ctxCol ? [...row(o), o.context_attributes ? jsonTree(o.context_attributes) : ''] : row(o)) };
}

function relTable(path, rel, first, onItems) {
  const cursors = [null];   // cursor of each page seen
  let idx = 0;
  const body = h('div', { class: 'rel-body' });
  const nav = h('div', { class: 'pager' });
  const wrap = h('div', null, body, nav);
  function show(pg) {
    clear(body);
    if (!pg.items.length) { body.append(h('p', { class: 'muted' }, 'Nothing on this page.')); }
    else {
      const { cols, rows } = rowsFor(pg.items);
      body.append(h('div', { class: 'table-wrap' }, h('table', { class: 'rel-table', dataset: { rel } },
        h('thead', null, h('tr', null, cols.map(c => h('th', { scope: 'col' }, c)))),
        h('tbody', null, rows.map(r => h('tr', null, r.map(c => h('td', null, c))))))));
      onItems(pg.items);
    }
    clear(nav);
    const prev = h('button', { type: 'button', class: 'small secondary', disabled: idx === 0 }, '← Previous');
    const next = h('button', { type: 'button', class: 'small secondary', disabled: !pg.cursor }, 'Next →');
    prev.addEventListener('click', () => go(idx - 1));
    next.addEventListener('click', () => { cursors[idx + 1] = pg.cursor; go(idx + 1); });
    const from = idx * PAGE + 1, to = idx * PAGE + pg.items.length;
    nav.append(prev, h('span', { class: 'muted' }, pg.items.length ? from + '–' + to + (pg.count !== null ? ' of ' + pg.count : '') : ''), next);
  }
  async function go(i) {
    idx = i;
    clear(body).append(spinner());
    try { show(await page(path, { limit: PAGE, cursor: cursors[i] })); } catch (e) { clear(body).append(notice('Could not load: ' + e.message, 'error')); }
  }
  show(first);
  return wrap;
}

// Fetch the first page of each relationship, at most `width` at a time.
async function firstPages(col, id, names, limit, signal) {
  const out = new Array(names.length);
  let next = 0;
  async function worker() {
    while (next < names.length) {
      const i = next++;
      try { out[i] = await page(col + '/' + encodeURIComponent(id) + '/' + names[i].name, { limit }); }
      catch (e) { out[i] = e instanceof ApiError ? { error: e } : { error: new ApiError(0, 'Error', String(e)) }; }
      if (signal?.aborted) return;
    }
  }
  await Promise.all(Array.from({ length: 6 }, worker));
  return out;
}

function addItems(graph, from, rel, items) {
  for (const o of items) {
    if (!o || !o.id || !o.type) continue;
    const stats = o.attributes?.last_analysis_stats || o.attributes?.stats;
    const n = graph.addNode(o.id, o.type, labelOf(o), stats ? { sev: ratioOf(stats).sev === 'good' ? null : ratioOf(stats).sev } : {}, from);
    graph.addEdge(from, n, rel);
  }
}

export async function render(panel, st, ctx) {
  const { kind, id } = st;
  const col = KINDS[kind].col;
  const info = h('div', { class: 'graph-info', id: 'graph-info', 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Select a node to see what it is; expand it to fetch its own relationships.'));
  const graphBox = h('div', { class: 'graph-box', id: 'graph' });
  const expandBtn = h('button', { type: 'button', id: 'graph-expand', disabled: true }, 'Expand selected node');
  const fitBtn = h('button', { type: 'button', class: 'secondary', id: 'graph-fit' }, 'Fit to view');
  const tables = h('div', { class: 'relations', id: 'relations' }, spinner('Loading relationships…'));
  panel.append(
    h('h2', null, 'Graph'),
    h('p', { class: 'muted' }, 'The object and its neighbours. Drag to move, scroll or +/− to zoom; double-click a node or press Enter to expand it. A red ring marks objects that engines flag as malicious.'),
    h('div', { class: 'graph-wrap' }, graphBox, h('div', { class: 'graph-side' }, h('div', { class: 'graph-buttons' }, expandBtn, fitBtn), info, legend())),
    h('h2', null, 'Relationships'), tables);

  const graph = new Graph(graphBox, {
    onSelect: p => describe(p), onExpand: p => expand(p),
    onOpen: p => { if (GUI[p.type]) ctx.navigate('/gui/' + GUI[p.type] + '/' + encodeURIComponent(p.id)); },
  });
  const root = graph.addNode(st.obj.id || id, kind, titleFor(st), { root: true, expanded: true, fixed: false, sev: sevOf(st.obj.attributes.last_analysis_stats) });
  root.x = root.y = 0;
  fitBtn.addEventListener('click', () => graph.fit());
  expandBtn.addEventListener('click', () => graph.selected && expand(graph.selected));

  function describe(p) {
    clear(info);
    expandBtn.disabled = !p || p.expanded || !KINDS[p.type];
    if (!p) { info.append(h('p', { class: 'muted' }, 'Nothing selected.')); return; }
    info.append(h('p', null, pill(p.type), ' ', h('strong', null, p.label)),
      h('p', { class: 'mono small' }, p.id),
      GUI[p.type] ? h('p', null, linkTo(p.type, p.id, 'Open its report')) : null,
      h('p', { class: 'muted small' }, p.deg + ' connection' + (p.deg === 1 ? '' : 's') + (p.expanded ? ', expanded' : KINDS[p.type] ? '' : ', cannot be expanded')));
  }

  async function expand(p) {
    if (p.expanded || !KINDS[p.type]) return;
    p.expanded = true;
    expandBtn.disabled = true;
    clear(info).append(spinner('Expanding ' + p.label + '…'));
    const before = graph.nodes.length;
    const names = await relNames(p.type);
    const pages = await firstPages(KINDS[p.type].col, p.id, names, 20);
    pages.forEach((pg, i) => { if (pg && !pg.error) addItems(graph, p, names[i].name, pg.items); });
    const added = graph.nodes.length - before;
    describe(p);
    setTimeout(() => graph.fit(), 900);
    info.append(h('p', { class: 'small', id: 'graph-expanded' }, added ? added + ' new node' + (added === 1 ? '' : 's') + ' added.' : 'No new neighbours.'));
  }

  const names = await relNames(kind);
  if (!ctx.alive()) return;
  const pages = await firstPages(col, id, names, PAGE, ctx.signal);
  if (!ctx.alive()) return;
  clear(tables);
  const empty = [], missing = [];
  names.forEach((r, i) => {
    const pg = pages[i];
    if (!pg || pg.error) { missing.push(r.name); return; }
    if (!pg.items.length) { empty.push(r.name); return; }
    addItems(graph, root, r.name, pg.items);
    tables.append(h('details', { class: 'section rel', open: true, dataset: { rel: r.name } },
      h('summary', null, h('h3', null, r.name.replace(/_/g, ' ') + ' ', h('span', { class: 'count' }, '(' + (pg.count ?? pg.items.length) + ')'))),
      h('div', { class: 'section-body' },
        r.description ? h('p', { class: 'muted' }, r.description) : null,
        relTable(col + '/' + encodeURIComponent(id) + '/' + r.name, r.name, pg, items => addItems(graph, root, r.name, items)))));
  });
  if (!tables.firstChild) tables.append(notice('No related objects yet.', 'info'));
  if (empty.length) tables.append(h('p', { class: 'muted small', id: 'rel-empty' }, 'Nothing related through: ' + empty.join(', ') + '.'));
  if (missing.length) tables.append(h('p', { class: 'muted small' }, 'Not available on this server: ' + missing.join(', ') + '.'));
  graph.select(root);
  setTimeout(() => graph.fit(), 600);
}

function sevOf(stats) {
  if (!stats) return null;
  const s = ratioOf(stats).sev;
  return s === 'good' ? null : s;
}

function titleFor(st) {
  const a = st.obj.attributes || {};
  return st.kind === 'file' ? (a.meaningful_name || st.obj.id) : st.kind === 'url' ? (a.url || st.obj.id) : st.obj.id;
}

function legend() {
  const types = [['file', 'File'], ['url', 'URL'], ['domain', 'Domain'], ['ip_address', 'IP address'], ['analysis', 'Analysis'], ['submission', 'Submission']];
  return h('ul', { class: 'legend', 'aria-label': 'Node colours' }, types.map(([t, l]) => h('li', null, h('span', { class: 'swatch swatch-' + t, 'aria-hidden': 'true' }), l)));
}
