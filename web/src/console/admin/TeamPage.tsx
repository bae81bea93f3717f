import { t } from '../../i18n';
import { Page } from '../../ui/Page';
import { InvitationsPanel } from './InvitationsPanel';
import { MembersPanel } from './MembersPanel';

export function TeamPage() {
  return (
    <Page title={t('console.team.title')}>
      <InvitationsPanel />
      <MembersPanel />
    </Page>
  );
}
