import { t } from '../i18n';
import { Link } from '../router/router';
import { Page } from './Page';

export function NotFoundPage() {
  return (
    <Page title={t('common.not_found.title')} narrow>
      <p>{t('common.not_found.body')}</p>
      <p>
        <Link href="/">{t('common.not_found.home')}</Link>
      </p>
    </Page>
  );
}
