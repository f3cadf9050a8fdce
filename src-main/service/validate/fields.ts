import { isAbsolute, normalize } from 'node:path';
import { string, type Schema } from './schema.js';

/**
 * An absolute, normalised path: no `..` or `.` segments, no doubled separators, no NUL. Whether it lies
 * inside an added folder is checked later against the file system (`PathGuard`), after symlinks resolve.
 */
export function absolutePath(): Schema<string> {
  const text = string({ minLength: 1, maxLength: 4096 });
  return {
    parse(value, field, issues) {
      const before = issues.length;
      const path = text.parse(value, field, issues);
      if (issues.length > before) return path;
      const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
      if (path.includes('\0') || !isAbsolute(path) || normalize(trimmed) !== trimmed) {
        issues.push({
          field,
          message: `Expected an absolute path without '..', '.' or empty segments for ${field} but received ${JSON.stringify(path)}`,
        });
      }
      return trimmed;
    },
  };
}

/** Ids the service hands out (domains, runs, jobs): letters, digits, '-', '_' and '.', not starting with '.'. */
export function id(): Schema<string> {
  return string({
    minLength: 1,
    maxLength: 128,
    pattern: /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/,
    patternText: "an id (letters, digits, '.', '_', '-')",
  });
}

/** A display name: 1..64 characters, no control characters, not blank. */
export function displayName(): Schema<string> {
  return string({
    minLength: 1,
    maxLength: 64,
    // eslint-disable-next-line no-control-regex
    pattern: /^(?!\s*$)[^\u0000-\u001f\u007f]+$/,
    patternText: 'a name of 1 to 64 visible characters',
  });
}
