/** For the tests: a custom field's definition, an order reference (text) unless told otherwise. */

import type { FieldDefinition } from '../data/fields';

export const fieldDefinition = (over: Partial<FieldDefinition> = {}): FieldDefinition => ({
  key: 'order_ref',
  label: { en: 'Order reference', fr: 'Référence de commande' },
  type: 'text',
  options: [],
  required_to_resolve: false,
  visible_to_customer: false,
  editable_by_customer: false,
  position: 0,
  created_at: '2030-01-01T00:00:00Z',
  updated_at: '2030-01-01T00:00:00Z',
  ...over,
});
