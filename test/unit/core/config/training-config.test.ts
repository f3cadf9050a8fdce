import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../src-main/core/config/errors.js';
import {
  checkTrainingConfig,
  resolveTrainingConfig,
  type DomainInput,
  type TrainingConfigInput,
} from '../../../../src-main/core/config/training-config.js';

const TWO_DOMAINS = [
  { name: 'H&E', folders: ['/slides/he'] },
  { name: 'DAPI', folders: ['/slides/dapi'] },
];

/** A domain as untyped input (a config file, the UI) may give it. */
function untyped(domain: object): DomainInput {
  return domain as DomainInput;
}

function rejects(
  input: Partial<TrainingConfigInput> & Record<string, unknown>,
  field: string,
  message: RegExp,
): void {
  let error: unknown;
  try {
    resolveTrainingConfig({ model: 'cyclegan', domains: TWO_DOMAINS, steps: 10, ...input });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).field).toBe(field);
  expect((error as ConfigError).message).toMatch(message);
}

describe('training config', () => {
  it('fills every default from the preset and keeps the result valid', () => {
    const config = resolveTrainingConfig({ model: 'cyclegan', domains: TWO_DOMAINS, steps: 10 });
    expect(config).toMatchObject({
      version: 1,
      model: 'cyclegan',
      preset: 'small',
      backend: 'auto',
      seed: 0,
      steps: 10,
      sampling: {
        sizePx: 64,
        scale: { kind: 'downsample', downsample: 4 },
        augment: 0,
        minTissueFraction: 0,
      },
      checkpointEvery: 500,
      sampleEvery: 100,
      keepCheckpoints: 3,
    });
    expect(config.domains.map((d) => d.detector)).toEqual(['otsu-red', 'otsu-red']);
    expect(checkTrainingConfig(JSON.parse(JSON.stringify(config)))).toEqual(config);
  });

  it('gives each domain its own mask detector, kept through config.json', () => {
    const config = resolveTrainingConfig({
      model: 'cyclegan',
      domains: [TWO_DOMAINS[0]!, { ...TWO_DOMAINS[1]!, detector: 'saturation' }],
      steps: 10,
    });
    expect(config.domains).toEqual([
      { name: 'H&E', folders: ['/slides/he'], detector: 'otsu-red' },
      { name: 'DAPI', folders: ['/slides/dapi'], detector: 'saturation' },
    ]);
    expect(checkTrainingConfig(JSON.parse(JSON.stringify(config))).domains).toEqual(config.domains);
  });

  it("masks held-out slides with their training domain's detector", () => {
    const config = resolveTrainingConfig({
      model: 'cyclegan',
      domains: [TWO_DOMAINS[0]!, { ...TWO_DOMAINS[1]!, detector: 'saturation' }],
      steps: 10,
      evaluateEvery: 5,
      heldOut: [
        { name: 'dapi', folders: ['/held/dapi'] },
        { name: 'H&E', folders: ['/held/he'] },
      ],
    });
    expect(config.evaluation?.heldOut).toEqual([
      { name: 'H&E', folders: ['/held/he'], detector: 'otsu-red' },
      { name: 'DAPI', folders: ['/held/dapi'], detector: 'saturation' },
    ]);
  });

  it('reads a config stored before domains had detectors: they used otsu-red', () => {
    const stored = JSON.parse(
      JSON.stringify(resolveTrainingConfig({ model: 'cyclegan', domains: TWO_DOMAINS, steps: 10 })),
    ) as { domains: { detector?: string }[] };
    for (const domain of stored.domains) delete domain.detector;
    expect(stored.domains).toEqual(TWO_DOMAINS);
    const checked = checkTrainingConfig(stored);
    expect(checked.domains.map((d) => d.detector)).toEqual(['otsu-red', 'otsu-red']);
    expect(stored.domains[0]).not.toHaveProperty('detector');
  });

  it('rejects an unknown detector or domain field, naming the domain', () => {
    rejects(
      { domains: [TWO_DOMAINS[0]!, { ...TWO_DOMAINS[1]!, detector: 'otsu-blue' }] },
      'domains[1].detector',
      /Unknown mask detector 'otsu-blue' for domain 'DAPI': expected otsu-red, saturation/,
    );
    rejects(
      { domains: [untyped({ ...TWO_DOMAINS[0]!, detector: 3 }), TWO_DOMAINS[1]!] },
      'domains[0].detector',
      /Unknown mask detector '3'/,
    );
    rejects(
      { domains: [TWO_DOMAINS[0]!, untyped({ ...TWO_DOMAINS[1]!, detecter: 'saturation' })] },
      'domains[1].detecter',
      /Unknown field 'detecter' in domains\[1\] \(known: name, folders, detector\)/,
    );
    const stored = JSON.parse(
      JSON.stringify(resolveTrainingConfig({ model: 'cyclegan', domains: TWO_DOMAINS, steps: 10 })),
    ) as { domains: { detector?: string }[] };
    stored.domains[1]!.detector = 'hsv';
    expect(() => checkTrainingConfig(stored, '/runs/x/config.json')).toThrow(
      /Invalid training config: Unknown mask detector 'hsv' for domain 'DAPI'.*\(\/runs\/x\/config\.json\)/,
    );
  });

  it('applies overrides: size, mpp, batch and learning rate', () => {
    const c = resolveTrainingConfig({
      model: 'cyclegan',
      domains: TWO_DOMAINS,
      steps: 5,
      preset: 'tiny',
      sizePx: 32,
      mpp: 2,
      batchSize: 2,
      learningRate: 1e-3,
    });
    if (c.model !== 'cyclegan') throw new Error('model');
    expect(c.sampling).toMatchObject({ sizePx: 32, scale: { kind: 'mpp', mpp: 2 } });
    expect(c.cyclegan).toMatchObject({ sizePx: 32, batchSize: 2, adam: { learningRate: 1e-3, beta1: 0.5 } });
  });

  it('ProGAN: the size is the target resolution; the downsample at the target keeps the preset field of view', () => {
    const c = resolveTrainingConfig({
      model: 'progan',
      domains: [TWO_DOMAINS[0]!],
      steps: 5,
      preset: 'paper',
      sizePx: 256,
    });
    if (c.model !== 'progan') throw new Error('model');
    expect(c.progan.network.maxResolution).toBe(256);
    expect(Object.keys(c.progan.batchSizes).map(Number)).toEqual([4, 8, 16, 32, 64, 128, 256]);
    // SPEC 6: downsample 4 at the target, so 4 * 256 / r at resolution r.
    expect(c.sampling.scale).toEqual({ kind: 'downsample', downsample: 4 });
    expect(c.progan.fieldOfViewLevel0Px).toBe(1024);
  });

  it('rejects bad input with the field at fault', () => {
    rejects({ steps: 0 }, 'steps', /positive integer for steps but received 0/);
    rejects({ steps: -3 }, 'steps', /positive integer/);
    rejects(
      { backend: 'cuda' },
      'backend',
      /Unknown backend 'cuda': expected auto, tensorflow, webgpu, wasm, cpu/,
    );
    rejects({ preset: 'huge' }, 'preset', /Unknown preset 'huge'/);
    rejects({ model: 'stylegan' }, 'model', /Unknown model 'stylegan'/);
    rejects({ sizePx: 30 }, 'sizePx', /sizePx 30 is not allowed for cyclegan/);
    rejects({ preset: 'tiny', sizePx: 16 }, 'sizePx', /needs at least 24 px/);
    rejects({ model: 'progan', domains: [TWO_DOMAINS[0]!], sizePx: 100 }, 'sizePx', /not allowed for progan/);
    rejects({ domains: [TWO_DOMAINS[0]!] }, 'domains', /exactly two domains \(A and B\) but received 1/);
    rejects(
      { domains: [TWO_DOMAINS[0]!, { name: 'h&e', folders: ['/x'] }] },
      'domains[1].name',
      /used twice/,
    );
    rejects({ domains: [TWO_DOMAINS[0]!, { name: 'B', folders: [] }] }, 'domains[1].folders', /folder paths/);
    rejects({ downsample: 4, mpp: 0.5 }, 'downsample', /either downsample or mpp/);
    rejects({ downsample: 0.5 }, 'downsample', /number >= 1/);
    rejects({ augment: 2 }, 'augment', /\[0, 1\]/);
    rejects({ epochs: 3 }, 'epochs', /Unknown field 'epochs'/);
    rejects(
      { model: 'progan', domains: [TWO_DOMAINS[0]!], batchSize: 6 },
      'batchSizes[4]',
      /multiple of the minibatch-stddev group/,
    );
  });
});
