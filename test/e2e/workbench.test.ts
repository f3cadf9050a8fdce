import { existsSync } from 'node:fs';
import { access, appendFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { slideWorkspace } from '../service/helpers.js';
import { chromiumPath, openBrowser, type BrowserSession } from './browser.js';
import { ensureRendererBuilt, repoRoot } from './renderer-build.js';
import { startServe, type ServeProcess } from './serve-process.js';

const screenshots = join(repoRoot, 'test-output', 'e2e');

/** The page's DataTransfer, as the callbacks below use it (this test compiles without the DOM library). */
declare const DataTransfer: new () => {
  setData(format: string, data: string): void;
  readonly items: { add(file: File): void };
};

/** The card of a domain, by its name. */
function card(page: Page, name: string) {
  return page.locator(`section[data-domain="${name}"]`);
}

async function createDomain(page: Page, name: string, detector: 'otsu-red' | 'saturation'): Promise<void> {
  await page.getByRole('button', { name: 'Datasets' }).click();
  await page.locator('input[name="domain-name"]').fill(name);
  await page.getByLabel('Mask detector for the new domain').selectOption(detector);
  await page.getByRole('button', { name: 'Create domain' }).click();
  await card(page, name).waitFor();
}

/** Dispatches real DOM drag events carrying the folders as a file manager does (`text/uri-list`). */
async function dropFolders(page: Page, domainName: string, folders: readonly string[]): Promise<void> {
  const uris = folders.map((folder) => pathToFileURL(folder).href).join('\r\n');
  const dataTransfer = await page.evaluateHandle((list) => {
    const transfer = new DataTransfer();
    transfer.setData('text/uri-list', list);
    return transfer;
  }, uris);
  const target = `section[data-domain="${domainName}"]`;
  await page.dispatchEvent(target, 'dragenter', { dataTransfer });
  await page.dispatchEvent(target, 'dragover', { dataTransfer });
  await page.dispatchEvent(target, 'drop', { dataTransfer });
}

async function nav(page: Page, view: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: view }).click();
}

/** A digest of a canvas's pixels, to tell two drawings apart. */
async function canvasDigest(canvas: Locator): Promise<number> {
  return canvas.evaluate((element) => {
    const c = element as unknown as {
      width: number;
      height: number;
      getContext(kind: '2d'): {
        getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
      };
    };
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    let digest = 0;
    for (let i = 0; i < data.length; i++) digest = (Math.imul(digest, 31) + data[i]!) >>> 0;
    return digest;
  });
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: false });
}

