/** Adding a file to a ticket (the portal's part of the files panel). */

import { useRef, useState } from 'preact/hooks';
import { uploadFile } from '../data/files';
import type { Attachment } from '../api/schemas';
import { t } from '../i18n';
import { FormRow } from '../ui/Field';
import { useFields } from '../ui/form';
import { useSubmit } from '../ui/hooks';
import { ErrorAlert, Notice } from '../ui/status';

/** The largest file any type allows (zip); the server checks each type's own limit. */
const MAX_BYTES = 20 * 1024 * 1024;

export function UploadForm({ ticketId, onUploaded }: { ticketId: number; onUploaded: (file: Attachment) => void }) {
  const form = useFields<Record<never, string>, 'file'>({});
  const error = form.errors.file;
  const [uploaded, setUploaded] = useState<string | null>(null);
  const submission = useSubmit();
  const input = useRef<HTMLInputElement>(null);

  const onSubmit = (event: Event) => {
    event.preventDefault();
    setUploaded(null);
    const file = input.current?.files?.[0];
    if (!form.show({ file: !file ? t('portal.files.choose') : file.size > MAX_BYTES ? t('portal.files.too_big') : undefined }) || !file) return;
    void submission.run(async () => {
      const stored = await uploadFile(ticketId, file);
      onUploaded(stored);
      setUploaded(stored.original_name);
      if (input.current) input.current.value = '';
    });
  };

  return (
    <form ref={form.ref} class="form upload" onSubmit={onSubmit} noValidate>
      <FormRow label={t('portal.files.file')} hint={t('portal.files.limits')} error={error}>
        {(control) => <input ref={input} {...control} name="file" type="file" onChange={() => form.setErrors({})} />}
      </FormRow>
      <ErrorAlert error={submission.error} />
      {uploaded ? <Notice tone="success">{t('portal.files.uploaded', { name: uploaded })}</Notice> : null}
      <button type="submit" class="button button--secondary" disabled={submission.busy}>
        {submission.busy ? t('portal.files.uploading') : t('portal.files.upload')}
      </button>
    </form>
  );
}
