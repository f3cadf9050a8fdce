import type { EventMap, EventMessage, EventName } from '../contract/index.js';

export type EventListener = (event: EventMessage) => void;

/** Fans service events out to every connected client (IPC bridge, WebSocket connections, CLI). */
export class EventBus {
  private readonly listeners = new Set<EventListener>();

  emit<E extends EventName>(name: E, payload: EventMap[E]): void {
    const event = { kind: 'event', name, payload } as EventMessage;
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // One broken client must not stop the others from hearing the event.
      }
    }
  }

  /** Returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
