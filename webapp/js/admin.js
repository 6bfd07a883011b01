/*
 * The admin console. Signs in with the admin credential (kept in this tab's session storage, sent as
 * Authorization: Bearer), follows the private topic runnel/admin/console through the browser client and
 * renders the server's samples, one a second. With a shared log the topic is shared too, and every
 * node whose console someone watches publishes there: the page follows the samples of one node (the
 * one that answered GET admin, or whichever publishes when that one has been silent for 5 s). Each
 * sample lists every node sharing the log; a node that leaves the list stays a minute marked gone.
 * Every list is bounded: the server sends at most 100 streams, 10 topics, 20 happenings and 51 nodes
 * a sample; the page keeps 50 happenings, 50 gone nodes and 200 lines of frames, and draws the frame
 * debugger at most four times a second, however fast frames arrive.
 * Everything is rendered with DOM APIs and textContent, never as HTML.
 */
(function () {
  'use strict';
  var TOPIC = 'runnel/admin/console';
  var STORAGE_KEY = 'runnel.admin';
  var MAX_HAPPENINGS = 50;
  var MAX_FRAME_LINES = 200;
  var MAX_GONE_NODES = 50;
  var GONE_SHOWN_MILLIS = 60000;
  var FOLLOW_SILENCE_MILLIS = 5000;
  var el = Runnel.el;
  var credential = null;
  var feed = null;
  var reopen = null;
  var chart = null;
  var debug = null;
  var followed = null; // the node whose samples the page shows
  var followedAt = 0;
  var listedCards = {}; // id -> card: the nodes of the last sample
  var gone = {}; // id -> {card, since}: nodes that left the list, shown a minute more

  function $(id) { return document.getElementById(id); }
  function bearer() { return { Authorization: 'Bearer ' + credential }; }
  function cell(text, className) { return el('td', { className: className, text: text }); }
  function setText(id, text) { $(id).textContent = text; }

  function show(signedIn) {
    $('signin').hidden = signedIn;
    $('console').hidden = !signedIn;
    $('signout').hidden = !signedIn;
  }

  function signIn(secret) {
    return Runnel.request('GET', 'admin', undefined, { Authorization: 'Bearer ' + secret }).then(function (about) {
      credential = secret;
      followed = about.node;
      followedAt = Date.now();
      sessionStorage.setItem(STORAGE_KEY, secret);
      setText('signin-error', '');
      show(true);
      openFeed();
    });
  }

  function signOut(message) {
    credential = null;
    sessionStorage.removeItem(STORAGE_KEY);
    clearTimeout(reopen);
    if (feed) feed.close();
    feed = null;
    stopDebug();
    followed = null;
    listedCards = {};
    gone = {};
    show(false);
    setText('signin-error', message || '');
  }

  function refused(error) {
    return error.status === 401 || error.status === 403;
  }

  /** The feed: the console's private topic through the browser client, which takes its tickets. */
  function openFeed() {
    if (!chart) {
      chart = new Runnel.LineChart($('chart-rates'), {
        series: [{ color: '--c1' }, { color: '--c4' }], points: 120, min: 0, max: null,
        format: function (v) { return v < 10 ? v.toFixed(1) : String(Math.round(v)); }
      });
    }
    // The browser client trades the credential for a one-time ticket at every (re)connect by itself.
    feed = Runnel.connect('events?topic=' + encodeURIComponent(TOPIC), {
      events: { sample: follow },
      token: function () { return credential; },
      onClosed: function () {
        if (credential) reopen = setTimeout(openFeed, 2000);
      }
    });
  }

  /** Takes the samples of the followed node, or of another once the followed one has been silent a while. */
  function follow(sample) {
    var now = Date.now();
    if (sample.node !== followed) {
      if (followed && now - followedAt < FOLLOW_SILENCE_MILLIS) return;
      followed = sample.node;
      listedCards = {};
      gone = {};
    }
    followedAt = now;
    render(sample);
  }

  function render(sample) {
    var log = sample.log;
    setText('t-streams', Runnel.number(sample.streams.open));
    setText('t-published', Runnel.number(sample.rates.published, 1));
    setText('t-delivered', Runnel.number(sample.rates.delivered, 1));
    setText('t-evictions', Runnel.number(sample.happenings.evictions));
    setText('t-rejections', Runnel.number(sample.happenings.rejections));
    setText('t-log', Runnel.number(log.events) + ' / ' + Runnel.number(log.maxEvents));
    setText('t-log-bytes', Runnel.bytes(log.bytes) + ' of ' + Runnel.bytes(log.maxBytes));
    var fill = Math.max(log.events / log.maxEvents, log.bytes / log.maxBytes);
    $('log-fill').style.width = Math.min(100, fill * 100).toFixed(1) + '%';
    chart.push([sample.rates.published, sample.rates.delivered]);
    renderNodes(sample.nodes, sample.nodesLeftOut || 0);
    renderStreams(sample.streams);
    renderTopics(sample.topics);
    renderHappenings(sample.happenings);
  }

  function renderNodes(nodes, leftOut) {
    var now = Date.now();
    var listed = {};
    nodes.forEach(function (n) {
      listed[n.id] = n;
      delete gone[n.id];
    });
    Object.keys(listedCards).forEach(function (id) {
      if (!listed[id]) gone[id] = { card: listedCards[id], since: now };
    });
    listedCards = listed;
    var goneIds = Object.keys(gone).filter(function (id) { return now - gone[id].since < GONE_SHOWN_MILLIS; })
      .sort(function (a, b) { return gone[b].since - gone[a].since; }).slice(0, MAX_GONE_NODES);
    var kept = {};
    goneIds.forEach(function (id) { kept[id] = gone[id]; });
    gone = kept;
    var rows = nodes.map(function (n) { return nodeRow(n, null); }).concat(goneIds.sort().map(function (id) {
      return nodeRow(gone[id].card, gone[id].since);
    }));
    var body = $('nodes').tBodies[0];
    body.replaceChildren.apply(body, rows);
    setText('nodes-count', Runnel.number(nodes.length));
    setText('nodes-note', leftOut > 0 ? '… and ' + leftOut + ' more nodes alive, not listed.' : '');
  }

  /** A node's row; goneSince: when it left the list (its row then says gone), or null. */
  function nodeRow(n, goneSince) {
    var streams = Object.keys(n.streams || {}).sort().map(function (t) { return t + ' ' + Runnel.number(n.streams[t]); }).join(' · ');
    var where = [n.context, n.server].filter(function (x) { return x; }).join(' · ');
    var label = el('td', { className: 'mono' }, n.id, n.self && !goneSince ? el('span', { className: 'badge info', text: 'this node' }) : null,
      goneSince ? el('span', { className: 'badge warning', text: 'gone' }) : null);
    var seen = goneSince ? 'gone ' + Runnel.duration((Date.now() - goneSince) / 1000) + ' ago'
      : Runnel.number(n.lastSeenSeconds, 1) + ' s ago';
    return el('tr', { dataset: { node: n.id, state: goneSince ? 'gone' : 'up' }, className: goneSince ? 'gone' : null },
      label, cell(seen, 'num'), cell(where || '—'), cell(n.version), cell(n.log), cell(n.started ? new Date(n.started).toLocaleString() : '—'),
      cell(Runnel.duration(n.uptimeSeconds), 'num'), cell(streams || '—'), cell(Runnel.number(n.subscriptions), 'num'),
      cell(Runnel.number(n.rates && n.rates.published, 1), 'num'), cell(Runnel.number(n.rates && n.rates.delivered, 1), 'num'),
      cell(Runnel.number(n.tailLag), 'num'), cell(Runnel.bytes(n.heapUsed) + ' / ' + Runnel.bytes(n.heapMax), 'num'),
      cell(Runnel.number(n.threads), 'num'));
  }

  function renderStreams(streams) {
    var body = $('streams').tBodies[0];
    body.replaceChildren.apply(body, streams.shown.map(function (s) {
      var topics = s.topics.join(', ') + (s.topicCount > s.topics.length ? ' … (' + s.topicCount + ')' : '');
      var close = el('button', { className: 'btn small danger close', type: 'button', text: 'Close',
        title: 'Close this stream; its client reconnects and resumes', on: { click: function () { closeStream(s.id, close); } } });
      return el('tr', { dataset: { id: s.id } }, cell(s.id, 'mono'), cell(s.address, 'mono'), cell(s.transport),
        cell(topics, 'mono'), cell(Runnel.duration(s.ageSeconds), 'num'), cell(Runnel.bytes(s.queuedBytes), 'num'),
        cell(Runnel.number(s.events), 'num'), el('td', {}, close));
    }));
    setText('streams-count', Runnel.number(streams.open));
    setText('streams-note', streams.open > streams.shown.length
      ? 'Showing ' + streams.shown.length + ' of ' + streams.open + ': the most queued, then the oldest.' : '');
  }

  function closeStream(id, button) {
    button.disabled = true;
    Runnel.request('DELETE', 'admin/streams/' + encodeURIComponent(id), undefined, bearer()).catch(function (error) {
      button.disabled = false;
      button.title = error.message;
      if (refused(error)) signOut('Signed out: ' + error.message);
    });
  }

  function renderTopics(topics) {
    var body = $('topics').tBodies[0];
    body.replaceChildren.apply(body, topics.map(function (t) {
      var last = t.lastEventId ? t.lastEventId + ' · ' + Runnel.time(new Date(t.lastEventTime).toISOString()) : '—';
      return el('tr', { dataset: { topic: t.topic } }, cell(t.topic, 'mono'), cell(Runnel.number(t.subscribers), 'num'),
        cell(Runnel.number(t.eventsPerSecond, 1), 'num'), cell(last, 'mono'));
    }));
  }

  function renderHappenings(h) {
    var list = $('happenings');
    if (!h.recent.length && !h.leftOut) return;
    var empty = list.querySelector('.empty');
    if (empty) empty.remove();
    if (h.leftOut > 0) {
      list.insertBefore(el('li', { className: 'muted small', text: '… and ' + h.leftOut + ' more since the last sample' }),
        list.firstChild);
    }
    h.recent.forEach(function (x) {
      var what = x.kind === 'eviction' ? 'stream ' + x.what + ' evicted' : x.what + ' answered';
      list.insertBefore(el('li', { dataset: { kind: x.kind } },
        el('span', { className: 'badge ' + (x.kind === 'eviction' ? 'warning' : 'error'), text: x.kind }), ' ',
        el('span', { className: 'reason', text: x.reason }), ' ',
        el('span', { text: what + ' · ' + x.address + ' · ' + Runnel.time(new Date(x.time).toISOString()) }),
        x.detail ? el('div', { className: 'muted small', text: x.detail }) : null), list.firstChild);
    });
    while (list.children.length > MAX_HAPPENINGS) list.lastChild.remove();
  }

  function publish(event) {
    event.preventDefault();
    var data = $('pub-data').value;
    try { data = JSON.parse(data); } catch (e) { /* sent as a string */ }
    var body = { topic: $('pub-topic').value.trim(), data: data };
    if ($('pub-event').value.trim()) body.event = $('pub-event').value.trim();
    setText('publish-error', '');
    Runnel.request('POST', 'publish', body, bearer()).then(function (answer) {
      setText('publish-result', 'Published as ' + answer.id);
    }).catch(function (error) {
      setText('publish-error', error.message);
    });
  }

  /** The frame debugger: GET events read as bytes, shown as text, the last lines only, drawn at most every 250 ms. */
  function watch(event) {
    event.preventDefault();
    stopDebug();
    var topic = $('debug-topic').value.trim();
    var state = { controller: new AbortController(), lines: [''], frames: 0, drawn: false, timer: null };
    debug = state;
    setText('debug-error', '');
    $('frames').textContent = '';
    $('debug-watch').disabled = true;
    $('debug-stop').disabled = false;
    var headers = bearer();
    headers.Accept = 'text/event-stream';
    fetch('events?topic=' + encodeURIComponent(topic), { headers: headers, signal: state.controller.signal })
      .then(function (response) {
        if (!response.ok) {
          return response.json().then(function (e) { throw new Error(response.status + ': ' + e.detail); });
        }
        var reader = response.body.getReader();
        var decoder = new TextDecoder();
        function pump() {
          return reader.read().then(function (chunk) {
            if (chunk.done) {
              take(state, decoder.decode(), true);
              return;
            }
            take(state, decoder.decode(chunk.value, { stream: true }), false);
            return pump();
          });
        }
        return pump();
      })
      .catch(function (error) {
        if (error.name !== 'AbortError') setText('debug-error', error.message);
      })
      .then(function () {
        if (debug === state) stopDebug();
      });
  }

  function take(state, text, ended) {
    var parts = text.split('\n');
    state.lines[state.lines.length - 1] += parts[0];
    for (var i = 1; i < parts.length; i++) {
      if (state.lines[state.lines.length - 1] === '') state.frames++; // a blank line ends a frame
      state.lines.push(parts[i]);
    }
    if (ended) state.lines.push('(the stream ended)');
    if (state.lines.length > MAX_FRAME_LINES) state.lines.splice(0, state.lines.length - MAX_FRAME_LINES);
    if (!state.timer) state.timer = setTimeout(function () { drawFrames(state); }, 250);
  }

  function drawFrames(state) {
    state.timer = null;
    var pre = $('frames');
    pre.textContent = state.lines.join('\n');
    pre.scrollTop = pre.scrollHeight;
    setText('debug-count', state.frames + (state.frames === 1 ? ' frame' : ' frames'));
  }

  function stopDebug() {
    if (debug) {
      debug.controller.abort();
      if (debug.timer) {
        clearTimeout(debug.timer);
        drawFrames(debug);
      }
    }
    debug = null;
    $('debug-watch').disabled = false;
    $('debug-stop').disabled = true;
  }

  $('signin-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var secret = $('secret').value.trim();
    if (!secret) return;
    $('signin-button').disabled = true;
    signIn(secret).catch(function (error) {
      setText('signin-error', refused(error) ? 'Not an admin credential: ' + error.message : error.message);
    }).then(function () {
      $('signin-button').disabled = false;
      $('secret').value = '';
    });
  });
  $('signout').addEventListener('click', function () { signOut(); });
  $('publish-form').addEventListener('submit', publish);
  $('debug-form').addEventListener('submit', watch);
  $('debug-stop').addEventListener('click', stopDebug);

  var saved = sessionStorage.getItem(STORAGE_KEY);
  show(false);
  if (saved) {
    signIn(saved).catch(function (error) { signOut(refused(error) ? 'Signed out: ' + error.message : error.message); });
  }
})();
