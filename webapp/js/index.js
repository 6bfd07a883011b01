Runnel.ifDemos(function (demos) {
  'use strict';
  var base = new URL('.', location.href).href;
  document.getElementById('curl-examples').textContent =
    '# subscribe\n' +
    "curl -N '" + base + "events?topic=news'\n\n" +
    '# publish\n' +
    "curl -d topic=news -d event=headline -d data='Hello from Runnel' " + base + 'publish\n\n' +
    '# start a task and follow it\n' +
    "curl -X POST -H 'Content-Type: application/json' -d '{\"steps\":5}' " + base + 'tasks';

  if (!demos.metrics) return;
  Runnel.connect('events?topic=system', {
    events: {
      metrics: function (m) {
        document.getElementById('open-streams').textContent = Runnel.number(m.openStreams);
        document.getElementById('events-rate').textContent = Runnel.number(m.eventsPerSecond, 1);
        document.getElementById('uptime').textContent = Runnel.duration(m.uptimeSeconds);
      }
    }
  });
});
