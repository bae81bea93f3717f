/**
 * Choosing a help center article to link to in a reply: a modal dialog with a search box that
 * keeps the focus while the arrow keys move through the published articles found (a combobox
 * with its listbox), Enter choosing the highlighted one. The composer puts the article's title
 * and public address where the cursor was.
 */

import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { searchArticles, type SearchHit } from '../../data/helpCenter';
import { useResource } from '../../data/resource';
import { t, tn } from '../../i18n';
import { ArticleHtml } from '../../helpCenter/ArticleHtml';
import { SUGGEST_DELAY_MS, searchTerm } from '../../helpCenter/suggest';
import { useDebounced } from '../../helpCenter/useDebounced';
import { useMember } from '../../tenant/member';
import { FormRow } from '../../ui/Field';
import { useListbox } from '../../ui/listbox';
import { EmptyState, ErrorAlert } from '../../ui/status';
import { PickerDialog } from './PickerDialog';
import { LOCALE_LABEL } from '../helpCenter';

/** How many articles a search lists. */
const RESULTS = 10;

export function ArticleLinkPicker({ open, onClose, onPick }: { open: boolean; onClose: () => void; onPick: (hit: SearchHit) => void }) {
  return (
    <PickerDialog open={open} title={t('help.link.title')} closeLabel={t('help.link.close')} onClose={onClose}>
      <PickerBody onPick={onPick} />
    </PickerDialog>
  );
}

/** Mounted while the dialog is open: a new search at each opening. */
function PickerBody({ onPick }: { onPick: (hit: SearchHit) => void }) {
  const { slug } = useMember();
  const [query, setQuery] = useState('');
  const term = useDebounced(searchTerm(query, 1), SUGGEST_DELAY_MS, null);
  const found = useResource(`kb-link:${slug}:${term ?? ''}`, (signal) => (term ? searchArticles(term, RESULTS, signal) : Promise.resolve([])));
  const input = useRef<HTMLInputElement>(null);
  const shown = term ? (found.data ?? []) : [];
  const listbox = useListbox(shown, (hit) => hit.id, onPick);
  const { id, setHighlight } = listbox;
  // The search answered for what is typed now (not for what was typed a moment ago).
  const settled = term === searchTerm(query, 1) && !found.loading;

  useLayoutEffect(() => input.current?.focus(), []);
  useEffect(() => setHighlight(0), [term]);

  return (
    <div class="picker">
      <FormRow id={`${id}-search`} label={t('help.link.search')} hint={t('help.link.hint')}>
        {(control) => (
          <input ref={input} {...control} {...listbox.combobox} type="text" autocomplete="off" maxLength={200} value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
        )}
      </FormRow>
      <ErrorAlert error={term ? found.error : null} onRetry={found.reload} />
      {term && settled && !found.error && shown.length === 0 ? <EmptyState title={t('help.link.none', { query: term })} /> : null}
      <ul id={listbox.listId} class="picker-list" role="listbox" aria-label={t('help.link.list')} hidden={!shown.length}>
        {shown.map((hit, index) => (
          <li key={hit.id} {...listbox.option(hit, index)}>
            <span class="picker-name" lang={hit.locale}>
              {hit.title}
            </span>
            <span class="picker-effects">
              {t(LOCALE_LABEL[hit.locale])}
              {hit.snippet_html.trim() ? (
                <>
                  {' · '}
                  <span lang={hit.locale}>
                    <ArticleHtml html={hit.snippet_html} inline />
                  </span>
                </>
              ) : null}
            </span>
          </li>
        ))}
      </ul>
      <p class="live-note" role="status">
        {term && settled && shown.length ? tn('help.link.found', shown.length) : ''}
      </p>
    </div>
  );
}
