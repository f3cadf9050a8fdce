import { defineStore } from 'pinia';
import { ref, watchEffect } from 'vue';

export type ThemeChoice = 'system' | 'light' | 'dark';
const key = 'histo-fetch.theme';

/** Light, dark, or the system's choice (prefers-color-scheme); remembered in this browser profile. */
export const useThemeStore = defineStore('theme', () => {
  const stored = localStorage.getItem(key);
  const choice = ref<ThemeChoice>(stored === 'light' || stored === 'dark' ? stored : 'system');
  watchEffect(() => {
    if (choice.value === 'system') document.documentElement.removeAttribute('data-theme');
    else document.documentElement.setAttribute('data-theme', choice.value);
    localStorage.setItem(key, choice.value);
  });
  function cycle(): void {
    choice.value = choice.value === 'system' ? 'light' : choice.value === 'light' ? 'dark' : 'system';
  }
  return { choice, cycle };
});
