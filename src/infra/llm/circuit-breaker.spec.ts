import { CircuitBreaker } from './circuit-breaker';

describe('CircuitBreaker', () => {
  let now = 0;
  const clock = () => now;
  const breaker = () => new CircuitBreaker(3, 1_000, clock);

  beforeEach(() => {
    now = 10_000;
  });

  it('stays closed below the threshold and counts only consecutive failures', () => {
    const b = breaker();
    b.failure();
    b.failure();
    b.success();
    b.failure();
    b.failure();
    expect(b.state).toBe('closed');
    expect(b.tryAcquire()).toBe(true);
  });

  it('opens after N consecutive failures and refuses calls while open', () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) b.failure();
    expect(b.state).toBe('open');
    expect(b.tryAcquire()).toBe(false);
    now += 999;
    expect(b.tryAcquire()).toBe(false);
    expect(b.retryInMs).toBe(1);
  });

  it('lets exactly one probe through when half-open; its success closes the circuit', () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) b.failure();
    now += 1_000;
    expect(b.state).toBe('half_open');
    expect(b.tryAcquire()).toBe(true);
    expect(b.tryAcquire()).toBe(false);
    b.success();
    expect(b.state).toBe('closed');
    expect(b.tryAcquire()).toBe(true);
    expect(b.consecutiveFailures).toBe(0);
  });

  it('reopens for a full period when the probe fails', () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) b.failure();
    now += 1_500;
    expect(b.tryAcquire()).toBe(true);
    b.failure();
    expect(b.state).toBe('open');
    now += 999;
    expect(b.tryAcquire()).toBe(false);
    now += 1;
    expect(b.tryAcquire()).toBe(true);
  });

  it('a released probe frees the half-open slot without closing the circuit', () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) b.failure();
    now += 1_000;
    expect(b.tryAcquire()).toBe(true);
    b.release();
    expect(b.state).toBe('half_open');
    expect(b.tryAcquire()).toBe(true);
  });
});
