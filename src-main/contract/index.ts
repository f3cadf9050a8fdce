/** The contract between the workbench UI and its service: types only, shared by every transport. */
export type * from './api.js';
export type * from './bridge.js';
export type * from './common.js';
export type * from './datasets.js';
export type * from './errors.js';
export type * from './events.js';
export type * from './inference.js';
export type * from './runs.js';
export type * from './slides.js';
export type * from './training.js';
export type * from './wire.js';
