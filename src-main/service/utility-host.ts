import type { HostMessage, HostRequest } from './host-protocol.js';
import { serveOverPort } from './host-connection.js';

/**
 * Entry of the service in Electron's utilityProcess (started by src-main/electron/main.ts from the tsc
 * build in dist/): the UI process never runs core code, so slide reads, mask builds and training never
 * freeze a window. Messages are structured clones, so images and metric arrays cross without base64.
 */
interface ParentPort {
  on(event: 'message', listener: (message: { data: HostRequest }) => void): void;
  postMessage(message: HostMessage): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
if (!parentPort) {
  process.stderr.write('utility-host: not started as an Electron utility process (no parentPort)\n');
  process.exit(2);
}

await serveOverPort({
  onMessage: (listener) => parentPort.on('message', ({ data }) => listener(data)),
  postMessage: (message) => parentPort.postMessage(message),
});
process.exit(0);
