// The transports page: one subscription through runnel-client.js, showing the transport in use and
// whether this tab leads; a button forces each transport, resuming from the last id.
// Query parameters: topic (default news), events (the event names EventSource listens for besides
// message, comma-separated), transport, fallback (comma-separated), firstFrameMs,
// election ('channel' for the election without Web Locks).
import { subscribe } from './runnel-client.js';

const params = new URLSearchParams(location.search);
const topic = params.get('topic') || 'news';
const list = document.getElementById('events');
const indicator = Runnel.indicator();
let handle = null;
let count = 0;

function show(id, value) {
  document.getElementById(id).textContent = value || '—';
}

function open(transport, lastEventId) {
  if (handle) handle.close();
  document.querySelectorAll('[data-transport]').forEach((b) => {
    b.setAttribute('aria-pressed', String(b.dataset.transport === transport));
  });
  handle = subscribe([topic], {
    transport,
    lastEventId,
    events: params.has('events') ? params.get('events').split(',') : [],
    fallback: params.has('fallback') ? params.get('fallback').split(',') : undefined,
    firstFrameMs: params.has('firstFrameMs') ? Number(params.get('firstFrameMs')) : undefined,
    election: params.get('election') || undefined,
    onEvent(e) {
      indicator.lastId(e.id);
      list.append(Runnel.el('li', { dataset: { id: e.id, event: e.event }, text: e.data }));
      while (list.children.length > 1000) list.firstChild.remove();
      document.getElementById('event-count').textContent = String(++count);
    },
    onReset(reset) {
      list.append(Runnel.el('li', { className: 'muted', dataset: { reset: reset.reason }, text: 'reset: ' + reset.reason }));
    },
    onState(s) {
      indicator.set(s.state);
      indicator.connection(s.connection);
      indicator.transport(s.transport);
      show('transport', s.transport);
      show('state', s.state);
      show('connection', s.connection);
      show('role', s.leader ? 'leader' : 'follower');
      document.body.dataset.role = s.leader ? 'leader' : 'follower';
      document.body.dataset.transport = s.transport || '';
    },
  });
}

show('topic', topic);
document.querySelectorAll('[data-transport]').forEach((button) => {
  button.addEventListener('click', () => open(button.dataset.transport, handle && handle.lastEventId));
});
open(params.get('transport') || 'auto', null);
