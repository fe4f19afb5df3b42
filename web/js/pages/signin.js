// signin.js - /gui/sign-in: one field, the API key.  Validated with
// GET /api/v3/users/{key} (VirusTotal accepts the key as the user id); when
// the server has no users endpoint yet (404 for the route) any
// authenticated GET (/metadata) decides.
//
// SPDX-License-Identifier: MIT

import { h, clear, notice } from '../dom.js';
import { api, getKey, setKey, clearKey, ApiError } from '../api.js';

async function validate(key) {
  try {
    const j = await api('users/' + encodeURIComponent(key), { key, noRedirect: true });
    return j?.data || {};
  } catch (e) {
    if (!(e instanceof ApiError) || e.status === 401 || e.status === 0) throw e;
    // Users endpoint missing (or forbids): any authenticated call tells.
    await api('metadata', { key, noRedirect: true });
    return {};
  }
}

export function render(el, ctx) {
  clear(el);
  document.title = 'Sign in · Panoptes';
  const params = new URLSearchParams(location.search);
  if (params.get('signout')) clearKey();
  let next = params.get('next') || '/gui/home';
  if (!next.startsWith('/gui/') || next.startsWith('/gui/sign-in')) next = '/gui/home';

  const input = h('input', { type: 'password', id: 'apikey', name: 'apikey', autocomplete: 'current-password',
    required: true, spellcheck: 'false', 'aria-describedby': 'apikey-help' });
  const remember = h('input', { type: 'checkbox', id: 'remember' });
  const status = h('div', { id: 'signin-status', 'aria-live': 'assertive' });
  const form = h('form', { class: 'card signin', id: 'signin-form' },
    h('label', { for: 'apikey' }, 'API key'),
    input,
    h('p', { class: 'muted', id: 'apikey-help' }, 'Your key is sent as the x-apikey header with every request. An administrator creates keys with “panoptes user add”; the first one is in the data directory’s admin.key.'),
    h('label', { class: 'check' }, remember, ' Remember me on this browser'),
    h('button', { type: 'submit' }, 'Sign in'),
    status);
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const key = input.value.trim();
    if (!key) return;
    clear(status).append(h('p', { class: 'loading' }, 'Checking…'));
    try {
      const user = await validate(key);
      setKey(key, remember.checked);
      if (!ctx.alive()) return;
      clear(status).append(notice('Signed in' + (user.id ? ' as ' + user.id : '') + '.', 'ok'));
      ctx.navigate(next, { replace: true });
    } catch (err) {
      clear(status).append(notice(err.status === 401 ? 'That API key is not valid.'
        : 'Could not check the key: ' + err.message, 'error'));
      input.focus();
      input.select();
    }
  });
  el.append(h('h1', null, 'Sign in'));
  if (params.get('expired')) el.append(notice('Your key was refused; sign in again.', 'error'));
  else if (params.get('signout')) el.append(notice('Signed out.', 'ok'));
  else if (!getKey() && params.get('next')) el.append(notice('Sign in with your API key to see this page.', 'info'));
  el.append(form);
  input.focus();
}
