// graph.js - an interactive node-link graph on a <canvas>: force layout
// with a Barnes-Hut quadtree (O(n log n) repulsion), springs on edges and a
// weak pull to the centre; pan (drag), zoom (wheel, +/-), select (click,
// Tab/arrow keys), expand (double-click, Enter, or the caller's button).
//
// Written here rather than taken from a library: it is ~300 lines, needs no
// build or vendor step, and stays fast at thousands of nodes (docs/UI.md
// has the measurements: ~3,000 nodes lay out and draw in a few ms a frame).
// Node labels are drawn with fillText (never markup).
//
// SPDX-License-Identifier: MIT

const COLORS = {
  file: '#3f6fd8', url: '#0f9d8a', domain: '#8e44ad', ip_address: '#d9822b',
  analysis: '#7a869a', submission: '#9aa5b8', comment: '#b5a13a', vote: '#b5a13a', other: '#6b7280',
};
const BAD = '#d93025', WARN = '#e8a317';

export class Graph {
  constructor(container, { onSelect, onExpand, onOpen } = {}) {
    this.nodes = [];
    this.byId = new Map();
    this.edges = [];
    this.edgeKeys = new Set();
    this.onSelect = onSelect || (() => {});
    this.onExpand = onExpand || (() => {});
    this.onOpen = onOpen || (() => {});
    this.alpha = 1;
    this.view = { x: 0, y: 0, k: 1 };
    this.selected = null;
    this.hover = null;
    this.running = false;
    this.stats = { ticks: 0, tickMs: 0, drawMs: 0 };
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'graph-canvas';
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute('role', 'application');
    this.canvas.setAttribute('aria-label', 'Relationship graph. Tab selects nodes, arrow keys pan, plus and minus zoom, Enter expands the selected node.');
    this.canvas.graph = this;
    container.append(this.canvas);
    this.ctx = this.canvas.getContext('2d');
    this.resize();
    this.bind();
    this.ro = new ResizeObserver(() => { this.resize(); this.draw(); });
    this.ro.observe(this.canvas);
  }

  key(id, type) { return type + ':' + id; }

  // Add (or update) a node; returns it.  near: a node to start beside.
  addNode(id, type, label, extra = {}, near = null) {
    const k = this.key(id, type);
    let n = this.byId.get(k);
    if (n) { Object.assign(n, extra); if (label) n.label = label; return n; }
    const a = Math.random() * 2 * Math.PI, r = near ? 30 + Math.random() * 30 : Math.sqrt(this.nodes.length + 1) * 20;
    n = { key: k, id, type, label: label || id, x: (near?.x || 0) + Math.cos(a) * r, y: (near?.y || 0) + Math.sin(a) * r,
      vx: 0, vy: 0, deg: 0, expanded: false, ...extra };
    this.nodes.push(n);
    this.byId.set(k, n);
    this.heat();
    return n;
  }

  addEdge(a, b, label) {
    if (a === b) return;
    const k = a.key < b.key ? a.key + '|' + b.key : b.key + '|' + a.key;
    if (this.edgeKeys.has(k)) return;
    this.edgeKeys.add(k);
    this.edges.push({ a, b, label });
    a.deg++; b.deg++;
    this.heat();
  }

  heat(v = 0.6) { this.alpha = Math.max(this.alpha, v); this.start(); }

  resize() {
    const r = this.canvas.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    this.w = Math.max(200, r.width || 600);
    this.h = Math.max(200, r.height || 400);
    this.canvas.width = Math.round(this.w * dpr);
    this.canvas.height = Math.round(this.h * dpr);
    this.dpr = dpr;
  }

  // ------------------------------------------------------------ layout

