import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../../src-main/service/service.js';
import { resolveInside } from '../../src-main/service/workspace/path-guard.js';
import { callError, callOk, slideWorkspace, startService } from './helpers.js';

describe('paths stay inside the folders the user added', () => {
  let ws: Awaited<ReturnType<typeof slideWorkspace>>;
  let service: Service;
  let domainId: string;

  beforeAll(async () => {
    ws = await slideWorkspace();
    // A symlink inside the root that leads out of it, and one that stays inside.
    await symlink(ws.outside, join(ws.root, 'escape'));
    await symlink(join(ws.outside, 'tiny.svs'), join(ws.he, 'linked-out.svs'));
    await symlink(ws.fluorescence, join(ws.root, 'fluo-link'));
    service = await startService(ws.dir, [ws.root]);
    domainId = (await callOk(service, 'datasets.create', { name: 'H&E', folders: [ws.he] })).domain.id;
  });
  afterAll(async () => {
    await service.shutdown();
    await ws.cleanup();
  });

  it('adds a folder inside the pick roots, stored as its real path', async () => {
    const { domain } = await callOk(service, 'datasets.addFolders', {
      domainId,
      folders: [join(ws.root, 'fluo-link')],
    });
    expect(domain.folders).toEqual([ws.he, ws.fluorescence]);
    await callOk(service, 'datasets.removeFolder', { domainId, folder: ws.fluorescence });
  });

  it('refuses to add a folder outside the pick roots', async () => {
    const error = await callError(service, 'datasets.addFolders', { domainId, folders: [ws.outside] });
    expect(error.code).toBe('PATH_NOT_ALLOWED');
    expect(error.message).toContain(ws.outside);
    expect(error.detail?.path).toBe(ws.outside);
  });

  it('refuses a folder reached through a symlink that leads out of the roots', async () => {
    const error = await callError(service, 'datasets.addFolders', {
      domainId,
      folders: [join(ws.root, 'escape')],
    });
    expect(error.code).toBe('PATH_NOT_ALLOWED');
  });

  it('refuses a file given as a folder, and a folder that does not exist', async () => {
    const file = await callError(service, 'datasets.addFolders', {
      domainId,
      folders: [join(ws.he, 'cmu-1-small-region.svs')],
    });
    expect(file.code).toBe('INVALID_REQUEST');
    expect(file.message).toContain('is a file, not a folder');
    const missing = await callError(service, 'datasets.addFolders', {
      domainId,
      folders: [join(ws.root, 'nope')],
    });
    expect(missing.code).toBe('NOT_FOUND');
  });

  it('adds nothing when one folder of several is refused', async () => {
    await callError(service, 'datasets.addFolders', { domainId, folders: [ws.fluorescence, ws.outside] });
    const { domains } = await callOk(service, 'datasets.list', {});
    expect(domains.find((d) => d.id === domainId)?.folders).toEqual([ws.he]);
  });

  it('resolves slide paths only inside added folders, through symlinks too', async () => {
    const roots = [ws.he];
    await expect(resolveInside(join(ws.he, 'cmu-1-small-region.svs'), roots, 'slide')).resolves.toBe(
      join(ws.he, 'cmu-1-small-region.svs'),
    );
    await expect(resolveInside(join(ws.outside, 'tiny.svs'), roots, 'slide')).rejects.toMatchObject({
      code: 'PATH_NOT_ALLOWED',
    });
    await expect(resolveInside(join(ws.he, 'linked-out.svs'), roots, 'slide')).rejects.toMatchObject({
      code: 'PATH_NOT_ALLOWED',
      message: expect.stringContaining(`really '${join(ws.outside, 'tiny.svs')}'`),
    });
    // A sibling whose name merely starts with the root's name is not inside it.
    await mkdir(`${ws.root}-evil`, { recursive: true });
    await expect(resolveInside(`${ws.root}-evil`, [ws.root], 'folder')).rejects.toMatchObject({
      code: 'PATH_NOT_ALLOWED',
    });
    await expect(resolveInside(join(ws.he, 'missing.svs'), roots, 'slide')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('browses the pick roots and their sub-folders, never above them', async () => {
    const top = await callOk(service, 'datasets.browse', {});
    expect(top.roots).toEqual([ws.root]);
    expect(top.folders.map((f) => f.path)).toEqual([ws.root]);
    const listing = await callOk(service, 'datasets.browse', { path: ws.root });
    expect(listing.folders.map((f) => f.name)).toEqual(['escape', 'fluo-link', 'fluorescence', 'HE']);
    expect(listing.parent).toBeNull();
    const he = await callOk(service, 'datasets.browse', { path: ws.he });
    expect(he.parent).toBe(ws.root);
    expect(he.folders.map((f) => f.name)).toEqual(['bad']);
    expect(he.fileCount).toBe(4);
    const escaped = await callError(service, 'datasets.browse', { path: join(ws.root, 'escape') });
    expect(escaped.code).toBe('PATH_NOT_ALLOWED');
    const above = await callError(service, 'datasets.browse', { path: ws.dir });
    expect(above.code).toBe('PATH_NOT_ALLOWED');
  });
});
