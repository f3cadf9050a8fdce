/**
 * A small command-line parser shared by every `histo-fetch` command: `--flag value`, `--flag=value`,
 * booleans (`--json`, `--json=false`, `--no-json`), repeated flags, typed numbers with clear errors, and
 * `--` to end the options. Bad input throws UsageError (exit status 2).
 */

/** Exit status of a usage error. */
export const USAGE_EXIT_CODE = 2;

/** A command line the command cannot understand; the CLI prints it with the usage and exits 2. */
export class UsageError extends Error {
  readonly code = 'USAGE';

  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type FlagType = 'string' | 'number' | 'integer' | 'boolean';

export interface FlagSpec {
  readonly type: FlagType;
  /** Allow the flag several times; its value is then an array in command-line order. */
  readonly multiple?: boolean;
  /** One-letter alias, used as `-x`. */
  readonly short?: string;
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

type ValueOf<S extends FlagSpec> = S['type'] extends 'boolean'
  ? boolean
  : S['type'] extends 'string'
    ? string
    : number;

/** Parsed flags: absent flags are undefined, repeated flags are arrays. */
export type ParsedFlags<T extends FlagSpecs> = {
  [K in keyof T]?: T[K]['multiple'] extends true ? ValueOf<T[K]>[] : ValueOf<T[K]>;
};

export interface ParsedArgs<T extends FlagSpecs> {
  readonly flags: ParsedFlags<T>;
  readonly positionals: readonly string[];
}

/** Parses `argv` (without the command name) against `specs`. */
export function parseArgs<T extends FlagSpecs>(argv: readonly string[], specs: T): ParsedArgs<T> {
  const flags: Record<string, unknown> = {};
  const positionals: string[] = [];
  const byShort = new Map(
    Object.entries(specs)
      .filter(([, spec]) => spec.short !== undefined)
      .map(([name, spec]) => [spec.short!, name]),
  );

  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let name: string;
    let inline: string | undefined;
    if (token.startsWith('--') && token.length > 2) {
      const eq = token.indexOf('=');
      name = eq === -1 ? token.slice(2) : token.slice(2, eq);
      inline = eq === -1 ? undefined : token.slice(eq + 1);
    } else if (/^-[A-Za-z]$/.test(token)) {
      const long = byShort.get(token.slice(1));
      if (long === undefined) throw new UsageError(`unknown option ${token}`);
      name = long;
    } else {
      positionals.push(token);
      continue;
    }

    let spec = specs[name];
    let value: unknown;
    if (
      spec === undefined &&
      name.startsWith('no-') &&
      specs[name.slice(3)]?.type === 'boolean' &&
      inline === undefined
    ) {
      name = name.slice(3);
      spec = specs[name]!;
      value = false;
    } else if (spec === undefined) {
      throw new UsageError(`unknown option --${name}`);
    } else if (spec.type === 'boolean') {
      value = inline === undefined ? true : parseBoolean(name, inline);
    } else {
      let text = inline;
      if (text === undefined) {
        const next = argv[i + 1];
        if (next === undefined || (next.startsWith('--') && next.length > 2)) {
          throw new UsageError(`option --${name} needs a value`);
        }
        text = next;
        i++;
      }
      value = convert(name, spec.type, text);
    }

    if (spec.multiple) {
      ((flags[name] ??= []) as unknown[]).push(value);
    } else if (name in flags) {
      throw new UsageError(`option --${name} was given more than once`);
    } else {
      flags[name] = value;
    }
  }
  return { flags: flags as ParsedFlags<T>, positionals };
}

/** The value of a flag the command cannot run without. */
export function requireFlag<V>(value: V | undefined, name: string): V {
  if (value === undefined) throw new UsageError(`option --${name} is required`);
  return value;
}

function parseBoolean(name: string, text: string): boolean {
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new UsageError(`Expected true or false for --${name} but received '${text}'`);
}

function convert(name: string, type: Exclude<FlagType, 'boolean'>, text: string): string | number {
  if (type === 'string') return text;
  if (type === 'integer') {
    const n = Number(text);
    if (!/^[+-]?\d+$/.test(text.trim()) || !Number.isSafeInteger(n)) {
      throw new UsageError(`Expected an integer for --${name} but received '${text}'`);
    }
    return n;
  }
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) {
    throw new UsageError(`Expected a number for --${name} but received '${text}'`);
  }
  return n;
}
