import type { ValidationIssue } from '../../contract/index.js';

/**
 * A tiny schema language for untrusted requests: each schema parses a value, records every problem with
 * the field's path, and rejects what it does not know (unknown object keys, wrong types, out-of-range
 * numbers). Messages read like "Expected an integer from 0 to 20 for level but received -1".
 */
export interface Schema<T> {
  /** Parses `value`; pushes issues (and returns anything) when it does not fit. */
  parse(value: unknown, field: string, issues: ValidationIssue[]): T;
  /** Marks fields of `object()` that may be absent. */
  readonly optional?: boolean;
}

/** The type a schema produces. */
export type Infer<S> = S extends Schema<infer T> ? T : never;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length > 40 ? 'a long string' : JSON.stringify(value);
  if (typeof value === 'number') return String(value);
  return typeof value === 'object' ? 'an object' : typeof value;
}

function fieldName(field: string): string {
  return field === '' ? 'the request' : field;
}

function issue(issues: ValidationIssue[], field: string, expected: string, value: unknown): void {
  issues.push({
    field,
    message: `Expected ${expected} for ${fieldName(field)} but received ${describe(value)}`,
  });
}

export interface StringOptions {
  readonly minLength?: number;
  readonly maxLength?: number;
  /** Must match; `patternText` says in words what it requires. */
  readonly pattern?: RegExp;
  readonly patternText?: string;
}

export function string(options: StringOptions = {}): Schema<string> {
  const { minLength = 0, maxLength = 4096, pattern, patternText } = options;
  return {
    parse(value, field, issues) {
      if (typeof value !== 'string') issue(issues, field, 'a string', value);
      else if (value.length < minLength || value.length > maxLength)
        issue(issues, field, `a string of ${minLength} to ${maxLength} characters`, value);
      else if (pattern && !pattern.test(value))
        issue(issues, field, patternText ?? `text matching ${pattern}`, value);
      return value as string;
    },
  };
}

export interface NumberOptions {
  readonly min: number;
  readonly max: number;
}

/** A finite number in `[min, max]`. */
export function number({ min, max }: NumberOptions): Schema<number> {
  return {
    parse(value, field, issues) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max)
        issue(issues, field, `a number from ${min} to ${max}`, value);
      return value as number;
    },
  };
}

/** A safe integer in `[min, max]`. */
export function integer({ min, max }: NumberOptions): Schema<number> {
  return {
    parse(value, field, issues) {
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max)
        issue(issues, field, `an integer from ${min} to ${max}`, value);
      return value as number;
    },
  };
}

export function boolean(): Schema<boolean> {
  return {
    parse(value, field, issues) {
      if (typeof value !== 'boolean') issue(issues, field, 'true or false', value);
      return value as boolean;
    },
  };
}

/** One of the given string values. */
export function oneOf<const V extends string>(values: readonly V[]): Schema<V> {
  return {
    parse(value, field, issues) {
      if (typeof value !== 'string' || !(values as readonly string[]).includes(value))
        issue(issues, field, `one of ${values.map((v) => `'${v}'`).join(', ')}`, value);
      return value as V;
    },
  };
}

export interface ArrayOptions {
  readonly minItems?: number;
  readonly maxItems: number;
}

export function array<T>(item: Schema<T>, { minItems = 0, maxItems }: ArrayOptions): Schema<readonly T[]> {
  return {
    parse(value, field, issues) {
      if (!Array.isArray(value) || value.length < minItems || value.length > maxItems) {
        issue(issues, field, `a list of ${minItems} to ${maxItems} items`, value);
        return [];
      }
      return value.map((element, i) => item.parse(element, `${field}[${i}]`, issues));
    },
  };
}

/** Lets an `object()` field be absent (or `undefined`). */
export function optional<T>(schema: Schema<T>): Schema<T | undefined> & { readonly optional: true } {
  return {
    optional: true,
    parse(value, field, issues) {
      return value === undefined ? undefined : schema.parse(value, field, issues);
    },
  };
}

type Shape = Readonly<Record<string, Schema<unknown>>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends { optional: true } ? K : never }[keyof S];
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>;
type Flatten<T> = { [K in keyof T]: T[K] };

/** The object type an `object()` schema produces. */
export type InferObject<S extends Shape> = Flatten<
  { readonly [K in RequiredKeys<S>]: Infer<S[K]> } & {
    readonly [K in OptionalKeys<S>]?: Exclude<Infer<S[K]>, undefined>;
  }
>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** A plain object with exactly these fields: unknown fields are rejected, absent optional ones omitted. */
export function object<S extends Shape>(shape: S): Schema<InferObject<S>> {
  return {
    parse(value, field, issues) {
      if (!isPlainObject(value)) {
        issue(issues, field, 'an object', value);
        return {} as InferObject<S>;
      }
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value)) {
        if (!Object.hasOwn(shape, key)) {
          const known = Object.keys(shape);
          issues.push({
            field: field === '' ? key : `${field}.${key}`,
            message: `Unknown field '${key}' in ${fieldName(field)}${
              known.length > 0 ? ` (known: ${known.join(', ')})` : ' (it takes no fields)'
            }`,
          });
        }
      }
      for (const [key, schema] of Object.entries(shape)) {
        const sub = field === '' ? key : `${field}.${key}`;
        const raw = Object.hasOwn(value, key) ? value[key] : undefined;
        if (raw === undefined && !schema.optional) {
          issues.push({ field: sub, message: `Missing required field ${sub}` });
          continue;
        }
        const parsed = schema.parse(raw, sub, issues);
        if (parsed !== undefined) out[key] = parsed;
      }
      return out as InferObject<S>;
    },
  };
}

/** A union of objects told apart by the string field `tag`. */
export function tagged<const Tag extends string, Cases extends Readonly<Record<string, Shape>>>(
  tag: Tag,
  cases: Cases,
): Schema<
  { [C in keyof Cases & string]: Flatten<{ readonly [T in Tag]: C } & InferObject<Cases[C]>> }[keyof Cases &
    string]
> {
  const kinds = Object.keys(cases);
  return {
    parse(value, field, issues) {
      const kind = isPlainObject(value) ? value[tag] : undefined;
      if (typeof kind !== 'string' || !Object.hasOwn(cases, kind)) {
        const sub = field === '' ? tag : `${field}.${tag}`;
        issue(issues, sub, `one of ${kinds.map((k) => `'${k}'`).join(', ')}`, kind);
        return value as never;
      }
      const shape = { ...cases[kind], [tag]: oneOf([kind]) } as Shape;
      return object(shape).parse(value, field, issues) as never;
    },
  };
}

/** Parses a whole request; returns the value or the list of problems. */
export function check<T>(
  schema: Schema<T>,
  value: unknown,
): { ok: true; value: T } | { ok: false; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  const parsed = schema.parse(value, '', issues);
  return issues.length === 0 ? { ok: true, value: parsed } : { ok: false, issues };
}
