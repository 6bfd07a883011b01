(function () {
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

  function listen() {
    var me = document.getElementById('me').value.trim();
    if (!USER.test(me)) {
      document.getElementById('listening').textContent = 'A user name is 1 to 64 of A–Z a–z 0–9 . _ ~ -';
      return;
    }
    if (stream) stream.close();
    document.getElementById('listening').textContent =
      'Receiving broadcasts and notifications for ' + me + ' (topics notifications, users/' + me + '/notifications).';
    stream = Runnel.connect('events?topic=notifications&topic=' + encodeURIComponent('users/' + me + '/notifications'), {
      events: { notification: show }
    });
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
    var button = document.getElementById('send');
    button.disabled = true;
    Runnel.post('notifications', body).then(function (sent) {
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
})();
