import { notFound, ruleViolation } from '../../common/errors/domain-error';
import type { Location } from './location.entity';

export const WorldErrors = {
  locationNotFound: () => notFound('Location'),
  alreadyThere: (who: string, here: Location) => ruleViolation(`${who} is already at ${here.name}`),
  noPath: (here: Location, there: Location, exits: Location[]) =>
    ruleViolation(
      `There is no path from ${here.name} to ${there.name}; from here you can travel to ${
        exits.map((exit) => `${exit.name} (${exit.id})`).join(', ') || 'nowhere'
      }`,
    ),
  tooHurtToTravel: (who: string) =>
    ruleViolation(`${who} has no health left and cannot travel until healed`),
};
