import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { DeleteRunResponse, RunSummary } from '../../../src-main/contract/index.js';
import { onServiceEvent, useApi } from '../client-instance.js';
import { errorText } from '../transport/remote-error.js';

/** The run folders, and the run opened for charts and samples. */
export const useRunsStore = defineStore('runs', () => {
  const api = useApi();
  const runs = ref<RunSummary[]>([]);
  const error = ref<string | null>(null);
  const openRunId = ref<string | null>(null);
  const pendingDelete = ref<{ runId: string; confirmToken: string; summary: string } | null>(null);
  const exported = ref<{ runId: string; path: string; bytes: number } | null>(null);

  async function refresh(): Promise<void> {
    try {
      runs.value = [...(await api.runs.list({})).runs];
      error.value = null;
    } catch (caught) {
      error.value = errorText(caught);
    }
  }

  /** First call asks the service what would go and gets a token; the second (confirm) deletes. */
  async function requestDelete(runId: string): Promise<void> {
    try {
      const answer: DeleteRunResponse = await api.runs.delete({ runId });
      if (!answer.deleted)
        pendingDelete.value = { runId, confirmToken: answer.confirmToken, summary: answer.summary };
    } catch (caught) {
      error.value = errorText(caught);
    }
  }

  async function confirmDelete(): Promise<void> {
    const pending = pendingDelete.value;
    if (!pending) return;
    pendingDelete.value = null;
    try {
      await api.runs.delete({ runId: pending.runId, confirmToken: pending.confirmToken });
      if (openRunId.value === pending.runId) openRunId.value = null;
      await refresh();
    } catch (caught) {
      error.value = errorText(caught);
    }
  }

  async function exportGenerator(runId: string, direction?: 'AtoB' | 'BtoA'): Promise<void> {
    try {
      const result = await api.runs.exportGenerator({ runId, ...(direction ? { direction } : {}) });
      exported.value = { runId, ...result };
    } catch (caught) {
      error.value = errorText(caught);
    }
  }

  onServiceEvent('job.state', (event) => {
    if (event.job.kind === 'training') void refresh();
  });

  return {
    runs,
    error,
    openRunId,
    pendingDelete,
    exported,
    refresh,
    requestDelete,
    confirmDelete,
    exportGenerator,
  };
});
