import type { ApiArea, MaskDetector, MethodName, RequestOf, WorkbenchApi } from '../contract/index.js';
import { absolutePath, displayName, id } from './validate/fields.js';
import {
  array,
  boolean,
  integer,
  number,
  object,
  oneOf,
  optional,
  string,
  tagged,
  type Infer,
  type Schema,
} from './validate/schema.js';

const detector = oneOf<MaskDetector>(['otsu-red', 'saturation']);
const empty = object({});
const direction = oneOf(['AtoB', 'BtoA']);
/** Level-0 coordinates: the largest slides are a few hundred thousand pixels wide. */
const level0 = integer({ min: 0, max: 10_000_000 });
const level0Size = integer({ min: 1, max: 10_000_000 });
const backend = oneOf(['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu']);
/** A downsample from level 0 (>= 1: nothing is upsampled) or a target resolution in µm/px. */
const patchScale = tagged('kind', {
  downsample: { downsample: number({ min: 1, max: 1024 }) },
  mpp: { mpp: number({ min: 0.01, max: 1000 }) },
});

/** The training configuration; cross-field rules (domain count per model, patch sizes) live in validation. */
export const trainingConfigSchema = object({
  model: oneOf(['cyclegan', 'progan']),
  preset: oneOf(['tiny', 'small', 'paper']),
  domainIds: array(id(), { minItems: 1, maxItems: 16 }),
  patchSizePx: integer({ min: 4, max: 1024 }),
  scale: patchScale,
  minTissueFraction: number({ min: 0, max: 1 }),
  augmentProbability: number({ min: 0, max: 1 }),
  steps: integer({ min: 1, max: 100_000_000 }),
  batchSize: integer({ min: 1, max: 512 }),
  batchSizes: optional(
    array(
      object({ resolutionPx: integer({ min: 4, max: 1024 }), batchSize: integer({ min: 1, max: 512 }) }),
      {
        maxItems: 16,
      },
    ),
  ),
  phaseImages: optional(
    object({ train: integer({ min: 1, max: 1_000_000_000 }), fade: integer({ min: 0, max: 1_000_000_000 }) }),
  ),
  identityWeight: optional(number({ min: 0, max: 100 })),
  learningRate: number({ min: 1e-9, max: 1 }),
  discriminatorLearningRate: optional(number({ min: 1e-9, max: 1 })),
  seed: integer({ min: 0, max: 0xffffffff }),
  backend,
  sampleEverySteps: integer({ min: 0, max: 100_000_000 }),
  evaluateEverySteps: optional(integer({ min: 0, max: 100_000_000 })),
  evaluatePatchCount: optional(integer({ min: 1, max: 4096 })),
  // Empty entries are allowed here: validation explains a partly filled set per domain.
  heldOutFolders: optional(array(string({ maxLength: 4096 }), { maxItems: 16 })),
  checkpointEverySteps: integer({ min: 1, max: 100_000_000 }),
  keepCheckpoints: integer({ min: 1, max: 1000 }),
  runName: optional(
    string({
      minLength: 1,
      maxLength: 64,
      pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
      patternText: "a folder name (letters, digits, '.', '_', '-')",
    }),
  ),
});

