import type { BinaryRef, ServerMessage } from '../../../src-main/contract/index.js';

const constructors = {
  Uint8Array,
  Float32Array,
  Float64Array,
  Int32Array,
  Uint32Array,
} as const satisfies Record<BinaryRef['$binary'], unknown>;

function isBinaryRef(value: unknown): value is BinaryRef {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as BinaryRef).$binary === 'string' &&
    Object.hasOwn(constructors, (value as BinaryRef).$binary)
  );
}

/**
 * Decodes a WebSocket frame from the server: JSON text, or a binary frame whose header refers to typed
 * arrays in its payload (views on the frame's buffer, no copies). The server's encoder is the other half.
 */
export function decodeServerMessage(data: string | ArrayBuffer): ServerMessage {
  if (typeof data === 'string') return JSON.parse(data) as ServerMessage;
  const view = new DataView(data);
  const headerLength = view.getUint32(0, true);
  const header = new TextDecoder().decode(new Uint8Array(data, 4, headerLength));
  const payloadStart = Math.ceil((4 + headerLength) / 8) * 8;
  return JSON.parse(header, (_key, value: unknown) => {
    if (!isBinaryRef(value)) return value;
    const Kind = constructors[value.$binary];
    return new Kind(data, payloadStart + value.offset, value.length);
  }) as ServerMessage;
}