  tick() {
    const t0 = performance.now();
    const ns = this.nodes, n = ns.length;
    if (!n) return;
    const alpha = this.alpha;
    // Barnes-Hut repulsion.
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    for (const p of ns) {
      if (p.x < minX) minX = p.x; if (p.y < minY) minY = p.y;
      if (p.x > maxX) maxX = p.x; if (p.y > maxY) maxY = p.y;
    }
    const size = Math.max(maxX - minX, maxY - minY) + 1;
    resetPool();
    const root = newCell(minX, minY, size);
    for (const p of ns) insert(root, p, 0);
    const strength = -300 * alpha, theta2 = 0.81;
    for (const p of ns) applyRepulsion(root, p, strength, theta2);
    // Springs.
    for (const e of this.edges) {
      const dx = e.b.x - e.a.x, dy = e.b.y - e.a.y;
      const d = Math.sqrt(dx * dx + dy * dy) || 1;
      const ideal = 40 + 4 * Math.sqrt(Math.min(e.a.deg, e.b.deg));
      const f = (d - ideal) / d * 0.08 * alpha;
      const wa = e.b.deg / (e.a.deg + e.b.deg), wb = 1 - wa;
      e.a.vx += dx * f * wa; e.a.vy += dy * f * wa;
      e.b.vx -= dx * f * wb; e.b.vy -= dy * f * wb;
    }
    // Centre pull, damping, move.
    for (const p of ns) {
      p.vx -= p.x * 0.004 * alpha;
      p.vy -= p.y * 0.004 * alpha;
      if (p.fixed) { p.vx = p.vy = 0; continue; }
      p.vx *= 0.6; p.vy *= 0.6;
      const v2 = p.vx * p.vx + p.vy * p.vy;
      if (v2 > 2500) { const s = 50 / Math.sqrt(v2); p.vx *= s; p.vy *= s; }
      p.x += p.vx; p.y += p.vy;
    }
    this.alpha *= 0.985;
    this.stats.ticks++;
    this.stats.tickMs = performance.now() - t0;
  }

  start() {
    if (this.running) return;
    this.running = true;
    const step = () => {
      if (!this.canvas.isConnected) { this.running = false; this.ro.disconnect(); return; }
      this.tick();
      this.draw();
      if (this.alpha > 0.01 || this.drag) requestAnimationFrame(step);
      else this.running = false;
    };
    requestAnimationFrame(step);
  }

  // Lay out synchronously (tests, and to settle a large graph before drawing).
  settle(ticks) { for (let i = 0; i < ticks; i++) this.tick(); this.draw(); }

  fit() {
    if (!this.nodes.length) return;
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    for (const p of this.nodes) { minX = Math.min(minX, p.x); minY = Math.min(minY, p.y); maxX = Math.max(maxX, p.x); maxY = Math.max(maxY, p.y); }
    const k = Math.min(2, 0.9 * Math.min(this.w / (maxX - minX + 40), this.h / (maxY - minY + 40)));
    this.view = { k, x: -(minX + maxX) / 2 * k, y: -(minY + maxY) / 2 * k };
    this.draw();
  }

  // ------------------------------------------------------------- drawing

  radius(p) { return (p.root ? 9 : 5) + Math.min(6, Math.sqrt(p.deg)); }

  draw() {
    const t0 = performance.now();
    const c = this.ctx, { k, x, y } = this.view;
    const css = getComputedStyle(this.canvas);
    const fg = css.color || '#222', edge = css.getPropertyValue('--graph-edge').trim() || 'rgba(128,128,128,.45)';
    c.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    c.clearRect(0, 0, this.w, this.h);
    c.translate(this.w / 2 + x, this.h / 2 + y);
    c.scale(k, k);
    c.lineWidth = 1 / k;
    c.strokeStyle = edge;
    c.beginPath();
    for (const e of this.edges) { c.moveTo(e.a.x, e.a.y); c.lineTo(e.b.x, e.b.y); }
    c.stroke();
    // Nodes, one path per colour.
    const groups = new Map();
    for (const p of this.nodes) {
      const col = COLORS[p.type] || COLORS.other;
      if (!groups.has(col)) groups.set(col, []);
      groups.get(col).push(p);
    }
    for (const [col, ps] of groups) {
      c.fillStyle = col;
      c.beginPath();
      for (const p of ps) { const r = this.radius(p); c.moveTo(p.x + r, p.y); c.arc(p.x, p.y, r, 0, 2 * Math.PI); }
      c.fill();
    }
    // Verdict rings and expandable markers.
    c.lineWidth = 2.5 / k;
    for (const sev of ['bad', 'warn']) {
      c.strokeStyle = sev === 'bad' ? BAD : WARN;
      c.beginPath();
      for (const p of this.nodes) if (p.sev === sev) { const r = this.radius(p) + 2; c.moveTo(p.x + r, p.y); c.arc(p.x, p.y, r, 0, 2 * Math.PI); }
      c.stroke();
    }
    for (const p of [this.selected, this.hover]) {
      if (!p) continue;
      c.strokeStyle = fg;
      c.lineWidth = 2 / k;
      c.beginPath();
      c.arc(p.x, p.y, this.radius(p) + 5 / k, 0, 2 * Math.PI);
      c.stroke();
    }
    // Labels: few nodes, or zoomed in, or the ones that matter.
    c.fillStyle = fg;
    c.font = (12 / k) + 'px system-ui, sans-serif';
    const all = this.nodes.length <= 150 || k > 1.6;
    for (const p of this.nodes) {
      if (!(all || p.root || p === this.selected || p === this.hover)) continue;
      const s = p.label.length > 40 ? p.label.slice(0, 38) + '…' : p.label;
      c.fillText(s, p.x + this.radius(p) + 3, p.y + 4 / k);
    }
    this.stats.drawMs = performance.now() - t0;
    this.canvas.dataset.nodes = String(this.nodes.length);
    this.canvas.dataset.edges = String(this.edges.length);
  }

