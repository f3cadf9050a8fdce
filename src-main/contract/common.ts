/** Shapes shared by several areas of the contract. */

/** A request that takes no parameters (still an object, so fields can be added without breaking callers). */
export type EmptyRequest = Readonly<Record<string, never>>;

/** An encoded image. The bytes travel as binary (IPC structured clone, WebSocket binary frames), never base64. */
export interface ImageBytes {
  readonly mime: 'image/jpeg' | 'image/png';
  readonly widthPx: number;
  readonly heightPx: number;
  readonly bytes: Uint8Array;
}

/** Where a long operation stands. */
export type JobState = 'queued' | 'running' | 'stopping' | 'done' | 'stopped' | 'failed';

/** What kind of work a job does. */
export type JobKind = 'masks' | 'training' | 'translate';

/** A long operation the service owns (mask build, training, translation). */
export interface JobInfo {
  readonly jobId: string;
  readonly kind: JobKind;
  readonly state: JobState;
  /** What the job works on: a domain id for masks, a run id for training, the output TIFF for a translation. */
  readonly subject: string;
  /** ISO 8601 time the job started. */
  readonly startedAt: string;
  /** Present when `state` is `failed`. */
  readonly error?: string;
}
