import { spawnSync } from 'node:child_process';
import { mkdir, readdir, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const rendererDir = join(repoRoot, 'out', 'renderer');

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, await newestMtime(path));
    else newest = Math.max(newest, (await stat(path)).mtimeMs);
  }
  return newest;
}

async function isStale(): Promise<boolean> {
  const built = await stat(join(rendererDir, 'index.html')).catch(() => null);
  if (!built) return true;
  const sources = Math.max(
    await newestMtime(join(repoRoot, 'src-renderer')),
    await newestMtime(join(repoRoot, 'src-main', 'contract')),
    (await stat(join(repoRoot, 'electron.vite.config.ts'))).mtimeMs,
  );
  return sources > built.mtimeMs;
}

/**
 * Builds the renderer (`electron-vite build`) when `out/renderer` is missing or older than its sources.
 * A lock folder keeps parallel test files from building at once.
 */
export async function ensureRendererBuilt(): Promise<void> {
  const lock = join(repoRoot, 'out', '.build-lock');
  await mkdir(join(repoRoot, 'out'), { recursive: true });
  for (let tries = 0; ; tries++) {
    try {
      await mkdir(lock);
      break;
    } catch {
      if (tries > 600) throw new Error(`${lock} is held for over 2 minutes; remove it if no build runs`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    if (!(await isStale())) return;
    const result = spawnSync(join(repoRoot, 'node_modules', '.bin', 'electron-vite'), ['build'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    if (result.status !== 0)
      throw new Error(`electron-vite build failed:\n${result.stdout}\n${result.stderr}`);
  } finally {
    await rmdir(lock);
  }
}
