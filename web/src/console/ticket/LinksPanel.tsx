/**
 * The tickets linked to this one (staff), folded until opened unless there are some: its parent,
 * its children and the related tickets, each with its number and subject (a link to it) and its
 * status, kept current as they change; a link taken off with its button. Another ticket is linked
 * by its number or its id (those the search finds for words typed, and the customer's other
 * tickets, suggested), as related, parent or child; the server's refusals (itself, a merged
 * ticket, a cycle, linked already) are said beside the field, which keeps what was typed.
 */

import { useId, useRef, useState } from 'preact/hooks';
import type { TicketDetail } from '../../api/schemas';
import { addLink, removeLink, type LinkKind, type TicketLink } from '../../data/links';
import type { Resource } from '../../data/resource';
import { findTicketByNumber } from '../../data/tickets';
import { t, type MessageKey } from '../../i18n';
import { neighbour } from '../../participants/participants';
import { Link } from '../../router/router';
import { StatusBadge } from '../../tickets/badges';
import { SelectField, TextField } from '../../ui/Field';
import { FoldedPanel } from '../../ui/FoldedPanel';
import { useFields } from '../../ui/form';
import { useSubmit } from '../../ui/hooks';
import { ErrorAlert, Loaded } from '../../ui/status';
import { KIND_CHOICE, KIND_LABEL, LINK_KINDS, linkRefusal, parseTicketRef, sortLinks } from '../links';
import { useTicketSuggestions } from '../useTicketSuggestions';

const LINKED: Record<LinkKind, MessageKey> = {
  parent: 'links.add.done_parent',
  child: 'links.add.done_child',
  related: 'links.add.done_related',
};

export function LinksPanel({
  ticket,
  links,
  onChanged,
  onAnnounce,
}: {
  ticket: TicketDetail;
  links: Resource<TicketLink[]>;
  onChanged: () => Promise<void>;
  onAnnounce: (text: string) => void;
}) {
  const id = useId();
  const removal = useSubmit();
  const panel = useRef<HTMLElement>(null);
  const sorted = sortLinks(links.data ?? []);
  const field = () => panel.current?.querySelector<HTMLInputElement>('input[name="ticket"]') ?? null;
  const changed = async () => {
    await links.refresh();
    await onChanged();
  };

  const remove = (link: TicketLink) => {
    // The button pressed goes with its row: the focus moves to the row that takes its place, or
    // the one before, or the field once none is left.
    const next = neighbour(
      sorted.map((l) => l.ticket_id),
      link.ticket_id,
    );
    void removal.run(async () => {
      let removed = false;
      try {
        await removeLink(ticket.id, link.ticket_id);
        removed = true;
        onAnnounce(t('links.removed', { number: link.ticket_number }));
      } finally {
        await changed();
        if (removed) {
          requestAnimationFrame(() => {
            const button = next === undefined ? null : panel.current?.querySelector<HTMLButtonElement>(`button[data-link="${next}"]`);
            (button ?? field() ?? document.getElementById(id))?.focus();
          });
        }
      }
    });
  };

  return (
    <FoldedPanel id={id} title={t('links.title')} class="links-panel" holds={sorted.length > 0} panelRef={panel}>
      <Loaded resource={links} empty={(all) => all.length === 0 && t('links.empty')}>
        {() => (
          <ul class="side-list link-list" aria-label={t('links.list')}>
            {sorted.map((link) => (
              <li key={link.ticket_id} class="linked-ticket">
                <span class="side-meta">
                  <span class="link-kind">{t(KIND_LABEL[link.kind])}</span> <StatusBadge status={link.status} audience="staff" />
                </span>
                <Link href={`/tickets/${link.ticket_id}`}>
                  <span class="ticket-number">{link.ticket_number}</span> {link.subject}
                </Link>
                <button
                  type="button"
                  class="button button--link button--small"
                  data-link={link.ticket_id}
                  aria-label={t('links.remove', { number: link.ticket_number })}
                  disabled={removal.busy}
                  onClick={() => remove(link)}
                >
                  {t('links.remove_short')}
                </button>
              </li>
            ))}
          </ul>
        )}
      </Loaded>
      <ErrorAlert error={removal.error} />
      <AddLink ticket={ticket} linked={sorted} onLinked={changed} onAnnounce={onAnnounce} />
    </FoldedPanel>
  );
}

