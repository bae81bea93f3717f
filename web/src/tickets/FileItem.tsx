/**
 * One file: its name, size and date, a download through a fresh link, and for staff its
 * "staff only" marker and, for an image, a preview (asked for when shown: each access is logged).
 */

import { downloadFile, fileLink } from '../data/files';
import { useResource } from '../data/resource';
import { formatBytes, formatDateTime, t } from '../i18n';
import { useSubmit } from '../ui/hooks';
import { ErrorAlert } from '../ui/status';
import type { Audience } from './audience';
import { LockIcon } from './icons';

export interface FileFacts {
  id: number;
  original_name: string;
  file_size: number;
  created_at: string;
  mime_type?: string;
  is_internal?: boolean;
}

export function FileItem({ file, audience, preview = false }: { file: FileFacts; audience: Audience; preview?: boolean }) {
  const download = useSubmit();
  const staff = audience === 'staff';
  const internal = staff && file.is_internal === true;
  return (
    <li class={internal ? 'attachment attachment--internal' : 'attachment'}>
      {preview && file.mime_type?.startsWith('image/') ? <Preview file={file} /> : null}
      <span class="attachment-name">{file.original_name}</span>
      <span class="attachment-meta">
        {formatBytes(file.file_size)} · {formatDateTime(file.created_at)}
      </span>
      {internal ? (
        <span class="note-tag">
          <LockIcon />
          {t('console.files.internal')}
        </span>
      ) : null}
      <button
        type="button"
        class="button button--secondary button--small"
        onClick={() => void download.run(() => downloadFile(file.id, file.original_name))}
        disabled={download.busy}
        aria-label={staff ? t('console.files.download_named', { name: file.original_name }) : t('portal.files.download_named', { name: file.original_name })}
      >
        {staff ? t('console.files.download') : t('portal.files.download')}
      </button>
      <ErrorAlert error={download.error} />
    </li>
  );
}

function Preview({ file }: { file: FileFacts }) {
  const link = useResource(`file-link:${file.id}`, (signal) => fileLink(file.id, signal));
  if (!link.data) return <span class="thumb thumb--empty" aria-hidden="true" />;
  return <img class="thumb" src={link.data.url} alt={t('console.files.preview_of', { name: file.original_name })} loading="lazy" />;
}
