import type { MethodName } from './api.js';
import type { Reply } from './errors.js';
import type { EventMessage } from './wire.js';

/**
 * What the Electron preload exposes to the renderer as `window.histoFetch` (through contextBridge):
 * the only door from the page to the service. Never raw ipcRenderer.
 */
export interface DesktopBridge {
  readonly kind: 'electron';
  /** Forwards one call to the service; the main process checks the method name against the contract. */
  call(method: MethodName, request: unknown): Promise<Reply<unknown>>;
  /** Receives every service event; returns the unsubscribe function. */
  subscribe(listener: (event: EventMessage) => void): () => void;
  /** The real path of a dropped file or folder (Electron's webUtils); '' when it has none. */
  pathForFile(file: File): string;
  /** Opens the native folder dialog; resolves to the chosen absolute paths (empty when cancelled). */
  pickFolders(): Promise<readonly string[]>;
}
