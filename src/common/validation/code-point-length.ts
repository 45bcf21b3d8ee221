import { ValidateBy } from 'class-validator';

/**
 * Length in code points, as PostgreSQL's varchar counts it. (class-validator's
 * Length does not count variation selectors, so a name it passes could still
 * overflow the column.)
 */
export function CodePointLength(min: number, max: number, message: string): PropertyDecorator {
  return ValidateBy(
    {
      name: 'codePointLength',
      constraints: [min, max],
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && [...value].length >= min && [...value].length <= max,
      },
    },
    { message },
  );
}
