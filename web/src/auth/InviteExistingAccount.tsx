/**
 * Accept an invitation with an existing account: sign in to an organisation it belongs to (with
 * its second factor if it has one), accept, then sign in here.
 */

import { useState } from 'preact/hooks';
import type { MfaChallenge, TokenResponse } from '../api/schemas';
import { isValidSlug } from '../control/slug';
import { tenantDomain } from '../host';
import { t } from '../i18n';
import { TextField } from '../ui/Field';
import { useFields } from '../ui/form';
import { useSubmit } from '../ui/hooks';
import { ErrorAlert } from '../ui/status';
import { email, required, type Rule } from '../ui/validate';
import { acceptWith, loginElsewhere, verifyElsewhere } from './invitation';
import { MfaStep } from './MfaStep';
import { signInAfter } from './signInAfter';

const slugRule: Rule = (value) => (isValidSlug(value.trim().toLowerCase()) ? null : 'validation.slug');

const ERRORS = {
  unauthorized: 'auth.login.bad_credentials',
  rate_limited: 'auth.login.rate_limited',
  not_found: 'auth.invite.invalid',
  forbidden: 'auth.invite.other_email',
  conflict: 'auth.invite.already_member',
} as const;

export function InviteExistingAccount({ slug, token }: { slug: string; token: string }) {
  const form = useFields({ organisation: '', email: '', password: '' });
  const [challenge, setChallenge] = useState<MfaChallenge | null>(null);
  const submission = useSubmit();
  const { values, errors } = form;

  const finish = async (tokens: TokenResponse) => {
    await acceptWith(token, tokens);
    await signInAfter(slug, values.email.trim(), values.password, 'joined');
  };

  if (challenge) {
    return (
      <>
        <MfaStep onVerify={async (factor) => finish(await verifyElsewhere(challenge.mfa_token, factor))} onCancel={() => setChallenge(null)} />
        <ErrorAlert error={submission.error} overrides={ERRORS} />
      </>
    );
  }

  const onSubmit = (event: Event) => {
    event.preventDefault();
    if (!form.check({ organisation: [required, slugRule], email: [required, email], password: [required] })) return;
    void submission.run(async () => {
      const login = await loginElsewhere(values.organisation.trim().toLowerCase(), values.email.trim(), values.password);
      if (login.kind === 'mfa') return setChallenge(login.challenge);
      await finish(login.tokens);
    });
  };

  return (
    <form ref={form.ref} class="form" onSubmit={onSubmit} noValidate>
      <TextField label={t('auth.invite.organisation')} name="organisation" autocomplete="off" autocapitalize="none" spellcheck={false} hint={t('auth.invite.organisation_hint', { address: `acme.${tenantDomain(window.location.hostname)}` })} value={values.organisation} onValue={form.set('organisation')} error={errors.organisation} required />
      <TextField label={t('field.email')} name="email" type="email" autocomplete="username" value={values.email} onValue={form.set('email')} error={errors.email} required />
      <TextField label={t('field.password')} name="password" type="password" autocomplete="current-password" value={values.password} onValue={form.set('password')} error={errors.password} required />
      <ErrorAlert error={submission.error} overrides={ERRORS} />
      <button type="submit" class="button" disabled={submission.busy}>
        {t('auth.invite.submit_existing')}
      </button>
    </form>
  );
}
