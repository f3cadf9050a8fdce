/** Registers every `histo-fetch` sub-command; main.ts imports this once. */
import { registerCommand } from '../run.js';
import { demoCommand } from './demo.js';
import { evaluateCommand } from './evaluate.js';
import { generateCommand } from './generate.js';
import { infoCommand } from './info.js';
import { masksCommand } from './masks.js';
import { regionCommand } from './region.js';
import { resumeCommand } from './resume.js';
import { sampleCommand } from './sample.js';
import { trainCommand } from './train.js';
import { translateCommand } from './translate.js';

registerCommand(
  'info',
  "print a slide's vendor, levels, mpp, objective power and associated images",
  infoCommand,
);
registerCommand('region', 'write a region of a slide as an RGBA PNG', regionCommand);
registerCommand('masks', 'build or reuse the tissue masks of the slides in folders', masksCommand);
registerCommand(
  'sample',
  'write random tissue patches of slide folders as PNGs with their provenance',
  sampleCommand,
);
registerCommand(
  'train',
  'train a CycleGAN or ProGAN on tissue patches sampled live from slides',
  trainCommand,
);
registerCommand('resume', 'continue a training run from its latest checkpoint', resumeCommand);
registerCommand(
  'demo',
  'the main job on the bundled sample slides: masks, then a few minutes of CycleGAN',
  demoCommand,
);
registerCommand(
  'translate',
  'translate a whole slide with a CycleGAN generator into a pyramidal TIFF',
  translateCommand,
);
registerCommand(
  'generate',
  'generate images with a ProGAN generator: PNGs, a grid, an interpolation strip',
  generateCommand,
);
registerCommand(
  'evaluate',
  'sliced Wasserstein distance and cycle error of generators against real slides',
  evaluateCommand,
);
