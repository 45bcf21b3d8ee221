import { RefreshToken, Session } from '../../modules/auth/session.entity';
import { User } from '../../modules/auth/user.entity';
import { GameEvent } from '../../modules/events/game-event.entity';
import { Player, PlayerStats } from '../../modules/players/player.entity';

/** Every entity, for discovery: the schema in one list (modules register their own repositories). */
export const ENTITIES = [User, Session, RefreshToken, Player, PlayerStats, GameEvent];
