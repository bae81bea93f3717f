/**
 * Inviting people: the server mails the invitation; the panel says to which address, and shows
 * the link in full (the server returns its secret once) with a copy button, should the mail not
 * arrive. Open invitations are listed and can be revoked.
 */

import { useId, useState } from 'preact/hooks';
import { invite, openInvitations, revokeInvitation } from '../../data/organisation';
import { useResource } from '../../data/resource';
import { ApiProblem } from '../../api/problem';
import { formatDateTime, t } from '../../i18n';
import { useMember } from '../../tenant/member';
import { FormRow, SelectField, TextField } from '../../ui/Field';
import { useFields } from '../../ui/form';
import { useCopy, useSubmit } from '../../ui/hooks';
import { ErrorAlert, Loaded, Notice } from '../../ui/status';
import { email, required } from '../../ui/validate';
import { INVITE_ROLES, ROLE_LABEL, roleLabel } from './roles';
import { Panel } from '../../ui/Panel';

export function InvitationsPanel() {
  const { slug } = useMember();
  const open = useResource(`invitations:${slug}`, (signal) => openInvitations(slug, signal));
  return (
    <Panel title={t('console.team.invitations')}>
      <InviteForm slug={slug} onInvited={open.reload} />
      <h3>{t('console.team.open_invitations')}</h3>
      <Loaded resource={open} empty={(page) => page.data.length === 0 && t('console.team.no_invitations')}>
        {(page) => (
          <ul class="member-list">
            {page.data.map((inv) => (
              <InvitationRow key={inv.id} inv={inv} slug={slug} onRevoked={open.reload} />
            ))}
          </ul>
        )}
      </Loaded>
    </Panel>
  );
}

function InvitationRow({ inv, slug, onRevoked }: { inv: { id: string; email: string; role: string; created_at: string; expires_at: string; expired: boolean }; slug: string; onRevoked: () => void }) {
  const submission = useSubmit();
  const label = roleLabel(inv.role);
  return (
    <li class="member">
      <div class="member-who">
        <strong>{inv.email}</strong>
        <span class="badge">{label ? t(label) : inv.role}</span>
        {inv.expired ? <span class="badge badge--sla-breached">{t('console.team.expired')}</span> : null}
        <span class="attachment-meta">
          {t('console.team.sent', { time: formatDateTime(inv.created_at) })} · {t(inv.expired ? 'console.team.expired_at' : 'console.team.expires', { time: formatDateTime(inv.expires_at) })}
        </span>
      </div>
      <button
        type="button"
        class="button button--secondary"
        disabled={submission.busy}
        aria-label={t('console.team.revoke_named', { email: inv.email })}
        onClick={() =>
          void submission.run(async () => {
            await revokeInvitation(slug, inv.id);
            onRevoked();
          })
        }
      >
        {t('console.team.revoke')}
      </button>
      <ErrorAlert error={submission.error} />
    </li>
  );
}

function InviteForm({ slug, onInvited }: { slug: string; onInvited: () => void }) {
  const form = useFields({ email: '', role: 'agent' });
  const submission = useSubmit();
  const [created, setCreated] = useState<{ link: string; email: string; expires: string } | null>(null);
  const { values, errors } = form;
  const onSubmit = (event: Event) => {
    event.preventDefault();
    if (!form.check({ email: [required, email] })) return;
    void submission.run(async () => {
      try {
        const answer = await invite(slug, { email: values.email.trim(), role: values.role });
        setCreated({ link: `${window.location.origin}/invite/${answer.token}`, email: values.email.trim(), expires: answer.expires_at });
        form.setValues({ email: '', role: values.role });
        onInvited();
      } catch (error) {
        if (error instanceof ApiProblem) form.showServerErrors(error);
        throw error;
      }
    });
  };
  return (
    <>
      <form ref={form.ref} class="form invite-form" onSubmit={onSubmit} noValidate>
        <div class="field-row">
          <TextField label={t('console.team.invite_email')} name="email" type="email" autocomplete="off" value={values.email} onValue={form.set('email')} error={errors.email} required />
          <SelectField label={t('console.team.invite_role')} name="role" value={values.role} onValue={form.set('role')} options={INVITE_ROLES.map((r) => ({ value: r, label: t(ROLE_LABEL[r]) }))} />
        </div>
        <ErrorAlert error={submission.error} overrides={{ validation_failed: 'error.check_fields' }} />
        <button type="submit" class="button" disabled={submission.busy}>
          {submission.busy ? t('common.working') : t('console.team.invite_submit')}
        </button>
      </form>
      {created ? <InvitationLink {...created} /> : null}
    </>
  );
}

function InvitationLink({ link, email: to, expires }: { link: string; email: string; expires: string }) {
  const { copied, copy } = useCopy();
  const id = useId();
  return (
    <div class="panel panel--accent invite-link">
      <Notice tone="success">{t('console.team.invited', { email: to, time: formatDateTime(expires) })}</Notice>
      <FormRow id={id} label={t('console.team.link')} hint={t('console.team.link_hint')}>
        {(control) => <input {...control} class="link-field" readOnly value={link} onFocus={(e) => e.currentTarget.select()} />}
      </FormRow>
      <p class="link-text">
        <code>{link}</code>
      </p>
      <button type="button" class="button button--secondary" onClick={() => void copy(link, id)}>
        {t('console.team.copy')}
      </button>
      <p role="status" class="hint">
        {copied === 'yes' ? t('console.team.copied') : copied === 'no' ? t('console.team.copy_failed') : ''}
      </p>
    </div>
  );
}
