/**
 * A ticket opened by staff for a customer (`/tickets/new`, from the queue's New ticket): who it is
 * for (a customer found by name or address, or a new customer's address and name), the channel
 * (the phone unless said otherwise), what it is about, its category and priority if given, and
 * whether the customer is mailed the acknowledgement (not unless asked). Once made, its page
 * opens.
 */

import { useId } from 'preact/hooks';
import { ApiProblem } from '../../api';
import { createTicket } from '../../data/tickets';
import { t, type MessageKey } from '../../i18n';
import { navigate } from '../../router/router';
import { categoryName, offeredCategories } from '../../tickets/categories';
import { useTicketCategories } from '../../tickets/useTicketCategories';
import { ChoiceRow, SelectField, TextArea, TextField } from '../../ui/Field';
import { translated, useFields } from '../../ui/form';
import { FormEnd } from '../../ui/FormEnd';
import { useSubmit } from '../../ui/hooks';
import { Page } from '../../ui/Page';
import {
  DESCRIPTION_MAX,
  EMAIL_MAX,
  EMPTY_NEW_TICKET,
  NAME_MAX,
  STAFF_CHANNELS,
  SUBJECT_MAX,
  checkNewTicket,
  newTicketErrorField,
  type NewTicketField,
  type NewTicketValues,
  type StaffChannel,
} from '../newTicket';
import { PRIORITIES } from '../queue/views';
import { CustomerSearch } from './CustomerSearch';

const CHANNEL_LABEL: Record<StaffChannel, MessageKey> = { phone: 'tickets.channel.phone', web: 'tickets.channel.web' };

const WHO: { value: NewTicketValues['who']; label: MessageKey }[] = [
  { value: 'known', label: 'tickets.new.who_known' },
  { value: 'new', label: 'tickets.new.who_new' },
];

export function NewTicketPage() {
  const form = useFields<NewTicketValues, 'form'>(EMPTY_NEW_TICKET);
  const { values, errors } = form;
  const submission = useSubmit();
  const categories = offeredCategories(useTicketCategories().data ?? []);
  const id = useId();

  const onSubmit = (event: Event) => {
    event.preventDefault();
    const checked = checkNewTicket(values);
    if (!form.show(translated(checked.errors)) || !checked.request) return;
    const request = checked.request;
    void submission.run(async () => {
      try {
        const ticket = await createTicket(request);
        navigate(`/tickets/${ticket.id}`, { replace: true });
      } catch (error) {
        if (error instanceof ApiProblem && error.errors.length) {
          const found: Partial<Record<NewTicketField, string>> = {};
          for (const refused of error.errors) found[newTicketErrorField(refused.field, values.who)] ??= refused.message;
          form.show(found);
        }
        throw error;
      }
    });
  };

  return (
    <Page title={t('tickets.new.title')} narrow>
      <p class="lead">{t('tickets.new.lead')}</p>
      <form ref={form.ref} class="form" onSubmit={onSubmit} noValidate>
        <fieldset class="checks">
          <legend>{t('tickets.new.who')}</legend>
          <div class="checks-options">
            {WHO.map((choice) => (
              <div class="checkbox" key={choice.value}>
                <input
                  id={`${id}-${choice.value}`}
                  type="radio"
                  name="who"
                  value={choice.value}
                  checked={values.who === choice.value}
                  onChange={() => form.change({ who: choice.value }, ['customer', 'email', 'name'])}
                />
                <label for={`${id}-${choice.value}`}>{t(choice.label)}</label>
              </div>
            ))}
          </div>
        </fieldset>
        {values.who === 'known' ? (
          <CustomerSearch chosen={values.customer} onChoose={form.set('customer')} error={errors.customer} />
        ) : (
          <div class="field-row">
            <TextField
              label={t('tickets.new.email')}
              hint={t('tickets.new.email_hint')}
              {...form.field('email')}
              type="email"
              autocomplete="off"
              spellcheck={false}
              maxLength={EMAIL_MAX}
              required
            />
            <TextField
              label={t('tickets.new.name')}
              hint={t('tickets.new.name_hint')}
              {...form.field('name')}
              autocomplete="off"
              maxLength={NAME_MAX}
            />
          </div>
        )}
        <SelectField
          label={t('tickets.new.channel')}
          hint={t('tickets.new.channel_hint')}
          {...form.field('channel')}
          options={STAFF_CHANNELS.map((channel) => ({ value: channel, label: t(CHANNEL_LABEL[channel]) }))}
        />
        <TextField
          label={t('tickets.new.subject')}
          {...form.field('subject')}
          autocomplete="off"
          maxLength={SUBJECT_MAX}
          required
        />
        <TextArea
          label={t('tickets.new.description')}
          hint={t('tickets.new.description_hint')}
          {...form.field('description')}
          rows={6}
          maxLength={DESCRIPTION_MAX}
          required
        />
        <div class="field-row">
          <SelectField
            label={t('tickets.new.category')}
            {...form.field('category')}
            options={[{ value: '', label: t('tickets.new.category_none') }, ...categories.map((category) => ({ value: category.key, label: categoryName(category) }))]}
          />
          <SelectField
            label={t('tickets.new.priority')}
            {...form.field('priority')}
            options={[{ value: '', label: t('tickets.new.priority_default') }, ...PRIORITIES.map((priority) => ({ value: priority, label: t(`priority.${priority}`) }))]}
          />
        </div>
        <ChoiceRow
          id={`${id}-notify`}
          class="team-mode"
          type="checkbox"
          name="notify_requester"
          label={t('tickets.new.notify')}
          hint={t('tickets.new.notify_hint')}
          checked={values.notify}
          onChange={(e) => form.set('notify')(e.currentTarget.checked)}
        />
        <FormEnd formError={errors.form} submission={submission} submitLabel={t('tickets.new.submit')} />
      </form>
    </Page>
  );
}
