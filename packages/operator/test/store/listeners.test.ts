/**
 * The `onMail` listener set every backend keeps (MB-6): listeners are told on a later microtask, so a
 * listener removed, or a store closed, before that microtask runs is not told. The store conformance
 * suite sees these only through a store; here each decision is on its own (a mutation run found that
 * dropping the removal check, or `clear`, survived).
 */
import { describe, expect, it } from 'vitest';
import { MailListeners } from '../../src/store/_listeners.js';

/** Lets the queued microtasks run. */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe('MB-6 mail listeners', () => {
  it('MB-6 every listener is told, after the emit returns, never inside it', async () => {
    const set = new MailListeners();
    const told: string[] = [];
    set.add((to) => told.push(`a:${to}`));
    set.add((to) => told.push(`b:${to}`));
    set.emit('bob');
    expect(told).toEqual([]);
    await settle();
    expect(told.sort()).toEqual(['a:bob', 'b:bob']);
  });

  it('MB-6 a listener removed after the emit but before its microtask runs is not told', async () => {
    const set = new MailListeners();
    const told: string[] = [];
    const remove = set.add((to) => told.push(to));
    set.emit('bob');
    remove();
    await settle();
    expect(told).toEqual([]);
    set.emit('carol');
    await settle();
    expect(told).toEqual([]);
  });

  it('MB-6 one function added twice is told twice and removed once', async () => {
    const set = new MailListeners();
    const told: string[] = [];
    const listener = (to: string) => told.push(to);
    const removeFirst = set.add(listener);
    set.add(listener);
    set.emit('bob');
    await settle();
    expect(told).toEqual(['bob', 'bob']);
    removeFirst();
    set.emit('carol');
    await settle();
    expect(told).toEqual(['bob', 'bob', 'carol']);
  });

  it('MB-6 clear (on close) drops every listener, those already queued included', async () => {
    const set = new MailListeners();
    const told: string[] = [];
    set.add((to) => told.push(to));
    set.emit('bob');
    set.clear();
    await settle();
    set.emit('carol');
    await settle();
    expect(told).toEqual([]);
  });
});
