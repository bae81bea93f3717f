//! An optional comment on a rating, up to 2,000 characters.

import { useRef, useState } from 'preact/hooks';
import { t } from '../i18n';
import { TextArea, focusFirstInvalid } from '../ui/Field';
import { useSubmit } from '../ui/hooks';
import { ErrorAlert } from '../ui/status';
import { maxLength, required, validate } from '../ui/validate';
import { COMMENT_MAX, isAlreadyRated } from './rating';

export function CommentForm({ onSend, alreadyMessage }: { onSend: (comment: string) => Promise<void>; alreadyMessage: string }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | undefined>();
  const submission = useSubmit();
  const ref = useRef<HTMLFormElement>(null);
  const onSubmit = (event: Event) => {
    event.preventDefault();
    const found = validate({ text }, { text: [required, maxLength(COMMENT_MAX)] });
    setError(found.text);
    if (found.text) return void requestAnimationFrame(() => focusFirstInvalid(ref.current));
    void submission.run(() => onSend(text.trim()));
  };
  return (
    <form ref={ref} class="form" onSubmit={onSubmit} noValidate>
      <TextArea
        label={t('csat.comment.label')}
        hint={t('csat.comment.hint')}
        name="comment"
        rows={4}
        value={text}
        error={error}
        onValue={(v) => {
          setText(v);
          setError(undefined);
        }}
      />
      {isAlreadyRated(submission.error) ? (
        <div class="alert alert--error" role="alert">
          <p>{alreadyMessage}</p>
        </div>
      ) : submission.error ? (
        <ErrorAlert error={submission.error} />
      ) : null}
      <button type="submit" class="button" disabled={submission.busy}>
        {submission.busy ? t('common.working') : t('csat.comment.submit')}
      </button>
    </form>
  );
}
