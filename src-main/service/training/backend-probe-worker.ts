import { parentPort } from 'node:worker_threads';
import type { BackendReport } from '../../contract/index.js';
import { selectBackend } from '../../core/training/backend/select.js';
import { BACKEND_CANDIDATES } from '../../core/training/backend/types.js';

// Tries every TensorFlow.js backend by name in a throw-away thread, so TF.js (and Dawn, wasm) never load
// into the process that serves the UI, and every candidate gets a verdict, not just the first that works.
const reports: BackendReport[] = [];
for (const name of BACKEND_CANDIDATES) {
  try {
    const selected = await selectBackend({ preferred: name });
    reports.push({
      name,
      available: true,
      device: selected.device,
      reason: 'loads and passes the smoke test',
    });
  } catch (error) {
    const message = (error as Error).message.replace(/^Backend '[a-z]+' is not available: /, '');
    reports.push({ name, available: false, device: null, reason: message });
  }
}
parentPort!.postMessage(reports);
