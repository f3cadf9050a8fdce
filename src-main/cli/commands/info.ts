import { openSlide, type SlideInfo } from '../../core/slide/index.js';
import { UsageError, parseArgs } from '../args.js';
import { runGuarded } from '../guard.js';
import type { CliIo } from '../run.js';

export const INFO_USAGE = `Usage: histo-fetch info <slide> [--json] [--properties]

Prints what OpenSlide knows about a slide: vendor, quickhash, pyramid levels (size, downsample), microns
per pixel, objective power, property count and associated images.

Options:
  --json         print JSON instead of text
  --properties   also print every OpenSlide property
  -h, --help     show this help
`;

const FLAGS = {
  json: { type: 'boolean' },
  properties: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The JSON `histo-fetch info --json` prints for one slide. */
export interface SlideInfoReport {
  readonly path: string;
  readonly vendor: string | null;
  readonly quickhash: string;
  readonly levels: ReadonlyArray<{ level: number; width: number; height: number; downsample: number }>;
  readonly mppX: number | null;
  readonly mppY: number | null;
  readonly objectivePower: number | null;
  readonly propertyCount: number;
  readonly associatedImages: readonly string[];
  readonly properties?: Readonly<Record<string, string>>;
}

/** Builds the report from a slide's info. */
export function infoReport(info: SlideInfo, withProperties: boolean): SlideInfoReport {
  return {
    path: info.path,
    vendor: info.vendor,
    quickhash: info.quickhash,
    levels: info.levels.map((l, level) => ({
      level,
      width: l.width,
      height: l.height,
      downsample: l.downsample,
    })),
    mppX: info.mppX,
    mppY: info.mppY,
    objectivePower: info.objectivePower,
    propertyCount: Object.keys(info.properties).length,
    associatedImages: info.associatedImages,
    ...(withProperties ? { properties: info.properties } : {}),
  };
}

/** Human-readable form of the report. */
export function formatInfo(report: SlideInfoReport): string {
  const row = (label: string, value: string): string => `  ${label.padEnd(18)}${value}\n`;
  const mpp = report.mppX === null ? 'unknown' : `${report.mppX} x ${report.mppY ?? report.mppX} um/px`;
  let text = `${report.path}\n`;
  text += row('vendor', report.vendor ?? 'unknown');
  text += row('quickhash', report.quickhash);
  text += row('mpp', mpp);
  text += row('objective power', report.objectivePower === null ? 'unknown' : `${report.objectivePower}x`);
  text += row('properties', String(report.propertyCount));
  text += row(
    'associated images',
    report.associatedImages.length ? report.associatedImages.join(', ') : 'none',
  );
  text += row('levels', String(report.levels.length));
  for (const l of report.levels) {
    text += row(
      `  level ${l.level}`,
      `${l.width} x ${l.height}  downsample ${Number(l.downsample.toFixed(4))}`,
    );
  }
  if (report.properties) {
    text += '  properties:\n';
    for (const [name, value] of Object.entries(report.properties))
      text += `    ${name} = ${JSON.stringify(value)}\n`;
  }
  return text;
}

/** `histo-fetch info <slide> [--json] [--properties]` */
export function infoCommand(args: string[], io: CliIo): Promise<number> {
  return runGuarded('info', INFO_USAGE, io, async () => {
    const { flags, positionals } = parseArgs(args, FLAGS);
    if (flags.help) {
      io.stdout.write(INFO_USAGE);
      return 0;
    }
    if (positionals.length !== 1) {
      throw new UsageError(
        positionals.length === 0 ? 'a slide path is required' : 'give exactly one slide path',
      );
    }
    const slide = await openSlide(positionals[0]!);
    try {
      const report = infoReport(slide.info, flags.properties === true);
      io.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatInfo(report));
    } finally {
      slide.close();
    }
    return 0;
  });
}
