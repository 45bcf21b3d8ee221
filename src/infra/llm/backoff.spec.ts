import { backoffDelay, retryAfterMs } from './backoff';

describe('backoffDelay (exponential, full jitter)', () => {
  it('grows as base * 2^attempt up to the cap', () => {
    const top = () => 0.999999;
    expect(backoffDelay(0, 100, 10_000, top)).toBe(99);
    expect(backoffDelay(1, 100, 10_000, top)).toBe(199);
    expect(backoffDelay(3, 100, 10_000, top)).toBe(799);
    expect(backoffDelay(10, 100, 1_000, top)).toBe(999);
  });

  it('is uniform between 0 and the ceiling', () => {
    expect(backoffDelay(2, 100, 10_000, () => 0)).toBe(0);
    expect(backoffDelay(2, 100, 10_000, () => 0.5)).toBe(200);
    for (let i = 0; i < 1000; i++) {
      const delay = backoffDelay(4, 50, 10_000);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(800);
    }
  });
});

describe('retryAfterMs', () => {
  it('reads retry-after-ms first, then Retry-After in seconds', () => {
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '150', 'retry-after': '9' }))).toBe(150);
    expect(retryAfterMs(new Headers({ 'retry-after': '2' }))).toBe(2_000);
    expect(retryAfterMs(new Headers({ 'retry-after': '0.5' }))).toBe(500);
    expect(retryAfterMs({ 'Retry-After': '3' })).toBe(3_000);
  });

  it('reads an HTTP date relative to now', () => {
    const now = Date.parse('2026-11-27T10:00:00Z');
    expect(retryAfterMs({ 'retry-after': 'Fri, 27 Nov 2026 10:00:05 GMT' }, now)).toBe(5_000);
    expect(retryAfterMs({ 'retry-after': 'Fri, 27 Nov 2026 09:00:00 GMT' }, now)).toBe(0);
  });

  it('ignores absent or unreadable values', () => {
    expect(retryAfterMs(undefined)).toBeUndefined();
    expect(retryAfterMs(new Headers())).toBeUndefined();
    expect(retryAfterMs({ 'retry-after': 'soon' })).toBeUndefined();
    expect(retryAfterMs({ 'retry-after-ms': '-5' })).toBeUndefined();
  });
});
