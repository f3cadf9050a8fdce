import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HostMessage, HostRequest } from '../../src-main/service/host-protocol.js';
import { serveOverPort } from '../../src-main/service/host-connection.js';
import { tempDir } from './helpers.js';

/** The main process's end: sends requests, collects messages (real structured clone through a MessagePort). */
function mainEnd(port: MessagePort) {
  const received: HostMessage[] = [];
  const waiters: { test: (m: HostMessage) => boolean; resolve: (m: HostMessage) => void }[] = [];
  port.on('message', (message: HostMessage) => {
    received.push(message);
    for (const waiter of waiters.splice(0)) {
      if (waiter.test(message)) waiter.resolve(message);
      else waiters.push(waiter);
    }
  });
  return {
    send: (message: HostRequest) => port.postMessage(message),
    next: (test: (m: HostMessage) => boolean) =>
      new Promise<HostMessage>((resolve) => {
        const found = received.find(test);
        if (found) resolve(found);
        else waiters.push({ test, resolve });
      }),
  };
}

describe('the service host protocol (utilityProcess side)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let channel: MessageChannel;

  beforeEach(async () => {
    dir = await tempDir('host');
    channel = new MessageChannel();
  });
  afterEach(async () => {
    channel.port1.close();
    await dir.cleanup();
  });

  it('answers calls sent before and after init, then drains on shutdown', async () => {
    const hostSide = channel.port2;
    const done = serveOverPort({
      onMessage: (listener) => hostSide.on('message', listener),
      postMessage: (message) => hostSide.postMessage(message),
    });
    const main = mainEnd(channel.port1);
    // A call that arrives before the service exists waits for it.
    main.send({ kind: 'call', id: 1, method: 'datasets.create', request: { name: 'H&E' } });
    main.send({
      kind: 'init',
      options: {
        stateDir: dir.path,
        cacheDir: join(dir.path, 'cache'),
        runsDir: join(dir.path, 'runs'),
        pickRoots: null,
      },
    });
    await main.next((m) => m.kind === 'ready');
    const created = await main.next((m) => m.kind === 'reply' && m.id === 1);
    expect(created).toMatchObject({ kind: 'reply', reply: { ok: true, value: { domain: { name: 'H&E' } } } });
    main.send({ kind: 'call', id: 2, method: 'datasets.list', request: { extra: true } });
    const refused = await main.next((m) => m.kind === 'reply' && m.id === 2);
    expect(refused).toMatchObject({ reply: { ok: false, error: { code: 'INVALID_REQUEST' } } });
    main.send({ kind: 'shutdown' });
    await main.next((m) => m.kind === 'shutdown-done');
    await done;
    hostSide.close();
  });

  it('reports a service that cannot start, naming the reason', async () => {
    const hostSide = channel.port2;
    void serveOverPort({
      onMessage: (listener) => hostSide.on('message', listener),
      postMessage: (message) => hostSide.postMessage(message),
    });
    const main = mainEnd(channel.port1);
    main.send({
      kind: 'init',
      options: {
        stateDir: dir.path,
        cacheDir: dir.path,
        runsDir: dir.path,
        pickRoots: [join(dir.path, 'missing')],
      },
    });
    const failed = await main.next((m) => m.kind === 'init-failed');
    expect(failed).toMatchObject({ kind: 'init-failed', message: expect.stringContaining('does not exist') });
    hostSide.close();
  });
});
