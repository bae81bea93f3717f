//! The files of a ticket: download them, add one.

import { useId, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import type { Attachment } from '../api/schemas';
import { t } from '../i18n';
import { useLoad, useSubmit } from '../ui/hooks';
import { EmptyState, ErrorAlert, Loading, Notice } from '../ui/status';
import { AttachmentItem } from './AttachmentItem';

/** The largest file any type allows (zip); the server checks each type's own limit. */
const MAX_BYTES = 20 * 1024 * 1024;

export function FilesPanel({ ticketId, canUpload }: { ticketId: number; canUpload: boolean }) {
  const files = useLoad((signal) => api('GET', '/v1/tickets/{id}/attachments', { signal, path: { id: ticketId }, query: { limit: 100 } }), [ticketId]);
  const headingId = useId();
  return (
    <section class="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>{t('portal.files.title')}</h2>
      {files.error ? <ErrorAlert error={files.error} onRetry={files.reload} /> : null}
      {files.loading && !files.data ? <Loading /> : null}
      {files.data && files.data.data.length === 0 ? <EmptyState title={t('portal.files.empty')} /> : null}
      {files.data?.data.length ? (
        <ul class="attachments">
          {files.data.data.map((file) => (
            <AttachmentItem key={file.id} file={file} />
          ))}
        </ul>
      ) : null}
      {canUpload ? <UploadForm ticketId={ticketId} onUploaded={(file) => files.setData((page) => page && { ...page, data: [...page.data, file] })} /> : null}
    </section>
  );
}

function UploadForm({ ticketId, onUploaded }: { ticketId: number; onUploaded: (file: Attachment) => void }) {
  const [error, setError] = useState<string | undefined>();
  const [uploaded, setUploaded] = useState<string | null>(null);
  const submission = useSubmit();
  const input = useRef<HTMLInputElement>(null);
  const id = useId();

  const onSubmit = (event: Event) => {
    event.preventDefault();
    setUploaded(null);
    const file = input.current?.files?.[0];
    if (!file) return setError(t('portal.files.choose'));
    if (file.size > MAX_BYTES) return setError(t('portal.files.too_big'));
    setError(undefined);
    void submission.run(async () => {
      const stored = await api('POST', '/v1/tickets/{id}/attachments', { path: { id: ticketId }, form: { file } });
      onUploaded(stored);
      setUploaded(stored.original_name);
      if (input.current) input.current.value = '';
    });
  };

  return (
    <form class="form upload" onSubmit={onSubmit} noValidate>
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
          onChange={() => setError(undefined)}
        />
        {error ? (
          <p class="field-error" id={`${id}-error`}>
            {error}
          </p>
        ) : null}
      </div>
      {submission.error ? <ErrorAlert error={submission.error} /> : null}
      {uploaded ? <Notice tone="success">{t('portal.files.uploaded', { name: uploaded })}</Notice> : null}
      <button type="submit" class="button button--secondary" disabled={submission.busy}>
        {submission.busy ? t('portal.files.uploading') : t('portal.files.upload')}
      </button>
    </form>
  );
}
