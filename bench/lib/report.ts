import type { BenchResults } from '../bench.js';
import type { LatencyRow } from '../scenarios-latency.js';
import type { Throughput } from '../scenarios.js';

const fmt = (n: number | undefined, digits = 0): string =>
  n === undefined || !Number.isFinite(n)
    ? '—'
    : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ratio = (a: number, b: number): string =>
  Number.isFinite(a / b) && b > 0 ? `${(a / b).toFixed(2)}×` : '—';

/** Deliveries per server CPU-second, fanout next to raw uWS (the load clients' CPU apart). */
function efficiencyRow(name: string, f: Throughput, u: Throughput): string[] {
  return [
    name,
    'deliveries per server CPU-s (clients CPU-s)',
    `${fmt(f.deliveriesPerServerCpuS)} (${fmt(f.clientCpuS, 1)})`,
    `${fmt(u.deliveriesPerServerCpuS)} (${fmt(u.clientCpuS, 1)})`,
    ratio(f.deliveriesPerServerCpuS, u.deliveriesPerServerCpuS),
    '',
  ];
}

/** The issue's targets for a sweep row: added p99 ≤ 10 ms at low rates, p99 ≤ 50 ms at ~1 M deliveries/s; never a fetch wait. */
function latencyTarget(l: LatencyRow): string {
  const high = l.offeredDeliveriesPerSec >= 500_000;
  const ok = high ? l.edge.p99 <= 50 : l.added.p99 <= 10;
  const noWait = l.added.max < 450;
  return `${high ? 'p99 ≤ 50' : 'added p99 ≤ 10'}, max no fetch wait — ${ok && noWait ? 'met' : 'missed'}`;
}

