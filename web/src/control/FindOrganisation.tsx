/** For people who already have an organisation: from its address to its sign-in page. */

import { tenantStatus } from '../data/organisation';
import { tenantDomain, tenantLoginUrl } from '../host';
import { t } from '../i18n';
import { TextField } from '../ui/Field';
import { useFields } from '../ui/form';
import { useSubmit } from '../ui/hooks';
import { ErrorAlert } from '../ui/status';
import { appUrlOf } from './appUrl';
import { isValidSlug } from './slug';
import { Panel } from '../ui/Panel';

export function FindOrganisation() {
  const form = useFields({ slug: '' });
  const submission = useSubmit();

  const onSubmit = (event: Event) => {
    event.preventDefault();
    const wanted = form.values.slug.trim().toLowerCase();
    form.setErrors(isValidSlug(wanted) ? {} : { slug: t('validation.slug') });
    if (!isValidSlug(wanted)) return;
    void submission.run(async () => {
      const view = await tenantStatus(wanted);
      window.location.assign(tenantLoginUrl(view.slug, appUrlOf(view), window.location));
    });
  };

  return (
    <Panel class="panel--quiet" title={t('signup.find.title')}>
      <form class="form form--inline" onSubmit={onSubmit} noValidate>
        <TextField label={t('signup.find.slug')} hint={t('signup.find.hint', { domain: tenantDomain(window.location.hostname) })} name="organization" autocomplete="off" autocapitalize="none" spellcheck={false} value={form.values.slug} onValue={form.set('slug')} error={form.errors.slug} />
        <button type="submit" class="button button--secondary" disabled={submission.busy}>
          {t('signup.find.submit')}
        </button>
      </form>
      <ErrorAlert error={submission.error} overrides={{ not_found: 'signup.find.not_found' }} />
    </Panel>
  );
}
