import { BACKEND_CANDIDATES, type BackendPreference } from '../training/backend/types.js';
import { TrainingError } from '../training/errors.js';
import { proganResolutions } from '../training/models/progan.js';
import {
  PRESET_NAMES,
  cycleganPreset,
  proganPreset,
  validateCycleganPreset,
  validateProganPreset,
  type CycleganPreset,
  type PresetName,
  type ProganPreset,
} from '../training/presets.js';
import { TISSUE_DETECTORS, type TissueDetector } from '../tissue/tissue-mask.js';
import { ConfigError } from './errors.js';

export const MODEL_NAMES = ['cyclegan', 'progan'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** A domain (stain) and the folders holding its slides, as the user gives them. */
export interface DomainInput {
  readonly name: string;
  readonly folders: readonly string[];
  /**
   * The tissue detector of the domain's masks (SPEC 1.9): `otsu-red` (default) for brightfield stains
   * such as H&E, `saturation` for fluorescence or slides with dark borders.
   */
  readonly detector?: string;
}

/** A domain of a complete config: its folders and the detector its masks are built with. */
export interface DomainConfig {
  readonly name: string;
  readonly folders: readonly string[];
  readonly detector: TissueDetector;
}

/**
 * What a user (CLI, UI, config file) asks for. Only `model`, `domains` and `steps` are required; every
 * other field has a default from the preset or below. Unknown fields are rejected.
 */
export interface TrainingConfigInput {
  readonly model: string;
  readonly domains: readonly DomainInput[];
  /** Optimiser steps to train (no epochs: SPEC 4). */
  readonly steps: number;
  /** `paper`, `small` (default) or `tiny`. */
  readonly preset?: string;
  /** `auto` (default), `tensorflow`, `webgpu`, `wasm` or `cpu`. */
  readonly backend?: string;
  /** CycleGAN: patch side in px. ProGAN: the target (highest) resolution, a power of 2. */
  readonly sizePx?: number;
  /** Field of view as a pyramid downsample (ProGAN: at the target resolution). Not with `mpp`. */
  readonly downsample?: number;
  /** Field of view as microns per patch pixel (ProGAN: at the target resolution). Not with `downsample`. */
  readonly mpp?: number;
  /** Probability (0..1) that a patch is augmented (default 0). */
  readonly augment?: number;
  /** Redraw locations whose footprint holds less tissue than this (0..1, default 0). */
  readonly minTissueFraction?: number;
  /** CycleGAN: the minibatch. ProGAN: the minibatch at every resolution `batchSizes` does not name. */
  readonly batchSize?: number;
  /**
   * ProGAN: the minibatch per resolution in px, e.g. `{ "4": 128, "8": 128, "256": 8 }` (SPEC 6); the
   * resolutions left out take `batchSize`, else the preset's.
   */
  readonly batchSizes?: Readonly<Record<string, number>>;
  /**
   * ProGAN: real images shown per phase, in stable training (`train`) and in the fade-in of each new
   * resolution (`fade`, 0: no fade-in); each left out is the preset's (paper: 600k + 600k).
   */
  readonly phaseImages?: { readonly train?: number; readonly fade?: number };
  /**
   * CycleGAN: identity loss weight relative to the cycle weight (SPEC 5; default 0.5, the authors'
   * release; 0 turns the identity passes off, as in the paper).
   */
  readonly identityWeight?: number;
  /** Adam's base learning rate of generators and discriminators (the preset's by default). */
  readonly learningRate?: number;
  /** The generators' base learning rate, overriding `learningRate` for them. */
  readonly generatorLearningRate?: number;
  /** The discriminators' base learning rate, overriding `learningRate` for them. */
  readonly discriminatorLearningRate?: number;
  /** Seed of initial weights, patch sequence and every other random draw (default 0). */
  readonly seed?: number | string;
  /** Steps between checkpoints (default 500). */
  readonly checkpointEvery?: number;
  /** Steps between sample grids (default 100; 0 turns them off). */
  readonly sampleEvery?: number;
  /** Checkpoints kept (default 3). */
  readonly keepCheckpoints?: number;
  /** Steps between evaluations (SWD, CycleGAN's cycle error) logged with the metrics (default 0: none). */
  readonly evaluateEvery?: number;
  /** Real patches per domain the evaluations use (default 64). */
  readonly evaluateCount?: number;
  /**
   * Held-out slides per domain (same names as `domains`) to evaluate on; default the training slides.
   * Their masks use the training domain's detector.
   */
  readonly heldOut?: readonly DomainInput[];
}

/** The field of view of patches: a downsample from level 0, or microns per patch pixel. */
export type FieldOfView =
  | { readonly kind: 'downsample'; readonly downsample: number }
  | { readonly kind: 'mpp'; readonly mpp: number };

/** How patches are drawn; for ProGAN `sizePx` and `scale` are those of the target resolution. */
export interface SamplingConfig {
  readonly sizePx: number;
  readonly scale: FieldOfView;
  readonly augment: number;
  readonly minTissueFraction: number;
}

/** Evaluations during training: every `every` steps on `count` real patches per domain. */
export interface EvaluationConfig {
  readonly every: number;
  readonly count: number;
  /** Held-out slides by domain (in the domains' order), or null to use the training slides. */
  readonly heldOut: readonly DomainConfig[] | null;
}

interface TrainingConfigBase {
  readonly version: 1;
  readonly preset: PresetName;
  readonly domains: readonly DomainConfig[];
  readonly steps: number;
  readonly backend: BackendPreference;
  readonly seed: number | string;
  readonly sampling: SamplingConfig;
  readonly checkpointEvery: number;
  readonly sampleEvery: number;
  readonly keepCheckpoints: number;
  /** Absent when the run does not evaluate (and in configs written before evaluations existed). */
  readonly evaluation?: EvaluationConfig;
}

export interface CycleganTrainingConfig extends TrainingConfigBase {
  readonly model: 'cyclegan';
  /** Every hyperparameter of the run (the preset with the overrides applied). */
  readonly cyclegan: CycleganPreset;
}

export interface ProganTrainingConfig extends TrainingConfigBase {
  readonly model: 'progan';
  readonly progan: ProganPreset;
}

/** A complete, validated training config: what `config.json` stores and the trainer runs. */
export type TrainingConfig = CycleganTrainingConfig | ProganTrainingConfig;

export const TRAINING_DEFAULTS = {
  preset: 'small',
  detector: 'otsu-red',
  backend: 'auto',
  augment: 0,
  minTissueFraction: 0,
  seed: 0,
  checkpointEvery: 500,
  sampleEvery: 100,
  keepCheckpoints: 3,
} as const;

const DOMAIN_FIELDS: ReadonlySet<string> = new Set(['name', 'folders', 'detector']);

const INPUT_FIELDS: ReadonlySet<string> = new Set([
  'model',
  'domains',
  'steps',
  'preset',
  'backend',
  'sizePx',
  'downsample',
  'mpp',
  'augment',
  'minTissueFraction',
  'batchSize',
  'batchSizes',
  'phaseImages',
  'identityWeight',
  'learningRate',
  'generatorLearningRate',
  'discriminatorLearningRate',
  'seed',
  'checkpointEvery',
  'sampleEvery',
  'keepCheckpoints',
  'evaluateEvery',
  'evaluateCount',
  'heldOut',
]);

/**
 * Validates a training request (untrusted: CLI, UI, a file) and fills in every default, giving the
 * complete config. Throws ConfigError naming the first field at fault: unknown fields, an unknown model,
 * preset or backend, steps <= 0, a CycleGAN without exactly two domains, a patch size the model does not
 * allow, both downsample and mpp, values out of range. Slides are not looked at here.
 */
export function resolveTrainingConfig(input: unknown): TrainingConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ConfigError('INVALID_CONFIG', 'A training config must be an object');
  }
  const raw = input as Record<string, unknown>;
  const unknown = Object.keys(raw).find((k) => !INPUT_FIELDS.has(k));
  if (unknown !== undefined) {
    throw new ConfigError(
      'UNKNOWN_FIELD',
      `Unknown field '${unknown}' in the training config (known: ${[...INPUT_FIELDS].join(', ')})`,
      unknown,
    );
  }
  const model = oneOf('model', raw['model'], MODEL_NAMES, true);
  const preset = oneOf('preset', raw['preset'] ?? TRAINING_DEFAULTS.preset, PRESET_NAMES, false);
  const backend = oneOf(
    'backend',
    raw['backend'] ?? TRAINING_DEFAULTS.backend,
    ['auto', ...BACKEND_CANDIDATES] as const,
    false,
  );
  const domains = checkDomains(raw['domains'], model);
  const steps = positiveInteger('steps', raw['steps']);
  if (raw['downsample'] !== undefined && raw['mpp'] !== undefined) {
    throw new ConfigError('INVALID_CONFIG', 'Give either downsample or mpp, not both', 'downsample');
  }
  const base = {
    version: 1 as const,
    preset,
    domains,
    steps,
    backend,
    seed: checkSeed(raw['seed'] ?? TRAINING_DEFAULTS.seed),
    checkpointEvery: positiveInteger(
      'checkpointEvery',
      raw['checkpointEvery'] ?? TRAINING_DEFAULTS.checkpointEvery,
    ),
    sampleEvery: nonNegativeInteger('sampleEvery', raw['sampleEvery'] ?? TRAINING_DEFAULTS.sampleEvery),
    keepCheckpoints: positiveInteger(
      'keepCheckpoints',
      raw['keepCheckpoints'] ?? TRAINING_DEFAULTS.keepCheckpoints,
    ),
    ...evaluationOf(raw, domains, model),
  };
  const augment = unit('augment', raw['augment'] ?? TRAINING_DEFAULTS.augment);
  const minTissueFraction = unit(
    'minTissueFraction',
    raw['minTissueFraction'] ?? TRAINING_DEFAULTS.minTissueFraction,
  );
  const mpp = raw['mpp'] === undefined ? undefined : positiveNumber('mpp', raw['mpp']);
  const downsample =
    raw['downsample'] === undefined ? undefined : atLeastOne('downsample', raw['downsample']);
  const sizePx = raw['sizePx'] === undefined ? undefined : positiveInteger('sizePx', raw['sizePx']);
  const batchSize =
    raw['batchSize'] === undefined ? undefined : positiveInteger('batchSize', raw['batchSize']);
  const learningRate =
    optionalPositive(raw, 'generatorLearningRate') ?? optionalPositive(raw, 'learningRate');
  const discriminatorLearningRate =
    optionalPositive(raw, 'discriminatorLearningRate') ?? optionalPositive(raw, 'learningRate');
  const batchSizes = raw['batchSizes'] === undefined ? undefined : batchSizesOf(raw['batchSizes'], model);
  const phaseImages = raw['phaseImages'] === undefined ? undefined : phaseImagesOf(raw['phaseImages'], model);
  const identityWeight =
    raw['identityWeight'] === undefined ? undefined : identityWeightOf(raw['identityWeight'], model);

  if (model === 'cyclegan') {
    const named = cycleganPreset(preset);
    const resolved = asConfigError(() =>
      cycleganPreset(preset, {
        ...(sizePx !== undefined && { sizePx }),
        ...(downsample !== undefined && { downsample }),
        ...(batchSize !== undefined && { batchSize }),
        ...(identityWeight !== undefined && { identityWeight }),
        ...(learningRate !== undefined && { adam: { ...named.adam, learningRate } }),
        ...(discriminatorLearningRate !== undefined && { discriminatorLearningRate }),
      }),
    );
    const scale: FieldOfView =
      mpp !== undefined ? { kind: 'mpp', mpp } : { kind: 'downsample', downsample: resolved.downsample };
    return {
      ...base,
      model,
      sampling: { sizePx: resolved.sizePx, scale, augment, minTissueFraction },
      cyclegan: resolved,
    };
  }

  const named = proganPreset(preset);
  const progan = asConfigError(() =>
    proganPreset(
      preset,
      proganOverrides(named, preset, {
        sizePx,
        downsample,
        batchSize,
        batchSizes,
        phaseImages,
        learningRate,
        discriminatorLearningRate,
      }),
    ),
  );
  const target = progan.network.maxResolution;
  const scale: FieldOfView =
    mpp !== undefined
      ? { kind: 'mpp', mpp }
      : { kind: 'downsample', downsample: progan.fieldOfViewLevel0Px / target };
  return {
    ...base,
    model,
    sampling: { sizePx: target, scale, augment, minTissueFraction },
    progan,
  };
}

