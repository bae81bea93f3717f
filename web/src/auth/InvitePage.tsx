/**
 * An invitation opened by someone not signed in: create an account with it, or, when the email
 * already has an account, accept with that account.
 */

import { useState } from 'preact/hooks';
import { ApiProblem } from '../api/problem';
import { t } from '../i18n';
import { Page } from '../ui/Page';
import { Notice } from '../ui/status';
import { InviteExistingAccount } from './InviteExistingAccount';
import { InviteNewAccount } from './InviteNewAccount';

/** `organisation`: the organisation's name (its slug until it is known). */
export function InvitePage({ slug, organisation, token }: { slug: string; organisation: string; token: string }) {
  const [mode, setMode] = useState<'new' | 'existing'>('new');
  const [accountExists, setAccountExists] = useState(false);

  const onProblem = (error: unknown) => {
    if (error instanceof ApiProblem && error.code === 'conflict') {
      setAccountExists(true);
      setMode('existing');
    }
  };

  return (
    <Page title={t('auth.invite.title', { organisation })} narrow>
      {mode === 'new' ? (
        <>
          <p class="lead">{t('auth.invite.lead')}</p>
          <InviteNewAccount slug={slug} token={token} onProblem={onProblem} />
          <p class="aside">
            {t('auth.invite.have_account')}{' '}
            <button type="button" class="button button--link" onClick={() => setMode('existing')}>
              {t('auth.invite.use_existing')}
            </button>
          </p>
        </>
      ) : (
        <>
          {accountExists ? <Notice>{t('auth.invite.account_exists')}</Notice> : null}
          <p class="lead">{t('auth.invite.existing_lead', { organisation })}</p>
          <InviteExistingAccount slug={slug} token={token} />
          <p class="aside">
            <button type="button" class="button button--link" onClick={() => setMode('new')}>
              {t('auth.invite.use_new')}
            </button>
          </p>
        </>
      )}
    </Page>
  );
}
