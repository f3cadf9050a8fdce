/** Why the sampler refused or stopped; `path` names the slide (or folder) concerned where there is one. */
export type SamplerErrorCode =
  /** An option is out of range or inconsistent. */
  | 'INVALID_OPTION'
  /** A target mpp was asked for but the slide has no `openslide.mpp-x`. */
  | 'NO_MPP'
  /** The requested field of view would need upsampling (downsample < 1) on this slide. */
  | 'DOWNSAMPLE_BELOW_ONE'
  /** No location with enough tissue was found within the redraw budget. */
  | 'TOO_LITTLE_TISSUE'
  /** The mask found no tissue on the slide. */
  | 'NO_TISSUE'
  /** The slide could not be opened or read. */
  | 'UNREADABLE'
  /** Every slide of a domain is excluded: the stream cannot go on. */
  | 'DOMAIN_EXHAUSTED'
  /** The domain has no slides at all, or an unknown domain was asked for. */
  | 'UNKNOWN_DOMAIN'
  /** A saved sampler state does not fit this dataset or these options. */
  | 'BAD_STATE'
  /** A worker thread died. */
  | 'WORKER_FAILED';

/** A typed sampler error; `path` is the slide or file it concerns, `domain` the stain domain. */
export class SamplerError extends Error {
  override readonly name = 'SamplerError';
  readonly code: SamplerErrorCode;
  readonly path: string | null;
  readonly domain: string | null;

  constructor(
    code: SamplerErrorCode,
    message: string,
    where: Readonly<{ path?: string | null; domain?: string | null }> = {},
  ) {
    super(message);
    this.code = code;
    this.path = where.path ?? null;
    this.domain = where.domain ?? null;
  }
}