/**
 * Checks a complete config read back from a run's `config.json` (it may have been edited or written by
 * another version): the same rules as {@link resolveTrainingConfig}, on the stored values. Returns the
 * config with what older versions did not store filled in (a domain without a detector used `otsu-red`).
 */
export function checkTrainingConfig(value: unknown, file: string | null = null): TrainingConfig {
  try {
    if (typeof value !== 'object' || value === null) throw new ConfigError('INVALID_CONFIG', 'not an object');
    const c = value as TrainingConfig;
    if (c.version !== 1) {
      throw new ConfigError('INVALID_CONFIG', `unknown config version ${String(c.version)}`, 'version');
    }
    const model = oneOf('model', c.model, MODEL_NAMES, true);
    oneOf('preset', c.preset, PRESET_NAMES, false);
    oneOf('backend', c.backend, ['auto', ...BACKEND_CANDIDATES] as const, false);
    const domains = checkDomains(c.domains, model);
    positiveInteger('steps', c.steps);
    checkSeed(c.seed);
    positiveInteger('checkpointEvery', c.checkpointEvery);
    nonNegativeInteger('sampleEvery', c.sampleEvery);
    positiveInteger('keepCheckpoints', c.keepCheckpoints);
    if (c.evaluation !== undefined) checkEvaluation(c.evaluation, c.domains, model);
    const s = c.sampling;
    if (typeof s !== 'object' || s === null)
      throw new ConfigError('INVALID_CONFIG', 'missing sampling', 'sampling');
    positiveInteger('sampling.sizePx', s.sizePx);
    unit('sampling.augment', s.augment);
    unit('sampling.minTissueFraction', s.minTissueFraction);
    if (s.scale?.kind === 'mpp') positiveNumber('sampling.scale.mpp', s.scale.mpp);
    else if (s.scale?.kind === 'downsample') atLeastOne('sampling.scale.downsample', s.scale.downsample);
    else
      throw new ConfigError(
        'INVALID_CONFIG',
        'sampling.scale must be a downsample or an mpp',
        'sampling.scale',
      );
    if (c.model === 'cyclegan') {
      if (typeof c.cyclegan !== 'object' || c.cyclegan === null) {
        throw new ConfigError('INVALID_CONFIG', 'missing the cyclegan hyperparameters', 'cyclegan');
      }
      asConfigError(() => validateCycleganPreset(c.cyclegan));
      if (c.cyclegan.sizePx !== s.sizePx) {
        throw new ConfigError(
          'INVALID_CONFIG',
          'sampling.sizePx differs from cyclegan.sizePx',
          'sampling.sizePx',
        );
      }
    } else {
      if (typeof c.progan !== 'object' || c.progan === null) {
        throw new ConfigError('INVALID_CONFIG', 'missing the progan hyperparameters', 'progan');
      }
      asConfigError(() => validateProganPreset(c.progan));
      if (c.progan.network.maxResolution !== s.sizePx) {
        throw new ConfigError(
          'INVALID_CONFIG',
          'sampling.sizePx differs from progan.network.maxResolution',
          'sampling.sizePx',
        );
      }
    }
    return { ...c, domains };
  } catch (error) {
    if (error instanceof ConfigError && file !== null) {
      throw new ConfigError(error.code, `Invalid training config: ${error.message}`, error.field, file);
    }
    throw error;
  }
}