/** The terminal table: every figure, with its ratio to raw uWS where there is one. */
export function table(r: BenchResults): string {
  const rows: string[][] = [['scenario', 'figure', 'fanout', 'raw uWS', 'ratio', 'target']];
  for (const s of r.throughput?.steps ?? []) {
    rows.push([
      `1 fan-out ${fmt(s.fanout.connections)} conns`,
      'deliveries/s',
      fmt(s.fanout.deliveriesPerSec),
      fmt(s.uws.deliveriesPerSec),
      ratio(s.fanout.deliveriesPerSec, s.uws.deliveriesPerSec),
      '≥ 0.60×',
    ]);
    rows.push(efficiencyRow(`1 fan-out ${fmt(s.fanout.connections)} conns`, s.fanout, s.uws));
  }
  for (const k of [r.keys, r.keysLarge]) {
    if (!k) continue;
    const name = `2 key fan-out ${fmt(k.fanout.connections)} conns / ${fmt(k.keys)} keys`;
    rows.push([
      name,
      'deliveries/s',
      fmt(k.fanout.deliveriesPerSec),
      fmt(k.uws.deliveriesPerSec),
      ratio(k.fanout.deliveriesPerSec, k.uws.deliveriesPerSec),
      '≥ 0.80×',
    ]);
    rows.push([
      name,
      'server CPU ms / 1,000 deliveries',
      fmt(k.fanout.cpuMsPer1000, 2),
      fmt(k.uws.cpuMsPer1000, 2),
      ratio(k.fanout.cpuMsPer1000, k.uws.cpuMsPer1000),
      '',
    ]);
    rows.push(efficiencyRow(name, k.fanout, k.uws));
    if (k.kafka)
      rows.push([
        name,
        'records/s: Kafka alone produced · read by kcat · the edge ingested (its deliveries need as many)',
        `${fmt(k.kafka.producedPerSec)} · ${fmt(k.kafka.readPerSec)} · ${fmt(k.fanout.recordsPerSec)}`,
        '',
        `${ratio(k.fanout.recordsPerSec, k.kafka.readPerSec)} of kcat`,
        '',
      ]);
  }
  const wk = r.workers;
  const uwsRow = wk?.rows.find((x) => x.workers === 0);
  for (const x of wk?.rows.filter((y) => y.workers > 0) ?? []) {
    const name = `8 workers ${fmt(wk?.connections)} conns, EDGE_WORKERS=${x.workers}`;
    rows.push([
      name,
      `deliveries/s (conns per worker ${x.perWorker.join('/')})`,
      fmt(x.deliveriesPerSec),
      fmt(uwsRow?.deliveriesPerSec),
      ratio(x.deliveriesPerSec, uwsRow?.deliveriesPerSec ?? Number.NaN),
      x.workers > 1
        ? `${ratio(x.deliveriesPerSec, wk?.rows[0]?.deliveriesPerSec ?? Number.NaN)} of 1 worker`
        : '',
    ]);
    rows.push([
      name,
      'deliveries per server CPU-second',
      fmt(x.deliveriesPerCpuS),
      fmt(uwsRow?.deliveriesPerCpuS),
      ratio(x.deliveriesPerCpuS, uwsRow?.deliveriesPerCpuS ?? Number.NaN),
      '',
    ]);
    rows.push([
      name,
      'server RSS before connections (MB, all processes)',
      fmt((x.idleRssBytes ?? Number.NaN) / 1e6, 1),
      fmt((uwsRow?.idleRssBytes ?? Number.NaN) / 1e6, 1),
      '',
      '',
    ]);
  }
  for (const l of r.latency?.rows ?? []) {
    const name = `3 latency ${fmt(l.connections)} conns × ${fmt(l.rate)} rec/s`;
    const four = (x: { p50: number; p90: number; p99: number; max: number }) =>
      `${fmt(x.p50, 1)} / ${fmt(x.p90, 1)} / ${fmt(x.p99, 1)} / ${fmt(x.max, 1)}`;
    rows.push([name, `edge p50/p90/p99/max ms (${fmt(l.edge.samples)} samples)`, four(l.edge), '', '', '']);
    rows.push([
      name,
      `Kafka floor (kcat) p50/p90/p99/max ms (${fmt(l.floor.samples)})`,
      four(l.floor),
      '',
      '',
      '',
    ]);
    rows.push([name, 'added (edge − floor) p50/p90/p99/max ms', four(l.added), '', '', latencyTarget(l)]);
    const b = l.breakdown;
    rows.push([
      name,
      'per record: 1st client − floor · 1st→last client, p50/p99/max ms',
      `${fmt(b.firstAfterFloor.p50, 1)}/${fmt(b.firstAfterFloor.p99, 1)}/${fmt(b.firstAfterFloor.max, 1)} · ${fmt(b.spread.p50, 1)}/${fmt(b.spread.p99, 1)}/${fmt(b.spread.max, 1)}`,
      '',
      '',
      '',
    ]);
    if (l.published || l.cpuWait)
      rows.push([
        name,
        'edge: record → uWS publish p50/p99 ms · waiting for a core: edge / clients ms per s (edge share)',
        `${l.published ? `${fmt(l.published.p50, 1)} / ${fmt(l.published.p99, 1)}` : '–'} · ${
          l.cpuWait
            ? `${fmt(l.cpuWait.edgeMsPerS)} / ${fmt(l.cpuWait.clientsMsPerS)} (${fmt(l.cpuWait.edgeWaitShare * 100)} %)`
            : '–'
        }`,
        '',
        '',
        '',
      ]);
    if (l.uws)
      rows.push([
        name,
        'raw uWS, no Kafka: p50/p99/max · 1st→last client p50/p99 ms',
        `${fmt(l.uws.latency.p50, 1)} / ${fmt(l.uws.latency.p99, 1)} / ${fmt(l.uws.latency.max, 1)} · ${fmt(l.uws.spread.p50, 1)} / ${fmt(l.uws.spread.p99, 1)}`,
        '',
        '',
        '',
      ]);
    rows.push([
      name,
      'deliveries/s · per edge CPU-s · clients CPU-s',
      `${fmt(l.deliveriesPerSec)} · ${fmt(l.deliveriesPerServerCpuS)} · ${fmt(l.clientCpuS, 1)}`,
      '',
      '',
      '',
    ]);
  }
  const mp = r.partitions;
  if (mp) {
    const name = `5 ${fmt(mp.partitions)} partitions, 1 busy (${fmt(mp.latency.rate)} rec/s, ${fmt(mp.connections)} conns)`;
    rows.push([
      name,
      'p50 / p99 / max ms',
      `${fmt(mp.latency.p50, 1)} / ${fmt(mp.latency.p99, 1)} / ${fmt(mp.latency.max, 1)}`,
      '',
      '',
      'p99 < 50 ms',
    ]);
    rows.push([
      name,
      'edge CPU idle / busy (% of a core)',
      `${fmt(mp.idleCpu * 100, 1)} / ${fmt(mp.busyCpu * 100, 1)}`,
      '',
      '',
      '',
    ]);
  }
  const s = r.storm;
  if (s) {
    const name = `4 storm ${fmt(s.connections)} clients`;
    rows.push([
      name,
      'all caught up (ms)',
      `${fmt(s.caughtUpMs)} (${fmt(s.caughtUp)}/${fmt(s.connections)})`,
      '',
      '',
      '< 5000 ms',
    ]);
    rows.push([name, 'last resumed Welcome (ms)', fmt(s.lastWelcomeMs), '', '', '']);
    rows.push([
      name,
      'exactly once',
      s.exactlyOnce
        ? 'yes'
        : s.gaps + s.duplicates > 0
          ? `NO (gaps ${s.gaps}, dups ${s.duplicates})`
          : `not shown: ${fmt(s.connections - s.caughtUp)} not caught up (0 gaps, 0 dups seen)`,
      '',
      '',
      'yes',
    ]);
    rows.push([name, 'scans per partition', fmt(s.scansPerPartition, 2), '', '', '≤ 2']);
    rows.push([
      name,
      'records read / needed',
      `${fmt(s.recordsRead)} / ${fmt(s.recordsNeeded)} (${fmt(s.readAmplification, 2)}×)`,
      '',
      '',
      '',
    ]);
    rows.push([name, 'bytes read / needed', `${fmt(s.bytesRead)} / ${fmt(s.bytesNeeded)}`, '', '', '']);
  }
  for (const p of r.memory?.points ?? [])
    rows.push([
      `5 memory ${fmt(p.connections)} idle conns`,
      'RSS bytes per conn',
      fmt(p.fanoutPerConnBytes),
      fmt(p.uwsPerConnBytes),
      ratio(p.fanoutPerConnBytes, p.uwsPerConnBytes),
      '≤ 4096',
    ]);
  for (const p of r.memory?.points ?? [])
    rows.push([
      `5 memory ${fmt(p.connections)} idle conns`,
      'RSS bytes per conn after GC',
      fmt(p.fanoutPerConnAfterGcBytes),
      fmt(p.uwsPerConnAfterGcBytes),
      ratio(p.fanoutPerConnAfterGcBytes, p.uwsPerConnAfterGcBytes),
      '≤ 4096',
    ]);
  for (const p of r.memory?.points ?? [])
    rows.push([
      `5 memory ${fmt(p.connections)} idle conns`,
      'JS heap bytes per conn after GC',
      fmt(p.fanoutHeapPerConnBytes),
      fmt(p.uwsHeapPerConnBytes),
      '',
      '≤ 4096',
    ]);
  for (const p of r.memory?.points ?? [])
    rows.push([
      `5 memory ${fmt(p.connections)} idle conns`,
      'Redis bytes per session',
      fmt(p.redisBytesPerSession),
      '',
      '',
      '',
    ]);
  const w = r.wire;
  const plain = w?.rows.find((x) => x.server === 'fanout' && !x.tls && !x.compression);
  const plainUws = w?.rows.find((x) => x.server === 'uws' && !x.compression);
  for (const x of w?.rows ?? []) {
    const name = `6 wire ${fmt(x.connections)} conns, ${x.name}`;
    const ref = x.server === 'uws' ? plainUws : plain;
    const vsPlain =
      ref && x !== ref ? ` (${ratio(x.deliveriesPerSec, ref.deliveriesPerSec)} of ${ref.name})` : '';
    rows.push([name, 'deliveries/s', `${fmt(x.deliveriesPerSec)}${vsPlain}`, '', '', '']);
    rows.push([
      name,
      `bytes per ${w?.payloadBytes}-byte JSON record`,
      `${fmt(x.bytesPerDelivery)}${x.compression ? ` (${fmt(x.compressedShare * 100)}% compressed)` : ''}`,
      '',
      '',
      '',
    ]);
    rows.push([
      name,
      'server CPU µs per 1k deliveries',
      `${fmt(x.edgeCpuUsPerKDelivery)} (${fmt(x.edgeCpu * 100)}% of a core)`,
      '',
      '',
      '',
    ]);
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  const line = (row: string[]) => row.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' │ ');
  const out = [
    line(rows[0] as string[]),
    widths.map((w) => '─'.repeat(w)).join('─┼─'),
    ...rows.slice(1).map(line),
  ];
  return out.join('\n');
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** The chart, by hand: throughput and deliveries per server CPU-second against connections (fanout and raw uWS), and the latency sweep against Kafka's floor. */
export function chart(r: BenchResults): string {
  const W = 1320;
  const H = 380;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="10" y="18" font-size="14" font-weight="bold">${esc(`fanout benchmark — ${r.date} — ${r.machine.cpu} (${r.machine.cores} cores), Node ${r.machine.node}`)}</text>`,
  ];
  const steps = r.throughput?.steps ?? [];
  const py = 50;
  const ph = 260;
  const lines = (
    px: number,
    title: string,
    unit: (v: number) => string,
    fanout: (s: (typeof steps)[number]) => number,
    uws: (s: (typeof steps)[number]) => number,
    extra?: { label: string; fanout: number; uws: number },
  ) => {
    const pw = 340;
    const maxX = Math.max(1, ...steps.map((s) => s.fanout.connections));
    const vals = steps.flatMap((s) => [fanout(s), uws(s)]);
    if (extra) vals.push(extra.fanout, extra.uws);
    const maxY = Math.max(1, ...vals.filter(Number.isFinite));
    const x = (v: number) => px + (v / maxX) * pw;
    const y = (v: number) => py + ph - ((Number.isFinite(v) ? v : 0) / maxY) * ph;
    parts.push(`<text x="${px}" y="${py - 10}" font-weight="bold">${esc(title)}</text>`);
    parts.push(
      `<line x1="${px}" y1="${py + ph}" x2="${px + pw}" y2="${py + ph}" stroke="black"/><line x1="${px}" y1="${py}" x2="${px}" y2="${py + ph}" stroke="black"/>`,
    );
    for (let i = 0; i <= 4; i++) {
      const v = (maxY * i) / 4;
      parts.push(`<text x="${px - 4}" y="${y(v) + 4}" text-anchor="end">${unit(v)}</text>`);
      parts.push(`<line x1="${px}" y1="${y(v)}" x2="${px + pw}" y2="${y(v)}" stroke="#eee"/>`);
    }
    for (const s of steps)
      parts.push(
        `<text x="${x(s.fanout.connections)}" y="${py + ph + 16}" text-anchor="middle">${s.fanout.connections}</text>`,
      );
    const series = [
      { name: 'fanout edge', color: '#1f77b4', pick: fanout, extra: extra?.fanout },
      { name: 'raw uWS', color: '#ff7f0e', pick: uws, extra: extra?.uws },
    ];
    series.forEach((se, i) => {
      const pts = steps
        .map((s) => `${x(s.fanout.connections).toFixed(1)},${y(se.pick(s)).toFixed(1)}`)
        .join(' ');
      parts.push(`<polyline points="${pts}" fill="none" stroke="${se.color}" stroke-width="2"/>`);
      for (const s of steps)
        parts.push(
          `<circle cx="${x(s.fanout.connections)}" cy="${y(se.pick(s))}" r="3" fill="${se.color}"/>`,
        );
      if (extra && se.extra !== undefined)
        parts.push(
          `<rect x="${x(r.keys?.fanout.connections ?? 0) - 4}" y="${y(se.extra) - 4}" width="8" height="8" fill="none" stroke="${se.color}" stroke-width="2"/>`,
        );
      parts.push(
        `<rect x="${px + 10}" y="${py + 8 + i * 16}" width="10" height="10" fill="${se.color}"/><text x="${px + 24}" y="${py + 17 + i * 16}">${se.name}</text>`,
      );
    });
    if (extra) parts.push(`<text x="${px + 10}" y="${py + 49}">□ ${esc(extra.label)}</text>`);
    parts.push(
      `<text x="${px + pw / 2}" y="${py + ph + 34}" text-anchor="middle">connections on one channel</text>`,
    );
  };
  const keys = r.keys
    ? {
        label: `key fan-out, ${r.keys.keys} keys`,
        fanout: r.keys.fanout.deliveriesPerServerCpuS,
        uws: r.keys.uws.deliveriesPerServerCpuS,
      }
    : undefined;
  lines(
    60,
    'deliveries/s vs connections',
    (v) => `${(v / 1e6).toFixed(1)}M`,
    (s) => s.fanout.deliveriesPerSec,
    (s) => s.uws.deliveriesPerSec,
  );
  lines(
    490,
    'deliveries per server CPU-second',
    (v) => `${(v / 1e6).toFixed(1)}M`,
    (s) => s.fanout.deliveriesPerServerCpuS,
    (s) => s.uws.deliveriesPerServerCpuS,
    keys,
  );
  // Right: the latency sweep, p50 and p99 of the edge and of Kafka's floor per row.
  const rows = r.latency?.rows ?? [];
  const lx = 930;
  const lw = 370;
  if (rows.length > 0) {
    parts.push(
      `<text x="${lx}" y="${py - 10}" font-weight="bold">latency sweep, ms: edge vs Kafka floor (kcat)</text>`,
    );
    const maxV = Math.max(1, ...rows.flatMap((l) => [l.edge.p99, l.floor.p99]).filter(Number.isFinite));
    const rowH = ph / rows.length;
    const labelW = 110;
    const bx = (v: number) => lx + labelW + ((Number.isFinite(v) ? v : 0) / maxV) * (lw - labelW - 10);
    const bars = [
      { name: 'edge p99', color: '#1f77b4', pick: (l: LatencyRow) => l.edge.p99 },
      { name: 'edge p50', color: '#9ecae1', pick: (l: LatencyRow) => l.edge.p50 },
      { name: 'floor p99', color: '#2ca02c', pick: (l: LatencyRow) => l.floor.p99 },
      { name: 'floor p50', color: '#a1d99b', pick: (l: LatencyRow) => l.floor.p50 },
    ];
    rows.forEach((l, i) => {
      const top = py + i * rowH;
      parts.push(
        `<text x="${lx + labelW - 6}" y="${(top + rowH / 2 + 4).toFixed(1)}" text-anchor="end" font-size="10">${esc(`${l.connections} × ${l.rate}/s`)}</text>`,
      );
      const bh = Math.max(2, (rowH - 6) / bars.length);
      bars.forEach((b, j) => {
        const v = b.pick(l);
        const y0 = top + 3 + j * bh;
        parts.push(
          `<rect x="${lx + labelW}" y="${y0.toFixed(1)}" width="${(bx(v) - lx - labelW).toFixed(1)}" height="${(bh - 1).toFixed(1)}" fill="${b.color}"/>`,
        );
        if (j === 0)
          parts.push(
            `<text x="${Math.min(bx(v) + 3, lx + lw - 70).toFixed(1)}" y="${(y0 + bh - 2).toFixed(1)}" font-size="9">${esc(`${v.toFixed(1)} (+${l.added.p99.toFixed(1)})`)}</text>`,
          );
      });
    });
    bars.forEach((b, j) =>
      parts.push(
        `<rect x="${lx + j * 90}" y="${py + ph + 8}" width="10" height="10" fill="${b.color}"/><text x="${lx + 14 + j * 90}" y="${py + ph + 17}">${b.name}</text>`,
      ),
    );
    parts.push(
      `<text x="${lx}" y="${py + ph + 34}">producer send → client receipt; (+n): edge p99 − floor p99</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('\n');
}
