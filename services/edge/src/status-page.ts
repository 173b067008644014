/**
 * The edge's live status page (`GET /status`): one self-contained HTML
 * document, no external asset. Its script polls `/status.json` every second
 * and redraws small SVG line charts from the edge's two-minute history.
 * Every value is inserted with textContent or as SVG numbers, never as HTML.
 */
export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>fanout edge status</title>
<style>
  :root { color-scheme: light dark; --fg: #1d2330; --muted: #6b7385; --bg: #f6f7fa; --card: #fff; --line: #e3e6ee; }
  @media (prefers-color-scheme: dark) { :root { --fg: #e6e9f0; --muted: #9aa3b5; --bg: #12151c; --card: #1b1f29; --line: #2b3140; } }
  * { box-sizing: border-box; }
  body { margin: 0; padding: 20px; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
  header { display: flex; align-items: baseline; gap: 16px; flex-wrap: wrap; margin-bottom: 16px; }
  h1 { font-size: 18px; margin: 0; }
  .pill { padding: 2px 10px; border-radius: 999px; font-weight: 600; font-size: 12px; background: #888; color: #fff; }
  .pill.ok { background: #1f9d55; } .pill.bad { background: #d64545; }
  .muted { color: var(--muted); }
  .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 12px; }
  .card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
  .card h2 { margin: 0 0 4px; font-size: 12px; font-weight: 600; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
  .value { font-size: 24px; font-weight: 650; font-variant-numeric: tabular-nums; }
  svg.chart { width: 100%; height: 80px; display: block; margin-top: 6px; }
  svg.chart .grid-line { stroke: var(--line); stroke-width: 1; }
  svg.chart polyline { fill: none; stroke-width: 1.8; vector-effect: non-scaling-stroke; }
  table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
  td { padding: 2px 4px; } td.n { text-align: right; }
  .legend span { margin-right: 10px; font-size: 12px; }
  .legend i { display: inline-block; width: 10px; height: 3px; margin-right: 4px; vertical-align: middle; }
</style>
</head>
<body>
<header>
  <h1>fanout edge <span id="node"></span></h1>
  <span id="ready" class="pill">…</span>
  <span class="muted">up <span id="uptime">–</span></span>
  <span class="muted" id="updated"></span>
</header>
<div class="grid">
  <div class="card"><h2>Connections</h2><div class="value" id="connections">–</div>
    <div class="muted" id="subscriptions"></div><svg class="chart" id="chart-connections" data-points="0"></svg></div>
  <div class="card"><h2>Deliveries / s</h2><div class="value" id="deliveries">–</div>
    <div class="muted" id="bytes"></div><svg class="chart" id="chart-deliveries" data-points="0"></svg></div>
  <div class="card"><h2>Ingest (records / s)</h2><div class="value" id="ingest">–</div>
    <div class="muted" id="ingested"></div><svg class="chart" id="chart-ingest" data-points="0"></svg></div>
  <div class="card"><h2>Kafka lag per partition</h2><div class="value" id="lag-total">–</div>
    <svg class="chart" id="chart-lag" data-points="0"></svg><div class="legend" id="lag-legend"></div></div>
  <div class="card"><h2>Resume outcomes</h2>
    <table><tbody>
      <tr><td>from memory (window)</td><td class="n" id="resume-window">–</td></tr>
      <tr><td>from Kafka</td><td class="n" id="resume-kafka">–</td></tr>
      <tr><td>continuity lost</td><td class="n" id="resume-continuity_lost">–</td></tr>
      <tr><td class="muted">sessions created / resumed</td><td class="n muted" id="sessions">–</td></tr>
    </tbody></table></div>
  <div class="card"><h2>Slow clients</h2>
    <table><tbody>
      <tr><td>taken off live (lagging)</td><td class="n" id="slow-lagging">–</td></tr>
      <tr><td>closed (4002)</td><td class="n" id="slow-closed">–</td></tr>
    </tbody></table></div>
</div>
<script>
(() => {
  const COLORS = ['#3b82f6', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#14b8a6', '#ec4899', '#64748b'];
  const NS = 'http://www.w3.org/2000/svg';
  const $ = (id) => document.getElementById(id);
  const fmt = (n) => n >= 1e6 ? (n / 1e6).toFixed(1) + 'M' : n >= 1e4 ? (n / 1e3).toFixed(1) + 'k' : String(Math.round(n * 10) / 10);
  const bytes = (n) => n >= 1048576 ? (n / 1048576).toFixed(1) + ' MiB' : n >= 1024 ? (n / 1024).toFixed(1) + ' KiB' : n + ' B';
  const duration = (s) => { const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60); return h ? h + 'h ' + m + 'm' : m ? m + 'm ' + (s % 60) + 's' : s + 's'; };
  const set = (id, text) => { $(id).textContent = text; };

  /** Draws series (arrays of numbers, one per sample) as polylines in a 100×40 viewBox. */
  function draw(svg, series) {
    const W = 100, H = 40;
    svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
    svg.setAttribute('preserveAspectRatio', 'none');
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    for (const y of [H * 0.25, H * 0.5, H * 0.75]) {
      const l = document.createElementNS(NS, 'line');
      l.setAttribute('class', 'grid-line'); l.setAttribute('x1', '0'); l.setAttribute('x2', String(W));
      l.setAttribute('y1', String(y)); l.setAttribute('y2', String(y)); l.setAttribute('vector-effect', 'non-scaling-stroke');
      svg.appendChild(l);
    }
    let max = 1, count = 0;
    for (const s of series) for (const v of s.values) { if (v > max) max = v; }
    for (const s of series) {
      const n = s.values.length;
      if (n === 0) continue;
      const pts = s.values.map((v, i) => ((n === 1 ? W : (i / (n - 1)) * W).toFixed(2)) + ',' + (H - 1 - (v / max) * (H - 4)).toFixed(2));
      const line = document.createElementNS(NS, 'polyline');
      line.setAttribute('points', pts.join(' '));
      line.setAttribute('stroke', s.color);
      svg.appendChild(line);
      count = Math.max(count, n);
    }
    svg.setAttribute('data-points', String(count));
    svg.setAttribute('data-max', String(max));
  }

  function render(s) {
    set('node', s.nodeId);
    const ready = $('ready'); ready.textContent = s.ready ? 'ready' : 'not ready'; ready.className = 'pill ' + (s.ready ? 'ok' : 'bad');
    set('uptime', duration(s.uptimeSeconds));
    set('updated', 'updated ' + new Date().toLocaleTimeString());
    set('connections', fmt(s.connections));
    set('subscriptions', s.subscriptions.topic + ' topic, ' + s.subscriptions.key + ' key subscriptions');
    set('deliveries', fmt(s.deliveriesPerSecond));
    set('bytes', bytes(Math.round(s.bytesPerSecond)) + '/s, ' + fmt(s.totals.deliveries) + ' total');
    set('ingest', fmt(s.ingestPerSecond));
    set('ingested', fmt(s.totals.ingested) + ' records total');
    const h = s.history;
    draw($('chart-connections'), [{ color: COLORS[0], values: h.map((x) => x.connections) }]);
    draw($('chart-deliveries'), [{ color: COLORS[2], values: h.map((x) => x.deliveriesPerSecond) }]);
    draw($('chart-ingest'), [{ color: COLORS[1], values: h.map((x) => x.ingestPerSecond) }]);
    const keys = s.lag.map((p) => p.topic + '/' + p.partition);
    draw($('chart-lag'), keys.map((k, i) => ({ color: COLORS[i % COLORS.length], values: h.map((x) => x.lag[k] || 0) })));
    set('lag-total', fmt(s.lag.reduce((a, p) => a + p.lag, 0)));
    const legend = $('lag-legend');
    while (legend.firstChild) legend.removeChild(legend.firstChild);
    keys.forEach((k, i) => {
      const span = document.createElement('span'); const mark = document.createElement('i');
      mark.style.background = COLORS[i % COLORS.length]; span.appendChild(mark);
      span.appendChild(document.createTextNode(k + ': ' + (s.lag[i] ? s.lag[i].lag : 0)));
      legend.appendChild(span);
    });
    for (const k of ['window', 'kafka', 'continuity_lost']) set('resume-' + k, fmt(s.resumes[k]));
    set('sessions', s.totals.sessionsCreated + ' / ' + s.totals.sessionsResumed);
    set('slow-lagging', fmt(s.slowClients.lagging));
    set('slow-closed', fmt(s.slowClients.closed));
  }

  async function poll() {
    try {
      const res = await fetch('status.json', { cache: 'no-store' });
      if (res.ok) render(await res.json());
      else set('updated', 'status.json: HTTP ' + res.status);
    } catch (err) {
      set('updated', 'edge unreachable');
      const ready = $('ready'); ready.textContent = 'unreachable'; ready.className = 'pill bad';
    }
  }
  poll();
  setInterval(poll, 1000);
})();
</script>
</body>
</html>
`;
