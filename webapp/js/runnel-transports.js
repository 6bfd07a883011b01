// One stream of events for a set of topics over EventSource (/events), WebSocket (/ws) or long-poll
// (/poll), moving between them with one cursor, so that nothing is lost or repeated. Used by
// runnel-client.js; a page calls subscribe() there, not this.
//
// A Connection keeps the position it has reached (the id of the last event, or a position the
// server handed it) and reopens from it after every drop, fetching a new one-time ticket each time
// when it holds a token. With transport 'auto' it starts with EventSource and moves on to the next of
// `fallback` when the stream opens but no frame follows within `firstFrameMs` (a proxy that buffers
// the response), or when it fails `maxFailures` times in a row before its first frame.
//
// URLs are resolved against this script's location, so the client works under any context path.

import { ticketFor } from './auth.js';

const root = new URL('../', import.meta.url);

function parseId(id) {
  const dash = id.lastIndexOf('-');
  return { epoch: id.slice(0, dash), sequence: Number(id.slice(dash + 1)) };
}

/** Whether event `id` comes after `cursor`. An id of another epoch (a restart) counts as after. */
export function isAfter(id, cursor) {
  if (!cursor) return true;
  if (!id) return false;
  const a = parseId(id);
  const b = parseId(cursor);
  return a.epoch !== b.epoch || a.sequence > b.sequence;
}

/** A refusal the client cannot cure by retrying (400, 401, 403, 404, 413). */
export function isFatal(status) {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

/** How long to wait before the next try after `failures` failures in a row: doubling, jittered. */
export function backoff(failures) {
  return Math.min(15000, 500 * 2 ** Math.min(failures, 5)) * (0.5 + Math.random());
}

export function delay(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    if (signal) signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}

/**
 * Reads once from GET /poll: {events, cursor, reset?, ended?, more?}. `timeout` in ms (0: answer at
 * once). A token goes in the Authorization header: polls need no ticket.
 */
export async function poll(topics, { cursor, token, timeout = 0, signal } = {}) {
  const url = new URL('poll', root);
  for (const topic of topics) url.searchParams.append('topic', topic);
  if (cursor) url.searchParams.set('cursor', cursor);
  url.searchParams.set('timeout', timeout + 'ms');
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = 'Bearer ' + token;
  const response = await fetch(url, { headers, signal, credentials: 'same-origin', cache: 'no-store' });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error('poll: ' + response.status + ' ' + (answer.detail || answer.error || ''));
    error.status = response.status;
    throw error;
  }
  return answer;
}

/**
 * Threading: the page's event loop. Callbacks (`on.event`, `on.reset`, `on.end`, `on.state`,
 * `on.error`) are called in the order the server sent what they report.
 */
export class Connection {
  constructor(topics, { cursor = null, token = null, transport = 'auto', fallback = ['poll'], events = [],
    firstFrameMs = 3000, maxFailures = 3, pollTimeoutMs = 25000, on = {} } = {}) {
    this.topics = topics.slice();
    this.cursor = cursor;
    this.token = token;
    this.auto = transport === 'auto';
    this.order = this.auto ? ['sse'].concat(fallback) : [transport];
    this.index = 0;
    this.events = Array.from(new Set(['message'].concat(events)));
    this.firstFrameMs = firstFrameMs;
    this.maxFailures = maxFailures;
    this.pollTimeoutMs = pollTimeoutMs;
    this.on = on;
    this.failures = 0;
    this.generation = 0;
    this.stop = null;
    this.done = false;
    this.everOpen = false;
    this.state = 'connecting';
    this.connection = null;
    this.ended = new Set();
    this.start();
  }

  /** 'sse', 'ws' or 'poll': the transport in use. */
  get transport() {
    return this.order[this.index];
  }

  close() {
    this.halt();
    this.setState('closed');
  }

  halt() {
    this.done = true;
    this.generation++;
    if (this.stop) this.stop();
    this.stop = null;
  }

  setState(state, connection) {
    if (connection) this.connection = connection;
    if (state === this.state && !connection) return;
    const reconnected = state === 'open' && this.everOpen && this.state !== 'open';
    this.state = state;
    if (state === 'open') this.everOpen = true;
    if (this.on.state) {
      this.on.state({ state, transport: this.transport, connection: this.connection, reconnected });
    }
  }

  start() {
    if (this.done) return;
    const generation = ++this.generation;
    if (this.stop) this.stop();
    this.stop = null;
    const open = { sse: () => this.openSse(generation), ws: () => this.openWs(generation),
      poll: () => this.pollLoop(generation) }[this.transport];
    if (!open) throw new Error('transport: "' + this.transport + '" (expected: auto, sse, ws or poll)');
    open().catch((error) => this.failed(error, generation));
  }

  /** Moves on to the next transport of the fallback order; false when there is none. */
  fallBack() {
    if (!this.auto || this.index + 1 >= this.order.length) return false;
    this.index++;
    this.failures = 0;
    this.connection = null; // the last transport's
    this.setState('connecting');
    this.start();
    return true;
  }

  /** A drop: after `maxFailures` in a row without a frame, the next transport; else the same after a pause. */
  dropped(generation, framed) {
    if (generation !== this.generation || this.done) return;
    if (!framed) this.failures++;
    if (this.failures >= this.maxFailures && this.fallBack()) return;
    this.setState('reconnecting');
    const pause = framed ? 250 : backoff(this.failures);
    setTimeout(() => { if (generation === this.generation) this.start(); }, pause);
  }

  failed(error, generation) {
    if (generation !== this.generation || this.done) return;
    if (error && isFatal(error.status)) {
      this.halt();
      this.setState('closed');
      if (this.on.error) this.on.error(error);
      return;
    }
    this.dropped(generation, false);
  }

