/**
 * The minimal covering set of live uWS topics for one connection (see the
 * design brief, "Encode once"): holding `prices` covers every `prices:<key>`,
 * so a connection holding both is subscribed to `prices` only, and each live
 * record reaches it at most once and in partition order. The client routes a
 * live frame to every live subscription it matches.
 *
 * Live uWS topic names are the channel names themselves: the ingest publishes
 * each record to `<topic>` and, when it has a key, to `<topic>:<key>`.
 *
 * Only channels that are live belong in the input: a subscription still
 * replaying must not receive live frames yet (see the replay planner).
 */

/** Topic of a channel name: everything before the first `:`. */
function topicOf(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(0, colon);
}

/**
 * The minimal set of uWS topics covering `channels` (valid channel names,
 * see `parseChannel`): every whole-topic channel, plus every key channel
 * whose topic is not held whole.
 */
export function coveringTopics(channels: Iterable<string>): Set<string> {
  const names = [...channels];
  const wholeTopics = new Set<string>();
  for (const name of names) if (name.indexOf(':') < 0) wholeTopics.add(name);
  const out = new Set<string>();
  for (const name of names) if (name.indexOf(':') < 0 || !wholeTopics.has(topicOf(name))) out.add(name);
  return out;
}

/** What to change to go from one covering set to another. */
export interface CoveringDiff {
  /** uWS topics to subscribe, in `after`'s iteration order. */
  add: string[];
  /** uWS topics to unsubscribe, in `before`'s iteration order. */
  remove: string[];
}

/**
 * The uWS subscriptions to add and remove to move a connection from the
 * covering set `before` to `after`. Apply the whole diff in one synchronous
 * step (no ingest can publish in between), so no record is lost or doubled
 * while e.g. `prices:AAPL` is replaced by `prices`.
 */
export function coveringDiff(before: ReadonlySet<string>, after: ReadonlySet<string>): CoveringDiff {
  const add: string[] = [];
  const remove: string[] = [];
  for (const t of after) if (!before.has(t)) add.push(t);
  for (const t of before) if (!after.has(t)) remove.push(t);
  return { add, remove };
}
