/**
 * A customer organisation's members, in the order they joined, a page at a time: each one's name,
 * address, role and whether it is their primary organisation. Owners and admins add a customer
 * (found by name or address, as a new ticket's customer is: `../ticket/CustomerSearch.tsx`) as a
 * member or a manager, change a role, and take someone out after a confirmation in place.
 */

import { useId, useState } from 'preact/hooks';
import { membersPage, putMember, removeMember, type OrganizationMember, type OrganizationPage, type OrganizationRole } from '../../data/organizations';
import { useResource } from '../../data/resource';
import { formatDate, t } from '../../i18n';
import { displayName, useMember } from '../../tenant/member';
import { FormRow, SelectField } from '../../ui/Field';
import { useFocusAfterRender, useSubmit } from '../../ui/hooks';
import { Panel } from '../../ui/Panel';
import { ErrorAlert, Loaded, LoadMore, Notice } from '../../ui/status';
import type { ChosenCustomer } from '../newTicket';
import { ROLES, ROLE_LABEL, memberRefusal } from '../organizations';
import { CustomerSearch } from '../ticket/CustomerSearch';

const PAGE_SIZE = 50;

interface Listing {
  items: OrganizationMember[];
  cursor: string | null;
}

const roleOptions = () => ROLES.map((role) => ({ value: role, label: t(ROLE_LABEL[role]) }));

export function OrganizationMembers({ organization, admin, onChanged }: { organization: OrganizationPage; admin: boolean; onChanged: () => Promise<void> }) {
  const { slug } = useMember();
  const members = useResource<Listing>(`organization-members:${slug}:${organization.id}`, async (signal) => {
    const page = await membersPage(organization.id, null, PAGE_SIZE, signal);
    return { items: page.data, cursor: page.next_cursor ?? null };
  });
  const [notice, setNotice] = useState('');
  const more = useSubmit();
  const changed = (text: string) => {
    setNotice(text);
    // The list from its start, and the statistics (the member count) with it.
    void members.refresh();
    void onChanged();
  };
  const loadMore = () =>
    void more.run(async () => {
      const cursor = members.data?.cursor;
      if (!cursor) return;
      const page = await membersPage(organization.id, cursor, PAGE_SIZE);
      members.setData((shown) => shown && { items: [...shown.items, ...page.data], cursor: page.next_cursor ?? null });
    });
  return (
    <Panel title={t('organizations.members.title')}>
      <p class="hint">{t('organizations.members.lead')}</p>
      {notice ? <Notice tone="success">{notice}</Notice> : null}
      {admin ? <AddMember organizationId={organization.id} onAdded={changed} /> : null}
      <Loaded resource={members} empty={(shown) => shown.items.length === 0 && t('organizations.members.none')}>
        {(shown) => (
          <ul class="member-list organization-members" aria-label={t('organizations.members.list', { name: organization.name })}>
            {shown.items.map((m) => (
              <MemberRow key={m.user_id} organizationId={organization.id} m={m} admin={admin} onChanged={changed} />
            ))}
          </ul>
        )}
      </Loaded>
      <LoadMore more={more} label={t('organizations.members.more')} onMore={members.data?.cursor ? loadMore : null} />
    </Panel>
  );
}

