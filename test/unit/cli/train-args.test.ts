import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src-main/cli/args.js';
import { asUsageError, parseBatch, parsePhaseImages } from '../../../src-main/cli/commands/train.js';
import { resolveTrainingConfig } from '../../../src-main/core/config/training-config.js';

describe('train: --batch and --phase-images', () => {
  it('reads one minibatch, one per resolution, or both', () => {
    expect(parseBatch('8')).toEqual({ batchSize: 8 });
    expect(parseBatch('4=128,8=128, 256=8')).toEqual({ batchSizes: { 4: 128, 8: 128, 256: 8 } });
    expect(parseBatch('16,4=128')).toEqual({ batchSize: 16, batchSizes: { 4: 128 } });
  });

  it('reads images per phase: train, and fade (the same when left out)', () => {
    expect(parsePhaseImages('600000,300000')).toEqual({ train: 600_000, fade: 300_000 });
    expect(parsePhaseImages('5000')).toEqual({ train: 5000, fade: 5000 });
    expect(parsePhaseImages('5000,0')).toEqual({ train: 5000, fade: 0 });
  });

  it('rejects malformed values with the option and the expected form', () => {
    for (const text of ['', 'x', '4=', '8,16', '4=8=2', '-4', '2.5']) {
      expect(() => parseBatch(text), text).toThrow(UsageError);
      expect(() => parseBatch(text), text).toThrow(/N or RES=N\[,RES=N\.\.\.\] .* for --batch but received/);
    }
    for (const text of ['', '1,2,3', 'many', '-5', '5,-1']) {
      expect(() => parsePhaseImages(text), text).toThrow(/T or T,F .* for --phase-images but received/);
    }
  });

  it('names the option of a schedule the config rejects', () => {
    const progan = { model: 'progan', domains: [{ name: 'HE', folders: ['/he'] }], steps: 2, preset: 'tiny' };
    const cases: [object, RegExp][] = [
      [parseBatch('32=4'), /batchSizes names 32 px, which is not a resolution of this run .*\(--batch\)$/],
      [parseBatch('8=6'), /batchSizes\[8\] = 6 is not a multiple .*\(--batch\)$/],
      [{ discriminatorLearningRate: 0 }, /discriminatorLearningRate but received 0 \(--lr-d\)$/],
      [{ phaseImages: parsePhaseImages('0') }, /phaseImages\.train but received 0 \(--phase-images\)$/],
      [
        {
          model: 'cyclegan',
          domains: [...progan.domains, { name: 'B', folders: ['/b'] }],
          identityWeight: -1,
        },
        /identityWeight .* \(--identity\)$/,
      ],
    ];
    for (const [fields, message] of cases) {
      expect(() => asUsageError(() => resolveTrainingConfig({ ...progan, ...fields }))).toThrow(message);
    }
  });
});
