import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { ServiceError } from '../errors.js';
import { isInside } from '../workspace/path-guard.js';

/**
 * The real folder of a run, refusing ids that lead out of the runs folder (through a symlink, say) and
 * the runs folder itself.
 */
export async function resolveRunDir(runsDir: string, runId: string): Promise<string> {
  const dir = join(runsDir, runId);
  const [real, root] = await Promise.all([realpath(dir).catch(() => null), realpath(runsDir)]);
  if (real === null) throw new ServiceError('NOT_FOUND', `No run '${runId}' in ${runsDir}`, { path: dir });
  if (!isInside(real, root) || real === root)
    throw new ServiceError('PATH_NOT_ALLOWED', `The run '${runId}' leads outside ${runsDir}`, {
      path: dir,
    });
  return real;
}
