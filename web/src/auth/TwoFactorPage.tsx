//! Two-factor authentication for the signed-in account: turn it on (with recovery codes) or off.

import { getAccount } from '../data/account';
import { useResource } from '../data/resource';
import { t } from '../i18n';
import { Page } from '../ui/Page';
import { ErrorAlert, Loading } from '../ui/status';
import { TwoFactorDisable } from './TwoFactorDisable';
import { TwoFactorSetup } from './TwoFactorSetup';

export function TwoFactorPage() {
  const me = useResource('account', getAccount);
  return (
    <Page title={t('auth.2fa.title')} narrow>
      {me.error ? <ErrorAlert error={me.error} onRetry={me.reload} /> : null}
      {!me.data && !me.error ? <Loading /> : null}
      {me.data ? (
        me.data.mfa_enabled ? (
          <TwoFactorDisable onDisabled={me.reload} />
        ) : (
          <TwoFactorSetup onEnabled={me.reload} />
        )
      ) : null}
    </Page>
  );
}
