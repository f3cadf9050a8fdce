import type { CallMessage, EventMessage, ReplyMessage } from '../contract/index.js';
import type { ServiceOptions } from './context.js';

/** Messages from the Electron main process to the service's utility process. */
export type HostRequest =
  | { readonly kind: 'init'; readonly options: Omit<ServiceOptions, 'warn'> }
  | CallMessage
  /**
   * Folders the user chose in the native dialog or dropped on the window (paths the main process got
   * from Electron, never from the page): from now on folders inside them may be added.
   */
  | { readonly kind: 'allow-roots'; readonly roots: readonly string[] }
  | { readonly kind: 'shutdown' };

/** Messages from the utility process back to the main process. */
export type HostMessage =
  | { readonly kind: 'ready' }
  | { readonly kind: 'init-failed'; readonly message: string }
  | { readonly kind: 'warning'; readonly message: string }
  | ReplyMessage
  | EventMessage
  | { readonly kind: 'shutdown-done' };
