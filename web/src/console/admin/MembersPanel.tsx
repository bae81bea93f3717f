/**
 * The organisation's members, its support team (customers have their page, `CustomersPage`):
 * change a role, remove someone (after a confirmation in place). The organisation's only owner
 * is offered no removal: the server would refuse it, so the row says why.
 */

import { useId, useState } from 'preact/hooks';
import { allMembers, changeMemberRole, removeMember, type MemberView } from '../../data/people';
import { useResource } from '../../data/resource';
import { formatDateTime, t } from '../../i18n';
import { Link } from '../../router/router';
import { displayName, useMember } from '../../tenant/member';
import { useFields } from '../../ui/form';
import { useSubmit } from '../../ui/hooks';
import { ErrorAlert, Loaded, Notice } from '../../ui/status';
import { MEMBER_ROLES, ROLE_LABEL, roleLabel } from './roles';
import { Panel } from '../../ui/Panel';
import { FormRow } from '../../ui/Field';

export function MembersPanel() {
  const { slug, member: me } = useMember();
  const members = useResource(`members:${slug}`, (signal) => allMembers(slug, signal));
  const [notice, setNotice] = useState('');
  const changed = (text: string) => {
    setNotice(text);
    members.reload();
  };
  return (
    <Panel title={t('console.team.members')}>
      {notice ? <Notice tone="success">{notice}</Notice> : null}
      <p class="hint">
        {t('console.team.customers_apart')} <Link href="/admin/customers">{t('console.nav.customers')}</Link>
      </p>
      <Loaded resource={members} empty={(all) => all.every((m) => m.role === 'customer') && t('console.team.no_members')}>
        {(all) => (
          <ul class="member-list">
            {all
              .filter((m) => m.role !== 'customer')
              .map((m) => (
                <MemberRow
                  key={m.user_id}
                  m={m}
                  slug={slug}
                  self={m.user_id === me.id}
                  lastOwner={m.role === 'owner' && all.filter((other) => other.role === 'owner').length === 1}
                  onChanged={changed}
                />
              ))}
          </ul>
        )}
      </Loaded>
    </Panel>
  );
}

function MemberRow({ m, slug, self, lastOwner, onChanged }: { m: MemberView; slug: string; self: boolean; lastOwner: boolean; onChanged: (notice: string) => void }) {
  const name = displayName(m);
  const form = useFields({ role: m.role });
  const { role } = form.values;
  const [confirming, setConfirming] = useState(false);
  const submission = useSubmit();
  const id = useId();
  const save = () =>
    void submission.run(async () => {
      await changeMemberRole(slug, m.user_id, role);
      onChanged(t('console.team.role_changed', { name, role: t(ROLE_LABEL[role as keyof typeof ROLE_LABEL]) }));
    });
  const remove = () =>
    void submission.run(async () => {
      await removeMember(slug, m.user_id);
      onChanged(t('console.team.removed', { name }));
    });
  const label = roleLabel(m.role);
  return (
    <li class="member">
      <div class="member-who">
        <strong>{name}</strong>
        {self ? <span class="badge">{t('console.team.you')}</span> : null}
        <span class="attachment-meta">{m.email}</span>
        <span class="attachment-meta">{t('console.team.joined', { time: formatDateTime(m.joined_at) })}</span>
      </div>
      <form
        class="form form--inline member-role"
        onSubmit={(e) => {
          e.preventDefault();
          save();
        }}
      >
        <FormRow id={id} label={t('console.team.role_of', { name })}>
          {(control) => (
            <select {...control} name="role" value={role} onChange={(e) => form.set('role')(e.currentTarget.value)}>
              {label ? null : <option value={m.role}>{m.role}</option>}
              {MEMBER_ROLES.map((r) => (
                <option key={r} value={r}>
                  {t(ROLE_LABEL[r])}
                </option>
              ))}
            </select>
          )}
        </FormRow>
        <button type="submit" class="button button--secondary" disabled={submission.busy || role === m.role}>
          {t('console.team.save_role')}
        </button>
      </form>
      <div class="actions">
        {lastOwner ? (
          <p class="hint">{t('console.team.only_owner')}</p>
        ) : confirming ? (
          <>
            <span>{t('console.team.remove_confirm', { name })}</span>
            <button type="button" class="button button--danger" disabled={submission.busy} onClick={remove}>
              {t('console.team.remove_yes', { name })}
            </button>
            <button type="button" class="button button--secondary" onClick={() => setConfirming(false)}>
              {t('console.team.cancel')}
            </button>
          </>
        ) : (
          <button type="button" class="button button--secondary" onClick={() => setConfirming(true)} aria-label={t('console.team.remove_named', { name })}>
            {t('console.team.remove')}
          </button>
        )}
      </div>
      <ErrorAlert error={submission.error} overrides={{ conflict: 'console.team.last_owner' }} />
    </li>
  );
}
