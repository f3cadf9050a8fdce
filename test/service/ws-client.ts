import WebSocket from 'ws';
import type { EventMessage, MethodName, Reply, ServerMessage } from '../../src-main/contract/index.js';
import { decodeServerMessage } from '../../src-renderer/src/transport/frames.js';

/** A minimal WebSocket client of `histo-fetch serve` for tests, decoding frames with the renderer's decoder. */
export interface TestClient {
  call(method: MethodName | string, request: unknown): Promise<Reply<unknown>>;
  readonly events: EventMessage[];
  close(): void;
}

/** Connects to `/rpc`; rejects with the HTTP status when the server refuses the upgrade. */
export function connect(
  port: number,
  options: { token?: string; headers?: Record<string, string>; host?: string } = {},
): Promise<TestClient> {
  const query = options.token === undefined ? '' : `?token=${options.token}`;
  const ws = new WebSocket(`ws://${options.host ?? '127.0.0.1'}:${port}/rpc${query}`, {
    headers: options.headers,
  });
  ws.binaryType = 'arraybuffer';
  const pending = new Map<number, (reply: Reply<unknown>) => void>();
  const events: EventMessage[] = [];
  let nextId = 1;
  ws.on('message', (data: ArrayBuffer | Buffer, isBinary: boolean) => {
    const message: ServerMessage = decodeServerMessage(isBinary ? (data as ArrayBuffer) : data.toString());
    if (message.kind === 'reply') pending.get(message.id)?.(message.reply);
    else events.push(message);
  });
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
    ws.once('error', reject);
    ws.once('open', () =>
      resolve({
        call(method, request) {
          const id = nextId++;
          ws.send(JSON.stringify({ kind: 'call', id, method, request }));
          return new Promise((done) => pending.set(id, done));
        },
        events,
        close: () => ws.close(),
      }),
    );
  });
}
