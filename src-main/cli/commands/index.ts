/** Registers every `histo-fetch` sub-command; main.ts imports this once. */
import { registerCommand } from '../run.js';
import { infoCommand } from './info.js';
import { masksCommand } from './masks.js';
import { regionCommand } from './region.js';
import { sampleCommand } from './sample.js';

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
