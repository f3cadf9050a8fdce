import { describe, expect, it } from 'vitest';
import { validateDataset } from '../../../../src-main/core/dataset/dataset.js';
import { DatasetError } from '../../../../src-main/core/dataset/errors.js';

describe('validateDataset', () => {
  it('accepts named domains with folders and resolves the folders', () => {
    const dataset = validateDataset(
      {
        domains: [
          { name: ' H&E ', folders: ['he', '/data/he2'] },
          { name: 'PAS', folders: ['pas'] },
        ],
      },
      '/base',
    );
    expect(dataset).toEqual({
      domains: [
        { name: 'H&E', folders: ['/base/he', '/data/he2'] },
        { name: 'PAS', folders: ['/base/pas'] },
      ],
    });
  });

  it.each([
    [null, /"domains" list/],
    [{ domains: [] }, /at least one domain/],
    [{ domains: ['x'] }, /domain 1 must be an object/],
    [{ domains: [{ name: '', folders: ['a'] }] }, /domain 1 needs a non-empty name/],
    [{ domains: [{ name: 'H&E', folders: [] }] }, /Domain "H&E" needs at least one folder/],
    [{ domains: [{ name: 'H&E', folders: [3] }] }, /Domain "H&E" has a folder that is not a path/],
  ])('rejects %j with a clear message', (input, message) => {
    expect(() => validateDataset(input, '/base')).toThrow(message);
  });

  it('rejects a domain name used twice, ignoring case', () => {
    const input = {
      domains: [
        { name: 'PAS', folders: ['a'] },
        { name: 'pas', folders: ['b'] },
      ],
    };
    expect(() => validateDataset(input, '/base')).toThrow(DatasetError);
    expect(() => validateDataset(input, '/base')).toThrow(/"pas" is used twice/);
  });

  it('rejects folders that overlap, naming both and the domains', () => {
    let error: DatasetError | undefined;
    try {
      validateDataset({
        domains: [
          { name: 'A', folders: ['/d/x'] },
          { name: 'B', folders: ['/d/x/y'] },
        ],
      });
    } catch (e) {
      error = e as DatasetError;
    }
    expect(error?.code).toBe('OVERLAPPING_FOLDERS');
    expect(error?.path).toBe('/d/x/y');
    expect(error?.message).toMatch(/\/d\/x\/y and \/d\/x overlap: slides would belong to "B" and "A"/);
    expect(() => validateDataset({ domains: [{ name: 'A', folders: ['/d/x', '/d/x/'] }] })).toThrow(
      /listed twice/,
    );
    // A common prefix is not an overlap.
    expect(() => validateDataset({ domains: [{ name: 'A', folders: ['/d/x', '/d/xy'] }] })).not.toThrow();
  });
});
