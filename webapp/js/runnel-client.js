// The Runnel browser client: an ES module, no build step.
//
//   import { subscribe } from './js/runnel-client.js';
//   const handle = subscribe(['news', 'users/alice/inbox'], {
//     onEvent: (e) => show(e.event, JSON.parse(e.data)),   // e: {topic, event, id, data}
//     onReset: (r) => clear(r.reason), onEnd: (topics) => done(topics),
//     token: () => myLogin.token(),   // for private topics: a string, or a function giving one (or a promise)
//     events: ['headline'],           // the event names to receive over EventSource (see below)
//   });
//   handle.transport; handle.close();
//
// One connection per browser, not per tab: the tabs of an origin elect a leader (Web Locks; a
// heartbeat over BroadcastChannel where those are missing). The leader holds one stream for each
// distinct subscription (topics, token, transport) of all the tabs and relays its events over
// BroadcastChannel; eight tabs of one page hold one stream. Each subscription opens with one
// poll (its snapshot, or its replay after `lastEventId`) and then takes the relayed events after the
// poll's cursor, so a tab that joins a running stream misses nothing and sees nothing twice. When the
// leader tab closes, another takes over and reopens every stream from the last id its tabs saw.
//
// EventSource dispatches only the event names it listens for and its frames do not name their topic:
// over SSE, `events` lists the names to receive and `topic` is known only for a single-topic
// subscription. WebSocket and long-poll carry both.

import { Connection, backoff, delay, isAfter, isFatal, poll } from './runnel-transports.js';

const CHANNEL = 'runnel-client';
const LOCK = 'runnel-client-leader';
const tab = Math.random().toString(36).slice(2) + Date.now().toString(36);
let tabs = null;
let subscriptions = 0;

/**
 * Subscribes to `topics`. Options: onEvent, onReset, onEnd, onState ({state, transport, connection,
 * leader, reconnected}), onError, transport ('auto' | 'sse' | 'ws' | 'poll'), fallback (the order
 * 'auto' moves on in, default ['poll']; ['ws', 'poll'] to try WebSocket first), token, lastEventId,
 * events (names for EventSource), share (false: a stream of this tab's own), firstFrameMs,
 * election ('locks' | 'channel', for tests). Returns {close(), transport, state, connection,
 * lastEventId, leader}.
 */
export function subscribe(topics, options = {}) {
  if (!Array.isArray(topics) || topics.length === 0 || !topics.every((t) => typeof t === 'string' && t)) {
    throw new TypeError('topics: ' + JSON.stringify(topics) + ' (expected: an array of topic names)');
  }
  const subscription = new Subscription(topics, options);
  const shared = options.share !== false && typeof BroadcastChannel !== 'undefined';
  subscription.begin(shared ? (tabs = tabs || new Tabs(options.election)) : null);
  return subscription.handle;
}

async function resolveToken(token) {
  return typeof token === 'function' ? await token() : (token || null);
}

/** One subscribe() call, in its tab. */
class Subscription {
  constructor(topics, options) {
    this.id = tab + '.' + (++subscriptions);
    this.topics = Array.from(new Set(topics));
    this.options = options;
    this.cursor = options.lastEventId || null;
    this.opening = true;
    this.held = [];
    this.closed = false;
    this.ended = new Set();
    this.info = { state: 'connecting', transport: null, connection: null, leader: false };
    const self = this;
    this.handle = {
      close: () => self.close(),
      get transport() { return self.info.transport; },
      get state() { return self.info.state; },
      get connection() { return self.info.connection; },
      get leader() { return self.info.leader; },
      get lastEventId() { return self.cursor; },
    };
  }

  call(name, value) {
    const callback = this.options[name];
    if (callback && !this.closed) callback(value);
  }

  state(info) {
    Object.assign(this.info, info);
    this.call('onState', Object.assign({}, this.info));
  }

