import type { BinaryRef, ServerMessage } from '../contract/index.js';

type TypedArray = Uint8Array | Float32Array | Float64Array | Int32Array | Uint32Array;

function binaryKind(value: ArrayBufferView): BinaryRef['$binary'] {
  if (value instanceof Float64Array) return 'Float64Array';
  if (value instanceof Float32Array) return 'Float32Array';
  if (value instanceof Int32Array) return 'Int32Array';
  if (value instanceof Uint32Array) return 'Uint32Array';
  if (value instanceof Uint8Array) return 'Uint8Array';
  throw new TypeError(`Cannot send a ${value.constructor.name} over the wire`);
}

const align = (n: number): number => Math.ceil(n / 8) * 8;

/**
 * Encodes a server message for the WebSocket (see `BinaryRef` in the contract): plain JSON text when it
 * holds no typed arrays, else one binary frame with the arrays' bytes after a JSON header, 8-byte aligned
 * so the client can view them without copying.
 */
export function encodeServerMessage(message: ServerMessage): string | Buffer {
  const chunks: TypedArray[] = [];
  let payloadBytes = 0;
  const header = JSON.stringify(
    message,
    function (this: Record<string, unknown>, key: string, value: unknown) {
      // `this[key]` is the value before `toJSON`: a Buffer would otherwise arrive here as a list of numbers.
      const original = this[key];
      if (ArrayBuffer.isView(original)) {
        const array = original as TypedArray;
        const ref: BinaryRef = { $binary: binaryKind(array), offset: payloadBytes, length: array.length };
        chunks.push(array);
        payloadBytes += align(array.byteLength);
        return ref;
      }
      return value;
    },
  );
  if (chunks.length === 0) return header;
  const headerBytes = Buffer.from(header, 'utf8');
  const payloadStart = align(4 + headerBytes.length);
  const frame = Buffer.alloc(payloadStart + payloadBytes);
  frame.writeUInt32LE(headerBytes.length, 0);
  headerBytes.copy(frame, 4);
  let offset = payloadStart;
  for (const chunk of chunks) {
    frame.set(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength), offset);
    offset += align(chunk.byteLength);
  }
  return frame;
}
