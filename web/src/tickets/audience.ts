/**
 * Who reads a ticket: its customer (the portal) or the support team (the console). The shared
 * components take it to choose their words and what staff alone see.
 */

export type Audience = 'customer' | 'staff';
