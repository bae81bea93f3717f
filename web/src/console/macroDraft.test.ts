import { describe, expect, it } from 'vitest';
import type { Macro, MacroPreview } from '../data/macros';
import { macroDraft, reviewedMacro, withMacroText, withoutChange } from './macroDraft';

const macro: Macro = {
  id: 7,
  name: 'Ask for a photo',
  body: 'Hello {{customer.firstname}}',
  is_internal: false,
  status: 'waiting_customer',
  priority: 'high',
  assign_to: 'nobody',
  add_tags: ['photo', 'refund'],
  created_at: '',
  updated_at: '',
};

const preview: MacroPreview = {
  message: { message: 'Hello Léa,\n\ncould you send a photo?', is_internal: false },
  changes: { status: 'waiting_customer', priority: 'high', assigned_to: null, add_tags: ['photo'] },
};

describe('a macro taken into the composer', () => {
  it('lists what it would change, in order, the queue for no assignee', () => {
    const draft = macroDraft(macro, preview);
    expect(draft).toMatchObject({ macro, posts: true, internal: false, skipped: [] });
    expect(draft.changes).toEqual([
      { kind: 'status', effect: { kind: 'status', status: 'waiting_customer' } },
      { kind: 'priority', effect: { kind: 'priority', priority: 'high' } },
      { kind: 'assigned_to', effect: { kind: 'assign', to: 'nobody' } },
      { kind: 'add_tags', effect: { kind: 'tags', tags: ['photo'] } },
    ]);
  });

  it('lists only what the preview names, an assignee by id', () => {
    const draft = macroDraft(macro, { message: null, changes: { assigned_to: '0b7c6a1e-5f0e-4d7e-9a51-3c1f2b8d9e40' } });
    expect(draft.posts).toBe(false);
    expect(draft.changes).toEqual([{ kind: 'assigned_to', effect: { kind: 'assign', to: '0b7c6a1e-5f0e-4d7e-9a51-3c1f2b8d9e40' } }]);
    expect(macroDraft(macro, { message: null, changes: { add_tags: [] } }).changes).toEqual([]);
  });

  it('takes the kind of message from the preview, else from the macro', () => {
    expect(macroDraft(macro, { message: { message: 'For the team', is_internal: true }, changes: {} }).internal).toBe(true);
    expect(macroDraft({ ...macro, is_internal: true }, { message: null, changes: {} }).internal).toBe(true);
  });

  it('removes a change, which the send skips', () => {
    const draft = withoutChange(withoutChange(macroDraft(macro, preview), 'add_tags'), 'priority');
    expect(draft.changes.map((change) => change.kind)).toEqual(['status', 'assigned_to']);
    expect(draft.skipped).toEqual(['add_tags', 'priority']);
    expect(withoutChange(draft, 'priority')).toBe(draft);
  });

  it('puts its text after what was typed, a blank line between', () => {
    expect(withMacroText('', 'Hello Léa')).toBe('Hello Léa');
    expect(withMacroText('  \n', 'Hello Léa')).toBe('Hello Léa');
    expect(withMacroText('Thanks for waiting.\n\n', 'Hello Léa')).toBe('Thanks for waiting.\n\nHello Léa');
    expect(withMacroText('Draft', undefined)).toBe('Draft');
  });

  it('sends the text as reviewed, as HTML, and the changes removed', () => {
    const draft = withoutChange(macroDraft(macro, preview), 'add_tags');
    expect(reviewedMacro(draft, 'Hello Léa,\n\na photo <please>?')).toEqual({ message: '<p>Hello Léa,</p><p>a photo &lt;please&gt;?</p>', skip: ['add_tags'] });
    const silent = macroDraft(macro, { message: null, changes: { status: 'resolved' } });
    expect(reviewedMacro(silent, '  ')).toEqual({ skip: [] });
    expect(reviewedMacro(silent, 'A word first')).toEqual({ message: '<p>A word first</p>', skip: [] });
  });
});
