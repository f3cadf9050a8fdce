import { spawnSync } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSlideCatalog } from '../../../../src-main/core/dataset/catalog.js';
import { discoverSlides, type DiscoveryResult } from '../../../../src-main/core/dataset/discovery.js';
import { openSlide } from '../../../../src-main/core/slide/index.js';
import { fixtureSlide } from '../tissue/fixtures.js';

const open = (path: string) => openSlide(path);
const NOBODY = 65534;

describe('slide discovery', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'histo-fetch-discovery-'));
    const he = join(root, 'he');
    await mkdir(join(he, 'nested'), { recursive: true });
    await symlink(fixtureSlide('tiny.svs'), join(he, 'tiny.svs'));
    // A slide with an extension OpenSlide does not list is still found by trying it.
    await copyFile(fixtureSlide('bracs-1640-crop.tiff'), join(he, 'nested', 'scan-0001.dat'));
    await symlink(fixtureSlide('bad/unopenable.tiff'), join(he, 'unopenable.tiff'));
    await symlink(fixtureSlide('bad/unreadable.svs'), join(he, 'unreadable.svs'));
    await writeFile(join(he, 'notes.txt'), 'stain batch 4\n');
    await writeFile(join(he, 'renamed-text.svs'), 'this is a text file, not a slide\n');
    await writeFile(join(he, '.hidden.svs'), 'ignored');
    // MIRAX layout: the .mrxs is the slide (here a broken one), its data folder is not searched.
    await writeFile(join(he, 'case-7.mrxs'), '[GENERAL]\n');
    await mkdir(join(he, 'case-7'));
    await writeFile(join(he, 'case-7', 'Slidedat.ini'), '[GENERAL]\n');
    await writeFile(join(he, 'case-7', 'Data0000.dat'), 'x');
    await mkdir(join(root, 'empty'));
    // A link to a slide that was moved away.
    await symlink(join(root, 'moved-away.svs'), join(he, 'dangling.svs'));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('finds every slide by trying each file, and reports every other file with its reason', async () => {
    const result = await discoverSlides([join(root, 'he')], { openSlide: open });
    expect(result.slides.map((s) => s.path)).toEqual([
      join(root, 'he', 'nested', 'scan-0001.dat'),
      join(root, 'he', 'tiny.svs'),
      // Opens (the header is fine); its pixel data is corrupt, which the mask build reports.
      join(root, 'he', 'unreadable.svs'),
    ]);
    const tiny = result.slides.find((s) => s.path.endsWith('tiny.svs'))!;
    expect(tiny).toMatchObject({ vendor: 'aperio', level0Width: 16, level0Height: 16, levelCount: 1 });
    expect(tiny.quickhash).toBe('1eaa4a1693dd7a48286bb6f3dd70457dab6bb6395f3071dfd7d80beb3f2dc4e4');
    const problems = Object.fromEntries(result.problems.map((p) => [p.path.slice(root.length + 4), p]));
    expect(Object.keys(problems).sort()).toEqual([
      'case-7.mrxs',
      'dangling.svs',
      'notes.txt',
      'renamed-text.svs',
      'unopenable.tiff',
    ]);
    expect(problems['notes.txt']).toMatchObject({ kind: 'not-a-slide' });
    expect(problems['renamed-text.svs']).toMatchObject({ kind: 'not-a-slide' });
    expect(problems['renamed-text.svs']!.reason).toContain(join(root, 'he', 'renamed-text.svs'));
    expect(problems['unopenable.tiff']).toMatchObject({ kind: 'unreadable' });
    expect(problems['unopenable.tiff']!.reason).toMatch(/generic-tiff.*Unsupported TIFF compression/);
    expect(['unreadable', 'not-a-slide']).toContain(problems['case-7.mrxs']!.kind);
    expect(problems['dangling.svs']).toEqual({
      path: join(root, 'he', 'dangling.svs'),
      kind: 'unreadable',
      reason: `${join(root, 'he', 'dangling.svs')}: broken link (its target ${join(root, 'moved-away.svs')} does not exist)`,
    });
  });

  it('reports an empty folder and a missing folder, and still returns the slides of the others', async () => {
    const result = await discoverSlides([join(root, 'empty'), join(root, 'missing'), join(root, 'he')], {
      openSlide: open,
    });
    expect(result.slides.length).toBe(3);
    expect(result.problems.find((p) => p.path === join(root, 'empty'))).toMatchObject({
      kind: 'folder-empty',
    });
    expect(result.problems.find((p) => p.path === join(root, 'missing'))).toMatchObject({
      kind: 'folder-missing',
      reason: `${join(root, 'missing')}: the folder does not exist`,
    });
    const file = await discoverSlides([fixtureSlide('tiny.svs')], { openSlide: open });
    expect(file.problems).toEqual([
      {
        path: fixtureSlide('tiny.svs'),
        kind: 'not-a-folder',
        reason: `${fixtureSlide('tiny.svs')}: not a folder`,
      },
    ]);
  });

  it('reports folders and files it may not read as permission denied (run as nobody)', async (context) => {
    if (process.getuid?.() !== 0) {
      context.skip();
      return;
    }
    const locked = await mkdtemp(join(tmpdir(), 'histo-fetch-perm-'));
    try {
      await chmod(locked, 0o755);
      await copyFile(fixtureSlide('tiny.svs'), join(locked, 'open.svs'));
      await copyFile(fixtureSlide('tiny.svs'), join(locked, 'secret.svs'));
      await chmod(join(locked, 'secret.svs'), 0o000);
      await mkdir(join(locked, 'closed'));
      await copyFile(fixtureSlide('tiny.svs'), join(locked, 'closed', 'inner.svs'));
      await chmod(join(locked, 'closed'), 0o000);
      // Root reads everything, so the check runs in a child process as the unprivileged user nobody.
      const script = fileURLToPath(new URL('./discover.fixture.ts', import.meta.url));
      const child = spawnSync(process.execPath, ['--import', 'tsx', script, locked], {
        uid: NOBODY,
        gid: NOBODY,
        encoding: 'utf8',
        env: { ...process.env, HOME: locked },
      });
      expect(child.status, child.stderr).toBe(0);
      const result = JSON.parse(child.stdout) as DiscoveryResult;
      expect(result.slides.map((s) => s.path)).toEqual([join(locked, 'open.svs')]);
      expect(result.problems).toEqual([
        {
          path: join(locked, 'closed'),
          kind: 'permission-denied',
          reason: `${join(locked, 'closed')}: permission denied`,
        },
        {
          path: join(locked, 'secret.svs'),
          kind: 'permission-denied',
          reason: `${join(locked, 'secret.svs')}: permission denied`,
        },
      ]);
    } finally {
      await chmod(join(locked, 'closed'), 0o755).catch(() => undefined);
      await rm(locked, { recursive: true, force: true });
    }
  });

  it('catalogs domains and leaves out a slide that appears twice', async () => {
    const other = await mkdtemp(join(tmpdir(), 'histo-fetch-domain-'));
    try {
      await symlink(fixtureSlide('tiny.svs'), join(other, 'copy-of-tiny.svs'));
      await symlink(fixtureSlide('cmu-1-small-region.svs'), join(other, 'cmu.svs'));
      const catalog = await buildSlideCatalog(
        {
          domains: [
            { name: 'H&E', folders: [join(root, 'he')] },
            { name: 'PAS', folders: [other] },
          ],
        },
        { openSlide: open },
      );
      expect(catalog.domains.map((d) => d.name)).toEqual(['H&E', 'PAS']);
      expect(catalog.domains[1]!.slides.map((s) => s.path)).toEqual([join(other, 'cmu.svs')]);
      expect(catalog.domains[1]!.problems).toEqual([
        {
          path: join(other, 'copy-of-tiny.svs'),
          kind: 'duplicate',
          reason: `${join(other, 'copy-of-tiny.svs')}: same slide as ${join(root, 'he', 'tiny.svs')} in domain "H&E"; left out`,
        },
      ]);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });
});
