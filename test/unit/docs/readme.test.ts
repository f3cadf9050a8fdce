import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('opens with exactly the two commands, directly under the title', () => {
    const opening = readme.split('\n## ')[0]!;
    const [title, ...rest] = opening.split('\n');
    expect(title).toBe('# histo-fetch workbench');
    // Up to the first prose line: blank lines and fenced blocks only.
    const head: string[] = [];
    let fenced = false;
    for (const line of rest) {
      if (line.startsWith('```')) fenced = !fenced;
      else if (!fenced && line.trim() !== '') break;
      head.push(line);
    }
    expect(head.join('\n').trim()).toBe(
      '```sh\n./scripts/setup-debian.sh && npm run demo\n```\n\n```sh\nnpm test\n```',
    );
    expect(opening.match(/```sh/g)).toHaveLength(2);
  });

  it('documents the CLI exit statuses 0, 1 and 2', () => {
    const cli = readme.slice(readme.indexOf('### The command line'));
    expect(cli).toMatch(/Exit status: 0 on\s+success, 1 on a user error[\s\S]*2 on a bad command line/);
  });
});