/** The ProGAN preset overrides for the user's size, field of view, minibatches, phases and learning rate. */
function proganOverrides(
  named: ProganPreset,
  presetName: string,
  o: {
    sizePx?: number | undefined;
    downsample?: number | undefined;
    batchSize?: number | undefined;
    batchSizes?: ReadonlyMap<number, number> | undefined;
    phaseImages?: { train?: number; fade?: number } | undefined;
    learningRate?: number | undefined;
    discriminatorLearningRate?: number | undefined;
  },
): Partial<ProganPreset> {
  const max = named.network.maxResolution;
  let target = max;
  if (o.sizePx !== undefined) {
    if (!Number.isInteger(Math.log2(o.sizePx)) || o.sizePx < 8 || o.sizePx > max) {
      throw new ConfigError(
        'INVALID_CONFIG',
        `sizePx ${o.sizePx} is not allowed for progan with the ${presetName} preset: ` +
          `use a power of 2 from 8 to ${max}`,
        'sizePx',
      );
    }
    target = o.sizePx;
  }
  // Keep the preset's downsample at the target resolution unless the user names one.
  const downsampleAtTarget = o.downsample ?? named.fieldOfViewLevel0Px / max;
  const network = { ...named.network, maxResolution: target };
  const resolutions = proganResolutions(network);
  for (const r of o.batchSizes?.keys() ?? []) {
    if (!resolutions.includes(r)) {
      throw new ConfigError(
        'INVALID_CONFIG',
        `batchSizes names ${r} px, which is not a resolution of this run (${resolutions.join(', ')} px)`,
        `batchSizes[${r}]`,
      );
    }
  }
  const batchSizes: Record<number, number> = {};
  for (const r of resolutions) {
    batchSizes[r] = o.batchSizes?.get(r) ?? o.batchSize ?? named.batchSizes[r]!;
  }
  return {
    network,
    batchSizes,
    imagesPerPhase: {
      train: o.phaseImages?.train ?? named.imagesPerPhase.train,
      fade: o.phaseImages?.fade ?? named.imagesPerPhase.fade,
    },
    fieldOfViewLevel0Px: downsampleAtTarget * target,
    ...(o.learningRate !== undefined && { adam: { ...named.adam, learningRate: o.learningRate } }),
    ...(o.discriminatorLearningRate !== undefined && {
      discriminatorLearningRate: o.discriminatorLearningRate,
    }),
  };
}

