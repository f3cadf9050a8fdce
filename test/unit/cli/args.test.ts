import { describe, expect, it } from 'vitest';

import { UsageError, parseArgs, requireFlag } from '../../../src-main/cli/args.js';

const SPECS = {
  level: { type: 'integer' },
  scale: { type: 'number' },
  out: { type: 'string' },
  json: { type: 'boolean' },
  slide: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

describe('parseArgs', () => {
  it('reads --flag value, --flag=value, booleans and positionals', () => {
    const { flags, positionals } = parseArgs(
      ['a.svs', '--level', '2', '--scale=0.5', '--json', '--out', 'x.png', 'b'],
      SPECS,
    );
    expect(flags).toEqual({ level: 2, scale: 0.5, json: true, out: 'x.png' });
    expect(positionals).toEqual(['a.svs', 'b']);
  });

  it('accepts negative numbers as values', () => {
    expect(parseArgs(['--level', '-3', '--scale', '-1.5e2'], SPECS).flags).toEqual({
      level: -3,
      scale: -150,
    });
  });

  it('collects repeated flags in order when allowed', () => {
    expect(parseArgs(['--slide', 'a', '--slide=b'], SPECS).flags.slide).toEqual(['a', 'b']);
  });

  it('reads --no-flag, --flag=false and short aliases for booleans', () => {
    expect(parseArgs(['--no-json'], SPECS).flags.json).toBe(false);
    expect(parseArgs(['--json=false'], SPECS).flags.json).toBe(false);
    expect(parseArgs(['-h'], SPECS).flags.help).toBe(true);
  });

  it('treats everything after -- as positionals', () => {
    expect(parseArgs(['--', '--json', '-h'], SPECS)).toEqual({ flags: {}, positionals: ['--json', '-h'] });
  });

  const errors: Array<[string[], string]> = [
    [['--levle', '2'], 'unknown option --levle'],
    [['-x'], 'unknown option -x'],
    [['--level'], 'option --level needs a value'],
    [['--out', '--json'], 'option --out needs a value'],
    [['--level', '1.5'], "Expected an integer for --level but received '1.5'"],
    [['--level', 'two'], "Expected an integer for --level but received 'two'"],
    [
      ['--level', '99999999999999999999'],
      "Expected an integer for --level but received '99999999999999999999'",
    ],
    [['--scale', 'abc'], "Expected a number for --scale but received 'abc'"],
    [['--scale='], "Expected a number for --scale but received ''"],
    [['--json=yes'], "Expected true or false for --json but received 'yes'"],
    [['--level', '1', '--level', '2'], 'option --level was given more than once'],
  ];
  for (const [argv, message] of errors) {
    it(`refuses ${argv.join(' ')} with "${message}"`, () => {
      expect(() => parseArgs(argv, SPECS)).toThrow(UsageError);
      expect(() => parseArgs(argv, SPECS)).toThrow(message);
    });
  }

  it('requireFlag names the missing option', () => {
    expect(requireFlag(3, 'level')).toBe(3);
    expect(() => requireFlag(undefined, 'out')).toThrow('option --out is required');
  });
});
