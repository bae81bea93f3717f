/**
 * What a macro does, in words: for the admins' list, the agents' picker and the composer's
 * pending macro alike.
 */

import type { Macro } from '../data/macros';
import { t, tn } from '../i18n';
import { STATUS_LABEL } from '../tickets/badges';
import { macroEffects, type MacroEffect } from './macros';
import { usePeople, type People } from './people';
import { quotedTags } from './tags';

/** A body quoted in the summary is cut to this many characters. */
const QUOTE_MAX = 90;

export function MacroEffects({ macro, compact = false }: { macro: Pick<Macro, 'body' | 'is_internal' | 'status' | 'priority' | 'assign_to' | 'add_tags'>; compact?: boolean }) {
  const people = usePeople();
  const effects = macroEffects(macro);
  if (compact) return <span class="picker-effects">{effects.map((e) => effectText(e, people)).join(' · ')}</span>;
  return (
    <ul class="macro-effects">
      {effects.map((e) => (
        <li key={e.kind}>{effectText(e, people)}</li>
      ))}
    </ul>
  );
}

export function effectText(effect: MacroEffect, people: People): string {
  switch (effect.kind) {
    case 'reply':
      return t('macros.effect.reply', { text: quote(effect.text) });
    case 'note':
      return t('macros.effect.note', { text: quote(effect.text) });
    case 'status':
      return t('macros.effect.status', { status: t(STATUS_LABEL[effect.status]) });
    case 'priority':
      return t('macros.effect.priority', { priority: t(`priority.${effect.priority}`) });
    case 'assign':
      if (effect.to === 'me') return t('macros.effect.assign_me');
      if (effect.to === 'nobody') return t('macros.effect.assign_nobody');
      return t('macros.effect.assign_to', { name: people.find(effect.to)?.name ?? t('console.someone') });
    case 'tags':
      return tn('macros.effect.tags', effect.tags.length, { tags: quotedTags(effect.tags) });
  }
}

function quote(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  const chars = [...flat];
  return chars.length > QUOTE_MAX ? `${chars.slice(0, QUOTE_MAX - 1).join('')}…` : flat;
}
