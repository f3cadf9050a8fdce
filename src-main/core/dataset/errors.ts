/** Problems with a dataset definition, each with a stable code and the file or folder concerned. */
export type DatasetErrorCode = 'INVALID_DATASET' | 'DUPLICATE_DOMAIN' | 'OVERLAPPING_FOLDERS';

export class DatasetError extends Error {
  readonly code: DatasetErrorCode;
  /** The folder concerned, or null when the problem is the definition as a whole. */
  readonly path: string | null;

  constructor(code: DatasetErrorCode, message: string, path: string | null = null) {
    super(message);
    this.name = 'DatasetError';
    this.code = code;
    this.path = path;
  }
}