/** Refuses a setting that only `owner` has: `<field> (<what>) is a <owner> setting<hint>`. */
function requireModel(model: ModelName, owner: ModelName, field: string, what: string, hint = ''): void {
  if (model !== owner) {
    throw new ConfigError('INVALID_CONFIG', `${field} (${what}) is a ${owner} setting${hint}`, field);
  }
}

/** `batchSizes` of a request: resolution (px) -> minibatch; the resolutions are checked with the network. */
function batchSizesOf(value: unknown, model: ModelName): Map<number, number> {
  requireModel(model, 'progan', 'batchSizes', 'a minibatch per resolution', ': cyclegan takes batchSize');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(
      'INVALID_CONFIG',
      'batchSizes must map resolutions in px to minibatches, e.g. { "4": 128, "8": 64 }',
      'batchSizes',
    );
  }
  const sizes = new Map<number, number>();
  for (const [key, batch] of Object.entries(value)) {
    if (!/^[1-9]\d*$/.test(key)) {
      throw new ConfigError(
        'INVALID_CONFIG',
        `batchSizes has '${key}', which is not a resolution in px`,
        `batchSizes[${key}]`,
      );
    }
    sizes.set(Number(key), positiveInteger(`batchSizes[${key}]`, batch));
  }
  return sizes;
}

