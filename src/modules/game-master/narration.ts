import type { EventBus } from '../../infra/pubsub/event-bus';

export const narrationTopic = (playerId: string) => `narration.${playerId}`;

/** One piece of a turn's narrative, as published (and as the subscription returns it). */
export interface NarrationMessage {
  turnId: string;
  delta: string;
  done: boolean;
  /** The text sent so far for this turn is void (the model failed mid-stream); it starts again. */
  reset: boolean;
}

/**
 * The narration of one turn, published in order: each publish waits for the
 * one before, so chunks never overtake each other, even through Redis. What is
 * sent always concatenates (after the last reset) to the stored narrative.
 */
export class NarrationStream {
  private tail: Promise<void> = Promise.resolve();
  private sent = '';
  private sentPoints = 0;
  /** Text waiting while a publish is in flight: deltas that arrive together go out as one chunk. */
  private buffered = '';
  private flushing = false;

  constructor(
    private readonly bus: EventBus,
    private readonly playerId: string,
    readonly turnId: string,
    private readonly maxPoints: number,
  ) {}

  /** A delta from the model; text past the narrative's length cap is not sent. */
  delta(text: string): void {
    if (this.sentPoints >= this.maxPoints || text.length === 0) return;
    const points = [...text];
    const piece = points.slice(0, this.maxPoints - this.sentPoints).join('');
    this.sentPoints += Math.min(points.length, this.maxPoints - this.sentPoints);
    this.sent += piece;
    this.buffered += piece;
    if (!this.flushing) this.flushBuffered();
  }

  /** The text sent so far will not be the narrative. */
  reset(): void {
    if (this.sent === '') return;
    this.sent = '';
    this.sentPoints = 0;
    this.buffered = '';
    this.send({ delta: '', done: false, reset: true });
  }

  /** Sends what the stored narrative has beyond what was streamed, then `done`. */
  async finish(narrative: string): Promise<void> {
    if (!narrative.startsWith(this.sent)) this.reset();
    const rest = narrative.slice(this.sent.length);
    if (rest) {
      this.sent = narrative;
      this.buffered += rest;
    }
    this.flushBuffered();
    this.send({ delta: '', done: true, reset: false });
    await this.tail;
  }

  private flushBuffered(): void {
    if (this.buffered === '') return;
    const delta = this.buffered;
    this.buffered = '';
    this.flushing = true;
    this.send({ delta, done: false, reset: false });
    this.tail = this.tail.then(() => {
      this.flushing = false;
      this.flushBuffered();
    });
  }

  private send(chunk: Omit<NarrationMessage, 'turnId'>): void {
    const message: NarrationMessage = { turnId: this.turnId, ...chunk };
    this.tail = this.tail.then(() => this.bus.publish(narrationTopic(this.playerId), message));
  }
}