  async begin(tabs) {
    try {
      this.token = await resolveToken(this.options.token);
    } catch (error) {
      this.fail(error);
      return;
    }
    if (this.closed) return;
    if (!tabs) {
      this.connection = new Connection(this.topics, this.connectionOptions(this.cursor, {
        event: (e) => this.deliver(e), reset: (r) => this.call('onReset', r), end: (t) => this.end(t),
        state: (s) => this.state(s), error: (e) => this.fail(e),
      }));
      return;
    }
    this.tabs = tabs;
    this.key = JSON.stringify([this.topics.slice().sort(), this.token, this.options.transport || 'auto',
      this.options.fallback || ['poll'], (this.options.events || []).slice().sort()]);
    tabs.add(this);
    this.state({ leader: tabs.leading });
    await this.open(this.cursor);
  }

  /** What a Connection for this subscription is made with (without `on`, it can be posted to the leader). */
  connectionOptions(cursor, on) {
    const o = this.options;
    const options = { cursor, token: this.token, transport: o.transport || 'auto', fallback: o.fallback || ['poll'],
      events: o.events || [], firstFrameMs: o.firstFrameMs || 3000 };
    if (on) options.on = on;
    return options;
  }

  /** The opening: what a stream of its own would open with, read by polls; then it joins the leader's stream. */
  async open(cursor) {
    this.opening = true;
    try {
      let answer;
      let failures = 0;
      do {
        try {
          answer = await poll(this.topics, { cursor, token: this.token });
        } catch (error) {
          if (isFatal(error.status)) throw error;
          this.state({ state: 'reconnecting' }); // the server is away or busy: try again
          await delay(backoff(++failures));
          if (this.closed) return;
          answer = { events: [], more: true };
          continue;
        }
        if (this.closed) return;
        if (answer.reset) this.call('onReset', answer.reset);
        for (const e of answer.events) this.deliver(e);
        cursor = answer.cursor || cursor;
      } while (answer.more);
      this.cursor = cursor;
      if (answer.ended) {
        this.end(this.topics);
        return;
      }
    } catch (error) {
      this.fail(error);
      return;
    }
    this.opening = false;
    const held = this.held;
    this.held = [];
    held.forEach((item) => this.relayed(item));
    this.tabs.join(this);
  }

  /** What the leader relays for this subscription's stream. */
  relayed(item) {
    if (this.closed) return;
    if (this.opening && item.kind !== 'state') {
      this.held.push(item);
      return;
    }
    switch (item.kind) {
      case 'event':
        if (isAfter(item.event.id, this.cursor)) this.deliver(item.event);
        break;
      case 'reset':
        // The stream's snapshot follows, not in id order: open again as a new subscription would.
        this.call('onReset', item.reset);
        this.open(null);
        break;
      case 'end':
        this.end(item.topics);
        break;
      case 'state':
        this.state(item.info);
        break;
      case 'error':
        this.fail(item.error);
        break;
      default:
        break;
    }
  }

  deliver(event) {
    if (event.id) this.cursor = event.id;
    this.call('onEvent', event);
  }

  end(topics) {
    topics.forEach((t) => this.ended.add(t));
    this.call('onEnd', topics);
    if (this.topics.every((t) => this.ended.has(t))) this.close();
  }

  fail(error) {
    this.call('onError', error);
    this.close();
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    if (this.connection) this.connection.close();
    if (this.tabs) this.tabs.remove(this);
    this.info.state = 'closed';
    if (this.options.onState) this.options.onState(Object.assign({}, this.info));
  }
}

/**
 * The tabs of this origin, seen from this one: its subscriptions, and while it leads, the streams it
 * holds for every tab. Messages on the channel: join / leave (a subscription to the leader), leader
 * (a new leader: every subscription joins again), relay (an item of a stream, to its subscriptions),
 * alive / claim (the election without Web Locks).
 */
class Tabs {
  constructor(election) {
    this.channel = new BroadcastChannel(CHANNEL);
    this.channel.onmessage = (e) => this.receive(e.data);
    this.mine = new Map();    // subscription id -> Subscription of this tab
    this.streams = new Map(); // while leading: key -> {connection, members: Set of subscription ids, info}
    this.leading = false;
    addEventListener('pagehide', () => {
      this.mine.forEach((s) => this.post({ type: 'leave', key: s.key, id: s.id }));
      // Handed on, not ended: the other tabs' subscriptions wait for the next leader.
      this.streams.forEach((s) => s.connection.halt());
    });
    if (election !== 'channel' && typeof navigator !== 'undefined' && navigator.locks) {
      navigator.locks.request(LOCK, () => {
        this.lead();
        return new Promise(() => {}); // held until the tab goes
      });
    } else {
      this.elect();
    }
  }

