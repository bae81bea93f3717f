/** Two-factor authentication for the signed-in account: turn it on (with recovery codes) or off. */

import { getAccount } from '../data/account';
import { useResource } from '../data/resource';
import { t } from '../i18n';
import { Page } from '../ui/Page';
import { Loaded } from '../ui/status';
import { TwoFactorDisable } from './TwoFactorDisable';
import { TwoFactorSetup } from './TwoFactorSetup';

export function TwoFactorPage() {
  const me = useResource('account', getAccount);
  return (
    <Page title={t('auth.2fa.title')} narrow>
      <Loaded resource={me}>{(account) => (account.mfa_enabled ? <TwoFactorDisable onDisabled={me.reload} /> : <TwoFactorSetup onEnabled={me.reload} />)}</Loaded>
    </Page>
  );
}
