import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { InjectConfig } from '../../config/config.module';
import type { AppConfig } from '../../config/env';
import { User } from '../auth/user.entity';
import { EventType } from '../events/event-type.enum';
import { EventsService } from '../events/events.service';
import { STARTING_LOCATION_ID } from '../world/world.seed';
import { CLASS_TEMPLATES, STARTING_GOLD } from './character-class';
import { CreatePlayerInput } from './dto/create-player.input';
import { Player } from './player.entity';
import { PlayerRepository } from './player.repository';
import type { PlayerView } from './player.view';
import { PlayerErrors } from './players.errors';
import { STARTER_KIT, StarterKit } from './starter-kit';

@Injectable()
export class PlayersService {
  constructor(
    private readonly em: EntityManager,
    private readonly players: PlayerRepository,
    private readonly events: EventsService,
    @Inject(STARTER_KIT) private readonly starterKit: StarterKit,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  async create(userId: string, input: CreatePlayerInput): Promise<Player> {
    const max = this.config.game.maxPlayersPerUser;
    try {
      return await this.events.transaction(async (tx, log) => {
        // Serialises concurrent creations by one user, so the cap holds under races.
        const user = await tx.findOneOrFail(User, userId, { lockMode: LockMode.PESSIMISTIC_WRITE });
        if ((await tx.count(Player, { user, deletedAt: null })) >= max)
          throw PlayerErrors.tooMany(max);
        if (await this.nameTaken(tx, input.characterName))
          throw PlayerErrors.nameTaken(input.characterName);

        const template = CLASS_TEMPLATES[input.characterClass];
        const player = tx.create(Player, {
          user,
          characterName: input.characterName,
          characterClass: input.characterClass,
          level: 1,
          experience: 0,
          health: template.maxHealth,
          maxHealth: template.maxHealth,
          mana: template.maxMana,
          maxMana: template.maxMana,
          gold: STARTING_GOLD,
          stats: { ...template.stats },
          locationId: STARTING_LOCATION_ID,
          createdAt: new Date(),
        });
        log.record(player, EventType.PLAYER_CREATED, `${player.characterName} was created`, {
          characterClass: player.characterClass,
          locationId: player.locationId,
        });
        await this.starterKit.grant(tx, player, log);
        return player;
      });
    } catch (error) {
      // Two users racing for one name: the unique index decides.
      if (error instanceof UniqueConstraintViolationException)
        throw PlayerErrors.nameTaken(input.characterName);
      throw error;
    }
  }

  /** For reading only: a plain value, not an entity (the `player` query). */
  async getOwned(userId: string, id: string): Promise<PlayerView> {
    const player = await this.players.viewOwned(userId, id);
    if (!player) throw PlayerErrors.notFound();
    return player;
  }

  listOwned(userId: string): Promise<PlayerView[]> {
    return this.players.listOwned(userId);
  }

  async delete(userId: string, id: string): Promise<boolean> {
    await this.events.transaction(async (tx, log) => {
      const player = await tx.getRepository(Player).lockOwned(userId, id);
      player.deletedAt = new Date();
      log.record(player, EventType.PLAYER_DELETED, `${player.characterName} was deleted`, {});
    });
    return true;
  }

  private async nameTaken(em: EntityManager, name: string): Promise<boolean> {
    const rows = await em.execute<{ n: number }[]>(
      'select 1 as n from players where lower(character_name) = lower(?) and deleted_at is null limit 1',
      [name],
    );
    return rows.length > 0;
  }
}
