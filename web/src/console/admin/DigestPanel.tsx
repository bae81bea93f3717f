/**
 * The report digest's settings (owners and admins): how often it is mailed (never, every day,
 * every week on a chosen day), at what hour in which time zone (typed, with the zones the
 * browser knows suggested), and to whom (up to 20 addresses, a row each, added and removed with
 * buttons); when the last one was mailed and when the next one goes. Checked here first
 * (`../reports.ts`); the server's refusals are shown beside their controls (`recipients[2]`
 * beside the third address sent).
 */

import { useId, useState } from 'preact/hooks';
import { ApiProblem } from '../../api/problem';
import { getDigest, saveDigest, type Digest, type DigestWeekday } from '../../data/reports';
import { useResource } from '../../data/resource';
import { formatDate, formatDateTime, t } from '../../i18n';
import { useMember } from '../../tenant/member';
import { FieldGroup, SelectField, TextField } from '../../ui/Field';
import { refusedFields, translated, useFields } from '../../ui/form';
import { FormEnd } from '../../ui/FormEnd';
import { useFocusAfterRender, useSubmit } from '../../ui/hooks';
import { Loaded, Notice } from '../../ui/status';
import {
  FREQUENCIES,
  addDays,
  FREQUENCY_LABEL,
  RECIPIENTS_MAX,
  checkDigestForm,
  digestErrorOf,
  digestFormValues,
  hourText,
  recipientError,
  recipientRow,
  type DigestFormError,
  type DigestFormValues,
} from '../reports';
import { DAY_NAME, WEEKDAYS } from '../schedules';
import { TimeZoneField } from './TimeZoneField';
import { Panel } from '../../ui/Panel';

export function DigestPanel() {
  const { slug } = useMember();
  const digest = useResource(`report-digest:${slug}`, getDigest);
  const [notice, setNotice] = useState('');
  return (
    <Panel title={t('reports.digest.title')}>
      <p class="hint">{t('reports.digest.lead')}</p>
      <Loaded resource={digest}>
        {(data) => (
          <>
            <DigestFacts digest={data} />
            {notice ? <Notice tone="success">{notice}</Notice> : null}
            <DigestForm
              initial={digestFormValues(data)}
              onSaved={(saved) => {
                // The form keeps what was typed (and the focus); the facts show what the server
                // planned.
                digest.setData(() => saved);
                setNotice(t('reports.digest.saved'));
              }}
              onEdit={() => setNotice('')}
            />
          </>
        )}
      </Loaded>
    </Panel>
  );
}

/** The last period the digest is done with (mailed, or passed over when the settings were saved
 * after its hour) and when the next one goes. */
function DigestFacts({ digest }: { digest: Digest }) {
  return (
    <dl class="facts digest-facts">
      <div>
        <dt>{t('reports.digest.last_sent')}</dt>
        <dd>
          {digest.last_sent_period_end
            ? // The end is exclusive: the last day covered is the one before.
              t('reports.digest.last_sent_through', { date: formatDate(`${addDays(digest.last_sent_period_end, -1)}T12:00:00`) })
            : t('reports.digest.never')}
        </dd>
      </div>
      <div>
        <dt>{t('reports.digest.next_send')}</dt>
        <dd>{digest.next_send_at ? formatDateTime(digest.next_send_at) : t('reports.digest.not_planned')}</dd>
      </div>
    </dl>
  );
}

type Errors = Partial<Record<DigestFormError, string>>;

