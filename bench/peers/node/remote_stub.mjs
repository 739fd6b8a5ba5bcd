// The remote GraphQL schema stub on graphql-yoga: the same schema and data as bench/remote_stub.py.
//
// Run with `node remote_stub.mjs`: it prints `port <n>` and serves on 127.0.0.1 until stopped.
// HTTP/1.1 keep-alive, TCP_NODELAY. Yoga's parse/validate cache is off, so every request is parsed
// and validated afresh, as it would be when every request carries other keys (alias mode inlines
// them into the document).
//
//   POST /graphql   stock(sku: ID!): Stock, stocks(skus: [ID!]!): [Stock], shipments(n: Int!)
//   GET  /__stats   {"requests": n, "cpu_s": CPU seconds spent handling them (decode, Yoga, encode)}
//   GET  /__last    the exact body of the last POST
import http from 'node:http';
import { createSchema, createYoga } from 'graphql-yoga';

const CUSTOMERS = 100_000;
const CUSTOMER_STRIDE = 7_919;
const SKU_PREFIX = 'SKU-';

const SDL = `
type Stock { sku: ID!  qty: Int!  warehouse: String! }
type Shipment { id: ID!  customer_id: Int! }
type Query {
  stock(sku: ID!): Stock
  stocks(skus: [ID!]!): [Stock]
  shipments(n: Int!): [Shipment!]!
}
`;

const stockBySku = new Map();
for (let id = 1; id <= CUSTOMERS; id += 1) {
  const sku = `${SKU_PREFIX}${id}`;
  stockBySku.set(sku, { sku, qty: (id * 31) % 1000, warehouse: `W${id % 10}` });
}

const shipmentCustomer = (index) => 1 + ((index * CUSTOMER_STRIDE) % CUSTOMERS);

const yoga = createYoga({
  schema: createSchema({
    typeDefs: SDL,
    resolvers: {
      Query: {
        stock: (_, { sku }) => stockBySku.get(sku) ?? null,
        stocks: (_, { skus }) => skus.map((sku) => stockBySku.get(sku) ?? null),
        shipments: (_, { n }) =>
          Array.from({ length: n }, (_, index) => ({ id: index + 1, customer_id: shipmentCustomer(index) })),
      },
    },
  }),
  parserAndValidationCache: false,
  graphiql: false,
  landingPage: false,
  logging: false,
  maskedErrors: false,
});

let requests = 0;
let handlingCpuSeconds = 0;
let lastBody = Buffer.alloc(0);

function send(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': body.length });
  res.end(body);
}

async function answer(body) {
  const response = await yoga.fetch('http://127.0.0.1/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body,
  });
  return [response.status, Buffer.from(await response.arrayBuffer())];
}

const server = http.createServer({ keepAliveTimeout: 120_000, noDelay: true }, async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  if (req.method === 'GET' && req.url === '/__stats') {
    send(res, 200, Buffer.from(JSON.stringify({ requests, cpu_s: handlingCpuSeconds })));
  } else if (req.method === 'GET' && req.url === '/__last') {
    send(res, 200, lastBody);
  } else if (req.method === 'POST' && req.url === '/graphql') {
    lastBody = Buffer.concat(chunks);
    requests += 1;
    // Requests are handled one at a time in the benchmark, so the process's CPU in between is this request's.
    const start = process.cpuUsage();
    const [status, body] = await answer(lastBody);
    const spent = process.cpuUsage(start);
    handlingCpuSeconds += (spent.user + spent.system) / 1e6;
    send(res, status, body);
  } else {
    send(res, 404, Buffer.from('{"message": "not found"}'));
  }
});
server.headersTimeout = 130_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`port ${server.address().port}\n`);
});
