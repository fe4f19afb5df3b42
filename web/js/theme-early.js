// theme-early.js - apply the chosen colour theme before the first paint
// (a classic, blocking script: the modules run later).  app.js owns the
// toggle.
//
// SPDX-License-Identifier: MIT
(function () {
  try {
    var t = localStorage.getItem('panoptes.theme');
    if (t === 'light' || t === 'dark') document.documentElement.setAttribute('data-theme', t);
  } catch (e) { /* storage disabled: follow the system */ }
})();
