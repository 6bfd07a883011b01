/*
 * The chat page. An answer is written on the server and streams on its finite topic chat/<id>;
 * its id sits in the URL (?answer=<id>), so a reload or a second tab shows the same answer, live,
 * from its first token, and a finished answer whole. Markdown in answers goes through
 * RunnelMarkdown (DOM nodes only: no HTML from the model reaches the page).
 */
Runnel.ifDemos(function () {
  'use strict';
  var el = Runnel.el;
  var messages = document.getElementById('messages');
  var prompt = document.getElementById('prompt');
  var send = document.getElementById('send');
  var stop = document.getElementById('stop');
  var errorText = document.getElementById('chat-error');
  var modelName = document.getElementById('model-name');
  var conversation = null;
  var current = null; // the answer being followed: { id, node, raw, next, stream, ... }

  var REASONS = {
    'rate-limited': 'the model is rate-limited',
    'overloaded': 'the model is overloaded',
    'upstream-error': 'the model failed',
    'timeout': 'the model took too long',
    'bad-response': 'the model sent something unreadable',
    'unauthorized': 'the model refused Runnel\'s credentials'
  };

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
      raw: '',
      reasoningRaw: '',
      body: el('div', { className: 'answer-text' }),
      meta: el('div', { className: 'answer-meta' }),
      node: el('div', { className: 'msg reply', dataset: { state: 'waiting', tokens: '0' } })
    };
    answer.node.answerRaw = '';
    answer.node.append(el('div', { className: 'avatar', text: 'R', 'aria-hidden': 'true' }),
      el('div', { className: 'bubble' }, answer.body, answer.meta));
    messages.appendChild(answer.node);
    scroll();
    return answer;
  }

  function note(answer, text, className) {
    answer.meta.appendChild(el('span', { className: className || '', text: text }));
  }

  /** Renders the text so far, at most once a frame. */
  function paint(answer) {
    if (answer.painting) return;
    answer.painting = true;
    requestAnimationFrame(function () {
      answer.painting = false;
      answer.body.replaceChildren(RunnelMarkdown.render(answer.raw));
      scroll();
    });
  }

  function onToken(answer, d) {
    if (d.index < answer.next) return; // already shown (a replayed history after a reconnect)
    if (d.index !== answer.next) {
      answer.node.dataset.gap = 'true';
      note(answer, 'expected token ' + answer.next + ', got ' + d.index, 'resume-note');
    }
    answer.next = d.index + 1;
    answer.raw += d.text;
    answer.node.answerRaw = answer.raw;
    answer.node.dataset.state = 'streaming';
    answer.node.dataset.tokens = String(answer.next);
    paint(answer);
  }

  function onReasoning(answer, d) {
    if (!answer.reasoning) {
      answer.reasoning = el('details', { className: 'reasoning' }, el('summary', { text: 'Reasoning' }),
        el('div', { className: 'reasoning-text' }));
      answer.body.before(answer.reasoning);
    }
    answer.reasoningRaw += d.text;
    answer.reasoning.querySelector('.reasoning-text').textContent = answer.reasoningRaw;
  }

  function onToolCall(answer, d) {
    answer.body.after(el('div', { className: 'tool-call' }, el('code', { text: d.name + '(' + d.arguments + ')' })));
  }

  function usageText(u) {
    return u ? u.promptTokens + ' + ' + u.completionTokens + ' = ' + u.totalTokens + ' tokens' : null;
  }

  function finish(answer, state) {
    answer.finished = true;
    if (answer.stream) answer.stream.close();
    answer.node.dataset.state = state;
    answer.body.replaceChildren(RunnelMarkdown.render(answer.raw));
    if (current === answer) {
      current = null;
      busy(false);
      prompt.focus();
    }
  }

  function onDone(answer, d) {
    var state = d.finishReason === 'cancelled' ? 'cancelled' : 'done';
    answer.node.dataset.finishReason = d.finishReason;
    note(answer, usageText(d.usage) || d.tokens + ' tokens', 'usage');
    note(answer, d.finishReason === 'stop' ? 'complete' : d.finishReason === 'length' ? 'stopped at the length limit'
      : d.finishReason === 'cancelled' ? 'stopped' : d.finishReason === 'tool_calls' ? 'asks for a tool'
      : d.finishReason, d.finishReason === 'stop' ? '' : 'badge warning');
    finish(answer, state);
  }

  function onFailed(answer, d) {
    answer.node.dataset.failure = d.reason;
    var text = 'failed: ' + (REASONS[d.reason] || d.reason) + (d.status ? ' (' + d.status + ')' : '')
      + (d.retryAfter ? ', try again in ' + d.retryAfter + ' s' : '');
    note(answer, text, 'badge error failure');
    note(answer, d.detail, 'failure-detail');
    finish(answer, 'failed');
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

  /** Follows answer `id` on its topic: from its first token (a finite topic replays its history). */
  function follow(answer, id) {
    answer.id = id;
    answer.node.dataset.answer = id;
    answer.stream = Runnel.connect('events?topic=' + encodeURIComponent('chat/' + id), {
      events: {
        token: function (d) { onToken(answer, d); },
        reasoning: function (d) { onReasoning(answer, d); },
        tool_call: function (d) { onToolCall(answer, d); },
        done: function (d) { onDone(answer, d); },
        failed: function (d) { onFailed(answer, d); }
      },
      onReconnected: function () {
        note(answer, '⟳ connection dropped — resumed at token ' + answer.next, 'resume-note');
      },
      onClosed: function () {
        if (!answer.finished) recheck(answer);
      }
    });
  }

  /** Puts the answer (and its conversation) in the URL, so a reload or another tab finds it. */
  function remember(id) {
    var url = new URL(location.href);
    url.searchParams.set('answer', id);
    history.replaceState(null, '', url);
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
      remember(started.id);
      follow(answer, started.id);
    }).catch(function (e) {
      answer.node.remove();
      current = null;
      busy(false);
      errorText.textContent = e.status === 429
        ? e.message + (e.retryAfter ? ' Try again in ' + e.retryAfter + ' s.' : '')
        : e.message;
    });
  }

  /** A reload, or another tab: show the answer named in the URL, live if it is still being written. */
  function reopen(id) {
    Runnel.request('GET', 'chat/' + encodeURIComponent(id)).then(function (a) {
      conversation = a.conversation || null;
      if (a.prompt) addUser(a.prompt);
      var answer = addReply();
      if (a.state === 'running') {
        current = answer;
        busy(true);
      }
      follow(answer, a.id);
    }).catch(function (e) {
      errorText.textContent = 'Answer ' + id + ': ' + e.message;
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
  Runnel.request('GET', 'v1/models').then(function (list) {
    if (modelName && list.data && list.data[0]) modelName.textContent = list.data[0].id;
  }).catch(function () { /* the model's name is a nicety */ });

  var id = new URL(location.href).searchParams.get('answer');
  if (id) reopen(id);
  prompt.focus();
}, 'chat');
