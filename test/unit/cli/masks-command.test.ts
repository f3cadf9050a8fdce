import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../../src-main/cli/commands/index.js';
import { runCli } from '../../../src-main/cli/run.js';
import { buildSlideCatalog } from '../../../src-main/core/dataset/catalog.js';
import { samplerDatasetFromMasks } from '../../../src-main/core/sampling/mask-dataset.js';
import type { SlideTissueReport } from '../../../src-main/core/sampling/patch-sampler.js';
import { openSlide } from '../../../src-main/core/slide/index.js';
import { loadTissueIndex } from '../../../src-main/core/tissue/load-tissue-index.js';
import { MaskCache } from '../../../src-main/core/tissue/mask-cache.js';
import { buildMasks } from '../../../src-main/core/tissue/mask-pool.js';
import { vipsProblem, writeBlankSlide } from '../core/tissue/blank-slide.js';
import { fixtureSlide } from '../core/tissue/fixtures.js';
import { spawnCli } from './spawn-cli.js';

/** Runs the CLI in-process with captured output; `tty` makes stderr look like a terminal. */
async function cli(args: string[], tty = false): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (text: string) => void) =>
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        append(chunk.toString());
        callback();
      },
    });
  const err = sink((t) => (stderr += t));
  if (tty) Object.assign(err, { isTTY: true, columns: 100 });
  const code = await runCli(args, { stdout: sink((t) => (stdout += t)), stderr: err });
  return { code, stdout, stderr };
}

describe('histo-fetch masks', () => {
  let root: string;
  let cacheDir: string;
  let slides: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'histo-fetch-cli-masks-'));
    cacheDir = join(root, 'cache');
    slides = join(root, 'slides');
    await mkdir(slides);
    await symlink(fixtureSlide('cmu-1-small-region.svs'), join(slides, 'cmu.svs'));
    await symlink(fixtureSlide('bad/unreadable.svs'), join(slides, 'corrupt.svs'));
    await writeFile(join(slides, 'readme.txt'), 'not a slide');
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('prints one line per slide, reports the rest, and exits 1 because one slide is unreadable', async () => {
    const run = await cli(['masks', slides, '--cache', cacheDir, '--workers', '2']);
    expect(run.code).toBe(1);
    const lines = run.stdout.trim().split('\n');
    expect(lines.find((l) => l.endsWith('cmu.svs'))).toMatch(
      /^6335ea0e6cc5 {2}ok +29\.\d% +\d+ B +\d+ ms {2}built +\//,
    );
    expect(lines.find((l) => l.includes('corrupt.svs'))).toMatch(/unreadable.*corrupt\.svs/);
    expect(lines.at(-1)).toMatch(/^2 slide\(s\): 1 built, 0 from cache, 1 unreadable; 1 other file/);
    expect(run.stderr).toMatch(/skipped {2}.*readme\.txt: not a slide/);
  });

  it('reuses the masks on a second run and prints JSON with --json', async () => {
    const run = await cli(['masks', slides, '--cache', cacheDir, '--json', '--detector', 'otsu-red']);
    const out = JSON.parse(run.stdout) as {
      slides: {
        path: string;
        outcome: string;
        fromCache: boolean;
        maskBytes: number | null;
        tissueFraction: number;
      }[];
      problems: { kind: string }[];
    };
    const cmu = out.slides.find((s) => s.path.endsWith('cmu.svs'))!;
    expect(cmu).toMatchObject({ outcome: 'ok', fromCache: true });
    expect(cmu.tissueFraction).toBeCloseTo(0.2946, 2);
    expect(cmu.maskBytes).toBeGreaterThan(0);
    expect(out.problems.map((p) => p.kind)).toEqual(['not-a-slide']);
  });

  it('draws a progress bar when stderr is a terminal, and none otherwise', async () => {
    const onTerminal = await cli(['masks', slides, '--cache', cacheDir], true);
    expect(onTerminal.stderr).toMatch(/\r\[#{24}\] 2\/2 (cached|failed) /);
    const plain = await cli(['masks', slides, '--cache', cacheDir]);
    expect(plain.stderr).not.toMatch(/\r/);
  });

  it('writes overlays with --overlay', async () => {
    const overlay = join(root, 'overlay');
    await cli(['masks', slides, '--cache', cacheDir, '--overlay', overlay, '--detector', 'saturation']);
    expect(await readdir(overlay)).toEqual(['cmu.svs.6335ea0e6cc5.png']);
  });

  it('runs through the real launcher', async () => {
    const run = await spawnCli(['masks', slides, '--cache', cacheDir, '--json']);
    expect(run.code, run.stderr).toBe(1);
    const out = JSON.parse(run.stdout) as { slides: { outcome: string }[] };
    expect(out.slides.map((s) => s.outcome).sort()).toEqual(['ok', 'unreadable']);
    expect((await spawnCli(['masks', '--help'])).stdout).toMatch(/Usage: histo-fetch masks/);
  });

  it('rejects bad arguments with exit status 2 and the usage', async () => {
    for (const args of [
      ['masks'],
      ['masks', slides, '--detector', 'hsv'],
      ['masks', slides, '--workers', '0'],
    ]) {
      const run = await cli(args);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/Usage: histo-fetch masks/);
    }
  });
});

const blankProblem = vipsProblem();
if (blankProblem) console.warn(`blank glass slide test skipped: ${blankProblem}`);

