/**
 * A customer found by name or address (`GET /v1/users?role=customer&q=`): a combobox whose
 * listbox holds the customers the search finds as one types (300 ms after the last key), the
 * arrow keys moving through them while the box keeps the focus, Enter or a click choosing one,
 * Escape closing the list. Typing again forgets the customer chosen. A form other than the new
 * ticket's names the box its own way (`label`, `hint`).
 */

import { useEffect, useState } from 'preact/hooks';
import { findPeople, type UserFound } from '../../data/people';
import { useResource } from '../../data/resource';
import { t, tn } from '../../i18n';
import { SUGGEST_DELAY_MS, searchTerm } from '../../helpCenter/suggest';
import { useDebounced } from '../../helpCenter/useDebounced';
import { displayName, useMember } from '../../tenant/member';
import { FormRow } from '../../ui/Field';
import { useListbox } from '../../ui/listbox';
import { ErrorAlert } from '../../ui/status';
import type { ChosenCustomer } from '../newTicket';
import { fullName } from '../people';

/** How many customers a search lists. */
const RESULTS = 10;

/** A customer as the box shows them once chosen: their name and address. */
const chosenText = (customer: ChosenCustomer) => (customer.name === customer.email ? customer.email : `${customer.name} (${customer.email})`);

export function CustomerSearch({
  chosen,
  onChoose,
  error,
  label = t('tickets.new.customer'),
  hint = t('tickets.new.customer_hint'),
}: {
  chosen: ChosenCustomer | null;
  onChoose: (customer: ChosenCustomer | null) => void;
  error: string | undefined;
  label?: string;
  hint?: string;
}) {
  const { slug } = useMember();
  const [query, setQuery] = useState(chosen ? chosenText(chosen) : '');
  const [open, setOpen] = useState(false);
  const typed = chosen ? null : searchTerm(query, 1);
  const term = useDebounced(typed, SUGGEST_DELAY_MS, null);
  const found = useResource(`customers:${slug}:${term ?? ''}`, (signal) => (term ? findPeople('customer', term, RESULTS, signal) : Promise.resolve([])));
  const shown = open && term ? (found.data ?? []) : [];
  // The search answered for what is typed now (not for what was typed a moment ago).
  const settled = open && term !== null && term === typed && !found.loading && !found.error;

  const choose = (person: UserFound) => {
    const customer = { id: person.id, name: displayName(person), email: person.email };
    setQuery(chosenText(customer));
    setOpen(false);
    onChoose(customer);
  };
  // A closed list opens at an arrow, as it was.
  const listbox = useListbox(shown, (person) => person.id, choose, () => setOpen(true));
  const { id, setHighlight } = listbox;

  useEffect(() => setHighlight(0), [term]);

  return (
    <FormRow
      id={id}
      class="customer-search"
      label={label}
      hint={hint}
      error={error}
      after={
        <>
          <ErrorAlert error={open && term ? found.error : null} onRetry={found.reload} />
          <p class="live-note" role="status">
            {chosen ? t('tickets.new.chosen', { name: chosenText(chosen) }) : settled ? (shown.length ? tn('tickets.new.found', shown.length) : t('tickets.new.none_found', { query: term })) : ''}
          </p>
        </>
      }
    >
      {(control) => (
        <>
          <input
            {...control}
            {...listbox.combobox}
            type="text"
            name="customer"
            autocomplete="off"
            spellcheck={false}
            maxLength={200}
            value={query}
            onInput={(e) => {
              setQuery(e.currentTarget.value);
              setOpen(true);
              if (chosen) onChoose(null);
            }}
            onKeyDown={(event) => {
              if (event.key === 'Escape' && shown.length) {
                event.preventDefault();
                setOpen(false);
              } else listbox.onKeyDown(event);
            }}
            onBlur={() => setOpen(false)}
          />
          <ul id={listbox.listId} class="picker-list" role="listbox" aria-label={t('tickets.new.customer_list')} hidden={!shown.length}>
            {shown.map((person, index) => (
              <li key={person.id} {...listbox.option(person, index)}>
                {fullName(person) ? <span class="picker-name">{fullName(person)}</span> : null}
                <span class="customer-address">{person.email}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </FormRow>
  );
}