/** `identityWeight` of a request: a CycleGAN setting, >= 0. */
function identityWeightOf(value: unknown, model: ModelName): number {
  requireModel(model, 'cyclegan', 'identityWeight', 'the identity loss');
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ConfigError(
      'INVALID_CONFIG',
      `Expected a number >= 0 for identityWeight (0 turns the identity loss off) but received ${String(value)}`,
      'identityWeight',
    );
  }
  return value;
}

/** `phaseImages` of a request: `train` > 0 and `fade` >= 0 real images, each optional. */
function phaseImagesOf(value: unknown, model: ModelName): { train?: number; fade?: number } {
  requireModel(model, 'progan', 'phaseImages', 'images per growing phase');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(
      'INVALID_CONFIG',
      'phaseImages must be an object { train, fade } of real images per phase',
      'phaseImages',
    );
  }
  const raw = value as Record<string, unknown>;
  const unknown = Object.keys(raw).find((k) => k !== 'train' && k !== 'fade');
  if (unknown !== undefined) {
    throw new ConfigError(
      'UNKNOWN_FIELD',
      `Unknown field '${unknown}' in phaseImages (known: train, fade)`,
      `phaseImages.${unknown}`,
    );
  }
  return {
    ...(raw['train'] !== undefined && { train: positiveInteger('phaseImages.train', raw['train']) }),
    ...(raw['fade'] !== undefined && { fade: nonNegativeInteger('phaseImages.fade', raw['fade']) }),
  };
}

