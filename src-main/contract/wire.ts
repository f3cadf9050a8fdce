import type { MethodName } from './api.js';
import type { Reply } from './errors.js';
import type { EventMap, EventName } from './events.js';

/** A call from a client. `id` is unique per connection; the reply carries it back. */
export interface CallMessage {
  readonly kind: 'call';
  readonly id: number;
  readonly method: MethodName;
  readonly request: unknown;
}

export interface ReplyMessage {
  readonly kind: 'reply';
  readonly id: number;
  readonly reply: Reply<unknown>;
}

export type EventMessage = {
  [E in EventName]: { readonly kind: 'event'; readonly name: E; readonly payload: EventMap[E] };
}[EventName];

/** Everything a server sends. */
export type ServerMessage = ReplyMessage | EventMessage;

/**
 * WebSocket framing. Messages without binary data travel as JSON text frames. A message holding typed
 * arrays (images, metric series) travels as one binary frame:
 * `u32 little-endian header length | UTF-8 JSON header | payload bytes`, where each typed array in the
 * header is replaced by a `BinaryRef` into the payload (8-byte aligned offsets).
 */
export interface BinaryRef {
  readonly $binary: 'Uint8Array' | 'Float32Array' | 'Float64Array' | 'Int32Array' | 'Uint32Array';
  readonly offset: number;
  readonly length: number;
}
