import { describe, expect, it } from 'vitest';
import { RequestTicket } from '../../src-renderer/src/lib/request-ticket.js';

/** A slide-info service whose answers come back after the given delays, as a busy service's may. */
function delayedService(delaysMs: Readonly<Record<string, number>>) {
  return {
    info: (path: string): Promise<{ path: string }> =>
      new Promise((resolve) => setTimeout(() => resolve({ path }), delaysMs[path] ?? 0)),
  };
}

describe('RequestTicket (late replies)', () => {
  it('applies only the answer to the latest request when an earlier one answers last', async () => {
    const service = delayedService({ 'first.svs': 60, 'second.svs': 5 });
    const tickets = new RequestTicket();
    const shown: string[] = [];
    const open = async (path: string): Promise<void> => {
      const current = tickets.take();
      const details = await service.info(path);
      if (current()) shown.push(details.path);
    };
    await Promise.all([open('first.svs'), open('second.svs')]);
    expect(shown).toEqual(['second.svs']);
  });

  it('keeps a ticket current until a newer one is taken', () => {
    const tickets = new RequestTicket();
    const first = tickets.take();
    expect(first()).toBe(true);
    const second = tickets.take();
    expect([first(), second()]).toEqual([false, true]);
  });
});
