import { mkdir, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { ServiceError } from '../errors.js';
import { isInside, realDirectory } from '../workspace/path-guard.js';
import type { TranslationRegistry } from './translation-registry.js';

/** Where translations may be written. */
export interface OutputRules {
  /** The runs folder (real path): always allowed, it belongs to the service. */
  readonly runsRoot: string;
  /**
   * The folders the user may pick from (server mode), real paths; null: any folder (Electron, where
   * folders come from the native dialog). The same rule as for adding dataset folders.
   */
  readonly pickRoots: readonly string[] | null;
}

/**
 * The real folder a translation goes to. Omitted: `defaultFolder` (the run's `translations/`, inside
 * the runs folder; created). Given: an existing folder inside the runs folder or one the user may pick,
 * so a translation lands beside a slide only when the user chose that folder.
 */
export async function resolveOutputFolder(
  requested: string | undefined,
  defaultFolder: string,
  rules: OutputRules,
): Promise<string> {
  if (requested === undefined) {
    await mkdir(defaultFolder, { recursive: true });
    return realDirectory(defaultFolder);
  }
  const real = await realDirectory(requested);
  const allowed =
    isInside(real, rules.runsRoot) ||
    rules.pickRoots === null ||
    rules.pickRoots.some((root) => isInside(real, root));
  if (!allowed) {
    throw new ServiceError(
      'PATH_NOT_ALLOWED',
      `The output folder '${requested}' is outside the runs folder and the folders this workbench may open (${(rules.pickRoots ?? []).join(', ')})`,
      { path: requested },
    );
  }
  return real;
}

/** A file name made of safe characters: letters, digits, '.', '_', '-'. */
function safe(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._-]+/, '') || 'slide';
}

/** `cmu-1.AtoB.step120.ds8.tif`: slide, generator, scale; the same request gives the same name. */
export function defaultOutputName(slidePath: string, generatorLabel: string, downsample: number): string {
  const stem = basename(slidePath, extname(slidePath));
  return `${safe(stem)}.${safe(generatorLabel)}.ds${Number(downsample.toFixed(3))}.tif`;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Refuses to overwrite what the service did not write: an existing TIFF (or its `.json` sidecar, or its
 * `.partial` work folder) is
 * replaced only when it is a finished translation of this service and `replace` is set. A stopped
 * translation's output does not exist yet (its rows wait in `.partial/`), so its rerun passes.
 */
export async function checkOutputFree(
  outPath: string,
  replace: boolean,
  registry: TranslationRegistry,
): Promise<void> {
  const record = registry.get(outPath);
  // The work folder of an unknown job would be emptied by the translation: refuse it as well.
  for (const path of [outPath, `${outPath}.json`, `${outPath}.partial`]) {
    if (!(await exists(path))) continue;
    if (!record) {
      throw new ServiceError(
        'CONFLICT',
        `${path} already exists and was not written by this workbench; choose another name or folder`,
        { path },
      );
    }
    if (record.state === 'done' && !replace) {
      throw new ServiceError('CONFLICT', `${outPath} is already translated; open it, or ask to replace it`, {
        path: outPath,
      });
    }
  }
}
