/**
 * The organisation's ticket fields for the views that show them (the settings page, a ticket's
 * properties and history, the portal's pages): one answer shared while it is fresh, read again
 * everywhere when a field is made, changed or deleted in this tab.
 */

import { useEffect, useState } from 'preact/hooks';
import { fieldsVersion, onFieldsChanged, sharedFields, type FieldDefinition } from '../data/fields';
import { useResource, type Resource } from '../data/resource';
import { useMember } from '../tenant/member';

export function useFieldDefinitions(): Resource<FieldDefinition[]> {
  const { slug, member } = useMember();
  const [version, setVersion] = useState(fieldsVersion);
  useEffect(() => onFieldsChanged(() => setVersion(fieldsVersion())), []);
  // Customers are shown fewer fields than staff: the answer is the caller's own.
  const key = `${slug}:${member.id}:${version}`;
  return useResource(`fields:${key}`, () => sharedFields(key));
}
