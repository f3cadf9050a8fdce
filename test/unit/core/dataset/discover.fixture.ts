// Child process for the permission test (run as an unprivileged user): prints discoverSlides' result.
// Usage: node --import tsx discover.fixture.ts <folder>...
import { discoverSlides } from '../../../../src-main/core/dataset/discovery.js';
import { openSlide } from '../../../../src-main/core/slide/index.js';

const result = await discoverSlides(process.argv.slice(2), { openSlide: (path) => openSlide(path) });
process.stdout.write(JSON.stringify(result));
