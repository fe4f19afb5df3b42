// detection.js - the Detection tab: every engine's verdict
// (last_analysis_results) with category, result, engine version and update,
// malicious first; a filter box; and, on demand, the engine's evidence
// (attributes.engine_details.<engine>: matched YARA rules and strings,
// heuristic reasons, ClamAV's names).
//
// SPDX-License-Identifier: MIT

import { h, clear, notice, pill, jsonTree } from '../dom.js';

const ORDER = { malicious: 0, suspicious: 1, harmless: 3, undetected: 4, timeout: 5, 'confirmed-timeout': 5, failure: 6, 'type-unsupported': 7 };
const SEV = { malicious: 'bad', suspicious: 'warn', harmless: 'good', undetected: 'neutral' };

function fmtUpdate(s) {
  return typeof s === 'string' && /^\d{8}$/.test(s) ? s.slice(0, 4) + '-' + s.slice(4, 6) + '-' + s.slice(6) : (s || '');
}

// YARA matches get a dedicated view; anything else is shown as a tree.
function evidence(d) {
  if (d && Array.isArray(d.matches) && d.matches.some(m => m && typeof m === 'object' && m.rule)) {
    return h('div', { class: 'evidence' }, d.matches.map(m => h('div', { class: 'yara-match' },
      h('p', null, h('strong', null, 'Rule '), h('code', null, String(m.rule)),
        m.ruleset_name ? [' in ruleset ', h('code', null, String(m.ruleset_name))] : null,
        m.category ? [' ', pill(String(m.category), SEV[m.category])] : null),
      m.meta?.description ? h('p', null, String(m.meta.description)) : null,
      Array.isArray(m.strings) && m.strings.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'compact' },
        h('thead', null, h('tr', null, ['String', 'Offset', 'Length', 'Matched data'].map(c => h('th', { scope: 'col' }, c)))),
        h('tbody', null, m.strings.map(s => h('tr', null,
          h('td', null, h('code', null, String(s.identifier ?? ''))),
          h('td', { class: 'num' }, s.offset !== undefined ? '0x' + Number(s.offset).toString(16) : ''),
          h('td', { class: 'num' }, String(s.length ?? '')),
          h('td', null, h('code', { class: 'data' }, String(s.data ?? '')))))))) : null,
      m.meta ? h('details', null, h('summary', null, 'Rule metadata'), jsonTree(m.meta)) : null)),
    Object.keys(d).length > 1 ? jsonTree(Object.fromEntries(Object.entries(d).filter(([k]) => k !== 'matches'))) : null);
  }
  if (d && Array.isArray(d.reasons)) {
    return h('div', { class: 'evidence' },
      d.reasons.length ? h('ul', null, d.reasons.map(r => h('li', null, typeof r === 'object' ? jsonTree(r) : String(r))))
        : h('p', { class: 'muted' }, 'No heuristic reason fired.'),
      jsonTree(Object.fromEntries(Object.entries(d).filter(([k]) => k !== 'reasons'))));
  }
  return h('div', { class: 'evidence' }, jsonTree(d));
}

export function render(panel, st) {
  const a = st.obj.attributes;
  const results = a.last_analysis_results || {};
  const det = a.engine_details || {};
  const names = Object.keys(results);
  if (!names.length) {
    panel.append(notice('No engine results yet.', 'info'));
    return;
  }
  names.sort((x, y) => {
    const cx = ORDER[results[x]?.category] ?? 9, cy = ORDER[results[y]?.category] ?? 9;
    return cx - cy || x.localeCompare(y);
  });
  const filter = h('input', { type: 'search', id: 'detection-filter', placeholder: 'Filter by engine, verdict or label', 'aria-label': 'Filter detections' });
  const count = h('span', { class: 'muted', 'aria-live': 'polite', id: 'detection-count' });
  const tbody = h('tbody');
  const rows = [];
  for (const n of names) {
    const r = results[n] || {};
    const cat = r.category || 'unknown';
    const hasWhy = det[n] !== undefined && det[n] !== null;
    const detailRow = h('tr', { class: 'why-row', hidden: true }, h('td', { colspan: '5' }));
    const why = hasWhy ? h('button', { type: 'button', class: 'ghost small why', 'aria-expanded': 'false', dataset: { engine: n } }, 'Why?') : '';
    if (hasWhy) {
      why.addEventListener('click', () => {
        const open = why.getAttribute('aria-expanded') === 'true';
        why.setAttribute('aria-expanded', String(!open));
        detailRow.hidden = open;
        if (!open && !detailRow.firstChild.firstChild) detailRow.firstChild.append(evidence(det[n]));
      });
    }
    const row = h('tr', { class: 'engine-row cat-' + cat, dataset: { engine: n, category: cat } },
      h('th', { scope: 'row' }, n),
      h('td', null, pill(cat, SEV[cat] || 'neutral')),
      h('td', { class: 'result' }, r.result === null || r.result === undefined ? h('span', { class: 'muted' }, '—') : String(r.result)),
      h('td', { class: 'small col-version' }, [r.engine_version, fmtUpdate(r.engine_update)].filter(Boolean).join(' · ')),
      h('td', null, why));
    rows.push({ row, detailRow, text: (n + ' ' + cat + ' ' + (r.result || '')).toLowerCase() });
    tbody.append(row, detailRow);
  }
  function apply() {
    const q = filter.value.trim().toLowerCase();
    let shown = 0;
    for (const x of rows) {
      const on = !q || q.split(/\s+/).every(w => x.text.includes(w));
      x.row.hidden = !on;
      if (!on) x.detailRow.hidden = true;
      else if (x.row.querySelector('.why')?.getAttribute('aria-expanded') === 'true') x.detailRow.hidden = false;
      shown += on;
    }
    count.textContent = shown === rows.length ? rows.length + ' engines' : shown + ' of ' + rows.length + ' engines';
  }
  filter.addEventListener('input', apply);
  apply();
  panel.append(
    h('div', { class: 'toolbar' }, h('h2', null, 'Security vendors’ analysis'), filter, count),
    h('div', { class: 'table-wrap' }, h('table', { class: 'detections', id: 'detections' },
      h('thead', null, h('tr', null, ['Engine', 'Category', 'Result', 'Version · update', ''].map((c, i) => h('th', { scope: 'col', class: i === 3 ? 'col-version' : null }, c)))),
      tbody)));
}
