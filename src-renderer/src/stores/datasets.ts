import { defineStore } from 'pinia';
import { reactive, ref } from 'vue';
import type {
  DomainSummary,
  MaskDetector,
  MaskProgressEvent,
  SkippedFile,
  SlideEntry,
} from '../../../src-main/contract/index.js';
import { onServiceEvent, useApi } from '../client-instance.js';
import { errorText } from '../transport/remote-error.js';

/** The slide list of one domain as last loaded, with the state of its mask build. */
export interface DomainSlides {
  slides: SlideEntry[];
  skipped: SkippedFile[];
  loading: boolean;
  error: string | null;
  progress: Pick<MaskProgressEvent, 'done' | 'total' | 'failed' | 'fromCache'> | null;
}

/** Domains (stains), their folders and slides, kept current by `mask.progress` and `job.state` events. */
export const useDatasetsStore = defineStore('datasets', () => {
  const api = useApi();
  const domains = ref<DomainSummary[]>([]);
  const slides = reactive<Record<string, DomainSlides>>({});
  const error = ref<string | null>(null);
  const loaded = ref(false);

  function entry(domainId: string): DomainSlides {
    slides[domainId] ??= { slides: [], skipped: [], loading: false, error: null, progress: null };
    return slides[domainId];
  }

  function replaceDomain(domain: DomainSummary): void {
    const index = domains.value.findIndex((d) => d.id === domain.id);
    if (index >= 0) domains.value.splice(index, 1, domain);
    else domains.value.push(domain);
  }

  /** Runs an action; its error goes to `error` (shown in the view) instead of escaping. */
  async function attempt<T>(action: () => Promise<T>): Promise<T | null> {
    try {
      error.value = null;
      return await action();
    } catch (caught) {
      error.value = errorText(caught);
      return null;
    }
  }

  async function refresh(): Promise<void> {
    await attempt(async () => {
      domains.value = [...(await api.datasets.list({})).domains];
      loaded.value = true;
    });
  }

  async function loadSlides(domainId: string): Promise<void> {
    const target = entry(domainId);
    target.loading = true;
    try {
      const response = await api.datasets.slides({ domainId });
      target.slides = [...response.slides];
      target.skipped = [...response.skipped];
      target.error = null;
      // Masks not built yet (new folders, a restart, another detector): build them, cached ones come back at once.
      const domain = domains.value.find((d) => d.id === domainId);
      if (domain && !domain.job && target.slides.some((s) => s.status === 'pending'))
        void rebuild(domainId, false);
    } catch (caught) {
      target.error = errorText(caught);
    } finally {
      target.loading = false;
    }
  }

  async function create(name: string, detector: MaskDetector = 'otsu-red'): Promise<DomainSummary | null> {
    const created = await attempt(() => api.datasets.create({ name, detector }));
    if (created) replaceDomain(created.domain);
    return created?.domain ?? null;
  }

  async function update(
    domainId: string,
    patch: { name?: string; detector?: MaskDetector },
  ): Promise<boolean> {
    const updated = await attempt(() => api.datasets.update({ domainId, ...patch }));
    if (updated) {
      replaceDomain(updated.domain);
      if (patch.detector !== undefined) await loadSlides(domainId);
    }
    return updated !== null;
  }

  async function remove(domainId: string): Promise<void> {
    if (await attempt(() => api.datasets.remove({ domainId }))) {
      domains.value = domains.value.filter((d) => d.id !== domainId);
      delete slides[domainId];
    }
  }

  /** Adds folders, then lists the slides and starts their masks. Returns the error text, if any. */
  async function addFolders(domainId: string, folders: readonly string[]): Promise<string | null> {
    try {
      const { domain } = await api.datasets.addFolders({ domainId, folders });
      replaceDomain(domain);
    } catch (caught) {
      return errorText(caught);
    }
    await loadSlides(domainId);
    return null;
  }

  async function removeFolder(domainId: string, folder: string): Promise<void> {
    const updated = await attempt(() => api.datasets.removeFolder({ domainId, folder }));
    if (updated) {
      replaceDomain(updated.domain);
      await loadSlides(domainId);
    }
  }

  async function rebuild(domainId: string, force: boolean): Promise<void> {
    const started = await attempt(() => api.datasets.rebuildMasks({ domainId, force }));
    if (started) {
      const domain = domains.value.find((d) => d.id === domainId);
      if (domain) replaceDomain({ ...domain, job: started.job });
    }
  }

  onServiceEvent('mask.progress', (event) => {
    const target = entry(event.domainId);
    target.progress = {
      done: event.done,
      total: event.total,
      failed: event.failed,
      fromCache: event.fromCache,
    };
    if (event.slide) {
      const index = target.slides.findIndex((s) => s.path === event.slide!.path);
      if (index >= 0) target.slides.splice(index, 1, event.slide);
      else target.slides.push(event.slide);
    }
  });

  onServiceEvent('job.state', (event) => {
    if (event.job.kind !== 'masks') return;
    const domain = domains.value.find((d) => d.id === event.job.subject);
    if (!domain) return;
    const running = event.job.state === 'running' || event.job.state === 'stopping';
    replaceDomain({ ...domain, job: running ? event.job : null });
    if (!running) {
      // The build ended: counts and statuses come fresh from the service.
      void refresh();
      void loadSlides(domain.id);
    }
  });

  return {
    domains,
    slides,
    error,
    loaded,
    entry,
    refresh,
    loadSlides,
    create,
    update,
    remove,
    addFolders,
    removeFolder,
    rebuild,
  };
});
