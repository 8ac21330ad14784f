import type { Page } from '@playwright/test';

/** Answers requests to hosts that do not exist here, as the real ones would. */
export async function serveScript(page: Page, pattern: string): Promise<void> {
  await page.route(pattern, (route) => route.fulfill({ status: 200, contentType: 'application/javascript', body: '/* injected */' }));
}

/**
 * What a malicious extension's content script does at document_start, before the page's own
 * scripts (and the SDK) run: it adds a crypto-miner script (a default rule names its host).
 */
export async function injectMiner(page: Page): Promise<void> {
  await serveScript(page, 'https://coinhive.com/**');
  await page.addInitScript(() => {
    const inject = () => {
      const script = document.createElement('script');
      script.src = 'https://coinhive.com/lib/coinhive.min.js';
      document.documentElement.append(script);
    };
    if (document.documentElement) inject();
    else {
      const watcher = new MutationObserver(() => {
        if (!document.documentElement) return;
        watcher.disconnect();
        inject();
      });
      watcher.observe(document, { childList: true });
    }
  });
}
