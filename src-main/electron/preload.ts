import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import type { DesktopBridge, EventMessage, Reply } from '../contract/index.js';

// The page's only door to the service: one typed object, never raw ipcRenderer (sandboxed, isolated).
const bridge: DesktopBridge = {
  kind: 'electron',
  call: (method, request) =>
    ipcRenderer.invoke('histo-fetch:call', method, request) as Promise<Reply<unknown>>,
  subscribe(listener) {
    const forward = (_event: IpcRendererEvent, message: EventMessage): void => listener(message);
    ipcRenderer.on('histo-fetch:event', forward);
    return () => {
      ipcRenderer.removeListener('histo-fetch:event', forward);
    };
  },
  pathForFile(file) {
    const path = webUtils.getPathForFile(file);
    // Synchronous, so main allows the folder before the page's datasets.addFolders call reaches it.
    if (path !== '') ipcRenderer.sendSync('histo-fetch:dropped-path', path);
    return path;
  },
  pickFolders: () => ipcRenderer.invoke('histo-fetch:pick-folders') as Promise<readonly string[]>,
};

contextBridge.exposeInMainWorld('histoFetch', bridge);
