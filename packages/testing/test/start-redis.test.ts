import { describe, expect, it } from 'vitest';
import { PrerequisiteError } from '../src/errors.js';
import { startRedis } from '../src/start-redis.js';

describe('startRedis without redis-server', () => {
  it('names the Debian package to install', async () => {
    const error = await startRedis({ ignoreEnv: true, env: { PATH: '' } }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(PrerequisiteError);
    expect((error as Error).message).toContain('sudo apt-get install -y redis-server');
    expect((error as Error).message).toContain('REDIS_URL');
  });
});
