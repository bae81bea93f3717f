/**
 * The dashboard's other numbers (each agent's workload, the organisation's file storage) and the
 * reports (owners and admins): the performance report over a range of creation, by group and
 * period; every ticket of a range as CSV, fetched with the session's token and saved; the
 * mailed digest's settings.
 */

import { api, download } from '../api';
import type { JsonBody, QueryParams, ResponseBody } from '../api/types';
import { saveBlob } from './files';

export type Workload = ResponseBody<'GET', '/v1/agents/workload'>;
export type StorageUsage = ResponseBody<'GET', '/v1/storage/usage'>;

export type Performance = ResponseBody<'GET', '/v1/reports/performance'>;
export type PerformanceQuery = NonNullable<QueryParams<'GET', '/v1/reports/performance'>>;
export type PerformanceRow = Performance['rows'][number];
export type Measures = Performance['total'];
export type GroupBy = Performance['group_by'];
export type Period = NonNullable<Performance['period']>;
export type TicketsCsvQuery = NonNullable<QueryParams<'GET', '/v1/reports/tickets.csv'>>;

export type Digest = ResponseBody<'GET', '/v1/reports/digest'>;
export type DigestChange = JsonBody<'PUT', '/v1/reports/digest'>;
export type DigestFrequency = Digest['frequency'];
export type DigestWeekday = Digest['weekday'];

export function getWorkload(signal?: AbortSignal): Promise<Workload> {
  return api('GET', '/v1/agents/workload', { query: { limit: 100 }, signal });
}

export function getStorageUsage(signal?: AbortSignal): Promise<StorageUsage> {
  return api('GET', '/v1/storage/usage', { signal });
}

export function performanceReport(query: PerformanceQuery, signal?: AbortSignal): Promise<Performance> {
  return api('GET', '/v1/reports/performance', { query, signal });
}

/** Saves the tickets of the range as CSV, under the name the server gives (or `fallback`). */
export async function downloadTicketsCsv(query: TicketsCsvQuery, fallback: string): Promise<void> {
  const file = await download('/v1/reports/tickets.csv', 'text/csv', { query });
  saveBlob(file.blob, file.filename ?? fallback);
}

export function getDigest(signal?: AbortSignal): Promise<Digest> {
  return api('GET', '/v1/reports/digest', { signal });
}

export function saveDigest(change: DigestChange): Promise<Digest> {
  return api('PUT', '/v1/reports/digest', { body: change });
}
