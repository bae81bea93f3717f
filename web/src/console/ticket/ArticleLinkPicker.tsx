//! Choosing a help center article to link to in a reply: a modal dialog with a search box that
//! keeps the focus while the arrow keys move through the published articles found (a combobox
//! with its listbox), Enter choosing the highlighted one. The composer puts the article's title
//! and public address where the cursor was.

import { useEffect, useId, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { searchArticles, type SearchHit } from '../../data/helpCenter';
import { useResource } from '../../data/resource';
import { t, tn } from '../../i18n';
import { ArticleHtml } from '../../helpCenter/ArticleHtml';
import { SUGGEST_DELAY_MS, searchTerm } from '../../helpCenter/suggest';
import { useDebounced } from '../../helpCenter/useDebounced';
import { useMember } from '../../tenant/member';
import { useModalDialog } from '../../ui/hooks';
import { EmptyState, ErrorAlert } from '../../ui/status';
import { moveHighlight } from '../macros';
import { LOCALE_LABEL } from '../helpCenter';

/** How many articles a search lists. */
const RESULTS = 10;

export function ArticleLinkPicker({ open, onClose, onPick }: { open: boolean; onClose: () => void; onPick: (hit: SearchHit) => void }) {
  const dialog = useModalDialog(open);
  const titleId = useId();
  return (
    <dialog ref={dialog} class="dialog dialog--wide" aria-labelledby={titleId} onClose={onClose}>
      <h2 id={titleId}>{t('help.link.title')}</h2>
      {open ? <PickerBody onPick={onPick} /> : null}
      <button type="button" class="button button--secondary" onClick={onClose}>
        {t('help.link.close')}
      </button>
    </dialog>
  );
}

/** Mounted while the dialog is open: a new search at each opening. */
function PickerBody({ onPick }: { onPick: (hit: SearchHit) => void }) {
  const { slug } = useMember();
  const [query, setQuery] = useState('');
  const [highlight, setHighlight] = useState(0);
  const term = useDebounced(searchTerm(query, 1), SUGGEST_DELAY_MS, null);
  const found = useResource(`kb-link:${slug}:${term ?? ''}`, (signal) => (term ? searchArticles(term, RESULTS, signal) : Promise.resolve([])));
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const shown = term ? (found.data ?? []) : [];
  const active = highlight >= 0 && highlight < shown.length ? shown[highlight] : undefined;
  const optionId = (hit: SearchHit) => `${id}-article-${hit.id}`;
  // The search answered for what is typed now (not for what was typed a moment ago).
  const settled = term === searchTerm(query, 1) && !found.loading;

  useLayoutEffect(() => input.current?.focus(), []);
  useEffect(() => setHighlight(0), [term]);
  useEffect(() => {
    if (active) document.getElementById(optionId(active))?.scrollIntoView({ block: 'nearest' });
  }, [active?.id]);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      setHighlight((h) => moveHighlight(h, event.key === 'ArrowDown' ? 1 : -1, shown.length));
    } else if (event.key === 'Home' || event.key === 'End') {
      if (!shown.length) return;
      event.preventDefault();
      setHighlight(event.key === 'Home' ? 0 : shown.length - 1);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      if (active) onPick(active);
    }
  };

  return (
    <div class="picker">
      <div class="field">
        <label for={`${id}-search`}>{t('help.link.search')}</label>
        <p class="field-hint" id={`${id}-hint`}>
          {t('help.link.hint')}
        </p>
        <input
          ref={input}
          id={`${id}-search`}
          type="text"
          role="combobox"
          autocomplete="off"
          maxLength={200}
          aria-autocomplete="list"
          aria-expanded={shown.length > 0 ? 'true' : 'false'}
          aria-controls={`${id}-list`}
          aria-activedescendant={active ? optionId(active) : undefined}
          aria-describedby={`${id}-hint`}
          value={query}
          onInput={(e) => setQuery(e.currentTarget.value)}
          onKeyDown={onKeyDown}
        />
      </div>
      <ErrorAlert error={term ? found.error : null} onRetry={found.reload} />
      {term && settled && !found.error && shown.length === 0 ? <EmptyState title={t('help.link.none', { query: term })} /> : null}
      <ul id={`${id}-list`} class="picker-list" role="listbox" aria-label={t('help.link.list')} hidden={!shown.length}>
        {shown.map((hit, index) => (
          <li
            key={hit.id}
            id={optionId(hit)}
            role="option"
            aria-selected={index === highlight ? 'true' : 'false'}
            class={index === highlight ? 'picker-option picker-option--active' : 'picker-option'}
            // The search box keeps the focus; a click chooses as Enter does.
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => onPick(hit)}
          >
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
