import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { mkdir } from 'node:fs/promises';
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

  it('adds only folders inside the roots the main process allowed (Electron: dialog and drops)', async () => {
    const hostSide = channel.port2;
    const done = serveOverPort({
      onMessage: (listener) => hostSide.on('message', listener),
      postMessage: (message) => hostSide.postMessage(message),
    });
    const main = mainEnd(channel.port1);
    const chosen = join(dir.path, 'chosen');
    const other = join(dir.path, 'other');
    await Promise.all([mkdir(join(chosen, 'slides'), { recursive: true }), mkdir(other)]);
    main.send({
      kind: 'init',
      options: {
        stateDir: dir.path,
        cacheDir: join(dir.path, 'cache'),
        runsDir: join(dir.path, 'runs'),
        pickRoots: [],
      },
    });
    main.send({ kind: 'call', id: 1, method: 'datasets.create', request: { name: 'H&E' } });
    const created = await main.next((m) => m.kind === 'reply' && m.id === 1);
    const domainId = (created as { reply: { value: { domain: { id: string } } } }).reply.value.domain.id;
    main.send({
      kind: 'call',
      id: 2,
      method: 'datasets.addFolders',
      request: { domainId, folders: [chosen] },
    });
    expect(await main.next((m) => m.kind === 'reply' && m.id === 2)).toMatchObject({
      reply: { ok: false, error: { code: 'PATH_NOT_ALLOWED' } },
    });
    // The add sent right after the allow (no wait between) must see it.
    main.send({ kind: 'allow-roots', roots: [chosen] });
    main.send({
      kind: 'call',
      id: 3,
      method: 'datasets.addFolders',
      request: { domainId, folders: [join(chosen, 'slides')] },
    });
    expect(await main.next((m) => m.kind === 'reply' && m.id === 3)).toMatchObject({ reply: { ok: true } });
    main.send({
      kind: 'call',
      id: 4,
      method: 'datasets.addFolders',
      request: { domainId, folders: [other] },
    });
    expect(await main.next((m) => m.kind === 'reply' && m.id === 4)).toMatchObject({
      reply: { ok: false, error: { code: 'PATH_NOT_ALLOWED' } },
    });
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
