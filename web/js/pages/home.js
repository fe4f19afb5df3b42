// home.js - /gui/home: search, file upload (drag-and-drop or picker, with
// progress, then the analysis until it completes), URL submission, and this
// browser's recent submissions.
//
// SPDX-License-Identifier: MIT

import { h, clear, notice, fmtBytes, fmtAgo } from '../dom.js';
import { uploadFile, submitUrl, waitAnalysis, ApiError, BIG_UPLOAD } from '../api.js';
import { classify } from '../search.js';
import { recentList, remember, forget } from '../recent.js';
import { tablist, tabpanel } from '../tabs.js';

export function render(el, ctx) {
  clear(el);
  document.title = 'Panoptes';
  const panel = tabpanel('home-tab');
  const panels = { file: filePanel(ctx), url: urlPanel(ctx), search: searchPanel(ctx) };
  let current = 'file';
  const tl = tablist('What to analyse', [
    { id: 'file', label: 'File' }, { id: 'url', label: 'URL' }, { id: 'search', label: 'Search' },
  ], current, id => show(id), 'home-tab');
  function show(id) {
    current = id;
    clear(panel).append(panels[id]);
    panel.setAttribute('aria-labelledby', 'home-tab-' + id);
  }
  show('file');
  el.append(
    h('section', { class: 'hero' },
      h('h1', null, 'Analyse suspicious files, URLs, domains and IP addresses'),
      h('p', { class: 'lead' }, 'Upload a file or submit a URL to have every engine examine it, or look up a hash, URL, domain or IP address seen before.'),
      h('div', { class: 'card home-card' }, tl.el, panel)),
    recentSection());
}

function filePanel(ctx) {
  const input = h('input', { type: 'file', id: 'file-input', class: 'visually-hidden', 'aria-label': 'Choose a file to analyse' });
  const status = h('div', { class: 'upload-status', 'aria-live': 'polite' });
  const zone = h('div', { class: 'dropzone', id: 'dropzone', role: 'button', tabindex: '0',
    'aria-describedby': 'dropzone-help' },
  h('div', { class: 'dz-icon', 'aria-hidden': 'true' }, '⇪'),
  h('p', { class: 'dz-title' }, 'Drop a file here or choose one'),
  h('p', { class: 'muted', id: 'dropzone-help' }, 'Up to 650 MB. Files over ' + fmtBytes(BIG_UPLOAD) + ' go through a one-time upload URL. By submitting you share the file with this server’s users.'),
  h('span', { class: 'button' }, 'Choose file'));
  zone.addEventListener('click', () => input.click());
  zone.addEventListener('keydown', e => {
    if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); input.click(); }
  });
  zone.addEventListener('dragover', e => { e.preventDefault(); zone.classList.add('drag'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('drag'));
  zone.addEventListener('drop', e => {
    e.preventDefault();
    zone.classList.remove('drag');
    const f = e.dataTransfer?.files?.[0];
    if (f) start(f);
  });
  input.addEventListener('change', () => {
    const f = input.files?.[0];
    if (f) start(f);
    input.value = '';
  });

  async function start(file) {
    const bar = h('progress', { max: '100', value: '0', id: 'upload-progress', 'aria-label': 'Upload progress' });
    const label = h('span', { class: 'progress-label' }, 'Uploading ' + file.name + ' (' + fmtBytes(file.size) + ')… 0%');
    clear(status).append(h('div', { class: 'progress' }, label, bar));
    zone.setAttribute('aria-disabled', 'true');
    try {
      const desc = await uploadFile(file, p => {
        bar.value = Math.round(p * 100);
        label.textContent = 'Uploading ' + file.name + ' (' + fmtBytes(file.size) + ')… ' + Math.round(p * 100) + '%';
      });
      label.textContent = 'Uploaded. Analysing…';
      bar.removeAttribute('value');   // indeterminate while queued
      const done = await waitAnalysis(desc.id, a => {
        const at = a.data?.attributes || {};
        const n = Object.keys(at.results || {}).length;
        label.textContent = at.status === 'queued' ? 'Uploaded. Waiting for an analysis slot…'
          : 'Analysing… ' + n + ' engine' + (n === 1 ? '' : 's') + ' done';
      }, { signal: ctx.signal });
      const sha = done.meta?.file_info?.sha256;
      if (!sha) throw new ApiError(0, 'BadResponse', 'the analysis does not name its file');
      remember({ href: '/gui/file/' + sha, label: file.name, kind: 'file', stats: done.data.attributes.stats });
      if (ctx.alive()) ctx.navigate('/gui/file/' + sha);
    } catch (e) {
      if (e.name === 'AbortError') return;
      clear(status).append(notice('Upload failed: ' + e.message, 'error'));
    } finally {
      zone.removeAttribute('aria-disabled');
    }
  }
  return h('div', null, zone, input, status);
}

function urlPanel(ctx) {
  const input = h('input', { type: 'url', id: 'url-input', required: true, placeholder: 'https://example.com/path', 'aria-label': 'URL to analyse' });
  const status = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'inline-form', id: 'url-form' }, input, h('button', { type: 'submit' }, 'Analyse URL'));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const url = input.value.trim();
    if (!url) return;
    clear(status).append(h('p', { class: 'loading' }, 'Submitting…'));
    try {
      const desc = await submitUrl(url);
      const m = /^u-([0-9a-f]{64})-/.exec(desc.id || '');
      clear(status).append(h('p', { class: 'loading' }, 'Submitted. Analysing…'));
      await waitAnalysis(desc.id, null, { signal: ctx.signal }).catch(() => null);
      const href = m ? '/gui/url/' + m[1] : classify(url);
      remember({ href, label: url, kind: 'url' });
      if (ctx.alive()) ctx.navigate(href);
    } catch (err) {
      if (err.name === 'AbortError') return;
      clear(status).append(notice(err instanceof ApiError && err.missingRoute
        ? 'This server does not analyse URLs yet.' : 'Submission failed: ' + err.message, 'error'));
    }
  });
  return h('div', null, h('p', null, 'Submit a URL: the server fetches it and every URL engine rates it.'), form, status);
}

