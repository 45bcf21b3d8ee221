import { ArgumentsHost, Catch } from '@nestjs/common';
import { GqlExceptionFilter } from '@nestjs/graphql';

/**
 * Hands every GraphQL resolver error back to Apollo untouched. Without it Nest
 * logs each expected refusal (NOT_FOUND, CONFLICT …) as an ERROR; the error
 * formatter logs what is really unexpected, once.
 */
@Catch()
export class GraphQLExceptionFilter implements GqlExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): unknown {
    if (host.getType<string>() !== 'graphql') throw exception;
    return exception;
  }
}
