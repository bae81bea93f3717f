import { describe, expect, it } from 'vitest';
import { EMPTY_NEW_TICKET, checkNewTicket, newTicketErrorField, type NewTicketValues } from './newTicket';

const values = (over: Partial<NewTicketValues>): NewTicketValues => ({ ...EMPTY_NEW_TICKET, ...over });
const lea = { id: '0b6f7f55-34a1-4b1e-9a56-6b2c9a1d3f10', name: 'Léa Martin', email: 'lea@example.org' };

describe('a ticket staff open for a customer', () => {
  it('asks for the customer, a subject and a description', () => {
    expect(checkNewTicket(values({}))).toEqual({
      errors: { customer: 'tickets.new.customer_missing', subject: 'validation.required', description: 'validation.required' },
      request: null,
    });
    expect(checkNewTicket(values({ who: 'new', subject: 'x', description: 'y' })).errors).toEqual({ email: 'validation.required' });
    expect(checkNewTicket(values({ who: 'new', email: 'lea.example.org', subject: 'x', description: 'y' })).errors).toEqual({ email: 'validation.email' });
    expect(checkNewTicket(values({ who: 'new', email: 'a@b.fr', name: 'n'.repeat(201), subject: 's'.repeat(256), description: 'y' })).errors).toEqual({
      name: 'validation.too_long',
      subject: 'validation.too_long',
    });
  });

  it('sends a customer chosen by id, on the phone, without the acknowledgement by default', () => {
    expect(checkNewTicket(values({ customer: lea, subject: ' Colis perdu ', description: 'Appel du 3 mai.\n<b>Urgent</b>' })).request).toEqual({
      requester: { user_id: lea.id },
      channel: 'phone',
      subject: 'Colis perdu',
      description: '<p>Appel du 3 mai.<br>&lt;b&gt;Urgent&lt;/b&gt;</p>',
      notify_requester: false,
    });
  });

  it('sends a new customer by address, with a name when given, and what else was chosen', () => {
    const sent = checkNewTicket(
      values({ who: 'new', customer: lea, email: ' paul@example.org ', name: ' Paul Petit ', channel: 'web', subject: 'x', description: 'y', category: 'refund', priority: 'high', notify: true }),
    ).request;
    expect(sent).toMatchObject({ requester: { email: 'paul@example.org', name: 'Paul Petit' }, channel: 'web', category: 'refund', priority: 'high', notify_requester: true });
    expect(checkNewTicket(values({ who: 'new', email: 'paul@example.org', subject: 'x', description: 'y' })).request?.requester).toEqual({ email: 'paul@example.org' });
  });

  it('says the server’s refusals beside the fields they name', () => {
    expect(newTicketErrorField('requester.email', 'new')).toBe('email');
    expect(newTicketErrorField('requester.name', 'new')).toBe('name');
    expect(newTicketErrorField('requester', 'known')).toBe('customer');
    expect(newTicketErrorField('requester', 'new')).toBe('email');
    expect(newTicketErrorField('channel', 'known')).toBe('channel');
    expect(newTicketErrorField('category', 'known')).toBe('category');
    expect(newTicketErrorField('fields.serial', 'known')).toBe('form');
  });
});
