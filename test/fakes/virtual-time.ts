/**
 * Virtual time for tests of pacing shared by several actors (two clients, several lanes): sleeping
 * registers a timer, and the clock jumps to the earliest timer only once everything else has run
 * (every pending microtask, and, when `busy` says so, every real request in flight), so a sleeper
 * never moves the clock under an actor that is still working at the current instant.
 */
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { Clock } from "../../functions/adapters/smartassist/clock.js";

export interface VirtualTime extends Clock {
  /** Every instant the clock was set to by a sleep, in order. */
  readonly jumps: number[];
  /** Stops watching real requests. */
  close(): void;
}

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
  reject: (reason: unknown) => void;
}

export interface VirtualTimeOptions {
  /** Also wait for real HTTP requests (undici's) to be answered before moving the clock. */
  waitForHttp?: boolean;
}

export function virtualTime(start: number, options: VirtualTimeOptions = {}): VirtualTime {
  let now = start;
  let seq = 0;
  const timers: Timer[] = [];
  const jumps: number[] = [];
  let scheduled = false;
  let inFlight = 0;
  const created = () => {
    inFlight++;
  };
  const ended = () => {
    inFlight--;
  };
  if (options.waitForHttp) {
    subscribe("undici:request:create", created);
    subscribe("undici:request:trailers", ended);
    subscribe("undici:request:error", ended);
  }

  const pump = () => {
    scheduled = false;
    if (timers.length === 0) return;
    if (inFlight > 0) {
      // A request is out: its answer comes at the current instant, whatever anyone sleeps for.
      schedule(true);
      return;
    }
    timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const timer = timers.shift() as Timer;
    if (timer.at > now) {
      now = timer.at;
      jumps.push(now);
    }
    timer.resolve();
    if (timers.length > 0) schedule(false);
  };
  function schedule(waitForIo: boolean): void {
    if (scheduled) return;
    scheduled = true;
    // setImmediate runs after every microtask; a real wait lets sockets make progress meanwhile.
    if (waitForIo) setTimeout(pump, 1);
    else setImmediate(pump);
  }

  return {
    jumps,
    now: () => now,
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const timer: Timer = { at: now + Math.max(0, ms), seq: seq++, resolve, reject };
        timers.push(timer);
        signal?.addEventListener(
          "abort",
          () => {
            const i = timers.indexOf(timer);
            if (i >= 0) timers.splice(i, 1);
            reject(signal.reason);
          },
          { once: true },
        );
        schedule(false);
      });
    },
    close() {
      if (options.waitForHttp) {
        unsubscribe("undici:request:create", created);
        unsubscribe("undici:request:trailers", ended);
        unsubscribe("undici:request:error", ended);
      }
    },
  };
}
