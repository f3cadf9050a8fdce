import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../../../scripts/setup-debian.sh', import.meta.url));
const hasAptCache = spawnSync('apt-cache', ['--version']).status === 0;

/** The apt packages setup-debian.sh would install (its dry run), and what it told the user. */
function plannedPackages(extraPath?: string): { packages: string[]; stderr: string } {
  const path = extraPath ? `${extraPath}${delimiter}${process.env.PATH}` : process.env.PATH;
  const run = spawnSync('bash', [script], {
    encoding: 'utf8',
    env: { ...process.env, PATH: path, SETUP_DRY_RUN: '1' },
  });
  expect(run.status, run.stderr).toBe(0);
  return { packages: run.stdout.trim().split(' '), stderr: run.stderr };
}

describe.skipIf(!hasAptCache)('setup-debian.sh picks the browser package', () => {
  let fakeBin = '';
  beforeAll(async () => {
    fakeBin = await mkdtemp(join(tmpdir(), 'histo-fetch-apt-'));
  });
  afterAll(async () => {
    await rm(fakeBin, { recursive: true, force: true });
  });

  /** An apt-cache answering as Ubuntu's does (it cannot run here): `policy` and `depends` texts. */
  async function fakeAptCache(policy: string, depends: string): Promise<void> {
    const body = `#!/bin/sh\ncase "$1" in policy) printf '%s\\n' '${policy}';; depends) printf '%s\\n' '${depends}';; esac\n`;
    await writeFile(join(fakeBin, 'apt-cache'), body);
    await chmod(join(fakeBin, 'apt-cache'), 0o755);
  }

  it("installs Debian's chromium where apt has a real candidate (this machine)", () => {
    const apt = spawnSync('apt-cache', ['policy', 'chromium'], { encoding: 'utf8' });
    const { packages } = plannedPackages();
    expect(packages).toContain('python3-openslide');
    if (/^\s*Candidate: \d/m.test(apt.stdout)) expect(packages).toContain('chromium');
  });

  it('skips it with a message where chromium has no candidate', async () => {
    await fakeAptCache('chromium:\n  Installed: (none)\n  Candidate: (none)', '');
    const { packages, stderr } = plannedPackages(fakeBin);
    expect(packages).not.toContain('chromium');
    expect(packages).toContain('libopenslide-dev');
    expect(stderr).toContain('the browser (e2e) tests will skip');
  });

  it("skips Ubuntu's transitional package that installs the snap", async () => {
    await fakeAptCache(
      'chromium:\n  Installed: (none)\n  Candidate: 2:1snap1-0ubuntu2',
      'chromium\n  Depends: snapd',
    );
    const { packages, stderr } = plannedPackages(fakeBin);
    expect(packages).not.toContain('chromium');
    expect(stderr).toContain('snap shim');
  });
});
