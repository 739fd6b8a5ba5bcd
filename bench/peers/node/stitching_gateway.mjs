// Peer gateway: graphql-tools schema stitching with batch delegation, served by graphql-yoga.
//
// Three subschemas are stitched into one gateway schema:
//   actions   a local executable schema whose `recent_orders` POSTs the action webhook (fetch, keep-alive);
//   database  a local executable schema on `pg` (pool of 4): `customers`, `customersByIds(ids)` and
//             `Customer.orders`, each one `= ANY($1)` statement per level (a per-request DataLoader);
//   remote    the remote schema, introspected and called over HTTP with `batch: true`, which merges the
//             delegations of one tick into a single request with one aliased root field each.
// The joins are type extensions resolved by batch delegation (one delegated call per level):
//   OrderOut.customer, Shipment.customer -> database.customersByIds; Customer.stock_list -> remote.stocks;
//   Stock.warehouse_info -> database.warehousesByCodes;
//   Customer.stock -> remote.stock per key, merged into one aliased request (Hasura's alias mode).
//
// Environment: BENCH_DATABASE_URL, BENCH_WEBHOOK_URL, BENCH_REMOTE_URL. Prints `port <n>` once it listens.
import http from 'node:http';
import DataLoader from 'dataloader';
import pg from 'pg';
import { batchDelegateToSchema } from '@graphql-tools/batch-delegate';
import { delegateToSchema } from '@graphql-tools/delegate';
import { buildHTTPExecutor } from '@graphql-tools/executor-http';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { stitchSchemas } from '@graphql-tools/stitch';
import { schemaFromExecutor } from '@graphql-tools/wrap';
import { createYoga } from 'graphql-yoga';

const POOL_SIZE = 4;
const CUSTOMER_COLUMNS = 'id, name, email, sku';
const CUSTOMERS_BY_IDS = `SELECT ${CUSTOMER_COLUMNS} FROM customers WHERE id = ANY($1)`;
const customersPage = (direction) => `SELECT ${CUSTOMER_COLUMNS} FROM customers ORDER BY id ${direction} LIMIT $1`;
const ORDERS_OF_CUSTOMERS = `
SELECT id, customer_id, total::float8 AS total FROM (
  SELECT id, customer_id, total, row_number() OVER (PARTITION BY customer_id ORDER BY id) AS rank
  FROM orders WHERE customer_id = ANY($1)
) AS ranked WHERE rank <= $2 ORDER BY customer_id, id`;
const WAREHOUSES_BY_CODES = 'SELECT code, name FROM warehouses WHERE code = ANY($1)';
const NO_LIMIT = 2 ** 31 - 1;

const pool = new pg.Pool({ connectionString: process.env.BENCH_DATABASE_URL, max: POOL_SIZE });
pool.on('error', () => {}); // an idle connection closed by the server is dropped and reopened on demand

async function rows(text, values) {
  return (await pool.query(text, values)).rows;
}

// Per-request loaders, kept with the request's context object.
const loadersOf = new WeakMap();
function ordersLoader(context, limit) {
  let loaders = loadersOf.get(context);
  if (!loaders) {
    loaders = new Map();
    loadersOf.set(context, loaders);
  }
  if (!loaders.has(limit)) {
    loaders.set(
      limit,
      new DataLoader(async (customerIds) => {
        const byCustomer = new Map(customerIds.map((id) => [id, []]));
        for (const order of await rows(ORDERS_OF_CUSTOMERS, [customerIds, limit])) {
          byCustomer.get(order.customer_id).push(order);
        }
        return customerIds.map((id) => byCustomer.get(id));
      }),
    );
  }
  return loaders.get(limit);
}

