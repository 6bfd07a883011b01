Runnel.ifDemos(function () {
  'use strict';
  var POINTS = 120;
  var samples = 0;
  function percent(v) { return v === null || v === undefined ? null : v * 100; }
  var charts = {
    cpu: new Runnel.LineChart(document.getElementById('chart-cpu'), {
      series: [{ color: '--c1' }, { color: '--c2' }], points: POINTS, min: 0, max: 100,
      format: function (v) { return Math.round(v) + '%'; }
    }),
    heap: new Runnel.LineChart(document.getElementById('chart-heap'), {
      series: [{ color: '--c1' }], points: POINTS, min: 0, max: null,
      format: function (v) { return Math.round(v / 1048576) + ' MiB'; }
    }),
    rate: new Runnel.LineChart(document.getElementById('chart-rate'), {
      series: [{ color: '--c3' }, { color: '--c4' }], points: POINTS, min: 0, max: null,
      format: function (v) { return v < 10 ? v.toFixed(1) : String(Math.round(v)); }
    }),
    conn: new Runnel.LineChart(document.getElementById('chart-conn'), {
      series: [{ color: '--c1' }, { color: '--c2' }], points: POINTS, min: 0, max: null,
      format: function (v) { return String(Math.round(v)); }
    })
  };

  function set(id, text) {
    document.getElementById(id).textContent = text;
  }

  function onMetrics(m) {
    set('m-uptime', Runnel.duration(m.uptimeSeconds));
    set('m-cpu', m.processCpu === null ? '—' : (m.processCpu * 100).toFixed(1) + '%');
    set('m-syscpu', 'system ' + (m.systemCpu === null ? '—' : (m.systemCpu * 100).toFixed(1) + '%'));
    set('m-heap', Runnel.bytes(m.heapUsed));
    set('m-heapmax', 'of ' + Runnel.bytes(m.heapMax));
    set('m-threads', Runnel.number(m.threads));
    set('m-streams', Runnel.number(m.openStreams));
    set('m-events', Runnel.number(m.eventsPerSecond, 1));
    set('m-frames', Runnel.number(m.framesPerSecond, 1));
    set('m-evictions', Runnel.number(m.evictions));
    charts.cpu.push([percent(m.processCpu), percent(m.systemCpu)]);
    charts.heap.push([m.heapUsed]);
    charts.rate.push([m.eventsPerSecond, m.framesPerSecond]);
    charts.conn.push([m.openStreams, m.threads]);
    samples++;
    set('sample-count', samples + (samples === 1 ? ' sample' : ' samples'));
  }

  Runnel.connect('events?topic=system', { events: { metrics: onMetrics } });
}, 'metrics');
