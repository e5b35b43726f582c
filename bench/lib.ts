// Timing helpers for npm run bench: medians of repeated runs, in-process functions and
// external commands (the real kernel's tools, measured in the same run on the same machine).

import { spawnSync } from 'node:child_process';

export interface Figure {
  name: string;
  ms: number;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Median wall time of fn over runs, after warmup runs that are not counted. */
export function timeFn(fn: () => void, runs = 7, warmup = 2): number {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** Median wall time of a command with its stdout discarded, or undefined if it cannot run. */
export function timeCmd(cmd: string, args: string[], runs = 7): number | undefined {
  const times: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const t0 = performance.now();
    const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'ignore'] });
    const dt = performance.now() - t0;
    if (r.error || r.status !== 0) return undefined;
    if (i > 0) times.push(dt);
  }
  return median(times);
}

export function fmtMs(ms: number | undefined): string {
  return ms === undefined ? 'n/a' : `${ms.toFixed(1)} ms`;
}

/** "ours / theirs" as a ratio line: below 1 means faster than the reference. */
export function ratio(ours: number, theirs: number | undefined): string {
  return theirs === undefined ? '(reference not available here)' : `ratio ${(ours / theirs).toFixed(2)}x`;
}