const databaseSchema = makeExecutableSchema({
  typeDefs: `
    enum order_by { asc desc }
    input customers_order_by { id: order_by }
    input orders_order_by { id: order_by }
    type Order { id: Int!  customer_id: Int!  total: Float! }
    type Warehouse { code: String!  name: String! }
    type Customer {
      id: Int!  name: String!  email: String!  sku: String!
      orders(limit: Int, order_by: orders_order_by): [Order!]!
    }
    type Query {
      customers(limit: Int, order_by: customers_order_by): [Customer!]!
      customersByIds(ids: [Int!]!): [Customer]!
      warehousesByCodes(codes: [String!]!): [Warehouse]!
    }
  `,
  resolvers: {
    Query: {
      customers: (_, { limit, order_by }) =>
        rows(customersPage(order_by?.id === 'desc' ? 'DESC' : 'ASC'), [limit ?? NO_LIMIT]),
      customersByIds: async (_, { ids }) => {
        const byId = new Map((await rows(CUSTOMERS_BY_IDS, [ids])).map((row) => [row.id, row]));
        return ids.map((id) => byId.get(id) ?? null);
      },
      warehousesByCodes: async (_, { codes }) => {
        const byCode = new Map((await rows(WAREHOUSES_BY_CODES, [codes])).map((row) => [row.code, row]));
        return codes.map((code) => byCode.get(code) ?? null);
      },
    },
    Customer: {
      orders: (customer, { limit }, context) => ordersLoader(context, limit ?? NO_LIMIT).load(customer.id),
    },
  },
});

const actionsSchema = makeExecutableSchema({
  typeDefs: `
    type OrderOut { id: Int!  customer_id: Int!  total: Float! }
    type Query { recent_orders(limit: Int!): [OrderOut!]! }
  `,
  resolvers: {
    Query: {
      recent_orders: async (_, { limit }) => {
        const response = await fetch(process.env.BENCH_WEBHOOK_URL, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ action: { name: 'recent_orders' }, input: { limit } }),
        });
        if (!response.ok) throw new Error(`webhook answered ${response.status}`);
        return response.json();
      },
    },
  },
});

async function gatewaySchema() {
  const remoteExecutor = buildHTTPExecutor({ endpoint: process.env.BENCH_REMOTE_URL });
  const database = { schema: databaseSchema };
  const remote = { schema: await schemaFromExecutor(remoteExecutor), executor: remoteExecutor, batch: true };
  const byKeys = (fieldName, keyField, argument) => ({
    selectionSet: `{ ${keyField} }`,
    resolve: (parent, _args, context, info) =>
      batchDelegateToSchema({
        schema: database,
        operation: 'query',
        fieldName,
        key: parent[keyField],
        argsFromKeys: (keys) => ({ [argument]: keys }),
        context,
        info,
      }),
  });
  return stitchSchemas({
    subschemas: [{ schema: actionsSchema }, database, remote],
    typeDefs: `
      extend type OrderOut { customer: Customer }
      extend type Shipment { customer: Customer }
      extend type Customer { stock: Stock  stock_list: Stock }
      extend type Stock { warehouse_info: Warehouse }
    `,
    resolvers: {
      OrderOut: { customer: byKeys('customersByIds', 'customer_id', 'ids') },
      Shipment: { customer: byKeys('customersByIds', 'customer_id', 'ids') },
      Stock: { warehouse_info: byKeys('warehousesByCodes', 'warehouse', 'codes') },
      Customer: {
        stock: {
          selectionSet: '{ sku }',
          resolve: (customer, _args, context, info) =>
            delegateToSchema({
              schema: remote,
              operation: 'query',
              fieldName: 'stock',
              args: { sku: customer.sku },
              context,
              info,
            }),
        },
        stock_list: {
          selectionSet: '{ sku }',
          resolve: (customer, _args, context, info) =>
            batchDelegateToSchema({
              schema: remote,
              operation: 'query',
              fieldName: 'stocks',
              key: customer.sku,
              argsFromKeys: (skus) => ({ skus }),
              context,
              info,
            }),
        },
      },
    },
  });
}

const yoga = createYoga({
  schema: await gatewaySchema(),
  graphqlEndpoint: '/v1/graphql',
  graphiql: false,
  landingPage: false,
  logging: false,
});
const server = http.createServer({ keepAliveTimeout: 120_000, noDelay: true }, yoga);
server.headersTimeout = 130_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`port ${server.address().port}\n`);
});
