/** An invitation opened while signed in: accept it with the current account. */

import { useState } from 'preact/hooks';
import { acceptInvitation } from '../data/account';
import { t } from '../i18n';
import { Link } from '../router/router';
import { useMember } from '../tenant/member';
import { useSubmit } from '../ui/hooks';
import { Page } from '../ui/Page';
import { ErrorAlert, Notice } from '../ui/status';

export function AcceptInvitationPage({ token, onJoined }: { token: string; onJoined: () => void }) {
  const { member, organisation } = useMember();
  const [joined, setJoined] = useState(false);
  const submission = useSubmit();

  const accept = () =>
    void submission.run(async () => {
      await acceptInvitation(token);
      setJoined(true);
      onJoined();
    });

  return (
    <Page title={t('auth.invite.title', { organisation })} narrow>
      {joined ? (
        <>
          <Notice tone="success">{t('auth.notice.joined_signed_in')}</Notice>
          <Link href="/">{t('common.not_found.home')}</Link>
        </>
      ) : (
        <>
          <p>{t('auth.invite.signed_in_lead', { email: member.email, organisation })}</p>
          <ErrorAlert error={submission.error} overrides={{ conflict: 'auth.invite.already_member', forbidden: 'auth.invite.other_email', not_found: 'auth.invite.invalid' }} />
          <button type="button" class="button" onClick={accept} disabled={submission.busy}>
            {t('auth.invite.submit')}
          </button>
        </>
      )}
    </Page>
  );
}
