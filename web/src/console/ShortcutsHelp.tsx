/**
 * The keyboard help (`?`): a modal dialog, so focus stays inside until it closes and returns
 * to where it was. Ctrl+Shift+M is Cmd+Shift+M on a Mac.
 */

import { Fragment } from 'preact';
import { useId } from 'preact/hooks';
import { t, type MessageKey } from '../i18n';
import { useModalDialog } from '../ui/hooks';

const ROWS: [string[], MessageKey][] = [
  [['j'], 'console.keys.next'],
  [['k'], 'console.keys.previous'],
  [['Enter'], 'console.keys.open'],
  [['r'], 'console.keys.reply'],
  [['e'], 'console.keys.resolve'],
  [['m'], 'console.keys.macro'],
  [['Ctrl', 'Shift', 'M'], 'console.keys.macro_anywhere'],
  [['?'], 'console.keys.help'],
];

export function ShortcutsHelp({ open, onClose }: { open: boolean; onClose: () => void }) {
  const dialog = useModalDialog(open);
  const titleId = useId();
  return (
    <dialog ref={dialog} class="dialog" aria-labelledby={titleId} onClose={onClose}>
      <h2 id={titleId}>{t('console.keys.title')}</h2>
      <dl class="keys">
        {ROWS.map(([keys, label]) => (
          <div key={label}>
            <dt>
              {keys.map((k, i) => (
                <Fragment key={k}>
                  {i > 0 ? '+' : null}
                  <kbd>{k}</kbd>
                </Fragment>
              ))}
            </dt>
            <dd>{t(label)}</dd>
          </div>
        ))}
      </dl>
      <p class="hint">{t('console.keys.typing')}</p>
      <button type="button" class="button" onClick={onClose}>
        {t('console.keys.close')}
      </button>
    </dialog>
  );
}

export function ShortcutsButton({ onOpen }: { onOpen: () => void }) {
  return (
    <button type="button" class="button button--link" onClick={onOpen} aria-keyshortcuts="?">
      {t('console.keys.button')}
    </button>
  );
}
