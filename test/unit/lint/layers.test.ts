import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** One import statement linted as if it stood in `filePath` (the file need not exist). */
interface Case {
  filePath: string;
  source: string;
}

// The imports DESIGN.md's layering forbids, one per layer, each with an allowed neighbour.
const forbidden: ReadonlyArray<Case> = [
  { filePath: 'src-renderer/stores/x.ts', source: '../../src-main/core/slide/index.js' },
  { filePath: 'src-main/core/tissue/x.ts', source: '../../service/service.js' },
  { filePath: 'src-main/core/tissue/x.ts', source: '../../native/openslide/index.js' },
  { filePath: 'src-main/service/datasets/x.ts', source: '../../native/openslide/index.js' },
  { filePath: 'src-main/electron/x.ts', source: '../core/slide/index.js' },
  { filePath: 'src-main/electron/x.ts', source: '../native/openslide/index.js' },
  { filePath: 'src-main/server/x.ts', source: '../core/slide/index.js' },
  { filePath: 'src-main/cli/commands/x.ts', source: 'electron' },
  { filePath: 'src-main/cli/commands/x.ts', source: '../../electron/main.js' },
  { filePath: 'src-main/cli/commands/x.ts', source: '../../native/openslide/index.js' },
  { filePath: 'src-main/contract/x.ts', source: '../core/slide/index.js' },
  { filePath: 'src-main/native/openslide/x.ts', source: '../../core/slide/index.js' },
];

const allowed: ReadonlyArray<Case> = [
  { filePath: 'src-renderer/stores/x.ts', source: '../../src-main/contract/index.js' },
  { filePath: 'src-main/core/tissue/x.ts', source: '../slide/index.js' },
  { filePath: 'src-main/core/slide/x.ts', source: '../../native/openslide/index.js' },
  { filePath: 'src-main/service/datasets/x.ts', source: '../../core/slide/index.js' },
  { filePath: 'src-main/electron/x.ts', source: 'electron' },
  { filePath: 'src-main/electron/x.ts', source: '../service/context.js' },
  { filePath: 'src-main/electron/x.ts', source: '../contract/index.js' },
  { filePath: 'src-main/server/x.ts', source: '../service/service.js' },
  { filePath: 'src-main/cli/commands/x.ts', source: '../../core/slide/index.js' },
  { filePath: 'src-main/cli/commands/x.ts', source: '../../service/service.js' },
];

describe('the layer import rules (eslint.config.js)', () => {
  let eslint: ESLint;
  beforeAll(() => {
    eslint = new ESLint({ cwd: repoRoot });
  });

  async function restrictedImports({ filePath, source }: Case): Promise<string[]> {
    const code = `import { thing } from '${source}';\nexport const used = thing;\n`;
    const [result] = await eslint.lintText(code, { filePath: `${repoRoot}${filePath}` });
    return result!.messages
      .filter((message) => message.ruleId === 'no-restricted-imports')
      .map((message) => message.message);
  }

  it.each(forbidden)('refuses $source in $filePath', async (example) => {
    const messages = await restrictedImports(example);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain('DESIGN.md');
  });

  it.each(allowed)('accepts $source in $filePath', async (example) => {
    expect(await restrictedImports(example)).toEqual([]);
  });
});
