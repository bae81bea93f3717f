import type { en } from '../en';
import common from './common';
import domain from './domain';
import errors from './errors';

export const areas = { common, domain, errors };
export const fr: Record<keyof typeof en, string> = { ...common, ...domain, ...errors };
