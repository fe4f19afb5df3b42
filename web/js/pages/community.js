// community.js - the Community tab: votes (GET/POST .../votes, verdict
// harmless or malicious; total_votes and reputation in the header) and
// comments (GET/POST .../comments, newest first, #tags shown).  Servers
// without these endpoints answer 404: the tab says so instead of failing.
//
// SPDX-License-Identifier: MIT

import { h, clear, notice, fmtDate, pill, spinner } from '../dom.js';
import { api, page } from '../api.js';
import { KINDS } from './report.js';

function tagsOf(c) {
  const a = c.attributes || {};
  if (Array.isArray(a.tags) && a.tags.length) return a.tags;
  return (String(a.text || '').match(/#[\p{L}\p{N}_-]+/gu) || []).map(t => t.slice(1));
}

function commentItem(c) {
  const a = c.attributes || {};
  const v = a.votes || {};
  return h('li', { class: 'comment', dataset: { id: c.id || '' } },
    h('p', { class: 'comment-meta muted small' }, a.date ? fmtDate(a.date) : '', c.relationships?.author?.data?.id ? ' · ' + c.relationships.author.data.id : ''),
    h('p', { class: 'comment-text' }, String(a.text ?? '')),
    h('p', { class: 'comment-tags' }, tagsOf(c).filter(t => !t.startsWith('_:')).map(t => [pill('#' + t), ' ']),
      v.positive || v.negative ? h('span', { class: 'muted small' }, ' +' + (v.positive || 0) + ' / −' + (v.negative || 0)) : null));
}

export async function render(panel, st, ctx) {
  const base = KINDS[st.kind].col + '/' + encodeURIComponent(st.obj.id);
  const a = st.obj.attributes || {};
  const tv = a.total_votes || {};
  const voteStatus = h('div', { 'aria-live': 'polite', id: 'vote-status' });
  const voteBtns = ['harmless', 'malicious'].map(verdict => {
    const b = h('button', { type: 'button', class: verdict === 'malicious' ? 'danger' : 'good', id: 'vote-' + verdict }, verdict === 'harmless' ? '👍 Harmless' : '👎 Malicious');
    b.addEventListener('click', async () => {
      clear(voteStatus).append(spinner('Voting…'));
      try {
        await api(base + '/votes', { method: 'POST', json: { data: { type: 'vote', attributes: { verdict } } } });
        clear(voteStatus).append(notice('Thank you: your vote (' + verdict + ') is recorded.', 'ok'));
        loadVotes();
      } catch (e) {
        clear(voteStatus).append(notice(e.missingRoute ? 'Voting is not available on this server yet.'
          : e.status === 409 ? 'You have already voted on this.' : 'Vote failed: ' + e.message, 'error'));
      }
    });
    return b;
  });
  const votesBox = h('div', { id: 'votes' });
  const commentsBox = h('div', { id: 'comments' });
  const text = h('textarea', { id: 'comment-text', rows: '3', maxlength: '8000', placeholder: 'Share what you know. Use #tags to categorise.', 'aria-label': 'Your comment' });
  const commentStatus = h('div', { 'aria-live': 'polite', id: 'comment-status' });
  const form = h('form', { class: 'comment-form', id: 'comment-form' }, text, h('button', { type: 'submit' }, 'Post comment'), commentStatus);
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const t = text.value.trim();
    if (!t) return;
    clear(commentStatus).append(spinner('Posting…'));
    try {
      await api(base + '/comments', { method: 'POST', json: { data: { type: 'comment', attributes: { text: t } } } });
      text.value = '';
      clear(commentStatus).append(notice('Comment posted.', 'ok'));
      loadComments();
    } catch (err) {
      clear(commentStatus).append(notice(err.missingRoute ? 'Comments are not available on this server yet.' : 'Posting failed: ' + err.message, 'error'));
    }
  });
  panel.append(
    h('section', { class: 'card', 'aria-labelledby': 'votes-h' },
      h('h2', { id: 'votes-h' }, 'Votes'),
      h('p', null, 'Community score ', h('strong', null, String(a.reputation ?? 0)), ' · ', (tv.harmless || 0) + ' harmless, ' + (tv.malicious || 0) + ' malicious votes.'),
      h('div', { class: 'vote-buttons' }, voteBtns), voteStatus, votesBox),
    h('section', { class: 'card', 'aria-labelledby': 'comments-h' },
      h('h2', { id: 'comments-h' }, 'Comments'), form, commentsBox));

  async function loadVotes() {
    clear(votesBox).append(spinner());
    try {
      const pg = await page(base + '/votes', { limit: 20 });
      if (!ctx.alive()) return;
      clear(votesBox);
      if (!pg.items.length) { votesBox.append(h('p', { class: 'muted' }, 'No votes yet.')); return; }
      votesBox.append(h('ul', { class: 'plain votes-list' }, pg.items.map(v => h('li', null,
        pill(String(v.attributes?.verdict ?? '?'), v.attributes?.verdict === 'malicious' ? 'bad' : 'good'), ' ',
        h('span', { class: 'muted small' }, v.attributes?.date ? fmtDate(v.attributes.date) : '')))));
    } catch (e) {
      clear(votesBox).append(h('p', { class: 'muted' }, e.missingRoute || e.status === 404 ? 'Votes are not available on this server yet.' : 'Could not load votes: ' + e.message));
    }
  }
  async function loadComments(cursor) {
    if (!cursor) clear(commentsBox).append(spinner());
    try {
      const pg = await page(base + '/comments', { limit: 20, cursor });
      if (!ctx.alive()) return;
      if (!cursor) clear(commentsBox);
      commentsBox.querySelector('.more')?.remove();
      if (!pg.items.length && !cursor) { commentsBox.append(h('p', { class: 'muted' }, 'No comments yet. Be the first.')); return; }
      const items = [...pg.items].sort((x, y) => (y.attributes?.date || 0) - (x.attributes?.date || 0));
      let ul = commentsBox.querySelector('ul.comments');
      if (!ul) { ul = h('ul', { class: 'comments plain' }); commentsBox.append(ul); }
      ul.append(...items.map(commentItem));
      if (pg.cursor) {
        const more = h('button', { type: 'button', class: 'secondary more' }, 'Older comments');
        more.addEventListener('click', () => loadComments(pg.cursor));
        commentsBox.append(more);
      }
    } catch (e) {
      clear(commentsBox).append(h('p', { class: 'muted' }, e.missingRoute || e.status === 404 ? 'Comments are not available on this server yet.' : 'Could not load comments: ' + e.message));
    }
  }
  loadVotes();
  loadComments();
}
