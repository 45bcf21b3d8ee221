// The baseline of the read benches: Apollo Server 5 standalone, no Nest, no database, no auth,
// built from the very schema.gql the real server publishes, answering every root field from a
// static in-memory object (the real server's own answer, captured by the orchestrator).
//   node scripts/run-ts.js bench/lib/bare-apollo.ts <data.json>
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { HOST, ROOT, serveChild } from './harness';

async function main(): Promise<void> {
  const data = JSON.parse(readFileSync(process.argv[2], 'utf8')) as Record<string, unknown>;
  const typeDefs = readFileSync(path.join(ROOT, 'schema.gql'), 'utf8');
  // Every root field answers from memory; nested fields use graphql-js's default resolver.
  const Query = Object.fromEntries(
    Object.entries(data).map(([field, value]) => [field, () => value]),
  );
  const server = new ApolloServer({ typeDefs, resolvers: { Query } });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: HOST } });
  serveChild({ url: url.replace(/\/$/, '') }, {}, () => server.stop());
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