  finish(topics) {
    if (this.done) return;
    this.halt();
    if (this.on.end) this.on.end(topics || this.topics);
    this.setState('closed');
  }

  deliver(event) {
    if (event.id) this.cursor = event.id;
    if (this.on.event) this.on.event(event);
  }

  /** A poll's answer, in the order a stream would have carried it. */
  apply(answer) {
    if (answer.reset && this.on.reset) this.on.reset(answer.reset);
    for (const e of answer.events || []) this.deliver(e);
    if (answer.cursor) this.cursor = answer.cursor;
    if (answer.ended) this.finish();
  }

  ticket() {
    return this.token ? ticketFor(this.token, this.topics).then((t) => t.ticket) : Promise.resolve(null);
  }

  async openSse(generation) {
    const ticket = await this.ticket();
    if (generation !== this.generation) return;
    const url = new URL('events', root);
    for (const topic of this.topics) url.searchParams.append('topic', topic);
    if (this.cursor) url.searchParams.set('last_event_id', this.cursor);
    if (ticket) url.searchParams.set('ticket', ticket);
    const source = new EventSource(url);
    let framed = false;
    let timer = null;
    this.stop = () => { clearTimeout(timer); source.close(); };
    source.onopen = () => {
      // Headers came; a proxy that buffers the body would hold the frames that should follow at once.
      if (this.auto && this.index + 1 < this.order.length) {
        timer = setTimeout(() => { if (!framed && generation === this.generation) this.fallBack(); }, this.firstFrameMs);
      }
    };
    source.addEventListener('connected', (e) => {
      framed = true;
      clearTimeout(timer);
      this.failures = 0;
      const info = JSON.parse(e.data);
      if (!this.cursor && info.cursor) this.cursor = info.cursor;
      this.setState('open', info.connection);
    });
    source.addEventListener('reset', (e) => { if (this.on.reset) this.on.reset(JSON.parse(e.data)); });
    const topic = this.topics.length === 1 ? this.topics[0] : null; // SSE frames do not name their topic
    for (const name of this.events) {
      source.addEventListener(name, (e) => this.deliver({ topic, event: name, id: e.lastEventId, data: e.data }));
    }
    source.onerror = () => {
      clearTimeout(timer);
      const refused = source.readyState === EventSource.CLOSED;
      source.close();
      if (generation !== this.generation) return;
      if (refused) {
        // Not a 200 stream: a 204 (the finite topics ended) or a refusal. A poll says which, and carries
        // anything that came since.
        this.probe(generation).catch((error) => this.failed(error, generation));
      } else {
        this.dropped(generation, framed);
      }
    };
  }

  async probe(generation) {
    const answer = await poll(this.topics, { cursor: this.cursor, token: this.token });
    if (generation !== this.generation) return;
    this.apply(answer);
    if (!this.done) this.dropped(generation, false);
  }

  async openWs(generation) {
    const ticket = await this.ticket();
    if (generation !== this.generation) return;
    const url = new URL('ws', root);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    if (ticket) url.searchParams.set('ticket', ticket);
    const socket = new WebSocket(url);
    let framed = false;
    let refusal = null;
    this.stop = () => socket.close(1000, 'closed by the page');
    socket.onopen = () => {
      const subscribe = { type: 'subscribe', topics: this.topics };
      if (this.cursor) subscribe.lastEventId = this.cursor;
      socket.send(JSON.stringify(subscribe));
    };
    socket.onmessage = (m) => {
      if (generation !== this.generation) return;
      const message = JSON.parse(m.data);
      switch (message.type) {
        case 'connected':
          framed = true;
          this.failures = 0;
          if (!this.cursor && message.cursor) this.cursor = message.cursor;
          this.setState('open', message.connection);
          break;
        case 'reset':
          if (this.on.reset) this.on.reset({ reason: message.reason, detail: message.detail });
          break;
        case 'event':
          this.deliver({ topic: message.topic, event: message.event, id: message.id, data: message.data });
          break;
        case 'cursor':
          this.cursor = message.id;
          break;
        case 'end':
          message.topics.forEach((t) => this.ended.add(t));
          if (this.topics.every((t) => this.ended.has(t))) this.finish(message.topics);
          else if (this.on.end) this.on.end(message.topics);
          break;
        case 'error':
          refusal = message;
          break;
        default:
          break; // a message type newer than this client
      }
    };
    socket.onclose = (e) => {
      if (generation !== this.generation) return;
      if (refusal && isFatal(refusal.status)) {
        const error = new Error('ws: ' + refusal.status + ' ' + refusal.detail);
        error.status = refusal.status;
        this.failed(error, generation);
      } else if (e.code === 1000 && e.reason === 'ended') {
        this.finish();
      } else {
        this.dropped(generation, framed);
      }
    };
  }

  async pollLoop(generation) {
    const abort = new AbortController();
    this.stop = () => abort.abort();
    let timeout = 0; // the first poll answers at once, so the page sees it is connected
    while (generation === this.generation) {
      let answer;
      try {
        answer = await poll(this.topics, { cursor: this.cursor, token: this.token, timeout, signal: abort.signal });
      } catch (error) {
        if (generation !== this.generation) return;
        if (isFatal(error.status)) throw error;
        this.failures++;
        this.setState('reconnecting');
        await delay(backoff(this.failures), abort.signal);
        continue;
      }
      if (generation !== this.generation) return;
      this.failures = 0;
      this.setState('open');
      this.apply(answer);
      timeout = answer.more ? 0 : this.pollTimeoutMs;
    }
  }
}
