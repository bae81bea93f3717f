/**
 * Setting or replacing the mailbox: the IMAP server, the account (its password asked for at each
 * save: the helpdesk keeps it but never shows it), the folder, the receiving server trusted to
 * vouch for senders, and what becomes of mail from people the helpdesk does not know.
 */

import { useId } from 'preact/hooks';
import { saveMailbox, type Mailbox } from '../../data/inbound';
import { t } from '../../i18n';
import { TextField, UrlField } from '../../ui/Field';
import { serverFieldErrors, translated, useFields } from '../../ui/form';
import { useSubmit } from '../../ui/hooks';
import { ErrorAlert } from '../../ui/status';
import { MAILBOX_FIELDS, checkMailboxForm, mailboxForm } from './mailbox';
import { Panel } from '../../ui/Panel';

export function MailboxForm({ mailbox, onSaved }: { mailbox: Mailbox | null; onSaved: (mailbox: Mailbox) => void }) {
  const fields = useFields(mailboxForm(mailbox));
  const { values: form, errors, set: edit } = fields;
  const submission = useSubmit();
  const id = useId();

  const onSubmit = (event: Event) => {
    event.preventDefault();
    const checked = checkMailboxForm(form);
    const request = checked.request;
    if (!fields.show(translated(checked.errors)) || !request) return;
    void submission.run(async () => {
      try {
        onSaved(await saveMailbox(request));
      } catch (error) {
        const server = serverFieldErrors(error, MAILBOX_FIELDS);
        if (Object.keys(server).length) fields.show(server);
        throw error;
      }
    });
  };

  return (
    <Panel title={t(mailbox ? 'inbound.mailbox.replace_title' : 'inbound.mailbox.set_title')} id={id}>
      <form ref={fields.ref} class="form" onSubmit={onSubmit} noValidate>
        <UrlField label={t('inbound.mailbox.url')} hint={t('inbound.mailbox.url_hint')} name="imap_url" value={form.imap_url} error={errors.imap_url} onValue={edit('imap_url')} required />
        <TextField
          label={t('inbound.mailbox.username')}
          hint={t('inbound.mailbox.username_hint')}
          name="username"
          autocomplete="off"
          spellcheck={false}
          value={form.username}
          error={errors.username}
          onValue={edit('username')}
          required
        />
        <TextField
          label={t('inbound.mailbox.password')}
          hint={t(mailbox ? 'inbound.mailbox.password_again' : 'inbound.mailbox.password_hint')}
          name="password"
          type="password"
          autocomplete="new-password"
          value={form.password}
          error={errors.password}
          onValue={edit('password')}
          required
        />
        <TextField
          label={t('inbound.mailbox.folder')}
          hint={t('inbound.mailbox.folder_hint')}
          name="folder"
          autocomplete="off"
          spellcheck={false}
          value={form.folder}
          error={errors.folder}
          onValue={edit('folder')}
        />
        <TextField
          label={t('inbound.mailbox.authserv_label')}
          hint={t('inbound.mailbox.authserv_hint')}
          name="authserv_id"
          autocomplete="off"
          spellcheck={false}
          value={form.authserv_id}
          error={errors.authserv_id}
          onValue={edit('authserv_id')}
        />
        <div class="checkbox">
          <input
            id={`${id}-customers`}
            type="checkbox"
            name="create_customers"
            checked={form.create_customers}
            aria-describedby={`${id}-customers-hint`}
            onChange={(e) => edit('create_customers')(e.currentTarget.checked)}
          />
          <label for={`${id}-customers`}>{t('inbound.mailbox.create_customers')}</label>
        </div>
        <p class="field-hint" id={`${id}-customers-hint`}>
          {t('inbound.mailbox.create_customers_hint')}
        </p>
        <ErrorAlert error={submission.error} overrides={{ validation_failed: 'error.check_fields' }} />
        <button type="submit" class="button" disabled={submission.busy}>
          {submission.busy ? t('common.working') : t('inbound.mailbox.submit')}
        </button>
      </form>
    </Panel>
  );
}
