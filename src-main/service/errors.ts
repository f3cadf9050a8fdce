import type { ErrorCode, ErrorDetail, ErrorPayload } from '../contract/index.js';

/** An error the service raises on purpose; crosses the transport as its `ErrorPayload`. */
export class ServiceError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly detail: ErrorDetail = {},
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

/** Core error codes (slide, tissue, dataset, training layers) and the contract code each becomes. */
const coreCodes: Readonly<Record<string, ErrorCode>> = {
  UNSUPPORTED_FORMAT: 'UNSUPPORTED_FORMAT',
  READ_FAILED: 'SLIDE_READ_FAILED',
  SLIDE_READ_FAILED: 'SLIDE_READ_FAILED',
  NOT_FOUND: 'NOT_FOUND',
  NOT_A_FILE: 'INVALID_REQUEST',
  CLOSED: 'TRANSPORT_CLOSED',
  ADDON_MISSING: 'INTERNAL',
  ENOENT: 'NOT_FOUND',
  ENOTDIR: 'NOT_FOUND',
  EACCES: 'PATH_NOT_ALLOWED',
  EPERM: 'PATH_NOT_ALLOWED',
  INVALID_ARGUMENT: 'INVALID_REQUEST',
  INVALID_CONFIG: 'INVALID_REQUEST',
};

/**
 * Turns anything thrown by a handler into the payload that crosses the transport. Core errors keep their
 * message (it names the file and the problem) and their own code as `detail.cause`.
 */
export function toErrorPayload(error: unknown, method: string): ErrorPayload {
  if (error instanceof ServiceError) {
    return { code: error.code, message: error.message, detail: { ...error.detail, method } };
  }
  if (error instanceof Error) {
    const { code: rawCode, path: rawPath } = error as { code?: unknown; path?: unknown };
    const cause = typeof rawCode === 'string' ? rawCode : '';
    const path = typeof rawPath === 'string' ? rawPath : '';
    const code = coreCodes[cause] ?? 'INTERNAL';
    return {
      code,
      message: error.message,
      detail: { method, ...(cause ? { cause } : {}), ...(path ? { path } : {}) },
    };
  }
  return { code: 'INTERNAL', message: String(error), detail: { method } };
}
