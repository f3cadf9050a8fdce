import { parentPort, workerData } from 'node:worker_threads';

const input = workerData as { n: number };
const doubled: number = input.n * 2;
parentPort?.postMessage(doubled);
