import common from './common';
import domain from './domain';
import errors from './errors';
import signup from './signup';

export const areas = { common, domain, errors, signup };
export const en = { ...common, ...domain, ...errors, ...signup };
