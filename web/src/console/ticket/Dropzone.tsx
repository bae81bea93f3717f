/**
 * Files for a message: dropped on the zone or chosen with the file picker (the keyboard's way),
 * listed with a preview for images (a blob: URL of the local file, which the CSP allows).
 */

import { useId, useRef, useState } from 'preact/hooks';
import { formatBytes, t } from '../../i18n';
import { PaperclipIcon } from '../../tickets/icons';

export interface Pending {
  key: string;
  file: File;
  preview: string | null;
  /** Once sent up: its id and whether it went up as internal. */
  stored?: { id: number; internal: boolean };
}

/** The largest file any type allows (zip); the server checks each type's own limit. */
const MAX_BYTES = 20 * 1024 * 1024;
const MAX_FILES = 10;

export function Dropzone({ files, onChange }: { files: Pending[]; onChange: (files: Pending[]) => void }) {
  const [over, setOver] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const id = useId();

  const add = (list: FileList | null | undefined) => {
    if (!list?.length) return;
    const chosen = Array.from(list);
    const tooBig = chosen.filter((f) => f.size > MAX_BYTES);
    const fitting = chosen.filter((f) => f.size <= MAX_BYTES).slice(0, Math.max(0, MAX_FILES - files.length));
    setError(tooBig.length ? t('console.files.too_big', { name: tooBig.map((f) => f.name).join(', ') }) : fitting.length < chosen.length - tooBig.length ? t('console.files.too_many', { max: MAX_FILES }) : null);
    onChange([
      ...files,
      ...fitting.map((file) => ({ key: crypto.randomUUID(), file, preview: file.type.startsWith('image/') ? URL.createObjectURL(file) : null })),
    ]);
    if (input.current) input.current.value = '';
  };

  const remove = (item: Pending) => {
    if (item.preview) URL.revokeObjectURL(item.preview);
    onChange(files.filter((f) => f.key !== item.key));
  };

  return (
    <div
      class={over ? 'dropzone dropzone--over' : 'dropzone'}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        add(e.dataTransfer?.files);
      }}
    >
      <PaperclipIcon />
      <label for={id}>{t('console.files.attach')}</label>
      <p class="field-hint" id={`${id}-hint`}>
        {t('console.files.drop_hint')}
      </p>
      <input ref={input} id={id} type="file" multiple aria-describedby={`${id}-hint`} onChange={(e) => add(e.currentTarget.files)} />
      {error ? (
        <p class="field-error" role="alert">
          {error}
        </p>
      ) : null}
      {files.length ? (
        <ul class="pending" aria-label={t('console.files.pending')}>
          {files.map((item) => (
            <li key={item.key} class="pending-file">
              {item.preview ? <img src={item.preview} alt="" class="thumb" /> : null}
              <span class="attachment-name">{item.file.name}</span>
              <span class="attachment-meta">{formatBytes(item.file.size)}</span>
              <button type="button" class="button button--secondary button--small" onClick={() => remove(item)} aria-label={t('console.files.remove_named', { name: item.file.name })}>
                {t('console.files.remove')}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
