/**
 * The words for each kind of notification (written out, so that every key is found in the code).
 */

import type { NotificationKind } from '../data/notifications';
import type { MessageKey } from '../i18n';

export const KIND_LABELS: Record<NotificationKind, MessageKey> = {
  ticket_created: 'notifications.kind.ticket_created',
  ticket_assigned: 'notifications.kind.ticket_assigned',
  message_added: 'notifications.kind.message_added',
  status_changed: 'notifications.kind.status_changed',
  ticket_resolved: 'notifications.kind.ticket_resolved',
  sla_breach: 'notifications.kind.sla_breach',
};

export function isKind(kind: string): kind is NotificationKind {
  return Object.hasOwn(KIND_LABELS, kind);
}
