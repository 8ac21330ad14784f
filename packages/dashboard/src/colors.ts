import type { Cause, Channel } from '@csp-observer/core';

/**
 * The dashboard's one colour table: a cause or a channel has the same colour in every chart,
 * badge and legend. Each colour has a light-scheme and a dark-scheme shade (both readable as
 * text on the card of their scheme). "unknown" (no rule explains the report) is neutral grey:
 * only malware is red.
 */
export interface Tone {
  light: string;
  dark: string;
}

export const CAUSE_TONES: Record<Cause | 'unknown', Tone> = {
  malware: { light: '#cf222e', dark: '#ff7b72' },
  extension: { light: '#8250df', dark: '#d2a8ff' },
  browser: { light: '#0969da', dark: '#79c0ff' },
  other: { light: '#9a6700', dark: '#e3b341' },
  unknown: { light: '#6e7781', dark: '#8b949e' },
};

export const CHANNEL_TONES: Record<Channel, Tone> = {
  'report-uri': { light: '#1f5fbf', dark: '#7fb0ff' },
  'report-to': { light: '#bf3989', dark: '#f778ba' },
  sdk: { light: '#1a7f37', dark: '#6fd08c' },
};

/** For a key the table does not know (a newer server's): distinct from every colour above. */
const FALLBACK_TONES: Tone[] = [
  { light: '#0a7ea4', dark: '#56d4dd' },
  { light: '#953800', dark: '#ffa657' },
  { light: '#57606a', dark: '#c9d1d9' },
];

export const fallbackTone = (i: number): Tone => FALLBACK_TONES[i % FALLBACK_TONES.length]!;

export function causeTone(cause: string | null): Tone {
  return CAUSE_TONES[(cause ?? 'unknown') as Cause | 'unknown'] ?? CAUSE_TONES.unknown;
}

export function channelTone(channel: string, i = 0): Tone {
  return CHANNEL_TONES[channel as Channel] ?? fallbackTone(i);
}

export const prefersDark = (): boolean => typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches;

/** The shade of the scheme in force (charts draw on a canvas, so they pick one when built). */
export const shade = (tone: Tone): string => (prefersDark() ? tone.dark : tone.light);

/** CSS custom properties for a badge or swatch (set through the CSSOM, which the policy allows); styles.css picks the scheme's. */
export const toneStyle = (tone: Tone): Record<string, string> => ({ '--tone': tone.light, '--tone-dark': tone.dark });
