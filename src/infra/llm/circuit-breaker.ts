export type CircuitState = 'closed' | 'open' | 'half_open';

/**
 * Stops calling a provider that keeps failing. Closed: calls pass and
 * consecutive failures are counted. After `failureThreshold` of them it opens
 * and refuses every call for `openMs`. Then it is half-open: exactly one probe
 * passes; its success closes the circuit, its failure opens it again.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private current: CircuitState = 'closed';
  private probeInFlight = false;

  constructor(
    private readonly failureThreshold: number,
    private readonly openMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  get state(): CircuitState {
    if (this.current === 'open' && this.clock() - this.openedAt >= this.openMs) {
      return 'half_open';
    }
    return this.current;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Ms until an open circuit lets a probe through (0 when not open). */
  get retryInMs(): number {
    if (this.current !== 'open') return 0;
    return Math.max(0, this.openedAt + this.openMs - this.clock());
  }

  /**
   * Whether a call may go out now. A true answer in half-open state makes that
   * call the probe: it must end in `success`, `failure` or `release`.
   */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open') return false;
    if (this.probeInFlight) return false;
    this.current = 'half_open';
    this.probeInFlight = true;
    return true;
  }

  success(): void {
    this.failures = 0;
    this.probeInFlight = false;
    this.current = 'closed';
  }

  failure(): void {
    this.failures += 1;
    const wasProbe = this.current === 'half_open';
    this.probeInFlight = false;
    if (wasProbe || this.failures >= this.failureThreshold) {
      this.current = 'open';
      this.openedAt = this.clock();
    }
  }

  /** The call ended without telling anything about the provider (cancelled by its caller). */
  release(): void {
    if (this.current === 'half_open') this.probeInFlight = false;
  }
}
