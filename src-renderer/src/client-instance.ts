import type { EventMap, EventName } from '../../src-main/contract/index.js';
import { createClient, type RemoteApi } from './transport/client.js';
import type { Transport } from './transport/transport.js';

let current: { transport: Transport; client: ReturnType<typeof createClient> } | null = null;

/** Sets the transport chosen at start (IPC in Electron, WebSocket in a browser). */
export function initClient(transport: Transport): void {
  current = { transport, client: createClient(transport) };
}

function instance(): NonNullable<typeof current> {
  if (!current) throw new Error('initClient() must run before the stores use the service');
  return current;
}

/** The typed service API. */
export function useApi(): RemoteApi {
  return instance().client.api;
}

/** Subscribes to one service event; returns the unsubscribe function. */
export function onServiceEvent<E extends EventName>(
  name: E,
  listener: (payload: EventMap[E]) => void,
): () => void {
  return instance().client.on(name, listener);
}

export function useTransport(): Transport {
  return instance().transport;
}
