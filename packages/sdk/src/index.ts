import { toSdkEvent } from './capture.js';
import { configFromScript } from './config.js';
import { Transport } from './transport.js';

/**
 * Entry of the script tag build. Runs synchronously while the tag is parsed, so the listener is
 * in place before any later violation is dispatched.
 */
function start(): void {
  const config = configFromScript(document.currentScript as HTMLScriptElement | null);
  if (!config) return;
  const transport = new Transport(config);
  // Capture on window: ours runs before any listener on the document or an element.
  window.addEventListener('securitypolicyviolation', (event) => transport.push(toSdkEvent(event)), true);
  window.addEventListener('pagehide', () => transport.flush(true));
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') transport.flush(true);
  });
}

start();
