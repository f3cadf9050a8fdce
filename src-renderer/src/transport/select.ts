import type { DesktopBridge } from '../../../src-main/contract/index.js';
import { IpcTransport } from './ipc.js';
import type { Transport } from './transport.js';
import { WebSocketTransport } from './websocket.js';

declare global {
  interface Window {
    /** Present only inside the Electron app (the preload's bridge). */
    readonly histoFetch?: DesktopBridge;
  }
}

/** The Electron bridge when the page runs in the app; null in a browser. */
export function desktopBridge(): DesktopBridge | null {
  return window.histoFetch?.kind === 'electron' ? window.histoFetch : null;
}

/** Chooses the transport once at start: IPC inside Electron, else a WebSocket to the serving host. */
export function selectTransport(): Transport {
  const bridge = desktopBridge();
  if (bridge) return new IpcTransport(bridge);
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return new WebSocketTransport(`${scheme}://${location.host}/rpc`);
}
