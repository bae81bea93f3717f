import { describe, expect, it } from 'vitest';
import { EMPTY_MACRO, checkMacroForm, filterMacros, fold, formValues, macroEffects, placeholdersIn, tagsIn, unknownPlaceholders } from './macros';
import { moveHighlight } from '../ui/listbox';

describe('placeholders', () => {
  it('lists the names a body uses, once each, spaces inside the braces allowed', () => {
    expect(placeholdersIn('Bonjour {{customer.firstname}}, ticket {{ ticket.number }}. {{customer.firstname}}')).toEqual(['customer.firstname', 'ticket.number']);
    expect(placeholdersIn('No placeholder, {single} braces')).toEqual([]);
  });

  it('names those the server would refuse', () => {
    expect(unknownPlaceholders('Hi {{customer.firstname}} from {{agent.firstname}} on {{ticket.number}}')).toEqual([]);
    expect(unknownPlaceholders('Hi {{customer.name}} {{ order.total }} {{}}')).toEqual(['customer.name', 'order.total', '']);
  });
});

describe('the macro form', () => {
  const values = { ...EMPTY_MACRO, name: '  Refund sent  ', body: ' Bonjour {{customer.firstname}} ', status: 'resolved' as const };

  it('sends the whole macro, with null for what it leaves alone', () => {
    expect(checkMacroForm(values)).toEqual({
      errors: {},
      request: { name: 'Refund sent', body: 'Bonjour {{customer.firstname}}', is_internal: false, status: 'resolved', priority: null, assign_to: null, add_tags: [] },
    });
    expect(checkMacroForm({ ...EMPTY_MACRO, name: 'Take it', assignTo: 'me', isInternal: true }).request).toEqual({
      name: 'Take it',
      body: null,
      is_internal: false,
      status: null,
      priority: null,
      assign_to: 'me',
      add_tags: [],
    });
  });

  it('asks for a name, known placeholders, and something to do', () => {
    expect(checkMacroForm(EMPTY_MACRO)).toEqual({
      errors: { name: { key: 'macros.form.name_required' }, form: { key: 'macros.form.does_nothing' } },
      request: null,
    });
    expect(checkMacroForm({ ...values, body: 'Hi {{customer.name}}' }).errors).toEqual({
      body: { key: 'macros.form.unknown_placeholder', params: { names: '{{customer.name}}' } },
    });
    expect(checkMacroForm({ ...values, name: 'x'.repeat(101) }).errors.name).toEqual({ key: 'macros.form.name_long' });
  });

  it('reads the tags to add as the server does, commas or spaces between them', () => {
    expect(tagsIn(' Refund, vip:gold  refund,,\nrelance ')).toEqual(['refund', 'vip:gold', 'relance']);
    expect(tagsIn(' , ')).toEqual([]);
    expect(checkMacroForm({ ...EMPTY_MACRO, name: 'Tag it', tags: 'Refund vip:gold' })).toEqual({
      errors: {},
      request: { name: 'Tag it', body: null, is_internal: false, status: null, priority: null, assign_to: null, add_tags: ['refund', 'vip:gold'] },
    });
  });

  it('refuses what is not a tag, and more than 20', () => {
    expect(checkMacroForm({ ...EMPTY_MACRO, name: 'Tag it', tags: 'ok, _no, vip!, é' }).errors).toEqual({
      tags: { key: 'macros.form.tags_invalid', params: { tags: '_no, vip!, é' } },
    });
    expect(checkMacroForm({ ...EMPTY_MACRO, name: 'Tag it', tags: 'x'.repeat(51) }).errors.tags?.key).toBe('macros.form.tags_invalid');
    const many = Array.from({ length: 21 }, (_, i) => `t${i}`).join(' ');
    expect(checkMacroForm({ ...EMPTY_MACRO, name: 'Tag it', tags: many }).errors).toEqual({ tags: { key: 'macros.form.tags_many' } });
    expect(checkMacroForm({ ...EMPTY_MACRO, name: 'Tag it', tags: many.split(' ').slice(0, 20).join(' ') }).request?.add_tags).toHaveLength(20);
  });

  it('counts tags as something to do', () => {
    expect(checkMacroForm({ ...EMPTY_MACRO, name: 'Tag it', tags: ' , ' }).errors).toEqual({ form: { key: 'macros.form.does_nothing' } });
    expect(checkMacroForm({ ...EMPTY_MACRO, name: 'Tag it', tags: 'refund' }).errors).toEqual({});
  });

  it('reads a macro back into the form', () => {
    const macro = { id: 1, name: 'Escalate', body: null, is_internal: false, status: null, priority: 'urgent' as const, assign_to: 'nobody', add_tags: [], created_at: '', updated_at: '' };
    expect(formValues(macro)).toEqual({ ...EMPTY_MACRO, name: 'Escalate', priority: 'urgent', assignTo: 'nobody' });
    expect(formValues({ ...macro, add_tags: ['refund', 'vip:gold'] }).tags).toBe('refund, vip:gold');
  });
});

describe('what a macro does', () => {
  it('lists its effects in order', () => {
    expect(macroEffects({ body: ' Note ', is_internal: true, status: 'waiting_customer', priority: 'high', assign_to: 'me', add_tags: ['refund'] })).toEqual([
      { kind: 'note', text: 'Note' },
      { kind: 'status', status: 'waiting_customer' },
      { kind: 'priority', priority: 'high' },
      { kind: 'assign', to: 'me' },
      { kind: 'tags', tags: ['refund'] },
    ]);
    expect(macroEffects({ body: '  ', is_internal: false, status: null, priority: null, assign_to: null, add_tags: [] })).toEqual([]);
  });
});

describe('the picker’s filter', () => {
  const macros = [
    { name: 'Ask for a photo', body: 'Pouvez-vous envoyer une photo ?' },
    { name: 'Colis perdu', body: null },
    { name: 'Remboursement effectué', body: 'Le remboursement part aujourd’hui.' },
    { name: 'Réponse type', body: 'Merci pour le colis.' },
  ];

  it('keeps everything for an empty query', () => {
    expect(filterMacros(macros, '  ')).toEqual(macros);
  });

  it('matches every word, without case or accents, names starting with it first', () => {
    expect(fold('Réponse ÉTÉ')).toBe('reponse ete');
    expect(filterMacros(macros, 'repo').map((m) => m.name)).toEqual(['Réponse type']);
    expect(filterMacros(macros, 'colis').map((m) => m.name)).toEqual(['Colis perdu', 'Réponse type']);
    expect(filterMacros(macros, 'REMB aujourd').map((m) => m.name)).toEqual(['Remboursement effectué']);
    expect(filterMacros(macros, 'photo').map((m) => m.name)).toEqual(['Ask for a photo']);
    expect(filterMacros(macros, 'nothing like it')).toEqual([]);
  });

  it('moves the highlight around the list', () => {
    expect(moveHighlight(-1, 1, 3)).toBe(0);
    expect(moveHighlight(-1, -1, 3)).toBe(2);
    expect(moveHighlight(2, 1, 3)).toBe(0);
    expect(moveHighlight(0, -1, 3)).toBe(2);
    expect(moveHighlight(0, 1, 0)).toBe(-1);
  });
});
