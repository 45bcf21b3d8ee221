import { randomUUID } from 'node:crypto';
import {
  Entity,
  EntityRepositoryType,
  Enum,
  Index,
  PrimaryKey,
  Property,
  Unique,
} from '@mikro-orm/core';
import { Role } from './role.enum';
import { UserRepository } from './user.repository';

@Entity({ tableName: 'users', repository: () => UserRepository })
@Index({
  name: 'users_username_lower_unique',
  expression: 'create unique index "users_username_lower_unique" on "users" (lower("username"))',
})
@Unique({ name: 'users_email_unique', properties: ['email'] })
export class User {
  [EntityRepositoryType]?: UserRepository;

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** Unique case-insensitively (expression index in the migration). */
  @Property({ type: 'string', length: 32 })
  username!: string;

  /** Stored lower-cased; unique. */
  @Property({ type: 'string', length: 254 })
  email!: string;

  @Property({ type: 'text', hidden: true, lazy: true })
  passwordHash!: string;

  @Enum({ items: () => Role, columnType: 'varchar(16)' })
  role: Role = Role.PLAYER;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();
}
