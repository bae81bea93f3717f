/**
 * Choosing 1 to 5 stars: a group of toggle buttons named "1 star" to "5 stars", the chosen one
 * pressed and the ones below it lit.
 */

import { useId } from 'preact/hooks';
import { t, tn, type MessageKey } from '../i18n';
import { FieldError } from '../ui/Field';
import { SCALE } from './rating';

/** Each rating in a word, beside the stars. */
const WORDS: Record<number, MessageKey> = { 1: 'csat.word.1', 2: 'csat.word.2', 3: 'csat.word.3', 4: 'csat.word.4', 5: 'csat.word.5' };

export function StarPicker({ value, onChoose, disabled, error, legend }: { value: number | null; onChoose: (rating: number) => void; disabled?: boolean; error?: string | undefined; legend?: string }) {
  const id = useId();
  return (
    <fieldset class={error ? 'star-picker field--invalid' : 'star-picker'} aria-describedby={error ? `${id}-error` : undefined}>
      <legend>{legend ?? t('csat.your_rating')}</legend>
      <div class="star-buttons">
        {SCALE.map((n) => (
          <button
            key={n}
            type="button"
            class={value !== null && n <= value ? 'star-button star-button--on' : 'star-button'}
            aria-pressed={value === n ? 'true' : 'false'}
            aria-label={tn('csat.stars', n)}
            disabled={disabled}
            onClick={() => onChoose(n)}
          >
            <span aria-hidden="true">★</span>
          </button>
        ))}
        <span class="star-words" aria-hidden="true">
          {value !== null && WORDS[value] ? t(WORDS[value]) : ''}
        </span>
      </div>
      <FieldError id={id} error={error} />
    </fieldset>
  );
}
