/**
 * Who else has this ticket open, and who is typing a reply: an eye beside each name, updated as
 * the live stream says, announced politely.
 */

import { t } from '../../i18n';
import { EyeIcon } from '../../tickets/icons';
import type { Present } from './presence';

export function PresenceNote({ others }: { others: Present[] }) {
  return (
    <div class="presence" role="status">
      {others.length ? (
        <ul class="presence-list">
          {others.map((p) => (
            <li key={p.userId} class={p.typing ? 'presence-person presence-person--typing' : 'presence-person'}>
              <EyeIcon />
              {p.typing ? t('console.presence.typing', { name: p.name || t('console.someone') }) : t('console.presence.viewing', { name: p.name || t('console.someone') })}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
