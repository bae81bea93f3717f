//! A customer found by name or address (`GET /v1/users?role=customer&q=`): a combobox whose
//! listbox holds the customers the search finds as one types (300 ms after the last key), the
//! arrow keys moving through them while the box keeps the focus, Enter or a click choosing one,
//! Escape closing the list. Typing again forgets the customer chosen.

import { useEffect, useId, useState } from 'preact/hooks';
import { findPeople } from '../../data/people';
import { useResource } from '../../data/resource';
import { t, tn } from '../../i18n';
import { SUGGEST_DELAY_MS, searchTerm } from '../../helpCenter/suggest';
import { useDebounced } from '../../helpCenter/useDebounced';
import { displayName, useMember } from '../../tenant/member';
import { FieldError } from '../../ui/Field';
import { ErrorAlert } from '../../ui/status';
import { moveHighlight } from '../macros';
import type { ChosenCustomer } from '../newTicket';
import { fullName } from '../people';

/** How many customers a search lists. */
const RESULTS = 10;

/** A customer as the box shows them once chosen: their name and address. */
const chosenText = (customer: ChosenCustomer) => (customer.name === customer.email ? customer.email : `${customer.name} (${customer.email})`);

export function CustomerSearch({ chosen, onChoose, error }: { chosen: ChosenCustomer | null; onChoose: (customer: ChosenCustomer | null) => void; error: string | undefined }) {
  const { slug } = useMember();
  const [query, setQuery] = useState(chosen ? chosenText(chosen) : '');
  const [open, setOpen] = useState(false);
  const [highlight, setHighlight] = useState(0);
  const typed = chosen ? null : searchTerm(query, 1);
  const term = useDebounced(typed, SUGGEST_DELAY_MS, null);
  const found = useResource(`customers:${slug}:${term ?? ''}`, (signal) => (term ? findPeople('customer', term, RESULTS, signal) : Promise.resolve([])));
  const id = useId();
  const shown = open && term ? (found.data ?? []) : [];
  const active = highlight >= 0 && highlight < shown.length ? shown[highlight] : undefined;
  const optionId = (index: number) => `${id}-option-${index}`;
  // The search answered for what is typed now (not for what was typed a moment ago).
  const settled = open && term !== null && term === typed && !found.loading && !found.error;

  useEffect(() => setHighlight(0), [term]);
  useEffect(() => {
    if (active) document.getElementById(optionId(highlight))?.scrollIntoView({ block: 'nearest' });
  }, [active?.id]);

  const choose = (index: number) => {
    const person = shown[index];
    if (!person) return;
    const customer = { id: person.id, name: displayName(person), email: person.email };
    setQuery(chosenText(customer));
    setOpen(false);
    onChoose(customer);
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      // A closed list opens first, as it was.
      if (!shown.length) return setOpen(true);
      setHighlight((h) => moveHighlight(h, event.key === 'ArrowDown' ? 1 : -1, shown.length));
    } else if ((event.key === 'Home' || event.key === 'End') && shown.length) {
      event.preventDefault();
      setHighlight(event.key === 'Home' ? 0 : shown.length - 1);
    } else if (event.key === 'Enter') {
      // Enter chooses; it never sends the form from here.
      event.preventDefault();
      if (active) choose(highlight);
    } else if (event.key === 'Escape' && shown.length) {
      event.preventDefault();
      setOpen(false);
    }
  };

  return (
    <div class={error ? 'field field--invalid customer-search' : 'field customer-search'}>
      <label for={id}>{t('tickets.new.customer')}</label>
      <p class="field-hint" id={`${id}-hint`}>
        {t('tickets.new.customer_hint')}
      </p>
      <input
        id={id}
        type="text"
        name="customer"
        role="combobox"
        autocomplete="off"
        spellcheck={false}
        maxLength={200}
        aria-autocomplete="list"
        aria-expanded={shown.length > 0 ? 'true' : 'false'}
        aria-controls={`${id}-list`}
        aria-activedescendant={active ? optionId(highlight) : undefined}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? `${id}-hint ${id}-error` : `${id}-hint`}
        value={query}
        onInput={(e) => {
          setQuery(e.currentTarget.value);
          setOpen(true);
          if (chosen) onChoose(null);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setOpen(false)}
      />
      <ul id={`${id}-list`} class="picker-list" role="listbox" aria-label={t('tickets.new.customer_list')} hidden={!shown.length}>
        {shown.map((person, index) => (
          <li
            key={person.id}
            id={optionId(index)}
            role="option"
            aria-selected={index === highlight ? 'true' : 'false'}
            class={index === highlight ? 'picker-option picker-option--active' : 'picker-option'}
            // The box keeps the focus; a click chooses as Enter does.
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => choose(index)}
          >
            {fullName(person) ? <span class="picker-name">{fullName(person)}</span> : null}
            <span class="customer-address">{person.email}</span>
          </li>
        ))}
      </ul>
      <FieldError id={id} error={error} />
      <ErrorAlert error={open && term ? found.error : null} onRetry={found.reload} />
      <p class="live-note" role="status">
        {chosen ? t('tickets.new.chosen', { name: chosenText(chosen) }) : settled ? (shown.length ? tn('tickets.new.found', shown.length) : t('tickets.new.none_found', { query: term })) : ''}
      </p>
    </div>
  );
}
