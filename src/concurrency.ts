/** Runs at most `limit` tasks at once; the others wait in arrival order. */
export class ConcurrencyLimiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {}

  /** Tasks currently running. */
  get running(): number {
    return this.active;
  }

  /** Runs `task` when a slot is free and resolves with its result. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active < this.limit) this.active++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, so `active` only drops when nobody waits.
      if (next) next();
      else this.active--;
    }
  }
}

/** Runs `work` on every item, at most `limit` at a time, starting items in order. */
export async function forEachLimited<Item>(items: readonly Item[], limit: number, work: (item: Item) => Promise<void>): Promise<void> {
  const limiter = new ConcurrencyLimiter(limit);
  await Promise.all(items.map((item) => limiter.run(() => work(item))));
}
