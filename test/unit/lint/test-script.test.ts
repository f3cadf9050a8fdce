import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

describe('npm test', () => {
  it('runs lint, the formatting check, the type checks and vitest, in that order', async () => {
    const manifest = JSON.parse(
      await readFile(new URL('../../../package.json', import.meta.url), 'utf8'),
    ) as {
      scripts: Record<string, string>;
    };
    expect(manifest.scripts.test!.split(' && ')).toEqual([
      'npm run lint',
      'npm run format:check',
      'npm run typecheck',
      'vitest run',
    ]);
    expect(manifest.scripts['format:check']).toBe('prettier --check .');
  });
});
