import { resolve, sep } from 'node:path';
import { DatasetError } from './errors.js';

/** One domain of a dataset: a stain (or any other image source) and the folders holding its slides. */
export interface DomainDefinition {
  /** Shown to people and used in provenance, e.g. "H&E", "PAS". */
  readonly name: string;
  /** Absolute folder paths. */
  readonly folders: readonly string[];
}

/** A dataset: named domains (CycleGAN uses two, ProGAN one or more). */
export interface DatasetDefinition {
  readonly domains: readonly DomainDefinition[];
}

/**
 * Validates a dataset definition from a config file, the CLI or the UI (untrusted input) and returns it with
 * folders resolved against `baseDir`. Throws DatasetError naming the domain or folder at fault: no domains,
 * an empty or duplicate domain name (case-insensitive), a domain without folders, a folder given twice, or
 * a folder inside another domain's folder (its slides would belong to two domains).
 */
export function validateDataset(input: unknown, baseDir: string = process.cwd()): DatasetDefinition {
  if (
    typeof input !== 'object' ||
    input === null ||
    !Array.isArray((input as { domains?: unknown }).domains)
  ) {
    throw new DatasetError('INVALID_DATASET', 'A dataset needs a "domains" list');
  }
  const rawDomains = (input as { domains: unknown[] }).domains;
  if (rawDomains.length === 0)
    throw new DatasetError('INVALID_DATASET', 'A dataset needs at least one domain');
  const seenNames = new Map<string, string>();
  const owner = new Map<string, string>();
  const domains: DomainDefinition[] = [];
  rawDomains.forEach((raw, index) => {
    const label = `domain ${index + 1}`;
    if (typeof raw !== 'object' || raw === null) {
      throw new DatasetError('INVALID_DATASET', `${label} must be an object with "name" and "folders"`);
    }
    const { name, folders } = raw as { name?: unknown; folders?: unknown };
    if (typeof name !== 'string' || name.trim() === '') {
      throw new DatasetError('INVALID_DATASET', `${label} needs a non-empty name`);
    }
    const trimmed = name.trim();
    const previous = seenNames.get(trimmed.toLowerCase());
    if (previous !== undefined) {
      throw new DatasetError(
        'DUPLICATE_DOMAIN',
        `Domain name "${trimmed}" is used twice (also "${previous}")`,
      );
    }
    seenNames.set(trimmed.toLowerCase(), trimmed);
    if (!Array.isArray(folders) || folders.length === 0) {
      throw new DatasetError('INVALID_DATASET', `Domain "${trimmed}" needs at least one folder`);
    }
    const resolved: string[] = [];
    for (const folder of folders) {
      if (typeof folder !== 'string' || folder === '') {
        throw new DatasetError('INVALID_DATASET', `Domain "${trimmed}" has a folder that is not a path`);
      }
      const absolute = resolve(baseDir, folder);
      for (const [other, otherDomain] of owner) {
        if (other === absolute) {
          throw new DatasetError(
            'OVERLAPPING_FOLDERS',
            `${absolute} is listed twice (domain "${otherDomain}")`,
            absolute,
          );
        }
        if (isInside(absolute, other) || isInside(other, absolute)) {
          const consequence =
            otherDomain === trimmed
              ? `slides would be listed twice in "${trimmed}"`
              : `slides would belong to "${trimmed}" and "${otherDomain}"`;
          throw new DatasetError(
            'OVERLAPPING_FOLDERS',
            `${absolute} and ${other} overlap: ${consequence}`,
            absolute,
          );
        }
      }
      owner.set(absolute, trimmed);
      resolved.push(absolute);
    }
    domains.push({ name: trimmed, folders: resolved });
  });
  return { domains };
}

function isInside(child: string, parent: string): boolean {
  return child.startsWith(parent.endsWith(sep) ? parent : parent + sep);
}
