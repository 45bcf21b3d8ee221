import { Injectable } from '@nestjs/common';
import { badInput, ruleViolation } from '../../common/errors/domain-error';
import { EventType } from '../events/event-type.enum';
import type { EventLog } from '../events/events.service';
import { BaseStats, CharacterClass } from './character-class';
import type { Player } from './player.entity';
import { experienceForLevel } from './progression';

export const MAX_LEVEL = 50;
/** Far below the int4 columns' limit, so no sum of awards can overflow them. */
export const MAX_GOLD = 1_000_000_000;
export const MAX_EXPERIENCE = 1_000_000_000;

/** What each level adds, per class: health, mana and the class's two main attributes. */
const GROWTH: Record<CharacterClass, { health: number; mana: number; stats: (keyof BaseStats)[] }> =
  {
    WARRIOR: { health: 12, mana: 3, stats: ['strength', 'constitution'] },
    MAGE: { health: 6, mana: 12, stats: ['intelligence', 'wisdom'] },
    ROGUE: { health: 8, mana: 5, stats: ['dexterity', 'charisma'] },
    CLERIC: { health: 9, mana: 9, stats: ['wisdom', 'constitution'] },
    RANGER: { health: 9, mana: 6, stats: ['dexterity', 'wisdom'] },
  };

/**
 * Experience, levels and gold. Every method changes a character the caller has
 * locked inside an EventsService transaction, and records its events there.
 */
@Injectable()
export class ProgressionService {
  /** Adds experience and applies every level it reaches. Returns the levels gained. */
  awardExperience(player: Player, amount: number, source: string, log: EventLog): number {
    assertAmount(amount, 'experience');
    if (amount === 0) return 0;
    player.experience = Math.min(MAX_EXPERIENCE, player.experience + amount);
    log.record(
      player,
      EventType.EXPERIENCE_GAINED,
      `${player.characterName} gained ${amount} experience`,
      {
        amount,
        total: player.experience,
        source,
      },
    );
    let gained = 0;
    while (player.level < MAX_LEVEL && player.experience >= experienceForLevel(player.level + 1)) {
      this.levelUp(player, log);
      gained++;
    }
    return gained;
  }

  /** Positive amounts pay the character; negative ones charge it, never below zero. */
  changeGold(player: Player, amount: number, source: string, log: EventLog): void {
    if (!Number.isSafeInteger(amount)) throw badInput('gold amount must be an integer', 'amount');
    if (amount === 0) return;
    const total = player.gold + amount;
    if (total < 0)
      throw ruleViolation(`Not enough gold: ${player.gold} carried, ${-amount} needed`);
    if (total > MAX_GOLD)
      throw ruleViolation(`A character cannot carry more than ${MAX_GOLD} gold`);
    player.gold = total;
    log.record(
      player,
      EventType.GOLD_CHANGED,
      `${player.characterName} ${amount > 0 ? 'received' : 'spent'} ${Math.abs(amount)} gold`,
      { amount, total, source },
    );
  }

  private levelUp(player: Player, log: EventLog): void {
    const growth = GROWTH[player.characterClass];
    player.level += 1;
    player.maxHealth += growth.health;
    player.maxMana += growth.mana;
    for (const stat of growth.stats) player.stats[stat] += 1;
    // A new level refills health and mana: the reward players expect.
    player.health = player.maxHealth;
    player.mana = player.maxMana;
    log.record(
      player,
      EventType.LEVEL_UP,
      `${player.characterName} reached level ${player.level}`,
      {
        level: player.level,
        maxHealth: player.maxHealth,
        maxMana: player.maxMana,
        stats: { ...player.stats },
      },
    );
  }
}

function assertAmount(amount: number, field: string): void {
  if (!Number.isSafeInteger(amount) || amount < 0) {
    throw badInput(`${field} must be a non-negative integer`, field);
  }
}
