import { configFromScript } from './config.js';
import { observe } from './observe.js';

// The script tag build (`{prefix}/sdk.js`): runs synchronously while the tag is parsed, so the
// listener is in place before any later violation is dispatched.
const config = configFromScript(document.currentScript as HTMLScriptElement | null);
if (config) observe(config);
