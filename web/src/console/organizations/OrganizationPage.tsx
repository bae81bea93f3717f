/**
 * Making a customer organisation (`/organizations/new`, owners and admins) and one organisation's
 * page (`/organizations/{id}`, everyone on the staff): its details (the form for owners and
 * admins, the facts for agents), its statistics as the server counts them now, its members
 * (`OrganizationMembers.tsx`), its newest tickets, and for owners and admins its deletion after a
 * confirmation in place, which says that its people and its tickets stay (refused while an SLA
 * policy names it, which is said with the way to the policies).
 */

import { useMemo, useState } from 'preact/hooks';
import { ApiProblem } from '../../api/problem';
import { changeOrganization, createOrganization, getOrganization, removeOrganization, type OrganizationPage as Organization } from '../../data/organizations';
import { listTickets, type TicketListItem } from '../../data/tickets';
import { useResource } from '../../data/resource';
import { formatDate, formatDateTime, formatNumber, t } from '../../i18n';
import { Link, navigate, useLocation } from '../../router/router';
import { StatusBadge } from '../../tickets/badges';
import { displayName, useMember } from '../../tenant/member';
import { useFocusAfterRender, useSubmit } from '../../ui/hooks';
import { Page } from '../../ui/Page';
import { Panel } from '../../ui/Panel';
import { ErrorAlert, Loaded, LoadMore, Notice } from '../../ui/status';
import { createdOrganization, emptyOrganization, organizationChange, organizationFormValues, type DeletedOrganization } from '../organizations';
import { isAdmin } from '../roles';
import { OrganizationForm } from './OrganizationForm';
import { OrganizationMembers } from './OrganizationMembers';

/** How many of its tickets the page lists at a time. */
const TICKETS_PAGE = 10;

function BackLink() {
  return (
    <p class="breadcrumb">
      <Link href="/organizations">{t('organizations.page.back')}</Link>
    </p>
  );
}

export function NewOrganizationPage() {
  const initial = useMemo(emptyOrganization, []);
  return (
    <Page title={t('organizations.new')}>
      <BackLink />
      <section class="panel">
        <OrganizationForm
          initial={initial}
          submitLabel={t('organizations.form.create')}
          onSave={async (request) => {
            const made = await createOrganization(request);
            // Its page, where its members are added, says it was made.
            navigate(`/organizations/${made.id}`, { state: { createdOrganization: made.name } });
          }}
        />
      </section>
    </Page>
  );
}

export function OrganizationPage({ id }: { id: string }) {
  const { slug, member } = useMember();
  const admin = isAdmin(member.role);
  const organization = useResource<Organization>(`organization:${slug}:${id}`, (signal) => getOrganization(id, signal));
  const created = createdOrganization(useLocation().state);
  if (!organization.data) {
    return (
      <Page title={t('organizations.page.title')}>
        <BackLink />
        <Loaded resource={organization} overrides={{ not_found: 'organizations.page.not_found' }}>
          {() => null}
        </Loaded>
      </Page>
    );
  }
  const data = organization.data;
  return (
    <Page title={data.name}>
      <BackLink />
      {created ? <Notice tone="success">{t('organizations.created', { name: created })}</Notice> : null}
      <ErrorAlert error={organization.stale} />
      <Details organization={data} admin={admin} onSaved={organization.refresh} />
      <Statistics organization={data} />
      <OrganizationMembers organization={data} admin={admin} onChanged={organization.refresh} />
      <Tickets organization={data} />
      {admin ? <Deletion organization={data} /> : null}
    </Page>
  );
}

function Details({ organization, admin, onSaved }: { organization: Organization; admin: boolean; onSaved: () => Promise<void> }) {
  const [notice, setNotice] = useState('');
  const initial = useMemo(() => organizationFormValues(organization), [organization.id]);
  return (
    <Panel title={t('organizations.details')}>
      {notice ? <Notice tone="success">{notice}</Notice> : null}
      {admin ? (
        <OrganizationForm
          initial={initial}
          submitLabel={t('organizations.form.save')}
          onSave={async (request) => {
            setNotice('');
            const change = organizationChange(organization, request);
            if (!Object.keys(change).length) return setNotice(t('organizations.form.unchanged'));
            const saved = await changeOrganization(organization.id, change);
            setNotice(t('organizations.saved', { name: saved.name }));
            await onSaved();
          }}
        />
      ) : (
        <Facts organization={organization} />
      )}
    </Panel>
  );
}

/** What an agent reads of it (owners and admins have the form). */
function Facts({ organization }: { organization: Organization }) {
  return (
    <dl class="facts facts--stacked organization-facts">
      <div>
        <dt>{t('organizations.fact.domains')}</dt>
        <dd>{organization.domains.length ? organization.domains.join(', ') : t('organizations.domains_none')}</dd>
      </div>
      <div>
        <dt>{t('organizations.fact.sharing')}</dt>
        <dd>
          {t(organization.shared_tickets ? 'organizations.sharing.tickets_on' : 'organizations.sharing.tickets_off')}{' '}
          {t(organization.shared_comments ? 'organizations.sharing.comments_on' : 'organizations.sharing.comments_off')}
        </dd>
      </div>
      <div>
        <dt>{t('organizations.fact.notes')}</dt>
        <dd class="organization-notes">{organization.notes || t('organizations.notes_none')}</dd>
      </div>
    </dl>
  );
}

