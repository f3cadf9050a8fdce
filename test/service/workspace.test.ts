import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Workspace } from '../../src-main/service/workspace/workspace.js';
import { slideWorkspace } from './helpers.js';

describe('the workspace of domains and folders', () => {
  let ws: Awaited<ReturnType<typeof slideWorkspace>>;
  let stateDir: string;

  beforeEach(async () => {
    ws = await slideWorkspace();
    stateDir = join(ws.dir, 'state');
  });
  afterEach(async () => ws.cleanup());

  it('persists domains, folders and detectors across restarts', async () => {
    const first = await Workspace.open({ stateDir, pickRoots: [ws.root] });
    const he = await first.createDomain('H&E', 'otsu-red');
    await first.addFolders(he.id, [ws.he]);
    const fluo = await first.createDomain('DAPI', 'saturation');
    await first.addFolders(fluo.id, [ws.fluorescence]);
    const second = await Workspace.open({ stateDir, pickRoots: [ws.root] });
    expect(second.domains()).toEqual([
      { id: he.id, name: 'H&E', folders: [ws.he], detector: 'otsu-red' },
      { id: fluo.id, name: 'DAPI', folders: [ws.fluorescence], detector: 'saturation' },
    ]);
    expect(second.slideRoots()).toEqual([ws.he, ws.fluorescence]);
  });

  it('refuses a second domain with the same name in another case', async () => {
    const workspace = await Workspace.open({ stateDir, pickRoots: null });
    await workspace.createDomain('H&E', 'otsu-red');
    await expect(workspace.createDomain('h&e', 'otsu-red')).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('loses no folder when additions race', async () => {
    const workspace = await Workspace.open({ stateDir, pickRoots: null });
    const domain = await workspace.createDomain('mixed', 'otsu-red');
    await Promise.all([
      workspace.addFolders(domain.id, [ws.he]),
      workspace.addFolders(domain.id, [ws.fluorescence]),
      workspace.addFolders(domain.id, [ws.outside]),
    ]);
    const reopened = await Workspace.open({ stateDir, pickRoots: null });
    expect([...reopened.domain(domain.id).folders].sort()).toEqual(
      [ws.fluorescence, ws.he, ws.outside].sort(),
    );
  });

  it('sets a damaged state file aside, says so, and starts empty', async () => {
    await Workspace.open({ stateDir, pickRoots: null });
    await writeFile(join(stateDir, 'workspace.json'), '{"version":"1","domains":[{"id":"../x"}]}');
    const warnings: string[] = [];
    const workspace = await Workspace.open({ stateDir, pickRoots: null, warn: (m) => warnings.push(m) });
    expect(workspace.domains()).toEqual([]);
    expect(warnings[0]).toMatch(/workspace\.json was damaged .*moved to/);
    expect((await readdir(stateDir)).some((name) => name.startsWith('workspace.json.damaged-'))).toBe(true);
  });
});
