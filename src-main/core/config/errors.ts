/** What is wrong with a config object; stable strings the service and the UI can switch on. */
export type ConfigErrorCode = 'INVALID_CONFIG' | 'UNKNOWN_FIELD';

/** A config that cannot be used, naming the field at fault (dotted path) and, when read from disk, the file. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code: ConfigErrorCode;
  /** Dotted path of the field at fault, e.g. `domains[1].folders`; null for the object as a whole. */
  readonly field: string | null;
  readonly file: string | null;

  constructor(
    code: ConfigErrorCode,
    message: string,
    field: string | null = null,
    file: string | null = null,
  ) {
    super(file ? `${message} (${file})` : message);
    this.code = code;
    this.field = field;
    this.file = file;
  }
}
