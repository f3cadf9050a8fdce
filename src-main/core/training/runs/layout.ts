import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/**
 * The files of a run folder (DESIGN.md "Storage"): the validated config, metrics and the patch manifest
 * as JSON lines, sample grids by step, checkpoints by step with a `latest` pointer, exported generators.
 */
export function runPaths(runDir: string) {
  return {
    root: runDir,
    config: join(runDir, 'config.json'),
    metrics: join(runDir, 'metrics.jsonl'),
    patches: join(runDir, 'patches.jsonl'),
    samples: join(runDir, 'samples'),
    sample: (step: number) => join(runDir, 'samples', `${step}.png`),
    checkpoints: join(runDir, 'checkpoints'),
    checkpoint: (step: number) => join(runDir, 'checkpoints', String(step)),
    latest: join(runDir, 'checkpoints', 'latest'),
    export: join(runDir, 'export'),
  } as const;
}

export type RunPaths = ReturnType<typeof runPaths>;

/**
 * Where runs go when the user names no folder: `$XDG_DATA_HOME/histo-fetch/runs`, else
 * `~/.local/share/histo-fetch/runs` (the XDG default).
 */
export function defaultRunsDir(
  env: Readonly<Record<string, string | undefined>> = process.env,
  home: string = homedir(),
): string {
  const xdg = env['XDG_DATA_HOME'];
  // The XDG spec says relative values are invalid and must be ignored.
  if (xdg !== undefined && xdg !== '' && isAbsolute(xdg)) return join(xdg, 'histo-fetch', 'runs');
  return join(home, '.local', 'share', 'histo-fetch', 'runs');
}

/** A new run's folder name: model, preset and the local start time, e.g. `cyclegan-small-20250101-120000`. */
export function newRunName(model: string, preset: string, now: Date = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  const stamp =
    `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-` +
    `${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  return `${model}-${preset}-${stamp}`;
}
