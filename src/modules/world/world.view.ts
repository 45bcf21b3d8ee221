import type { NpcRole } from './npc-role';

/**
 * Places and NPCs as the GraphQL fields read them: the entities satisfy these, and so do the
 * plain rows of the read path (the `views…` repository methods), which skip hydration.
 */
export interface LocationView {
  id: string;
  name: string;
  description: string;
  region: string;
}

export interface NpcView {
  id: string;
  name: string;
  description: string;
  role: NpcRole;
  /** Where it stands; a reference, as on the entity. */
  location: { id: string };
}

/** The columns of LocationView, as they are named in the table. */
export const LOCATION_VIEW_COLUMNS = 'l.id, l.name, l.description, l.region';
