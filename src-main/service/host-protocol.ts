import type { CallMessage, EventMessage, ReplyMessage } from '../contract/index.js';
import type { ServiceOptions } from './context.js';

/** Messages from the Electron main process to the service's utility process. */
export type HostRequest =
  | { readonly kind: 'init'; readonly options: Omit<ServiceOptions, 'warn'> }
  | CallMessage
  | { readonly kind: 'shutdown' };

/** Messages from the utility process back to the main process. */
export type HostMessage =
  | { readonly kind: 'ready' }
  | { readonly kind: 'init-failed'; readonly message: string }
  | { readonly kind: 'warning'; readonly message: string }
  | ReplyMessage
  | EventMessage
  | { readonly kind: 'shutdown-done' };
