import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src-main/cli/args.js';
import { withDetectors } from '../../../src-main/cli/detectors.js';

const DOMAINS = [
  { name: 'H&E', folders: ['/slides/he'] },
  { name: 'DAPI', folders: ['/slides/dapi'] },
];

const detectors = (specs: string[]): (string | undefined)[] =>
  withDetectors(DOMAINS, specs).map((d) => d.detector);

describe('--detector [NAME=]D (train, sample)', () => {
  it('leaves the detector to the config default when not given', () => {
    expect(withDetectors(DOMAINS, [])).toEqual(DOMAINS);
  });

  it('sets one domain by name, every domain without a name, and a named one over the bare one', () => {
    expect(detectors(['DAPI=saturation'])).toEqual([undefined, 'saturation']);
    expect(detectors(['saturation'])).toEqual(['saturation', 'saturation']);
    expect(detectors(['DAPI=otsu-red', 'saturation'])).toEqual(['saturation', 'otsu-red']);
    expect(detectors(['H&E=otsu-red', 'DAPI=saturation'])).toEqual(['otsu-red', 'saturation']);
  });

  it('rejects unknown detectors and domain names, and a domain given twice, as usage errors', () => {
    const cases: [string[], RegExp][] = [
      [['DAPI=hsv'], /--detector 'DAPI=hsv': unknown detector 'hsv' \(expected otsu-red or saturation\)/],
      [['otsu'], /unknown detector 'otsu'/],
      [['PAS=saturation'], /--detector 'PAS=saturation': no domain named 'PAS' \(domains: H&E, DAPI\)/],
      [['DAPI=saturation', 'DAPI=otsu-red'], /names the domain 'DAPI' more than once/],
      [['saturation', 'otsu-red'], /without a domain name was given more than once/],
    ];
    for (const [specs, message] of cases) {
      expect(() => withDetectors(DOMAINS, specs)).toThrow(UsageError);
      expect(() => withDetectors(DOMAINS, specs)).toThrow(message);
    }
  });
});
