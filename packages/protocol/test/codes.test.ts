import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fanout } from '../src/generated/fanout.js';
import {
  type CloseAction,
  CloseCode,
  ContinuityReason,
  ErrorCode,
  GoAwayReason,
  Start,
  closeAction,
} from '../src/index.js';

// src/codes.ts mirrors the .proto enums by hand (plain objects are cheaper
// and friendlier than the generated enums); these tests keep them equal.

/** A generated enum as `{ NAME_WITHOUT_PREFIX: value }`. */
function stripped(generated: object, prefix: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(generated)) {
    if (!name.startsWith(prefix)) throw new Error(`${name} lacks the prefix ${prefix}`);
    out[name.slice(prefix.length)] = value as number;
  }
  return out;
}

describe('codes mirror the generated enums', () => {
  it('ErrorCode', () => {
    expect(ErrorCode).toStrictEqual(stripped(fanout.v1.ErrorCode, 'ERROR_CODE_'));
  });

  it('CloseCode (without UNSPECIFIED: 0 is not a WebSocket close code)', () => {
    const { UNSPECIFIED, ...generated } = stripped(fanout.v1.CloseCode, 'CLOSE_CODE_');
    expect(UNSPECIFIED).toBe(0);
    expect(CloseCode).toStrictEqual(generated);
  });

  it('Start', () => {
    expect(Start).toStrictEqual(stripped(fanout.v1.Start, 'START_'));
  });

  it('ContinuityReason', () => {
    expect(ContinuityReason).toStrictEqual(stripped(fanout.v1.ContinuityReason, 'CONTINUITY_REASON_'));
  });

  it('GoAwayReason', () => {
    expect(GoAwayReason).toStrictEqual(stripped(fanout.v1.GoAwayReason, 'GO_AWAY_REASON_'));
  });
});

interface Range {
  from: number;
  to: number;
  action: CloseAction;
  text: string;
}

/** The "## Close codes" table of the .proto header, with the action each line's text names. */
function documentedCloseRanges(): Range[] {
  const protoFile = resolve(fileURLToPath(import.meta.url), '../../../../proto/fanout/v1/fanout.proto');
  const lines = readFileSync(protoFile, 'utf8').split('\n');
  const start = lines.findIndex((l) => l.startsWith('// ## Close codes'));
  if (start < 0) throw new Error(`no "## Close codes" section in ${protoFile}`);
  const rows: { codes: number[][]; text: string }[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith('//')) break;
    const row = /^\/\/ {3}(\d{4}(?:-\d{4})?(?:, \d{4}(?:-\d{4})?)*)\s+(.*)$/.exec(line);
    if (row?.[1] && row[2]) {
      rows.push({ codes: row[1].split(', ').map((r) => r.split('-').map(Number)), text: row[2] });
    } else if (/^\/\/ {4,}\S/.test(line) && rows.length > 0) {
      rows[rows.length - 1]!.text += ` ${line.slice(2).trim()}`;
    }
  }
  const action = (text: string): CloseAction => {
    if (/do not reconnect/.test(text)) return 'stop';
    if (/without a session id/.test(text)) return 'new-session';
    if (/new token/.test(text)) return 'refresh-token';
    if (/normal closure/.test(text)) return 'closed';
    if (/resume/.test(text)) return 'resume';
    throw new Error(`close code text names no action: ${text}`);
  };
  return rows.flatMap((r) =>
    r.codes.map(([from, to]) => ({ from: from!, to: to ?? from!, action: action(r.text), text: r.text })),
  );
}

describe('closeAction', () => {
  const ranges = documentedCloseRanges();

  it('reads the documented table', () => {
    expect(ranges.map(({ from, to, action }) => [from, to, action])).toEqual([
      [1000, 1000, 'closed'],
      [1001, 1001, 'resume'],
      [1006, 1006, 'resume'],
      [1009, 1009, 'stop'],
      [4000, 4099, 'resume'],
      [4100, 4199, 'new-session'],
      [4200, 4299, 'refresh-token'],
      [4400, 4499, 'stop'],
    ]);
  });

  it.each(Object.entries(CloseCode))(
    '%s (%i) lies in a documented range and maps to its action',
    (_n, code) => {
      const range = ranges.find((r) => code >= r.from && code <= r.to);
      expect(range, `close code ${code} is in no documented range`).toBeDefined();
      expect(closeAction(code)).toBe(range?.action);
    },
  );

  it('maps both ends of every documented range', () => {
    for (const r of ranges) {
      expect([closeAction(r.from), closeAction(r.to)], `${r.from}-${r.to}: ${r.text}`).toEqual([
        r.action,
        r.action,
      ]);
    }
  });
});
