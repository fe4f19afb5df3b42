// tabs.js - an ARIA tablist: real buttons or links with roving tabindex,
// arrow keys / Home / End move between tabs (WAI-ARIA tabs pattern).
//
// SPDX-License-Identifier: MIT

import { h } from './dom.js';

// items: [{id, label, href?}]; onSelect(id, tabElement).  Returns {el, select(id)}.
export function tablist(label, items, selected, onSelect, idPrefix = 'tab') {
  const tabs = items.map(it => {
    const attrs = {
      role: 'tab', id: idPrefix + '-' + it.id, 'aria-controls': idPrefix + '-panel',
      'aria-selected': String(it.id === selected), tabindex: it.id === selected ? '0' : '-1',
      class: 'tab', dataset: { tab: it.id },
    };
    const el = it.href ? h('a', { ...attrs, href: it.href }, it.label)
      : h('button', { ...attrs, type: 'button' }, it.label);
    el.addEventListener('click', e => {
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
      e.preventDefault();
      e.stopPropagation();
      select(it.id);
      onSelect(it.id, el);
    });
    return el;
  });
  const el = h('div', { role: 'tablist', 'aria-label': label, class: 'tablist' }, tabs);
  el.addEventListener('keydown', e => {
    const i = tabs.indexOf(document.activeElement);
    if (i < 0) return;
    let j = null;
    if (e.key === 'ArrowRight' || e.key === 'ArrowDown') j = (i + 1) % tabs.length;
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') j = (i - 1 + tabs.length) % tabs.length;
    else if (e.key === 'Home') j = 0;
    else if (e.key === 'End') j = tabs.length - 1;
    if (j === null) return;
    e.preventDefault();
    tabs[j].focus();
    tabs[j].click();
  });
  function select(id) {
    for (const t of tabs) {
      const on = t.dataset.tab === id;
      t.setAttribute('aria-selected', String(on));
      t.setAttribute('tabindex', on ? '0' : '-1');
    }
  }
  return { el, select };
}

export function tabpanel(idPrefix, labelledBy) {
  return h('section', { role: 'tabpanel', id: idPrefix + '-panel', 'aria-labelledby': labelledBy, tabindex: '0', class: 'tabpanel' });
}
