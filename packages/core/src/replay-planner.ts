/**
 * Replay planning: how to bring one (subscription, partition) from its
 * position to live delivery with no gap and no overlap. Pure: the caller
 * gathers the inputs and executes the plan.
 *
 * ## The switch-over
 *
 * Live frames reach a connection through uWS pub/sub, with no per-connection
 * filter, so a subscription may join live only at the exact moment its
 * position equals `live`, the last offset the edge has published for the
 * partition. Ingest appends a record to the window and publishes it in one
 * synchronous step, so between two ingest callbacks the window's newest
 * record is `live`.
 *
 * 1. `kafka`: read [from, to] from Kafka (shared through the scan
 *    coordinator), sending each record as a replayed publication. `to` is the
 *    offset just before what the window covered when planning. This takes
 *    time: the window keeps moving, so afterwards **plan again** with
 *    `after = to` (the position the read reached).
 * 2. `window`: in **one synchronous step** (no `await` between): read the
 *    window from `from` up to its newest record (= `live`), send them as
 *    replayed publications, send `Subscribed` with `live` as the position,
 *    and add the channel to the connection's live uWS topics (covering set).
 *    The next ingested record then arrives live, exactly after `live`. (A
 *    caller that wants to send a long window read in chunks may do so across
 *    ticks, planning again each time; only the last chunk and the live switch
 *    must share a step.)
 * 3. `none`: the position is `live`: switch to live now (same step as the plan).
 * 4. `wait`: the client is ahead of this edge (another edge had ingested
 *    further; its records exist in Kafka but not here yet). Joining live now
 *    would resend offsets <= `after`. Plan again once the edge's `live`
 *    reaches `until`.
 * 5. `continuity-lost`: tell the client (`ContinuityLost`, naming
 *    [requested, available)) and execute `continueWith`, a plan from `available`.
 */

/** Inputs of {@link planReplay} for one subscription and partition. */
export interface ReplayInput {
  /** The subscription's position: the last offset covered (-1: nothing yet). Replay starts at `after + 1`. */
  after: number;
  /** The last offset the edge has published live for this partition (-1: none yet). */
  live: number;
  /** Whether the in-memory window covers every record from this offset on (`RecordWindow.covers`). Must be monotonic. */
  windowCovers: (fromOffset: number) => boolean;
  /** The partition's first available offset in Kafka (log start), when known. */
  logStart?: number;
  /** The partition's high watermark (the next offset to be written), when known. */
  logEnd?: number;
}

/** A plan with no continuity loss. */
export type ContinuousPlan =
  /** Already at `live`: switch to live now. */
  | { kind: 'none' }
  /** Ahead of this edge's `live`: plan again once `live >= until`. */
  | { kind: 'wait'; until: number }
  /** Serve [from, live] from the window, then switch to live, in one synchronous step. */
  | { kind: 'window'; from: number }
  /** Read [from, to] from Kafka, then plan again with `after = to`. */
  | { kind: 'kafka'; from: number; to: number };

/** Why continuity was lost (wire `ContinuityReason`). */
export type ContinuityLossReason = 'deleted' | 'ahead-of-log';

/** A plan: continuous, or a continuity loss followed by a continuous plan. */
export type ReplayPlan =
  | ContinuousPlan
  | {
      kind: 'continuity-lost';
      /** The first offset needed (`after + 1`). */
      requested: number;
      /** The first offset still available; delivery continues there. */
      available: number;
      /** `deleted`: below the log start; `ahead-of-log`: beyond the log end (truncated or recreated). */
      reason: ContinuityLossReason;
      /** The plan from `available` (not named `then`: a plan must never look like a promise). */
      continueWith: ContinuousPlan;
    };

function checkOffset(name: string, v: number | undefined, min: number): void {
  if (v !== undefined && !(Number.isSafeInteger(v) && v >= min)) {
    throw new RangeError(`${name} must be a safe integer >= ${min}, got ${v}`);
  }
}

/**
 * Decides how to bring a subscription from `after` to live (see the module
 * doc). Checks, in order: `after + 1 > logEnd` → continuity lost,
 * ahead-of-log, available = `logStart` (0 when unknown); `after + 1 <
 * logStart` → continuity lost, deleted, available = `logStart`; then
 * `after == live` → none; `after > live` → wait; window covers `after + 1`
 * → window; else Kafka up to just before the window's coverage.
 *
 * Pass `logStart`/`logEnd` whenever they are known: without them nothing
 * can be declared lost, and a position beyond the log waits forever.
 *
 * @throws RangeError for offsets that are not safe integers >= -1 (>= 0 for log bounds).
 */
export function planReplay(input: ReplayInput): ReplayPlan {
  const { after, live, logStart, logEnd } = input;
  checkOffset('after', after, -1);
  checkOffset('live', live, -1);
  checkOffset('logStart', logStart, 0);
  checkOffset('logEnd', logEnd, 0);
  const requested = after + 1;
  if (logEnd !== undefined && requested > logEnd) {
    const available = logStart ?? 0;
    return {
      kind: 'continuity-lost',
      requested,
      available,
      reason: 'ahead-of-log',
      continueWith: planContinuous(available - 1, input),
    };
  }
  if (logStart !== undefined && requested < logStart) {
    return {
      kind: 'continuity-lost',
      requested,
      available: logStart,
      reason: 'deleted',
      continueWith: planContinuous(logStart - 1, input),
    };
  }
  return planContinuous(after, input);
}

function planContinuous(after: number, input: ReplayInput): ContinuousPlan {
  const { live, windowCovers } = input;
  if (after === live) return { kind: 'none' };
  if (after > live) return { kind: 'wait', until: after };
  const from = after + 1;
  if (windowCovers(from)) return { kind: 'window', from };
  // The window covers a suffix of [from, live + 1]; find where it starts
  // (binary search of a monotonic predicate; offset live + 1 is covered by
  // definition: nothing lies past live).
  let lo = from + 1;
  let hi = live + 1;
  while (lo < hi) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (windowCovers(mid)) hi = mid;
    else lo = mid + 1;
  }
  return { kind: 'kafka', from, to: lo - 1 };
}
