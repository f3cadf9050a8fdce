import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where Electron can run, or why the smoke test must skip. */
export type ElectronBinary = { path: string } | { reason: string };

/**
 * Finds the Electron binary the `electron` npm package installed, without requiring the package:
 * electron 45's index.js downloads the binary (~100 MB) when it is missing, which on every test run
 * printed a fetch failure here and on a networked CI would download it.
 * @param packageDir the `electron` package folder (node_modules/electron)
 * @param env the environment (ELECTRON_OVERRIDE_DIST_PATH, DISPLAY)
 * @param platform the OS; only Linux needs an X display
 */
export function findElectronBinary(
  packageDir: string,
  env: Readonly<NodeJS.ProcessEnv>,
  platform: NodeJS.Platform = process.platform,
): ElectronBinary {
  // path.txt is what the package's installer writes once the binary is in dist/.
  const pathFile = join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) {
    return { reason: `${pathFile} is missing: the electron package was installed without its binary` };
  }
  const relative = readFileSync(pathFile, 'utf8').trim();
  const distDir = env.ELECTRON_OVERRIDE_DIST_PATH ?? join(packageDir, 'dist');
  const path = join(distDir, relative);
  if (!existsSync(path)) return { reason: `${path} (named by ${pathFile}) does not exist` };
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) {
    return { reason: 'no X display ($DISPLAY is empty); run the tests under `xvfb-run -a`' };
  }
  return { path };
}
