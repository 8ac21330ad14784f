import { CAUSES, CHANNELS } from '@csp-observer/core';
import { describe, expect, it } from 'vitest';
import { CAUSE_TONES, CHANNEL_TONES, causeTone, channelTone, fallbackTone, toneStyle } from './colors';

const rgb = (hex: string) => [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];

describe('the colour table', () => {
  it('has a colour for every cause and "unknown", every channel, all distinct', () => {
    expect(Object.keys(CAUSE_TONES).sort()).toEqual([...CAUSES, 'unknown'].sort());
    expect(Object.keys(CHANNEL_TONES).sort()).toEqual([...CHANNELS].sort());
    const lights = Object.values(CAUSE_TONES).map((t) => t.light);
    expect(new Set(lights).size).toBe(lights.length);
  });

  it('makes "unknown" neutral grey and only malware red', () => {
    for (const shade of Object.values(CAUSE_TONES.unknown)) {
      const [r, g, b] = rgb(shade);
      expect(Math.max(r, g, b) - Math.min(r, g, b)).toBeLessThan(32);
    }
    const reddish = Object.entries(CAUSE_TONES)
      .filter(([, tone]) => {
        const [r, g, b] = rgb(tone.light);
        return r > 1.5 * g && r > 1.5 * b;
      })
      .map(([cause]) => cause);
    expect(reddish).toEqual(['malware']);
  });

  it('gives a null cause the colour of "unknown", an unknown key a fallback, and badges both shades', () => {
    expect(causeTone(null)).toBe(CAUSE_TONES.unknown);
    expect(causeTone('something-new')).toBe(CAUSE_TONES.unknown);
    expect(channelTone('sdk')).toBe(CHANNEL_TONES.sdk);
    expect(channelTone('csp-custom', 1)).toBe(fallbackTone(1));
    expect(toneStyle(CAUSE_TONES.malware)).toEqual({ '--tone': CAUSE_TONES.malware.light, '--tone-dark': CAUSE_TONES.malware.dark });
  });
});
