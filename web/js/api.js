// api.js - the only way the UI talks to the server: /api/v3 with the
// user's key in the x-apikey header (VT-API.md).  The key lives in
// sessionStorage, or localStorage when the user ticks "remember".
//
// Errors come back as ApiError {status, code, message}; a 401 sends the
// user to the sign-in page.  Uploads use XMLHttpRequest for upload
// progress; files over 32 MB go to a one-time URL from /files/upload_url.
//
// SPDX-License-Identifier: MIT

const KEY = 'panoptes.apikey';
export const BIG_UPLOAD = 32 * 1024 * 1024;

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code || 'HTTP ' + status);
    this.status = status;
    this.code = code || '';
  }
  // The route itself is missing (the server has not got this endpoint yet),
  // as opposed to an unknown object.
  get missingRoute() {
    return (this.status === 404 && /unknown resource/i.test(this.message)) || this.status === 405;
  }
}

export function getKey() {
  return sessionStorage.getItem(KEY) || localStorage.getItem(KEY) || '';
}

export function setKey(key, remember) {
  clearKey();
  (remember ? localStorage : sessionStorage).setItem(KEY, key);
}

export function clearKey() {
  sessionStorage.removeItem(KEY);
  localStorage.removeItem(KEY);
}

let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

// Same-origin path of an API URL the server gave us (links.next, upload URL):
// the CSP allows only this origin, and the server's base URL may name
// another host for the same server.
export function localPath(url) {
  try {
    const u = new URL(url, location.origin);
    return u.pathname + u.search;
  } catch {
    return url;
  }
}

function apiPath(path) {
  if (path.startsWith('/api/v3/')) return path;
  if (/^https?:/.test(path)) return localPath(path);
  return '/api/v3/' + path.replace(/^\//, '');
}

async function errorFrom(resp) {
  let code = '', message = '';
  try {
    const j = await resp.json();
    code = j?.error?.code || '';
    message = j?.error?.message || '';
  } catch { /* not JSON */ }
  return new ApiError(resp.status, code, message || resp.statusText);
}

export async function api(path, opts = {}) {
  const headers = { ...(opts.headers || {}) };
  const key = opts.key ?? getKey();
  if (key) headers['x-apikey'] = key;
  let body = opts.body;
  if (opts.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.json);
  }
  let resp;
  try {
    resp = await fetch(apiPath(path), { method: opts.method || 'GET', headers, body,
      signal: opts.signal, cache: 'no-store' });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'NetworkError', 'The server did not answer (' + e.message + ')');
  }
  if (!resp.ok) {
    const err = await errorFrom(resp);
    if (resp.status === 401 && !opts.noRedirect) onUnauthorized(err);
    throw err;
  }
  if (opts.raw) return resp;
  return resp.json();
}

// One page of a collection; returns {items, cursor, count}.
export async function page(path, { limit = 10, cursor } = {}) {
  const q = new URLSearchParams({ limit: String(limit) });
  if (cursor) q.set('cursor', cursor);
  const j = await api(path + (path.includes('?') ? '&' : '?') + q);
  const items = Array.isArray(j.data) ? j.data : (j.data ? [j.data] : []);
  return { items, cursor: j.meta?.cursor || null, count: j.meta?.count ?? null };
}

// Upload a File with progress (onProgress(0..1)); resolves to the analysis descriptor.
export async function uploadFile(file, onProgress) {
  let target = '/api/v3/files';
  if (file.size > BIG_UPLOAD) {
    const j = await api('files/upload_url');
    target = localPath(j.data);
  }
  const form = new FormData();
  form.append('file', file, file.name);
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open('POST', target);
    x.setRequestHeader('x-apikey', getKey());
    x.responseType = 'json';
    x.upload.addEventListener('progress', e => {
      if (e.lengthComputable) onProgress?.(e.loaded / e.total);
    });
    x.addEventListener('load', () => {
      const j = x.response;
      if (x.status === 200 && j?.data?.id) {
        onProgress?.(1);
        resolve(j.data);
      } else {
        const err = new ApiError(x.status, j?.error?.code, j?.error?.message || 'upload failed');
        if (x.status === 401) onUnauthorized(err);
        reject(err);
      }
    });
    x.addEventListener('error', () => reject(new ApiError(0, 'NetworkError', 'the upload was interrupted')));
    x.addEventListener('abort', () => reject(new ApiError(0, 'Aborted', 'the upload was cancelled')));
    x.send(form);
  });
}

export async function submitUrl(url) {
  const body = new URLSearchParams({ url });
  const j = await api('urls', { method: 'POST', body,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  return j.data;
}

// Poll an analysis until completed; onUpdate(analysis json) after each poll.
export async function waitAnalysis(id, onUpdate, { interval = 500, timeout = 600000, signal } = {}) {
  const end = Date.now() + timeout;
  for (;;) {
    const j = await api('analyses/' + encodeURIComponent(id), { signal });
    onUpdate?.(j);
    if (j.data?.attributes?.status === 'completed') return j;
    if (Date.now() > end) throw new ApiError(0, 'DeadlineExceededError', 'the analysis is taking too long');
    await new Promise(r => setTimeout(r, interval));
    if (signal?.aborted) throw new DOMException('aborted', 'AbortError');
  }
}

// Unpadded base64url of a string (VT's URL identifier form).
export function urlId(url) {
  const bytes = new TextEncoder().encode(url);
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
