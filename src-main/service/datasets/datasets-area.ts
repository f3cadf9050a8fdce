import type { DatasetsApi, DomainSummary } from '../../contract/index.js';
import type { ServiceContext } from '../context.js';
import type { DomainRecord } from '../workspace/workspace.js';
import { browseFolders } from './browse.js';
import { startMaskBuild } from './mask-build.js';

/** Datasets: the workspace's domains and folders, slide discovery and mask builds. */
export function createDatasetsArea(context: ServiceContext): DatasetsApi {
  const { workspace, jobs, catalog } = context;
  const buildDeps = { catalog, maskCache: context.maskCache, jobs, events: context.events };

  function summary(record: DomainRecord): DomainSummary {
    const known = catalog.peek(record.id);
    const entries = known && known.folders.join('\n') === record.folders.join('\n') ? known.entries : [];
    return {
      id: record.id,
      name: record.name,
      folders: record.folders,
      detector: record.detector,
      slideCount: entries.length,
      readyCount: entries.filter((e) => e.status === 'ready' || e.status === 'all-tissue').length,
      unreadableCount: entries.filter((e) => e.status === 'unreadable').length,
      job: jobs.find('masks', record.id),
    };
  }

  return {
    async list() {
      return { domains: workspace.domains().map(summary) };
    },
    async create(request) {
      let record = await workspace.createDomain(request.name, request.detector ?? 'otsu-red');
      if (request.folders && request.folders.length > 0) {
        try {
          record = await workspace.addFolders(record.id, request.folders);
        } catch (error) {
          // A domain is created with its folders or not at all.
          await workspace.removeDomain(record.id);
          throw error;
        }
      }
      return { domain: summary(record) };
    },
    async update(request) {
      const record = await workspace.updateDomain(request.domainId, {
        ...(request.name !== undefined ? { name: request.name } : {}),
        ...(request.detector !== undefined ? { detector: request.detector } : {}),
      });
      return { domain: summary(record) };
    },
    async remove(request) {
      const job = jobs.find('masks', request.domainId);
      if (job) await jobs.stop(job.jobId);
      await workspace.removeDomain(request.domainId);
      catalog.forget(request.domainId);
      return { removed: true };
    },
    async addFolders(request) {
      return { domain: summary(await workspace.addFolders(request.domainId, request.folders)) };
    },
    async removeFolder(request) {
      return { domain: summary(await workspace.removeFolder(request.domainId, request.folder)) };
    },
    async slides(request) {
      const listing = await catalog.slides(workspace.domain(request.domainId));
      return { domainId: request.domainId, slides: listing.entries, skipped: listing.skipped };
    },
    async rebuildMasks(request) {
      const job = await startMaskBuild(buildDeps, workspace.domain(request.domainId), request.force ?? false);
      return { job };
    },
    async browse(request) {
      return browseFolders(request, workspace.pickRoots);
    },
  };
}