/** One request schema per contract method. The renderer is untrusted: nothing reaches a handler unchecked. */
export const requestSchemas = {
  datasets: {
    list: empty,
    create: object({
      name: displayName(),
      detector: optional(detector),
      folders: optional(array(absolutePath(), { maxItems: 64 })),
    }),
    update: object({ domainId: id(), name: optional(displayName()), detector: optional(detector) }),
    remove: object({ domainId: id() }),
    addFolders: object({ domainId: id(), folders: array(absolutePath(), { minItems: 1, maxItems: 64 }) }),
    removeFolder: object({ domainId: id(), folder: absolutePath() }),
    slides: object({ domainId: id() }),
    rebuildMasks: object({ domainId: id(), force: optional(boolean()) }),
    browse: object({ path: optional(absolutePath()) }),
  },
  slides: {
    info: object({ path: absolutePath() }),
    thumbnail: object({ path: absolutePath(), maxSizePx: optional(integer({ min: 32, max: 2000 })) }),
    mask: object({ path: absolutePath() }),
    tile: object({
      path: absolutePath(),
      level: integer({ min: 0, max: 40 }),
      col: integer({ min: 0, max: 1_000_000 }),
      row: integer({ min: 0, max: 1_000_000 }),
    }),
    region: object({
      path: absolutePath(),
      level0X: level0,
      level0Y: level0,
      level0Width: level0Size,
      level0Height: level0Size,
      sizePx: integer({ min: 8, max: 1024 }),
    }),
  },
  training: {
    backends: empty,
    defaults: object({ model: oneOf(['cyclegan', 'progan']), preset: oneOf(['tiny', 'small', 'paper']) }),
    validate: object({ config: trainingConfigSchema }),
    start: object({ config: trainingConfigSchema }),
    stop: object({ runId: id() }),
    resume: object({ runId: id(), steps: optional(integer({ min: 1, max: 100_000_000 })) }),
    status: empty,
  },
  runs: {
    list: empty,
    get: object({ runId: id() }),
    metrics: object({
      runId: id(),
      series: optional(array(string({ minLength: 1, maxLength: 64 }), { maxItems: 64 })),
      fromStep: optional(integer({ min: 0, max: 100_000_000 })),
      toStep: optional(integer({ min: 0, max: 100_000_000 })),
      maxPoints: optional(integer({ min: 16, max: 20_000 })),
      smoothing: optional(number({ min: 0, max: 0.999 })),
    }),
    samples: object({ runId: id(), step: optional(integer({ min: 0, max: 100_000_000 })) }),
    patches: object({
      runId: id(),
      offset: optional(integer({ min: 0, max: 1_000_000_000 })),
      limit: optional(integer({ min: 1, max: 500 })),
      domain: optional(displayName()),
      slidePath: optional(absolutePath()),
    }),
    delete: object({ runId: id(), confirmToken: optional(string({ minLength: 1, maxLength: 128 })) }),
    exportGenerator: object({ runId: id(), direction: optional(direction) }),
  },
  inference: {
    translate: object({
      generator: tagged('kind', {
        run: { runId: id(), direction },
        export: { path: absolutePath() },
      }),
      slidePath: absolutePath(),
      scale: optional(patchScale),
      tileSizePx: optional(integer({ min: 16, max: 1024 })),
      overlapPx: optional(integer({ min: 0, max: 512 })),
      outFolder: optional(absolutePath()),
      outName: optional(
        string({
          minLength: 5,
          maxLength: 128,
          pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*\.tiff?$/,
          patternText: "a file name ending in .tif or .tiff (letters, digits, '.', '_', '-')",
        }),
      ),
      replace: optional(boolean()),
      backend: optional(backend),
    }),
    cancel: object({ jobId: id() }),
    translations: object({ runId: optional(id()) }),
    generate: object({
      runId: id(),
      count: integer({ min: 1, max: 64 }),
      seed: optional(integer({ min: 0, max: 0xffffffff })),
      interpolationSteps: optional(integer({ min: 0, max: 16 })),
      backend: optional(backend),
    }),
  },
} satisfies { readonly [A in ApiArea]: { readonly [N in keyof WorkbenchApi[A]]: Schema<unknown> } };

type Schemas = typeof requestSchemas;
type ParsedOf<M extends MethodName> = M extends `${infer A extends keyof Schemas}.${infer N}`
  ? N extends keyof Schemas[A]
    ? Infer<Schemas[A][N]>
    : never
  : never;

/** True when a parsed request and the contract's request type have the same keys and fit each other. */
type Same<P, C> = [P] extends [C]
  ? [C] extends [P]
    ? string extends keyof C
      ? true
      : [keyof P] extends [keyof C]
        ? [keyof C] extends [keyof P]
          ? true
          : false
        : false
    : false
  : false;

// Compile-time proof that each schema parses exactly its method's request type: adding a field to the
// contract without the schema (or the reverse) fails the type check here.
const schemasMatchContract: { readonly [M in MethodName]: Same<ParsedOf<M>, RequestOf<M>> } =
  null as unknown as {
    readonly [M in MethodName]: true;
  };
void schemasMatchContract;
