import { readFile, realpath, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { TranslationState, TranslationSummary } from '../../contract/index.js';
import { writeFileAtomic } from '../workspace/atomic-write.js';

/** Translations kept in the list (the oldest finished ones are forgotten first; their files stay). */
const maxRecords = 1000;

/**
 * The translations this service wrote, persisted in the state folder (`translations.json`). Besides the
 * Inference view's list, it is what lets the slide view open a translated TIFF: a finished output is
 * openable by its exact real path although it lies outside the added folders, because the service wrote
 * it. Nothing else about the path rules changes. Writes are queued and atomic.
 */
export class TranslationRegistry {
  private records: TranslationSummary[];
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly file: string,
    records: TranslationSummary[],
  ) {
    this.records = records;
  }

  /**
   * Opens (or creates) the registry in `stateDir`. Translations that were running when the service last
   * stopped are marked stopped (their finished rows are kept: the same request continues them). A damaged
   * file is set aside, not lost.
   */
  static async open(stateDir: string, warn?: (message: string) => void): Promise<TranslationRegistry> {
    const file = join(stateDir, 'translations.json');
    let records: TranslationSummary[] = [];
    const text = await readFile(file, 'utf8').catch((error: { code?: string }) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (text !== null) {
      try {
        const parsed = JSON.parse(text) as { version?: unknown; translations?: unknown };
        if (parsed.version !== '1' || !Array.isArray(parsed.translations)) throw new Error('unknown format');
        records = (parsed.translations as TranslationSummary[])
          .filter(isRecord)
          .map((r) => (r.state === 'running' ? { ...r, state: 'stopped' as const, jobId: null } : r));
      } catch (error) {
        const aside = `${file}.damaged-${Date.now()}`;
        await rename(file, aside);
        warn?.(`${file} was damaged (${(error as Error).message}); moved to ${aside}, starting empty`);
      }
    }
    return new TranslationRegistry(file, records);
  }

  /** Newest first; only those of `runId` when given. */
  list(runId?: string): TranslationSummary[] {
    return this.records.filter((r) => runId === undefined || r.runId === runId);
  }

  get(outPath: string): TranslationSummary | null {
    return this.records.find((r) => r.outPath === outPath) ?? null;
  }

  byJob(jobId: string): TranslationSummary | null {
    return this.records.find((r) => r.jobId === jobId) ?? null;
  }

  /**
   * The real path of `path` when it is a finished translation this service wrote, else null. The file is
   * resolved through symlinks and must be the very file recorded, not something inside or beside it.
   */
  async openablePath(path: string): Promise<string | null> {
    // Other paths (every tile of every dataset slide) skip the file system here.
    if (this.get(path)?.state !== 'done') return null;
    const real = await realpath(path).catch(() => null);
    if (real === null) return null;
    const record = this.get(real);
    return record?.state === 'done' ? real : null;
  }

  /** Adds or replaces the record of `record.outPath` (it moves to the top). */
  put(record: TranslationSummary): Promise<TranslationSummary> {
    return this.mutate(() => {
      const rest = this.records.filter((r) => r.outPath !== record.outPath);
      this.records = [record, ...rest].slice(0, maxRecords);
      return record;
    });
  }

  /** Changes the record of `outPath` in place. */
  update(outPath: string, change: Partial<TranslationSummary>): Promise<TranslationSummary | null> {
    return this.mutate(() => {
      const current = this.get(outPath);
      if (!current) return null;
      const next = { ...current, ...change };
      this.records = this.records.map((r) => (r.outPath === outPath ? next : r));
      return next;
    });
  }

  private mutate<T>(change: () => T): Promise<T> {
    const run = async (): Promise<T> => {
      const result = change();
      await writeFileAtomic(
        this.file,
        `${JSON.stringify({ version: '1', translations: this.records }, null, 2)}\n`,
      );
      return result;
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

const states: readonly TranslationState[] = ['running', 'done', 'stopped', 'failed'];

/** A record read back from disk has the fields the service relies on (a hand-edited file may not). */
function isRecord(value: unknown): value is TranslationSummary {
  const r = value as Partial<TranslationSummary> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.outPath === 'string' &&
    typeof r.runId === 'string' &&
    typeof r.slidePath === 'string' &&
    typeof r.downsample === 'number' &&
    states.includes(r.state as TranslationState) &&
    typeof r.request === 'object' &&
    r.request !== null
  );
}
