import { describe, expect, it } from 'vitest';
import { WaiterGate, type WaitTicket } from './waiter-gate.js';

describe('WaiterGate', () => {
  it('admits within the caps per page view, per address and in total, and frees a place on release (once)', () => {
    const gate = new WaiterGate({ total: 4, perIp: 3, perSession: 2 });
    const a1 = gate.enter('1.1.1.1', 'a') as WaitTicket;
    gate.enter('1.1.1.1', 'a');
    expect(gate.enter('1.1.1.1', 'a')).toBe('session');
    gate.enter('1.1.1.1', 'b');
    expect(gate.enter('1.1.1.1', 'c')).toBe('ip');
    gate.enter('2.2.2.2', 'c');
    expect(gate.enter('3.3.3.3', 'd')).toBe('total');
    expect([gate.size, gate.heldBy('1.1.1.1')]).toEqual([4, 3]);
    a1.release();
    a1.release();
    expect([gate.size, gate.heldBy('1.1.1.1')]).toEqual([3, 2]);
    expect(typeof gate.enter('1.1.1.1', 'a')).toBe('object');
    expect(gate.enter('1.1.1.1', 'a')).toBe('total');
  });

  it('holds a crowd of 10,600 requests from one address to its cap', () => {
    const gate = new WaiterGate({ total: 5000, perIp: 100, perSession: 4 });
    const answers = new Map<string, number>();
    for (let i = 0; i < 10_600; i++) {
      const ticket = gate.enter('203.0.113.7', `s${i}`);
      const key = typeof ticket === 'string' ? ticket : 'held';
      answers.set(key, (answers.get(key) ?? 0) + 1);
    }
    expect(Object.fromEntries(answers)).toEqual({ held: 100, ip: 10_500 });
    expect(gate.size).toBe(100);
  });
});
