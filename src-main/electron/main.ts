import { app, BrowserWindow, dialog, ipcMain, Menu, session, type WebContents } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { EventMessage, MethodName } from '../contract/index.js';
import { isOurPageUrl } from './page-url.js';
import { startServiceProcess, type ServiceProcess } from './service-process.js';

// Thin shell: one hardened window, the IPC bridge, native folder dialogs. The service (core code) runs in a
// utilityProcess from the tsc build (dist/), so nothing here blocks on slides or training.

const appRoot = join(import.meta.dirname, '..', '..');
const rendererUrl = process.env['ELECTRON_RENDERER_URL'];
const rendererFile = join(import.meta.dirname, '../renderer/index.html');
let service: ServiceProcess | null = null;
let window: BrowserWindow | null = null;

function log(message: string): void {
  process.stderr.write(`histo-fetch: ${message}\n`);
}

/** Only our own page may use the bridge (not an iframe or a page navigated elsewhere). */
function fromOurPage(contents: WebContents, frameUrl: string | undefined): boolean {
  if (!window || contents !== window.webContents) return false;
  return isOurPageUrl(frameUrl, rendererUrl ?? pathToFileURL(rendererFile).href);
}

function startService(): ServiceProcess {
  // HISTO_FETCH_STATE_DIR lets tests run the app on a throw-away state folder.
  const stateDir = process.env['HISTO_FETCH_STATE_DIR'] ?? app.getPath('userData');
  const started = startServiceProcess(
    join(appRoot, 'dist', 'service', 'utility-host.js'),
    // No folder may be added until the user chooses it in the dialog or drops it (allowRoots below).
    { stateDir, cacheDir: join(stateDir, 'cache'), runsDir: join(stateDir, 'runs'), pickRoots: [] },
    log,
  );
  started.onEvent((event: EventMessage) => {
    if (window && !window.isDestroyed()) window.webContents.send('histo-fetch:event', event);
  });
  return started;
}

function registerIpc(): void {
  ipcMain.handle('histo-fetch:call', (event, method: unknown, request: unknown) => {
    if (!fromOurPage(event.sender, event.senderFrame?.url))
      throw new Error('Refused: not the workbench page');
    if (typeof method !== 'string' || method.length > 100) throw new Error('Refused: malformed method name');
    // The service validates the method against the contract and the request against its schema.
    return service!.call(method as MethodName, request);
  });
  ipcMain.handle('histo-fetch:pick-folders', async (event) => {
    if (!fromOurPage(event.sender, event.senderFrame?.url) || !window) return [];
    const result = await dialog.showOpenDialog(window, {
      title: 'Add slide folders',
      properties: ['openDirectory', 'multiSelections'],
    });
    if (result.canceled) return [];
    service?.allowRoots(result.filePaths);
    return result.filePaths;
  });
  // The preload reports the real path of each file dropped on the page (webUtils, not the page's word).
  ipcMain.on('histo-fetch:dropped-path', (event, path: unknown) => {
    if (fromOurPage(event.sender, event.senderFrame?.url) && typeof path === 'string' && path !== '')
      service?.allowRoots([path]);
    event.returnValue = true;
  });
}

function harden(): void {
  // No permission (camera, notifications, ...) is ever needed.
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-navigate', (navigation) => {
      if (!fromOurPage(contents, navigation.url)) navigation.preventDefault();
    });
    contents.on('will-attach-webview', (attach) => attach.preventDefault());
  });
}

function createWindow(): void {
  window = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 960,
    minHeight: 600,
    title: 'histo-fetch workbench',
    // The window and taskbar icon on Linux and Windows (macOS takes the bundle's).
    icon: join(appRoot, 'build', 'icon.png'),
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  window.on('closed', () => (window = null));
  if (rendererUrl) void window.loadURL(rendererUrl);
  else void window.loadFile(rendererFile);
}

function buildMenu(): void {
  Menu.setApplicationMenu(
    Menu.buildFromTemplate([
      ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
      { role: 'fileMenu' },
      { role: 'editMenu' },
      {
        label: 'View',
        submenu: [
          { role: 'reload' },
          { role: 'toggleDevTools' },
          { type: 'separator' },
          { role: 'resetZoom' },
          { role: 'zoomIn' },
          { role: 'zoomOut' },
          { type: 'separator' },
          { role: 'togglefullscreen' },
        ],
      },
      { role: 'windowMenu' },
    ]),
  );
}

let quitting = false;
app.on('before-quit', (event) => {
  if (quitting || !service) return;
  // Let running jobs write their checkpoint / mask before the process goes.
  event.preventDefault();
  quitting = true;
  void service.shutdown(60_000).then(() => app.quit());
});

void app.whenReady().then(() => {
  harden();
  service = startService();
  registerIpc();
  buildMenu();
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});
app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
