import { EventType } from '../events/event-type.enum';
import type { EventLog } from '../events/events.service';
import { CLASS_TEMPLATES, CharacterClass } from './character-class';
import { Player, PlayerStats } from './player.entity';
import { experienceForLevel } from './progression';
import { MAX_GOLD, MAX_LEVEL, ProgressionService } from './progression.service';

function character(characterClass = CharacterClass.WARRIOR): Player {
  const template = CLASS_TEMPLATES[characterClass];
  const player = new Player();
  Object.assign(player, {
    characterName: 'Test',
    characterClass,
    level: 1,
    experience: 0,
    health: 10,
    maxHealth: template.maxHealth,
    mana: 0,
    maxMana: template.maxMana,
    gold: 5,
    stats: Object.assign(new PlayerStats(), template.stats),
  });
  return player;
}

function recorder(): EventLog & { types: EventType[] } {
  const types: EventType[] = [];
  return { types, record: (_p, type) => void types.push(type) };
}

describe('ProgressionService', () => {
  const progression = new ProgressionService();

  it('levels up exactly when the curve says, refilling health and mana and raising the class stats', () => {
    const player = character(CharacterClass.MAGE);
    const log = recorder();
    expect(progression.awardExperience(player, experienceForLevel(2) - 1, 'test', log)).toBe(0);
    expect(player.level).toBe(1);
    expect(progression.awardExperience(player, 1, 'test', log)).toBe(1);
    expect(player).toMatchObject({ level: 2, maxHealth: 76, maxMana: 132, health: 76, mana: 132 });
    expect(player.stats.intelligence).toBe(CLASS_TEMPLATES.MAGE.stats.intelligence + 1);
    expect(log.types).toEqual([
      EventType.EXPERIENCE_GAINED,
      EventType.EXPERIENCE_GAINED,
      EventType.LEVEL_UP,
    ]);
  });

  it('applies several levels from one large award, and stops at the level cap', () => {
    const player = character();
    const log = recorder();
    expect(progression.awardExperience(player, experienceForLevel(5), 'test', log)).toBe(4);
    expect(player.level).toBe(5);
    progression.awardExperience(player, 1_000_000_000, 'test', log);
    expect(player.level).toBe(MAX_LEVEL);
  });

  it('refuses negative or fractional experience', () => {
    for (const amount of [-1, 1.5, Number.NaN]) {
      expect(() => progression.awardExperience(character(), amount, 'test', recorder())).toThrow(
        expect.objectContaining({ code: 'BAD_USER_INPUT' }),
      );
    }
  });

  it('pays and charges gold, never below zero nor past the cap', () => {
    const player = character();
    const log = recorder();
    progression.changeGold(player, 10, 'test', log);
    progression.changeGold(player, -15, 'test', log);
    expect(player.gold).toBe(0);
    expect(() => progression.changeGold(player, -1, 'test', log)).toThrow(
      expect.objectContaining({ code: 'GAME_RULE_VIOLATION' }),
    );
    expect(() => progression.changeGold(player, MAX_GOLD + 1, 'test', log)).toThrow(
      expect.objectContaining({ code: 'GAME_RULE_VIOLATION' }),
    );
    expect(player.gold).toBe(0);
    expect(log.types).toEqual([EventType.GOLD_CHANGED, EventType.GOLD_CHANGED]);
  });
});
