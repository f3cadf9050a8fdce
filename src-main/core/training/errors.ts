/** What went wrong in the training engine; stable strings the service and the UI can switch on. */
export type TrainingErrorCode =
  | 'UNKNOWN_BACKEND'
  | 'BACKEND_UNAVAILABLE'
  | 'INVALID_CONFIG'
  | 'WEIGHTS_MISMATCH'
  | 'BAD_MODEL_FILE'
  /** A domain of the training data has no slide that can be sampled (unreadable, no tissue, no mpp). */
  | 'NO_USABLE_SLIDE';

/** A training-engine error with a code and, where one is concerned, the file it is about. */
export class TrainingError extends Error {
  override readonly name = 'TrainingError';
  readonly code: TrainingErrorCode;
  /** The file concerned (a model or checkpoint file), null when the error is not about a file. */
  readonly file: string | null;

  constructor(code: TrainingErrorCode, message: string, file: string | null = null) {
    super(file ? `${message} (${file})` : message);
    this.code = code;
    this.file = file;
  }
}
