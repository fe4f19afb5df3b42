// app.js - the single-page app: client-side router for /gui/... addresses,
// the top bar (search, theme, account) and page dispatch.
//
// Addresses (docs/UI.md): /gui/home, /gui/sign-in, /gui/engines,
// /gui/file/{hash}[/{tab}], /gui/url/{id}[/{tab}], /gui/domain/{name}[/{tab}],
// /gui/ip-address/{ip}[/{tab}], /gui/search/{query}.  The server answers
// every /gui/ address with this same shell.
//
// SPDX-License-Identifier: MIT

import { h, clear, notice } from './dom.js';
import { getKey, clearKey, setUnauthorizedHandler } from './api.js';
import { classify } from './search.js';
import * as home from './pages/home.js';
import * as signin from './pages/signin.js';
import * as engines from './pages/engines.js';
import * as report from './pages/report.js';

const main = () => document.getElementById('main');
let generation = 0;
let controller = null;

export function navigate(path, { replace = false } = {}) {
  if (path === location.pathname + location.search) replace = true;
  if (replace) history.replaceState({}, '', path);
  else history.pushState({}, '', path);
  render();
}

// Context handed to pages: alive() turns false once the user navigated away.
function newContext() {
  controller?.abort();
  controller = new AbortController();
  const gen = ++generation;
  return { alive: () => gen === generation, signal: controller.signal, navigate };
}

function notFound(el) {
  clear(el);
  el.append(h('h1', null, 'Page not found'),
    h('p', null, 'There is no page at this address. ',
      h('a', { href: '/gui/home' }, 'Go to the home page'), ' to search or upload.'));
}

const REPORT_KINDS = { file: 'file', url: 'url', domain: 'domain', 'ip-address': 'ip_address' };

export async function render() {
  const el = main();
  const path = location.pathname.replace(/\/+$/, '') || '/';
  const segs = path.split('/').filter(Boolean).map(s => { try { return decodeURIComponent(s); } catch { return s; } });
  updateAccount();
  if (segs[0] !== 'gui' || segs.length === 1) {
    history.replaceState({}, '', '/gui/home');
    return render();
  }
  const page = segs[1];
  if (page === 'sign-in') {
    // Report pages keep their header while only the tab changes; any other page starts afresh.
    delete el.dataset.report;
    return signin.render(el, newContext());
  }
  if (!getKey()) {
    const next = location.pathname + location.search;
    history.replaceState({}, '', '/gui/sign-in?next=' + encodeURIComponent(next));
    delete el.dataset.report;
    return signin.render(el, newContext());
  }
  if (REPORT_KINDS[page] && segs[2]) {
    const tab = segs[3] || '';
    return report.render(el, newContext(), REPORT_KINDS[page], segs[2], tab);
  }
  delete el.dataset.report;
  const ctx = newContext();
  switch (page) {
  case 'home': return home.render(el, ctx);
  case 'engines': return engines.render(el, ctx);
  case 'search': {
    const q = segs.slice(2).join('/');
    const c = classify(q);
    if (c) return navigate(c, { replace: true });
    clear(el);
    el.append(h('h1', null, 'Search'), notice('“' + q + '” is not a hash, URL, domain or IP address.', 'error'));
    return;
  }
  default: return notFound(el);
  }
}

function updateAccount() {
  const a = document.getElementById('account-link');
  if (!a) return;
  if (getKey()) {
    a.textContent = 'Sign out';
    a.setAttribute('href', '/gui/sign-in?signout=1');
  } else {
    a.textContent = 'Sign in';
    a.setAttribute('href', '/gui/sign-in');
  }
}

// ------------------------------------------------------------------ theme

const THEMES = ['auto', 'light', 'dark'];
function applyTheme(t) {
  if (t === 'auto') document.documentElement.removeAttribute('data-theme');
  else document.documentElement.setAttribute('data-theme', t);
  const b = document.getElementById('theme-toggle');
  if (b) {
    b.textContent = 'Theme: ' + t;
    b.setAttribute('aria-label', 'Colour theme: ' + (t === 'auto' ? 'automatic' : t) + '. Activate to change.');
  }
}

function initTheme() {
  let t = localStorage.getItem('panoptes.theme') || 'auto';
  if (!THEMES.includes(t)) t = 'auto';
  applyTheme(t);
  document.getElementById('theme-toggle')?.addEventListener('click', () => {
    t = THEMES[(THEMES.indexOf(t) + 1) % THEMES.length];
    localStorage.setItem('panoptes.theme', t);
    applyTheme(t);
  });
}

// ------------------------------------------------------------------- init

function onLinkClick(e) {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.target.closest?.('a[href]');
  if (!a || a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || !url.pathname.startsWith('/gui/')) return;
  e.preventDefault();
  if (a.getAttribute('href') === '/gui/sign-in?signout=1') clearKey();
  navigate(url.pathname + url.search);
}

function init() {
  initTheme();
  document.addEventListener('click', onLinkClick);
  window.addEventListener('popstate', render);
  setUnauthorizedHandler(() => {
    if (location.pathname.startsWith('/gui/sign-in')) return;
    clearKey();
    navigate('/gui/sign-in?expired=1&next=' + encodeURIComponent(location.pathname));
  });
  document.getElementById('topsearch')?.addEventListener('submit', e => {
    e.preventDefault();
    const input = document.getElementById('topsearch-q');
    const q = input.value.trim();
    if (!q) return;
    const target = classify(q);
    navigate(target || '/gui/search/' + encodeURIComponent(q));
  });
  render();
}

init();
