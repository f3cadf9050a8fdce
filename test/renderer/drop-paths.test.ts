import { describe, expect, it } from 'vitest';
import { droppedPaths, pathsFromUriList } from '../../src-renderer/src/lib/drop-paths.js';

function drop(files: File[], data: Record<string, string>) {
  return { files, getData: (format: string) => data[format] ?? '' };
}

describe('paths of dropped folders', () => {
  it('reads file:// URLs of a uri-list, decoding escapes and skipping comments and other schemes', () => {
    expect(
      pathsFromUriList(
        '# from a file manager\r\nfile:///data/H%26E%20slides\r\nhttps://example.org/x\r\nfile://localhost/srv/PAS\r\nfile://remote/share',
      ),
    ).toEqual(['/data/H&E slides', '/srv/PAS']);
  });

  it('uses the preload to learn real paths in Electron', () => {
    const files = [new File([], 'HE'), new File([], 'PAS')];
    const found = droppedPaths(drop(files, {}), (file) => `/slides/${file.name}`);
    expect(found).toEqual({ paths: ['/slides/HE', '/slides/PAS'], unresolved: [] });
  });

  it('names the dropped items whose path a browser hides, unless the uri-list gave it', () => {
    const files = [new File([], 'HE'), new File([], 'PAS')];
    const found = droppedPaths(drop(files, { 'text/uri-list': 'file:///slides/HE' }), null);
    expect(found).toEqual({ paths: ['/slides/HE'], unresolved: ['PAS'] });
  });

  it('accepts one absolute path dropped as plain text', () => {
    expect(droppedPaths(drop([], { 'text/plain': '/slides/HE\n' }), null)).toEqual({
      paths: ['/slides/HE'],
      unresolved: [],
    });
    expect(droppedPaths(drop([], { 'text/plain': 'HE' }), null)).toEqual({ paths: [], unresolved: [] });
  });
});