function searchPanel(ctx) {
  const input = h('input', { type: 'search', id: 'home-search', placeholder: 'md5, sha1, sha256, URL, domain or IP', 'aria-label': 'Search term' });
  const status = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'inline-form', role: 'search', id: 'home-search-form' }, input, h('button', { type: 'submit' }, 'Search'));
  form.addEventListener('submit', e => {
    e.preventDefault();
    const target = classify(input.value);
    if (target) ctx.navigate(target);
    else clear(status).append(notice('Enter a file hash (md5, sha1 or sha256), a URL, a domain or an IP address.', 'error'));
  });
  return h('div', null, h('p', null, 'Look up what is already known.'), form, status);
}

function recentSection() {
  const list = recentList();
  const sec = h('section', { class: 'card recent', 'aria-labelledby': 'recent-h' },
    h('h2', { id: 'recent-h' }, 'Your recent submissions and reports'));
  if (!list.length) {
    sec.append(h('p', { class: 'muted' }, 'Nothing yet. Reports you open or submit from this browser are listed here.'));
    return sec;
  }
  const ul = h('ul', { class: 'recent-list' });
  for (const r of list) {
    const ratio = r.stats ? (r.stats.malicious || 0) + '/' + ['malicious', 'suspicious', 'undetected', 'harmless'].reduce((s, k) => s + (r.stats[k] || 0), 0) : '';
    ul.append(h('li', null, h('span', { class: 'pill' }, r.kind), ' ',
      h('a', { href: r.href }, r.label || r.href), ' ',
      ratio ? h('span', { class: ['pill', (r.stats.malicious || 0) > 0 ? 'pill-bad' : 'pill-good'] }, ratio) : null, ' ',
      h('span', { class: 'muted' }, fmtAgo(r.date))));
  }
  const clearBtn = h('button', { type: 'button', class: 'ghost small' }, 'Clear list');
  clearBtn.addEventListener('click', () => { forget(); sec.replaceWith(recentSection()); });
  sec.append(ul, clearBtn);
  return sec;
}
