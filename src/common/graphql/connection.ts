import { Type } from '@nestjs/common';
import { ArgsType, Field, Int, ObjectType } from '@nestjs/graphql';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { badInput } from '../errors/domain-error';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

@ObjectType({ description: 'Where a page of a connection stands (Relay cursor connections).' })
export class PageInfo {
  @Field({ description: 'True when more items follow the last one of this page.' })
  hasNextPage!: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'Cursor of the last item of this page; pass it as `after` for the next page.',
  })
  endCursor!: string | null;
}

@ArgsType()
export class ConnectionArgs {
  @Field(() => Int, {
    nullable: true,
    description: `How many items to return (1 to ${MAX_PAGE_SIZE}, default ${DEFAULT_PAGE_SIZE}).`,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  first?: number;

  @Field(() => String, { nullable: true, description: 'Return the items after this cursor.' })
  @IsOptional()
  @IsString()
  // Room for a KeyCursor over a 64-character name in 4-byte UTF-8 (about 410).
  @MaxLength(512)
  after?: string;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Connection<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
}

/** A Relay connection type named `${name}Connection` with its `${name}Edge`. */
export function ConnectionType<T>(node: Type<T>, name: string, what: string) {
  @ObjectType(`${name}Edge`, { description: `One ${what} and its cursor.` })
  class EdgeType {
    @Field({ description: 'Opaque position of this item, for `after`.' })
    cursor!: string;

    @Field(() => node, { description: `The ${what}.` })
    node!: T;
  }

  @ObjectType(`${name}Connection`, { description: `A page of ${what}s.` })
  abstract class ConnectionClass {
    @Field(() => [EdgeType], { description: `The ${what}s of this page, in order.` })
    edges!: EdgeType[];

    @Field(() => PageInfo, { description: 'Paging information.' })
    pageInfo!: PageInfo;
  }
  return ConnectionClass;
}

const MAX_BIGINT = 2n ** 63n - 1n;

/** Cursors over a monotonic bigint key: opaque to clients, checked on the way in. */
export const SequenceCursor = {
  encode(seq: string): string {
    return Buffer.from(`seq:${seq}`).toString('base64url');
  },
  decode(cursor: string | undefined, field = 'after'): string | undefined {
    if (cursor === undefined || cursor === null) return undefined;
    const decoded = Buffer.from(cursor, 'base64url').toString();
    const match = /^seq:(\d{1,19})$/.exec(decoded);
    // A bigint column: anything past its range is no cursor we ever issued.
    if (!match || BigInt(match[1]) > MAX_BIGINT)
      throw badInput(`${field} is not a valid cursor`, field);
    return match[1];
  },
};

/**
 * Cursors over any sort key (e.g. name then id): a tagged JSON array, opaque to
 * clients. `parse` checks the decoded key; only the exact encoding we issue is
 * accepted, anything else is BAD_USER_INPUT on `field`.
 */
export const KeyCursor = {
  encode(kind: string, key: readonly (string | number)[]): string {
    return Buffer.from(`${kind}:${JSON.stringify(key)}`).toString('base64url');
  },
  decode<T>(
    cursor: string | undefined,
    kind: string,
    parse: (key: unknown[]) => T | undefined,
    field = 'after',
  ): T | undefined {
    if (cursor === undefined || cursor === null) return undefined;
    const text = Buffer.from(cursor, 'base64url').toString();
    let key: unknown;
    // Re-encoding must give the cursor back: Node's decoder skips stray characters.
    if (text.startsWith(`${kind}:`) && Buffer.from(text).toString('base64url') === cursor) {
      try {
        key = JSON.parse(text.slice(kind.length + 1));
      } catch {
        key = undefined;
      }
    }
    const parsed = Array.isArray(key) ? parse(key) : undefined;
    if (parsed === undefined) throw badInput(`${field} is not a valid cursor`, field);
    return parsed;
  },
};

/** Builds a page from rows fetched with `limit + 1` (the extra row tells whether more follow). */
export function toConnection<T>(
  rows: T[],
  limit: number,
  cursorOf: (row: T) => string,
): Connection<T> {
  const page = rows.slice(0, limit);
  const edges = page.map((node) => ({ cursor: cursorOf(node), node }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > limit, endCursor: edges.at(-1)?.cursor ?? null },
  };
}
