/** What is wrong with a run folder; stable strings the service and the UI can switch on. */
export type RunErrorCode = 'NO_RUN' | 'BAD_RUN' | 'RUN_EXISTS' | 'NO_CHECKPOINT' | 'BAD_CHECKPOINT';

/** A run-folder error naming the file or folder concerned. */
export class RunError extends Error {
  override readonly name = 'RunError';
  readonly code: RunErrorCode;
  readonly file: string | null;

  constructor(code: RunErrorCode, message: string, file: string | null = null) {
    super(file ? `${message} (${file})` : message);
    this.code = code;
    this.file = file;
  }
}