function Statistics({ organization }: { organization: Organization }) {
  const { stats } = organization;
  const oldest = stats.oldest_open_created_at;
  return (
    <Panel title={t('organizations.stats.title')}>
      <dl class="facts organization-stats">
        <div>
          <dt>{t('organizations.stats.members')}</dt>
          <dd>{formatNumber(stats.members)}</dd>
        </div>
        <div>
          <dt>{t('organizations.stats.open')}</dt>
          <dd>
            {formatNumber(stats.open_tickets)}
            <span class="fact-detail">{t('organizations.stats.open_hint')}</span>
          </dd>
        </div>
        <div>
          <dt>{t('organizations.stats.oldest')}</dt>
          <dd>{oldest ? <time dateTime={oldest}>{formatDate(oldest)}</time> : t('organizations.stats.oldest_none')}</dd>
        </div>
        <div>
          <dt>{t('organizations.stats.year')}</dt>
          <dd>{formatNumber(stats.tickets_last_12_months)}</dd>
        </div>
      </dl>
    </Panel>
  );
}

interface TicketListing {
  items: TicketListItem[];
  cursor: string | null;
}

/** Its tickets, the newest first, as the server lets the caller see them. */
function Tickets({ organization }: { organization: Organization }) {
  const { slug } = useMember();
  const query = { organization_id: organization.id };
  const list = useResource<TicketListing>(`organization-tickets:${slug}:${organization.id}:${organization.updated_at}`, async (signal) => {
    const page = await listTickets(query, { limit: TICKETS_PAGE }, signal);
    return { items: page.data, cursor: page.next_cursor ?? null };
  });
  const more = useSubmit();
  const loadMore = () =>
    void more.run(async () => {
      const cursor = list.data?.cursor;
      if (!cursor) return;
      const page = await listTickets(query, { limit: TICKETS_PAGE, cursor });
      list.setData((shown) => shown && { items: [...shown.items, ...page.data], cursor: page.next_cursor ?? null });
    });
  return (
    <Panel title={t('organizations.tickets.title')}>
      <p class="hint">{t('organizations.tickets.lead')}</p>
      <Loaded resource={list} empty={(shown) => shown.items.length === 0 && t('organizations.tickets.none')}>
        {(shown) => (
          <ul class="side-list organization-tickets" aria-label={t('organizations.tickets.list', { name: organization.name })}>
            {shown.items.map((ticket) => (
              <li key={ticket.id}>
                <Link href={`/tickets/${ticket.id}`}>
                  <span class="ticket-number">{ticket.ticket_number}</span> {ticket.subject}
                </Link>
                <span class="side-meta">
                  <StatusBadge status={ticket.status} audience="staff" />{' '}
                  {ticket.requester ? <span>{t('organizations.tickets.from', { name: displayName(ticket.requester) })} · </span> : null}
                  <time dateTime={ticket.created_at}>{formatDateTime(ticket.created_at)}</time>
                </span>
              </li>
            ))}
          </ul>
        )}
      </Loaded>
      <LoadMore more={more} label={t('organizations.tickets.more')} onMore={list.data?.cursor ? loadMore : null} />
    </Panel>
  );
}

/** The refusal to delete an organisation an SLA policy's conditions name. */
const inUse = (error: unknown) => error instanceof ApiProblem && error.code === 'organization_in_use';

/** Its deletion, asked and confirmed in place; the list says it was done. Refused while an SLA
 * policy names it: the question is answered, the refusal said below with the way to the
 * policies, and the focus back on the button that asks. */
function Deletion({ organization }: { organization: Organization }) {
  const [confirming, setConfirming] = useState(false);
  const submission = useSubmit();
  const { container, focusAfter } = useFocusAfterRender<HTMLDivElement>();
  const ask = (on: boolean) => {
    focusAfter(on ? '[data-action="delete-yes"]' : '[data-action="delete"]');
    setConfirming(on);
  };
  const remove = () =>
    void submission.run(async () => {
      try {
        await removeOrganization(organization.id);
      } catch (error) {
        if (inUse(error)) ask(false);
        throw error;
      }
      const state: DeletedOrganization = { deletedOrganization: organization.name };
      navigate('/organizations', { state });
    });
  return (
    <Panel title={t('organizations.delete.title')}>
      <p>{t('organizations.delete.lead')}</p>
      <div class="actions" ref={container}>
        {confirming ? (
          <>
            <span>{t('organizations.delete.confirm', { name: organization.name })}</span>
            <button type="button" class="button button--danger" data-action="delete-yes" disabled={submission.busy} onClick={remove}>
              {t('organizations.delete.yes', { name: organization.name })}
            </button>
            <button type="button" class="button button--secondary" onClick={() => ask(false)}>
              {t('organizations.delete.cancel')}
            </button>
          </>
        ) : (
          <button type="button" class="button button--danger" data-action="delete" onClick={() => ask(true)}>
            {t('organizations.delete.button', { name: organization.name })}
          </button>
        )}
      </div>
      {inUse(submission.error) ? (
        <div class="alert alert--error" role="alert">
          <p>
            {t('organizations.delete.in_use', { name: organization.name })} <Link href="/admin/sla">{t('organizations.delete.in_use_link')}</Link>
          </p>
        </div>
      ) : (
        <ErrorAlert error={submission.error} />
      )}
    </Panel>
  );
}
