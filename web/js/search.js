// search.js - what a search box entry is (hash, URL, domain, IP) and the
// /gui/ address of its report.
//
// SPDX-License-Identifier: MIT

import { urlId } from './api.js';

const HASH = /^([0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64})$/i;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9a-f:]+(:\d+\.\d+\.\d+\.\d+)?$/i;
const DOMAIN = /^(?=.{1,253}\.?$)([a-z0-9_](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}\.?$/i;

export function kindOf(q) {
  q = q.trim();
  if (!q) return null;
  if (HASH.test(q)) return 'file';
  if (IPV4.test(q)) return 'ip';
  if (q.includes(':') && IPV6.test(q) && q.split(':').length >= 3) return 'ip';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(q) || (q.includes('/') && DOMAIN.test(q.split('/')[0]))) return 'url';
  if (DOMAIN.test(q)) return 'domain';
  return null;
}

// The report address for q, or null when q is none of the four kinds.
export function classify(q) {
  q = q.trim();
  switch (kindOf(q)) {
  case 'file': return '/gui/file/' + q.toLowerCase();
  case 'ip': return '/gui/ip-address/' + encodeURIComponent(q.toLowerCase());
  case 'domain': return '/gui/domain/' + encodeURIComponent(q.toLowerCase().replace(/\.$/, ''));
  case 'url': {
    const u = /^[a-z][a-z0-9+.-]*:\/\//i.test(q) ? q : 'http://' + q;
    return '/gui/url/' + urlId(u);
  }
  default: return null;
  }
}
