/**
 * A ticket staff open for a customer (a call taken, a form filled in for them): who it is for (a
 * customer found by name or address, or an address and a name, the member with that address or
 * a new customer made for it), how they came, what it is about; the form's checks, the request
 * it sends (`POST /v1/tickets`), and the server's refusals by the form's fields.
 */

import type { Priority } from '../api/schemas';
import type { NewTicket } from '../data/tickets';
import type { MessageKey } from '../i18n';
import { textToHtml } from '../tickets/text';
import { email, maxLength, required, type Rule } from '../ui/validate';

/** The channels a ticket staff open may come by (the others are the server's own). */
export const STAFF_CHANNELS = ['phone', 'web'] as const;
export type StaffChannel = (typeof STAFF_CHANNELS)[number];

/** A customer chosen from the search, as the form shows them. */
export interface ChosenCustomer {
  id: string;
  name: string;
  email: string;
}

export interface NewTicketValues {
  /** `known`: a customer chosen from the search; `new`: an address (and a name) given. */
  who: 'known' | 'new';
  customer: ChosenCustomer | null;
  email: string;
  name: string;
  channel: StaffChannel;
  subject: string;
  description: string;
  /** A category's key; `''`: none. */
  category: string;
  priority: Priority | '';
  /** Whether the customer is mailed the acknowledgement, as if they had opened it. */
  notify: boolean;
}

/** Where an error shows: beside a field, or at the form's end (`form`). */
export type NewTicketField = 'customer' | 'email' | 'name' | 'channel' | 'subject' | 'description' | 'category' | 'priority' | 'form';

export const SUBJECT_MAX = 255;
/** The description as typed (the server takes 20,000 characters of HTML, which the text grows into). */
export const DESCRIPTION_MAX = 15_000;
export const NAME_MAX = 200;
export const EMAIL_MAX = 254;

export const EMPTY_NEW_TICKET: NewTicketValues = {
  who: 'known',
  customer: null,
  email: '',
  name: '',
  channel: 'phone',
  subject: '',
  description: '',
  category: '',
  priority: '',
  notify: false,
};

function first(value: string, rules: Rule[]): MessageKey | null {
  for (const rule of rules) {
    const found = rule(value);
    if (found) return found;
  }
  return null;
}

/** The errors to show, or the request to send when there are none. Only what is given is sent:
 * no category or priority leaves them to the organisation's rules. */
export function checkNewTicket(values: NewTicketValues): { errors: Partial<Record<NewTicketField, MessageKey>>; request: NewTicket | null } {
  const errors: Partial<Record<NewTicketField, MessageKey>> = {};
  const found = (field: NewTicketField, key: MessageKey | null) => {
    if (key) errors[field] = key;
  };
  if (values.who === 'known') {
    if (!values.customer) errors.customer = 'tickets.new.customer_missing';
  } else {
    found('email', first(values.email, [required, email, maxLength(EMAIL_MAX)]));
    found('name', first(values.name, [maxLength(NAME_MAX)]));
  }
  found('subject', first(values.subject, [required, maxLength(SUBJECT_MAX)]));
  found('description', first(values.description, [required, maxLength(DESCRIPTION_MAX)]));
  if (Object.keys(errors).length) return { errors, request: null };

  const name = values.name.trim();
  const requester: NewTicket['requester'] =
    values.who === 'known' ? { user_id: values.customer!.id } : { email: values.email.trim(), ...(name ? { name } : {}) };
  return {
    errors,
    request: {
      requester,
      channel: values.channel,
      subject: values.subject.trim(),
      description: textToHtml(values.description),
      ...(values.category ? { category: values.category } : {}),
      ...(values.priority ? { priority: values.priority } : {}),
      notify_requester: values.notify,
    },
  };
}

/** The form's field for a field the server refused (`requester.email`, `subject`...); `form` for
 * the others. A refusal of `requester` as a whole is about the customer chosen or the address
 * given, whichever the form holds. */
export function newTicketErrorField(field: string, who: NewTicketValues['who']): NewTicketField {
  switch (field) {
    case 'requester':
    case 'user_id':
    case 'requester.user_id':
      return who === 'known' ? 'customer' : 'email';
    case 'requester.email':
      return 'email';
    case 'requester.name':
      return 'name';
    case 'channel':
    case 'subject':
    case 'description':
    case 'category':
    case 'priority':
      return field;
    default:
      return 'form';
  }
}
