/** The minimum of a DataTransfer this module reads (keeps it testable outside a browser). */
export interface DroppedData {
  readonly files: ArrayLike<File>;
  getData(format: string): string;
}

export interface DroppedPaths {
  /** Absolute paths found in the drop. */
  readonly paths: string[];
  /** Names of dropped items whose path the page could not learn. */
  readonly unresolved: string[];
}

/** Absolute paths from a `text/uri-list` (file:// URLs; comments and other schemes skipped). */
export function pathsFromUriList(text: string): string[] {
  const paths: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const entry = line.trim();
    if (entry === '' || entry.startsWith('#')) continue;
    try {
      const url = new URL(entry);
      if (url.protocol === 'file:' && (url.host === '' || url.host === 'localhost'))
        paths.push(decodeURIComponent(url.pathname));
    } catch {
      // Not a URL: ignore, as file managers do.
    }
  }
  return paths;
}

/**
 * The real paths of folders dropped on the page. In Electron the preload tells each dropped file's path;
 * a browser never does, but file managers put `file://` URLs in `text/uri-list`, which we read. Whatever is
 * left has to be picked in the folder browser.
 */
export function droppedPaths(data: DroppedData, pathForFile: ((file: File) => string) | null): DroppedPaths {
  const paths: string[] = [];
  const unresolved: string[] = [];
  for (let i = 0; i < data.files.length; i++) {
    const file = data.files[i]!;
    const path = pathForFile ? pathForFile(file) : '';
    if (path) paths.push(path);
    else unresolved.push(file.name);
  }
  for (const path of pathsFromUriList(data.getData('text/uri-list'))) {
    if (!paths.includes(path)) paths.push(path);
  }
  const plain = data.getData('text/plain').trim();
  if (paths.length === 0 && plain.startsWith('/') && !plain.includes('\n')) paths.push(plain);
  const named = new Set(paths.map((path) => path.split('/').filter(Boolean).pop()));
  return { paths, unresolved: unresolved.filter((name) => !named.has(name)) };
}
