// report.js - the report of one object: /gui/file/{hash}, /gui/url/{id},
// /gui/domain/{name}, /gui/ip-address/{ip}, each with an optional tab
// (/detection, /details, /relations, /behavior, /community).
//
// The header shows the vendors' ratio as a gauge (malicious over
// malicious + suspicious + undetected + harmless: engines that could not
// judge the object - unsupported type, timeout, failure - are left out, as
// VirusTotal does), the community score (reputation, total_votes), the
// object's main facts and the actions (reanalyse, download, share, vote).
// Switching tabs keeps the header and the loaded object.
//
// SPDX-License-Identifier: MIT

import { h, svg, clear, notice, fmtBytes, fmtDate, fmtAgo, pill, spinner, copyButton } from '../dom.js';
import { api, waitAnalysis, ApiError, getKey } from '../api.js';
import { remember } from '../recent.js';
import { tablist, tabpanel } from '../tabs.js';
import * as detection from './detection.js';
import * as details from './details.js';
import * as relations from './relations.js';
import * as behavior from './behavior.js';
import * as community from './community.js';

export const KINDS = {
  file: { col: 'files', gui: 'file', noun: 'file' },
  url: { col: 'urls', gui: 'url', noun: 'URL' },
  domain: { col: 'domains', gui: 'domain', noun: 'domain' },
  ip_address: { col: 'ip_addresses', gui: 'ip-address', noun: 'IP address' },
};

const TABS = {
  detection: { label: 'Detection', mod: detection },
  details: { label: 'Details', mod: details },
  relations: { label: 'Relations', mod: relations },
  behavior: { label: 'Behavior', mod: behavior },
  community: { label: 'Community', mod: community },
};

let state = null;   // {kind, id, obj, key} of the report on screen

function tabsFor(kind) {
  return kind === 'file' ? ['detection', 'details', 'relations', 'behavior', 'community']
    : ['detection', 'details', 'relations', 'community'];
}

export function ratioOf(stats) {
  const s = stats || {};
  const mal = s.malicious || 0, sus = s.suspicious || 0;
  const total = mal + sus + (s.undetected || 0) + (s.harmless || 0);
  const sev = mal > 0 ? 'bad' : sus > 0 ? 'warn' : 'good';
  return { mal, sus, total, sev };
}

export function gauge(stats, size = 112) {
  const { mal, total, sev } = ratioOf(stats);
  const r = 44, c = 2 * Math.PI * r, frac = total ? mal / total : 0;
  const arc = svg('circle', { cx: 50, cy: 50, r, class: 'gauge-arc gauge-' + sev,
    'stroke-dasharray': (frac * c).toFixed(2) + ' ' + c.toFixed(2), transform: 'rotate(-90 50 50)' });
  return h('div', { class: ['gauge', 'gauge-' + sev], role: 'img', id: 'detection-ratio',
    'aria-label': mal + ' of ' + total + ' security vendors flagged it as malicious', dataset: { malicious: String(mal), total: String(total) } },
  svg('svg', { viewBox: '0 0 100 100', width: size, height: size, 'aria-hidden': 'true' },
    svg('circle', { cx: 50, cy: 50, r, class: 'gauge-track' }), frac > 0 ? arc : null),
  h('div', { class: 'gauge-text', 'aria-hidden': 'true' },
    h('span', { class: 'gauge-num' }, String(mal)), h('span', { class: 'gauge-den' }, '/ ' + total)));
}

function titleOf(kind, id, a) {
  switch (kind) {
  case 'file': return a.meaningful_name || (a.names && a.names[0]) || a.sha256 || id;
  case 'url': return a.url || a.last_final_url || id;
  default: return id;
  }
}

function headline(kind, stats) {
  const { mal, sus, total } = ratioOf(stats);
  const noun = KINDS[kind].noun;
  if (!total) return 'No engine has judged this ' + noun + ' yet';
  if (mal) return mal + '/' + total + ' security vendors flagged this ' + noun + ' as malicious' + (sus ? ' (' + sus + ' more as suspicious)' : '');
  if (sus) return sus + '/' + total + ' security vendors flagged this ' + noun + ' as suspicious';
  return 'No security vendor flagged this ' + noun + ' as malicious';
}

