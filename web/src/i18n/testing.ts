/** The unit tests' setup: both languages' words at hand, so that a test switches at once. */

import { LOCALES, loadLocale } from '.';

await Promise.all(LOCALES.map(loadLocale));
