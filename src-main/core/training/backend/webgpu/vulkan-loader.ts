import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where scripts/setup-lavapipe.sh leaves the lavapipe ICD manifest, relative to the repository root. */
export const LAVAPIPE_ICD_RELATIVE_PATH = '.cache/lavapipe/lvp_icd.json';

/** The lavapipe ICD manifest under `repoRoot`, or null when scripts/setup-lavapipe.sh has not run. */
export function findLavapipeIcd(repoRoot: string): string | null {
  const file = join(repoRoot, LAVAPIPE_ICD_RELATIVE_PATH);
  return existsSync(file) ? file : null;
}

/**
 * Points the Vulkan loader at one ICD manifest. It must run before Dawn creates its Vulkan instance: the
 * loader reads VK_ICD_FILENAMES then. Mesa's WSI code also wants XDG_RUNTIME_DIR, which headless CI
 * machines often lack.
 */
export function useVulkanIcd(icdFile: string): void {
  process.env.VK_ICD_FILENAMES = icdFile;
  if (!process.env.XDG_RUNTIME_DIR) {
    const dir = join(tmpdir(), `histo-fetch-xdg-${process.getuid?.() ?? 'user'}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    process.env.XDG_RUNTIME_DIR = dir;
  }
}
