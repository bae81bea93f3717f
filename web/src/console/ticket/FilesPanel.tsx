//! Every file of the ticket, internal ones marked, images previewed through a fresh link (links
//! last 15 minutes and each access is logged, so one is asked for when the preview shows).

import { useId } from 'preact/hooks';
import { api } from '../../api';
import type { Attachment } from '../../api/schemas';
import { formatBytes, formatDateTime, t } from '../../i18n';
import { downloadAttachment } from '../../portal/download';
import { useLoad, useSubmit } from '../../ui/hooks';
import { EmptyState, ErrorAlert, Loading } from '../../ui/status';
import { LockIcon } from './icons';
import type { useFiles } from './data';

export function FilesPanel({ files }: { files: ReturnType<typeof useFiles> }) {
  const id = useId();
  const list = files.data ?? [];
  return (
    <section class="panel" aria-labelledby={id}>
      <h2 id={id}>{t('console.files.title')}</h2>
      {files.error ? <ErrorAlert error={files.error} onRetry={files.reload} /> : null}
      {files.loading && !files.data ? <Loading /> : null}
      {files.data && list.length === 0 ? <EmptyState title={t('console.files.empty')} /> : null}
      {list.length ? (
        <ul class="attachments files">
          {list.map((file) => (
            <FileItem key={file.id} file={file} />
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function FileItem({ file }: { file: Attachment }) {
  const download = useSubmit();
  return (
    <li class={file.is_internal ? 'attachment attachment--internal' : 'attachment'}>
      {file.mime_type.startsWith('image/') ? <Preview file={file} /> : null}
      <span class="attachment-name">{file.original_name}</span>
      <span class="attachment-meta">
        {formatBytes(file.file_size)} · {formatDateTime(file.created_at)}
      </span>
      {file.is_internal ? (
        <span class="note-tag">
          <LockIcon />
          {t('console.files.internal')}
        </span>
      ) : null}
      <button
        type="button"
        class="button button--secondary button--small"
        onClick={() => void download.run(() => downloadAttachment(file.id, file.original_name))}
        disabled={download.busy}
        aria-label={t('console.files.download_named', { name: file.original_name })}
      >
        {t('console.files.download')}
      </button>
      {download.error ? <ErrorAlert error={download.error} /> : null}
    </li>
  );
}

function Preview({ file }: { file: Attachment }) {
  const link = useLoad((signal) => api('GET', '/v1/attachments/{id}', { path: { id: file.id }, signal }), [file.id]);
  if (!link.data) return <span class="thumb thumb--empty" aria-hidden="true" />;
  return <img class="thumb" src={link.data.url} alt={t('console.files.preview_of', { name: file.original_name })} loading="lazy" />;
}
