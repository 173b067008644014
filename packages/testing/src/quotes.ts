import type { Producer } from 'kafkajs';

export const QUOTE_SYMBOLS = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'TSLA', 'NVDA'] as const;

/**
 * A ~300-byte JSON market-data record (the compression tests' and the
 * benchmark's payload): field names repeat, numbers vary, as in real feeds.
 */
export function quotePayload(seq: number): string {
  const symbol = QUOTE_SYMBOLS[seq % QUOTE_SYMBOLS.length] as string;
  const base = 100 + (seq % QUOTE_SYMBOLS.length) * 50 + ((seq * 7919) % 1000) / 100;
  return JSON.stringify({
    type: 'quote',
    seq,
    symbol,
    exchange: 'XNAS',
    venue: 'NASDAQ Global Select',
    currency: 'USD',
    bid: Number(base.toFixed(2)),
    ask: Number((base + 0.02).toFixed(2)),
    last: Number((base + 0.01).toFixed(2)),
    bidSize: 100 + (seq % 17) * 10,
    askSize: 200 + (seq % 13) * 10,
    volume: 1_000_000 + seq * 37,
    tradeId: `T${(seq * 104_729).toString(36).toUpperCase()}`,
    conditions: ['regular', 'open'],
    source: 'fanout-quote-feed',
    ts: new Date(1_764_547_200_000 + seq * 250).toISOString(),
  });
}

/** The `seq` of a quote payload. */
export function quoteSeq(payload: string): number {
  const m = /"seq":(\d+)/.exec(payload);
  return m ? Number(m[1]) : Number.NaN;
}

/** Produces quotes `from`..`from + count - 1`, keyed by symbol, acks=all. */
export async function produceQuotes(producer: Producer, topic: string, from: number, count: number) {
  const messages = Array.from({ length: count }, (_, i) => {
    const seq = from + i;
    return { key: QUOTE_SYMBOLS[seq % QUOTE_SYMBOLS.length] as string, value: quotePayload(seq) };
  });
  await producer.send({ topic, acks: -1, messages });
}
