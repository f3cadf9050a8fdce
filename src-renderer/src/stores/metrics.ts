import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import { onServiceEvent, useApi } from '../client-instance.js';
import { SeriesBuffer } from '../lib/series-buffer.js';
import { errorText } from '../transport/remote-error.js';

/**
 * The metric series of the run on screen: history from `runs.metrics` (downsampled by the service), then
 * live points from `training.metrics`. Series live outside Vue's reactivity (they are large); `version`
 * ticks when they change, and the charts redraw at most a few times per second.
 */
export const useMetricsStore = defineStore('metrics', () => {
  const api = useApi();
  const runId = ref<string | null>(null);
  const series = shallowRef(new Map<string, SeriesBuffer>());
  const version = ref(0);
  const error = ref<string | null>(null);
  const smoothing = 0.9;

  function buffer(name: string): SeriesBuffer {
    let found = series.value.get(name);
    if (!found) {
      found = new SeriesBuffer(8192, smoothing);
      series.value.set(name, found);
    }
    return found;
  }

  /** Shows a run: loads its history, then follows its live points. */
  async function open(id: string): Promise<void> {
    runId.value = id;
    series.value = new Map();
    version.value++;
    try {
      const history = await api.runs.metrics({ runId: id, maxPoints: 4000, smoothing });
      if (runId.value !== id) return;
      for (const s of history.series) buffer(s.name).load(s.steps, s.values, s.smoothed, s.rawCount);
      error.value = null;
    } catch (caught) {
      error.value = errorText(caught);
    }
    version.value++;
  }

  onServiceEvent('training.metrics', (event) => {
    // A newly started run takes over the charts unless the user is looking at another run on purpose.
    if (runId.value === null) {
      runId.value = event.runId;
      series.value = new Map();
    }
    if (event.runId !== runId.value) return;
    for (const point of event.points) {
      for (const [name, value] of Object.entries(point.values)) buffer(name).push(point.step, value);
    }
    version.value++;
  });

  /** Follows whatever run trains next. */
  function followLive(): void {
    runId.value = null;
    series.value = new Map();
    version.value++;
  }

  return { runId, series, version, error, open, followLive };
});
