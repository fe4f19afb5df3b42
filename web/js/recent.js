// recent.js - this browser's recent submissions and visited reports
// (localStorage; the API has no per-user submission list yet).
//
// SPDX-License-Identifier: MIT

const KEY = 'panoptes.recent';
const MAX = 20;

export function recentList() {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) || '[]');
    return Array.isArray(v) ? v.filter(x => x && typeof x.href === 'string' && x.href.startsWith('/gui/')) : [];
  } catch {
    return [];
  }
}

// entry: {href, label, kind, date, stats?}
export function remember(entry) {
  const list = recentList().filter(x => x.href !== entry.href);
  list.unshift({ ...entry, date: Math.floor(Date.now() / 1000) });
  localStorage.setItem(KEY, JSON.stringify(list.slice(0, MAX)));
}

export function forget() {
  localStorage.removeItem(KEY);
}