describe.skipIf(!existsSync(chromiumPath))('the workbench in Chromium, served by histo-fetch serve', () => {
  let ws: Awaited<ReturnType<typeof slideWorkspace>>;
  let serve: ServeProcess;
  let browser: BrowserSession;
  let page: Page;

  beforeAll(async () => {
    await ensureRendererBuilt();
    await mkdir(screenshots, { recursive: true });
    ws = await slideWorkspace();
    serve = await startServe(['--port', '0', '--state', join(ws.dir, 'state'), '--root', ws.root]);
    browser = await openBrowser();
    page = browser.page;
  });

  // A case that fails with a modal dialog open would block every click of the cases after it (one failure
  // reported as twelve): close whatever modal is left, so each case fails or passes on its own.
  afterEach(async () => {
    await page
      ?.evaluate(`for (const open of document.querySelectorAll('dialog[open]')) open.close()`)
      .catch(() => undefined);
  });

  afterAll(async () => {
    await browser?.close();
    const status = await serve?.stop();
    await ws?.cleanup();
    expect(status, 'histo-fetch serve exits cleanly on SIGTERM').toBe(0);
  });

  it('opens the address with the token, drops the token from the address bar, and connects', async () => {
    await page.goto(serve.url);
    expect(new URL(page.url()).search, 'the token left the address bar').toBe('');
    await page.getByRole('status').filter({ hasText: 'connected' }).waitFor();
    await expect(page.title()).resolves.toBe('histo-fetch workbench');
  });

  it('refuses the page to a client without the token', async () => {
    const response = await fetch(`${serve.origin}/`);
    expect(response.status).toBe(401);
  });

  it('gives the page no Node access', async () => {
    const globals = await page.evaluate(() => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      module: typeof (globalThis as { module?: unknown }).module,
      bridge: typeof (globalThis as { histoFetch?: unknown }).histoFetch,
    }));
    expect(globals).toEqual({
      require: 'undefined',
      process: 'undefined',
      module: 'undefined',
      bridge: 'undefined',
    });
  });

  it('adds a domain by dropping a folder onto its card', async () => {
    // Records every value the mask progress bars take, to see the build advance (not only its end).
    // (A string: this file compiles without the DOM library.)
    await page.evaluate(`(() => {
      const seen = [];
      globalThis.progressSeen = seen;
      new MutationObserver(() => {
        for (const bar of document.querySelectorAll('[role="progressbar"]')) {
          const value = bar.getAttribute('aria-label') + '=' + bar.getAttribute('aria-valuenow');
          if (seen.at(-1) !== value) seen.push(value);
        }
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    })()`);
    await createDomain(page, 'H&E', 'otsu-red');
    await dropFolders(page, 'H&E', [ws.he]);
    await card(page, 'H&E').getByRole('list', { name: 'Folders' }).getByText(ws.he).waitFor();
  });

  it('explains a dropped folder whose path the browser hides', async () => {
    const dataTransfer = await page.evaluateHandle(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(['x'], 'somewhere'));
      return transfer;
    });
    await page.dispatchEvent('section[data-domain="H&E"]', 'drop', { dataTransfer });
    await card(page, 'H&E')
      .getByRole('alert')
      .filter({ hasText: 'does not reveal where somewhere is' })
      .waitFor();
  });

  it('refuses a drop outside the domain cards, so the window stays on the workbench', async () => {
    const before = page.url();
    // A real drag from a file manager would navigate to the file unless the page cancels the events.
    const cancelled = await page.evaluate(`(() => {
      const transfer = new DataTransfer();
      transfer.setData('text/uri-list', ${JSON.stringify(pathToFileURL(ws.he).href)});
      const event = (type) => new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true });
      return {
        dragover: !document.body.dispatchEvent(event('dragover')),
        drop: !document.body.dispatchEvent(event('drop')),
      };
    })()`);
    expect(cancelled).toEqual({ dragover: true, drop: true });
    await page.waitForTimeout(200);
    expect(page.url()).toBe(before);
    await expect(
      card(page, 'H&E').getByRole('list', { name: 'Folders' }).getByRole('listitem').count(),
    ).resolves.toBe(1);
  });

  it('adds a domain through the folder picker (browser-mode fallback)', async () => {
    await createDomain(page, 'Fluorescence', 'saturation');
    await card(page, 'Fluorescence').getByRole('button', { name: 'Add folder…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: `📁 ${ws.root}` }).click();
    await dialog.getByRole('button', { name: '📁 fluorescence' }).click();
    await dialog.locator('input[name="folder-path"]').waitFor();
    // The listing (and the path it fills in) arrives after the click: poll, a slow machine answers late.
    await expect.poll(() => dialog.locator('input[name="folder-path"]').inputValue()).toBe(ws.fluorescence);
    await shoot(page, 'folder-picker');
    await dialog.getByRole('button', { name: 'Add this folder' }).click();
    await card(page, 'Fluorescence')
      .getByRole('list', { name: 'Folders' })
      .getByText(ws.fluorescence)
      .waitFor();
  });

  it('refuses a typed folder outside the folders the server allows', async () => {
    await card(page, 'Fluorescence').getByRole('button', { name: 'Add folder…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.locator('input[name="folder-path"]').fill(ws.outside);
    await dialog.getByRole('button', { name: 'Add folder', exact: true }).click();
    await card(page, 'Fluorescence')
      .getByRole('alert')
      .filter({ hasText: 'is outside the folders this workbench may open' })
      .waitFor();
  });

  it('builds the masks of both domains with progress, and shows each slide with its outcome', async () => {
    const he = card(page, 'H&E');
    await he.getByText('4 / 4').waitFor({ timeout: 60_000 });
    await card(page, 'Fluorescence').getByText('2 / 2').waitFor({ timeout: 60_000 });
    const seen = await page.evaluate(
      () => (globalThis as unknown as { progressSeen: string[] }).progressSeen,
    );
    const heValues = seen
      .filter((v) => v.startsWith('Mask build of H&E='))
      .map((v) => Number(v.split('=')[1]));
    expect(
      heValues.some((v) => v > 0 && v < 100),
      `intermediate progress in ${seen.join(', ')}`,
    ).toBe(true);
    expect(heValues.at(-1)).toBe(100);
    const cmuRow = he.getByRole('row').filter({ hasText: 'cmu-1-small-region.svs' });
    await cmuRow.getByText('ready').waitFor();
    await expect(cmuRow.textContent()).resolves.toMatch(/aperio.*2220 × 2967.*0\.499 µm\/px.*\d+\.\d%/);
    const unreadable = he.getByRole('row').filter({ hasText: 'unreadable.svs' });
    await unreadable.getByText('unreadable', { exact: true }).waitFor();
    await expect(unreadable.textContent()).resolves.toContain(join(ws.he, 'bad', 'unreadable.svs'));
    await he.getByRole('img', { name: 'Thumbnail of cmu-1-small-region.svs' }).waitFor();
    await shoot(page, 'datasets-masks');
  });

  it('opens a slide from the list in the zoomable slide view, drawn from tiles with the mask on top', async () => {
    await card(page, 'H&E').getByRole('button', { name: 'cmu-1-small-region.svs' }).click();
    const canvas = page.getByRole('img', { name: /^Slide cmu-1-small-region\.svs/ });
    await canvas.waitFor();
    await page.getByText(/loading \d+ tiles/).waitFor({ state: 'detached', timeout: 30_000 });
    await page.waitForTimeout(200);
    await shoot(page, 'slide');
    const drawn = await canvas.evaluate((element) => {
      const c = element as unknown as {
        width: number;
        height: number;
        getContext(kind: '2d'): {
          getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
        };
      };
      const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
      const colours = new Set<number>();
      for (let i = 0; i < data.length; i += 4 * 97)
        colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
      return colours.size;
    });
    expect(drawn, 'distinct colours on the canvas').toBeGreaterThan(200);
    // The tissue mask is drawn over the tiles: the picture changes when it is switched off, and back.
    const maskToggle = page.getByRole('checkbox', { name: 'Tissue mask' });
    await expect.poll(() => maskToggle.isEnabled(), { timeout: 30_000 }).toBe(true);
    await expect(maskToggle.isChecked()).resolves.toBe(true);
    const withMask = await canvasDigest(canvas);
    await maskToggle.uncheck();
    await expect.poll(() => canvasDigest(canvas)).not.toBe(withMask);
    await maskToggle.check();
    await expect.poll(() => canvasDigest(canvas)).toBe(withMask);
    await canvas.focus();
    await page.keyboard.press('+');
    await page.keyboard.press('+');
    await page.getByText(/Deep-zoom level/).waitFor();
    await page.getByText(/loading \d+ tiles/).waitFor({ state: 'detached', timeout: 30_000 });
    await page.waitForTimeout(200);
    await shoot(page, 'slide-zoomed');
  });

  it('moves between views from the keyboard (Alt+1..7), with the focus visible', async () => {
    await page.keyboard.press('Alt+3');
    await page.getByRole('heading', { name: 'Training' }).waitFor();
    await page.keyboard.press('Alt+1');
    await page.getByRole('heading', { name: 'Datasets' }).waitFor();
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Datasets' }).focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Slide view' }).waitFor();
    const outline = await page.evaluate('getComputedStyle(document.activeElement).outlineStyle');
    expect(outline).toBe('solid');
  });

  it('switches a domain to another mask detector, which rebuilds its masks, and back', async () => {
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Datasets' }).click();
    const he = card(page, 'H&E');
    const cmuRow = he.getByRole('row').filter({ hasText: 'cmu-1-small-region.svs' });
    const tissueOf = async (): Promise<string> =>
      /(\d+\.\d)%/.exec((await cmuRow.textContent()) ?? '')?.[1] ?? '';
    const before = await tissueOf();
    await he.getByLabel('Mask detector for H&E').selectOption('saturation');
    // The masks of the new detector are built (none cached yet): another tissue fraction, ready again.
    await expect.poll(async () => [before, ''].includes(await tissueOf()), { timeout: 60_000 }).toBe(false);
    await cmuRow.getByText('ready').waitFor({ timeout: 60_000 });
    // Back to the H&E detector (its masks are still cached): each domain trains with its own below.
    await he.getByLabel('Mask detector for H&E').selectOption('otsu-red');
    await expect.poll(tissueOf, { timeout: 60_000 }).toBe(before);
    await cmuRow.getByText('ready').waitFor({ timeout: 60_000 });
  });

  it(
    'trains a tiny CycleGAN: the status line moves, the loss chart gains points, the gallery fills',
    { timeout: 300_000 },
    async () => {
      await nav(page, 'Training');
      const form = page.getByRole('form', { name: 'Training configuration' });
      await form.getByLabel(/^Preset/).selectOption('tiny');
      await form.getByLabel(/^Domain A/).selectOption({ label: 'H&E' });
      await form.getByLabel(/^Domain B/).selectOption({ label: 'Fluorescence' });
      await form.getByLabel(/^Steps/).fill('5000');
      // 0 means no sample grids: the field takes it.
      await expect(form.getByLabel(/^Samples every/).getAttribute('min')).resolves.toBe('0');
      await form.getByLabel(/^Samples every/).fill('5');
      await form.getByLabel(/^Checkpoint every/).fill('50');
      await form.getByLabel(/^Evaluate every/).fill('5'); // inference: the SWD chart's points
      await page
        .getByRole('list', { name: 'Detected backends' })
        .getByText('cpu', { exact: true })
        .waitFor({ timeout: 60_000 });
      const start = page.getByRole('button', { name: 'Start' });
      await expect.poll(() => start.isEnabled(), { timeout: 10_000 }).toBe(true);
      await start.click();
      const status = page.getByRole('region', { name: 'Training status' });
      await status.getByText(/step \d+ \/ 5000/).waitFor({ timeout: 120_000 });
      // The form shows what the run was started with, and cannot be edited while it trains.
      await expect.poll(() => form.getByLabel(/^Steps/).isDisabled()).toBe(true);
      await expect(form.getByLabel(/^Preset/).isDisabled()).resolves.toBe(true);
      await shoot(page, 'training-running');
      // The run trains each domain on masks of its own detector, and keeps them in its config.
      // The status line shows the run as soon as it is started; its folder follows from the trainer.
      const runsDir = join(ws.dir, 'state', 'runs');
      const tinyRunConfig = async (): Promise<string | null> => {
        const [name] = (await readdir(runsDir)).filter((n) => n.startsWith('cyclegan-tiny-'));
        const file = name === undefined ? null : join(runsDir, name, 'config.json');
        return file !== null &&
          (await access(file).then(
            () => true,
            () => false,
          ))
          ? file
          : null;
      };
      await expect.poll(tinyRunConfig, { timeout: 60_000 }).not.toBeNull();
      const stored = JSON.parse(await readFile((await tinyRunConfig())!, 'utf8')) as {
        config: { domains: { name: string; detector: string }[] };
      };
      expect(stored.config.domains.map((d) => [d.name, d.detector])).toEqual([
        ['H&E', 'otsu-red'],
        ['Fluorescence', 'saturation'],
      ]);

      await nav(page, 'Live charts');
      // The points the Losses chart itself drew (not the page's count of received points).
      const losses = page.locator('[data-chart="Losses"]');
      const pointsNow = async (): Promise<number> => Number(await losses.getAttribute('data-points'));
      await expect.poll(pointsNow, { timeout: 60_000 }).toBeGreaterThan(0);
      const before = await pointsNow();
      await expect.poll(pointsNow, { timeout: 60_000 }).toBeGreaterThan(before);
      await shoot(page, 'charts');

      await nav(page, 'Patch audit');
      const patches = page.getByRole('list', { name: 'Recent patches' }).getByRole('button');
      await expect.poll(() => patches.count(), { timeout: 60_000 }).toBeGreaterThan(3);
      await page.getByRole('button', { name: /Pause stream/ }).click();
      // Paused: the list holds still while the sampler goes on feeding the run.
      const list = page.getByRole('list', { name: 'Recent patches' });
      const labels = (): Promise<string[]> =>
        list
          .getByRole('button')
          .evaluateAll((buttons) =>
            buttons.map((b) =>
              (b as unknown as { getAttribute(n: string): string }).getAttribute('aria-label'),
            ),
          );
      const frozen = await labels();
      await expect
        .poll(
          async () =>
            Number(
              /(\d+) skipped/.exec(
                (await page.getByRole('button', { name: /Resume stream/ }).textContent()) ?? '',
              )?.[1],
            ),
          { timeout: 60_000 },
        )
        .toBeGreaterThan(0);
      expect(await labels()).toEqual(frozen);
      const domainsShown = await list.locator('.badge').allTextContents();
      expect(new Set(domainsShown)).toEqual(new Set(['H&E', 'Fluorescence']));
      // The filters: every patch shown matches the domain, then the slide, chosen.
      await page.getByLabel('Filter by domain').selectOption('Fluorescence');
      const badges = await list.locator('.badge').allTextContents();
      expect(badges.length).toBeGreaterThan(0);
      expect(new Set(badges)).toEqual(new Set(['Fluorescence']));
      await page.getByLabel('Filter by domain').selectOption('');
      const slideFilter = page.getByLabel('Filter by slide');
      const [, firstSlide] = await slideFilter.locator('option').allTextContents();
      await slideFilter.selectOption({ label: firstSlide! });
      const slidesShown = await list.locator('.caption .slide').allTextContents();
      expect(slidesShown.length).toBeGreaterThan(0);
      expect(new Set(slidesShown)).toEqual(new Set([firstSlide]));
      await slideFilter.selectOption('');
      await expect.poll(() => list.getByRole('button').count()).toBe(frozen.length);
      await shoot(page, 'gallery');
    },
  );

  it('shows a patch footprint on its slide thumbnail, and opens the slide view there', async () => {
    const patch = page
      .getByRole('list', { name: 'Recent patches' })
      .getByRole('button')
      .filter({ hasText: 'H&E' })
      .first();
    await patch.click();
    const detail = page.getByRole('complementary', { name: 'Selected patch' });
    const footprint = detail.getByTestId('footprint');
    await footprint.locator('.footprint').waitFor();
    const box = await footprint.locator('.footprint').boundingBox();
    expect(box && box.width > 0 && box.height > 0).toBe(true);
    await shoot(page, 'gallery-footprint');
    await detail.getByRole('button', { name: 'Open in slide view' }).click();
    await page.getByText('Patch footprint').waitFor();
    await page.getByText(/loading \d+ tiles/).waitFor({ state: 'detached', timeout: 30_000 });
    await page.waitForTimeout(200);
    await shoot(page, 'slide-footprint');
    await nav(page, 'Patch audit');
    await page.getByRole('button', { name: /Resume stream/ }).click();
  });

  it('stops the run with a checkpoint, and resumes it', { timeout: 300_000 }, async () => {
    await nav(page, 'Training');
    const status = page.getByRole('region', { name: 'Training status' });
    await page.getByRole('button', { name: 'Stop' }).click();
    await status.getByText('stopped', { exact: true }).waitFor({ timeout: 120_000 });
    const stoppedAt = Number(/step (\d+)/.exec((await status.textContent()) ?? '')?.[1]);
    expect(stoppedAt).toBeGreaterThan(0);
    await page.getByLabel('Run to resume').waitFor();
    await page.getByRole('button', { name: 'Resume' }).click();
    await status.getByText('running', { exact: true }).waitFor({ timeout: 120_000 });
    await expect
      .poll(async () => Number(/step (\d+)/.exec((await status.textContent()) ?? '')?.[1]), {
        timeout: 60_000,
      })
      .toBeGreaterThan(stoppedAt);
    await page.getByRole('button', { name: 'Stop' }).click();
    await status.getByText('stopped', { exact: true }).waitFor({ timeout: 120_000 });
    const form = page.getByRole('form', { name: 'Training configuration' });
    await expect.poll(() => form.getByLabel(/^Steps/).isEnabled()).toBe(true);
  });

  it("marks the stopped run's recorded patches on a slide, in a page opened afresh", async () => {
    // The slide the run sampled most, from its patch manifest.
    const runsDir = join(ws.dir, 'state', 'runs');
    const [runName] = (await readdir(runsDir)).filter((name) => name.startsWith('cyclegan-tiny-'));
    const records = (await readFile(join(runsDir, runName!, 'patches.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { slidePath: string }).slidePath);
    const counts = new Map<string, number>();
    for (const path of records) counts.set(path, (counts.get(path) ?? 0) + 1);
    const [slidePath] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
    // A new page has an empty live gallery: its markers can only come from the run's manifest.
    const fresh = await browser.context.newPage();
    try {
      await fresh.goto(`${serve.origin}/`);
      await fresh.getByRole('status').filter({ hasText: 'connected' }).waitFor();
      await nav(fresh, 'Runs');
      await fresh
        .getByRole('row')
        .filter({ hasText: runName! })
        .getByRole('button', { name: 'Open' })
        .click();
      await nav(fresh, 'Slide view');
      await fresh.getByLabel('Slide to view').selectOption(slidePath);
      const markers = async (): Promise<number> =>
        Number(
          /Sampled patches \((\d+)\)/.exec((await fresh.locator('.slide-view').textContent()) ?? '')?.[1],
        );
      await expect.poll(markers, { timeout: 30_000 }).toBeGreaterThan(0);
      expect(await markers()).toBeLessThanOrEqual(Math.min(500, counts.get(slidePath)!));
      await fresh.getByText(/loading \d+ tiles/).waitFor({ state: 'detached', timeout: 30_000 });
      await fresh.screenshot({ path: join(screenshots, 'slide-markers-after-stop.png') });
    } finally {
      await fresh.close();
    }
  });

  it('shows the sample grids with a step slider, and the run in the list', async () => {
    await nav(page, 'Samples');
    await page.getByRole('img', { name: /Sample grid .* at step \d+/ }).waitFor({ timeout: 30_000 });
    const slider = page.getByLabel('Step');
    await slider.focus();
    await page.keyboard.press('Home');
    await page.getByRole('img', { name: /Sample grid .* at step 5$/ }).waitFor();
    await shoot(page, 'samples');
    await nav(page, 'Runs');
    const row = page.getByRole('row').filter({ hasText: /cyclegan-tiny-/ });
    await row.waitFor();
    // The latest sample grid as a thumbnail, shrunk to the row.
    const thumb = row.getByRole('img', { name: /^Latest samples of cyclegan-tiny-.* \(step \d+\)$/ });
    await thumb.waitFor({ timeout: 30_000 });
    const size = await thumb.evaluate((img) => {
      const image = img as unknown as { naturalWidth: number; getBoundingClientRect(): { width: number } };
      return { natural: image.naturalWidth, shown: image.getBoundingClientRect().width };
    });
    expect(size.natural).toBeGreaterThan(0);
    expect(size.shown).toBeGreaterThan(0);
    expect(size.shown).toBeLessThanOrEqual(9 * 16 + 0.5);
    // The configuration, folded until asked for.
    const configuration = row.locator('details.config');
    await expect(configuration.locator('dl').isVisible()).resolves.toBe(false);
    await configuration.getByText('Configuration').click();
    const summary = (await configuration.locator('dl').textContent()) ?? '';
    for (const expected of [ws.he, ws.fluorescence, 'H&E', 'Fluorescence', 'mask: saturation'])
      expect(summary).toContain(expected);
    expect(summary).toMatch(/Scale\s*downsample \d+/);
    expect(summary).toMatch(/Batch\s*\d+/);
    expect(summary).toMatch(/Learning rate\s*[\d.e-]+/);
    expect(summary).toMatch(/Seed\s*\S+/);
    expect(summary).toMatch(/Augmentation\s*\d+% of patches/);
    expect(summary).toMatch(/Backend\s*(cpu|wasm|webgpu|tensorflow) \(.+; asked auto\)/s);
    // Export the B → A generator of the CycleGAN.
    const runName = (await row.locator('strong').textContent())!;
    await row.getByLabel(`Generator of ${runName} to export`).selectOption({ label: 'Fluorescence → H&E' });
    await row.getByRole('button', { name: 'Export generator' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Generator of ${runName} exported to` })
      .filter({ hasText: join(runName, 'export', 'generatorBA') })
      .waitFor({ timeout: 30_000 });
    await shoot(page, 'runs');
  });

  // ---- Inference (issue 7): evaluation charts, translation, synchronised viewers ----

  it('charts the SWD and the cycle error of the evaluations during training', async () => {
    await nav(page, 'Live charts');
    const evaluations = page.getByTestId('evaluation-points');
    const count = async (): Promise<number> =>
      Number(/(\d+) evaluation/.exec((await evaluations.textContent()) ?? '')?.[1] ?? 0);
    await expect.poll(count, { timeout: 30_000 }).toBeGreaterThan(1);
    const section = page.getByRole('region', { name: 'Evaluations' });
    await section.getByRole('img', { name: /Sliced Wasserstein distance/ }).waitFor();
    await section.getByRole('img', { name: /Cycle-reconstruction error/ }).waitFor();
    await section.scrollIntoViewIfNeeded();
    await page.waitForTimeout(400);
    await shoot(page, 'charts-evaluation');
    await page.getByLabel('SWD per pyramid level').check();
    await page.waitForTimeout(400);
    await shoot(page, 'charts-evaluation-levels');
  });

  it(
    'translates a slide with the trained CycleGAN and shows it beside its source, synchronised',
    { timeout: 180_000 },
    async () => {
      await page.evaluate(`(() => {
        const seen = [];
        globalThis.translationProgress = seen;
        new MutationObserver(() => {
          const bar = document.querySelector('[role="progressbar"][aria-label="Translation progress"]');
          const value = bar && bar.getAttribute('aria-valuenow');
          if (value !== null && value !== undefined && seen.at(-1) !== value) seen.push(value);
        }).observe(document.body, { subtree: true, childList: true, attributes: true });
      })()`);
      await nav(page, 'Inference');
      await page.getByRole('heading', { name: 'Inference' }).waitFor();
      await expect.poll(() => page.getByLabel('Run to use').inputValue()).toMatch(/^cyclegan-tiny-/);
      const form = page.getByRole('form', { name: 'Translate a slide' });
      await form.getByLabel('Slide to translate').selectOption({ label: 'cmu-1-small-region.svs' });
      await expect
        .poll(() => form.getByLabel('Direction').locator('option:checked').textContent())
        .toBe('H&E → Fluorescence');
      await form.locator('input[name="scale"]').fill('8');
      await form.getByRole('button', { name: 'Translate' }).click();
      const table = page.getByRole('table', { name: 'Translations of this run' });
      const row = table.getByRole('row').filter({ hasText: 'cmu-1-small-region.svs' });
      await row.getByText('done', { exact: true }).waitFor({ timeout: 120_000 });
      await expect(row.textContent()).resolves.toMatch(/278 × 371 · 2 levels/);
      const progress = (await page.evaluate('globalThis.translationProgress')) as string[];
      expect(progress.length, `progress values ${progress.join(', ')}`).toBeGreaterThan(0);

      const source = page.getByRole('img', { name: /^Source slide cmu-1-small-region\.svs/ });
      const translation = page.getByRole('img', {
        name: /^Translation cmu-1-small-region\.AtoB\.step\d+\.ds8\.tif/,
      });
      await source.waitFor();
      await translation.waitFor();
      await page
        .getByText(/loading \d+ tiles/)
        .first()
        .waitFor({ state: 'detached', timeout: 30_000 });
      const viewOf = async (testId: string) => {
        const viewer = page.getByTestId(testId).locator('.viewer');
        const [x, y, scale] = await Promise.all(
          ['data-center-x', 'data-center-y', 'data-scale'].map(async (a) =>
            Number(await viewer.getAttribute(a)),
          ),
        );
        return { x: x!, y: y!, scale: scale! };
      };
      /** The source's view, in the translation's pixels (8 level-0 pixels each). */
      const expectFollowing = async (): Promise<void> => {
        const s = await viewOf('source-viewer');
        const t = await viewOf('translation-viewer');
        expect(t.x).toBeCloseTo(s.x / 8, 0);
        expect(t.y).toBeCloseTo(s.y / 8, 0);
        expect(t.scale / (s.scale * 8)).toBeCloseTo(1, 3);
      };
      await expectFollowing();

      // Drag the source: the translation follows.
      const before = await viewOf('translation-viewer');
      await page.getByRole('region', { name: 'Slide and translation' }).scrollIntoViewIfNeeded();
      const box = (await source.boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width / 2 - 120, box.y + box.height / 2 - 60, { steps: 5 });
      await page.mouse.up();
      const after = await viewOf('translation-viewer');
      expect(after.x).not.toBeCloseTo(before.x, 0);
      await expectFollowing();

      // Zoom the translation from the keyboard: the source follows.
      await translation.focus();
      await page.keyboard.press('+');
      await page.keyboard.press('ArrowLeft');
      expect((await viewOf('translation-viewer')).scale).toBeGreaterThan(after.scale * 1.2);
      await expectFollowing();
      await page
        .getByText(/loading \d+ tiles/)
        .first()
        .waitFor({ state: 'detached', timeout: 30_000 });
      await page.waitForTimeout(200);
      await shoot(page, 'inference-side-by-side');
    },
  );

  it(
    'trains a tiny ProGAN, then generates a grid and an interpolation strip from it',
    { timeout: 180_000 },
    async () => {
      await nav(page, 'Training');
      const form = page.getByRole('form', { name: 'Training configuration' });
      await form.getByLabel(/^Model/).selectOption('progan');
      await form.getByLabel(/^Preset/).selectOption('tiny');
      await form.getByRole('checkbox', { name: 'Fluorescence' }).uncheck();
      await form.getByRole('checkbox', { name: 'H&E' }).check();
      await form.getByLabel(/^Steps/).fill('24');
      await form.getByLabel(/^Checkpoint every/).fill('24');
      const start = page.getByRole('button', { name: 'Start' });
      await expect.poll(() => start.isEnabled(), { timeout: 10_000 }).toBe(true);
      await start.click();
      const status = page.getByRole('region', { name: 'Training status' });
      await status.getByText('finished', { exact: true }).waitFor({ timeout: 120_000 });

      await nav(page, 'Inference');
      await page.getByRole('button', { name: 'Refresh' }).click();
      const runSelect = page.getByLabel('Run to use');
      const progan = await runSelect.locator('option', { hasText: 'progan' }).getAttribute('value');
      await runSelect.selectOption(progan!);
      const generate = page.getByRole('form', { name: 'Generate images' });
      await generate.locator('input[name="count"]').fill('9');
      await generate.locator('input[name="seed"]').fill('7');
      await generate.locator('input[name="interpolation"]').fill('6');
      await generate.getByRole('button', { name: 'Generate' }).click();
      const grid = page.getByRole('img', { name: 'Grid of generated images' });
      await grid.waitFor({ timeout: 60_000 });
      await page.getByRole('img', { name: 'Interpolation strip between two latents' }).waitFor();
      await page.getByText(/^9 images of \d+ px/).waitFor();
      const size = await grid.evaluate((img) => {
        const image = img as unknown as { naturalWidth: number; naturalHeight: number };
        return [image.naturalWidth, image.naturalHeight];
      });
      expect(size[0]).toBe(size[1]);
      expect(size[0]).toBeGreaterThan(3 * 4);
      await page.waitForTimeout(200);
      await shoot(page, 'inference-progan');
    },
  );

  // ---- end of inference cases ----

  it('charts a run of 100k more steps without freezing the page', { timeout: 180_000 }, async () => {
    // Load test input: the stopped run's metrics, continued for 100k steps in the trainer's own line format.
    const runsDir = join(ws.dir, 'state', 'runs');
    const [runName] = (await readdir(runsDir)).filter((name) => name.startsWith('cyclegan-tiny-'));
    const metricsFile = join(runsDir, runName!, 'metrics.jsonl');
    const lines = (await readFile(metricsFile, 'utf8')).trim().split('\n');
    const last = JSON.parse(lines.at(-1)!) as { step: number; losses: Record<string, number> };
    const extra: string[] = [];
    for (let i = 1; i <= 100_000; i++) {
      const wave = 1 + 0.3 * Math.sin(i / 700) + (i === 61_234 ? 5 : 0);
      const losses = Object.fromEntries(Object.entries(last.losses).map(([k, v]) => [k, v * wave]));
      extra.push(JSON.stringify({ ...last, step: last.step + i, losses }));
    }
    await appendFile(metricsFile, `${extra.join('\n')}\n`);
    await page.evaluate(`(() => {
      globalThis.longTasks = [];
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) globalThis.longTasks.push(entry.duration);
      }).observe({ type: 'longtask', buffered: false });
    })()`);
    await nav(page, 'Live charts');
    const started = Date.now();
    await page.getByLabel('Run to chart').selectOption(runName!);
    const counter = page.getByTestId('chart-points');
    await expect
      .poll(async () => Number(/step (\d+)/.exec((await counter.textContent()) ?? '')?.[1]), {
        timeout: 60_000,
      })
      .toBe(last.step + 100_000);
    const loadedMs = Date.now() - started;
    await page.waitForTimeout(1000);
    const longTasks = (await page.evaluate('globalThis.longTasks')) as number[];
    await shoot(page, 'charts-100k');
    expect(loadedMs, 'history of 100k steps on screen').toBeLessThan(30_000);
    expect(Math.max(0, ...longTasks), `long tasks: ${longTasks.map(Math.round).join(', ')} ms`).toBeLessThan(
      1000,
    );
  });

  it(
    'streams 120k live points through the event path without a long task',
    { timeout: 120_000 },
    async () => {
      // The run charted by the case above; its live points arrive as `training.metrics` frames on the page's
      // own WebSocket (the transport's message listener, the client, the metrics store), in batches.
      const runId = await page.getByLabel('Run to chart').inputValue();
      const counter = page.getByTestId('chart-points');
      const stepNow = async (): Promise<number> =>
        Number(/step (\d+)/.exec((await counter.textContent()) ?? '')?.[1] ?? 0);
      const firstStep = (await stepNow()) + 1;
      await page.evaluate(`(() => {
      const send = WebSocket.prototype.send;
      WebSocket.prototype.send = function (data) {
        globalThis.serviceSocket = this;
        return send.call(this, data);
      };
    })()`);
      // Any call captures the socket (the Runs list's refresh leaves the charts as they are).
      await nav(page, 'Runs');
      await page.getByRole('button', { name: 'Refresh' }).click();
      await expect.poll(() => page.evaluate('Boolean(globalThis.serviceSocket)')).toBe(true);
      await nav(page, 'Live charts');
      // The points carry the run's own metric names, as the service's events do.
      const runsDir = join(ws.dir, 'state', 'runs');
      const lines = (await readFile(join(runsDir, runId, 'metrics.jsonl'), 'utf8')).trim().split('\n');
      const lossTerms = Object.keys((JSON.parse(lines.at(-1)!) as { losses: object }).losses);
      const names = [...lossTerms.map((t) => `loss.${t}`), 'lr.adam', 'time.stepSeconds', 'rate.supply'];
      const total = 120_000;
      const perBatch = 1000;
      const measured = (await page.evaluate(`new Promise((resolve) => {
      const longTasks = [];
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) longTasks.push(entry.duration);
      }).observe({ type: 'longtask', buffered: false });
      const losses = document.querySelector('[data-chart="Losses"]');
      let most = 0;
      const watch = new MutationObserver(() => (most = Math.max(most, Number(losses.dataset.points))));
      watch.observe(losses, { attributes: true, attributeFilter: ['data-points'] });
      const status = { phase: 'finished', runId: ${JSON.stringify(runId)}, job: null, step: 0,
        totalSteps: 0, etaSeconds: null, patchesPerSecond: null, dataWaitFraction: null,
        backend: 'cpu', device: null, error: null };
      const names = ${JSON.stringify(names)};
      let sent = 0;
      const batch = () => {
        const points = [];
        for (let i = 0; i < ${perBatch} && sent < ${total}; i++, sent++) {
          const step = ${firstStep} + sent;
          const wave = 1 + 0.3 * Math.sin(step / 900);
          const values = {};
          for (const [k, name] of names.entries()) values[name] = (k + 1) * wave;
          points.push({ step, values });
        }
        const payload = { runId: ${JSON.stringify(runId)}, points, status: { ...status, step: ${firstStep} + sent - 1 } };
        globalThis.serviceSocket.dispatchEvent(
          new MessageEvent('message', { data: JSON.stringify({ kind: 'event', name: 'training.metrics', payload }) }),
        );
        if (sent < ${total}) setTimeout(batch, 20);
        else setTimeout(() => { watch.disconnect(); resolve({ longTasks, most }); }, 1500);
      };
      batch();
    })`)) as { longTasks: number[]; most: number };
      await expect.poll(stepNow).toBe(firstStep + total - 1);
      const lossLines = await page.locator('[data-chart="Losses"]').getAttribute('data-points');
      const worst = Math.max(0, ...measured.longTasks);
      console.info(
        `live stream of ${total} points: worst long task ${Math.round(worst)} ms ` +
          `(${measured.longTasks.length} long tasks), Losses chart at most ${measured.most} points`,
      );
      await shoot(page, 'charts-live-120k');
      expect(worst, `long tasks: ${measured.longTasks.map(Math.round).join(', ')} ms`).toBeLessThan(200);
      // The Losses chart draws its loss terms raw and smoothed; each line holds at most one buffer (8192 + 1).
      expect(measured.most).toBeGreaterThan(0);
      expect(Number(lossLines)).toBeGreaterThan(0);
      expect(measured.most).toBeLessThanOrEqual(2 * 8193 * lossTerms.length);
    },
  );

  it('shows every view at 1280x800 (screenshots in test-output/e2e)', async () => {
    for (const [button, name] of [
      ['Datasets', 'datasets'],
      ['Training', 'training'],
      ['Live charts', 'charts'],
      ['Samples', 'samples'],
      ['Patch audit', 'gallery'],
      ['Runs', 'runs'],
    ] as const) {
      await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: button }).click();
      await page.waitForTimeout(300);
      await shoot(page, `${name}-end`);
    }
    await page.getByRole('button', { name: /Theme/ }).click();
    await page.getByRole('button', { name: /Theme/ }).click();
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Datasets' }).click();
    await page.waitForTimeout(300);
    await shoot(page, 'datasets-dark');
    expect(browser.problems).toEqual([]);
  });

  // ---- Inference (issue 7) ----
  it('shows the inference view in the dark theme', async () => {
    await nav(page, 'Inference');
    const runSelect = page.getByLabel('Run to use');
    const cyclegan = await runSelect.locator('option', { hasText: 'cyclegan' }).getAttribute('value');
    await runSelect.selectOption(cyclegan!);
    await page.getByRole('img', { name: /^Translation / }).waitFor();
    await page
      .getByText(/loading \d+ tiles/)
      .first()
      .waitFor({ state: 'detached', timeout: 30_000 });
    await page.waitForTimeout(300);
    await shoot(page, 'inference-dark');
    expect(browser.problems).toEqual([]);
  });
  // ---- end of inference cases ----
});