function facts(kind, id, a) {
  const items = [];
  const add = (k, v) => { if (v !== undefined && v !== null && v !== '') items.push(h('div', { class: 'fact' }, h('span', { class: 'fact-k' }, k), h('span', { class: 'fact-v' }, v))); };
  if (kind === 'file') {
    add('Size', typeof a.size === 'number' ? fmtBytes(a.size) + ' (' + a.size.toLocaleString('en') + ' bytes)' : '');
    add('Type', a.type_description || a.magic || '');
    add('Last analysis', a.last_analysis_date ? h('span', { title: fmtDate(a.last_analysis_date) }, fmtAgo(a.last_analysis_date)) : 'pending');
  } else if (kind === 'url') {
    add('Final URL', a.last_final_url && a.last_final_url !== a.url ? a.last_final_url : '');
    add('Title', a.title);
    add('Status', a.last_http_response_code);
    add('Content type', a.last_http_response_headers?.['content-type'] || a.last_http_response_headers?.['Content-Type']);
    add('Last analysis', a.last_analysis_date ? fmtDate(a.last_analysis_date) : '');
  } else if (kind === 'domain') {
    add('Registrar', a.registrar);
    add('Created', a.creation_date ? fmtDate(a.creation_date) : '');
    add('Last analysis', a.last_analysis_date ? fmtDate(a.last_analysis_date) : '');
  } else {
    add('Network', a.network);
    add('AS', a.asn ? 'AS' + a.asn + (a.as_owner ? ' · ' + a.as_owner : '') : a.as_owner);
    add('Country', a.country);
    add('Last analysis', a.last_analysis_date ? fmtDate(a.last_analysis_date) : '');
  }
  return items;
}

function communityScore(a) {
  const tv = a.total_votes || {};
  const rep = typeof a.reputation === 'number' ? a.reputation : 0;
  return h('div', { class: 'community-score', id: 'community-score' },
    h('span', { class: 'fact-k' }, 'Community score'),
    h('span', { class: ['score', rep < 0 ? 'neg' : rep > 0 ? 'pos' : ''] }, String(rep)),
    h('span', { class: 'muted' }, (tv.harmless || 0) + ' harmless · ' + (tv.malicious || 0) + ' malicious votes'));
}

function actions(st, rerender, status) {
  const { kind, id } = st;
  const col = KINDS[kind].col;
  const out = [];
  const rescan = h('button', { type: 'button', id: 'action-reanalyse' }, 'Reanalyse');
  rescan.addEventListener('click', async () => {
    rescan.disabled = true;
    clear(status).append(spinner('Reanalysing…'));
    try {
      const j = await api(col + '/' + encodeURIComponent(id) + '/analyse', { method: 'POST' });
      await waitAnalysis(j.data.id, a => {
        const at = a.data?.attributes || {};
        clear(status).append(spinner('Reanalysing… ' + (at.status || '') + ', ' + Object.keys(at.results || {}).length + ' engines done'));
      });
      clear(status);
      rerender(true);
    } catch (e) {
      clear(status).append(notice(e.missingRoute ? 'This server cannot reanalyse ' + KINDS[kind].noun + 's yet.' : 'Reanalysis failed: ' + e.message, 'error'));
    } finally {
      rescan.disabled = false;
    }
  });
  out.push(rescan);
  if (kind === 'file') {
    const dl = h('button', { type: 'button', id: 'action-download', class: 'secondary' }, 'Download');
    dl.addEventListener('click', async () => {
      try {
        const resp = await api('files/' + id + '/download', { raw: true });
        const blob = await resp.blob();
        const a = h('a', { href: URL.createObjectURL(blob), download: id + '.bin' });
        document.body.append(a);
        a.click();
        setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
      } catch (e) {
        clear(status).append(notice(e.status === 403 ? 'Your key may not download files (an administrator can allow it).' : 'Download failed: ' + e.message, 'error'));
      }
    });
    out.push(dl);
  }
  const share = h('button', { type: 'button', class: 'secondary', id: 'action-share' }, 'Share');
  share.addEventListener('click', async () => {
    const link = location.origin + '/gui/' + KINDS[kind].gui + '/' + encodeURIComponent(st.obj.id);
    try {
      if (navigator.share) await navigator.share({ title: document.title, url: link });
      else { await navigator.clipboard.writeText(link); clear(status).append(notice('Link copied: ' + link, 'ok')); }
    } catch {
      clear(status).append(notice('Link: ' + link, 'info'));
    }
  });
  out.push(share);
  const vote = h('a', { class: 'button secondary', href: '/gui/' + KINDS[kind].gui + '/' + encodeURIComponent(st.obj.id) + '/community', id: 'action-vote' }, 'Vote or comment');
  out.push(vote);
  return out;
}

async function load(kind, id, signal) {
  const j = await api(KINDS[kind].col + '/' + encodeURIComponent(id), { signal });
  if (!j?.data?.attributes) throw new ApiError(0, 'BadResponse', 'the server sent no attributes');
  return j.data;
}

function notFoundView(el, kind, id, e) {
  const noun = KINDS[kind].noun;
  el.append(h('h1', null, 'Not found'));
  if (e.missingRoute) {
    el.append(notice('This server does not have ' + noun + ' reports yet.', 'info'));
  } else if (e.status === 404) {
    el.append(notice('No ' + noun + ' “' + id + '” has been analysed here.', 'info'),
      kind === 'file' ? h('p', null, h('a', { href: '/gui/home' }, 'Upload it from the home page'), ' to analyse it.') : null);
  } else {
    el.append(notice('Could not load the report: ' + e.message, 'error'));
  }
}

