/**
 * Open a ticket: what it is about, in the customer's words, its category (the organisation's, in
 * the page's language), the order it concerns (asked for, insisted on or not asked at all, as the
 * organisation's ticket settings say), and the organisation's fields that customers fill in (only
 * the ones given are sent). As the subject is typed, the help center's articles that may answer
 * it are suggested under it.
 */

import { useState } from 'preact/hooks';
import { getTicketSettings } from '../data/organisation';
import { useResource } from '../data/resource';
import { createTicket } from '../data/tickets';
import { t } from '../i18n';
import { navigate } from '../router/router';
import { SelectField, TextArea, TextField } from '../ui/Field';
import { useFields } from '../ui/form';
import { useSubmit } from '../ui/hooks';
import { Page } from '../ui/Page';
import { ErrorAlert } from '../ui/status';
import { digitsOnly, maxLength, required, validate } from '../ui/validate';
import { useMember } from '../tenant/member';
import { categoryName, offeredCategories } from '../tickets/categories';
import { FieldControl } from '../tickets/FieldControl';
import { fieldChanges, toInput, type FieldInput } from '../tickets/fields';
import { textToHtml } from '../tickets/text';
import { useFieldDefinitions } from '../tickets/useFieldDefinitions';
import { useTicketCategories } from '../tickets/useTicketCategories';
import { ArticleSuggestions } from './ArticleSuggestions';

export function NewTicketPage() {
  const form = useFields<{ subject: string; description: string; category: string; order: string }, `fields.${string}`>({ subject: '', description: '', category: '', order: '' });
  const submission = useSubmit();
  const { values, errors } = form;
  const fields = (useFieldDefinitions().data ?? []).filter((field) => field.editable_by_customer);
  const [inputs, setInputs] = useState<Record<string, FieldInput>>({});
  const categories = offeredCategories(useTicketCategories().data ?? []);
  const { slug } = useMember();
  // Until the settings answer (or if they cannot be read), the number is asked for as optional:
  // the server has the last word.
  const orderNumber = useResource(`ticket-settings:${slug}`, (signal) => getTicketSettings(signal)).data?.order_number ?? 'optional';

  const onSubmit = (event: Event) => {
    event.preventDefault();
    const found: Record<string, string> = validate(values, {
      subject: [required, maxLength(255)],
      description: [required, maxLength(15000)],
      order: orderNumber === 'required' ? [required, digitsOnly] : [digitsOnly],
    });
    const given = fieldChanges(fields, inputs, {});
    for (const [key, message] of Object.entries(given.errors)) found[`fields.${key}`] = t(message);
    if (!form.show(found)) return;
    void submission.run(async () => {
      await form.server(async () => {
        const ticket = await createTicket({
          subject: values.subject.trim(),
          description: textToHtml(values.description),
          category: values.category || null,
          ...(orderNumber !== 'hidden' && values.order.trim() ? { order_id: Number(values.order.trim()) } : {}),
          ...(Object.keys(given.changes).length ? { fields: given.changes } : {}),
        });
        navigate(`/tickets/${ticket.id}`, { replace: true });
      }, { order_id: 'order' });
    });
  };

  return (
    <Page title={t('portal.new.title')} narrow>
      <form ref={form.ref} class="form" onSubmit={onSubmit} noValidate>
        <TextField label={t('portal.new.subject')} name="subject" autocomplete="off" maxLength={255} value={values.subject} onValue={form.set('subject')} error={errors.subject} required />
        <ArticleSuggestions subject={values.subject} />
        <TextArea label={t('portal.new.description')} name="description" rows={8} hint={t('portal.new.description_hint')} value={values.description} onValue={form.set('description')} error={errors.description} required />
        <SelectField
          label={t('portal.new.category')}
          {...form.field('category')}
          options={[{ value: '', label: t('portal.new.category_none') }, ...categories.map((c) => ({ value: c.key, label: categoryName(c) }))]}
        />
        {orderNumber === 'hidden' ? null : (
          <TextField
            label={t('portal.new.order')}
            {...form.field('order', 'order_id')}
            inputMode="numeric"
            autocomplete="off"
            hint={t(orderNumber === 'required' ? 'tickets.order_number.form_hint' : 'portal.new.order_hint')}
            required={orderNumber === 'required'}
          />
        )}
        {fields.map((field) => {
          const name = `fields.${field.key}` as const;
          return (
            <FieldControl
              key={field.key}
              field={field}
              input={inputs[field.key] ?? toInput(field.type, undefined)}
              error={errors[name]}
              onInput={(input) => {
                setInputs((i) => ({ ...i, [field.key]: input }));
                form.setErrors((e) => (e[name] ? { ...e, [name]: undefined } : e));
              }}
            />
          );
        })}
        <ErrorAlert error={submission.error} overrides={{ validation_failed: 'error.check_fields' }} />
        <button type="submit" class="button" disabled={submission.busy}>
          {submission.busy ? t('portal.new.submitting') : t('portal.new.submit')}
        </button>
      </form>
    </Page>
  );
}
