/**
 * What `train`, `resume` and `demo` print while a run trains: the backend choice with the reasons for the
 * others, a live progress line on a terminal (plain lines otherwise), and Ctrl-C handling (the first stops
 * gracefully with a checkpoint, the second aborts).
 */
import type { StepMetrics } from '../../core/training/runs/metrics.js';
import type { RunBackend } from '../../core/training/runs/run-config.js';
import type { TrainingJob, TrainingResult } from '../../core/training/trainer/trainer.js';
import type { CliIo } from '../run.js';

/** Seconds between plain progress lines when stdout is not a terminal. */
const PLAIN_INTERVAL_MS = 2000;
/** Redraws of the live line at most this often. */
const LIVE_INTERVAL_MS = 100;

/** The backend line and one line per candidate not used. */
export function describeBackend(backend: RunBackend): string {
  const lines = [`backend   ${backend.chosen} on ${backend.device} (requested: ${backend.requested})`];
  for (const [name, reason] of Object.entries(backend.reasons)) lines.push(`          ${name}: ${reason}`);
  return `${lines.join('\n')}\n`;
}

/** One progress line: step, the main losses, images/s, data-wait share and ETA. */
export function progressLine(
  m: StepMetrics,
  totalSteps: number | null,
  etaSeconds: number | null,
  waitShare: number,
): string {
  const l = m.losses;
  const losses =
    'cycleA' in l
      ? `G ${fmt(l['generatorTotal'])} D ${fmt((l['discriminatorA'] ?? 0) + (l['discriminatorB'] ?? 0))} ` +
        `cycle ${fmt((l['cycleA'] ?? 0) + (l['cycleB'] ?? 0))}`
      : `D ${fmt(l['criticTotal'])} G ${fmt(l['generator'])} GP ${fmt(l['gradientPenalty'])}` +
        (m.progan
          ? ` ${m.progan.resolution}px${m.progan.fading ? ` fade ${m.progan.alpha.toFixed(2)}` : ''}`
          : '');
  const eta = etaSeconds === null ? '' : `  ETA ${duration(etaSeconds)}`;
  return (
    `step ${m.step}${totalSteps === null ? '' : `/${totalSteps}`}  ${losses}  ${m.imagesPerSecond.toFixed(1)} img/s  ` +
    `sampler ${m.samplerPatchesPerSecond.toFixed(0)} patches/s  data-wait ${(waitShare * 100).toFixed(1)}%${eta}`
  );
}

export interface FollowOptions {
  /** Print only excluded slides and problems of the dataset, not every mask. */
  readonly quietData?: boolean;
  /** The run stops by wall time, not at its step count: show neither the total nor an ETA. */
  readonly untimed?: boolean;
}

/** Follows a job's events on the CLI's output; returns a function that ends the live line. */
export function followJob(job: TrainingJob, io: CliIo, options: Readonly<FollowOptions> = {}): () => void {
  const tty = (io.stdout as NodeJS.WriteStream).isTTY === true;
  let totalSteps = 0;
  let startStep = 0;
  let startedAt = 0;
  let waitMs = 0;
  let busyMs = 0;
  let lastDraw = 0;
  let liveShown = false;
  const endLive = (): void => {
    if (liveShown) io.stdout.write('\n');
    liveShown = false;
  };
  const say = (text: string): void => {
    endLive();
    io.stdout.write(text);
  };
  job.on('data', (e) => {
    // Slides found are listed by their masks; masks only unless asked to be quiet.
    if (e.kind === 'slide' || (options.quietData && e.kind === 'mask')) return;
    say(`${e.kind.padEnd(9)} ${e.message}\n`);
  });
  job.on('backend', (b) => say(describeBackend(b)));
  job.on('started', (s) => {
    totalSteps = s.steps;
    startStep = s.step;
    startedAt = performance.now();
    say(`run       ${s.runDir} (${s.config.model}, ${s.config.preset}, step ${s.step} of ${s.steps})\n`);
  });
  job.on('step', (m) => {
    waitMs += m.dataWaitMs;
    busyMs += m.stepMs;
    const now = performance.now();
    const done = m.step - startStep;
    const eta =
      done > 0 && !options.untimed ? ((now - startedAt) / 1000 / done) * (totalSteps - m.step) : null;
    const total = options.untimed ? null : totalSteps;
    const line = progressLine(m, total, eta, waitMs / Math.max(1e-9, waitMs + busyMs));
    if (tty) {
      if (now - lastDraw < LIVE_INTERVAL_MS && m.step !== totalSteps) return;
      io.stdout.write(`\r\x1b[2K${line}`);
      liveShown = true;
    } else {
      if (now - lastDraw < PLAIN_INTERVAL_MS && m.step !== totalSteps && m.step !== startStep + 1) return;
      io.stdout.write(`${line}\n`);
    }
    lastDraw = now;
  });
  job.on('checkpoint', (c) => {
    if (!tty) io.stdout.write(`checkpoint step ${c.step}: ${c.folder}\n`);
  });
  return endLive;
}

/**
 * Ctrl-C (SIGINT) stops the job gracefully; a second Ctrl-C aborts the process (exit 130). Returns a
 * function that removes the handler.
 */
export function stopOnInterrupt(job: TrainingJob, io: CliIo, beforeMessage: () => void): () => void {
  let interrupts = 0;
  const onInterrupt = (): void => {
    interrupts++;
    beforeMessage();
    if (interrupts === 1) {
      io.stderr.write('stopping after this step and writing a checkpoint (Ctrl-C again to abort)\n');
      void job.stop();
    } else {
      io.stderr.write('aborted\n');
      process.exit(130);
    }
  };
  process.on('SIGINT', onInterrupt);
  return () => process.off('SIGINT', onInterrupt);
}

/** The closing lines: how the run ended, its folders and files. */
export function describeResult(result: TrainingResult): string {
  const lines = [
    `${result.reason === 'completed' ? 'completed' : 'stopped'} at step ${result.step}`,
    `run folder        ${result.runDir}`,
  ];
  if (result.checkpoint) lines.push(`latest checkpoint ${result.checkpoint}`);
  if (result.sample) lines.push(`latest samples    ${result.sample}`);
  for (const g of result.exported) lines.push(`exported          ${g.folder}`);
  return `${lines.join('\n')}\n`;
}

function fmt(x: number | undefined): string {
  return x === undefined ? '-' : x.toFixed(3);
}

function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
