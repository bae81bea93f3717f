/** For the tests: the server's refusal of a request's fields (422 `validation_failed`). */

import { ApiProblem, type FieldError } from './problem';

export const fieldsRefused = (errors: FieldError[]) => new ApiProblem({ status: 422, code: 'validation_failed', errors });
