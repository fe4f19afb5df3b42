// dom.js - build DOM nodes without HTML strings, and small formatters.
//
// Every piece of text that comes from the API goes through textContent
// (h() children that are strings become text nodes), never innerHTML, so
// nothing in a sample name, URL title or comment can become markup.
// Attributes are set with setAttribute; "on*" attributes are refused and
// event handlers are attached with addEventListener (the CSP forbids
// inline handlers anyway).
//
// SPDX-License-Identifier: MIT

export function h(tag, attrs, ...children) {
  const el = tag === 'svg' || attrs?.svg
    ? document.createElementNS('http://www.w3.org/2000/svg', tag)
    : document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false || k === 'svg') continue;
      if (k === 'on') {
        for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
      } else if (k === 'class') {
        el.setAttribute('class', Array.isArray(v) ? v.filter(Boolean).join(' ') : v);
      } else if (k === 'dataset') {
        Object.assign(el.dataset, v);
      } else if (k === 'text') {
        el.textContent = String(v);
      } else if (/^on/i.test(k)) {
        throw new Error('inline handlers are not allowed: ' + k);
      } else {
        el.setAttribute(k, v === true ? '' : String(v));
      }
    }
  }
  append(el, children);
  return el;
}

export function svg(tag, attrs, ...children) {
  return h(tag, { ...(attrs || {}), svg: true }, ...children);
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function fmtBytes(n) {
  if (typeof n !== 'number' || !isFinite(n)) return '';
  const u = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0, v = n;
  while (v >= 1024 && i < u.length - 1) { v /= 1024; i++; }
  return (i ? v.toFixed(v < 10 ? 2 : 1) : String(v)) + ' ' + u[i];
}

export function fmtDate(ts) {
  if (typeof ts !== 'number' || !isFinite(ts)) return '';
  const d = new Date(ts * 1000);
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

export function fmtAgo(ts) {
  if (typeof ts !== 'number') return '';
  const s = Math.round(Date.now() / 1000 - ts);
  if (s < 60) return 'just now';
  if (s < 3600) return Math.floor(s / 60) + ' min ago';
  if (s < 86400) return Math.floor(s / 3600) + ' h ago';
  return Math.floor(s / 86400) + ' days ago';
}

// A copy-to-clipboard button for value.
export function copyButton(value, label = 'Copy') {
  const b = h('button', { type: 'button', class: 'copy', title: 'Copy to clipboard',
    'aria-label': label + ' ' + value }, 'Copy');
  b.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(value);
      b.textContent = 'Copied';
    } catch {
      // Clipboard refused (not a secure context): select the text instead.
      const t = h('textarea', { class: 'offscreen', readonly: true });
      t.value = value;
      document.body.append(t);
      t.select();
      try { document.execCommand('copy'); b.textContent = 'Copied'; } catch { b.textContent = 'Select'; }
      t.remove();
    }
    setTimeout(() => { b.textContent = 'Copy'; }, 1500);
  });
  return b;
}

// A table from column titles and rows of cells (strings or nodes).
export function table(cols, rows, opts = {}) {
  return h('div', { class: 'table-wrap' },
    h('table', { class: opts.class },
      opts.caption ? h('caption', null, opts.caption) : null,
      h('thead', null, h('tr', null, cols.map(c => h('th', { scope: 'col' }, c)))),
      h('tbody', null, rows.map(r => r instanceof Node ? r : h('tr', null, r.map(c => h('td', null, c)))))));
}

// Key/value list: pairs of [label, value]; empty values are left out.
export function kv(pairs) {
  const dl = h('dl', { class: 'kv' });
  for (const [k, v] of pairs) {
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && !v.length)) continue;
    dl.append(h('dt', null, k), h('dd', null, v));
  }
  return dl;
}

// A collapsible section (native <details>, keyboard-operable).
export function section(title, body, open = true, extra = {}) {
  return h('details', { class: 'section', open, ...extra },
    h('summary', null, h('h3', null, title)), h('div', { class: 'section-body' }, body));
}

// Any JSON value as a readable, escaped tree (the fallback for shapes we
// do not render specially).
export function jsonTree(v, depth = 0) {
  if (v === null || v === undefined) return h('span', { class: 'muted' }, 'none');
  if (typeof v !== 'object') return h('span', { class: 'val' }, String(v));
  if (Array.isArray(v)) {
    if (!v.length) return h('span', { class: 'muted' }, 'none');
    if (v.every(x => x === null || typeof x !== 'object'))
      return h('ul', { class: 'plain' }, v.map(x => h('li', null, String(x))));
    return h('ol', { class: 'tree' }, v.map(x => h('li', null, jsonTree(x, depth + 1))));
  }
  const keys = Object.keys(v);
  if (!keys.length) return h('span', { class: 'muted' }, 'none');
  return h('dl', { class: 'kv tree' }, keys.map(k => [h('dt', null, k), h('dd', null, jsonTree(v[k], depth + 1))]));
}

export function pill(text, kind) {
  return h('span', { class: ['pill', kind && 'pill-' + kind] }, text);
}

export function notice(text, kind = 'info') {
  return h('p', { class: ['notice', 'notice-' + kind], role: kind === 'error' ? 'alert' : 'status' }, text);
}

export function spinner(text = 'Loading…') {
  return h('p', { class: 'loading', role: 'status' }, h('span', { class: 'spin', 'aria-hidden': 'true' }), text);
}
