namespace Platform.Host.Dashboard;

internal static partial class DashboardAssets
{
    /// <summary>The script: subscribes to /dashboard/events and renders each snapshot.</summary>
    public static readonly byte[] Js = """
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const nf = new Intl.NumberFormat('en-US');
  const fmt = (n) => (n === null || n === undefined) ? '–' : nf.format(Math.round(n));
  const num = (n) => (n === null || n === undefined) ? '–' : (Math.abs(n) >= 100 ? n.toFixed(1) : n.toPrecision(4).replace(/\.?0+$/, ''));
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  const dur = (ms) => {
    if (ms === null || ms === undefined) return '–';
    const a = Math.abs(ms);
    if (a < 1000) return ms + ' ms';
    if (a < 60000) return (ms / 1000).toFixed(1) + ' s';
    if (a < 3600000) return (ms / 60000).toFixed(1) + ' min';
    return (ms / 3600000).toFixed(1) + ' h';
  };
  const iso = (ms) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
  let graphKey = '';
  let lastAlerts = -1;

  function renderGraph(stages) {
    const key = stages.map((s) => s.name + s.kind + s.parallelism + s.fused).join('|');
    if (key !== graphKey) {
      graphKey = key;
      $('graph').innerHTML = stages.map((s, i) =>
        (i === 0 ? '' : s.kind === 'monitor' ? '<span class="side-sep" title="watches the stream">◦</span>' : '<span class="arrow' + (s.fused ? ' fused" title="fused: same thread, no channel">⇒' : '">→') + '</span>') +
        '<div class="stage ' + esc(s.kind) + '" data-stage="' + i + '"><div class="name">' + esc(s.name) + '</div>' +
        '<div class="kind">' + esc(s.kind) + (s.parallelism > 1 ? ' ×' + s.parallelism : '') + '</div>' +
        '<div class="rate"><span class="stage-rate">0</span> rec/s</div></div>').join('');
    }
    const rates = document.querySelectorAll('#graph .stage-rate');
    stages.forEach((s, i) => { if (rates[i]) rates[i].textContent = fmt(s.recordsPerSecond); });
  }

  function renderSpark(history) {
    const max = Math.max(1, ...history);
    const n = Math.max(2, history.length);
    const pts = history.map((v, i) => ((i / (n - 1)) * 240).toFixed(1) + ',' + (46 - (v / max) * 42).toFixed(1));
    $('spark-line').setAttribute('points', pts.join(' '));
    $('spark-fill').setAttribute('points', pts.length ? '0,48 ' + pts.join(' ') + ' ' + ((history.length - 1) / (n - 1) * 240).toFixed(1) + ',48' : '');
    $('rate-peak').textContent = fmt(Math.max(0, ...history));
  }

  function bar(fill, text, depth, capacity) {
    const share = capacity > 0 ? Math.min(1, depth / capacity) : 0;
    fill.style.width = (share * 100).toFixed(0) + '%';
    fill.className = share >= 0.95 ? 'full' : share >= 0.6 ? 'high' : '';
    text.textContent = depth + '/' + capacity;
  }

  function renderAlerts(s) {
    $('alert-count').textContent = fmt(s.alertsPublished);
    if (s.alertsPublished === lastAlerts) return;
    const fresh = s.alertsPublished - Math.max(0, lastAlerts);
    lastAlerts = s.alertsPublished;
    const body = $('alerts').tBodies[0];
    if (!s.alerts.length) { body.innerHTML = '<tr class="empty"><td colspan="8">no alerts yet</td></tr>'; return; }
    body.innerHTML = s.alerts.map((a, i) =>
      '<tr class="alert' + (i < fresh ? ' fresh' : '') + '"><td>' + esc(iso(a.time)) + '</td>' +
      '<td><span class="sev ' + esc(a.severity) + '">' + esc(a.severity) + '</span></td>' +
      '<td class="key">' + esc(a.key) + '</td><td class="num">' + num(a.value) + '</td><td class="num">' + num(a.score) + '</td>' +
      '<td>' + num(a.expectedLow) + ' – ' + num(a.expectedHigh) + '</td><td>' + esc(a.source) + '</td>' +
      '<td class="msg">' + esc(a.message) + '</td></tr>').join('');
  }

  function render(s) {
    document.title = s.pipeline + ' · Platform';
    $('pipeline').textContent = s.pipeline;
    const st = $('status');
    st.textContent = s.status;
    st.className = 'pill ' + s.status;
    $('uptime').textContent = 'up ' + dur(Math.round(s.uptimeSeconds * 1000));
    renderGraph(s.stages);
    $('records-in').textContent = fmt(s.counters.recordsIn);
    $('records-out').textContent = fmt(s.counters.recordsOut);
    $('dead-letters').textContent = fmt(s.counters.deadLetters);
    $('late').textContent = fmt(s.counters.late);
    $('rate-in').textContent = fmt(s.rates.inPerSecond);
    $('rate-out').textContent = fmt(s.rates.outPerSecond);
    renderSpark(s.rates.history);
    $('watermark').textContent = s.watermark.time === null ? 'none yet' : iso(s.watermark.time);
    $('watermark-lag').textContent = dur(s.watermark.lagMs);
    bar($('chunk-fill'), $('chunk-text'), s.queues.chunk, s.queues.chunkCapacity);
    bar($('sink-fill'), $('sink-text'), s.queues.sink, s.queues.sinkCapacity);
    $('checkpoint').textContent = s.checkpoint.status;
    $('checkpoint-detail').textContent = s.checkpoint.status === 'off' ? 'not configured' :
      (s.checkpoint.lastId !== undefined ? '#' + s.checkpoint.lastId : '') +
      (s.checkpoint.lastCompleted !== undefined ? ' at ' + iso(s.checkpoint.lastCompleted) : '') +
      (s.checkpoint.lastDurationMs !== undefined ? ' in ' + dur(s.checkpoint.lastDurationMs) : '');
    renderAlerts(s);
    document.body.dataset.snapshots = String((Number(document.body.dataset.snapshots) || 0) + 1);
  }

  const events = new EventSource('/dashboard/events');
  events.onopen = () => { $('conn').textContent = 'live'; $('conn').className = 'conn live'; };
  events.onerror = () => { $('conn').textContent = 'reconnecting'; $('conn').className = 'conn'; };
  events.onmessage = (e) => { try { render(JSON.parse(e.data)); } catch (err) { console.error(err); } };
})();
"""u8.ToArray();
}
