import type { ErrorCode, ErrorDetail, ErrorPayload } from '../../../src-main/contract/index.js';

/** A service error, rethrown on the client side with the code it crossed the transport with. */
export class RemoteError extends Error {
  readonly code: ErrorCode;
  readonly detail: ErrorDetail;

  constructor(payload: ErrorPayload) {
    super(payload.message);
    this.name = 'RemoteError';
    this.code = payload.code;
    this.detail = payload.detail ?? {};
  }
}

/** The message to show for anything a call threw. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
