import { basename, resolve } from 'node:path';
import { discoverSlides } from '../../core/dataset/discovery.js';
import { openSlide } from '../../core/slide/index.js';
import type { SlideMaskReport } from '../../core/tissue/build-mask.js';
import { resolveCacheDir } from '../../core/tissue/cache-dir.js';
import { buildMasks, type MaskPoolEvent } from '../../core/tissue/mask-pool.js';
import {
  resolveTissueMaskParameters,
  TISSUE_DETECTORS,
  type TissueDetector,
} from '../../core/tissue/tissue-mask.js';
import { parseArgs, UsageError } from '../args.js';
import { runGuarded, USER_ERROR_EXIT_CODE } from '../guard.js';
import type { CliIo } from '../run.js';

export const MASKS_USAGE = `Usage: histo-fetch masks <folder>... [options]

Builds (or reuses) the tissue mask of every slide in the folders and prints, per slide: quickhash,
outcome, tissue fraction, mask bytes and milliseconds.

Options:
  --detector otsu-red|saturation  tissue detector (default otsu-red)
  --json                          print one JSON document instead of lines
  --overlay <dir>                 write each thumbnail with its mask outline as PNG into <dir>
  --cache <dir>                   cache folder (default $XDG_CACHE_HOME/histo-fetch or ~/.cache/histo-fetch)
  --workers <n>                   worker threads (default: number of cores)
  -h, --help                      show this help

Exit status: 0 when every slide has a mask, 1 when a slide is unreadable or a file or folder was
skipped (each is reported with its reason), 2 on a usage error.
`;

