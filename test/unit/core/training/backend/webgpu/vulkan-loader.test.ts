import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  findLavapipeIcd,
  LAVAPIPE_ICD_RELATIVE_PATH,
  useVulkanIcd,
} from '../../../../../../src-main/core/training/backend/webgpu/vulkan-loader.js';

describe('Vulkan loader set-up', () => {
  it('finds the lavapipe manifest that setup-lavapipe.sh leaves, and nothing where it has not run', () => {
    const root = mkdtempSync(join(tmpdir(), 'hf-icd-'));
    expect(findLavapipeIcd(root)).toBeNull();
    const file = join(root, LAVAPIPE_ICD_RELATIVE_PATH);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, '{}');
    expect(findLavapipeIcd(root)).toBe(file);
  });

  it('points the loader at one manifest and provides a runtime directory', () => {
    const saved = { icd: process.env.VK_ICD_FILENAMES, xdg: process.env.XDG_RUNTIME_DIR };
    try {
      delete process.env.XDG_RUNTIME_DIR;
      useVulkanIcd('/some/icd.json');
      expect(process.env.VK_ICD_FILENAMES).toBe('/some/icd.json');
      expect(process.env.XDG_RUNTIME_DIR).toMatch(/histo-fetch-xdg/);
    } finally {
      if (saved.icd === undefined) delete process.env.VK_ICD_FILENAMES;
      else process.env.VK_ICD_FILENAMES = saved.icd;
      if (saved.xdg === undefined) delete process.env.XDG_RUNTIME_DIR;
      else process.env.XDG_RUNTIME_DIR = saved.xdg;
    }
  });
});
