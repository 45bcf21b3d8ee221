import { HeaderMap } from '@apollo/server';
import type { ApolloServerPlugin } from '@apollo/server';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import {
  DocumentNode,
  getNamedType,
  getNullableType,
  GraphQLError,
  GraphQLSchema,
  isListType,
  Kind,
  NoSchemaIntrospectionCustomRule,
  ValidationRule,
  visit,
} from 'graphql';
import { ComplexityEstimator, getComplexity } from 'graphql-query-complexity';
import type { AppConfig } from '../../config/env';
import { badInput } from '../errors/domain-error';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './connection';

/** Items assumed in a list that takes no size argument (inventory, exits, objectives …). */
const UNSIZED_LIST_FACTOR = 5;
const PAGE_ARGUMENTS = ['first', 'limit'];

/** Depth and alias limits, as validation rules (Apollo runs them; the WebSocket path too). */
export function hardeningRules(config: AppConfig['graphql']): ValidationRule[] {
  // The armor rules throw out of graphql's validate() by default; report instead,
  // so the refusal is an ordinary GRAPHQL_VALIDATION_FAILED error.
  const report = [
    (context: { reportError(error: GraphQLError): void } | null, error: GraphQLError) =>
      context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, ''))),
  ];
  return [
    maxDepthRule({
      n: config.maxDepth,
      flattenFragments: true,
      exposeLimits: true,
      propagateOnRejection: false,
      onReject: report,
    }),
    maxAliasesRule({
      n: config.maxAliases,
      exposeLimits: true,
      propagateOnRejection: false,
      onReject: report,
    }),
  ];
}

/**
 * What a document costs: one per field, times the page size below a list
 * (`first`/`limit`, else the default page size of a connection, else a flat
 * factor for unsized lists). Also refuses any page argument over the cap,
 * whatever field it is on, before anything runs.
 */
export class CostAnalysis {
  /** Per parsed document (Apollo reuses the object for a repeated query): the page variables' values that passed. */
  private readonly passed = new WeakMap<DocumentNode, Set<string>>();
  private readonly pageVariables = new WeakMap<DocumentNode, string[]>();

  constructor(private readonly maxCost: number) {}

  check(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Record<string, unknown> | undefined,
    operationName: string | undefined,
  ): GraphQLError | null {
    const names = this.pageVariablesOf(document);
    const key = `${operationName ?? ''}|${names.map((n) => JSON.stringify(variables?.[n] ?? null)).join(',')}`;
    let passed = this.passed.get(document);
    if (!passed) this.passed.set(document, (passed = new Set()));
    if (passed.has(key)) return null;
    const result = this.analyse(schema, document, variables, operationName);
    // Bounded: a client varying `first` adds at most a few hundred entries per document.
    if (result === null && passed.size < 256) passed.add(key);
    return result;
  }

  private analyse(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Record<string, unknown> | undefined,
    operationName: string | undefined,
  ): GraphQLError | null {
    let overCap: { argument: string; path: string } | undefined;
    const estimator: ComplexityEstimator = ({ type, field, node, args, childComplexity }) => {
      // Introspection is on or off as a whole (GRAPHQL_INTROSPECTION); the playground's own query is large.
      if (field.name.startsWith('__')) return 0;
      const argument = PAGE_ARGUMENTS.find((name) => typeof args[name] === 'number');
      const size = argument ? (args[argument] as number) : undefined;
      if (argument && size! > MAX_PAGE_SIZE && !overCap) {
        overCap = { argument, path: node.alias?.value ?? node.name.value };
      }
      if (size !== undefined) return 1 + childComplexity * Math.max(size, 0);
      if (getNamedType(field.type).name.endsWith('Connection')) {
        return 1 + childComplexity * DEFAULT_PAGE_SIZE;
      }
      // A connection's edges are its page, already counted on the connection field.
      if (isListType(getNullableType(field.type)) && !type.name.endsWith('Connection')) {
        return 1 + childComplexity * UNSIZED_LIST_FACTOR;
      }
      return 1 + childComplexity;
    };
    let cost: number;
    try {
      cost = getComplexity({
        schema,
        query: document,
        variables,
        operationName,
        estimators: [estimator],
      });
    } catch {
      // Variables that do not coerce: execution refuses them with BAD_USER_INPUT before any resolver.
      return null;
    }
    if (overCap) {
      const message = `${overCap.argument} must not be greater than ${MAX_PAGE_SIZE}`;
      return new GraphQLError(message, {
        path: [overCap.path],
        originalError: badInput(message, overCap.argument),
        extensions: { code: 'BAD_USER_INPUT', http: { status: 400, headers: new HeaderMap() } },
      });
    }
    if (cost > this.maxCost) {
      return new GraphQLError(
        `Query cost limit of ${this.maxCost} exceeded, found ${cost}: ask for smaller pages or fewer nested lists.`,
        {
          extensions: {
            code: 'GRAPHQL_VALIDATION_FAILED',
            http: { status: 400, headers: new HeaderMap() },
          },
        },
      );
    }
    return null;
  }

  private pageVariablesOf(document: DocumentNode): string[] {
    let names = this.pageVariables.get(document);
    if (!names) {
      const found = new Set<string>();
      visit(document, {
        Argument(node) {
          if (PAGE_ARGUMENTS.includes(node.name.value) && node.value.kind === Kind.VARIABLE) {
            found.add(node.value.name.value);
          }
        },
      });
      this.pageVariables.set(document, (names = [...found]));
    }
    return names;
  }
}

/** Holds the executable schema once Apollo has it (the WebSocket path needs it too). */
export class SchemaHolder {
  schema?: GraphQLSchema;
}

/** Cost and page caps on HTTP operations, once the operation is known and before it runs. */
export function hardeningPlugin(cost: CostAnalysis, holder: SchemaHolder): ApolloServerPlugin {
  return {
    serverWillStart({ schema }) {
      holder.schema = schema;
      return Promise.resolve();
    },
    requestDidStart() {
      return Promise.resolve({
        didResolveOperation({ schema, document, request, operationName }) {
          const error = cost.check(schema, document, request.variables, operationName ?? undefined);
          if (error) throw error;
          return Promise.resolve();
        },
      });
    },
  };
}

/** The same validation as Apollo's for documents sent over the WebSocket. */
export function webSocketRules(config: AppConfig['graphql']): ValidationRule[] {
  return [
    ...hardeningRules(config),
    ...(config.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
  ];
}

/** Apollo's DisableSuggestions plugin, for the WebSocket path. */
export function withoutSuggestions(message: string): string {
  return message.replace(/ ?Did you mean(.+?)\?$/, '');
}
