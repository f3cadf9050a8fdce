import { defineStore } from 'pinia';
import { ref } from 'vue';
import type {
  BackendName,
  BackendReport,
  ModelKind,
  Preset,
  TrainingConfig,
  TrainingStatus,
  ValidationIssue,
} from '../../../src-main/contract/index.js';
import { onServiceEvent, useApi } from '../client-instance.js';
import { errorText } from '../transport/remote-error.js';

/** The training form, backend detection, and the status line of the one training job. */
export const useTrainingStore = defineStore('training', () => {
  const api = useApi();
  const backends = ref<BackendReport[]>([]);
  const autoBackend = ref<BackendName | null>(null);
  const backendsError = ref<string | null>(null);
  const config = ref<TrainingConfig | null>(null);
  const configError = ref<string | null>(null);
  const issues = ref<ValidationIssue[]>([]);
  const status = ref<TrainingStatus | null>(null);
  const statusError = ref<string | null>(null);
  const actionError = ref<string | null>(null);
  const busy = ref(false);
  /** True while a model or preset's defaults are on their way: the form and Start wait for them. */
  const loadingDefaults = ref(false);
  let validation = 0;
  let defaultsTicket = 0;

  async function loadBackends(): Promise<void> {
    try {
      const found = await api.training.backends({});
      backends.value = [...found.backends];
      autoBackend.value = found.auto;
      backendsError.value = null;
    } catch (caught) {
      backendsError.value = errorText(caught);
    }
  }

  /** Replaces the form with the service's defaults for a model and preset, keeping the chosen domains. */
  async function loadDefaults(model: ModelKind, preset: Preset): Promise<void> {
    // Without this, Start pressed before the answer came would train the previous preset, and the
    // late answer would then overwrite what was typed meanwhile; only the latest request counts.
    const ticket = ++defaultsTicket;
    loadingDefaults.value = true;
    try {
      const { config: defaults } = await api.training.defaults({ model, preset });
      if (ticket !== defaultsTicket) return;
      const domainIds = config.value?.domainIds ?? defaults.domainIds;
      config.value = { ...defaults, domainIds };
      configError.value = null;
      await validate();
    } catch (caught) {
      if (ticket === defaultsTicket) configError.value = errorText(caught);
    } finally {
      if (ticket === defaultsTicket) loadingDefaults.value = false;
    }
  }

  /** Checks the form with the service; the issues show beside their fields. Stale answers are dropped. */
  async function validate(): Promise<void> {
    if (!config.value) return;
    const ticket = ++validation;
    try {
      const result = await api.training.validate({ config: config.value });
      if (ticket === validation) issues.value = [...result.issues];
    } catch (caught) {
      if (ticket !== validation) return;
      const detail = (caught as { detail?: { issues?: ValidationIssue[] } }).detail;
      issues.value = detail?.issues?.map((i) => ({ ...i, field: i.field.replace(/^config\./, '') })) ?? [
        { field: '', message: errorText(caught) },
      ];
    }
  }

  async function refreshStatus(): Promise<void> {
    try {
      status.value = await api.training.status({});
      statusError.value = null;
    } catch (caught) {
      statusError.value = errorText(caught);
    }
  }

  async function act(action: () => Promise<unknown>): Promise<void> {
    busy.value = true;
    actionError.value = null;
    try {
      await action();
      await refreshStatus();
    } catch (caught) {
      actionError.value = errorText(caught);
    } finally {
      busy.value = false;
    }
  }

  const start = (): Promise<void> =>
    act(async () => !loadingDefaults.value && config.value && api.training.start({ config: config.value }));
  const stop = (): Promise<void> =>
    act(async () => status.value?.runId && api.training.stop({ runId: status.value.runId }));
  const resume = (runId: string, steps?: number): Promise<void> =>
    act(() => api.training.resume({ runId, ...(steps !== undefined ? { steps } : {}) }));

  onServiceEvent('training.metrics', (event) => (status.value = event.status));
  onServiceEvent('job.state', (event) => {
    if (event.job.kind === 'training') void refreshStatus();
  });

  return {
    backends,
    autoBackend,
    backendsError,
    config,
    configError,
    issues,
    status,
    statusError,
    actionError,
    busy,
    loadingDefaults,
    loadBackends,
    loadDefaults,
    validate,
    refreshStatus,
    start,
    stop,
    resume,
  };
});
