/**
 * An AIMD limit on one resolver's queries in flight (additive increase, multiplicative decrease, as TCP
 * congestion control): a burst of failures — SERVFAIL, REFUSED, timeouts — halves the limit, each answer grows
 * it back by 1/limit (about one slot per limit's worth of answers), never above `max` (--dns-concurrency) nor
 * below `min`.
 *
 * A burst is at least half of the last WINDOW outcomes failing: a survey's scattered SERVFAILs (domains with
 * broken servers) leave the limit alone, an overloaded or rate-limiting resolver (REFUSED, SERVFAIL or silent
 * drops for most queries) makes it back off. At most one halving per "window of flight", as in TCP: a failure
 * halves the limit only if its query was sent after the previous halving.
 */

const WINDOW = 20;

export type LimiterOutcome = "answer" | "failure";

interface Waiter {
  grant: (ticket: number | null) => void;
  timer: NodeJS.Timeout | null;
}

export class AimdLimiter {
  private current: number;
  private lowest: number;
  private active = 0;
  private nextTicket = 1;
  private decreasedAt = 0;
  /** The last WINDOW outcomes (true: failure), a ring. */
  private readonly recent = new Uint8Array(WINDOW);
  private recentCount = 0;
  private recentNext = 0;
  private recentFailures = 0;
  private readonly waiting: Waiter[] = [];
  readonly max: number;
  readonly min: number;

  constructor(max: number, min = Math.max(1, Math.min(max, Math.ceil(max / 16)))) {
    if (!Number.isInteger(max) || max < 1)
      throw new Error(`AimdLimiter: max must be an integer >= 1, got ${max}`);
    this.max = max;
    this.min = Math.max(1, Math.min(min, max));
    this.current = max;
    this.lowest = max;
  }

  /** Queries allowed in flight now. */
  get limit(): number {
    return Math.floor(this.current);
  }

  /** The lowest the limit has been. */
  get lowestLimit(): number {
    return this.lowest;
  }

  get inFlight(): number {
    return this.active;
  }

  /** A ticket (the query's send sequence number) when a slot is free now, else null. */
  tryAcquire(): number | null {
    if (this.active >= this.limit || this.waiting.length > 0) return null;
    this.active++;
    return this.nextTicket++;
  }

  /** Wait (in arrival order) at most `waitMs` for a slot; null when none came in time or `cancelAll` ran. */
  acquire(waitMs: number): Promise<number | null> {
    const t = this.tryAcquire();
    if (t !== null) return Promise.resolve(t);
    return new Promise((resolve) => {
      const w: Waiter = { grant: resolve, timer: null };
      w.timer = setTimeout(() => {
        const i = this.waiting.indexOf(w);
        if (i >= 0) this.waiting.splice(i, 1);
        resolve(null);
      }, waitMs);
      this.waiting.push(w);
    });
  }

  /** Give back a ticket's slot with what became of its query ("none": not a fact about the resolver). */
  release(ticket: number, outcome: LimiterOutcome | "none"): void {
    this.active--;
    if (outcome !== "none") this.record(ticket, outcome === "failure");
    this.wake();
  }

  /** Refuse every waiter (the client is closing). */
  cancelAll(): void {
    for (const w of this.waiting.splice(0)) {
      if (w.timer) clearTimeout(w.timer);
      w.grant(null);
    }
  }

  private record(ticket: number, failed: boolean): void {
    if (this.recentCount === WINDOW) this.recentFailures -= this.recent[this.recentNext]!;
    else this.recentCount++;
    this.recent[this.recentNext] = failed ? 1 : 0;
    this.recentNext = (this.recentNext + 1) % WINDOW;
    if (failed) this.recentFailures++;
    if (!failed) {
      if (this.current < this.max) this.current = Math.min(this.max, this.current + 1 / this.current);
      return;
    }
    if (this.recentFailures * 2 >= WINDOW && ticket > this.decreasedAt) {
      this.current = Math.max(this.min, Math.floor(this.current / 2));
      this.lowest = Math.min(this.lowest, this.limit);
      this.decreasedAt = this.nextTicket - 1;
    }
  }

  private wake(): void {
    while (this.waiting.length > 0 && this.active < this.limit) {
      const w = this.waiting.shift()!;
      if (w.timer) clearTimeout(w.timer);
      this.active++;
      w.grant(this.nextTicket++);
    }
  }
}
