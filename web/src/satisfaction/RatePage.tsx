/**
 * The page the resolution mail's stars link to (`/rate?token=T&rating=N`), signed in or not: it
 * records the rating as soon as it opens (a link without a rating asks for one first), thanks
 * the customer, and offers to add a comment (the same token once more, with the comment). The
 * host names the organisation; no session is needed.
 */

import { useState } from 'preact/hooks';
import { ratingLink, rateByLink, type Rating } from '../data/satisfaction';
import { useResource } from '../data/resource';
import { t } from '../i18n';
import { Link } from '../router/router';
import { Page } from '../ui/Page';
import { ErrorAlert, Loading, Notice } from '../ui/status';
import { CommentForm } from './CommentForm';
import { StarPicker } from './StarPicker';
import { Stars } from './Stars';
import { isAlreadyRated, isInvalidToken } from './rating';

export function RatePage({ token, rating }: { token: string | null; rating: number | null }) {
  return <Page title={t('csat.page.title')} narrow>{token ? <Rate token={token} linked={rating} /> : <InvalidLink />}</Page>;
}

function Rate({ token, linked }: { token: string; linked: number | null }) {
  const [chosen, setChosen] = useState<number | null>(linked);
  // What the link is about, for the page's words (and the rating given before, if any).
  const about = useResource(`rate-link:${token}`, (signal) => ratingLink(token, signal));
  const outcome = useResource<Rating | null>(`rate:${token}:${chosen ?? ''}`, () => (chosen === null ? Promise.resolve(null) : rateByLink(token, chosen)));
  const [commented, setCommented] = useState<Rating | null>(null);

  if (isInvalidToken(outcome.error) || (chosen === null && isInvalidToken(about.error))) return <InvalidLink />;
  const ticket = about.data ? <p class="lead">{t('csat.page.ticket', { number: about.data.ticket_number, subject: about.data.subject })}</p> : null;
  const already = isAlreadyRated(outcome.error) || (chosen === null && about.data?.rating);
  const recorded = outcome.data ?? (already ? (about.data?.rating ?? null) : null);
  const latest = commented ?? recorded;

  return (
    <>
      {ticket}
      {chosen === null && !already ? (
        about.loading && !about.data ? (
          <Loading />
        ) : (
          <section class="panel" aria-label={t('csat.widget.title')}>
            <p>{t('csat.page.choose')}</p>
            <StarPicker value={null} onChoose={setChosen} />
          </section>
        )
      ) : null}
      {outcome.loading && chosen !== null ? <Loading label={t('csat.page.recording')} /> : null}
      {outcome.data ? (
        <Notice tone="success">
          <p>{t('csat.page.thanks')}</p>
          <p>
            {t('csat.page.recorded')} <Stars value={outcome.data.rating} />
          </p>
        </Notice>
      ) : null}
      {already ? (
        <Notice>
          <p>{t('csat.page.already')}</p>
          {recorded ? (
            <p>
              {t('csat.page.given')} <Stars value={recorded.rating} />
            </p>
          ) : null}
        </Notice>
      ) : null}
      <ErrorAlert error={already ? null : outcome.error} overrides={{ not_resolved: 'csat.page.reopened' }} onRetry={outcome.reload} />
      {latest?.comment ? (
        <figure class="rating-comment">
          <figcaption>{t('csat.page.your_comment')}</figcaption>
          <blockquote>{latest.comment}</blockquote>
        </figure>
      ) : null}
      {commented ? <Notice tone="success">{t('csat.page.comment_thanks')}</Notice> : null}
      {recorded && !recorded.comment && !commented ? (
        <CommentForm
          onSend={async (comment) => setCommented(await rateByLink(token, recorded.rating, comment))}
          alreadyMessage={t('csat.page.comment_already')}
        />
      ) : null}
      <p>
        <Link href="/">{t('csat.page.tickets')}</Link>
      </p>
    </>
  );
}

function InvalidLink() {
  return (
    <>
      <div class="alert alert--error" role="alert">
        <p>{t('csat.page.invalid')}</p>
      </div>
      <p>
        <Link href="/">{t('csat.page.tickets')}</Link>
      </p>
    </>
  );
}
