/**
 * The organisation's business hours schedules for the views that name them (the SLA policies'
 * settings, a ticket's service targets): loaded once per view, by name; the panels of a page
 * opening together share one request.
 */

import { listSchedules, type Schedule } from '../data/schedules';
import { useResource, type Resource } from '../data/resource';
import { shared } from '../data/shared';
import { useMember } from '../tenant/member';

export function useSchedules(): Resource<Schedule[]> {
  const { slug } = useMember();
  return useResource(`schedules:${slug}`, () => shared(`schedules:${slug}`, () => listSchedules()));
}
