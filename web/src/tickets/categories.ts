//! The categories a customer can choose (the API accepts any `a-z0-9_-` name;
//! `payment_failure` makes a ticket urgent).

export const CATEGORIES = ['order', 'delivery', 'return', 'refund', 'payment_failure', 'product', 'account', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];

export function isKnownCategory(value: string | null | undefined): value is Category {
  return (CATEGORIES as readonly string[]).includes(value ?? '');
}
