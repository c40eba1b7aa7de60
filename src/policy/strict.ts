import { z } from 'zod';

/**
 * An object that accepts only its own fields: an unknown one (a typo) is an error that names it and lists the
 * fields that are valid there, so an author can see what was meant.
 */
export function strict<S extends z.ZodRawShape>(shape: S) {
  const valid = Object.keys(shape).sort();
  return z.strictObject(shape, {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `unknown field${iss.keys.length > 1 ? 's' : ''} ${iss.keys.map((k) => `"${k}"`).join(', ')}; the fields here are: ${valid.join(', ')}`
        : undefined,
  });
}
