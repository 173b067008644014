/**
 * Session ownership: a session has at most one live connection across all
 * edges. Each claim of a session (a create or a resume) takes the next owner
 * epoch; the store refuses writes (acks, subscriptions) carrying an older
 * epoch, atomically with the write, so a connection that was taken over can
 * no longer move the session's positions.
 *
 * Acks are coalesced per owner, not per session: the write-behind key is
 * {@link ownerKey}, so acks of an older owner still pending on an edge are
 * written with that owner's epoch (and refused) instead of the newer one's.
 */

const SEPARATOR = '~';

/** The write-behind key of a session's owner: `<sessionId>~<epoch>`. Session ids never contain `~`. */
export function ownerKey(sessionId: string, epoch: number): string {
  return `${sessionId}${SEPARATOR}${epoch}`;
}

/** Splits an {@link ownerKey}; undefined for anything else. */
export function parseOwnerKey(key: string): { sessionId: string; epoch: number } | undefined {
  const i = key.lastIndexOf(SEPARATOR);
  if (i <= 0) return undefined;
  const epoch = Number(key.slice(i + 1));
  if (!Number.isSafeInteger(epoch) || epoch < 1) return undefined;
  return { sessionId: key.slice(0, i), epoch };
}

/** What a resume must do about the session's current holder, from the store's view of it. */
export type TakeoverPlan =
  /** Nobody holds it: claim at once. */
  | { kind: 'claim' }
  /** A connection on this edge holds it: flush its acks, close it (4101), then claim. */
  | { kind: 'local' }
  /** A live edge holds it: ask that edge to flush and release, wait (bounded), then claim. */
  | { kind: 'remote'; node: string };

/**
 * Decides how a resume takes over a session held by `holder` (the node id
 * recorded with the current owner, empty when released). A holder whose edge
 * is not alive (`holderAlive` false: it crashed) cannot answer; its pending
 * acks are lost with it, and waiting would only delay the resume.
 */
export function planTakeover(holder: string, selfNode: string, holderAlive: boolean): TakeoverPlan {
  if (holder === '') return { kind: 'claim' };
  if (holder === selfNode) return { kind: 'local' };
  return holderAlive ? { kind: 'remote', node: holder } : { kind: 'claim' };
}

/** Whether a write by `epoch` is allowed when the store's current owner epoch is `current`. */
export function ownsSession(epoch: number, current: number): boolean {
  return epoch === current;
}
