/** Platform operators sign in on the control host: email and password without an organisation,
 * then a second factor when the account has one. The area then shows where they were going. */

import { PasswordSignIn, useSignInSteps } from '../auth/PasswordSignIn';
import { t } from '../i18n';
import { Page } from '../ui/Page';

export function OperatorLoginPage() {
  const { signIn, mfaPage, typedEmail } = useSignInSteps(null, () => ({ mfaToken: null, email: '' }));
  if (mfaPage) return mfaPage;
  return (
    <Page title={t('operators.login.title')} narrow>
      <p class="lead">{t('operators.login.lead')}</p>
      <PasswordSignIn initialEmail={typedEmail} onSignIn={signIn} />
    </Page>
  );
}
