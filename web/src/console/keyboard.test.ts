import { describe, expect, it } from 'vitest';
import { isTyping, shortcutFor } from './keyboard';

const key = (k: string, target: object | null = { tagName: 'BODY' }, mods: Partial<{ ctrlKey: boolean; altKey: boolean; metaKey: boolean; shiftKey: boolean }> = {}) => ({
  key: k,
  ctrlKey: false,
  altKey: false,
  metaKey: false,
  ...mods,
  target: target as EventTarget,
});

describe('shortcutFor', () => {
  it('maps the documented keys', () => {
    expect(['j', 'k', 'Enter', 'r', 'e', 'm', '?'].map((k) => shortcutFor(key(k)))).toEqual(['next', 'previous', 'open', 'reply', 'resolve', 'macro', 'help']);
    expect(shortcutFor(key('x'))).toBeNull();
  });

  it('never fires while typing or with a modifier', () => {
    for (const target of [{ tagName: 'INPUT', type: 'text' }, { tagName: 'INPUT', type: 'search' }, { tagName: 'TEXTAREA' }, { tagName: 'SELECT' }, { tagName: 'DIV', isContentEditable: true }]) {
      expect(shortcutFor(key('j', target)), JSON.stringify(target)).toBeNull();
    }
    expect(shortcutFor(key('r', { tagName: 'INPUT', type: 'checkbox' }))).toBe('reply');
    expect(shortcutFor(key('r', undefined, { ctrlKey: true }))).toBeNull();
    expect(shortcutFor(key('e', undefined, { metaKey: true }))).toBeNull();
  });

  it('leaves Enter to focused links and buttons', () => {
    expect(shortcutFor(key('Enter', { tagName: 'A' }))).toBeNull();
    expect(shortcutFor(key('Enter', { tagName: 'BUTTON' }))).toBeNull();
  });

  it('opens the macros with m outside fields, and with Ctrl or Cmd+Shift+M anywhere', () => {
    expect(shortcutFor(key('m'))).toBe('macro');
    expect(shortcutFor(key('m', { tagName: 'TEXTAREA' }))).toBeNull();
    expect(shortcutFor(key('M', { tagName: 'TEXTAREA' }, { ctrlKey: true, shiftKey: true }))).toBe('macro');
    expect(shortcutFor(key('M', { tagName: 'INPUT', type: 'text' }, { metaKey: true, shiftKey: true }))).toBe('macro');
    expect(shortcutFor(key('m', undefined, { ctrlKey: true }))).toBeNull();
    expect(shortcutFor(key('M', undefined, { ctrlKey: true, shiftKey: true, altKey: true }))).toBeNull();
  });

  it('reads a missing target as not typing', () => {
    expect(isTyping(null)).toBe(false);
  });
});
