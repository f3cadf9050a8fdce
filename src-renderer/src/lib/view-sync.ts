import type { ViewState } from './deep-zoom.js';

/**
 * A translation is its slide at `downsample` level-0 pixels per output pixel, from the same origin, so a
 * view moves between them by that factor: the same point at the centre, the same size on screen.
 */
export function toTranslation(view: ViewState, downsample: number): ViewState {
  return {
    centerX: view.centerX / downsample,
    centerY: view.centerY / downsample,
    scale: view.scale * downsample,
  };
}

/** The slide's view showing what `view` shows of its translation. */
export function toSource(view: ViewState, downsample: number): ViewState {
  return {
    centerX: view.centerX * downsample,
    centerY: view.centerY * downsample,
    scale: view.scale / downsample,
  };
}
