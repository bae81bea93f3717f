//! Entry point: the hostname decides which app this page is, drawn once the reader's language
//! has arrived.

import { render } from 'preact';
import './styles/app.css';
import { appForHost } from './host';
import { applyToDocument, getLocale, loadLocale } from './i18n';
import { Root } from './Root';

applyToDocument();
const root = document.getElementById('app');
if (root) {
  // Drawn even if the words could not be fetched: the keys show, and the page still works.
  void loadLocale(getLocale())
    .catch(() => undefined)
    .then(() => render(<Root host={appForHost(window.location.hostname)} />, root));
}
