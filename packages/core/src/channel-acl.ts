/**
 * Channel permissions from a token claim: a list of patterns, compiled once
 * per token, then asked for each Subscribe.
 *
 * Grammar (every pattern is one of):
 *
 *     *                      every channel
 *     <topic>                exactly the whole-topic channel `<topic>`
 *     <topic>:*              every key channel of `<topic>` (NOT the whole topic)
 *     <topic>:<key-template> exactly one key channel
 *
 *     key-template = 1*( key-char / "{sub}" )
 *     key-char     = any character except control characters, "*", "{" and "}"
 *
 * `<topic>` is a legal Kafka topic name. `{sub}` in a key template is replaced
 * by the token's subject, once, literally: the result is compared by string
 * equality, so a subject containing `*`, `:`, `{sub}` or anything else cannot
 * widen access (subject `*` in `user:{sub}` allows the one channel `user:*`
 * whose key is the text `*`, not every key). With an empty subject a pattern
 * using `{sub}` allows nothing. There is no other wildcard: `*` is either the
 * whole pattern or the whole key.
 */
import type { Channel } from './channel.js';
import { isValidTopic } from './channel.js';
import { AuthError } from './errors.js';

/** Compiled permissions of one subject. */
export interface Acl {
  /** Whether the subject may subscribe to `channel`. */
  allows(channel: Channel): boolean;
}

/** Thrown by {@link compileAcl} for a pattern outside the grammar; the edge answers UNAUTHENTICATED. */
export class AclPatternError extends AuthError {
  /** Index of the offending pattern in the claim. */
  readonly index: number;

  /**
   * @param index Index of the offending pattern.
   * @param reason Why it is invalid.
   */
  constructor(index: number, reason: string) {
    super(`channel permission pattern #${index} is invalid: ${reason}`, { code: 'ACL_PATTERN_INVALID' });
    this.index = index;
  }
}

/** The placeholder replaced by the subject in key templates. */
export const SUBJECT_PLACEHOLDER = '{sub}';

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_RE = /[\u0000-\u001f\u007f]/;

/**
 * Compiles permission patterns (see the module doc for the grammar) for one
 * subject.
 *
 * @throws AclPatternError when a pattern (or the list) is not valid.
 */
export function compileAcl(patterns: readonly string[], subject: string): Acl {
  if (!Array.isArray(patterns)) throw new AclPatternError(-1, 'patterns must be an array of strings');
  let all = false;
  const wholeTopics = new Set<string>();
  const anyKeyTopics = new Set<string>();
  const exact = new Set<string>();
  patterns.forEach((pattern: unknown, i) => {
    if (typeof pattern !== 'string') throw new AclPatternError(i, 'not a string');
    if (pattern === '*') {
      all = true;
      return;
    }
    if (CONTROL_RE.test(pattern)) throw new AclPatternError(i, 'contains a control character');
    const colon = pattern.indexOf(':');
    const topic = colon < 0 ? pattern : pattern.slice(0, colon);
    if (!isValidTopic(topic)) throw new AclPatternError(i, 'topic is not a legal Kafka topic name');
    if (colon < 0) {
      wholeTopics.add(topic);
      return;
    }
    const template = pattern.slice(colon + 1);
    if (template === '*') {
      anyKeyTopics.add(topic);
      return;
    }
    if (template.length === 0) throw new AclPatternError(i, 'key after ":" is empty');
    const literals = template.split(SUBJECT_PLACEHOLDER);
    if (literals.some((part) => /[*{}]/.test(part))) {
      throw new AclPatternError(i, 'key may contain "*" only as the whole key, and "{" "}" only in "{sub}"');
    }
    if (literals.length > 1 && subject.length === 0) return;
    // One literal pass: the subject is inserted, never re-parsed.
    exact.add(`${topic}:${literals.join(subject)}`);
  });
  return {
    allows(channel: Channel): boolean {
      if (all) return true;
      if (channel.key === null) return wholeTopics.has(channel.topic);
      return anyKeyTopics.has(channel.topic) || exact.has(`${channel.topic}:${channel.key}`);
    },
  };
}
