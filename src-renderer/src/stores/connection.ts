import { defineStore } from 'pinia';
import { ref } from 'vue';
import { useTransport } from '../client-instance.js';
import type { ConnectionState } from '../transport/transport.js';

/** Whether the service is reachable, and through what. */
export const useConnectionStore = defineStore('connection', () => {
  const transport = useTransport();
  const state = ref<ConnectionState>(transport.state);
  const kind = transport.kind;
  transport.onState((next) => (state.value = next));
  return { state, kind };
});
