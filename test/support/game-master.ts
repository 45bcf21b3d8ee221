/** GraphQL documents shared by the game-master suites. */
export const TURN_FIELDS = `id sequence input narrative source model suggestions promptTokens completionTokens latencyMs createdAt
  effects { toolCallId tool arguments result }
  rejected { toolCallId tool arguments reason }
  player { id level experience gold health location { id } }`;

export const ACT = `mutation($playerId: ID!, $input: String!) { act(playerId: $playerId, input: $input) { ${TURN_FIELDS} } }`;

export const TURNS = `query($playerId: ID!, $first: Int, $after: String) {
  turns(playerId: $playerId, first: $first, after: $after) {
    edges { cursor node { id sequence input narrative } } pageInfo { hasNextPage endCursor } } }`;
