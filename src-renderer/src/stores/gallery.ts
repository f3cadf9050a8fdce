import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { PatchProvenance } from '../../../src-main/contract/index.js';
import { onServiceEvent } from '../client-instance.js';
import { imageUrl } from '../dom/image-url.js';

/** One patch in the gallery: its provenance and an object URL of its image. */
export interface GalleryPatch {
  readonly key: string;
  readonly runId: string;
  readonly provenance: PatchProvenance;
  readonly url: string;
}

const capacity = 240;

/** The patches the sampler fed recently, newest first; pausing freezes the view (arrivals are counted). */
export const useGalleryStore = defineStore('gallery', () => {
  const patches = shallowRef<GalleryPatch[]>([]);
  const paused = ref(false);
  const missedWhilePaused = ref(0);
  const received = ref(0);
  const domainFilter = ref<string>('');
  const slideFilter = ref<string>('');
  const selected = ref<GalleryPatch | null>(null);

  onServiceEvent('sampler.patches', (event) => {
    received.value += event.patches.length;
    if (paused.value) {
      missedWhilePaused.value += event.patches.length;
      return;
    }
    const incoming = event.patches.map((patch) => ({
      key: `${event.runId}:${patch.provenance.domain}:${patch.provenance.index}`,
      runId: event.runId,
      provenance: patch.provenance,
      url: imageUrl(patch.image),
    }));
    const next = [...incoming.reverse(), ...patches.value];
    for (const dropped of next.splice(capacity)) {
      if (dropped !== selected.value) URL.revokeObjectURL(dropped.url);
    }
    patches.value = next;
  });

  const visible = computed(() =>
    patches.value.filter(
      (p) =>
        (domainFilter.value === '' || p.provenance.domain === domainFilter.value) &&
        (slideFilter.value === '' || p.provenance.slidePath === slideFilter.value),
    ),
  );
  const slides = computed(() => [...new Set(patches.value.map((p) => p.provenance.slidePath))].sort());
  const domains = computed(() => [...new Set(patches.value.map((p) => p.provenance.domain))].sort());

  function togglePause(): void {
    paused.value = !paused.value;
    if (!paused.value) missedWhilePaused.value = 0;
  }

  return {
    patches,
    visible,
    slides,
    domains,
    paused,
    missedWhilePaused,
    received,
    domainFilter,
    slideFilter,
    selected,
    togglePause,
  };
});
