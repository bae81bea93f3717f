/**
 * "How did we do?": on a resolved or closed ticket whose resolution the customer has not rated
 * yet, 1 to 5 stars and an optional comment; once rated, the rating as given. The server says
 * whether the ticket may be rated now (`rateable`).
 */

import { useState } from 'preact/hooks';
import type { TicketDetail } from '../api/schemas';
import { rateTicket, ticketSatisfaction, type TicketSatisfaction } from '../data/satisfaction';
import { useResource } from '../data/resource';
import { t } from '../i18n';
import { TextArea } from '../ui/Field';
import { useFields } from '../ui/form';
import { useSubmit } from '../ui/hooks';
import { ErrorAlert, Notice } from '../ui/status';
import { maxLength, validate } from '../ui/validate';
import { StarPicker } from '../satisfaction/StarPicker';
import { Stars } from '../satisfaction/Stars';
import { COMMENT_MAX, isAlreadyRated } from '../satisfaction/rating';
import { Panel } from '../ui/Panel';

export function RatingPanel({ ticket }: { ticket: TicketDetail }) {
  if (ticket.status !== 'resolved' && ticket.status !== 'closed') return null;
  // Read again when the ticket moves (resolved again after a reopening: a new resolution).
  return <Rating key={`${ticket.id}:${ticket.status}:${ticket.resolved_at ?? ''}`} ticketId={ticket.id} />;
}

function Rating({ ticketId }: { ticketId: number }) {
  const state = useResource<TicketSatisfaction>(`satisfaction:${ticketId}`, (signal) => ticketSatisfaction(ticketId, signal));
  const [thanked, setThanked] = useState(false);
  const data = state.data;
  if (!data || (!data.rateable && !data.rating)) return <ErrorAlert error={state.error} onRetry={state.reload} />;
  return (
    <Panel class="panel--accent" title={t('csat.widget.title')}>
      {data.rating ? (
        <>
          {thanked ? <Notice tone="success">{t('csat.widget.thanks')}</Notice> : null}
          <p>
            {t('csat.widget.given')} <Stars value={data.rating.rating} />
          </p>
          {data.rating.comment ? (
            <figure class="rating-comment">
              <figcaption>{t('csat.page.your_comment')}</figcaption>
              <blockquote>{data.rating.comment}</blockquote>
            </figure>
          ) : null}
        </>
      ) : (
        <RatingForm
          ticketId={ticketId}
          onRated={(rating) => {
            state.setData(() => ({ rateable: false, rating }));
            setThanked(true);
          }}
          onStale={state.reload}
        />
      )}
    </Panel>
  );
}

function RatingForm({ ticketId, onRated, onStale }: { ticketId: number; onRated: (rating: NonNullable<TicketSatisfaction['rating']>) => void; onStale: () => void }) {
  const form = useFields<{ rating: number | null; comment: string }>({ rating: null, comment: '' });
  const { values, errors } = form;
  const { rating, comment } = values;
  const submission = useSubmit();
  const onSubmit = (event: Event) => {
    event.preventDefault();
    const found = validate({ comment }, { comment: [maxLength(COMMENT_MAX)] });
    if (!form.show({ rating: rating === null ? t('csat.widget.choose') : undefined, comment: found.comment }) || rating === null) return;
    void submission.run(async () => {
      try {
        onRated(await rateTicket(ticketId, rating, comment));
      } catch (error) {
        // Rated in another tab, or from the mail's link: what stands is shown.
        if (isAlreadyRated(error)) return onStale();
        throw error;
      }
    });
  };
  return (
    <form ref={form.ref} class="form" onSubmit={onSubmit} noValidate>
      <p>{t('csat.widget.lead')}</p>
      <StarPicker
        value={rating}
        disabled={submission.busy}
        error={errors.rating}
        onChoose={form.set('rating')}
      />
      <TextArea
        label={t('csat.widget.comment')}
        hint={t('csat.comment.hint')}
        name="comment"
        rows={3}
        value={comment}
        error={errors.comment}
        onValue={form.set('comment')}
      />
      <ErrorAlert error={submission.error} overrides={{ not_resolved: 'csat.widget.not_resolved' }} />
      <button type="submit" class="button" disabled={submission.busy}>
        {submission.busy ? t('common.working') : t('csat.widget.submit')}
      </button>
    </form>
  );
}
