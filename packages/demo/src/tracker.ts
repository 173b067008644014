/** One record as the demo page saw it. */
export interface SeenRecord {
  partition: number;
  offset: number;
  /** The key as text, or null. */
  key: string | null;
  /** The payload as text. */
  payload: string;
}

/** What the tracker keeps between page loads (in `sessionStorage`). */
export interface TrackerSnapshot {
  /** Per partition, the last offset handled. */
  last: Array<[number, number]>;
  /** The most recent records handled, oldest first (bounded). */
  journal: SeenRecord[];
}

/** What one record was, for the counters. */
export type Verdict = 'ok' | 'duplicate' | 'gap';

/**
 * Checks the stream the page receives, independently of the SDK: per partition
 * each offset must be the previous one + 1 (a whole-topic channel of a topic
 * without transactions or compaction has dense offsets), anything at or below
 * the last one is a duplicate. The last offsets survive reloads (snapshot), so
 * a resumed page checks its first records against what the previous load saw.
 */
export class DeliveryTracker {
  /** Records handled by this page load. */
  received = 0;
  /** Records that arrived after a hole in their partition (this page load). */
  gaps = 0;
  /** Offsets missing in those holes. */
  missing = 0;
  /** Records at or below their partition's last offset (this page load). */
  duplicates = 0;
  /** Records handled by this page load, oldest first (bounded). */
  readonly records: SeenRecord[] = [];
  /** The journal of earlier page loads of this tab, as loaded. */
  readonly previous: readonly SeenRecord[];
  private readonly last: Map<number, number>;

  /**
   * @param checkGaps Offsets of a `<topic>:<key>` channel are not dense: only
   *   whole-topic channels are checked for gaps.
   * @param journalLimit Most records kept in the journal.
   */
  constructor(
    private readonly checkGaps: boolean,
    snapshot: TrackerSnapshot | undefined,
    private readonly journalLimit = 5000,
  ) {
    this.last = new Map(snapshot?.last ?? []);
    this.previous = snapshot?.journal ?? [];
  }

  /** Counts one record. */
  add(record: SeenRecord): Verdict {
    this.received++;
    this.records.push(record);
    if (this.records.length > this.journalLimit)
      this.records.splice(0, this.records.length - this.journalLimit);
    const last = this.last.get(record.partition);
    if (last !== undefined && record.offset <= last) {
      this.duplicates++;
      return 'duplicate';
    }
    this.last.set(record.partition, record.offset);
    if (this.checkGaps && last !== undefined && record.offset > last + 1) {
      this.gaps++;
      this.missing += record.offset - last - 1;
      return 'gap';
    }
    return 'ok';
  }

  /** The SDK announced lost records: the partition continues at `availableOffset`, not a gap. */
  continuesAt(partition: number, availableOffset: number): void {
    const last = this.last.get(partition);
    if (last === undefined || last < availableOffset - 1) this.last.set(partition, availableOffset - 1);
  }

  /** Per partition, the last offset handled (this load or earlier ones). */
  lastOffsets(): Array<{ partition: number; offset: number }> {
    return [...this.last].sort((a, b) => a[0] - b[0]).map(([partition, offset]) => ({ partition, offset }));
  }

  /** What to persist: the last offsets and the journal of every load so far (bounded). */
  snapshot(): TrackerSnapshot {
    const journal = [...this.previous, ...this.records];
    return { last: [...this.last], journal: journal.slice(Math.max(0, journal.length - this.journalLimit)) };
  }
}

/** Parses a stored snapshot; undefined for anything unexpected (never throws). */
export function parseSnapshot(text: string | null): TrackerSnapshot | undefined {
  if (!text) return undefined;
  try {
    const raw = JSON.parse(text) as Partial<TrackerSnapshot>;
    if (!Array.isArray(raw.last) || !Array.isArray(raw.journal)) return undefined;
    const last = raw.last.filter(
      (e): e is [number, number] =>
        Array.isArray(e) && Number.isSafeInteger(e[0]) && Number.isSafeInteger(e[1]),
    );
    const journal = raw.journal.filter(
      (r): r is SeenRecord =>
        typeof r === 'object' &&
        r !== null &&
        Number.isSafeInteger(r.partition) &&
        Number.isSafeInteger(r.offset) &&
        typeof r.payload === 'string',
    );
    return { last, journal };
  } catch {
    return undefined;
  }
}
