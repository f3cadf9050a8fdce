import { contextBridge } from 'electron';

// The typed `api` object is exposed here once the contract exists; never raw ipcRenderer.
contextBridge.exposeInMainWorld('histoFetch', { ready: true });
