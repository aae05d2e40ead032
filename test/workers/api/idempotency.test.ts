import { canonicalJson } from '../../../lib/canonical-json';
import { contentHash, MemoryIdempotencyStore, type IdempotencyRecord } from '../../../workers/api/idempotency';

const record = (id: string): IdempotencyRecord => ({
  bodyHash: `h-${id}`,
  answer: { workflowId: `employee-${id}`, eventId: id, status: 'accepted' },
  acceptedAtMs: 0,
});

describe('MemoryIdempotencyStore', () => {
  test('keeps at most maxEntries, dropping the least recently used', async () => {
    const store = new MemoryIdempotencyStore(2);
    await store.put('a', record('a'));
    await store.put('b', record('b'));
    await store.get('a');
    await store.put('c', record('c'));
    expect(store.size).toBe(2);
    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('a')).toEqual(record('a'));
    expect(await store.get('c')).toEqual(record('c'));
  });

  test('rejects a useless bound', () => {
    expect(() => new MemoryIdempotencyStore(0)).toThrow(RangeError);
  });
});

describe('contentHash', () => {
  test('ignores key order and undefined members, not values', () => {
    expect(canonicalJson({ b: 1, a: [{ y: 2, x: undefined }] })).toBe('{"a":[{"y":2}],"b":1}');
    expect(contentHash({ a: 1, b: 2 })).toBe(contentHash({ b: 2, a: 1 }));
    expect(contentHash({ a: 1 })).not.toBe(contentHash({ a: '1' }));
  });
});
