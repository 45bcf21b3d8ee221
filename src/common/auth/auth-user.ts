import type { Role } from '../../modules/auth/role.enum';

/** Who is calling, as proven by a valid access token of a live session. */
export interface AuthUser {
  id: string;
  role: Role;
  sessionId: string;
}
