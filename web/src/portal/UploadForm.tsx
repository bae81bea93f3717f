//! Adding a file to a ticket (the portal's part of the files panel).

import { useId, useRef, useState } from 'preact/hooks';
import { uploadFile } from '../data/files';
import type { Attachment } from '../api/schemas';
import { t } from '../i18n';
import { FieldError } from '../ui/Field';
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
  const id = useId();

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
      <div class={error ? 'field field--invalid' : 'field'}>
        <label for={id}>{t('portal.files.file')}</label>
        <p class="field-hint" id={`${id}-hint`}>
          {t('portal.files.limits')}
        </p>
        <input
          ref={input}
          id={id}
          name="file"
          type="file"
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? `${id}-hint ${id}-error` : `${id}-hint`}
          onChange={() => form.setErrors({})}
        />
        <FieldError id={id} error={error} />
      </div>
      <ErrorAlert error={submission.error} />
      {uploaded ? <Notice tone="success">{t('portal.files.uploaded', { name: uploaded })}</Notice> : null}
      <button type="submit" class="button button--secondary" disabled={submission.busy}>
        {submission.busy ? t('portal.files.uploading') : t('portal.files.upload')}
      </button>
    </form>
  );
}
