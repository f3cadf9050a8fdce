import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isOurPageUrl } from '../../src-main/electron/page-url.js';

describe('isOurPageUrl (who may use the bridge, where the window may navigate)', () => {
  const page = pathToFileURL('/opt/histo-fetch/out/renderer/index.html').href;

  it('accepts the built page with any view in its hash', () => {
    expect(isOurPageUrl(page, page)).toBe(true);
    expect(isOurPageUrl(`${page}#/charts`, page)).toBe(true);
  });

  it('refuses every other local file, a query, a sibling folder, and no address', () => {
    for (const other of [
      pathToFileURL('/home/user/Downloads/dropped.html').href,
      pathToFileURL('/opt/histo-fetch/out/renderer/other.html').href,
      pathToFileURL('/opt/histo-fetch/out/renderer/index.html.evil').href,
      `${page}?x=1`,
      'file:///',
      'https://example.org/',
      'not a url',
      undefined,
    ])
      expect(isOurPageUrl(other, page), String(other)).toBe(false);
  });

  it('accepts the development server by origin only', () => {
    expect(isOurPageUrl('http://localhost:5173/#/runs', 'http://localhost:5173')).toBe(true);
    expect(isOurPageUrl('http://localhost:5174/', 'http://localhost:5173')).toBe(false);
    expect(isOurPageUrl(pathToFileURL('/tmp/x.html').href, 'http://localhost:5173')).toBe(false);
  });
});
