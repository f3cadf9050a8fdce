import { ServiceError } from './errors.js';

/** The error of a contract method whose core part has not landed in this build yet. */
export function notImplemented(method: string, needs: string): ServiceError {
  return new ServiceError(
    'NOT_IMPLEMENTED',
    `${method} needs ${needs}, which this build does not include yet`,
    {
      method,
    },
  );
}
