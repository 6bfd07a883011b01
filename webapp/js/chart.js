/*
 * Small canvas charts for the demo pages: Runnel.LineChart (a time series with several lines, a grid
 * and a y axis) and Runnel.sparkline (one line, no axes). Crisp on high-density screens; redraws on resize.
 */
(function () {
  'use strict';

  function fit(canvas) {
    var ratio = window.devicePixelRatio || 1;
    var w = Math.max(1, Math.round(canvas.clientWidth * ratio));
    var h = Math.max(1, Math.round(canvas.clientHeight * ratio));
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
    var ctx = canvas.getContext('2d');
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    return { ctx: ctx, w: canvas.clientWidth, h: canvas.clientHeight };
  }

  function color(name) {
    return name && name.indexOf('--') === 0 ? Runnel.cssVar(name) : name;
  }

  /**
   * new Runnel.LineChart(canvas, { series: [{ label, color: '--c1' }], points: 120, min: 0, max: null,
   *                                 format: function (v) { return String(v); } })
   * chart.push([v1, v2, …]) adds one sample (null for a gap) and redraws.
   */
  function LineChart(canvas, options) {
    this.canvas = canvas;
    this.series = options.series;
    this.points = options.points || 120;
    this.min = options.min === undefined ? 0 : options.min;
    this.max = options.max === undefined ? null : options.max;
    this.format = options.format || function (v) { return String(Math.round(v)); };
    this.data = this.series.map(function () { return []; });
    var self = this;
    if (window.ResizeObserver) new ResizeObserver(function () { self.draw(); }).observe(canvas);
    this.draw();
  }

  LineChart.prototype.push = function (values) {
    for (var i = 0; i < this.series.length; i++) {
      var line = this.data[i];
      line.push(values[i] === undefined ? null : values[i]);
      if (line.length > this.points) line.shift();
    }
    this.draw();
  };

  LineChart.prototype.range = function () {
    var lo = this.min, hi = this.max;
    var seenLo = Infinity, seenHi = -Infinity;
    this.data.forEach(function (line) {
      line.forEach(function (v) {
        if (v === null) return;
        if (v < seenLo) seenLo = v;
        if (v > seenHi) seenHi = v;
      });
    });
    if (seenLo === Infinity) return [lo === null ? 0 : lo, hi === null ? 1 : hi];
    if (lo === null) lo = seenLo - (seenHi - seenLo) * 0.1;
    if (hi === null) hi = seenHi + (seenHi - seenLo) * 0.1;
    if (hi - lo < 1e-9) {
      hi = lo + (Math.abs(lo) * 0.01 || 1);
      if (this.min === null) lo -= (hi - lo) / 2;
    }
    return [lo, hi];
  };

  LineChart.prototype.draw = function () {
    var f = fit(this.canvas), ctx = f.ctx, w = f.w, h = f.h;
    var left = 52, right = 8, top = 8, bottom = 18;
    var plotW = Math.max(1, w - left - right), plotH = Math.max(1, h - top - bottom);
    var r = this.range(), lo = r[0], hi = r[1];
    ctx.clearRect(0, 0, w, h);
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'right';
    ctx.lineWidth = 1;
    for (var g = 0; g <= 4; g++) {
      var y = top + plotH - plotH * g / 4;
      ctx.strokeStyle = color('--border');
      ctx.beginPath();
      ctx.moveTo(left, Math.round(y) + 0.5);
      ctx.lineTo(w - right, Math.round(y) + 0.5);
      ctx.stroke();
      ctx.fillStyle = color('--muted');
      ctx.fillText(this.format(lo + (hi - lo) * g / 4), left - 6, y);
    }
    ctx.textAlign = 'left';
    ctx.fillText('now', w - right - 22, h - 7);
    var step = plotW / Math.max(1, this.points - 1);
    for (var s = 0; s < this.series.length; s++) {
      var line = this.data[s];
      var offset = this.points - line.length;
      ctx.strokeStyle = color(this.series[s].color);
      ctx.lineWidth = 2;
      ctx.lineJoin = 'round';
      ctx.beginPath();
      var pen = false, last = null;
      for (var i = 0; i < line.length; i++) {
        if (line[i] === null) {
          pen = false;
          continue;
        }
        var x = left + (offset + i) * step;
        var yy = top + plotH - (line[i] - lo) / (hi - lo) * plotH;
        if (pen) ctx.lineTo(x, yy);
        else ctx.moveTo(x, yy);
        pen = true;
        last = [x, yy];
      }
      ctx.stroke();
      if (last) { // mark the newest value, so that even a single sample shows
        ctx.fillStyle = ctx.strokeStyle;
        ctx.beginPath();
        ctx.arc(last[0], last[1], 3, 0, Math.PI * 2);
        ctx.fill();
      }
    }
  };

  /** Draws values as a small line on canvas, green when it ends above its start, red below. */
  function sparkline(canvas, values) {
    var f = fit(canvas), ctx = f.ctx, w = f.w, h = f.h;
    ctx.clearRect(0, 0, w, h);
    if (values.length < 2) return;
    var lo = Math.min.apply(null, values), hi = Math.max.apply(null, values);
    if (hi - lo < 1e-9) hi = lo + 1;
    ctx.strokeStyle = color(values[values.length - 1] >= values[0] ? '--up' : '--down');
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    for (var i = 0; i < values.length; i++) {
      var x = i * (w - 2) / (values.length - 1) + 1;
      var y = h - 2 - (values[i] - lo) / (hi - lo) * (h - 4);
      if (i) ctx.lineTo(x, y);
      else ctx.moveTo(x, y);
    }
    ctx.stroke();
  }

  Runnel.LineChart = LineChart;
  Runnel.sparkline = sparkline;
})();