function DigestForm({ initial, onSaved, onEdit }: { initial: DigestFormValues; onSaved: (digest: Digest) => void; onEdit: () => void }) {
  const form = useFields<DigestFormValues, DigestFormError>(initial, { editAnswersForm: true, onEdit });
  const { values } = form;
  const errors = form.errors as Errors;
  const submission = useSubmit();
  const id = useId();
  const { focusAfter } = useFocusAfterRender(form.ref);
  const { change } = form;

  const setRecipient = (index: number, email: string) =>
    change({ recipients: values.recipients.map((row, i) => (i === index ? { ...row, email } : row)) }, [recipientError(index), 'recipients']);
  const addRecipient = () => {
    const row = recipientRow();
    focusAfter(`[data-recipient="${row.id}"] input`);
    change({ recipients: [...values.recipients, row] }, ['recipients']);
  };
  const removeRecipient = (index: number) => {
    const rows = values.recipients;
    const next = rows[index + 1] ?? rows[index - 1];
    focusAfter(next ? `[data-recipient="${next.id}"] button` : '[data-action="add-recipient"]');
    // The rows after it move up: their errors no longer match them.
    change({ recipients: rows.filter((_, i) => i !== index) }, ['recipients'], 'recipient.');
  };

  const onSubmit = (event: Event) => {
    event.preventDefault();
    const { errors: found, request, sources } = checkDigestForm(values);
    form.submit(submission, {
      found: translated(found),
      request,
      send: async (digest) => onSaved(await saveDigest(digest)),
      refused: (error): Errors => (error instanceof ApiProblem && error.code === 'validation_failed' ? refusedFields(error, (field) => digestErrorOf(field, sources)) : {}),
    });
  };

  const full = values.recipients.length >= RECIPIENTS_MAX;
  return (
    <form ref={form.ref} class="form digest-form" onSubmit={onSubmit} noValidate>
      <div class="field-row field-row--three">
        <SelectField
          label={t('reports.digest.frequency')}
          name="frequency"
          value={values.frequency}
          error={errors.frequency}
          options={FREQUENCIES.map((f) => ({ value: f, label: t(FREQUENCY_LABEL[f]) }))}
          onValue={(v) => change({ frequency: v as DigestFormValues['frequency'] }, ['frequency', 'recipients'])}
        />
        {values.frequency === 'weekly' ? (
          <SelectField
            label={t('reports.digest.weekday')}
            {...form.field('weekday')}
            options={WEEKDAYS.map((d) => ({ value: d, label: t(DAY_NAME[d]) }))}
          />
        ) : null}
        <SelectField
          label={t('reports.digest.hour')}
          {...form.field('hour')}
          options={Array.from({ length: 24 }, (_, h) => ({ value: String(h), label: hourText(h) }))}
        />
      </div>
      <TimeZoneField label={t('reports.digest.zone')} hint={t('reports.digest.zone_hint')} {...form.field('timeZone', 'time_zone')} />
      <FieldGroup
        id={`${id}-recipients`}
        class="digest-recipients"
        legend={t('reports.digest.recipients')}
        hint={t('reports.digest.recipients_hint', { max: RECIPIENTS_MAX })}
        error={errors.recipients}
        add={full ? null : { label: t('reports.digest.recipient_add'), action: 'add-recipient', onAdd: addRecipient }}
      >
        {values.recipients.length ? (
          <div class="field-option-list">
            {values.recipients.map((row, index) => (
              <div key={row.id} class="field-option digest-recipient" role="group" aria-label={t('reports.digest.recipient', { n: index + 1 })} data-recipient={row.id}>
                <TextField
                  label={t('reports.digest.recipient_email', { n: index + 1 })}
                  name={`recipients[${index}]`}
                  type="email"
                  autocomplete="off"
                  value={row.email}
                  error={errors[recipientError(index)]}
                  onValue={(v) => setRecipient(index, v)}
                />
                <button type="button" class="button button--secondary button--small" onClick={() => removeRecipient(index)}>
                  {t('reports.digest.recipient_remove', { n: index + 1 })}
                </button>
              </div>
            ))}
          </div>
        ) : (
          <p class="hint">{t('reports.digest.recipients_empty')}</p>
        )}
      </FieldGroup>
      <FormEnd formError={errors.form} submission={submission} submitLabel={t('reports.digest.save')} />
    </form>
  );
}
