/**
 * The ticket's fields, which anyone on the staff may fill in: one control per field the
 * organisation defined (Settings, Fields), of its type. Saving sends only the fields changed here
 * (`fields`, merged by the server into what the ticket holds, `null` clearing one), so a
 * colleague's change to another field is not undone; what is typed stays while the ticket is read
 * again. A value the server refuses is said beside its control. The fields a move to Resolved
 * found empty are flagged until they are filled in. A closed ticket shows its values only.
 */

import { useId, useRef, useState } from 'preact/hooks';
import type { TicketDetail } from '../../api/schemas';
import type { FieldDefinition } from '../../data/fields';
import { updateTicket } from '../../data/tickets';
import { t, tn } from '../../i18n';
import { FieldControl } from '../../tickets/FieldControl';
import { fieldChanges, fieldName, isEmpty, quotedFields, serverFieldErrors, toInput, valueText, type FieldInput } from '../../tickets/fields';
import { useFieldDefinitions } from '../../tickets/useFieldDefinitions';
import { focusFirstInvalid } from '../../ui/Field';
import { useSubmit } from '../../ui/hooks';
import { ErrorAlert } from '../../ui/status';
import { Property } from './Property';

type Props = {
  ticket: TicketDetail;
  /** The keys a move to Resolved was refused for (`fields_required`). */
  refused: readonly string[] | null;
  onChanged: () => Promise<void>;
  onAnnounce: (text: string) => void;
};

/** Nothing while the organisation has no fields (or they could not be read). */
export function FieldsControl(props: Props) {
  const definitions = useFieldDefinitions();
  const fields = definitions.data ?? [];
  return fields.length ? <FieldsProperty fields={fields} {...props} /> : null;
}

function FieldsProperty({ fields, ticket, refused, onChanged, onAnnounce }: Props & { fields: FieldDefinition[] }) {
  const id = useId();
  const labelId = `${id}-title`;
  const held = (ticket.fields ?? {}) as Record<string, unknown>;
  // What was changed here and not saved yet, by key.
  const [draft, setDraft] = useState<Record<string, FieldInput>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const submission = useSubmit();
  const form = useRef<HTMLFormElement>(null);
  const focusInvalid = () => void requestAnimationFrame(() => focusFirstInvalid(form.current));
  const inputOf = (field: FieldDefinition) => (field.key in draft ? draft[field.key]! : toInput(field.type, held[field.key]));

  if (ticket.status === 'closed') {
    return (
      <Property id={labelId} label={t('fields.ticket.title')}>
        <dl class="facts facts--stacked">
          {fields.map((field) => (
            <div key={field.key}>
              <dt>{fieldName(field)}</dt>
              <dd>{valueText(field, held[field.key]) || t('fields.value.none')}</dd>
            </div>
          ))}
        </dl>
      </Property>
    );
  }

  const onSubmit = (event: Event) => {
    event.preventDefault();
    const { changes, errors: found } = fieldChanges(fields, draft, held);
    if (Object.keys(found).length) {
      setErrors(Object.fromEntries(Object.entries(found).map(([key, message]) => [key, t(message)])));
      focusInvalid();
      return;
    }
    const keys = Object.keys(changes);
    if (!keys.length) {
      setDraft({});
      onAnnounce(t('fields.ticket.unchanged'));
      return;
    }
    void submission.run(async () => {
      let saved = false;
      try {
        await updateTicket(ticket.id, { fields: changes });
        saved = true;
      } catch (error) {
        // A value refused is said beside its control, which keeps what was typed.
        const server = serverFieldErrors(error);
        if (!Object.keys(server).length) throw error;
        setErrors(server);
        focusInvalid();
      } finally {
        await onChanged();
      }
      if (!saved) return;
      setDraft((d) => Object.fromEntries(Object.entries(d).filter(([key]) => !keys.includes(key))));
      onAnnounce(tn('fields.ticket.saved', keys.length, { fields: quotedFields(keys, fields) }));
    });
  };

  const errorOf = (field: FieldDefinition) =>
    errors[field.key] ?? (refused?.includes(field.key) && isEmpty(held[field.key]) ? t('fields.ticket.required_missing') : undefined);

  return (
    <Property id={labelId} label={t('fields.ticket.title')}>
      <form ref={form} class="form property-fields" onSubmit={onSubmit} noValidate>
        {fields.map((field) => (
          <FieldControl
            key={field.key}
            field={field}
            input={inputOf(field)}
            error={errorOf(field)}
            hint={field.required_to_resolve ? t('fields.ticket.required_hint') : undefined}
            onInput={(input) => {
              setDraft((d) => ({ ...d, [field.key]: input }));
              // A corrected control stops being flagged as soon as it is edited.
              setErrors((e) => (field.key in e ? Object.fromEntries(Object.entries(e).filter(([key]) => key !== field.key)) : e));
            }}
          />
        ))}
        <ErrorAlert error={submission.error} />
        <div class="actions">
          <button type="submit" class="button button--secondary" disabled={submission.busy}>
            {submission.busy ? t('common.working') : t('fields.ticket.submit')}
          </button>
        </div>
      </form>
    </Property>
  );
}
