import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One directory as libtiff's `tiffdump` prints it: tag number -> the text of its values. */
export type DumpedDirectory = Map<number, { type: string; count: number; values: string }>;

/**
 * Runs Debian's `tiffdump` (package libtiff-tools) and parses its directories, so the files we write
 * are checked by libtiff itself rather than by our own reader.
 */
export async function tiffdump(path: string): Promise<{ magic: string; directories: DumpedDirectory[] }> {
  const { stdout } = await run('tiffdump', [path]).catch((error: Error) => {
    throw new Error(`tiffdump failed (install libtiff-tools: scripts/setup-debian.sh): ${error.message}`);
  });
  const magic = /Version: 0x([0-9a-f]+)/.exec(stdout)?.[1] ?? '';
  const directories: DumpedDirectory[] = [];
  for (const line of stdout.split('\n')) {
    if (line.startsWith('Directory ')) directories.push(new Map());
    const m = /^\S+ \((\d+)\) (\S+) \(\d+\) (\d+)<(.*)>$/.exec(line);
    if (m && directories.length) {
      directories.at(-1)!.set(Number(m[1]), { type: m[2]!, count: Number(m[3]), values: m[4]! });
    }
  }
  return { magic, directories };
}

/** `tiffinfo -D`-free check: tiffinfo reads every directory without an error line. */
export async function tiffinfoErrors(path: string): Promise<string> {
  const { stderr } = await run('tiffinfo', [path]);
  return stderr;
}

/**
 * Decodes every tile of every directory with libtiff (`tiffcp -c none` into a scratch file) and returns
 * what libtiff printed on stderr: empty when every JPEG tile decodes cleanly.
 */
export async function tiffcpDecodeErrors(path: string, scratch: string): Promise<string> {
  const { stderr } = await run('tiffcp', ['-c', 'none', path, scratch]);
  return stderr;
}
