// engines.js - /gui/engines: every engine the server runs (GET /metadata):
// kind, version, signature update date, health and when a worker last
// reported it.
//
// SPDX-License-Identifier: MIT

import { h, clear, notice, table, fmtDate, fmtAgo, pill, spinner } from '../dom.js';
import { api } from '../api.js';

function fmtUpdate(s) {
  return typeof s === 'string' && /^\d{8}$/.test(s) ? s.slice(0, 4) + '-' + s.slice(4, 6) + '-' + s.slice(6) : (s || '');
}

export async function render(el, ctx) {
  clear(el);
  document.title = 'Engines · Panoptes';
  el.append(h('h1', null, 'Engines'), spinner());
  let j;
  try {
    j = await api('metadata', { signal: ctx.signal });
  } catch (e) {
    if (!ctx.alive()) return;
    el.lastChild.replaceWith(notice('Could not load the engine list: ' + e.message, 'error'));
    return;
  }
  if (!ctx.alive()) return;
  const engines = j.data?.engines || {};
  const names = Object.keys(engines).sort((a, b) => a.localeCompare(b));
  const healthy = names.filter(n => engines[n].healthy !== false).length;
  const rows = names.map(n => {
    const e = engines[n] || {};
    return [h('strong', null, n), e.kind || '', e.engine_version || '', fmtUpdate(e.engine_update),
      e.healthy === false ? h('span', null, pill('failing', 'bad'), ' ', e.error || '') : pill('healthy', 'good'),
      e.last_seen ? h('span', { title: fmtDate(e.last_seen) }, fmtAgo(e.last_seen)) : ''];
  });
  el.lastChild.replaceWith(h('div', null,
    h('p', { class: 'lead' }, names.length + ' engines, ' + healthy + ' healthy. Every file is examined by all of them; a report lists each engine’s verdict.'),
    table(['Engine', 'Kind', 'Version', 'Signatures updated', 'Health', 'Last reported'], rows, { class: 'engines' })));
  const rels = j.data?.relationships || {};
  const sections = Object.entries(rels).map(([type, list]) => h('details', { class: 'section' },
    h('summary', null, h('h3', null, 'Relationships of ' + type + ' objects (' + list.length + ')')),
    h('ul', { class: 'plain' }, list.map(r => h('li', null, h('code', null, r.name), ' — ', r.description || '')))));
  el.append(h('h2', null, 'Relationships served'), ...sections);
}
