/**
 * The demo page as a process listening on every interface (docker-compose.yml's
 * `demo` service): `tsx scripts/demo-page-cli.ts` with DEMO_PORT (default 8081)
 * and DEMO_HOST (default 0.0.0.0). The page connects to ws://<its host>:8080
 * unless given `?url=`.
 */
import { startDemoServer } from '../packages/demo/src/serve.js';

const port = Number(process.env.DEMO_PORT ?? '8081');
const host = process.env.DEMO_HOST ?? '0.0.0.0';
const server = await startDemoServer({ port, host });
process.stdout.write(
  `${JSON.stringify({ time: Date.now(), component: 'demo-page', msg: 'serving', url: server.url })}\n`,
);
const stop = () => void server.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
