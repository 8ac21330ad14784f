/**
 * The browser engine a report came from, read off its User-Agent: engines report the same
 * violation differently (docs/engines.md), and some causes belong to one engine only. Every
 * browser on iOS and iPadOS is WebKit, whatever it calls itself. "" when the agent says too
 * little (a bot, a stripped header).
 */
export type EngineFamily = 'chromium' | 'firefox' | 'webkit';

export const ENGINE_FAMILIES: readonly EngineFamily[] = ['chromium', 'firefox', 'webkit'];

export function engineOf(userAgent: string): EngineFamily | '' {
  if (/\b(iPhone|iPad|iPod)\b/.test(userAgent)) return 'webkit';
  if (/\bFirefox\/|\bGecko\/\d/.test(userAgent) && !/\bAppleWebKit\//.test(userAgent)) return 'firefox';
  if (/\b(Chrome|Chromium|HeadlessChrome|CriOS|Edg|OPR|SamsungBrowser|YaBrowser)\//.test(userAgent)) return 'chromium';
  if (/\bAppleWebKit\//.test(userAgent)) return 'webkit';
  return '';
}
