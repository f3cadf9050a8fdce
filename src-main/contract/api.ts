import type { DatasetsApi } from './datasets.js';
import type { InferenceApi } from './inference.js';
import type { RunsApi } from './runs.js';
import type { SlidesApi } from './slides.js';
import type { TrainingApi } from './training.js';

/** The whole contract: one interface per area. Both ends of every transport are typed from it. */
export interface WorkbenchApi {
  readonly datasets: DatasetsApi;
  readonly slides: SlidesApi;
  readonly training: TrainingApi;
  readonly runs: RunsApi;
  readonly inference: InferenceApi;
}

export type ApiArea = keyof WorkbenchApi;

/** Every method as `area.method`, e.g. `datasets.create`. */
export type MethodName = {
  [A in ApiArea]: `${A}.${keyof WorkbenchApi[A] & string}`;
}[ApiArea];

type MethodOf<M extends MethodName> = M extends `${infer A}.${infer N}`
  ? A extends ApiArea
    ? N extends keyof WorkbenchApi[A]
      ? WorkbenchApi[A][N]
      : never
    : never
  : never;

/** The request object of a method. */
export type RequestOf<M extends MethodName> =
  MethodOf<M> extends (request: infer Q) => Promise<unknown> ? Q : never;

/** The resolved response of a method. */
export type ResponseOf<M extends MethodName> =
  MethodOf<M> extends (request: never) => Promise<infer R> ? R : never;
