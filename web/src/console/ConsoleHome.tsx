import { t } from '../i18n';
import { displayName, useMember } from '../tenant/member';
import { Page } from '../ui/Page';

export function ConsoleHome() {
  const { member } = useMember();
  return (
    <Page title={t('console.title')}>
      <div class="panel">
        <p>{t('console.signed_in_as', { name: displayName(member), role: t(`role.${member.role}`) })}</p>
        <p>{t('console.coming')}</p>
      </div>
    </Page>
  );
}
