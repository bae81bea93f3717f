/**
 * The end of a settings form: the refusal of the form as a whole (found before sending), the
 * server's refusal, and the buttons to send it and, for a form opened in place, to cancel.
 */

import type { Overrides } from '../errors/describe';
import { t } from '../i18n';
import type { Submission } from './hooks';
import { ErrorAlert } from './status';

export function FormEnd({
  formError,
  submission,
  overrides,
  submitLabel,
  cancel,
}: {
  formError?: string;
  submission: Submission;
  /** How the server's refusals read here (`describeProblem`), besides a refusal of fields, which
   * asks to check the fields (their own errors are beside them). */
  overrides?: Overrides;
  submitLabel: string;
  /** The Cancel button, when the form is opened in place (`onCancel`). */
  cancel?: { label: string; onCancel?: (() => void) | undefined };
}) {
  const onCancel = cancel?.onCancel;
  return (
    <>
      {formError ? (
        <div class="alert alert--error" role="alert">
          <p>{formError}</p>
        </div>
      ) : null}
      <ErrorAlert error={submission.error} overrides={{ validation_failed: 'error.check_fields', ...overrides }} />
      <div class="actions">
        <button type="submit" class="button" disabled={submission.busy}>
          {submission.busy ? t('common.working') : submitLabel}
        </button>
        {cancel && onCancel ? (
          <button type="button" class="button button--secondary" onClick={onCancel}>
            {cancel.label}
          </button>
        ) : null}
      </div>
    </>
  );
}
