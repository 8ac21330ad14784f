/**
 * The three browser engines the suite runs in, all from Debian's packages (nothing may download a
 * browser here): Chromium and Firefox driven by Playwright, WebKit (WebKitGTK, the engine Safari
 * shares its CSP code with) by WebKitWebDriver under Xvfb. Paths can be overridden for other
 * machines; scripts/test.sh installs the packages where they are missing.
 */
export type Engine = 'chromium' | 'firefox' | 'webkit';

export const ENGINES: readonly Engine[] = ['chromium', 'firefox', 'webkit'];

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The flags Debian's Chromium needs on this kind of machine (a closed network, no GPU, root). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Debian's firefox-esr, driven over WebDriver BiDi (Playwright 1.64.1; 1.65 cannot drive it). */
export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

export const WEBKIT_DRIVER = process.env.WEBKIT_DRIVER_PATH ?? '/usr/bin/WebKitWebDriver';
export const MINIBROWSER = process.env.MINIBROWSER_PATH ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
export const XVFB = process.env.XVFB_PATH ?? '/usr/bin/Xvfb';
