import { describe, expect, it } from 'vitest';
import { Poller, type PollerEnv } from './poller';

function fakeEnv() {
  let visible = true;
  let listener: (() => void) | null = null;
  const timers = new Map<number, () => void>();
  const delays: number[] = [];
  let next = 1;
  const env: PollerEnv = {
    setTimer: (callback, ms) => {
      delays.push(ms);
      timers.set(next, callback);
      return next++;
    },
    clearTimer: (handle) => void timers.delete(handle as number),
    visible: () => visible,
    onVisibilityChange: (callback) => {
      listener = callback;
      return () => (listener = null);
    },
  };
  return {
    env,
    pending: () => timers.size,
    fire: async () => {
      const [id, callback] = [...timers.entries()][0]!;
      timers.delete(id);
      callback();
      await new Promise((resolve) => setTimeout(resolve, 0));
    },
    setVisible: async (value: boolean) => {
      visible = value;
      listener?.();
      await new Promise((resolve) => setTimeout(resolve, 0));
    },
    listening: () => listener !== null,
    delays,
  };
}

describe('Poller', () => {
  it('runs the task on every tick while visible', async () => {
    const fake = fakeEnv();
    let runs = 0;
    const poller = new Poller(async () => void (runs += 1), 4000, fake.env);
    poller.start();
    expect(fake.pending()).toBe(1);
    await fake.fire();
    await fake.fire();
    expect(runs).toBe(2);
    expect(fake.pending()).toBe(1);
  });

  it('sleeps while hidden and runs at once when visible again', async () => {
    const fake = fakeEnv();
    let runs = 0;
    const poller = new Poller(async () => void (runs += 1), 4000, fake.env);
    poller.start();
    await fake.setVisible(false);
    expect(fake.pending()).toBe(0);
    await fake.setVisible(true);
    expect(runs).toBe(1);
    expect(fake.pending()).toBe(1);
  });

  it('never runs twice at once, keeps going after a failure, and stops for good', async () => {
    const fake = fakeEnv();
    let release: () => void = () => undefined;
    let runs = 0;
    const poller = new Poller(
      () => {
        runs += 1;
        return runs === 1 ? new Promise<void>((resolve) => (release = resolve)) : Promise.reject(new Error('down'));
      },
      4000,
      fake.env,
    );
    poller.start();
    const first = poller.now();
    const joined = poller.now();
    expect(runs).toBe(1);
    release();
    await Promise.all([first, joined]);
    await poller.now();
    expect(runs).toBe(2);
    expect(fake.pending()).toBe(1);
    poller.stop();
    expect(fake.pending()).toBe(0);
    expect(fake.listening()).toBe(false);
  });

  it('waits longer when the task asks to', async () => {
    const fake = fakeEnv();
    const asks = [30_000, undefined];
    const poller = new Poller(async () => asks.shift(), 4000, fake.env);
    poller.start();
    await poller.now();
    await fake.fire();
    expect(fake.delays).toEqual([4000, 30_000, 4000]);
  });

  it('runs once more for news that came during a run, and leaves a hidden page until it is visible', async () => {
    const fake = fakeEnv();
    const releases: (() => void)[] = [];
    let runs = 0;
    const poller = new Poller(
      () => {
        runs += 1;
        return new Promise<void>((resolve) => releases.push(resolve));
      },
      4000,
      fake.env,
    );
    poller.start();
    poller.nudge();
    poller.nudge();
    poller.nudge();
    expect(runs).toBe(1);
    releases.shift()!();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(runs).toBe(2);
    releases.shift()!();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(runs).toBe(2);
    expect(fake.pending()).toBe(1);
    await fake.setVisible(false);
    poller.nudge();
    expect(runs).toBe(2);
    await fake.setVisible(true);
    expect(runs).toBe(3);
    releases.shift()!();
    poller.stop();
  });
});