  /** Posts to the other tabs and handles it here too (BroadcastChannel does not echo). */
  post(message) {
    this.channel.postMessage(message);
    this.receive(message);
  }

  add(subscription) {
    this.mine.set(subscription.id, subscription);
  }

  remove(subscription) {
    if (this.mine.delete(subscription.id) && subscription.key) {
      this.post({ type: 'leave', key: subscription.key, id: subscription.id });
    }
  }

  join(s) {
    this.post({ type: 'join', key: s.key, id: s.id, topics: s.topics, options: s.connectionOptions(s.cursor) });
  }

  lead() {
    this.leading = true;
    this.mine.forEach((s) => s.state({ leader: true }));
    this.post({ type: 'leader', tab });
  }

  receive(m) {
    switch (m.type) {
      case 'join': if (this.leading) this.admit(m); break;
      case 'leave': if (this.leading) this.release(m); break;
      case 'leader':
        // Whoever leads now knows no subscription yet: tell it each of ours, from where it has got to.
        this.mine.forEach((s) => {
          if (s.opening || s.closed) return;
          if (m.tab !== tab) s.state({ state: 'reconnecting', connection: null });
          this.join(s);
        });
        break;
      case 'relay':
        this.mine.forEach((s) => { if (s.key === m.key) s.relayed(m.item); });
        break;
      case 'alive': this.heard(m); break;
      case 'claim':
        if (this.leading) this.channel.postMessage({ type: 'alive', tab }); // not vacant: say so at once
        else if (this.claims) this.claims.push(m.tab);
        break;
      default: break;
    }
  }

  admit(m) {
    let stream = this.streams.get(m.key);
    if (stream) {
      stream.members.add(m.id);
      if (stream.info) this.relay(m.key, { kind: 'state', info: Object.assign({}, stream.info, { reconnected: false }) });
      return;
    }
    stream = { members: new Set([m.id]), info: null };
    this.streams.set(m.key, stream);
    const relay = (item) => this.relay(m.key, item);
    stream.connection = new Connection(m.topics, Object.assign({}, m.options, {
      on: {
        event: (event) => relay({ kind: 'event', event }),
        reset: (reset) => relay({ kind: 'reset', reset }),
        end: (topics) => relay({ kind: 'end', topics }),
        error: (error) => relay({ kind: 'error', error: { message: error.message, status: error.status } }),
        state: (s) => {
          stream.info = { state: s.state, transport: s.transport, connection: s.connection, reconnected: s.reconnected };
          relay({ kind: 'state', info: stream.info });
        },
      },
    }));
  }

  release(m) {
    const stream = this.streams.get(m.key);
    if (!stream || !stream.members.delete(m.id) || stream.members.size > 0) return;
    stream.connection.close();
    this.streams.delete(m.key);
  }

  relay(key, item) {
    this.post({ type: 'relay', key, item });
  }

  // The election without Web Locks: the leader says it is alive every second, and at once to a claim;
  // after three seconds of silence the tabs claim, and the lowest claimant heard within a second
  // leads. Two leaders all the same (a claim crossed a silent leader): the higher steps down.
  elect() {
    this.lastAlive = 0;
    setInterval(() => {
      if (this.leading) this.channel.postMessage({ type: 'alive', tab });
      else if (Date.now() - this.lastAlive > 3000 && !this.claims) this.claim();
    }, 1000);
    this.claim();
  }

  claim() {
    this.claims = [tab];
    this.channel.postMessage({ type: 'claim', tab });
    setTimeout(() => {
      const won = Date.now() - this.lastAlive > 3000 && this.claims.every((t) => tab <= t);
      this.claims = null;
      if (won) this.lead();
    }, 1000);
  }

  heard(m) {
    if (m.tab === tab) return;
    this.lastAlive = Date.now();
    if (this.leading && m.tab < tab) {
      this.leading = false;
      this.streams.forEach((s) => s.connection.halt());
      this.streams.clear();
      this.mine.forEach((s) => s.state({ leader: false }));
      this.post({ type: 'leader', tab: m.tab }); // everyone joins the one that stays
    }
  }
}
