import type { DesktopBridge, EventMessage, MethodName, Reply } from '../../../src-main/contract/index.js';
import { withTimeout, type ConnectionState, type Transport } from './transport.js';

/** The contract over Electron IPC, through the one `histoFetch` object the preload exposes. */
export class IpcTransport implements Transport {
  readonly kind = 'electron';
  readonly state: ConnectionState = 'open';

  constructor(private readonly bridge: DesktopBridge) {}

  call(method: MethodName, request: unknown, timeoutMs: number): Promise<Reply<unknown>> {
    const reply = this.bridge.call(method, request).catch((error: unknown): Reply<unknown> => ({
      ok: false,
      error: { code: 'TRANSPORT_CLOSED', message: `IPC failed for ${method}: ${String(error)}` },
    }));
    return withTimeout(method, timeoutMs, reply);
  }

  subscribe(listener: (event: EventMessage) => void): () => void {
    return this.bridge.subscribe(listener);
  }

  onState(): () => void {
    return () => undefined;
  }
}
