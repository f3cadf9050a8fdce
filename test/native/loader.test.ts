import { spawnSync } from 'node:child_process';
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

  it.skipIf(process.platform !== 'linux')(
    'imports from the runtime only Node-API, and no external buffers (so it loads in Electron)',
    () => {
      // nm (binutils) comes with build-essential, which the native build needs anyway.
      const undefinedSymbols = (demangle: boolean): string[] => {
        const args = ['-D', '--undefined-only', '--format=posix', ...(demangle ? ['-C'] : []), built];
        const nm = spawnSync('nm', args, { encoding: 'utf8' });
        expect(nm.status, nm.stderr).toBe(0);
        // POSIX format: "name type [value size]"; demangled names hold spaces, so drop the last field.
        return nm.stdout
          .split('\n')
          .filter(Boolean)
          .map((line) => line.replace(/ [A-Za-z]$| [A-Za-z] .*$/, ''));
      };
      const raw = undefinedSymbols(false);
      const demangled = undefinedSymbols(true);
      expect(raw.filter((name) => name.startsWith('napi_')).length).toBeGreaterThan(20);
      expect(raw.filter((name) => name.startsWith('openslide_'))).toContain('openslide_read_region');
      // V8 and Node's C++ API differ between Node and Electron builds; Node-API does not.
      expect(raw.filter((name) => /^_Z\w*?(2v8|4node)\d/.test(name))).toEqual([]);
      expect(demangled.filter((name) => /\b(v8|node)::/.test(name))).toEqual([]);
      // Electron's V8 memory cage forbids buffers over memory the addon owns.
      expect(raw.filter((name) => /^napi_create_external_(array)?buffer/.test(name))).toEqual([]);
    },
  );
});
