/**
 * What a start has opened so far, closed again in reverse order when a later step fails: a
 * server that cannot listen (its port taken, say) must not leave Redis connections and
 * subscriptions behind that keep the process alive or a private redis-server running.
 */
export class OpenedResources {
  private readonly closers: (() => Promise<unknown> | void)[] = [];

  /** Registers how to close something just opened. */
  add(close: () => Promise<unknown> | void): void {
    this.closers.push(close);
  }

  /** Runs a step of the start; when it fails, closes everything opened before and rethrows. */
  async step<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      for (const close of this.closers.reverse()) {
        await Promise.resolve()
          .then(close)
          .catch(() => undefined);
      }
      this.closers.length = 0;
      throw err;
    }
  }
}
