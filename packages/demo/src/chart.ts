const SVG = 'http://www.w3.org/2000/svg';
const COLORS = ['#1f6feb', '#d1242f', '#1a7f37', '#9a6700', '#8250df', '#bf3989', '#0a7e8c', '#57606a'];

interface Point {
  /** Kafka timestamp (ms). */
  at: number;
  price: number;
}

/**
 * A small SVG line chart: per symbol, the price change (%) since the first
 * tick this page saw, over its last `maxPoints` ticks (by arrival, so a burst
 * of replayed records reads as well as a steady stream).
 */
export class PriceChart {
  private readonly series = new Map<string, { base: number; points: Point[]; color: string }>();
  private readonly lines = new Map<string, SVGPolylineElement>();
  private readonly axis: SVGGElement;

  constructor(
    private readonly svg: SVGSVGElement,
    private readonly legend: HTMLElement,
    private readonly maxPoints = 120,
    private readonly width = 940,
    private readonly height = 300,
  ) {
    this.axis = document.createElementNS(SVG, 'g');
    svg.appendChild(this.axis);
  }

  /** Adds one tick. */
  add(symbol: string, price: number, at: number): void {
    let s = this.series.get(symbol);
    if (!s) {
      s = { base: price, points: [], color: COLORS[this.series.size % COLORS.length] ?? '#000' };
      this.series.set(symbol, s);
      const line = document.createElementNS(SVG, 'polyline');
      line.setAttribute('fill', 'none');
      line.setAttribute('stroke', s.color);
      line.setAttribute('stroke-width', '2');
      this.svg.appendChild(line);
      this.lines.set(symbol, line);
      this.renderLegend();
    }
    s.points.push({ at, price });
    if (s.points.length > this.maxPoints) s.points.shift();
  }

  /** Redraws every line. */
  render(): void {
    let range = 0.5;
    for (const s of this.series.values()) {
      for (const p of s.points) range = Math.max(range, Math.abs(pct(p.price, s.base)));
    }
    range *= 1.1;
    const x = (i: number, n: number) => this.width - ((n - 1 - i) / (this.maxPoints - 1)) * this.width;
    const y = (v: number) => this.height / 2 - (v / range) * (this.height / 2 - 10);
    for (const [symbol, s] of this.series) {
      const n = s.points.length;
      const points = s.points.map((p, i) => `${x(i, n).toFixed(1)},${y(pct(p.price, s.base)).toFixed(1)}`);
      this.lines.get(symbol)?.setAttribute('points', points.join(' '));
    }
    this.axis.replaceChildren(
      hline(y(0), '#c8ccd4', '0%'),
      hline(y(range / 1.1), '#eceef2', `+${(range / 1.1).toFixed(2)}%`),
      hline(y(-range / 1.1), '#eceef2', `-${(range / 1.1).toFixed(2)}%`),
    );
  }

  private renderLegend(): void {
    this.legend.replaceChildren(
      ...[...this.series].map(([symbol, s]) => {
        const span = document.createElement('span');
        span.style.color = s.color;
        span.textContent = `● ${symbol}`;
        return span;
      }),
    );
  }
}

function pct(price: number, base: number): number {
  return base === 0 ? 0 : (price / base - 1) * 100;
}

function hline(y: number, color: string, label: string): SVGGElement {
  const g = document.createElementNS(SVG, 'g');
  const line = document.createElementNS(SVG, 'line');
  line.setAttribute('x1', '0');
  line.setAttribute('x2', '940');
  line.setAttribute('y1', String(y));
  line.setAttribute('y2', String(y));
  line.setAttribute('stroke', color);
  const text = document.createElementNS(SVG, 'text');
  text.setAttribute('x', '4');
  text.setAttribute('y', String(y - 3));
  text.setAttribute('font-size', '11');
  text.setAttribute('fill', '#8a92a3');
  text.textContent = label;
  g.append(line, text);
  return g;
}
