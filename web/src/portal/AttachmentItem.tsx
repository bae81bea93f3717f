import { formatBytes, formatDateTime, t } from '../i18n';
import { useSubmit } from '../ui/hooks';
import { ErrorAlert } from '../ui/status';
import { downloadAttachment } from './download';

export function AttachmentItem({ file }: { file: { id: number; original_name: string; file_size: number; created_at: string } }) {
  const download = useSubmit();
  return (
    <li class="attachment">
      <span class="attachment-name">{file.original_name}</span>
      <span class="attachment-meta">
        {formatBytes(file.file_size)} · {formatDateTime(file.created_at)}
      </span>
      <button
        type="button"
        class="button button--secondary button--small"
        onClick={() => void download.run(() => downloadAttachment(file.id, file.original_name))}
        disabled={download.busy}
        aria-label={t('portal.files.download_named', { name: file.original_name })}
      >
        {t('portal.files.download')}
      </button>
      {download.error ? <ErrorAlert error={download.error} /> : null}
    </li>
  );
}
