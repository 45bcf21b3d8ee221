/**
 * Column values of raw `em.execute` rows, converted exactly as MikroORM hydrates them: the
 * driver returns timestamptz and numeric as text (PostgreSqlConnection keeps dates as strings,
 * pg leaves numeric alone), jsonb already parsed. For read paths that skip the ORM's hydration.
 */

/** A timestamptz column (`type: 'datetime'`); the text always carries its offset. */
export function timestamptz(value: string | Date): Date {
  return value instanceof Date ? value : new Date(value);
}

export function nullableTimestamptz(value: string | Date | null): Date | null {
  return value === null ? null : timestamptz(value);
}

/** A numeric column mapped with `new DecimalType('number')` (its convertToJSValue). */
export function decimalNumber(value: string | number): number {
  return +value;
}

/**
 * The parameter for `in (?)` (em.execute spreads an array into a list): `in ()` would be a
 * syntax error, `in (null)` matches nothing.
 */
export function inList<T>(values: readonly T[]): (T | null)[] {
  return values.length > 0 ? [...values] : [null];
}
