/**
 * The organisation's integrations (owners and admins): its API keys and its outbound webhooks,
 * with each endpoint's delivery log. A key's whole value and an endpoint's signing secret are
 * in the answer that creates them (and, for a secret, the one that rotates it), never again.
 */

import { api } from '../api';
import type { AppSchemas, JsonBody, ResponseBody } from '../api/types';
import { allPages } from './pages';

export const API_KEY_SCOPES = ['tickets:read', 'tickets:write', 'inbound:email'] as const satisfies readonly AppSchemas['Scope'][];
export type ApiKeyScope = AppSchemas['Scope'];

export const WEBHOOK_EVENTS = [
  'ticket.created',
  'ticket.assigned',
  'ticket.status_changed',
  'ticket.resolved',
  'ticket.updated',
  'message.added',
  'ticket.sla_breach',
] as const satisfies readonly AppSchemas['EventType'][];
export type WebhookEvent = AppSchemas['EventType'];

/** A key as listed: its `prefix` ("hdk_3f9a1c2b...") tells it apart, never its text. */
export type ApiKey = ResponseBody<'GET', '/v1/api-keys'>['data'][number];
export type NewApiKey = JsonBody<'POST', '/v1/api-keys'>;
/** The key itself (`key`, "hdk_..."), in this answer only. */
export type CreatedApiKey = ResponseBody<'POST', '/v1/api-keys'>;

/** An endpoint; `disabled_reason` says why it is off: `gone` (it answered 410), `failing` (days
 * of failures), `manual` (an admin). */
export type Webhook = ResponseBody<'GET', '/v1/webhooks'>['data'][number];
export type NewWebhook = JsonBody<'POST', '/v1/webhooks'>;
export type WebhookChanges = JsonBody<'PATCH', '/v1/webhooks/{id}'>;
/** The signing secret (`secret`, "whsec_..."), in this answer only. */
export type CreatedWebhook = ResponseBody<'POST', '/v1/webhooks'>;
/** The new secret; the previous one still signs until `previous_expires_at`. */
export type RotatedSecret = ResponseBody<'POST', '/v1/webhooks/{id}/rotate-secret'>;
/** A delivery queued (a test, a replay): its attempts appear in the log once sent. */
export type QueuedDelivery = ResponseBody<'POST', '/v1/webhooks/{id}/test'>;
export type AttemptPage = ResponseBody<'GET', '/v1/webhooks/{id}/deliveries'>;
/** One attempt at a delivery, as the log shows it (newest first). */
export type DeliveryAttempt = AttemptPage['data'][number];

/** Keys are read whole (newest first, revoked ones included), a hundred at a time, up to this many pages. */
const MAX_KEY_PAGES = 10;

export function listApiKeys(signal?: AbortSignal): Promise<ApiKey[]> {
  return allPages((cursor) => api('GET', '/v1/api-keys', { query: { limit: 100, cursor }, signal }), MAX_KEY_PAGES);
}

export function createApiKey(key: NewApiKey): Promise<CreatedApiKey> {
  return api('POST', '/v1/api-keys', { body: key });
}

export async function revokeApiKey(id: string): Promise<void> {
  await api('DELETE', '/v1/api-keys/{id}', { path: { id } });
}

export async function listWebhooks(signal?: AbortSignal): Promise<Webhook[]> {
  return (await api('GET', '/v1/webhooks', { signal })).data;
}

export function createWebhook(webhook: NewWebhook): Promise<CreatedWebhook> {
  return api('POST', '/v1/webhooks', { body: webhook });
}

export function updateWebhook(id: string, changes: WebhookChanges): Promise<Webhook> {
  return api('PATCH', '/v1/webhooks/{id}', { path: { id }, body: changes });
}

export async function deleteWebhook(id: string): Promise<void> {
  await api('DELETE', '/v1/webhooks/{id}', { path: { id } });
}

export function rotateWebhookSecret(id: string): Promise<RotatedSecret> {
  return api('POST', '/v1/webhooks/{id}/rotate-secret', { path: { id } });
}

/** Sends a `webhook.test` event to the endpoint now (`endpoint_disabled` when it is off). */
export function testWebhook(id: string): Promise<QueuedDelivery> {
  return api('POST', '/v1/webhooks/{id}/test', { path: { id } });
}

/** The endpoint's attempts, newest first, a page at a time. */
export function deliveryAttempts(id: string, cursor: string | undefined, signal?: AbortSignal): Promise<AttemptPage> {
  return api('GET', '/v1/webhooks/{id}/deliveries', { path: { id }, query: { cursor }, signal });
}

/** Sends a delivery's event (the same body) again. */
export function replayDelivery(id: string, deliveryId: string): Promise<QueuedDelivery> {
  return api('POST', '/v1/webhooks/{id}/deliveries/{delivery_id}/replay', { path: { id, delivery_id: deliveryId } });
}