describe.skipIf(blankProblem !== null)('histo-fetch masks on a blank glass slide', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'histo-fetch-cli-glass-'));
    await mkdir(join(root, 'slides'));
    await writeBlankSlide(join(root, 'slides', 'glass.tiff'), 'noise', 2400, 1800);
    await symlink(fixtureSlide('cmu-1-small-region.svs'), join(root, 'slides', 'cmu.svs'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reports it as no-tissue with a warning naming it, builds the real slide, and sampling leaves it out', async () => {
    const slides = join(root, 'slides');
    const cacheDir = join(root, 'cache');
    const run = await cli(['masks', slides, '--cache', cacheDir, '--workers', '2']);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines.find((l) => l.endsWith('glass.tiff'))).toMatch(/ no-tissue +0\.0% .* built +\//);
    expect(lines.find((l) => l.endsWith('cmu.svs'))).toMatch(/ ok +29\.\d% .* built +\//);
    expect(run.stderr).toContain(`warning  ${join(slides, 'glass.tiff')}: no tissue found`);

    // The sampler's view of the same dataset: the glass is left out with the reason, the real slide is used.
    const dataset = { domains: [{ name: 'H&E', folders: [slides] }] };
    const open = (path: string) => openSlide(path);
    const catalog = await buildSlideCatalog(dataset, { openSlide: open });
    const cache = new MaskCache({ cacheDir });
    const masks = buildMasks(
      catalog.domains[0]!.slides.map((s) => s.path),
      { cacheDir, workers: 1 },
    );
    const sampler = samplerDatasetFromMasks({
      catalog,
      masks: masks.results(),
      loadIndex: (report) => loadTissueIndex(report, cache),
      openSlide: open,
    });
    const reports: SlideTissueReport[] = [];
    for await (const report of sampler.reports) reports.push(report);
    const glass = reports.find((r) => r.path.endsWith('glass.tiff'))!;
    expect(glass).toMatchObject({ usable: false, code: 'NO_TISSUE' });
    expect(glass.usable === false && glass.message).toMatch(/glass\.tiff: no tissue found \(.*glass\)/);
    expect(reports.find((r) => r.path.endsWith('cmu.svs'))).toMatchObject({ usable: true });
  });
});

const LAUNCHER = fileURLToPath(new URL('../../../bin/histo-fetch.js', import.meta.url));
const NOBODY = 65534;

describe('histo-fetch masks on bad input', () => {
  it('reports each bad file and folder with its reason and name, and builds the good slide', async () => {
    const root = await mkdtemp(join(tmpdir(), 'histo-fetch-cli-bad-'));
    const good = join(root, 'good');
    const empty = join(root, 'empty');
    const closed = join(root, 'closed');
    const cache = join(root, 'cache');
    try {
      await chmod(root, 0o755);
      for (const dir of [good, empty, closed, cache]) await mkdir(dir);
      await chmod(cache, 0o777);
      await copyFile(fixtureSlide('cmu-1-small-region.svs'), join(good, 'cmu.svs'));
      await copyFile(fixtureSlide('bad/unopenable.tiff'), join(good, 'unopenable.tiff'));
      await copyFile(fixtureSlide('bad/unreadable.svs'), join(good, 'unreadable.svs'));
      await writeFile(join(good, 'notes.svs'), 'a text file with a slide name\n');
      await copyFile(fixtureSlide('tiny.svs'), join(closed, 'hidden.svs'));
      await chmod(closed, 0o000);
      // Root reads everything, so as root the CLI runs as the unprivileged user nobody.
      const asRoot = process.getuid?.() === 0;
      const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
        execFile(
          process.execPath,
          [LAUNCHER, 'masks', good, empty, closed, '--cache', cache, '--workers', '1'],
          {
            timeout: 60_000,
            env: { ...process.env, HOME: root },
            ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
          },
          (error, stdout, stderr) => {
            const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
            done({ code, stdout, stderr });
          },
        );
      });
      expect(run.code, run.stderr).toBe(1);
      const out = run.stdout.trim().split('\n');
      expect(out.find((l) => l.endsWith(join(good, 'cmu.svs')))).toMatch(/ ok +29\.\d% .* built +\//);
      expect(out.find((l) => l.includes('unreadable.svs'))).toContain(
        `unreadable  ${join(good, 'unreadable.svs')}: cannot read region x=0 y=0 level 0 16x16: Bogus marker length`,
      );
      expect(out.at(-1)).toMatch(
        /^2 slide\(s\): 1 built, 0 from cache, 1 unreadable; 4 other file\(s\) or folder/,
      );
      const skipped = run.stderr.split('\n').filter((l) => l.startsWith('skipped  '));
      expect(skipped).toEqual([
        `skipped  ${closed}: permission denied`,
        `skipped  ${empty}: the folder holds no files`,
        `skipped  ${join(good, 'notes.svs')}: not a slide (not a file that OpenSlide can recognize)`,
        `skipped  ${join(good, 'unopenable.tiff')}: cannot be opened: recognized as generic-tiff but OpenSlide ` +
          'cannot open it: Unsupported TIFF compression: 52479',
      ]);
    } finally {
      await chmod(closed, 0o755).catch(() => undefined);
      await rm(root, { recursive: true, force: true });
    }
  });
});
