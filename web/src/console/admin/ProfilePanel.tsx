/**
 * The organisation itself (control-api's `/v1/tenants/{slug}`), for owners and admins: its name,
 * shown in every header and mail; its time zone (IANA), where its days begin and end; its
 * language, the one its people and customers read when theirs is not known. Only what changed
 * is sent; a value refused is said beside its field. A new name is in the header at once.
 */

import { useState } from 'preact/hooks';
import { ApiProblem } from '../../api/problem';
import { getTenant, updateTenantProfile, type TenantProfile } from '../../data/organisation';
import { shared } from '../../data/shared';
import { useResource } from '../../data/resource';
import { LOCALES, t, type MessageKey } from '../../i18n';
import { session } from '../../session';
import { useMember } from '../../tenant/member';
import { SelectField, TextField } from '../../ui/Field';
import { useFields } from '../../ui/form';
import { FormEnd } from '../../ui/FormEnd';
import { useSubmit } from '../../ui/hooks';
import { Loaded, Notice } from '../../ui/status';
import { FIELDS, NAME_MAX, checkProfile, profileChange, type ProfileField as Field } from '../organisation';
import { TimeZoneField } from './TimeZoneField';
import { Panel } from '../../ui/Panel';

/** The server's refusal of a field, in the page's words (its own are English only). */
const REFUSED: Record<Field, MessageKey> = {
  name: 'console.organisation.name_invalid',
  time_zone: 'console.organisation.zone_invalid',
  default_locale: 'console.organisation.locale_invalid',
};

export function ProfilePanel() {
  const { slug } = useMember();
  // The 2FA panel reads the tenant as it opens too: one request for both.
  const loaded = useResource(`tenant:${slug}`, () => shared(`tenant:${slug}`, () => getTenant(slug)));
  return (
    <Panel title={t('console.organisation.profile')}>
      <Loaded resource={loaded}>
        {(tenant) => <ProfileForm saved={{ name: tenant.name, time_zone: tenant.time_zone, default_locale: tenant.default_locale }} onSaved={(next) => loaded.setData((old) => (old ? { ...old, ...next } : old))} />}
      </Loaded>
    </Panel>
  );
}

function ProfileForm({ saved, onSaved }: { saved: TenantProfile; onSaved: (profile: TenantProfile) => void }) {
  const { slug } = useMember();
  const [notice, setNotice] = useState<string | null>(null);
  const form = useFields<TenantProfile>(saved, { onEdit: () => setNotice(null) });
  const { values, errors } = form;
  const submission = useSubmit();
  const locales = LOCALES.includes(values.default_locale as (typeof LOCALES)[number]) ? LOCALES : [...LOCALES, values.default_locale];

  const onSubmit = (event: Event) => {
    event.preventDefault();
    setNotice(null);
    const found = checkProfile(values);
    const shown: Partial<Record<Field, string>> = {};
    for (const [field, key] of Object.entries(found) as [Field, MessageKey][]) shown[field] = t(key);
    if (!form.show(shown)) return;
    const change = profileChange(saved, values);
    if (!Object.keys(change).length) return setNotice(t('console.organisation.unchanged'));
    void submission.run(async () => {
      try {
        const tenant = await updateTenantProfile(slug, change);
        const stored = { name: tenant.name, time_zone: tenant.time_zone, default_locale: tenant.default_locale };
        form.setValues(stored);
        if (change.name !== undefined) session.renamed(tenant.name);
        onSaved(stored);
        setNotice(t('console.organisation.saved'));
      } catch (error) {
        if (error instanceof ApiProblem && error.errors.length) {
          const refused: Partial<Record<Field, string>> = {};
          for (const { field } of error.errors) if ((FIELDS as readonly string[]).includes(field)) refused[field as Field] ??= t(REFUSED[field as Field]);
          if (Object.keys(refused).length) return void form.show(refused);
        }
        throw error;
      }
    });
  };

  return (
    <form ref={form.ref} class="form" onSubmit={onSubmit} noValidate>
      <TextField label={t('console.organisation.name')} {...form.field('name')} hint={t('console.organisation.name_hint')} autocomplete="organization" maxLength={NAME_MAX} required />
      <div class="field-row">
        <TimeZoneField label={t('console.organisation.zone')} hint={t('console.organisation.zone_hint')} {...form.field('time_zone')} />
        <SelectField
          label={t('console.organisation.locale')}
          {...form.field('default_locale')}
          hint={t('console.organisation.locale_hint')}
          options={locales.map((locale) => ({ value: locale, label: LOCALE_NAME[locale as keyof typeof LOCALE_NAME] ? t(LOCALE_NAME[locale as keyof typeof LOCALE_NAME]) : locale }))}
        />
      </div>
      {notice ? <Notice tone="success">{notice}</Notice> : null}
      <FormEnd submission={submission} submitLabel={t('console.organisation.submit')} />
    </form>
  );
}

const LOCALE_NAME = { en: 'console.organisation.locale_en', fr: 'console.organisation.locale_fr' } as const satisfies Record<(typeof LOCALES)[number], MessageKey>;
