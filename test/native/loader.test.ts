import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import {
  ADDON_FILE_NAME,
  AddonMissingError,
  addonCandidates,
  loadOpenSlideAddon,
} from '../../src-main/native/openslide/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const built = join(root, 'src-main', 'native', 'openslide', 'build', 'Release', ADDON_FILE_NAME);

describe('addon loader', () => {
  it('finds the built addon from the sources and from a compiled dist/ folder', () => {
    for (const from of [
      join(root, 'src-main', 'native', 'openslide'),
      join(root, 'dist', 'native', 'openslide'),
    ]) {
      const found = addonCandidates(from, {}).find((candidate) => existsSync(candidate));
      expect(found).toBe(built);
    }
  });

  it('stops at the package root and puts $HISTO_FETCH_OPENSLIDE_ADDON first', () => {
    const candidates = addonCandidates(join(root, 'dist', 'native', 'openslide'), {
      HISTO_FETCH_OPENSLIDE_ADDON: '/opt/addon.node',
    });
    expect(candidates[0]).toBe('/opt/addon.node');
    expect(candidates.every((c) => c === '/opt/addon.node' || c.startsWith(root))).toBe(true);
  });

  it('explains how to fix a missing addon', () => {
    const attempt = (): unknown => loadOpenSlideAddon(['/nonexistent/openslide_binding.node']);
    expect(attempt).toThrow(AddonMissingError);
    expect(attempt).toThrow(
      expect.objectContaining({
        code: 'ADDON_MISSING',
        message: expect.stringMatching(
          /has not been built[\s\S]*\/nonexistent\/openslide_binding\.node[\s\S]*apt-get install libopenslide-dev[\s\S]*npm run build:native/,
        ),
      }),
    );
  });

  it('explains an addon file that cannot be loaded', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'histo-fetch-addon-'));
    try {
      const broken = join(dir, ADDON_FILE_NAME);
      await writeFile(broken, 'not a shared object');
      expect(() => loadOpenSlideAddon([broken])).toThrow(
        expect.objectContaining({
          code: 'ADDON_MISSING',
          message: expect.stringMatching(/exists but cannot be loaded[\s\S]*npm run build:native/),
        }),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('loads the built addon and uses Node-API only', () => {
    const addon = loadOpenSlideAddon([built]);
    expect(typeof addon.open).toBe('function');
    expect(addon.version()).toBe(loadOpenSlideAddon().version());
  });
});
