Runnel.ifDemos(function () {
  'use strict';
  var el = Runnel.el;
  var list = document.getElementById('tasks');
  var errorText = document.getElementById('task-error');
  var tasks = {};   // id -> { node, bar, percent, message, badge, cancel, state }
  var stream = null;
  var streamKey = '';

  function running() {
    return Object.keys(tasks).filter(function (id) { return tasks[id].state === 'running'; });
  }

  /** One stream for all running tasks: reopened when a task starts, ended by the server when all have ended. */
  function follow() {
    var ids = running().sort();
    var key = ids.join(',');
    if (key === streamKey && stream) return;
    if (stream) stream.close();
    stream = null;
    streamKey = key;
    if (!ids.length) return;
    var query = ids.map(function (id) { return 'topic=' + encodeURIComponent('tasks/' + id); }).join('&');
    var mine = Runnel.connect('events?' + query, {
      events: {
        progress: function (d) { update(d, 'running'); },
        complete: function (d) { update(d, 'complete'); },
        failed: function (d) { update(d, 'failed'); },
        cancelled: function (d) { update(d, 'cancelled'); }
      },
      onClosed: function () {
        if (stream === mine) recheck();
      }
    });
    stream = mine;
  }

  // The server ended the stream for good (204) while tasks still show "running": after a restart the
  // server says 204 to the old server's tasks, whose runs are gone. Ask it about each of them.
  function recheck() {
    stream = null;
    streamKey = '';
    running().forEach(function (id) {
      Runnel.request('GET', 'tasks/' + encodeURIComponent(id)).then(function (view) {
        update({ task: view.id, percent: view.percent, message: view.message }, view.state);
        if (view.state === 'running') follow();
      }).catch(function (e) {
        if (e.status === 404) {
          update({ task: id, percent: tasks[id].percent.textContent.replace('%', ''),
            message: 'Ended: the server restarted and this task is gone' }, 'lost');
        } else {
          errorText.textContent = e.message;
        }
      });
    });
  }

  function add(task) {
    var empty = document.getElementById('no-tasks');
    if (empty) empty.remove();
    var t = {
      state: 'running',
      step: 0,
      node: el('article', { className: 'task', dataset: { id: task.id, state: 'running' } }),
      fill: el('div'),
      percent: el('span', { className: 'percent', text: '0%' }),
      message: el('span', { className: 'message', text: 'Queued' }),
      badge: el('span', { className: 'badge running', text: 'running' }),
      cancel: el('button', { className: 'btn small danger', type: 'button', text: 'Cancel' })
    };
    var bar = el('div', { className: 'bar', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': '0' }, t.fill);
    t.bar = bar;
    t.node.append(
      el('div', { className: 'task-head' },
        el('span', { className: 'name', text: task.id }), t.badge,
        el('span', { className: 'muted small', text: task.steps + ' × ' + task.stepMillis + ' ms' + (task.failAt ? ' · fails at ' + task.failAt : '') }),
        el('span', { className: 'spacer' }), t.cancel),
      bar,
      el('div', { className: 'task-foot' }, t.message, t.percent));
    t.cancel.addEventListener('click', function () {
      t.cancel.disabled = true;
      Runnel.del('tasks/' + encodeURIComponent(task.id)).then(function (view) {
        update({ task: view.id, percent: view.percent, message: view.message }, view.state);
      }).catch(function (e) {
        errorText.textContent = e.message;
      });
    });
    list.insertBefore(t.node, list.firstChild);
    tasks[task.id] = t;
  }

  function update(d, state) {
    var t = tasks[d.task];
    if (!t || (t.state !== 'running' && state === 'running')) return; // a replayed step after the end
    if (state === 'running' && d.step !== undefined && d.step < t.step) return; // replayed history
    if (d.step !== undefined) t.step = d.step;
    t.fill.style.width = d.percent + '%';
    t.bar.setAttribute('aria-valuenow', String(d.percent));
    t.percent.textContent = d.percent + '%';
    if (d.message) t.message.textContent = d.message;
    if (state !== t.state) {
      t.state = state;
      t.node.dataset.state = state;
      t.badge.className = 'badge ' + state;
      t.badge.textContent = state === 'lost' ? 'server restarted' : state;
      t.cancel.disabled = state !== 'running';
      t.cancel.hidden = state !== 'running';
    }
    var n = running().length;
    document.getElementById('running-count').textContent = n + ' running';
  }

  function start() {
    errorText.textContent = '';
    var body = {
      steps: Number(document.getElementById('steps').value),
      stepMillis: Number(document.getElementById('step-millis').value)
    };
    if (document.getElementById('should-fail').checked) body.failAt = Number(document.getElementById('fail-at').value);
    return Runnel.post('tasks', body).then(function (task) {
      add(task);
      follow();
      update({ task: task.id, percent: task.percent, message: task.message }, 'running');
    }).catch(function (e) {
      errorText.textContent = e.status === 429
        ? 'Too many tasks are running; try again in ' + (e.retryAfter || 'a few') + ' s.'
        : e.message;
    });
  }

  document.getElementById('should-fail').addEventListener('change', function (e) {
    document.getElementById('fail-at').disabled = !e.target.checked;
  });
  document.getElementById('task-form').addEventListener('submit', function (e) {
    e.preventDefault();
    start();
  });
  document.getElementById('start-three').addEventListener('click', function () {
    start().then(start).then(start);
  });
});
