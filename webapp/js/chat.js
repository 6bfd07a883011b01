Runnel.ifDemos(function () {
  'use strict';
  var el = Runnel.el;
  var messages = document.getElementById('messages');
  var prompt = document.getElementById('prompt');
  var send = document.getElementById('send');
  var stop = document.getElementById('stop');
  var errorText = document.getElementById('chat-error');
  var conversation = null;
  var current = null; // the answer being written: { id, node, text, meta, next, stream }

  function scroll() {
    messages.scrollTop = messages.scrollHeight;
  }

  function busy(on) {
    send.hidden = on;
    stop.hidden = !on;
    stop.disabled = false;
    prompt.disabled = on;
  }

  function addUser(text) {
    var welcome = document.getElementById('welcome');
    if (welcome) welcome.remove();
    messages.appendChild(el('div', { className: 'msg user', text: text }));
  }

  function addReply() {
    var answer = {
      next: 0,
      text: document.createTextNode(''),
      meta: el('div', { className: 'answer-meta' }),
      node: el('div', { className: 'msg reply', dataset: { state: 'waiting', tokens: '0' } })
    };
    answer.node.append(el('div', { className: 'avatar', text: 'R', 'aria-hidden': 'true' }),
      el('div', { className: 'bubble' }, el('div', { className: 'answer-text' }, answer.text), answer.meta));
    messages.appendChild(answer.node);
    scroll();
    return answer;
  }

  function note(answer, text, className) {
    answer.meta.appendChild(el('span', { className: className || '', text: text }));
  }

  function onToken(answer, d) {
    if (d.index !== answer.next) {
      // Never expected: the stream resumes exactly after the last token received.
      answer.node.dataset.gap = 'true';
      note(answer, 'expected token ' + answer.next + ', got ' + d.index, 'resume-note');
    }
    answer.next = d.index + 1;
    answer.text.appendData(d.text);
    answer.node.dataset.state = 'streaming';
    answer.node.dataset.tokens = String(answer.next);
    scroll();
  }

  function onDone(answer, d) {
    answer.finished = true;
    answer.stream.close();
    var state = d.finishReason === 'cancelled' ? 'cancelled' : d.finishReason === 'error' ? 'failed' : 'done';
    answer.node.dataset.state = state;
    answer.node.dataset.finishReason = d.finishReason;
    note(answer, d.tokens + ' tokens');
    note(answer, d.finishReason === 'stop' ? 'complete' : d.finishReason === 'length' ? 'stopped at the length limit'
      : d.finishReason === 'cancelled' ? 'stopped' : 'failed: ' + (d.error || 'unknown error'),
      d.finishReason === 'stop' ? '' : 'badge ' + (state === 'failed' ? 'error' : 'warning'));
    if (current === answer) {
      current = null;
      busy(false);
      prompt.focus();
    }
  }

  // The server ended the stream for good (204) before the answer's done event: after a restart it says
  // 204 to the old server's answers, whose runs are gone. Ask it about this one.
  function recheck(answer) {
    Runnel.request('GET', 'chat/' + encodeURIComponent(answer.id)).catch(function (e) {
      if (e.status !== 404) {
        errorText.textContent = e.message;
        return;
      }
      answer.finished = true;
      answer.node.dataset.state = 'lost';
      note(answer, 'interrupted: the server restarted and this answer is gone', 'badge warning');
      if (current === answer) {
        current = null;
        busy(false);
      }
    });
  }

  function ask(text) {
    text = text.trim();
    if (!text || current) return;
    errorText.textContent = '';
    addUser(text);
    prompt.value = '';
    var answer = addReply();
    current = answer;
    busy(true);
    var body = { prompt: text };
    if (conversation) body.conversation = conversation;
    Runnel.post('chat', body).then(function (started) {
      conversation = started.conversation;
      answer.id = started.id;
      answer.node.dataset.answer = started.id;
      answer.stream = Runnel.connect('events?topic=' + encodeURIComponent(started.topic), {
        events: {
          token: function (d) { onToken(answer, d); },
          done: function (d) { onDone(answer, d); }
        },
        onReconnected: function () {
          note(answer, '⟳ connection dropped — resumed at token ' + answer.next, 'resume-note');
        },
        onClosed: function () {
          if (!answer.finished) recheck(answer);
        }
      });
    }).catch(function (e) {
      answer.node.remove();
      current = null;
      busy(false);
      errorText.textContent = e.status === 429
        ? 'Many answers are being written right now; try again in ' + (e.retryAfter || 'a few') + ' s.'
        : e.message;
    });
  }

  document.getElementById('composer').addEventListener('submit', function (e) {
    e.preventDefault();
    ask(prompt.value);
  });
  prompt.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      ask(prompt.value);
    }
  });
  prompt.addEventListener('input', function () {
    prompt.style.height = 'auto';
    prompt.style.height = Math.min(prompt.scrollHeight, 160) + 'px';
  });
  stop.addEventListener('click', function () {
    if (!current || !current.id) return;
    stop.disabled = true;
    Runnel.del('chat/' + encodeURIComponent(current.id)).catch(function (e) {
      errorText.textContent = e.message; // 409: it had just finished; its done event is on its way
    });
  });
  document.querySelectorAll('#suggestions button').forEach(function (button) {
    button.addEventListener('click', function () { ask(button.textContent); });
  });
  prompt.focus();
}, 'chat');