const FLAGS = {
  detector: { type: 'string' },
  json: { type: 'boolean' },
  overlay: { type: 'string' },
  cache: { type: 'string' },
  workers: { type: 'integer' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `histo-fetch masks <folder>...`: exit 0 when every slide got a mask, 1 when a slide or folder had a problem. */
export function masksCommand(args: string[], io: CliIo): Promise<number> {
  return runGuarded('masks', MASKS_USAGE, io, async () => {
    const { flags, positionals } = parseArgs(args, FLAGS);
    if (flags.help) {
      io.stdout.write(MASKS_USAGE);
      return 0;
    }
    if (positionals.length === 0) throw new UsageError('give at least one folder');
    const detector = flags.detector ?? 'otsu-red';
    if (!TISSUE_DETECTORS.includes(detector as TissueDetector)) {
      throw new UsageError(`--detector must be one of ${TISSUE_DETECTORS.join(', ')}, not '${detector}'`);
    }
    if (flags.workers !== undefined && flags.workers < 1) {
      throw new UsageError(`--workers must be a positive integer, not ${flags.workers}`);
    }
    return buildAndReport(
      positionals.map((folder) => resolve(folder)),
      {
        detector: detector as TissueDetector,
        json: flags.json === true,
        overlayDir: flags.overlay === undefined ? null : resolve(flags.overlay),
        cacheDir: resolveCacheDir(flags.cache),
        workers: flags.workers,
      },
      io,
    );
  });
}

interface MasksOptions {
  readonly detector: TissueDetector;
  readonly json: boolean;
  readonly overlayDir: string | null;
  readonly cacheDir: string;
  readonly workers: number | undefined;
}

async function buildAndReport(folders: string[], options: MasksOptions, io: CliIo): Promise<number> {
  const { cacheDir } = options;
  const params = resolveTissueMaskParameters({ detector: options.detector });
  const progress = createProgress(io);
  progress.status('searching for slides');
  const discovery = await discoverSlides(folders, { openSlide: (path) => openSlide(path) });
  progress.clear();
  if (!options.json)
    for (const problem of discovery.problems) io.stderr.write(`skipped  ${problem.reason}\n`);

  const job = buildMasks(
    discovery.slides.map((s) => s.path),
    { cacheDir, params, workers: options.workers, overlayDir: options.overlayDir },
    (event) => {
      progress.event(event);
      if (!options.json && event.type !== 'started') {
        progress.clear();
        io.stdout.write(`${formatReport(event.report)}\n`);
        if (event.overlayError) io.stderr.write(`overlay  ${event.path}: ${event.overlayError}\n`);
      }
    },
  );
  const stop = (): void => void job.cancel();
  process.once('SIGINT', stop);
  const summary = await job.done;
  process.removeListener('SIGINT', stop);
  progress.clear();

  const failed = summary.reports.filter((r) => r.outcome === 'unreadable').length;
  if (options.json) {
    io.stdout.write(
      `${JSON.stringify(
        {
          cacheDir,
          parameters: params,
          slides: summary.reports.map(jsonReport),
          problems: discovery.problems,
          cancelled: summary.cancelled,
          wallMs: Math.round(summary.wallMs),
          workers: summary.workers,
        },
        null,
        2,
      )}\n`,
    );
  } else {
    for (const report of summary.reports.filter((r) => r.outcome === 'no-tissue')) {
      io.stderr.write(`warning  ${report.path}: no tissue found; it is left out of sampling\n`);
    }
    const built = summary.reports.filter((r) => !r.fromCache && r.outcome !== 'unreadable').length;
    const cached = summary.reports.filter((r) => r.fromCache).length;
    io.stdout.write(
      `${summary.reports.length} slide(s): ${built} built, ${cached} from cache, ${failed} unreadable; ` +
        `${discovery.problems.length} other file(s) or folder(s) skipped; ${Math.round(summary.wallMs)} ms ` +
        `on ${summary.workers} worker(s); cache ${cacheDir}${summary.cancelled ? '; CANCELLED' : ''}\n`,
    );
  }
  return failed > 0 || discovery.problems.length > 0 || summary.cancelled ? USER_ERROR_EXIT_CODE : 0;
}

function formatReport(report: SlideMaskReport): string {
  const hash = (report.quickhash ?? '-').slice(0, 12).padEnd(12);
  if (report.outcome === 'unreadable') {
    return `${hash}  ${'unreadable'.padEnd(10)}  ${report.error?.message ?? report.path}`;
  }
  const m = report.metadata!;
  const fraction = `${(m.tissueFraction * 100).toFixed(1)}%`.padStart(6);
  const bytes = `${m.maskBytes} B`.padStart(8);
  const ms = `${Math.round(report.fromCache ? report.ms : m.buildMs)} ms`.padStart(8);
  const source = report.fromCache ? 'cached' : 'built ';
  return `${hash}  ${report.outcome.padEnd(10)}  ${fraction}  ${bytes}  ${ms}  ${source}  ${report.path}`;
}

function jsonReport(report: SlideMaskReport): Record<string, unknown> {
  return {
    path: report.path,
    quickhash: report.quickhash,
    outcome: report.outcome,
    fromCache: report.fromCache,
    tissueFraction: report.metadata?.tissueFraction ?? null,
    threshold: report.metadata?.threshold ?? null,
    maskBytes: report.metadata?.maskBytes ?? null,
    buildMs: report.metadata?.buildMs ?? null,
    ms: Math.round(report.ms * 10) / 10,
    maskPath: report.maskPath,
    thumbnailPath: report.thumbnailPath,
    error: report.error,
  };
}

interface Progress {
  status(text: string): void;
  event(event: MaskPoolEvent): void;
  clear(): void;
}

/** A one-line progress bar on a terminal's stderr; nothing otherwise (the per-slide lines are the progress). */
function createProgress(io: CliIo): Progress {
  const stream = io.stderr as NodeJS.WriteStream;
  if (!stream.isTTY) return { status: () => undefined, event: () => undefined, clear: () => undefined };
  let shown = false;
  const draw = (text: string): void => {
    const width = Math.max(20, (stream.columns ?? 80) - 1);
    stream.write(`\r${text.slice(0, width).padEnd(width)}`);
    shown = true;
  };
  return {
    status: (text) => draw(text),
    event: (event) => {
      const barWidth = 24;
      const filled = event.total === 0 ? barWidth : Math.round((event.finished / event.total) * barWidth);
      const label =
        event.type === 'started'
          ? `building ${basename(event.path)}`
          : `${event.type} ${basename(event.path)}`;
      draw(
        `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ${event.finished}/${event.total} ${label}`,
      );
    },
    clear: () => {
      if (!shown) return;
      stream.write(`\r${' '.repeat(Math.max(20, (stream.columns ?? 80) - 1))}\r`);
      shown = false;
    },
  };
}
