/** An optional comment on a rating, up to 2,000 characters. */

import { t } from '../i18n';
import { TextArea } from '../ui/Field';
import { useFields } from '../ui/form';
import { useSubmit } from '../ui/hooks';
import { ErrorAlert } from '../ui/status';
import { maxLength, required } from '../ui/validate';
import { COMMENT_MAX, isAlreadyRated } from './rating';

export function CommentForm({ onSend, alreadyMessage }: { onSend: (comment: string) => Promise<void>; alreadyMessage: string }) {
  const form = useFields({ text: '' });
  const submission = useSubmit();
  const onSubmit = (event: Event) => {
    event.preventDefault();
    if (!form.check({ text: [required, maxLength(COMMENT_MAX)] })) return;
    void submission.run(() => onSend(form.values.text.trim()));
  };
  return (
    <form ref={form.ref} class="form" onSubmit={onSubmit} noValidate>
      <TextArea
        label={t('csat.comment.label')}
        hint={t('csat.comment.hint')}
        name="comment"
        rows={4}
        value={form.values.text}
        error={form.errors.text}
        onValue={form.set('text')}
      />
      {isAlreadyRated(submission.error) ? (
        <div class="alert alert--error" role="alert">
          <p>{alreadyMessage}</p>
        </div>
      ) : (
        <ErrorAlert error={submission.error} />
      )}
      <button type="submit" class="button" disabled={submission.busy}>
        {submission.busy ? t('common.working') : t('csat.comment.submit')}
      </button>
    </form>
  );
}
