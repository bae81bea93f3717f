/** A rating or an average as stars, with its words for assistive technology ("4 out of 5"). */

import { formatAverage, formatNumber, t } from '../i18n';
import { SCALE, starsFor } from './rating';

export function Stars({ value }: { value: number }) {
  const { full, half } = starsFor(value);
  const label = t('csat.out_of_five', { rating: Number.isInteger(value) ? formatNumber(value) : formatAverage(value) });
  return (
    <span class="stars" role="img" aria-label={label} title={label}>
      {SCALE.map((n) => (
        <span key={n} aria-hidden="true" class={n <= full ? 'star star--on' : n === full + 1 && half ? 'star star--half' : 'star'}>
          ★
        </span>
      ))}
    </span>
  );
}
