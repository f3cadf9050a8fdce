import { describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManifestWriter, readManifest } from '../../../../src-main/core/sampling/manifest.js';

function tempFile(): { path: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'manifest-'));
  return { path: join(dir, 'manifest.jsonl'), done: () => rmSync(dir, { recursive: true, force: true }) };
}

describe('manifest (JSON lines)', () => {
  it('appends records as one line each and reads them back in order', () => {
    const { path, done } = tempFile();
    try {
      const writer = new ManifestWriter<{ i: number; s: string }>(path);
      writer.append([{ i: 0, s: 'a' }]);
      writer.append([
        { i: 1, s: 'line\nbreak' },
        { i: 2, s: 'c' },
      ]);
      writer.close();
      expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(4);
      expect(readManifest(path)).toEqual([
        { i: 0, s: 'a' },
        { i: 1, s: 'line\nbreak' },
        { i: 2, s: 'c' },
      ]);
    } finally {
      done();
    }
  });

  it('ignores a torn last line, and a reopened writer cuts it off before appending', () => {
    const { path, done } = tempFile();
    try {
      const first = new ManifestWriter<{ i: number }>(path);
      first.append([{ i: 0 }, { i: 1 }]);
      first.close();
      appendFileSync(path, '{"i": 2, "sli'); // a crash in the middle of a write
      expect(readManifest(path)).toEqual([{ i: 0 }, { i: 1 }]);
      const second = new ManifestWriter<{ i: number }>(path);
      second.append([{ i: 3 }]);
      second.close();
      expect(readManifest(path)).toEqual([{ i: 0 }, { i: 1 }, { i: 3 }]);
    } finally {
      done();
    }
  });

  it('names the file and line of a corrupt line in the middle', () => {
    const { path, done } = tempFile();
    try {
      appendFileSync(path, '{"i":0}\nnot json\n{"i":2}\n');
      expect(() => readManifest(path)).toThrow(/manifest\.jsonl: line 2 is not valid JSON/);
    } finally {
      done();
    }
  });
});
