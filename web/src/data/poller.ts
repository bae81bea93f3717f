/**
 * The rhythm of live updates: a task run every few seconds while the page is visible, at once
 * when it becomes visible again, never twice at the same time. A hidden tab costs the servers
 * nothing; a task may ask for a longer wait before the next run (the server said to slow down).
 */

export interface PollerEnv {
  setTimer(callback: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  visible(): boolean;
  /** Calls back when the page's visibility changes; returns how to stop listening. */
  onVisibilityChange(callback: () => void): () => void;
}

export const LIVE_INTERVAL_MS = 4000;

export const browserEnv: PollerEnv = {
  setTimer: (callback, ms) => setTimeout(callback, ms),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  visible: () => typeof document === 'undefined' || document.visibilityState === 'visible',
  onVisibilityChange: (callback) => {
    document.addEventListener('visibilitychange', callback);
    return () => document.removeEventListener('visibilitychange', callback);
  },
};

export class Poller {
  private timer: unknown = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private unlisten: (() => void) | null = null;
  private wait: number;
  /** News came while a run was under way (which may have read what was before it). */
  private again = false;

  constructor(
    /** Resolves to how long to wait before the next run, when longer than the interval. */
    private readonly task: () => Promise<number | void>,
    private readonly intervalMs: number = LIVE_INTERVAL_MS,
    private readonly env: PollerEnv = browserEnv,
  ) {
    this.wait = intervalMs;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.unlisten = this.env.onVisibilityChange(() => {
      if (this.env.visible()) void this.now();
      else this.cancel();
    });
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.cancel();
    this.unlisten?.();
    this.unlisten = null;
  }

  /** Runs the task now (after a change the user made, say), or joins the run under way. */
  now(): Promise<void> {
    if (this.running) return this.running;
    this.cancel();
    this.running = this.task()
      .then(
        (delay) => void (this.wait = Math.max(this.intervalMs, delay ?? 0)),
        () => void (this.wait = this.intervalMs),
      )
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          void this.now();
        } else {
          this.schedule();
        }
      });
    return this.running;
  }

  /** Runs the task for news that just came (a frame of the live stream): now, or once more
   * after the run under way, which may have read the state before it. While polling, a hidden
   * page waits until it is visible again, when it runs anyway. */
  nudge(): void {
    if (!this.stopped && !this.env.visible()) return;
    if (this.running) this.again = true;
    else void this.now();
  }

  private schedule(): void {
    if (this.stopped || this.timer !== null || this.running || !this.env.visible()) return;
    this.timer = this.env.setTimer(() => {
      this.timer = null;
      void this.now();
    }, this.wait);
  }

  private cancel(): void {
    if (this.timer !== null) this.env.clearTimer(this.timer);
    this.timer = null;
  }
}
