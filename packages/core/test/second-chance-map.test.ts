import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SecondChanceMap } from '../src/use-cases/shared/second-chance-map.js';

describe('SecondChanceMap', () => {
  it('evicts the oldest entry not read since it was set, and keeps the ones read', () => {
    const map = new SecondChanceMap<number>();
    for (const [i, key] of ['a', 'b', 'c', 'd'].entries()) map.set(key, i);
    map.get('a');
    map.get('c');
    const evicted: string[] = [];
    map.evictTo(2, (key) => evicted.push(key));
    expect(evicted).toEqual(['b', 'd']);
    expect([...map.entries()]).toEqual([
      ['a', 0],
      ['c', 2],
    ]);
  });

  it('gives a read entry one more round only: unread since, it goes on the next sweep', () => {
    const map = new SecondChanceMap<number>();
    map.set('a', 1);
    map.set('b', 2);
    map.get('a');
    map.evictTo(1);
    expect(map.get('a')).toBe(1);
    map.set('c', 3);
    map.evictTo(1); // a was read after the last sweep: c, never read, goes
    expect([...map.entries()].map(([k]) => k)).toEqual(['a']);
    map.set('d', 4);
    map.get('d');
    map.evictTo(1); // a unread since the last sweep passed it: a goes
    expect([...map.entries()].map(([k]) => k)).toEqual(['d']);
  });

  it('holds its bound and its contents like a plain map under any sequence', () => {
    type Op = ['set', string, number] | ['get', string] | ['delete', string] | ['evict', number];
    const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.tuple(fc.constant('set' as const), key, fc.integer()),
      fc.tuple(fc.constant('get' as const), key),
      fc.tuple(fc.constant('delete' as const), key),
      fc.tuple(fc.constant('evict' as const), fc.integer({ min: 0, max: 6 })),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const map = new SecondChanceMap<number>();
        const model = new Map<string, number>();
        for (const o of ops) {
          if (o[0] === 'set') {
            map.set(o[1], o[2]);
            model.set(o[1], o[2]);
          } else if (o[0] === 'get') {
            expect(map.get(o[1])).toBe(model.get(o[1]));
          } else if (o[0] === 'delete') {
            expect(map.delete(o[1])).toBe(model.delete(o[1]));
          } else {
            const before = map.size;
            const evicted: string[] = [];
            map.evictTo(o[1], (k) => evicted.push(k));
            expect(map.size).toBe(Math.min(before, o[1]));
            expect(evicted).toHaveLength(before - map.size);
            for (const k of evicted) model.delete(k);
          }
          expect(new Map(map.entries())).toEqual(model);
        }
      }),
    );
  });
});
