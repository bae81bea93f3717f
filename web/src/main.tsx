/**
 * Entry point: the hostname decides which app this page is, drawn once the reader's language
 * has arrived; on an organisation's host with a session, the area last shown there is fetched
 * meanwhile.
 */

import { render } from 'preact';
import './styles/app.css';
import { appForHost } from './host';
import { applyToDocument, getLocale, loadLocale } from './i18n';
import { Root } from './Root';
import { sessionCookieSet } from './session/session';
import { prefetchRememberedArea } from './tenant/areas';

applyToDocument();
const host = appForHost(window.location.hostname);
// A returning person's area, fetched beside the language rather than after the session.
if (host.kind !== 'control' && sessionCookieSet()) prefetchRememberedArea();
const root = document.getElementById('app');
if (root) {
  // Drawn even if the words could not be fetched: the keys show, and the page still works.
  void loadLocale(getLocale())
    .catch(() => undefined)
    .then(() => render(<Root host={host} />, root));
}