function AddMember({ organizationId, onAdded }: { organizationId: string; onAdded: (notice: string) => void }) {
  const [chosen, setChosen] = useState<ChosenCustomer | null>(null);
  const [role, setRole] = useState<OrganizationRole>('member');
  const [error, setError] = useState<string | undefined>();
  // A new, empty search after each addition.
  const [round, setRound] = useState(0);
  const submission = useSubmit();
  const { container, focusAfter } = useFocusAfterRender<HTMLFormElement>();
  const flag = (text: string) => {
    setError(text);
    focusAfter('input[name="customer"]');
  };

  const onSubmit = (event: Event) => {
    event.preventDefault();
    if (!chosen) return flag(t('organizations.members.choose'));
    const customer = chosen;
    void submission.run(async () => {
      try {
        await putMember(organizationId, customer.id, { role });
      } catch (refusal) {
        const said = memberRefusal(refusal);
        if (said) return flag(t(said));
        throw refusal;
      }
      setChosen(null);
      setRound((n) => n + 1);
      focusAfter('input[name="customer"]');
      onAdded(t('organizations.members.added', { name: customer.name, role: t(ROLE_LABEL[role]) }));
    });
  };

  return (
    <form ref={container} class="form organization-add" onSubmit={onSubmit} noValidate>
      <h3>{t('organizations.members.add')}</h3>
      <CustomerSearch
        key={round}
        chosen={chosen}
        onChoose={(customer) => {
          setChosen(customer);
          setError(undefined);
        }}
        error={error}
        label={t('organizations.members.customer')}
        hint={t('organizations.members.customer_hint')}
      />
      <SelectField label={t('organizations.members.role')} name="role" value={role} options={roleOptions()} onValue={(v) => setRole(v as OrganizationRole)} class="organization-role" />
      <ErrorAlert error={submission.error} />
      <div class="actions">
        <button type="submit" class="button" disabled={submission.busy}>
          {submission.busy ? t('common.working') : t('organizations.members.add_submit')}
        </button>
      </div>
    </form>
  );
}

function MemberRow({ organizationId, m, admin, onChanged }: { organizationId: string; m: OrganizationMember; admin: boolean; onChanged: (notice: string) => void }) {
  const name = displayName(m);
  const [role, setRole] = useState<OrganizationRole>(m.role);
  const [confirming, setConfirming] = useState(false);
  const submission = useSubmit();
  const id = useId();
  const { container, focusAfter } = useFocusAfterRender<HTMLLIElement>();
  const ask = (on: boolean) => {
    focusAfter(on ? '[data-action="remove-yes"]' : '[data-action="remove"]');
    setConfirming(on);
  };
  const save = () =>
    void submission.run(async () => {
      await putMember(organizationId, m.user_id, { role });
      onChanged(t('organizations.members.role_changed', { name, role: t(ROLE_LABEL[role]) }));
    });
  const remove = () =>
    void submission.run(async () => {
      await removeMember(organizationId, m.user_id);
      onChanged(t('organizations.members.removed', { name }));
    });
  return (
    <li class="member" ref={container} aria-labelledby={`${id}-name`}>
      <div class="member-who">
        <strong id={`${id}-name`}>{name}</strong>
        {admin ? null : <span class="badge">{t(ROLE_LABEL[m.role])}</span>}
        {m.primary ? <span class="badge badge--ok">{t('organizations.members.primary')}</span> : null}
        <span class="attachment-meta customer-address" title={m.email}>
          {m.email}
        </span>
        <span class="attachment-meta">{t('organizations.members.since', { date: formatDate(m.created_at) })}</span>
      </div>
      {admin ? (
        <>
          <form
            class="form form--inline member-role"
            onSubmit={(e) => {
              e.preventDefault();
              save();
            }}
          >
            <FormRow id={`${id}-role`} label={t('organizations.members.role_of', { name })}>
              {(control) => (
                <select {...control} name="role" value={role} onChange={(e) => setRole(e.currentTarget.value as OrganizationRole)}>
                  {roleOptions().map((o) => (
                    <option key={o.value} value={o.value}>
                      {o.label}
                    </option>
                  ))}
                </select>
              )}
            </FormRow>
            <button type="submit" class="button button--secondary" disabled={submission.busy || role === m.role}>
              {t('organizations.members.save_role')}
            </button>
          </form>
          <div class="actions">
            {confirming ? (
              <>
                <span>{t('organizations.members.remove_confirm', { name })}</span>
                <button type="button" class="button button--danger" data-action="remove-yes" disabled={submission.busy} onClick={remove}>
                  {t('organizations.members.remove_yes', { name })}
                </button>
                <button type="button" class="button button--secondary" onClick={() => ask(false)}>
                  {t('organizations.delete.cancel')}
                </button>
              </>
            ) : (
              <button type="button" class="button button--secondary" data-action="remove" aria-label={t('organizations.members.remove_named', { name })} onClick={() => ask(true)}>
                {t('organizations.members.remove')}
              </button>
            )}
          </div>
        </>
      ) : null}
      <ErrorAlert error={submission.error} />
    </li>
  );
}
