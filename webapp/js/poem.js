Runnel.ifDemos(function () {
  'use strict';
  var card = document.getElementById('poem-card');
  var text = document.getElementById('poem-text');
  var count = document.getElementById('chunk-count');
  var noteText = document.getElementById('poem-note');
  var stream = null;
  var chunks = 0;

  function start() {
    if (stream) stream.close();
    chunks = 0;
    text.textContent = '';
    count.textContent = '0';
    card.dataset.done = 'false';
    noteText.textContent = 'Typing in random 1–3 character chunks…';
    stream = Runnel.connect('demo/poem', {
      events: {
        ping: function (d) {
          document.getElementById('poem-title').textContent = d.title;
          document.getElementById('poem-author').textContent = d.author;
        },
        message: function (d) {
          text.appendChild(document.createTextNode(d.content));
          text.normalize();
          chunks++;
          count.textContent = String(chunks);
        }
      },
      onClosed: function () {
        card.dataset.done = 'true';
        noteText.textContent = 'Done: the server ended the stream, and answered the reconnect with 204 No Content, so it is not typed twice.';
      }
    });
  }

  document.getElementById('again').addEventListener('click', start);
  start();
});
