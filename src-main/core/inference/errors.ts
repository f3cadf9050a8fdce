/** What went wrong in inference (translation, generation); stable strings the service and UI can switch on. */
export type InferenceErrorCode =
  | 'INVALID_OPTIONS'
  | 'SLIDE_UNREADABLE'
  | 'BAD_GENERATOR'
  | 'TIFF_TOO_LARGE'
  | 'TIFF_WRITE_FAILED'
  | 'WORK_FOLDER_INVALID'
  | 'TRANSFORM_FAILED';

/** An inference error with a code and, where one is concerned, the file it is about. */
export class InferenceError extends Error {
  override readonly name = 'InferenceError';
  readonly code: InferenceErrorCode;
  /** The file concerned (the output TIFF, its work folder, a model), null when none is. */
  readonly file: string | null;

  constructor(code: InferenceErrorCode, message: string, file: string | null = null) {
    super(file ? `${message} (${file})` : message);
    this.code = code;
    this.file = file;
  }
}