  // --------------------------------------------------------- interaction

  toWorld(cx, cy) {
    const { k, x, y } = this.view;
    return { x: (cx - this.w / 2 - x) / k, y: (cy - this.h / 2 - y) / k };
  }

  nodeAt(cx, cy) {
    const w = this.toWorld(cx, cy);
    let best = null, bd = Infinity;
    for (const p of this.nodes) {
      const dx = p.x - w.x, dy = p.y - w.y, d = dx * dx + dy * dy;
      const r = this.radius(p) + 4 / this.view.k;
      if (d < r * r && d < bd) { bd = d; best = p; }
    }
    return best;
  }

  select(p) {
    this.selected = p;
    this.draw();
    this.onSelect(p);
  }

  bind() {
    const cv = this.canvas;
    const pos = e => { const r = cv.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; };
    cv.addEventListener('pointerdown', e => {
      const [cx, cy] = pos(e);
      const p = this.nodeAt(cx, cy);
      this.drag = { p, cx, cy, vx: this.view.x, vy: this.view.y, moved: false };
      cv.setPointerCapture(e.pointerId);
      if (p) { p.fixed = true; this.heat(0.2); }
    });
    cv.addEventListener('pointermove', e => {
      const [cx, cy] = pos(e);
      const d = this.drag;
      if (!d) {
        const p = this.nodeAt(cx, cy);
        if (p !== this.hover) { this.hover = p; cv.style.cursor = p ? 'pointer' : 'grab'; this.draw(); }
        return;
      }
      if (Math.abs(cx - d.cx) + Math.abs(cy - d.cy) > 3) d.moved = true;
      if (d.p) { const w = this.toWorld(cx, cy); d.p.x = w.x; d.p.y = w.y; this.heat(0.15); }
      else { this.view.x = d.vx + cx - d.cx; this.view.y = d.vy + cy - d.cy; this.draw(); }
    });
    cv.addEventListener('pointerup', () => {
      const d = this.drag;
      this.drag = null;
      if (!d) return;
      if (d.p) d.p.fixed = false;
      if (!d.moved) this.select(d.p || null);
    });
    cv.addEventListener('dblclick', e => {
      const [cx, cy] = pos(e);
      const p = this.nodeAt(cx, cy);
      if (p) this.onExpand(p);
    });
    cv.addEventListener('wheel', e => {
      e.preventDefault();
      const [cx, cy] = pos(e);
      this.zoomAt(cx, cy, Math.exp(-e.deltaY * 0.0015));
    }, { passive: false });
    cv.addEventListener('keydown', e => {
      const step = 40;
      if (e.key === 'Enter' && this.selected) { e.preventDefault(); this.onExpand(this.selected); return; }
      if (e.key === 'o' && this.selected) { this.onOpen(this.selected); return; }
      if (e.key === 'n' || e.key === ']') { e.preventDefault(); this.cycle(1); return; }
      if (e.key === 'p' || e.key === '[') { e.preventDefault(); this.cycle(-1); return; }
      if (e.key === '+' || e.key === '=') this.zoomAt(this.w / 2, this.h / 2, 1.25);
      else if (e.key === '-') this.zoomAt(this.w / 2, this.h / 2, 0.8);
      else if (e.key === 'ArrowLeft') this.view.x += step;
      else if (e.key === 'ArrowRight') this.view.x -= step;
      else if (e.key === 'ArrowUp') this.view.y += step;
      else if (e.key === 'ArrowDown') this.view.y -= step;
      else return;
      e.preventDefault();
      this.draw();
    });
  }

