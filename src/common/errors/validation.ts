import {
  ArgumentMetadata,
  Injectable,
  PipeTransform,
  ValidationError,
  ValidationPipe,
} from '@nestjs/common';
import { badInput } from './domain-error';

/** class-validator failures become BAD_USER_INPUT naming every bad field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidUnknownValues: false,
    exceptionFactory: (errors: ValidationError[]) => {
      const flat = flatten(errors);
      const message = flat.map((e) => e.message).join('; ') || 'Invalid input';
      return badInput(message, ...new Set(flat.map((e) => e.field)));
    },
  });
}

function flatten(errors: ValidationError[], prefix = ''): { field: string; message: string }[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** For `ID!` arguments that name a row: a malformed id is BAD_USER_INPUT, not NOT_FOUND. */
@Injectable()
export class ParseIdPipe implements PipeTransform<unknown, string> {
  transform(value: unknown, metadata: ArgumentMetadata): string {
    if (!isUuid(value))
      throw badInput(`${metadata.data ?? 'id'} is not a valid id`, metadata.data ?? 'id');
    return value.toLowerCase();
  }
}

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/i;
const MAX_SLUG_LENGTH = 64;

/** For `ID!` arguments naming reference data by slug (`millbrook-square`); compared lower-cased. */
@Injectable()
export class ParseSlugPipe implements PipeTransform<unknown, string> {
  transform(value: unknown, metadata: ArgumentMetadata): string {
    if (typeof value !== 'string' || value.length > MAX_SLUG_LENGTH || !SLUG.test(value))
      throw badInput(`${metadata.data ?? 'id'} is not a valid id`, metadata.data ?? 'id');
    return value.toLowerCase();
  }
}
