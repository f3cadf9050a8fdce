import { readdir } from 'node:fs/promises';
import { relative, sep } from 'node:path';

import { describe, expect, it } from 'vitest';

import { BAD_SLIDES, SLIDES_DIR, USABLE_SLIDES } from './helpers/fixtures.js';

describe('the test slides folder', () => {
  it('holds exactly the slides the tests iterate over, so a slide added to it cannot go untested', async () => {
    const entries = await readdir(SLIDES_DIR, { recursive: true, withFileTypes: true });
    const files = entries
      .filter((entry) => entry.isFile())
      .map((entry) => relative(SLIDES_DIR, `${entry.parentPath}${sep}${entry.name}`).split(sep).join('/'))
      // The folder's documentation: where each slide comes from, and the licences.
      .filter((file) => !file.endsWith('.md') && file !== 'NOTICE');
    expect(files.sort()).toEqual([...USABLE_SLIDES, ...BAD_SLIDES].sort());
  });
});
