import { badInput, notFound, ruleViolation } from '../../common/errors/domain-error';
import { MAX_STACK } from './inventory-entry.entity';

export const InventoryErrors = {
  itemNotFound: () => notFound('Item'),
  badQuantity: () => badInput(`quantity must be a whole number from 1 to ${MAX_STACK}`, 'quantity'),
  notOwned: (who: string, item: string) => ruleViolation(`${who} has no ${item}`),
  notEnough: (who: string, item: string, held: number, wanted: number) =>
    ruleViolation(`${who} has only ${held} ${item}, not ${wanted}`),
  stackFull: (who: string, item: string, held: number) =>
    ruleViolation(`${who} cannot hold more than ${MAX_STACK} ${item} (holds ${held})`),
  tooHeavy: (who: string, item: string, carried: number, adding: number, capacity: number) =>
    ruleViolation(
      `${who} cannot carry that: ${fmt(carried)} lb carried + ${fmt(adding)} lb of ${item} is over the ${fmt(capacity)} lb limit`,
    ),
  noHealth: (who: string) =>
    ruleViolation(`${who} has no health left and cannot do that until healed`),
  notEquippable: (item: string) => ruleViolation(`${item} cannot be equipped`),
  alreadyEquipped: (who: string, item: string) =>
    ruleViolation(`${who} already has ${item} equipped`),
  notEquipped: (who: string, item: string) =>
    ruleViolation(`${who} does not have ${item} equipped`),
  notUsable: (item: string) => ruleViolation(`${item} cannot be used (only consumables can)`),
  buffOutsideTurn: (item: string) =>
    ruleViolation(
      `${item} grants a timed buff, which only takes hold during a game-master turn; it cannot be used on its own`,
    ),
  tooFrail: (who: string, item: string) =>
    ruleViolation(`${who} cannot equip ${item}: it would leave no maximum health or mana`),
  giveToSelf: () => ruleViolation('A character cannot give items to itself'),
  notHere: (who: string, whom: string) =>
    ruleViolation(`${whom} is not in the same place as ${who}`),
};

/** Hundredths of a pound, as pounds for a message. */
function fmt(hundredths: number): string {
  return (hundredths / 100).toFixed(2).replace(/\.?0+$/, '');
}