  cycle(dir) {
    if (!this.nodes.length) return;
    const i = this.selected ? this.nodes.indexOf(this.selected) : -1;
    const p = this.nodes[(i + dir + this.nodes.length) % this.nodes.length];
    // Bring it into view.
    this.view.x = -p.x * this.view.k;
    this.view.y = -p.y * this.view.k;
    this.select(p);
  }

  zoomAt(cx, cy, f) {
    const w = this.toWorld(cx, cy);
    const k = Math.min(8, Math.max(0.05, this.view.k * f));
    this.view.k = k;
    this.view.x = cx - this.w / 2 - w.x * k;
    this.view.y = cy - this.h / 2 - w.y * k;
    this.draw();
  }
}

// ----------------------------------------------------------- quadtree
//
// Cells come from a pool reused every tick (no garbage per frame); a split
// cell has four children k0..k3 (NW, NE, SW, SE).

const pool = [];
let used = 0;

function resetPool() { used = 0; }

function newCell(x, y, size) {
  let c = pool[used];
  if (!c) { c = {}; pool[used] = c; }
  used++;
  c.x = x; c.y = y; c.size = size; c.mass = 0; c.cx = 0; c.cy = 0; c.p = null; c.split = false;
  c.k0 = c.k1 = c.k2 = c.k3 = null;
  return c;
}

function insert(cell, p, depth) {
  for (;;) {
    if (cell.mass === 0 && !cell.split) {
      cell.p = p; cell.mass = 1; cell.cx = p.x; cell.cy = p.y;
      return;
    }
    if (!cell.split) {
      if (depth > 40) {   // coincident points: just add mass
        cell.cx = (cell.cx * cell.mass + p.x) / (cell.mass + 1);
        cell.cy = (cell.cy * cell.mass + p.y) / (cell.mass + 1);
        cell.mass++;
        return;
      }
      const h = cell.size / 2, old = cell.p;
      cell.k0 = newCell(cell.x, cell.y, h); cell.k1 = newCell(cell.x + h, cell.y, h);
      cell.k2 = newCell(cell.x, cell.y + h, h); cell.k3 = newCell(cell.x + h, cell.y + h, h);
      cell.split = true;
      cell.p = null;
      const oc = child(cell, old);
      oc.p = old; oc.mass = 1; oc.cx = old.x; oc.cy = old.y;
    }
    cell.cx = (cell.cx * cell.mass + p.x) / (cell.mass + 1);
    cell.cy = (cell.cy * cell.mass + p.y) / (cell.mass + 1);
    cell.mass++;
    cell = child(cell, p);
    depth++;
  }
}

function child(cell, p) {
  const h = cell.size / 2;
  const q = (p.x >= cell.x + h ? 1 : 0) + (p.y >= cell.y + h ? 2 : 0);
  return q === 0 ? cell.k0 : q === 1 ? cell.k1 : q === 2 ? cell.k2 : cell.k3;
}

// Iterative Barnes-Hut walk: far cells act as one mass at their centre.
const stack = [];
function applyRepulsion(root, p, strength, theta2) {
  let top = 0;
  stack[top++] = root;
  while (top > 0) {
    const cell = stack[--top];
    if (cell.mass === 0 || cell.p === p) continue;
    const dx = cell.cx - p.x, dy = cell.cy - p.y;
    let d2 = dx * dx + dy * dy;
    if (!cell.split || (cell.size * cell.size) < theta2 * d2) {
      if (d2 < 1) d2 = 1;
      const f = strength * cell.mass / (d2 * Math.sqrt(d2));
      p.vx += dx * f;
      p.vy += dy * f;
      continue;
    }
    stack[top++] = cell.k0; stack[top++] = cell.k1; stack[top++] = cell.k2; stack[top++] = cell.k3;
  }
}