export async function render(el, ctx, kind, id, tab) {
  const tabs = tabsFor(kind);
  if (tab && !tabs.includes(tab)) tab = 'detection';
  tab = tab || 'detection';
  const key = kind + '/' + id;
  if (state && el.dataset.report === key && state.panel?.isConnected) {
    state.ctx = ctx;
    showTab(tab);
    return;
  }
  clear(el);
  el.dataset.report = key;
  el.append(spinner('Loading the report…'));
  let obj;
  try {
    obj = await load(kind, id, ctx.signal);
  } catch (e) {
    if (!ctx.alive()) return;
    clear(el);
    delete el.dataset.report;
    notFoundView(el, kind, id, e);
    return;
  }
  if (!ctx.alive()) return;
  // Canonical address: a file looked up by md5/sha1 moves to its sha256.
  if (obj.id && obj.id !== id && kind === 'file') {
    history.replaceState({}, '', '/gui/' + KINDS[kind].gui + '/' + obj.id + (tab !== 'detection' ? '/' + tab : ''));
    el.dataset.report = kind + '/' + obj.id;
  }
  state = { kind, id: obj.id || id, obj, ctx, panel: null, tl: null };
  build(el);
  showTab(tab);
  remember({ href: '/gui/' + KINDS[kind].gui + '/' + encodeURIComponent(state.id), label: titleOf(kind, state.id, obj.attributes), kind: KINDS[kind].gui, stats: obj.attributes.last_analysis_stats });
  if (kind === 'file' && !obj.attributes.last_analysis_date) pollPending(el, ctx);
}

// A file whose first analysis has not finished: reload until it has.
async function pollPending(el, ctx) {
  const st = state;
  for (let i = 0; i < 600 && ctx.alive() && st === state; i++) {
    await new Promise(r => setTimeout(r, 1000));
    try {
      const obj = await load(st.kind, st.id);
      if (obj.attributes.last_analysis_date && st === state && el.isConnected) {
        st.obj = obj;
        const tab = st.tab;
        build(el);
        showTab(tab);
        return;
      }
    } catch { /* keep trying */ }
  }
}

function build(el) {
  const st = state;
  const { kind, obj } = st;
  const a = obj.attributes;
  clear(el);
  document.title = titleOf(kind, st.id, a) + ' · Panoptes';
  const status = h('div', { class: 'action-status', 'aria-live': 'polite' });
  const rerender = async () => {
    try {
      st.obj = await load(kind, st.id);
      const tab = st.tab;
      build(el);
      showTab(tab, true);
    } catch (e) {
      clear(status).append(notice('Could not reload: ' + e.message, 'error'));
    }
  };
  const tags = Array.isArray(a.tags) ? a.tags : [];
  const header = h('section', { class: 'card report-head', 'aria-label': 'Summary' },
    gauge(a.last_analysis_stats),
    h('div', { class: 'head-main' },
      h('p', { class: ['headline', 'sev-' + ratioOf(a.last_analysis_stats).sev], id: 'headline' }, headline(kind, a.last_analysis_stats)),
      h('h1', { class: 'obj-title', id: 'obj-title' }, titleOf(kind, st.id, a)),
      h('p', { class: 'obj-id mono' }, h('span', { id: 'obj-id' }, st.id), ' ', copyButton(st.id, 'Copy identifier')),
      tags.length ? h('p', { class: 'tags' }, tags.map(t => pill(t))) : null,
      h('div', { class: 'facts' }, facts(kind, st.id, a))),
    h('div', { class: 'head-side' }, communityScore(a),
      h('div', { class: 'actions' }, actions(st, rerender, status)), status));
  const gui = KINDS[kind].gui;
  const base = '/gui/' + gui + '/' + encodeURIComponent(st.id);
  st.tl = tablist('Report sections', tabsFor(kind).map(t => ({ id: t, label: TABS[t].label, href: base + '/' + t })),
    null, t => {
      history.pushState({}, '', base + '/' + t);
      showTab(t);
    }, 'report-tab');
  st.panel = tabpanel('report-tab');
  if (!a.last_analysis_date && kind === 'file')
    header.append(h('div', { class: 'pending' }, spinner('The analysis is still running; this page updates when it completes.')));
  el.append(header, h('nav', { class: 'report-tabs', 'aria-label': 'Report sections' }, st.tl.el), st.panel);
}

function showTab(tab, force = false) {
  const st = state;
  if (!st || !st.panel) return;
  if (st.tab === tab && !force && st.panel.firstChild) return;
  st.tab = tab;
  st.tl.select(tab);
  st.panel.setAttribute('aria-labelledby', 'report-tab-' + tab);
  clear(st.panel);
  const ctx = st.ctx;
  const tabCtx = { ...ctx, alive: () => ctx.alive() && st === state && st.tab === tab, reload: () => st };
  Promise.resolve(TABS[tab].mod.render(st.panel, st, tabCtx)).catch(e => {
    if (tabCtx.alive()) st.panel.append(notice('This section failed to load: ' + e.message, 'error'));
  });
}

export function currentKey() { return getKey(); }
