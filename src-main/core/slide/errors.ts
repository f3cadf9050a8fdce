/**
 * Typed errors of the slide layer. Every error names the slide file it concerns (`path`) and carries a
 * `code`, so callers branch on codes, never on message text.
 */

/** What went wrong, as a stable code. */
export type SlideErrorCode =
  /** The path does not exist. */
  | 'NOT_FOUND'
  /** The path exists but is a directory or another non-regular file. */
  | 'NOT_A_FILE'
  /** OpenSlide does not recognise the file, or recognises it but cannot open it. */
  | 'UNSUPPORTED_FORMAT'
  /** Reading failed: I/O error, corrupt data, or a handle already in error state. */
  | 'READ_FAILED'
  /** A bad argument (level out of range, negative size, region too large, ...). */
  | 'INVALID_ARGUMENT'
  /** The slide (or the cache holding it) was closed. */
  | 'CLOSED'
  /** The native OpenSlide addon is not built or cannot be loaded. */
  | 'ADDON_MISSING';

/** An error of the slide layer; `message` is "<path>: <detail>" when a file is concerned. */
export class SlideError extends Error {
  readonly code: SlideErrorCode;
  /** Absolute path of the slide concerned, or null when no file is (e.g. ADDON_MISSING). */
  readonly path: string | null;
  /** The message without the path. */
  readonly detail: string;

  constructor(code: SlideErrorCode, path: string | null, detail: string, options?: { cause?: unknown }) {
    super(path === null ? detail : `${path}: ${detail}`, options);
    this.name = 'SlideError';
    this.code = code;
    this.path = path;
    this.detail = detail;
  }
}

/** The file is not a slide OpenSlide can open (code 'UNSUPPORTED_FORMAT'). */
export class UnsupportedFormatError extends SlideError {
  /** The vendor OpenSlide detected before failing to open, or null when it recognised nothing. */
  readonly vendor: string | null;

  constructor(path: string, detail: string, vendor: string | null, options?: { cause?: unknown }) {
    super('UNSUPPORTED_FORMAT', path, detail, options);
    this.name = 'UnsupportedFormatError';
    this.vendor = vendor;
  }
}

const NATIVE_CODES: ReadonlySet<string> = new Set([
  'UNSUPPORTED_FORMAT',
  'READ_FAILED',
  'INVALID_ARGUMENT',
  'CLOSED',
  'ADDON_MISSING',
]);

/**
 * Turns whatever the addon threw into a SlideError about `path` (errors that already are SlideErrors
 * pass through). `vendor` is used for UnsupportedFormatError.
 */
export function toSlideError(error: unknown, path: string, vendor: string | null = null): SlideError {
  if (error instanceof SlideError) return error;
  if (error instanceof Error) {
    const fields = error as Error & { code?: unknown; detail?: unknown };
    const code = typeof fields.code === 'string' && NATIVE_CODES.has(fields.code) ? fields.code : null;
    const detail = typeof fields.detail === 'string' ? fields.detail : error.message;
    if (code === 'UNSUPPORTED_FORMAT')
      return new UnsupportedFormatError(path, detail, vendor, { cause: error });
    if (code === 'ADDON_MISSING')
      return new SlideError('ADDON_MISSING', null, error.message, { cause: error });
    return new SlideError((code as SlideErrorCode | null) ?? 'READ_FAILED', path, detail, { cause: error });
  }
  return new SlideError('READ_FAILED', path, String(error));
}
