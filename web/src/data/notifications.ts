//! The signed-in person's notifications (the bell), their choices of what they are told and how,
//! and the one-click unsubscribe a notification mail links to.

import type { Revalidated } from '../api';
import type { Locale } from '../i18n';
import { pendingCall, pendingRevalidate } from './pending';

export const NOTIFICATION_KINDS = ['ticket_created', 'ticket_assigned', 'message_added', 'status_changed', 'ticket_resolved', 'sla_breach'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
export const CHANNELS = ['email', 'in_app'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface Notification {
  id: number;
  kind: string;
  ticket_id: number | null;
  /** A plain-text sentence, already in the person's language. */
  title: string;
  created_at: string;
  read_at: string | null;
}

export interface NotificationPage {
  data: Notification[];
  next_cursor?: string | null;
  unread_count: number;
}

export interface NotificationPreferences {
  email: Record<NotificationKind, boolean>;
  in_app: Record<NotificationKind, boolean>;
  /** The language of the mail the person receives. */
  language: Locale;
}

export interface Unsubscribed {
  kind: string;
  channel: 'email';
}

export function listNotifications(page: { limit: number; cursor?: string }, signal?: AbortSignal): Promise<NotificationPage> {
  return pendingCall('GET', '/v1/notifications', { query: page, signal });
}

/** The newest `limit` notifications and the unread count, `changed: false` while current. */
export function revalidateNotifications(limit: number, etag: string | null, signal?: AbortSignal): Promise<Revalidated<NotificationPage>> {
  return pendingRevalidate('/v1/notifications', etag, { query: { limit }, signal });
}

export function markNotificationsRead(ids: number[]): Promise<void> {
  return pendingCall('POST', '/v1/notifications/read', { body: { ids } });
}

export function markAllNotificationsRead(): Promise<void> {
  return pendingCall('POST', '/v1/notifications/read', { body: { all: true } });
}

export function getNotificationPreferences(signal?: AbortSignal): Promise<NotificationPreferences> {
  return pendingCall('GET', '/v1/me/notification-preferences', { signal });
}

/** Takes the whole object, kinds not shown to the person included. */
export function saveNotificationPreferences(preferences: NotificationPreferences): Promise<NotificationPreferences> {
  return pendingCall('PUT', '/v1/me/notification-preferences', { body: preferences });
}

/** The token comes from a mail's link; no session needed. */
export function unsubscribe(token: string): Promise<Unsubscribed> {
  return pendingCall('POST', '/v1/notifications/unsubscribe', { query: { token }, auth: false });
}
