Runnel.ifDemos(function () {
  'use strict';
  var el = Runnel.el;
  var HISTORY = 120;
  var tbody = document.getElementById('quotes');
  var rows = {};
  var history = {};
  var selected = null;
  var ticks = 0;
  var chart = new Runnel.LineChart(document.getElementById('price-chart'), {
    series: [{ label: 'price', color: '--c1' }],
    points: HISTORY,
    min: null,
    format: function (v) { return v.toFixed(2); }
  });

  function signed(value, digits, suffix) {
    var text = Math.abs(value).toFixed(digits) + (suffix || '');
    return (value > 0 ? '+' : value < 0 ? '−' : '') + text;
  }

  function flash(node, up) {
    node.classList.remove('flash-up', 'flash-down');
    void node.offsetWidth; // restart the animation
    node.classList.add(up ? 'flash-up' : 'flash-down');
  }

  function createRow(symbol) {
    var placeholder = tbody.querySelector('.placeholder');
    if (placeholder) placeholder.remove();
    var row = {
      tr: el('tr', { dataset: { symbol: symbol }, tabindex: '0', 'aria-selected': 'false' }),
      price: el('td', { className: 'num price' }),
      change: el('td', { className: 'num change' }),
      percent: el('td', { className: 'num percent' }),
      spark: el('canvas', { className: 'spark', 'aria-hidden': 'true' }),
      last: null
    };
    row.tr.append(el('td', { className: 'symbol', text: symbol }), row.price, row.change, row.percent,
      el('td', {}, row.spark));
    row.tr.addEventListener('click', function () { select(symbol); });
    row.tr.addEventListener('keydown', function (e) { if (e.key === 'Enter') select(symbol); });
    var next = Array.prototype.find.call(tbody.children, function (tr) { return tr.dataset.symbol > symbol; });
    tbody.insertBefore(row.tr, next || null);
    rows[symbol] = row;
    history[symbol] = [];
    return row;
  }

  function select(symbol) {
    selected = symbol;
    Object.keys(rows).forEach(function (s) { rows[s].tr.setAttribute('aria-selected', String(s === symbol)); });
    document.getElementById('chart-symbol').textContent = symbol;
    chart.data = [history[symbol].slice()];
    chart.draw();
    showSelected(rows[symbol].last);
  }

  function showSelected(q) {
    if (!q) return;
    document.getElementById('chart-price').textContent = q.price.toFixed(2);
    var change = document.getElementById('chart-change');
    change.textContent = signed(q.change, 2) + ' (' + signed(q.changePercent, 2, '%') + ') today';
    change.className = 'mono ' + (q.change >= 0 ? 'up' : 'down');
    document.getElementById('chart-time').textContent = 'updated ' + Runnel.time(q.time);
  }

  function onPrice(q) {
    var row = rows[q.symbol] || createRow(q.symbol);
    var previous = row.last;
    row.last = q;
    row.price.textContent = q.price.toFixed(2);
    row.change.textContent = signed(q.change, 2);
    row.percent.textContent = signed(q.changePercent, 2, '%');
    row.change.className = row.percent.className = 'num ' + (q.change >= 0 ? 'up' : 'down');
    if (previous && previous.price !== q.price) flash(row.price, q.price > previous.price);
    var h = history[q.symbol];
    h.push(q.price);
    if (h.length > HISTORY) h.shift();
    Runnel.sparkline(row.spark, h.slice(-40));
    if (!selected) select(q.symbol);
    else if (selected === q.symbol) {
      chart.push([q.price]);
      showSelected(q);
    }
    ticks++;
    document.getElementById('tick-count').textContent = ticks + (ticks === 1 ? ' tick' : ' ticks');
  }

  Runnel.connect('events?topic=stocks', {
    events: { price: onPrice },
    onReset: function () { /* the snapshot that follows brings every symbol up to date */ }
  });
}, 'stocks');
