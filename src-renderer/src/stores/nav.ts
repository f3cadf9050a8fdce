import { defineStore } from 'pinia';
import { ref, watch } from 'vue';

export type ViewName =
  'datasets' | 'slide' | 'training' | 'charts' | 'samples' | 'gallery' | 'runs' | 'inference';

export const views: readonly { name: ViewName; label: string; key: string }[] = [
  { name: 'datasets', label: 'Datasets', key: '1' },
  { name: 'slide', label: 'Slide view', key: '2' },
  { name: 'training', label: 'Training', key: '3' },
  { name: 'charts', label: 'Live charts', key: '4' },
  { name: 'samples', label: 'Samples', key: '5' },
  { name: 'gallery', label: 'Patch audit', key: '6' },
  { name: 'runs', label: 'Runs', key: '7' },
  { name: 'inference', label: 'Inference', key: '8' },
];

/** A level-0 rectangle to highlight (a patch footprint). */
export interface Footprint {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

function viewFromHash(): ViewName {
  const name = location.hash.replace(/^#\/?/, '');
  return views.some((v) => v.name === name) ? (name as ViewName) : 'datasets';
}

/** Which view is shown (mirrored in the address's hash, so Back works) and what the slide view shows. */
export const useNavStore = defineStore('nav', () => {
  const view = ref<ViewName>(viewFromHash());
  const slidePath = ref<string | null>(null);
  const focus = ref<Footprint | null>(null);
  watch(view, (name) => {
    if (viewFromHash() !== name) history.pushState(null, '', `#/${name}`);
  });
  window.addEventListener('popstate', () => (view.value = viewFromHash()));

  /** Opens a slide in the slide view, optionally centred on a footprint. */
  function openSlide(path: string, footprint: Footprint | null = null): void {
    slidePath.value = path;
    focus.value = footprint;
    view.value = 'slide';
  }
  return { view, slidePath, focus, openSlide };
});
