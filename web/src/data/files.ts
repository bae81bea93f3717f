/**
 * A ticket's files: the list, an upload, and a fresh link to one (links expire after 15
 * minutes and each access is logged, so one is asked for when it is used, never kept); and
 * saving a file the app fetched itself (one only the session's token may read).
 */

import { api } from '../api';
import type { Attachment } from '../api/schemas';
import { allPages } from './pages';

/** A ticket's files are read whole, a hundred at a time, up to this many pages. */
const MAX_PAGES = 20;

export function ticketFiles(ticketId: number, signal?: AbortSignal): Promise<Attachment[]> {
  return allPages((cursor) => api('GET', '/v1/tickets/{id}/attachments', { path: { id: ticketId }, query: { limit: 100, cursor }, signal }), MAX_PAGES);
}

/** `internal`: a file for the team only (staff). */
export function uploadFile(ticketId: number, file: File, internal?: boolean): Promise<Attachment> {
  return api('POST', '/v1/tickets/{id}/attachments', { path: { id: ticketId }, form: internal === undefined ? { file } : { file, is_internal: internal } });
}

export function fileLink(id: number, signal?: AbortSignal) {
  return api('GET', '/v1/attachments/{id}', { path: { id }, signal });
}

/** Downloads a file through a fresh link. */
export async function downloadFile(id: number, name: string): Promise<void> {
  const link = await fileLink(id);
  const url = new URL(link.url, window.location.href);
  const a = document.createElement('a');
  a.href = url.href;
  a.download = name;
  // A link to the file store (another origin) ignores `download`; a new tab keeps the app open.
  if (url.origin !== window.location.origin) {
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
  }
  document.body.append(a);
  a.click();
  a.remove();
}

/** Saves a file already fetched (with the session's token) under `name`. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // The browser reads the URL once the click is handled; it is freed a moment later.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
