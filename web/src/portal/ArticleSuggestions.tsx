/**
 * The help center's articles that may answer what a customer is about to ask: searched with the
 * subject as it is typed (once it has a few characters, after a pause), listed under it with the
 * words found marked. One opens in a dialog above the form, which keeps everything typed: read
 * with `from=suggestion` (the server counts the view, and whether a ticket followed), with
 * "Was this helpful?" and the way back to the form.
 */

import { useEffect, useId, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { getArticle, searchArticles, sendFeedback, type SearchHit } from '../data/helpCenter';
import { useResource } from '../data/resource';
import { t, tn } from '../i18n';
import { ArticleHtml } from '../helpCenter/ArticleHtml';
import { SUGGEST_DELAY_MS, searchTerm } from '../helpCenter/suggest';
import { useDebounced } from '../helpCenter/useDebounced';
import { useMember } from '../tenant/member';
import { useModalDialog, useSubmit } from '../ui/hooks';
import { ErrorAlert, Loaded } from '../ui/status';

/** How many articles are suggested at most. */
const SUGGESTIONS = 5;

export function ArticleSuggestions({ subject }: { subject: string }) {
  const { slug } = useMember();
  const term = useDebounced(searchTerm(subject), SUGGEST_DELAY_MS, null);
  // A failed search suggests nothing: the form works as well without.
  const found = useResource(`kb-suggest:${slug}:${term ?? ''}`, (signal) => (term ? searchArticles(term, SUGGESTIONS, signal) : Promise.resolve([])));
  const [open, setOpen] = useState<SearchHit | null>(null);
  const [voted, setVoted] = useState<Record<string, boolean>>({});
  const opener = useRef<HTMLButtonElement | null>(null);
  const id = useId();
  const hits = term && !found.error ? (found.data ?? []) : [];

  const close = () => {
    setOpen(null);
    opener.current?.focus();
  };

  return (
    <>
      <p class="visually-hidden" role="status">
        {hits.length ? tn('help.suggest.found', hits.length) : ''}
      </p>
      {hits.length ? (
        <section class="suggestions" aria-labelledby={id}>
          <h2 id={id}>{t('help.suggest.title')}</h2>
          <ul class="suggestion-list">
            {hits.map((hit) => (
              <li key={hit.id} class="suggestion" lang={hit.locale}>
                <button
                  type="button"
                  class="button button--link suggestion-open"
                  aria-haspopup="dialog"
                  onClick={(event) => {
                    opener.current = event.currentTarget;
                    setOpen(hit);
                  }}
                >
                  {hit.title}
                </button>
                {hit.snippet_html.trim() ? <ArticleHtml html={hit.snippet_html} inline class="suggestion-snippet" /> : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <SuggestedArticle hit={open} voted={open ? voted[open.id] : undefined} onVoted={(articleId, helpful) => setVoted((v) => ({ ...v, [articleId]: helpful }))} onClose={close} />
    </>
  );
}

function SuggestedArticle({
  hit,
  voted,
  onVoted,
  onClose,
}: {
  hit: SearchHit | null;
  voted: boolean | undefined;
  onVoted: (id: string, helpful: boolean) => void;
  onClose: () => void;
}) {
  const dialog = useModalDialog(hit !== null);
  const titleId = useId();
  // Once open (after `showModal`, an effect above), the reader starts at the article's title.
  useEffect(() => {
    if (hit) document.getElementById(titleId)?.focus();
  }, [hit?.id]);
  return (
    <dialog ref={dialog} class="dialog dialog--wide article-dialog" aria-labelledby={titleId} onClose={onClose}>
      {hit ? <ArticleReader key={hit.id} hit={hit} titleId={titleId} voted={voted} onVoted={onVoted} /> : null}
      <div class="actions">
        <button type="button" class="button button--secondary" onClick={onClose}>
          {t('help.suggest.back')}
        </button>
      </div>
    </dialog>
  );
}

/** Mounted while the dialog shows it: read (and counted) at each opening. */
function ArticleReader({ hit, titleId, voted, onVoted }: { hit: SearchHit; titleId: string; voted: boolean | undefined; onVoted: (id: string, helpful: boolean) => void }) {
  const { slug } = useMember();
  const article = useResource(`kb-suggested:${slug}:${hit.id}`, (signal) => getArticle(hit.id, { suggested: true, signal }));
  return (
    <div class="article-reader">
      <h2 id={titleId} tabIndex={-1} lang={hit.locale}>
        {article.data?.title ?? hit.title}
      </h2>
      <Loaded resource={article}>
        {(shown) => (
          <div lang={shown.locale}>
            <ArticleHtml html={shown.body_html} level={2} class="article-html--reader" />
          </div>
        )}
      </Loaded>
      {article.data ? <Feedback articleId={hit.id} voted={voted} onVoted={onVoted} /> : null}
    </div>
  );
}

/** "Was this helpful?": one answer, thanked whether the server counted it or not (a second vote
 * the same day is not). */
function Feedback({ articleId, voted, onVoted }: { articleId: string; voted: boolean | undefined; onVoted: (id: string, helpful: boolean) => void }) {
  const submission = useSubmit();
  const id = useId();
  const thanks = useRef<HTMLParagraphElement>(null);
  // The buttons go once answered: the focus goes to the thanks that take their place.
  const answered = useRef(false);
  useLayoutEffect(() => {
    if (voted !== undefined && answered.current) thanks.current?.focus();
    answered.current = false;
  }, [voted]);
  const vote = (helpful: boolean) =>
    void submission.run(async () => {
      await sendFeedback(articleId, helpful);
      answered.current = true;
      onVoted(articleId, helpful);
    });
  return (
    <div class="article-feedback">
      {voted === undefined ? (
        <div role="group" aria-labelledby={id} class="actions">
          <span id={id}>{t('help.feedback.question')}</span>
          <button type="button" class="button button--secondary" disabled={submission.busy} onClick={() => vote(true)}>
            {t('help.feedback.yes')}
          </button>
          <button type="button" class="button button--secondary" disabled={submission.busy} onClick={() => vote(false)}>
            {t('help.feedback.no')}
          </button>
        </div>
      ) : null}
      <p ref={thanks} tabIndex={-1} role="status" class="article-thanks">
        {voted === undefined ? '' : t(voted ? 'help.feedback.thanks_yes' : 'help.feedback.thanks_no')}
      </p>
      <ErrorAlert error={submission.error} />
    </div>
  );
}
