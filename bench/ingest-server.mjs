// One server of the ingestion benchmark, in its own process: `bare` (Koa answering 204),
// `observer` (csp-observer's standalone app on SQLite) or `nosave` (the same, storage off: where
// the time goes). Prints its port; on SIGTERM prints its CPU time and stops.
import { createServer } from 'node:http';
import Koa from 'koa';
import { createStandaloneApp } from '@csp-observer/server';

const [mode, database, secret, migrate] = process.argv.slice(2);
let app;
let observer;
if (mode === 'bare') {
  app = new Koa();
  app.use(async (ctx) => {
    // Read the body as any endpoint must, then answer as csp-observer does.
    for await (const _ of ctx.req);
    ctx.status = 204;
  });
} else {
  // One client address sends everything here, so the per-IP flood limit is off; logging too
  // (a line per report would measure the terminal).
  ({ app, observer } = createStandaloneApp({
    secret,
    database,
    log: false,
    limits: { perIp: false },
    save: mode !== 'nosave',
    migrate: migrate !== 'no-migrate',
  }));
  await observer.ready;
}
const server = createServer({ keepAliveTimeout: 10_000 }, app.callback());
server.listen(0, '127.0.0.1', () => process.stdout.write(`PORT=${server.address().port}\n`));
process.once('SIGTERM', async () => {
  server.close();
  server.closeAllConnections();
  await observer?.close();
  // CPU of the whole process (SQLite's worker threads included), for the per-report figure.
  const { user, system } = process.cpuUsage();
  process.stdout.write(`CPU=${(user + system) / 1000}\n`);
  process.exit(0);
});
