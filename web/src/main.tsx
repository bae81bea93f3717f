//! Entry point: the hostname decides which app this page is.

import { render } from 'preact';
import './styles/app.css';
import { appForHost } from './host';
import { applyToDocument } from './i18n';
import { Root } from './Root';

applyToDocument();
const root = document.getElementById('app');
if (root) render(<Root host={appForHost(window.location.hostname)} />, root);
