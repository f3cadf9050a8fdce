import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { initClient } from './client-instance.js';
import './styles/base.css';
import { selectTransport } from './transport/select.js';

initClient(selectTransport());
createApp(App).use(createPinia()).mount('#app');
