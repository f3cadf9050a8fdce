import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../e2e/renderer-build.js';

const iconPath = join(repoRoot, 'build', 'icon.png');

describe('the app icon', () => {
  it('is a 512x512 PNG with an opaque picture and transparent rounded corners', async () => {
    const { data, info } = await sharp(iconPath).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([512, 512, 4]);
    expect(data[3]).toBe(0); // top-left corner, outside the rounded square
    expect(data[(256 * 512 + 256) * 4 + 3]).toBe(255);
    const { channels } = await sharp(iconPath).stats();
    // A picture, not a flat fill: every colour channel varies widely.
    for (const channel of channels.slice(0, 3)) expect(channel.max - channel.min).toBeGreaterThan(150);
  });

  it('is the Electron window icon', async () => {
    const main = await readFile(join(repoRoot, 'src-main', 'electron', 'main.ts'), 'utf8');
    const options = main.slice(main.indexOf('new BrowserWindow({'));
    expect(options).toContain("icon: join(appRoot, 'build', 'icon.png'),");
    expect(main).toMatch(/const appRoot = join\(import\.meta\.dirname, '\.\.', '\.\.'\);/);
  });
});
