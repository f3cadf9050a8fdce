import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { findLavapipeIcd } from '../../../../../../src-main/core/training/backend/webgpu/vulkan-loader.js';

const repoRoot = fileURLToPath(new URL('../../../../../../', import.meta.url));
const script = join(repoRoot, 'scripts/setup-lavapipe.sh');
const run = promisify(execFile);

describe('scripts/setup-lavapipe.sh', () => {
  it('skips with a message on a system that is not Debian 12', async () => {
    const osRelease = join(mkdtempSync(join(tmpdir(), 'hf-os-')), 'os-release');
    writeFileSync(osRelease, 'ID=debian\nVERSION_CODENAME=trixie\n');
    const { stdout } = await run('bash', [script], { env: { ...process.env, OS_RELEASE_FILE: osRelease } });
    expect(stdout).toMatch(/skipped \(needs Debian 12 bookworm, found 'trixie'\)/);
  });

  it.skipIf(!findLavapipeIcd(repoRoot))(
    'leaves an ICD manifest naming an existing lavapipe driver',
    async () => {
      const { stdout } = await run('bash', [script]);
      expect(stdout).toMatch(/already in \.cache\/lavapipe/);
      const manifest = JSON.parse(readFileSync(findLavapipeIcd(repoRoot)!, 'utf8')) as {
        ICD: { library_path: string };
      };
      expect(existsSync(manifest.ICD.library_path)).toBe(true);
    },
  );
});
