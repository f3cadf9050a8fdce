/**
 * Errors as they cross the boundary between the service and its clients. The service never throws raw
 * exceptions across a transport: every failure becomes one `ErrorPayload`, which the client rethrows as a
 * typed error carrying the same `code`.
 */

/** Why a call failed. Clients branch on the code, never on the message. */
export type ErrorCode =
  /** The request does not match the method's schema: unknown field, wrong type, number out of range. */
  | 'INVALID_REQUEST'
  /** A path lies outside the folders the user added (after resolving `..` and symlinks). */
  | 'PATH_NOT_ALLOWED'
  /** The method, domain, slide, run or file named in the request does not exist. */
  | 'NOT_FOUND'
  /** The request clashes with the current state: a name already taken, a job already running. */
  | 'CONFLICT'
  /** The file is not a slide OpenSlide can open. */
  | 'UNSUPPORTED_FORMAT'
  /** The slide opened but reading its pixels failed. */
  | 'SLIDE_READ_FAILED'
  /** What was asked for does not exist yet, for example a mask that is still being built. */
  | 'NOT_READY'
  /** A destructive call without a valid confirmation token. */
  | 'CONFIRMATION_REQUIRED'
  /** The client gave up waiting for the reply. */
  | 'TIMEOUT'
  /** The connection to the service closed before the reply came. */
  | 'TRANSPORT_CLOSED'
  /** The caller did not present the access token (server mode). */
  | 'UNAUTHORIZED'
  /** The method exists in the contract but this build does not implement it yet. */
  | 'NOT_IMPLEMENTED'
  /** Anything else: a bug or an operating-system failure. The message says what happened. */
  | 'INTERNAL';

/** One problem found while validating a request or a training configuration. */
export interface ValidationIssue {
  /** Dotted path of the offending field, e.g. `config.learningRate.generator` or `folders[1]`. */
  readonly field: string;
  readonly message: string;
}

/** Extra facts about an error, all optional. */
export interface ErrorDetail {
  /** The file or folder the error concerns. */
  readonly path?: string;
  /** Every problem found by validation, field by field. */
  readonly issues?: readonly ValidationIssue[];
  /** Method that failed, `area.method`. */
  readonly method?: string;
  /** The error code of the underlying core error (e.g. `UNSUPPORTED_FORMAT` from the slide layer). */
  readonly cause?: string;
}

/** An error as it crosses a transport. */
export interface ErrorPayload {
  readonly code: ErrorCode;
  readonly message: string;
  readonly detail?: ErrorDetail;
}

/** Every reply to a call: the value, or the error. */
export type Reply<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ErrorPayload };
