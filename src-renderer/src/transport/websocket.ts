import type { EventMessage, MethodName, Reply } from '../../../src-main/contract/index.js';
import { decodeServerMessage } from './frames.js';
import { withTimeout, type ConnectionState, type Transport } from './transport.js';

/**
 * The contract over a WebSocket to `histo-fetch serve` (`/rpc` on the page's own host; the access token
 * travels in the HttpOnly cookie the server set). Reconnects with back-off; calls pending when the
 * connection drops fail with `TRANSPORT_CLOSED`.
 */
export class WebSocketTransport implements Transport {
  readonly kind = 'websocket';
  state: ConnectionState = 'connecting';
  private socket: WebSocket | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { method: string; resolve: (reply: Reply<unknown>) => void }>();
  private readonly eventListeners = new Set<(event: EventMessage) => void>();
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private opened: Promise<void>;
  private markOpen: () => void = () => undefined;
  private retryMs = 250;

  constructor(private readonly url: string) {
    this.opened = this.resetOpened();
    this.open();
  }

  call(method: MethodName, request: unknown, timeoutMs: number): Promise<Reply<unknown>> {
    const id = this.nextId++;
    const reply = new Promise<Reply<unknown>>((resolve) => {
      this.pending.set(id, { method, resolve });
      void this.opened.then(() => {
        if (this.pending.has(id)) this.socket?.send(JSON.stringify({ kind: 'call', id, method, request }));
      });
    });
    return withTimeout(method, timeoutMs, reply, () => this.pending.delete(id));
  }

  subscribe(listener: (event: EventMessage) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  private resetOpened(): Promise<void> {
    return new Promise((resolve) => (this.markOpen = resolve));
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }

  private open(): void {
    const socket = new WebSocket(this.url);
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.retryMs = 250;
      this.setState('open');
      this.markOpen();
    });
    socket.addEventListener('message', (message: MessageEvent<string | ArrayBuffer>) => {
      const decoded = decodeServerMessage(message.data);
      if (decoded.kind === 'reply') {
        const entry = this.pending.get(decoded.id);
        this.pending.delete(decoded.id);
        entry?.resolve(decoded.reply);
      } else {
        for (const listener of this.eventListeners) listener(decoded);
      }
    });
    socket.addEventListener('close', () => {
      for (const [id, entry] of this.pending) {
        entry.resolve({
          ok: false,
          error: {
            code: 'TRANSPORT_CLOSED',
            message: `The connection closed before ${entry.method} answered`,
          },
        });
        this.pending.delete(id);
      }
      if (this.state === 'open') this.opened = this.resetOpened();
      this.setState('closed');
      setTimeout(() => this.open(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 5000);
    });
  }
}
