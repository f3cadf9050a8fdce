/**
 * The training worker thread: selects the backend, builds the session, then runs steps on the batches
 * the host sends, posting metrics, sample grids and checkpoint state. TensorFlow.js calls are long and
 * synchronous, so they live here and never hold up the host's sampler or UI.
 */
import * as tf from '@tensorflow/tfjs';
import { parentPort, workerData } from 'node:worker_threads';
import { selectBackend } from '../backend/select.js';
import { Rng } from '../../util/rng.js';
import { isEvaluationStep } from '../eval/evaluate.js';
import { TrainingEvaluator } from '../eval/training-evaluation.js';
import { packArrays, unpackArrays } from '../runs/packed-arrays.js';
import type { TrainingBatch } from './batch.js';
import { CycleganSession } from './cyclegan-session.js';
import { ProganSession } from './progan-session.js';
import { serializeError, type FromTrainer, type ToTrainer, type TrainerWorkerData } from './protocol.js';
import type { SessionState, TrainingSession } from './session.js';

const port = parentPort;
if (port === null) throw new Error('trainer-worker must run in a worker thread');
const data = workerData as TrainerWorkerData;

function post(message: FromTrainer, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

/** Batches received and not yet used, and the step waiting for one. */
class BatchQueue {
  private readonly batches: TrainingBatch[] = [];
  private waiter: ((batch: TrainingBatch | null) => void) | null = null;
  private closed = false;

  push(batch: TrainingBatch): void {
    if (this.waiter) {
      this.waiter(batch);
      this.waiter = null;
    } else this.batches.push(batch);
  }

  /** The next batch, or null once closed (stop). */
  take(): Promise<TrainingBatch | null> {
    const next = this.batches.shift();
    if (next) return Promise.resolve(next);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => (this.waiter = resolve));
  }

  close(): void {
    this.closed = true;
    this.waiter?.(null);
    this.waiter = null;
  }
}

const queue = new BatchQueue();
let stopRequested = false;
let started: ((restore: SessionState | null) => void) | null = null;
const start = new Promise<SessionState | null>((resolve) => (started = resolve));

port.on('message', (message: ToTrainer) => {
  switch (message.type) {
    case 'start':
      started?.(
        message.restore === null
          ? null
          : { json: message.restore.json, arrays: unpackArrays(message.restore.arrays) },
      );
      break;
    case 'batch':
      queue.push(message.batch);
      break;
    case 'stop':
      stopRequested = true;
      queue.close();
      break;
  }
});

/** Lets queued messages (batches, stop) in between steps; a resolved promise alone would not. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

async function checkpoint(session: TrainingSession): Promise<void> {
  const state = await session.saveState();
  const arrays = packArrays(state.arrays);
  post({ type: 'checkpoint', step: session.step, state: { json: state.json, arrays } }, [arrays.buffer]);
}

async function sample(session: TrainingSession): Promise<void> {
  const grid = await session.sampleGrid();
  if (grid) post({ type: 'sample', step: session.step, grid }, [grid.rgb.buffer as ArrayBuffer]);
}

async function run(): Promise<void> {
  const { config } = data;
  const selection = await selectBackend({
    preferred: config.backend,
    allowFallbackAdapter: data.allowFallbackAdapter,
  });
  // The selection without its functions (it crosses threads).
  post({
    type: 'backend',
    selection: { name: selection.name, device: selection.device, reasons: selection.reasons },
  });
  const restore = await start;
  const session: TrainingSession =
    config.model === 'cyclegan'
      ? new CycleganSession(config, restore, selection.createAdam)
      : new ProganSession(config, restore, selection.createAdam);
  try {
    post({ type: 'ready', step: session.step });
    const evaluator =
      config.evaluation && data.evaluation
        ? new TrainingEvaluator(data.evaluation, new Rng(`${config.seed}/evaluation`).nextUint32())
        : null;
    const target = Math.min(config.steps, data.stopAtStep ?? Infinity);
    let checkpointed = restore === null ? -1 : session.step;
    let sampled = session.step;
    while (session.step < target && !stopRequested) {
      const waitStart = performance.now();
      const batch = await queue.take();
      if (batch === null) break;
      const stepStart = performance.now();
      const outcome = await session.runStep(batch);
      const stepEnd = performance.now();
      // Evaluations (fixed real patches, every N steps) go with the step's metrics, outside its time.
      const metrics =
        evaluator && isEvaluationStep(session.step, config.evaluation!.every)
          ? await session.evaluate(evaluator)
          : {};
      const evaluation = Object.keys(metrics).length > 0 ? metrics : null;
      const memory = tf.memory();
      post({
        type: 'step',
        step: session.step,
        batchIndex: batch.index,
        outcome,
        stepMs: stepEnd - stepStart,
        dataWaitMs: stepStart - waitStart,
        images: batch.domains.reduce((n, d) => n + d.count, 0),
        memory: {
          rssBytes: process.memoryUsage.rss(),
          tfBytes: memory.numBytes,
          tfTensors: memory.numTensors,
        },
        evaluation,
      });
      if (config.sampleEvery > 0 && session.step % config.sampleEvery === 0) {
        await sample(session);
        sampled = session.step;
      }
      if (session.step % config.checkpointEvery === 0) {
        await checkpoint(session);
        checkpointed = session.step;
      }
      await yieldToEventLoop();
    }
    // The run's last state always has its grid and checkpoint, whatever the intervals.
    if (config.sampleEvery > 0 && sampled !== session.step) await sample(session);
    if (checkpointed !== session.step) await checkpoint(session);
    post({ type: 'exported', generators: await session.exportGenerators(data.exportDir) });
    post({
      type: 'done',
      step: session.step,
      reason: session.step >= config.steps ? 'completed' : 'stopped',
    });
  } finally {
    session.dispose();
  }
}

run().catch((error: unknown) => post({ type: 'error', error: serializeError(error) }));
