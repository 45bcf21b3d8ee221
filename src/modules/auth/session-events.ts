/** Published when a session ends (logout, refresh-token reuse), so every instance closes its sockets at once. */
export const sessionRevokedTopic = (keyPrefix: string) => `${keyPrefix}:auth.sessionRevoked`;

export interface SessionRevoked {
  sessionId: string;
}
