/*
 * Runnel demo pages: shared helpers. No build step, no dependencies.
 *
 * Runnel.connect(url, options) subscribes through the browser client (runnel-client.js: one stream
 * shared by the tabs, EventSource with a long-poll fallback) and keeps the page's connection
 * indicator (#conn: connecting / open / reconnecting / closed, the last event id, the connection id,
 * the transport) up to date. A URL other than events?topic=… (the poem's own stream) gets an EventSource.
 * Pushed data is only ever rendered with textContent and DOM APIs (Runnel.el), never as HTML.
 *
 * Runnel.ifDemos(start, feature) runs a page only when the server runs its demo (GET demos says
 * which); otherwise the page says that the demo is off and opens nothing.
 */
(function () {
  'use strict';

  var STATE_TEXT = { idle: 'idle', connecting: 'connecting', open: 'open', reconnecting: 'reconnecting', closed: 'closed',
    off: 'demo off' };
  var SWITCHES = { enabled: 'runnel.demos.enabled', stocks: 'runnel.stocks.enabled', metrics: 'runnel.metrics.enabled',
    chat: 'runnel.demos.enabled' };

  /** Creates an element: Runnel.el('div', {className: 'x', text: 'hi', dataset: {...}, on: {click: fn}}, child…). */
  function el(tag, props) {
    var node = document.createElement(tag);
    props = props || {};
    Object.keys(props).forEach(function (key) {
      var value = props[key];
      if (value === undefined || value === null) return;
      if (key === 'text') node.textContent = value;
      else if (key === 'className') node.className = value;
      else if (key === 'dataset') Object.keys(value).forEach(function (k) { node.dataset[k] = value[k]; });
      else if (key === 'on') Object.keys(value).forEach(function (k) { node.addEventListener(k, value[k]); });
      else if (key === 'style') Object.keys(value).forEach(function (k) { node.style.setProperty(k, value[k]); });
      else node.setAttribute(key, value);
    });
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === false) continue;
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    }
    return node;
  }

  /** The page's connection indicator. */
  function Indicator(root) {
    this.root = root;
    this.stateNode = root ? root.querySelector('.conn-state') : null;
    this.idNode = root ? root.querySelector('[data-role="last-id"]') : null;
  }
  Indicator.prototype.set = function (state) {
    if (!this.root) return;
    this.root.dataset.state = state;
    if (this.stateNode) this.stateNode.textContent = STATE_TEXT[state] || state;
  };
  Indicator.prototype.lastId = function (id) {
    if (this.idNode && id) this.idNode.textContent = id;
  };
  Indicator.prototype.transport = function (name) {
    if (this.root && name) this.root.dataset.transport = name;
  };
  Indicator.prototype.connection = function (id) {
    if (this.root && id) {
      this.root.dataset.connection = id;
      this.root.title = 'connection ' + id;
    }
  };

  var indicator = null;
  function pageIndicator() {
    if (!indicator) indicator = new Indicator(document.getElementById('conn'));
    return indicator;
  }

  function parse(data) {
    try {
      return JSON.parse(data);
    } catch (e) {
      return data;
    }
  }

  /**
   * Opens an event stream.
   *   options.events:      { name: function (data, event) } for each event name to handle
   *   options.onOpen:      called on every successful connection (first and after a reconnect)
   *   options.onReconnected: called when the stream is open again after a drop
   *   options.onClosed:    called once the browser has given up for good (e.g. after a 204)
   *   options.onReset:     called with the reset reason when the server could not resume
   *   options.onConnected: called with the connected event's data ({connection, topics, cursor}); its
   *                        cursor is where the stream joined, the last_event_id to reopen with when no
   *                        event has come yet
   * Returns { source, close() }.
   */
  function connectSource(url, options) {
    options = options || {};
    var status = pageIndicator();
    var source = new EventSource(url);
    var everOpen = false;
    var dropped = false;
    var finished = false;
    status.set('connecting');

    function finish() {
      if (finished) return;
      finished = true;
      status.set('closed');
      if (options.onClosed) options.onClosed();
    }

    source.addEventListener('open', function () {
      status.set('open');
      if (options.onOpen) options.onOpen();
      if (everOpen && dropped && options.onReconnected) options.onReconnected();
      everOpen = true;
      dropped = false;
    });
    source.addEventListener('error', function () {
      if (source.readyState === EventSource.CLOSED) {
        finish();
      } else {
        dropped = true;
        status.set('reconnecting');
      }
    });
    source.addEventListener('connected', function (e) {
      var info = parse(e.data);
      status.connection(info && info.connection);
      if (options.onConnected) options.onConnected(info);
    });
    source.addEventListener('reset', function (e) {
      if (options.onReset) options.onReset(parse(e.data));
    });
    Object.keys(options.events || {}).forEach(function (name) {
      source.addEventListener(name, function (e) {
        status.lastId(e.lastEventId);
        options.events[name](parse(e.data), e);
      });
    });
    return {
      source: source,
      close: function () {
        source.close();
        finish();
      }
    };
  }

  /**
   * Subscribes to the topics of an events?topic=… URL through runnel-client.js, with the options of
   * connectSource (onConnected aside: the client resumes by itself) and, for private topics,
   * options.token (a string or a function giving one) and options.lastEventId. Returns { close() }.
   */
  function connect(url, options) {
    options = options || {};
    var parsed = new URL(url, location.href);
    if (!/\/events$/.test(parsed.pathname)) return connectSource(url, options);
    var status = pageIndicator();
    var handle = null;
    var closed = false;
    var finished = false;
    var state = 'connecting';
    var handlers = options.events || {};
    status.set('connecting');

    function finish() {
      if (finished) return;
      finished = true;
      status.set('closed');
      if (options.onClosed) options.onClosed();
    }

    import('./runnel-client.js').then(function (client) {
      if (closed) return;
      handle = client.subscribe(parsed.searchParams.getAll('topic'), {
        events: Object.keys(handlers),
        token: options.token,
        lastEventId: options.lastEventId,
        transport: options.transport,
        onEvent: function (e) {
          status.lastId(e.id);
          if (handlers[e.event]) handlers[e.event](parse(e.data), { lastEventId: e.id, topic: e.topic, type: e.event });
        },
        onReset: function (reset) {
          if (options.onReset) options.onReset(reset);
        },
        onError: finish,
        onState: function (s) {
          status.connection(s.connection);
          status.transport(s.transport);
          if (s.state === 'closed') {
            finish();
          } else if (s.state !== state) {
            status.set(s.state);
            if (s.state === 'open' && options.onOpen) options.onOpen();
            if (s.state === 'open' && s.reconnected && options.onReconnected) options.onReconnected();
          }
          state = s.state;
        }
      });
    });
    return {
      close: function () {
        closed = true;
        if (handle) handle.close();
        finish();
      }
    };
  }

  /** Sends JSON; resolves with the parsed answer, rejects with an Error whose message is the server's detail. */
  function request(method, url, body, headers) {
    var init = { method: method, headers: { Accept: 'application/json' } };
    Object.keys(headers || {}).forEach(function (name) { init.headers[name] = headers[name]; });
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (response) {
      return response.text().then(function (text) {
        var json = text ? parse(text) : {};
        if (!response.ok) {
          var error = new Error((json && json.detail) || ('HTTP ' + response.status));
          error.status = response.status;
          error.retryAfter = response.headers.get('Retry-After');
          throw error;
        }
        return json;
      });
    });
  }

  function time(iso) {
    var d = iso ? new Date(iso) : new Date();
    return isNaN(d) ? '' : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  }

  function number(value, digits) {
    if (value === null || value === undefined || isNaN(value)) return '—';
    return Number(value).toLocaleString(undefined, { minimumFractionDigits: digits || 0, maximumFractionDigits: digits || 0 });
  }

  function bytes(value) {
    if (value === null || value === undefined) return '—';
    var units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    var i = 0;
    while (value >= 1024 && i < units.length - 1) {
      value /= 1024;
      i++;
    }
    return value.toFixed(i === 0 ? 0 : 1) + ' ' + units[i];
  }

  function duration(seconds) {
    seconds = Math.max(0, Math.floor(seconds || 0));
    var d = Math.floor(seconds / 86400), h = Math.floor(seconds % 86400 / 3600), m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
    if (d) return d + 'd ' + h + 'h';
    if (h) return h + 'h ' + m + 'm';
    if (m) return m + 'm ' + s + 's';
    return s + 's';
  }

  var demoStatus = null;

  /** GET demos, once per page: which demos this server runs ({enabled, tokens, stocks, metrics, chat}). */
  function demos() {
    if (!demoStatus) {
      demoStatus = fetch('demos', { headers: { Accept: 'application/json' } }).then(function (response) {
        return response.ok ? response.json() : { enabled: true };
      }).catch(function () {
        return { enabled: true };
      });
    }
    return demoStatus;
  }

  /**
   * Runs start(status) when the server runs this page's demo (feature: 'enabled', 'stocks', 'metrics'
   * or 'chat'; 'enabled' when omitted); otherwise shows a notice that it is off and starts nothing.
   */
  function ifDemos(start, feature) {
    feature = feature || 'enabled';
    demos().then(function (status) {
      if (status.enabled && status[feature] !== false) {
        start(status);
        return;
      }
      var key = status.enabled ? SWITCHES[feature] : SWITCHES.enabled;
      var main = document.querySelector('main');
      main.insertBefore(el('p', { className: 'notice', id: 'demos-off', role: 'status',
        text: (status.enabled ? 'This demo is off on this server (' : 'The demos are off on this server (')
          + key + '=false). Runnel itself works as usual: subscribe with GET events, publish with POST publish '
          + '(see the README).' }), main.firstChild);
      pageIndicator().set('off');
    });
  }

  /** A CSS custom property of the page, e.g. Runnel.cssVar('--up'). */
  function cssVar(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }

  window.Runnel = {
    el: el,
    connect: connect,
    indicator: pageIndicator,
    request: request,
    demos: demos,
    ifDemos: ifDemos,
    post: function (url, body) { return request('POST', url, body || {}); },
    del: function (url) { return request('DELETE', url); },
    time: time,
    number: number,
    bytes: bytes,
    duration: duration,
    cssVar: cssVar
  };
})();
