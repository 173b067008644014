import { describe, expect, it } from 'vitest';
import { HarnessError } from '../src/errors.js';
import { parseBrokerList } from '../src/start-kafka.js';

describe('parseBrokerList', () => {
  it('splits on commas and trims blanks', () => {
    expect(parseBrokerList('127.0.0.1:9092')).toEqual(['127.0.0.1:9092']);
    expect(parseBrokerList(' a:1 , b.example:9092,,[::1]:9093 ')).toEqual([
      'a:1',
      'b.example:9092',
      '[::1]:9093',
    ]);
  });

  it('rejects entries without a port and empty lists', () => {
    for (const bad of ['', ' , ', 'localhost', 'a:1,b', 'a:port', 'a b:1']) {
      expect(() => parseBrokerList(bad)).toThrow(HarnessError);
    }
  });
});
