/**
 * The signed-in person's notifications (the bell), their choices of what they are told and how,
 * and the one-click unsubscribe a notification mail links to.
 */

import { api, revalidate, type Revalidated } from '../api';
import type { AppSchemas, ResponseBody } from '../api/types';

export const NOTIFICATION_KINDS = ['ticket_created', 'ticket_assigned', 'message_added', 'status_changed', 'ticket_resolved', 'sla_breach'] as const satisfies readonly AppSchemas['Kind'][];
/** The kinds a person chooses; the bell may also hold notices nobody turns off (a webhook disabled). */
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
export const CHANNELS = ['email', 'in_app'] as const;
export type Channel = (typeof CHANNELS)[number];

export type Notification = AppSchemas['Notification'];
export type NotificationPage = ResponseBody<'GET', '/v1/notifications'>;
export type Unsubscribed = ResponseBody<'POST', '/v1/notifications/unsubscribe'>;
type StoredPreferences = ResponseBody<'GET', '/v1/me/notification-preferences'>;

/** The preferences with every kind on both channels (the contract types them as open maps). */
export interface NotificationPreferences {
  email: Record<NotificationKind, boolean>;
  in_app: Record<NotificationKind, boolean>;
  /** The language of the mail the person receives. */
  language: StoredPreferences['language'];
}

/** The server's answer with every kind present: one it left out counts as off. */
export function completePreferences(stored: StoredPreferences): NotificationPreferences {
  const channel = (given: Record<string, boolean>) =>
    Object.fromEntries(NOTIFICATION_KINDS.map((kind) => [kind, given[kind] === true])) as Record<NotificationKind, boolean>;
  return { email: channel(stored.email), in_app: channel(stored.in_app), language: stored.language };
}

export function listNotifications(page: { limit: number; cursor?: string }, signal?: AbortSignal): Promise<NotificationPage> {
  return api('GET', '/v1/notifications', { query: page, signal });
}

/** The newest `limit` notifications and the unread count, `changed: false` while current. */
export function revalidateNotifications(limit: number, etag: string | null, signal?: AbortSignal): Promise<Revalidated<NotificationPage>> {
  return revalidate('/v1/notifications', etag, { query: { limit }, signal });
}

export function markNotificationsRead(ids: number[]) {
  return api('POST', '/v1/notifications/read', { body: { ids } });
}

export function markAllNotificationsRead() {
  return api('POST', '/v1/notifications/read', { body: { all: true } });
}

export async function getNotificationPreferences(signal?: AbortSignal): Promise<NotificationPreferences> {
  return completePreferences(await api('GET', '/v1/me/notification-preferences', { signal }));
}

/** Takes the whole object, kinds not shown to the person included. */
export async function saveNotificationPreferences(preferences: NotificationPreferences): Promise<NotificationPreferences> {
  return completePreferences(await api('PUT', '/v1/me/notification-preferences', { body: preferences }));
}

/** The token comes from a mail's link; no session needed. */
export function unsubscribe(token: string): Promise<Unsubscribed> {
  return api('POST', '/v1/notifications/unsubscribe', { query: { token }, auth: false });
}
