/**
 * The organisation's rule that owners and admins sign in with a second factor. Turning it on
 * while one's own account has none would lock oneself out, so that waits for one's own 2FA.
 */

import { useId, useState } from 'preact/hooks';
import { getAccount } from '../../data/account';
import { getTenant, setRequire2fa } from '../../data/organisation';
import { shared } from '../../data/shared';
import { useResource } from '../../data/resource';
import { t } from '../../i18n';
import { Link } from '../../router/router';
import { useMember } from '../../tenant/member';
import { useFields } from '../../ui/form';
import { useSubmit } from '../../ui/hooks';
import { ErrorAlert, Loaded, Notice } from '../../ui/status';
import { Panel } from '../../ui/Panel';

export function TwoFactorPanel() {
  const { slug } = useMember();
  const loaded = useResource(`two-factor:${slug}`, async (signal) => {
    // The profile panel reads the tenant as it opens too: one request for both.
    const [tenant, me] = await Promise.all([shared(`tenant:${slug}`, () => getTenant(slug)), getAccount(signal)]);
    return { required: (tenant.settings as { require_2fa_for_admins?: unknown }).require_2fa_for_admins === true, mine: me.mfa_enabled };
  });
  return (
    <Panel title={t('console.settings.twofa_title')}>
      <Loaded resource={loaded}>{(setting) => <RequireForm setting={setting} onSaved={loaded.reload} />}</Loaded>
    </Panel>
  );
}

function RequireForm({ setting, onSaved }: { setting: { required: boolean; mine: boolean }; onSaved: () => void }) {
  const { slug } = useMember();
  const form = useFields({ wanted: setting.required });
  const { wanted } = form.values;
  const [saved, setSaved] = useState(false);
  const submission = useSubmit();
  const id = useId();
  const blocked = wanted && !setting.mine && !setting.required;
  return (
    <form
      class="form"
      onSubmit={(e) => {
        e.preventDefault();
        if (blocked) return;
        setSaved(false);
        void submission.run(async () => {
          await setRequire2fa(slug, wanted);
          setSaved(true);
          onSaved();
        });
      }}
    >
      <p class="hint">{t('console.settings.twofa_lead')}</p>
      <div class="checkbox">
        <input
          id={`${id}-box`}
          type="checkbox"
          checked={wanted}
          aria-describedby={blocked ? `${id}-blocked` : undefined}
          onChange={(e) => {
            form.set('wanted')(e.currentTarget.checked);
            setSaved(false);
          }}
        />
        <label for={`${id}-box`}>{t('console.settings.twofa_label')}</label>
      </div>
      {blocked ? (
        <p class="field-error" id={`${id}-blocked`}>
          {t('console.settings.twofa_blocked')} <Link href="/account/2fa">{t('console.settings.twofa_setup')}</Link>
        </p>
      ) : null}
      <ErrorAlert error={submission.error} />
      {saved ? <Notice tone="success">{t('console.settings.saved')}</Notice> : null}
      <button type="submit" class="button" disabled={submission.busy || blocked || wanted === setting.required}>
        {t('console.settings.twofa_submit')}
      </button>
    </form>
  );
}