/** The evaluation settings of a request: none unless `evaluateEvery` > 0. */
function evaluationOf(
  raw: Record<string, unknown>,
  domains: readonly DomainConfig[],
  model: ModelName,
): { evaluation?: EvaluationConfig } {
  const every = nonNegativeInteger('evaluateEvery', raw['evaluateEvery'] ?? 0);
  const count = positiveInteger('evaluateCount', raw['evaluateCount'] ?? 64);
  if (every === 0) {
    if (raw['heldOut'] !== undefined) {
      throw new ConfigError('INVALID_CONFIG', 'heldOut needs evaluateEvery > 0', 'heldOut');
    }
    return {};
  }
  const evaluation = {
    every,
    count,
    heldOut: raw['heldOut'] === undefined ? null : heldOutOf(raw['heldOut'], domains, model),
  };
  return { evaluation };
}

/** Held-out folders: one entry per domain, same names, in the domains' order. */
function heldOutOf(value: unknown, domains: readonly DomainConfig[], model: ModelName): DomainConfig[] {
  const given = checkDomains(value, model);
  return domains.map((d) => {
    const match = given.find((h) => h.name.toLowerCase() === d.name.toLowerCase());
    if (!match) {
      throw new ConfigError('INVALID_CONFIG', `heldOut has no folders for domain '${d.name}'`, 'heldOut');
    }
    return { name: d.name, folders: match.folders, detector: d.detector };
  });
}

function checkEvaluation(e: EvaluationConfig, domains: readonly DomainConfig[], model: ModelName): void {
  positiveInteger('evaluation.every', e.every);
  positiveInteger('evaluation.count', e.count);
  if (e.heldOut !== null) heldOutOf(e.heldOut, domains, model);
}

