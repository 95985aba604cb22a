/**
 * Puts items that arrive nearly in order back in order with bounded memory: items carry their position (0, 1,
 * 2, ...); an item is released when every earlier position has been; when more than `window` items wait, the
 * earliest waiting one is released anyway (order is then best effort: e.g. a resumed scan's re-planned
 * domains). Items without a position pass straight through.
 */
export class ListOrder<T> {
  private next = 0;
  private readonly waiting = new Map<number, T>();

  constructor(private readonly window: number) {}

  /** The items that can go now, in order. */
  add(position: number | undefined, item: T): T[] {
    if (position === undefined) return [item];
    const out: T[] = [];
    if (position < this.next) out.push(item);
    else this.waiting.set(position, item);
    this.release(out);
    if (this.waiting.size > this.window) {
      let min = Number.POSITIVE_INFINITY;
      for (const k of this.waiting.keys()) if (k < min) min = k;
      this.next = min;
      this.release(out);
    }
    return out;
  }

  /** Everything still waiting, in position order. */
  drain(): T[] {
    const out = [...this.waiting.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
    this.waiting.clear();
    return out;
  }

  private release(out: T[]): void {
    for (let item = this.waiting.get(this.next); item !== undefined; item = this.waiting.get(this.next)) {
      out.push(item);
      this.waiting.delete(this.next);
      this.next++;
    }
  }
}
