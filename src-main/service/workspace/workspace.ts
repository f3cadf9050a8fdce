import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { MaskDetector } from '../../contract/index.js';
import { ServiceError } from '../errors.js';
import { array, check, object, oneOf, type Infer } from '../validate/schema.js';
import { absolutePath, displayName, id } from '../validate/fields.js';
import { writeFileAtomic } from './atomic-write.js';
import { isInside, realDirectory } from './path-guard.js';

const domainSchema = object({
  id: id(),
  name: displayName(),
  folders: array(absolutePath(), { maxItems: 256 }),
  detector: oneOf<MaskDetector>(['otsu-red', 'saturation']),
});
const stateSchema = object({ version: oneOf(['1']), domains: array(domainSchema, { maxItems: 256 }) });

/** A domain as the workspace stores it. */
export type DomainRecord = Infer<typeof domainSchema>;

export interface WorkspaceOptions {
  /** Folder holding `workspace.json`. */
  readonly stateDir: string;
  /**
   * Real paths the user may add folders from (server mode: `--root`); null: any folder (Electron, where
   * folders come from the native dialog or a drop).
   */
  readonly pickRoots: readonly string[] | null;
  /** Told when a damaged state file was set aside. */
  readonly warn?: (message: string) => void;
}

/**
 * The user's datasets: domains (stains) with their folders and detector, persisted in the state folder.
 * Folders are stored as real paths; they are the only places slide paths may point to. Mutations run one
 * at a time and are written atomically.
 */
export class Workspace {
  private records: DomainRecord[];
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private readonly options: WorkspaceOptions,
    records: DomainRecord[],
  ) {
    this.records = records;
  }

  /** Opens (or creates) the workspace in `options.stateDir`. A damaged file is renamed aside, not lost. */
  static async open(options: WorkspaceOptions): Promise<Workspace> {
    await mkdir(options.stateDir, { recursive: true });
    const file = join(options.stateDir, 'workspace.json');
    let records: DomainRecord[] = [];
    let text: string | null = null;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as { code?: string }).code !== 'ENOENT') throw error;
    }
    if (text !== null) {
      let parsed: ReturnType<typeof check<Infer<typeof stateSchema>>>;
      try {
        parsed = check(stateSchema, JSON.parse(text));
      } catch (error) {
        parsed = { ok: false, issues: [{ field: '', message: (error as Error).message }] };
      }
      if (parsed.ok) records = [...parsed.value.domains];
      else {
        const aside = `${file}.damaged-${Date.now()}`;
        await rename(file, aside);
        options.warn?.(
          `${file} was damaged (${parsed.issues[0]?.message}); moved to ${aside}, starting empty`,
        );
      }
    }
    return new Workspace(file, options, records);
  }

  /** Folders the user may add from; null when any folder may be added. */
  get pickRoots(): readonly string[] | null {
    return this.options.pickRoots;
  }

  domains(): readonly DomainRecord[] {
    return this.records;
  }

  domain(domainId: string): DomainRecord {
    const record = this.records.find((d) => d.id === domainId);
    if (!record) throw new ServiceError('NOT_FOUND', `No domain with id '${domainId}'`);
    return record;
  }

  /** Every added folder of every domain: the roots slide paths must lie in. */
  slideRoots(): string[] {
    return [...new Set(this.records.flatMap((d) => d.folders))];
  }

  createDomain(name: string, detector: MaskDetector): Promise<DomainRecord> {
    return this.mutate(() => {
      this.assertNameFree(name, null);
      const record: DomainRecord = { id: `d-${randomBytes(4).toString('hex')}`, name, folders: [], detector };
      this.records = [...this.records, record];
      return record;
    });
  }

  updateDomain(domainId: string, patch: { name?: string; detector?: MaskDetector }): Promise<DomainRecord> {
    return this.mutate(() => {
      const current = this.domain(domainId);
      if (patch.name !== undefined) this.assertNameFree(patch.name, domainId);
      return this.replace({ ...current, ...patch });
    });
  }

  removeDomain(domainId: string): Promise<void> {
    return this.mutate(() => {
      this.domain(domainId);
      this.records = this.records.filter((d) => d.id !== domainId);
    });
  }

  /** Adds folders (resolved to real paths, checked against the pick roots); duplicates are ignored. */
  addFolders(domainId: string, folders: readonly string[]): Promise<DomainRecord> {
    return this.mutate(async () => {
      const current = this.domain(domainId);
      const added: string[] = [];
      for (const folder of folders) {
        const real = await realDirectory(folder);
        const roots = this.options.pickRoots;
        if (roots && !roots.some((root) => isInside(real, root))) {
          throw new ServiceError(
            'PATH_NOT_ALLOWED',
            `The folder '${folder}' is outside the folders this workbench may open (${roots.join(', ')})`,
            { path: folder },
          );
        }
        if (!current.folders.includes(real) && !added.includes(real)) added.push(real);
      }
      return this.replace({ ...current, folders: [...current.folders, ...added] });
    });
  }

  removeFolder(domainId: string, folder: string): Promise<DomainRecord> {
    return this.mutate(() => {
      const current = this.domain(domainId);
      if (!current.folders.includes(folder))
        throw new ServiceError('NOT_FOUND', `The domain '${current.name}' has no folder '${folder}'`, {
          path: folder,
        });
      return this.replace({ ...current, folders: current.folders.filter((f) => f !== folder) });
    });
  }

  private assertNameFree(name: string, exceptId: string | null): void {
    const clash = this.records.find((d) => d.id !== exceptId && d.name.toLowerCase() === name.toLowerCase());
    if (clash) throw new ServiceError('CONFLICT', `A domain named '${clash.name}' already exists`);
  }

  private replace(record: DomainRecord): DomainRecord {
    this.records = this.records.map((d) => (d.id === record.id ? record : d));
    return record;
  }

  /** Runs one mutation after the previous ones and persists the result; a failure leaves state unchanged. */
  private mutate<T>(change: () => T | Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      const before = this.records;
      try {
        const result = await change();
        if (this.records !== before) await this.save();
        return result;
      } catch (error) {
        this.records = before;
        throw error;
      }
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async save(): Promise<void> {
    const state = { version: '1', domains: this.records };
    await writeFileAtomic(this.file, `${JSON.stringify(state, null, 2)}\n`);
  }
}
