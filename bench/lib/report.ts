import type { BenchResults } from '../bench.js';

const fmt = (n: number | undefined, digits = 0): string =>
  n === undefined || !Number.isFinite(n)
    ? '—'
    : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ratio = (a: number, b: number): string =>
  Number.isFinite(a / b) && b > 0 ? `${(a / b).toFixed(2)}×` : '—';

/** The terminal table: every figure, with its ratio to raw uWS where there is one. */
export function table(r: BenchResults): string {
  const rows: string[][] = [['scenario', 'figure', 'fanout', 'raw uWS', 'ratio', 'target']];
  for (const s of r.throughput?.steps ?? [])
    rows.push([
      `1 fan-out ${fmt(s.fanout.connections)} conns`,
      'deliveries/s',
      fmt(s.fanout.deliveriesPerSec),
      fmt(s.uws.deliveriesPerSec),
      ratio(s.fanout.deliveriesPerSec, s.uws.deliveriesPerSec),
      '≥ 0.60×',
    ]);
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
  }
  const l = r.throughput?.latency;
  if (l) {
    const name = `3 latency ${fmt(l.connections)} conns × ${fmt(l.rate)} rec/s`;
    rows.push([
      name,
      `p50 / p90 ms (${fmt(l.samples)} samples)`,
      `${fmt(l.p50, 1)} / ${fmt(l.p90, 1)}`,
      '',
      '',
      '',
    ]);
    rows.push([name, 'p99 / max ms', `${fmt(l.p99, 1)} / ${fmt(l.max, 1)}`, '', '', 'p99 < 25 ms']);
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

/** The chart, by hand: throughput against connections (fanout and raw uWS), and the latency distribution. */
export function chart(r: BenchResults): string {
  const W = 900;
  const H = 360;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="10" y="18" font-size="14" font-weight="bold">${esc(`fanout benchmark — ${r.date} — ${r.machine.cpu} (${r.machine.cores} cores), Node ${r.machine.node}`)}</text>`,
  ];
  // Left: deliveries/s vs connections.
  const steps = r.throughput?.steps ?? [];
  const px = 60;
  const py = 40;
  const pw = 360;
  const ph = 260;
  const maxX = Math.max(1, ...steps.map((s) => s.fanout.connections));
  const maxY = Math.max(1, ...steps.flatMap((s) => [s.fanout.deliveriesPerSec, s.uws.deliveriesPerSec]));
  const x = (v: number) => px + (v / maxX) * pw;
  const y = (v: number) => py + ph - (v / maxY) * ph;
  parts.push(`<text x="${px}" y="${py - 6}" font-weight="bold">deliveries/s vs connections</text>`);
  parts.push(
    `<line x1="${px}" y1="${py + ph}" x2="${px + pw}" y2="${py + ph}" stroke="black"/><line x1="${px}" y1="${py}" x2="${px}" y2="${py + ph}" stroke="black"/>`,
  );
  for (let i = 0; i <= 4; i++) {
    const v = (maxY * i) / 4;
    parts.push(`<text x="${px - 4}" y="${y(v) + 4}" text-anchor="end">${(v / 1e6).toFixed(1)}M</text>`);
    parts.push(`<line x1="${px}" y1="${y(v)}" x2="${px + pw}" y2="${y(v)}" stroke="#eee"/>`);
  }
  for (const s of steps)
    parts.push(
      `<text x="${x(s.fanout.connections)}" y="${py + ph + 16}" text-anchor="middle">${s.fanout.connections}</text>`,
    );
  const series = [
    { name: 'fanout edge', color: '#1f77b4', pick: (s: (typeof steps)[number]) => s.fanout.deliveriesPerSec },
    { name: 'raw uWS', color: '#ff7f0e', pick: (s: (typeof steps)[number]) => s.uws.deliveriesPerSec },
  ];
  series.forEach((se, i) => {
    const pts = steps
      .map((s) => `${x(s.fanout.connections).toFixed(1)},${y(se.pick(s)).toFixed(1)}`)
      .join(' ');
    parts.push(`<polyline points="${pts}" fill="none" stroke="${se.color}" stroke-width="2"/>`);
    for (const s of steps)
      parts.push(`<circle cx="${x(s.fanout.connections)}" cy="${y(se.pick(s))}" r="3" fill="${se.color}"/>`);
    parts.push(
      `<rect x="${px + 10}" y="${py + 8 + i * 16}" width="10" height="10" fill="${se.color}"/><text x="${px + 24}" y="${py + 17 + i * 16}">${se.name}</text>`,
    );
  });
  parts.push(
    `<text x="${px + pw / 2}" y="${py + ph + 34}" text-anchor="middle">connections on one channel</text>`,
  );
  // Right: latency histogram.
  const l = r.throughput?.latency;
  const lx = 500;
  const lw = 370;
  if (l) {
    const bins = l.histogram.filter(([, c]) => c > 0 || true);
    const maxC = Math.max(1, ...bins.map(([, c]) => c));
    const bw = lw / bins.length;
    parts.push(
      `<text x="${lx}" y="${py - 6}" font-weight="bold">${esc(`latency, ${l.connections} conns × ${l.rate} rec/s (p50 ${l.p50.toFixed(1)}, p99 ${l.p99.toFixed(1)}, max ${l.max.toFixed(1)} ms)`)}</text>`,
    );
    parts.push(`<line x1="${lx}" y1="${py + ph}" x2="${lx + lw}" y2="${py + ph}" stroke="black"/>`);
    bins.forEach(([b, c], i) => {
      const h = (c / maxC) * ph;
      parts.push(
        `<rect x="${(lx + i * bw + 1).toFixed(1)}" y="${(py + ph - h).toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="#2ca02c"/>`,
      );
      const label = Number.isFinite(b) ? `≤${b}` : '>';
      parts.push(
        `<text x="${(lx + i * bw + bw / 2).toFixed(1)}" y="${py + ph + 14}" text-anchor="middle" font-size="9">${esc(label)}</text>`,
      );
    });
    parts.push(
      `<text x="${lx + lw / 2}" y="${py + ph + 34}" text-anchor="middle">ms, producer send → client receipt (share of samples per bin)</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('\n');
}
