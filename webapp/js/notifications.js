Runnel.ifDemos(function (demos) {
  'use strict';
  var el = Runnel.el;
  var USER = /^[A-Za-z0-9._~-]{1,64}$/;
  var received = document.getElementById('received');
  var toasts = document.getElementById('toasts');
  var count = 0;
  var stream = null;

  function card(n, extraClass) {
    var channel = n.user ? 'to ' + n.user : 'everyone';
    return el('li', { className: 'note ' + n.level + (extraClass ? ' ' + extraClass : ''), dataset: { level: n.level } },
      el('div', { className: 'title', text: n.title }),
      n.body ? el('div', { className: 'body', text: n.body }) : null,
      el('div', { className: 'meta' },
        el('span', { className: 'badge ' + n.level, text: n.level }),
        el('span', { text: channel }),
        el('span', { text: Runnel.time(n.time) })));
  }

  function toast(n) {
    var node = card(n, 'toast');
    toasts.insertBefore(node, toasts.firstChild);
    while (toasts.children.length > 4) toasts.lastChild.remove();
    setTimeout(function () {
      node.classList.add('leaving');
      setTimeout(function () { node.remove(); }, 300);
    }, 6000);
  }

  function show(n) {
    var empty = document.getElementById('nothing-yet');
    if (empty) empty.remove();
    received.insertBefore(card(n), received.firstChild);
    while (received.children.length > 50) received.lastChild.remove();
    count++;
    document.getElementById('received-count').textContent = String(count);
    toast(n);
  }

  var listeningAs = null;
  var lastId = null;

  // users/<me>/notifications is private: the page hands the client a (demo) token, and the client
  // trades it for a one-time ticket at every (re)connect and resumes from the last id by itself.
  // When the stream ends for good (the token expired), sign in again with a fresh token and go on
  // from the last id seen: the server replays what was missed.
  function openPrivate(me, topics) {
    if (!demos.tokens) {
      // No demo tokens on this server (runnel.demo.tokens=false): nothing to sign in with, so do not try.
      document.getElementById('listening').textContent = 'Signing in as ' + me + ' needs a subscriber token '
        + 'granting users/' + me + '/: this server hands out no demo tokens (runnel.demo.tokens=false; mvn '
        + 'jetty:run turns them on). With a token from your own login, set the runnel_token cookie or trade it '
        + 'for a ticket with POST tickets (README, Security). Receiving broadcasts only.';
      stream = Runnel.connect('events?topic=notifications', { events: { notification: show } });
      return;
    }
    var query = topics.map(function (t) { return 'topic=' + encodeURIComponent(t); }).join('&');
    var mine = Runnel.connect('events?' + query, {
      token: function () {
        return import('./auth.js').then(function (auth) { return auth.demoToken(me); }).then(function (t) { return t.token; });
      },
      lastEventId: lastId,
      events: {
        notification: function (n, e) {
          lastId = e.lastEventId;
          show(n);
        }
      },
      onClosed: function () {
        if (listeningAs === me && stream === mine) setTimeout(function () { if (stream === mine) openPrivate(me, topics); }, 1000);
      }
    });
    stream = mine;
  }

  function listen() {
    var me = document.getElementById('me').value.trim();
    if (!USER.test(me)) {
      document.getElementById('listening').textContent = 'A user name is 1 to 64 of A–Z a–z 0–9 . _ ~ -';
      return;
    }
    if (stream) stream.close();
    stream = null;
    listeningAs = me;
    lastId = null;
    document.getElementById('listening').textContent =
      'Signed in as ' + me + ': receiving broadcasts and ' + me + "'s own notifications (topics notifications, users/"
      + me + '/notifications).';
    openPrivate(me, ['notifications', 'users/' + me + '/notifications']);
  }

  function audience() {
    return document.querySelector('input[name="audience"]:checked').value;
  }

  document.querySelectorAll('input[name="audience"]').forEach(function (radio) {
    radio.addEventListener('change', function () {
      document.getElementById('to-user-field').hidden = audience() !== 'user';
    });
  });

  document.getElementById('compose').addEventListener('submit', function (e) {
    e.preventDefault();
    var error = document.getElementById('send-error');
    var result = document.getElementById('send-result');
    error.textContent = '';
    result.textContent = '';
    var body = {
      title: document.getElementById('title').value.trim(),
      body: document.getElementById('body').value,
      level: document.getElementById('level').value
    };
    if (audience() === 'user') body.user = document.getElementById('to-user').value.trim();
    if (body.user && !demos.tokens) {
      error.textContent = 'Sending to one user needs a publisher token granting users/' + body.user
        + '/notifications, and this server hands out no demo tokens (runnel.demo.tokens=false).';
      return;
    }
    var button = document.getElementById('send');
    button.disabled = true;
    // A user's topic is private: the demo signs the send with a demo token of that user.
    var credential = body.user ? import('./auth.js').then(function (auth) {
      return auth.demoToken(body.user);
    }).then(function (t) {
      return { Authorization: 'Bearer ' + t.token };
    }) : Promise.resolve({});
    credential.then(function (headers) {
      return Runnel.request('POST', 'notifications', body, headers);
    }).then(function (sent) {
      result.textContent = 'Sent to ' + (body.user ? body.user : 'everyone') + ' as event ' + sent.id + '.';
    }).catch(function (err) {
      error.textContent = err.message;
    }).then(function () {
      button.disabled = false;
    });
  });

  document.getElementById('listen-form').addEventListener('submit', function (e) {
    e.preventDefault();
    listen();
  });

  listen();
});
