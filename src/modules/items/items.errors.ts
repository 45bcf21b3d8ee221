import { badInput, conflict, notFound } from '../../common/errors/domain-error';
import type { Problem } from './item-rules';

export const ItemErrors = {
  notFound: () => notFound('Item'),
  nameTaken: (name: string) => conflict(`An item named "${name}" already exists`, 'name'),
  invalid: (problems: Problem[]) =>
    badInput(problems.map((p) => p.message).join('; '), ...new Set(problems.map((p) => p.field))),
};
