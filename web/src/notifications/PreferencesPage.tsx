/**
 * What the signed-in person is told about, by email and in the app, and the language of the
 * mail: one table of kinds by channel. Customers are asked only about the kinds that concern
 * them; the kinds not shown are saved as they were.
 */

import { useState } from 'preact/hooks';
import { CHANNELS, getNotificationPreferences, saveNotificationPreferences, type Channel, type NotificationPreferences } from '../data/notifications';
import { useResource } from '../data/resource';
import { LOCALES, t, type Locale, type MessageKey } from '../i18n';
import { useMember } from '../tenant/member';
import { SelectField } from '../ui/Field';
import { useFields } from '../ui/form';
import { useSubmit } from '../ui/hooks';
import { Page } from '../ui/Page';
import { ErrorAlert, Loaded, Notice } from '../ui/status';
import { KIND_LABELS } from './labels';
import { kindsFor, samePreferences, withChoice } from './model';

const CHANNEL_HEADINGS: Record<Channel, MessageKey> = { email: 'notifications.prefs.email', in_app: 'notifications.prefs.in_app' };
const CHANNEL_CHOICES: Record<Channel, MessageKey> = { email: 'notifications.prefs.choice_email', in_app: 'notifications.prefs.choice_in_app' };
const LANGUAGE_NAMES: Record<Locale, string> = { en: 'English', fr: 'Français' };

export function NotificationPreferencesPage() {
  const loaded = useResource('notification-preferences', getNotificationPreferences);
  return (
    <Page title={t('notifications.prefs.title')}>
      <p class="lead">{t('notifications.prefs.lead')}</p>
      <Loaded resource={loaded}>{(stored) => <PreferencesForm stored={stored} onSaved={(next) => loaded.setData(() => next)} />}</Loaded>
    </Page>
  );
}

function PreferencesForm({ stored, onSaved }: { stored: NotificationPreferences; onSaved: (stored: NotificationPreferences) => void }) {
  const { member } = useMember();
  const form = useFields(stored);
  const draft = form.values;
  const [saved, setSaved] = useState(false);
  const submission = useSubmit();

  const change = (next: NotificationPreferences) => {
    form.setValues(next);
    setSaved(false);
  };
  const onSubmit = (event: Event) => {
    event.preventDefault();
    setSaved(false);
    void submission.run(async () => {
      const answer = await saveNotificationPreferences(draft);
      onSaved(answer);
      form.setValues(answer);
      setSaved(true);
    });
  };

  const kinds = kindsFor(member.role);
  const unchanged = samePreferences(draft, stored);
  return (
    <form class="form preferences" onSubmit={onSubmit}>
      <div class="table-wrap">
        <table class="preferences-table">
          <caption>{t('notifications.prefs.table')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('notifications.prefs.event')}</th>
              {CHANNELS.map((channel) => (
                <th key={channel} scope="col">
                  {t(CHANNEL_HEADINGS[channel])}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {kinds.map((kind) => (
              <tr key={kind}>
                <th scope="row">{t(KIND_LABELS[kind])}</th>
                {CHANNELS.map((channel) => (
                  <td key={channel}>
                    <input
                      type="checkbox"
                      aria-label={t(CHANNEL_CHOICES[channel], { kind: t(KIND_LABELS[kind]) })}
                      checked={draft[channel][kind]}
                      onChange={(e) => change(withChoice(draft, channel, kind, e.currentTarget.checked))}
                    />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <SelectField
        label={t('notifications.prefs.language')}
        name="language"
        value={draft.language}
        onValue={(value) => change({ ...draft, language: value as Locale })}
        options={LOCALES.map((locale) => ({ value: locale, label: LANGUAGE_NAMES[locale] }))}
      />
      <ErrorAlert error={submission.error} />
      {saved && unchanged ? <Notice tone="success">{t('notifications.prefs.saved')}</Notice> : null}
      <div class="actions">
        <button type="submit" class="button" disabled={submission.busy}>
          {submission.busy ? t('common.working') : t('notifications.prefs.submit')}
        </button>
      </div>
    </form>
  );
}
