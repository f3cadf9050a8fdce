import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type {
  GenerateRequest,
  GenerateResponse,
  TranslateRequest,
  TranslationProgressEvent,
  TranslationSummary,
} from '../../../src-main/contract/index.js';
import { onServiceEvent, useApi } from '../client-instance.js';
import { errorText } from '../transport/remote-error.js';

/**
 * Translations (the list the service keeps, the running job's progress, the one on screen) and ProGAN
 * generations. Kept current by `translation.state` and `translation.progress` events.
 */
export const useInferenceStore = defineStore('inference', () => {
  const api = useApi();
  const translations = ref<TranslationSummary[]>([]);
  const progress = ref<TranslationProgressEvent | null>(null);
  /** The translation shown side by side with its slide. */
  const shownOutPath = ref<string | null>(null);
  const error = ref<string | null>(null);
  const busy = ref(false);
  const generated = ref<GenerateResponse | null>(null);
  const generateError = ref<string | null>(null);
  const generating = ref(false);

  const running = computed(() => translations.value.find((t) => t.state === 'running') ?? null);
  const shown = computed(
    () => translations.value.find((t) => t.outPath === shownOutPath.value && t.state === 'done') ?? null,
  );

  function upsert(translation: TranslationSummary): void {
    const rest = translations.value.filter((t) => t.outPath !== translation.outPath);
    translations.value = [translation, ...rest];
  }

  async function refresh(): Promise<void> {
    try {
      translations.value = [...(await api.inference.translations({})).translations];
      error.value = null;
    } catch (caught) {
      error.value = errorText(caught);
    }
  }

  /** Starts a translation (or continues a stopped one: the same request). */
  async function translate(request: TranslateRequest): Promise<void> {
    busy.value = true;
    error.value = null;
    try {
      const { translation } = await api.inference.translate(request);
      progress.value = null;
      upsert(translation);
    } catch (caught) {
      error.value = errorText(caught);
    } finally {
      busy.value = false;
    }
  }

  async function cancel(): Promise<void> {
    const jobId = running.value?.jobId;
    if (!jobId) return;
    busy.value = true;
    try {
      upsert((await api.inference.cancel({ jobId })).translation);
    } catch (caught) {
      error.value = errorText(caught);
    } finally {
      busy.value = false;
    }
  }

  async function generate(request: GenerateRequest): Promise<void> {
    generating.value = true;
    generateError.value = null;
    try {
      generated.value = await api.inference.generate(request);
    } catch (caught) {
      generateError.value = errorText(caught);
    } finally {
      generating.value = false;
    }
  }

  onServiceEvent('translation.progress', (event) => (progress.value = event));
  onServiceEvent('translation.state', (event) => {
    upsert(event.translation);
    // A translation that just finished goes on screen.
    if (event.translation.state === 'done' && progress.value?.outPath === event.translation.outPath)
      shownOutPath.value = event.translation.outPath;
  });

  return {
    translations,
    progress,
    shownOutPath,
    shown,
    running,
    error,
    busy,
    generated,
    generateError,
    generating,
    refresh,
    translate,
    cancel,
    generate,
  };
});
