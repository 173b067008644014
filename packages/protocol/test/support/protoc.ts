/**
 * Runs Debian's `protoc` (package protobuf-compiler) as an independent
 * protobuf implementation to cross-check our encoder and decoder.
 */
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoDir = resolve(fileURLToPath(import.meta.url), '../../../../..');
const protoRoot = join(repoDir, 'proto');
const protoFile = join(protoRoot, 'fanout/v1/fanout.proto');

/** The envelope message to read or write. */
export type FrameType = 'ClientFrame' | 'ServerFrame';

function protoc(mode: '--decode' | '--encode', type: FrameType, input: Uint8Array | string): Buffer {
  try {
    return execFileSync('protoc', [`${mode}=fanout.v1.${type}`, '-I', protoRoot, protoFile], {
      input,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: 10_000,
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT') {
      throw new Error(
        'protoc not found: install the Debian package protobuf-compiler (apt-get install -y protobuf-compiler)',
      );
    }
    throw new Error(`protoc ${mode} ${type} failed: ${e.stderr?.toString() ?? e.message}`, { cause: err });
  }
}

/** protoc's text-format rendering of `bytes`. */
export function protocDecode(type: FrameType, bytes: Uint8Array): string {
  return protoc('--decode', type, bytes).toString('utf8');
}

/** protoc's binary encoding of a text-format message. */
export function protocEncode(type: FrameType, text: string): Uint8Array {
  return new Uint8Array(protoc('--encode', type, text));
}