function AddLink({
  ticket,
  linked,
  onLinked,
  onAnnounce,
}: {
  ticket: TicketDetail;
  linked: TicketLink[];
  onLinked: () => Promise<void>;
  onAnnounce: (text: string) => void;
}) {
  const form = useFields<{ ticket: string; kind: LinkKind }>({ ticket: '', kind: 'related' }, { editAnswersForm: true });
  const submission = useSubmit();
  const [wanted, setWanted] = useState(false);
  const id = useId();
  const listId = `${id}-tickets`;
  const exclude = new Set([ticket.id, ...linked.map((l) => l.ticket_id)]);
  const offered = useTicketSuggestions(ticket.id, form.values.ticket, wanted, exclude);
  // The numbers suggested so far, by their tickets' ids: a number picked from the list is known.
  const known = useRef(new Map<string, number>());
  for (const suggestion of offered) known.current.set(suggestion.ticket_number, suggestion.id);

  const onSubmit = (event: Event) => {
    event.preventDefault();
    const ref = parseTicketRef(form.values.ticket);
    if (!ref) return void form.show({ ticket: t('links.add.invalid') });
    const kind = form.values.kind;
    void submission.run(async () => {
      let linkedNow = false;
      try {
        const other = 'id' in ref ? ref.id : (known.current.get(ref.number) ?? (await findTicketByNumber(ref.number))?.id);
        if (other === undefined) return void form.show({ ticket: t('links.add.not_found') });
        const link = await form.server(() => addLink(ticket.id, { ticket_id: other, kind }), { ticket_id: 'ticket' });
        linkedNow = true;
        onAnnounce(t(LINKED[link.kind], { number: link.ticket_number }));
        form.setValues({ ticket: '', kind });
        form.ref.current?.querySelector<HTMLInputElement>('input[name="ticket"]')?.focus();
      } catch (error) {
        // Not a ticket the caller sees: said beside the field, which keeps what was typed.
        const key = linkRefusal(error);
        if (!key) throw error;
        form.show({ ticket: t(key) });
      } finally {
        if (linkedNow) await onLinked();
      }
    });
  };

  return (
    <form ref={form.ref} class="form link-add" aria-labelledby={`${id}-title`} onSubmit={onSubmit} noValidate>
      <h3 id={`${id}-title`}>{t('links.add.title')}</h3>
      <TextField
        label={t('links.add.ticket')}
        {...form.field('ticket')}
        hint={t('links.add.ticket_hint')}
        autocomplete="off"
        spellcheck={false}
        list={listId}
        onFocus={() => setWanted(true)}
      />
      <datalist id={listId}>
        {offered.map((suggestion) => (
          <option key={suggestion.id} value={suggestion.ticket_number} label={suggestion.subject} />
        ))}
      </datalist>
      <SelectField
        label={t('links.add.kind')}
        name="kind"
        value={form.values.kind}
        error={form.errors.kind}
        options={LINK_KINDS.map((k) => ({ value: k, label: t(KIND_CHOICE[k]) }))}
        onValue={(value) => form.change({ kind: value as LinkKind }, ['kind', 'ticket'])}
      />
      <ErrorAlert error={submission.error} overrides={{ validation_failed: 'error.check_fields', limit_reached: 'links.add.limit' }} />
      <button type="submit" class="button button--secondary" disabled={submission.busy}>
        {submission.busy ? t('common.working') : t('links.add.submit')}
      </button>
    </form>
  );
}
