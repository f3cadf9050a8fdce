/** `--detector [NAME=]D`: the tissue detector of each domain's masks (SPEC 1.9), for `train` and `sample`. */
import { TISSUE_DETECTORS, type TissueDetector } from '../core/tissue/tissue-mask.js';
import { UsageError } from './args.js';

/** What `--detector` sets, for a command's help: lines after the first indented to `column`. */
export function detectorOptionHelp(column: number): string {
  return [
    "tissue detector of a domain's masks: otsu-red (default; brightfield",
    'stains such as H&E) or saturation (fluorescence, slides with dark borders).',
    'NAME= picks the domain, repeat per domain; without it D applies to every',
    'domain not named',
  ].join(`\n${' '.repeat(column)}`);
}

/**
 * Each domain with the detector `--detector` gives it: `NAME=D` for one domain, a bare `D` for every
 * domain not named. Unknown detectors, unknown domain names and a domain given twice are usage errors.
 */
export function withDetectors<D extends { readonly name: string }>(
  domains: readonly D[],
  specs: readonly string[],
): (D & { readonly detector?: TissueDetector })[] {
  let all: TissueDetector | null = null;
  const named = new Map<string, TissueDetector>();
  for (const spec of specs) {
    const eq = spec.lastIndexOf('=');
    const name = eq === -1 ? null : spec.slice(0, eq).trim();
    const detector = (eq === -1 ? spec : spec.slice(eq + 1)).trim();
    if (!TISSUE_DETECTORS.includes(detector as TissueDetector)) {
      throw new UsageError(
        `--detector '${spec}': unknown detector '${detector}' (expected ${TISSUE_DETECTORS.join(' or ')})`,
      );
    }
    if (name === null) {
      if (all !== null) throw new UsageError('--detector without a domain name was given more than once');
      all = detector as TissueDetector;
      continue;
    }
    if (!domains.some((d) => d.name === name)) {
      throw new UsageError(
        `--detector '${spec}': no domain named '${name}' (domains: ${domains.map((d) => d.name).join(', ')})`,
      );
    }
    if (named.has(name)) throw new UsageError(`--detector names the domain '${name}' more than once`);
    named.set(name, detector as TissueDetector);
  }
  return domains.map((d) => {
    const detector = named.get(d.name) ?? all;
    return detector === null ? d : { ...d, detector };
  });
}
