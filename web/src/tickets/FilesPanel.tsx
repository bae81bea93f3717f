/**
 * Every file of a ticket, for the portal and the console: staff see the internal ones marked and
 * images previewed. What adds a file (the portal's upload form) comes in as children. Beside the
 * console's thread it is folded until opened (`folded`), and the list is read only then.
 */

import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';
import type { Attachment } from '../api/schemas';
import type { Resource } from '../data/resource';
import { t } from '../i18n';
import { FoldedPanel } from '../ui/FoldedPanel';
import { Loaded } from '../ui/status';
import type { Audience } from './audience';
import { FileItem } from './FileItem';
import { Panel } from '../ui/Panel';

/** `files`: the list, or (folded) the hook that reads it, called once the panel is opened. */
export function FilesPanel({
  files,
  audience,
  folded = false,
  children,
}: {
  files: Resource<Attachment[]> | (() => Resource<Attachment[]>);
  audience: Audience;
  folded?: boolean;
  children?: ComponentChildren;
}) {
  const id = useId();
  const staff = audience === 'staff';
  const title = staff ? t('console.files.title') : t('portal.files.title');
  const content = <FileList files={files} audience={audience}>{children}</FileList>;
  if (folded) {
    return (
      <FoldedPanel id={id} title={title} lazy>
        {content}
      </FoldedPanel>
    );
  }
  return (
    <Panel title={title} id={id}>
      {content}
    </Panel>
  );
}

function FileList({ files: given, audience, children }: { files: Resource<Attachment[]> | (() => Resource<Attachment[]>); audience: Audience; children?: ComponentChildren }) {
  const files = typeof given === 'function' ? given() : given;
  const staff = audience === 'staff';
  return (
    <>
      <Loaded resource={files} empty={(list) => list.length === 0 && (staff ? t('console.files.empty') : t('portal.files.empty'))}>
        {(list) => (
          <ul class={staff ? 'attachments files' : 'attachments'}>
            {list.map((file) => (
              <FileItem key={file.id} file={file} audience={audience} preview={staff} />
            ))}
          </ul>
        )}
      </Loaded>
      {children}
    </>
  );
}
