/** Machine load accounting for benchmarks on a shared machine (Linux /proc/stat; null elsewhere). */
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** Busy CPU seconds of the whole machine so far, or null when /proc/stat is unavailable. */
export function machineBusySeconds(): number | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8')
      .split('\n', 1)[0]!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const [user, nice, system, , , irq, softirq, steal] = fields;
    return (
      ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) /
      TICKS_PER_SECOND
    );
  } catch {
    return null;
  }
}

/** This process's CPU seconds (all threads, including the libuv pool). */
export function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** Cores other processes kept busy over a window, from the two samples and our own CPU use. */
export function otherCores(
  busyBefore: number | null,
  busyAfter: number | null,
  ownCpu: number,
  wallSeconds: number,
): number | null {
  if (busyBefore === null || busyAfter === null || wallSeconds <= 0) return null;
  return Math.max(0, (busyAfter - busyBefore - ownCpu) / wallSeconds);
}

/** Cores other processes use over a short window (null when unknown). */
export async function sampleOtherLoad(windowMs: number): Promise<number | null> {
  const busy = machineBusySeconds();
  const cpu = ownCpuSeconds();
  const start = performance.now();
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  return otherCores(busy, machineBusySeconds(), ownCpuSeconds() - cpu, (performance.now() - start) / 1000);
}

/** Waits until other processes use fewer than `maxCores` cores; false if they never did within `timeoutS`. */
export async function waitForQuiet(maxCores: number, timeoutS: number): Promise<boolean> {
  const deadline = performance.now() + timeoutS * 1000;
  do {
    const load = await sampleOtherLoad(500);
    if (load === null || load < maxCores) return true;
  } while (performance.now() < deadline);
  return false;
}
