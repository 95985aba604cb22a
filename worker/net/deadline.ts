/**
 * A per-job deadline shared by every phase: each phase gets min(its own budget, what is left of the job's).
 * When the job's deadline is the tighter bound, a phase that runs out reports `deadline_exceeded` instead of
 * its own timeout name.
 */

export class Deadline {
  constructor(
    readonly at: number,
    private readonly now: () => number = Date.now,
  ) {}

  static after(ms: number, now: () => number = Date.now): Deadline {
    return new Deadline(now() + ms, now);
  }

  remaining(): number {
    return Math.max(0, this.at - this.now());
  }

  expired(): boolean {
    return this.remaining() <= 0;
  }

  /** The budget for a phase and whether the job deadline (not the phase timeout) is what binds it. */
  budget(phaseMs: number): { ms: number; byDeadline: boolean } {
    const left = this.remaining();
    return left < phaseMs ? { ms: left, byDeadline: true } : { ms: phaseMs, byDeadline: false };
  }
}
