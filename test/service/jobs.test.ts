import { describe, expect, it } from 'vitest';
import type { JobStateEvent } from '../../src-main/contract/index.js';
import { EventBus } from '../../src-main/service/events.js';
import { JobRegistry } from '../../src-main/service/jobs.js';

describe('jobs the service owns', () => {
  it('drain stops every job and waits until each has finished its last write', async () => {
    const events = new EventBus();
    const states: JobStateEvent[] = [];
    events.subscribe((event) => {
      if (event.name === 'job.state') states.push(event.payload);
    });
    const jobs = new JobRegistry(events);
    const written: string[] = [];
    const body =
      (name: string) =>
      async ({ signal }: { signal: AbortSignal }) => {
        await new Promise<void>((resolve) => {
          if (signal.aborted) resolve();
          else signal.addEventListener('abort', () => resolve());
        });
        // The "checkpoint" is written after the stop request, before the job ends.
        await new Promise((resolve) => setTimeout(resolve, 30));
        written.push(name);
      };
    const a = jobs.start('training', 'run-1', body('checkpoint'));
    const b = jobs.start('masks', 'd-1', body('mask'));
    expect(jobs.find('training')?.jobId).toBe(a.jobId);
    await jobs.drain();
    expect(written.sort()).toEqual(['checkpoint', 'mask']);
    expect(jobs.list()).toEqual([]);
    const final = states.filter((s) => s.job.state === 'stopped').map((s) => s.job.jobId);
    expect(final.sort()).toEqual([a.jobId, b.jobId].sort());
    expect(states.some((s) => s.job.state === 'stopping')).toBe(true);
  });

  it('reports a failing job with its message', async () => {
    const events = new EventBus();
    const states: JobStateEvent[] = [];
    events.subscribe((event) => {
      if (event.name === 'job.state') states.push(event.payload);
    });
    const jobs = new JobRegistry(events);
    const job = jobs.start('masks', 'd-2', async () => {
      throw new Error('cannot write /cache/masks: disk full');
    });
    await jobs.wait(job.jobId);
    expect(states.at(-1)?.job).toMatchObject({
      state: 'failed',
      error: 'cannot write /cache/masks: disk full',
    });
  });
});
