import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** Absolute path of a file in test/fixtures/slides. */
export function fixtureSlide(name: string): string {
  return join(fileURLToPath(new URL('../../../fixtures/slides/', import.meta.url)), name);
}
