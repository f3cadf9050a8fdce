import { utilityProcess, type UtilityProcess } from 'electron';
import type { EventMessage, MethodName, Reply } from '../contract/index.js';
import type { ServiceOptions } from '../service/context.js';
import type { HostMessage, HostRequest } from '../service/host-protocol.js';

/** The service running in a utilityProcess, as the main process talks to it. */
export interface ServiceProcess {
  call(method: MethodName, request: unknown): Promise<Reply<unknown>>;
  onEvent(listener: (event: EventMessage) => void): void;
  /** Lets the user add folders inside these (chosen in the native dialog or dropped); calls sent later wait. */
  allowRoots(roots: readonly string[]): void;
  /** Stops the service's jobs (checkpoints, mask writes) and the process; resolves when both are done. */
  shutdown(timeoutMs: number): Promise<void>;
}

/** Forks the tsc-built service host and initialises it. */
export function startServiceProcess(
  modulePath: string,
  options: Omit<ServiceOptions, 'warn'>,
  log: (message: string) => void,
): ServiceProcess {
  const child: UtilityProcess = utilityProcess.fork(modulePath, [], { serviceName: 'histo-fetch service' });
  let nextId = 1;
  const pending = new Map<number, (reply: Reply<unknown>) => void>();
  const listeners = new Set<(event: EventMessage) => void>();
  let exited = false;
  let onShutdownDone: (() => void) | null = null;

  const send = (message: HostRequest): void => child.postMessage(message);
  send({ kind: 'init', options });

  child.on('message', (message: HostMessage) => {
    switch (message.kind) {
      case 'reply':
        pending.get(message.id)?.(message.reply);
        pending.delete(message.id);
        break;
      case 'event':
        for (const listener of listeners) listener(message);
        break;
      case 'warning':
        log(`service: ${message.message}`);
        break;
      case 'init-failed':
        log(`service failed to start: ${message.message}`);
        break;
      case 'shutdown-done':
        onShutdownDone?.();
        break;
      case 'ready':
        break;
    }
  });
  child.on('exit', (code) => {
    exited = true;
    if (code !== 0) log(`service process exited with ${code}`);
    for (const [id, resolve] of pending) {
      resolve({ ok: false, error: { code: 'TRANSPORT_CLOSED', message: 'The service process has exited' } });
      pending.delete(id);
    }
    onShutdownDone?.();
  });

  return {
    call(method, request) {
      if (exited) {
        return Promise.resolve({
          ok: false,
          error: { code: 'TRANSPORT_CLOSED', message: 'The service process has exited' },
        });
      }
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        send({ kind: 'call', id, method, request });
      });
    },
    onEvent(listener) {
      listeners.add(listener);
    },
    allowRoots(roots) {
      if (!exited && roots.length > 0) send({ kind: 'allow-roots', roots });
    },
    shutdown(timeoutMs) {
      if (exited) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(finish, timeoutMs);
        function finish(): void {
          clearTimeout(timer);
          onShutdownDone = null;
          if (!exited) child.kill();
          resolve();
        }
        onShutdownDone = finish;
        send({ kind: 'shutdown' });
      });
    },
  };
}
