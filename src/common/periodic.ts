/**
 * A background pass every `intervalMs`, never two at once (a slow pass makes
 * the next tick skip), stopped before the connections close: stop() clears the
 * timer and waits for a running pass. Used by the reconciler, the webhook sweep
 * and retention.
 */
export class Periodic {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly pass: () => Promise<unknown>,
    private readonly onError: (err: Error) => void,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => {
      this.running ??= this.pass()
        .catch((err: Error) => this.onError(err))
        .finally(() => (this.running = undefined));
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