function checkDomains(value: unknown, model: ModelName): DomainConfig[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new ConfigError('INVALID_CONFIG', 'A training config needs at least one domain', 'domains');
  }
  if (model === 'cyclegan' && value.length !== 2) {
    throw new ConfigError(
      'INVALID_CONFIG',
      `cyclegan needs exactly two domains (A and B) but received ${value.length}`,
      'domains',
    );
  }
  const seen = new Set<string>();
  return value.map((raw: unknown, i) => {
    const field = `domains[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new ConfigError('INVALID_CONFIG', `${field} must be an object with a name and folders`, field);
    }
    const unknown = Object.keys(raw).find((k) => !DOMAIN_FIELDS.has(k));
    if (unknown !== undefined) {
      throw new ConfigError(
        'UNKNOWN_FIELD',
        `Unknown field '${unknown}' in ${field} (known: ${[...DOMAIN_FIELDS].join(', ')})`,
        `${field}.${unknown}`,
      );
    }
    const { name, folders, detector } = raw as { name?: unknown; folders?: unknown; detector?: unknown };
    if (typeof name !== 'string' || name.trim() === '') {
      throw new ConfigError('INVALID_CONFIG', `${field} needs a non-empty name`, `${field}.name`);
    }
    if (seen.has(name.trim().toLowerCase())) {
      throw new ConfigError('INVALID_CONFIG', `Domain name '${name}' is used twice`, `${field}.name`);
    }
    seen.add(name.trim().toLowerCase());
    if (
      !Array.isArray(folders) ||
      folders.length === 0 ||
      folders.some((f) => typeof f !== 'string' || f === '')
    ) {
      throw new ConfigError(
        'INVALID_CONFIG',
        `Domain '${name}' needs a list of one or more folder paths`,
        `${field}.folders`,
      );
    }
    if (detector !== undefined && !TISSUE_DETECTORS.includes(detector as TissueDetector)) {
      throw new ConfigError(
        'INVALID_CONFIG',
        `Unknown mask detector '${String(detector)}' for domain '${name.trim()}': expected ${TISSUE_DETECTORS.join(', ')}`,
        `${field}.detector`,
      );
    }
    return {
      name: name.trim(),
      folders: [...(folders as string[])],
      detector: (detector as TissueDetector | undefined) ?? TRAINING_DEFAULTS.detector,
    };
  });
}

function asConfigError<T>(f: () => T): T {
  try {
    return f();
  } catch (error) {
    if (error instanceof TrainingError && error.code === 'INVALID_CONFIG') {
      // Preset messages name the field as 'Expected ... for <field> but ...' or '<field> <value> is ...'.
      const field = /for ([\w.[\]]+) but/.exec(error.message) ?? /^([\w.[\]]+) /.exec(error.message);
      throw new ConfigError('INVALID_CONFIG', error.message, field?.[1] ?? null);
    }
    throw error;
  }
}

function oneOf<const T extends readonly string[]>(
  name: string,
  value: unknown,
  allowed: T,
  required: boolean,
): T[number] {
  if (value === undefined && required) {
    throw new ConfigError('INVALID_CONFIG', `${name} is required (one of ${allowed.join(', ')})`, name);
  }
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw new ConfigError(
      'INVALID_CONFIG',
      `Unknown ${name} '${String(value)}': expected ${allowed.join(', ')}`,
      name,
    );
  }
  return value;
}

function checkSeed(value: unknown): number | string {
  if (typeof value === 'string' || (typeof value === 'number' && Number.isSafeInteger(value))) return value;
  throw new ConfigError(
    'INVALID_CONFIG',
    `Expected an integer or string seed but received ${String(value)}`,
    'seed',
  );
}

function positiveInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new ConfigError(
      'INVALID_CONFIG',
      `Expected a positive integer for ${name} but received ${String(value)}`,
      name,
    );
  }
  return value;
}

function nonNegativeInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ConfigError(
      'INVALID_CONFIG',
      `Expected a non-negative integer for ${name} but received ${String(value)}`,
      name,
    );
  }
  return value;
}

function optionalPositive(raw: Record<string, unknown>, name: string): number | undefined {
  return raw[name] === undefined ? undefined : positiveNumber(name, raw[name]);
}

function positiveNumber(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ConfigError(
      'INVALID_CONFIG',
      `Expected a positive number for ${name} but received ${String(value)}`,
      name,
    );
  }
  return value;
}

function atLeastOne(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 1) {
    throw new ConfigError(
      'INVALID_CONFIG',
      `Expected a number >= 1 for ${name} but received ${String(value)}`,
      name,
    );
  }
  return value;
}

function unit(name: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new ConfigError(
      'INVALID_CONFIG',
      `Expected a number in [0, 1] for ${name} but received ${String(value)}`,
      name,
    );
  }
  return value;
}
