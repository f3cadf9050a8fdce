import type { ImageBytes } from '../../../src-main/contract/index.js';

/** An object URL for an image that came over the transport; revoke it when the image leaves the screen. */
export function imageUrl(image: ImageBytes): string {
  return URL.createObjectURL(new Blob([image.bytes as Uint8Array<ArrayBuffer>], { type: image.mime }));
}

/** Decodes an image for canvas drawing. */
export function imageBitmap(image: ImageBytes): Promise<ImageBitmap> {
  return createImageBitmap(new Blob([image.bytes as Uint8Array<ArrayBuffer>], { type: image.mime }));
}
