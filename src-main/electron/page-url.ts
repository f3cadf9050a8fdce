/**
 * Whether a frame's address is the workbench page itself. Built (file://): exactly the renderer's
 * index.html, whatever the hash (the views live there), so another local file or a query can never pass.
 * Development (the Vite server): any page of that server's origin.
 * @param ourUrl `pathToFileURL(rendererFile).href`, or the development server's address
 */
export function isOurPageUrl(frameUrl: string | undefined, ourUrl: string): boolean {
  if (!frameUrl) return false;
  let frame: URL;
  let ours: URL;
  try {
    frame = new URL(frameUrl);
    ours = new URL(ourUrl);
  } catch {
    return false;
  }
  if (ours.protocol === 'file:') {
    frame.hash = '';
    ours.hash = '';
    return frame.href === ours.href;
  }
  return frame.origin === ours.origin;
}
