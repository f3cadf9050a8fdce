// Child process for the mask-cache tests: writes one cache entry, optionally killing itself with SIGKILL
// just before the PNG or the JSON rename (a build killed mid-write), or rewriting it many times.
// Usage: node --import tsx cache-writer.fixture.ts <cacheDir> <kill-before: png|json|none> <repeats>
import { MaskCache } from '../../../../src-main/core/tissue/mask-cache.js';
import { sampleEntry } from './cache-sample.js';

const [cacheDir, killBefore, repeats] = process.argv.slice(2) as [string, string, string];
const cache = new MaskCache({
  cacheDir,
  beforeRename: (_temp, final) => {
    if (
      (killBefore === 'png' && final.endsWith('.png')) ||
      (killBefore === 'json' && final.endsWith('.json'))
    ) {
      process.kill(process.pid, 'SIGKILL');
    }
  },
});
const { metadata, png } = sampleEntry();
for (let i = 0; i < Number(repeats); i++) await cache.write(metadata, png);
