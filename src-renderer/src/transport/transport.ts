import type { EventMessage, MethodName, Reply } from '../../../src-main/contract/index.js';

export type ConnectionState = 'connecting' | 'open' | 'closed';

/**
 * How the renderer reaches the service: Electron IPC through the preload, or a WebSocket to
 * `histo-fetch serve`. Everything above (the typed client, the stores) is the same for both.
 */
export interface Transport {
  readonly kind: 'electron' | 'websocket';
  /** Sends one call; resolves with the reply, or a `TIMEOUT` / `TRANSPORT_CLOSED` error reply. */
  call(method: MethodName, request: unknown, timeoutMs: number): Promise<Reply<unknown>>;
  subscribe(listener: (event: EventMessage) => void): () => void;
  onState(listener: (state: ConnectionState) => void): () => void;
  readonly state: ConnectionState;
}

/** A reply for a call that never got one. */
export function timeoutReply(method: string, timeoutMs: number): Reply<never> {
  return {
    ok: false,
    error: { code: 'TIMEOUT', message: `${method} did not answer within ${Math.round(timeoutMs / 1000)} s` },
  };
}

/** Races a reply against the call's timeout. */
export function withTimeout(
  method: string,
  timeoutMs: number,
  reply: Promise<Reply<unknown>>,
  onTimeout: () => void = () => undefined,
): Promise<Reply<unknown>> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      onTimeout();
      resolve(timeoutReply(method, timeoutMs));
    }, timeoutMs);
    void reply.then((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}
