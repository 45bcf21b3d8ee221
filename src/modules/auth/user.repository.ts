import { EntityRepository, raw } from '@mikro-orm/postgresql';
import type { User } from './user.entity';

export class UserRepository extends EntityRepository<User> {
  /** Username (case-insensitive) or email: the `login` of LoginInput. */
  findByLogin(login: string): Promise<User | null> {
    const value = login.trim().toLowerCase();
    return this.findOne(
      value.includes('@') ? { email: value } : { [raw('lower(username)')]: value },
      { populate: ['passwordHash'] },
    );
  }
}
