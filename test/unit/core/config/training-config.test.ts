import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../src-main/core/config/errors.js';
import {
  checkTrainingConfig,
  resolveTrainingConfig,
  type DomainInput,
  type TrainingConfigInput,
} from '../../../../src-main/core/config/training-config.js';
import { discriminatorAdam } from '../../../../src-main/core/training/presets.js';

const TWO_DOMAINS = [
  { name: 'H&E', folders: ['/slides/he'] },
  { name: 'DAPI', folders: ['/slides/dapi'] },
];

/** A domain as untyped input (a config file, the UI) may give it. */
function untyped(domain: object): DomainInput {
  return domain as DomainInput;
}

/** Fields of the wrong shape, as untyped input may give them. */
function malformed(fields: object): Partial<TrainingConfigInput> {
  return fields as Partial<TrainingConfigInput>;
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

  it('ProGAN: minibatch per resolution and images per phase are settings (SPEC 6), kept through config.json', () => {
    const c = resolveTrainingConfig({
      model: 'progan',
      domains: [TWO_DOMAINS[0]!],
      steps: 5,
      preset: 'paper',
      sizePx: 64,
      batchSize: 16,
      batchSizes: { '4': 128, '64': 8 },
      phaseImages: { train: 1000, fade: 0 },
    });
    if (c.model !== 'progan') throw new Error('model');
    // Named resolutions take their own minibatch, the others batchSize.
    expect(c.progan.batchSizes).toEqual({ 4: 128, 8: 16, 16: 16, 32: 16, 64: 8 });
    expect(c.progan.imagesPerPhase).toEqual({ train: 1000, fade: 0 });
    expect(checkTrainingConfig(JSON.parse(JSON.stringify(c)))).toEqual(c);
    // Without overrides: the preset's schedule; one phase count alone keeps the other.
    const paper = resolveTrainingConfig({
      model: 'progan',
      domains: [TWO_DOMAINS[0]!],
      steps: 5,
      preset: 'paper',
      phaseImages: { fade: 300_000 },
    });
    if (paper.model !== 'progan') throw new Error('model');
    expect(paper.progan.batchSizes).toEqual({
      4: 128,
      8: 128,
      16: 128,
      32: 64,
      64: 32,
      128: 16,
      256: 8,
      512: 4,
    });
    expect(paper.progan.imagesPerPhase).toEqual({ train: 600_000, fade: 300_000 });
  });

  it('CycleGAN: the identity loss weight is a setting; 0 turns it off', () => {
    const off = resolveTrainingConfig({
      model: 'cyclegan',
      domains: TWO_DOMAINS,
      steps: 5,
      identityWeight: 0,
    });
    if (off.model !== 'cyclegan') throw new Error('model');
    expect(off.cyclegan.identityWeight).toBe(0);
    const byDefault = resolveTrainingConfig({ model: 'cyclegan', domains: TWO_DOMAINS, steps: 5 });
    if (byDefault.model !== 'cyclegan') throw new Error('model');
    expect(byDefault.cyclegan.identityWeight).toBe(0.5);
    rejects({ identityWeight: -1 }, 'identityWeight', /number >= 0 for identityWeight .* received -1/);
    rejects(malformed({ identityWeight: 'off' }), 'identityWeight', /number >= 0 for identityWeight/);
    rejects(
      { model: 'progan', domains: [TWO_DOMAINS[0]!], identityWeight: 0 },
      'identityWeight',
      /cyclegan setting/,
    );
  });

  it('learning rates: --lr sets both networks, the generator and discriminator rates override it', () => {
    const both = resolveTrainingConfig({
      model: 'cyclegan',
      domains: TWO_DOMAINS,
      steps: 5,
      learningRate: 1e-3,
    });
    if (both.model !== 'cyclegan') throw new Error('model');
    expect(both.cyclegan.adam.learningRate).toBe(1e-3);
    expect(discriminatorAdam(both.cyclegan)).toMatchObject({ learningRate: 1e-3, beta1: 0.5 });
    const split = resolveTrainingConfig({
      model: 'progan',
      domains: [TWO_DOMAINS[0]!],
      steps: 5,
      learningRate: 1e-3,
      discriminatorLearningRate: 4e-3,
    });
    if (split.model !== 'progan') throw new Error('model');
    expect(split.progan.adam).toMatchObject({ learningRate: 1e-3, beta1: 0, beta2: 0.99 });
    expect(discriminatorAdam(split.progan)).toMatchObject({ learningRate: 4e-3, beta1: 0, beta2: 0.99 });
    expect(checkTrainingConfig(JSON.parse(JSON.stringify(split)))).toEqual(split);
    const generatorOnly = resolveTrainingConfig({
      model: 'cyclegan',
      domains: TWO_DOMAINS,
      steps: 5,
      learningRate: 1e-3,
      generatorLearningRate: 5e-4,
    });
    if (generatorOnly.model !== 'cyclegan') throw new Error('model');
    expect(generatorOnly.cyclegan.adam.learningRate).toBe(5e-4);
    expect(discriminatorAdam(generatorOnly.cyclegan).learningRate).toBe(1e-3);
    // Without any: the preset's one rate for both (SPEC 5: 2e-4).
    const preset = resolveTrainingConfig({ model: 'cyclegan', domains: TWO_DOMAINS, steps: 5 });
    if (preset.model !== 'cyclegan') throw new Error('model');
    expect(discriminatorAdam(preset.cyclegan).learningRate).toBe(2e-4);
    rejects({ discriminatorLearningRate: 0 }, 'discriminatorLearningRate', /positive number/);
    rejects({ generatorLearningRate: -1 }, 'generatorLearningRate', /positive number/);
  });

  it('rejects bad ProGAN schedules, naming the field', () => {
    const progan = { model: 'progan', domains: [TWO_DOMAINS[0]!], preset: 'tiny' };
    rejects(
      { ...progan, batchSizes: { '32': 4 } },
      'batchSizes[32]',
      /32 px, which is not a resolution of this run \(4, 8, 16 px\)/,
    );
    rejects(
      { ...progan, batchSizes: { '8': 0 } },
      'batchSizes[8]',
      /positive integer for batchSizes\[8\] but received 0/,
    );
    rejects(
      { ...progan, batchSizes: { '8': 6 } },
      'batchSizes[8]',
      /not a multiple of the minibatch-stddev group 4/,
    );
    rejects(
      { ...progan, batchSizes: { big: 4 } },
      'batchSizes[big]',
      /'big', which is not a resolution in px/,
    );
    rejects(
      malformed({ ...progan, batchSizes: [4, 8] }),
      'batchSizes',
      /must map resolutions in px to minibatches/,
    );
    rejects({ batchSizes: { '4': 4 } }, 'batchSizes', /progan setting: cyclegan takes batchSize/);
    rejects(
      { ...progan, phaseImages: { train: 0 } },
      'phaseImages.train',
      /positive integer for phaseImages.train but received 0/,
    );
    rejects(
      { ...progan, phaseImages: { fade: -1 } },
      'phaseImages.fade',
      /non-negative integer for phaseImages.fade/,
    );
    rejects(
      malformed({ ...progan, phaseImages: { stable: 5 } }),
      'phaseImages.stable',
      /Unknown field 'stable' in phaseImages/,
    );
    rejects(malformed({ ...progan, phaseImages: 500 }), 'phaseImages', /an object \{ train, fade \}/);
    rejects({ phaseImages: { train: 5 } }, 'phaseImages', /progan setting/);
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
