import type { HostMessage, HostRequest } from './host-protocol.js';
import { createService, type Service } from './service.js';

/** A message port to the Electron main process (Electron's parentPort, adapted). */
export interface HostPort {
  onMessage(listener: (message: HostRequest) => void): void;
  postMessage(message: HostMessage): void;
}

/**
 * Serves the contract over a host port: waits for `init`, creates the service, then answers calls and
 * forwards events; `shutdown` drains the jobs. Calls that arrive before the service is ready wait.
 * Resolves once the shutdown is done.
 */
export function serveOverPort(port: HostPort): Promise<void> {
  let service: Service | null = null;
  const queued: HostRequest[] = [];
  let finished: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finished = resolve));

  // Calls sent after an `allow-roots` wait until its folders are allowed (the add that follows a pick).
  let granted = Promise.resolve();

  function handle(message: HostRequest): void {
    if (!service) {
      queued.push(message);
      return;
    }
    const ready = service;
    if (message.kind === 'call') {
      void granted
        .then(() => ready.call(message.method, message.request))
        .then((reply) => port.postMessage({ kind: 'reply', id: message.id, reply }));
    } else if (message.kind === 'allow-roots') {
      granted = granted.then(() => ready.allowRoots(message.roots));
    } else if (message.kind === 'shutdown') {
      void service.shutdown().then(() => {
        port.postMessage({ kind: 'shutdown-done' });
        finished();
      });
    }
  }

  port.onMessage((message) => {
    if (message.kind !== 'init') return handle(message);
    if (service) return;
    void createService({
      ...message.options,
      warn: (text) => port.postMessage({ kind: 'warning', message: text }),
    }).then(
      (created) => {
        service = created;
        created.subscribe((event) => port.postMessage(event));
        port.postMessage({ kind: 'ready' });
        for (const waiting of queued.splice(0)) handle(waiting);
      },
      (error: unknown) => port.postMessage({ kind: 'init-failed', message: (error as Error).message }),
    );
  });
  return done;
}
