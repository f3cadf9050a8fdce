import type {
  ApiArea,
  EventMap,
  EventName,
  MethodName,
  RequestOf,
  ResponseOf,
  WorkbenchApi,
} from '../../../src-main/contract/index.js';
import { RemoteError } from './remote-error.js';
import type { Transport } from './transport.js';

export interface CallOptions {
  /** Overrides the method's default timeout. */
  readonly timeoutMs?: number;
}

/** The contract as the renderer calls it: `api.datasets.create({ name })`, errors thrown as `RemoteError`. */
export type RemoteApi = {
  readonly [A in ApiArea]: {
    readonly [N in keyof WorkbenchApi[A] & string]: (
      request: RequestOf<`${A}.${N}` & MethodName>,
      options?: CallOptions,
    ) => Promise<ResponseOf<`${A}.${N}` & MethodName>>;
  };
};

const defaultTimeoutMs = 30_000;

/** Methods that legitimately take longer than the default: discovery of large folders, backend start-up. */
const timeouts: Partial<Record<MethodName, number>> = {
  'datasets.slides': 120_000,
  'training.backends': 120_000,
  'training.start': 120_000,
  'training.resume': 120_000,
  'training.stop': 300_000,
  'runs.exportGenerator': 300_000,
  'inference.generate': 300_000,
  'inference.translate': 120_000,
  // Resolves once the worker has stopped at its next tile batch.
  'inference.cancel': 300_000,
};

/** Builds the typed API and event subscription over a transport. */
export function createClient(transport: Transport): {
  api: RemoteApi;
  on<E extends EventName>(name: E, listener: (payload: EventMap[E]) => void): () => void;
} {
  const areas = new Map<string, unknown>();
  const api = new Proxy({} as RemoteApi, {
    get(_target, area: string) {
      if (!areas.has(area)) {
        areas.set(
          area,
          new Proxy(
            {},
            {
              get(_inner, name: string) {
                const method = `${area}.${name}` as MethodName;
                return async (request: unknown, options: CallOptions = {}) => {
                  const timeoutMs = options.timeoutMs ?? timeouts[method] ?? defaultTimeoutMs;
                  const reply = await transport.call(method, request, timeoutMs);
                  if (!reply.ok) throw new RemoteError(reply.error);
                  return reply.value;
                };
              },
            },
          ),
        );
      }
      return areas.get(area);
    },
  });
  return {
    api,
    on(name, listener) {
      return transport.subscribe((event) => {
        if (event.name === name) listener(event.payload as EventMap[typeof name]);
      });
    },
  };
}
