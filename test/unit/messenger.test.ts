// The request/reply helper shared by the webview and the core worker (src/shared/messenger.ts), over a
// real MessageChannel (structured clone, as postMessage to a worker or a webview).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import {
  Messenger,
  RemoteError,
  validateMessage,
  type Envelope,
  type ErrorReply,
  type Handlers,
  type Validators,
} from '../../src/shared/messenger';

type Ask = { type: 'double'; n: number } | { type: 'fail'; why: string } | { type: 'count'; to: number };
type Answer = { type: 'doubled'; n: number } | { type: 'counted'; n: number } | ErrorReply;

/** A client and a server messenger on the two ports of a channel; the server runs the handlers. */
function connect() {
  const { port1, port2 } = new MessageChannel();
  const listen = (port: MessagePort, m: { receive(e: Envelope<never>): void }) =>
    port.on('message', (e: Envelope<never>) => m.receive(e));
  const client = new Messenger<Ask, Answer>(
    (e) => port1.postMessage(e),
    () => undefined,
  );
  const server: Messenger<Answer, Ask> = new Messenger<Answer, Ask>(
    (e) => port2.postMessage(e),
    (_body, envelope) => void server.handle(handlersOf(server), envelope),
  );
  listen(port1, client);
  listen(port2, server);
  return {
    client,
    server,
    // As if a forged or newer peer sent a type this side has no handler for.
    sendRaw: (body: unknown) => client.request(body as Ask),
    close: () => {
      port1.close();
      port2.close();
    },
  };
}

const handlersOf = (server: Messenger<Answer, Ask>): Handlers<Ask> => ({
  double: ({ n }) => ({ type: 'doubled', n: 2 * n }),
  fail: ({ why }) => Promise.reject(new Error(why)),
  count: ({ to }, envelope) => {
    for (let i = 1; i < to; i++) server.progress(envelope, { type: 'counted', n: i });
    return Promise.resolve({ type: 'counted', n: to });
  },
});

describe('Messenger (src/shared/messenger.ts) over a MessageChannel', () => {
  it('a request resolves with the reply of its own handler; requests do not mix', async () => {
    const c = connect();
    try {
      const [a, b] = await Promise.all([
        c.client.request({ type: 'double', n: 21 }),
        c.client.request({ type: 'double', n: 5 }),
      ]);
      assert.deepEqual(a, { type: 'doubled', n: 42 });
      assert.deepEqual(b, { type: 'doubled', n: 10 });
      assert.equal(c.client.pendingCount, 0);
    } finally {
      c.close();
    }
  });

  it('progress notes arrive before the reply and leave the request pending', async () => {
    const c = connect();
    try {
      const notes: number[] = [];
      const done = await c.client.request({ type: 'count', to: 4 }, (note) => {
        if (note.type === 'counted') notes.push(note.n);
      });
      assert.deepEqual(notes, [1, 2, 3]);
      assert.deepEqual(done, { type: 'counted', n: 4 });
    } finally {
      c.close();
    }
  });

  it('a handler that throws answers with an error reply: the request rejects with its message', async () => {
    const c = connect();
    try {
      await assert.rejects(
        c.client.request({ type: 'fail', why: 'no rerun folder' }),
        (e: unknown) => e instanceof RemoteError && e.message === 'no rerun folder',
      );
    } finally {
      c.close();
    }
  });

  it('an unknown message type is rejected with an error reply, not left waiting', async () => {
    const c = connect();
    try {
      await assert.rejects(c.sendRaw({ type: 'format' }), /unknown message type "format"/);
      // Inherited properties are not handlers.
      await assert.rejects(c.sendRaw({ type: 'toString' }), /unknown message type "toString"/);
      assert.equal(c.client.pendingCount, 0);
    } finally {
      c.close();
    }
  });

  it('dispose rejects what is still pending', async () => {
    const silent = new Messenger<Ask, Answer>(
      () => undefined,
      () => undefined,
    );
    const pending = silent.request({ type: 'double', n: 1 });
    silent.dispose(new Error('the worker stopped'));
    await assert.rejects(pending, /the worker stopped/);
  });
});

describe('every message type has a handler and a validator (checked by the compiler)', () => {
  it('a table without the handler or validator of a type does not compile', () => {
    // @ts-expect-error 'count' has no handler
    const handlers: Handlers<Ask> = { double: () => undefined, fail: () => undefined };
    // @ts-expect-error 'fail' and 'count' have no validator
    const validators: Validators<Ask, void> = { double: () => ({ ok: false, reason: 'no' }) };
    assert.equal(Object.keys(handlers).length + Object.keys(validators).length, 3);
  });
});

describe('validateMessage', () => {
  const validators: Validators<Ask, { max: number }> = {
    double: (raw, ctx) =>
      typeof raw.n === 'number' && raw.n <= ctx.max
        ? { ok: true, value: { type: 'double', n: raw.n } }
        : { ok: false, reason: 'double: n is not a number up to max' },
    fail: (raw) => ({ ok: true, value: { type: 'fail', why: String(raw.why) } }),
    count: (raw) => ({ ok: true, value: { type: 'count', to: Number(raw.to) } }),
  };

  it('runs the validator of the type, which keeps only known fields', () => {
    assert.deepEqual(validateMessage(validators, { type: 'double', n: 3, path: '/etc' }, { max: 10 }), {
      ok: true,
      value: { type: 'double', n: 3 },
    });
    assert.deepEqual(validateMessage(validators, { type: 'double', n: 30 }, { max: 10 }), {
      ok: false,
      reason: 'double: n is not a number up to max',
    });
  });

  it('rejects an unknown type, an inherited name and a body that is not an object', () => {
    for (const [raw, reason] of [
      [{ type: 'format' }, 'unknown message type "format"'],
      [{ type: 'constructor' }, 'unknown message type "constructor"'],
      [{}, 'unknown message type "undefined"'],
      [null, 'message body is not an object'],
      [[1], 'message body is not an object'],
    ] as const) {
      assert.deepEqual(validateMessage(validators, raw, { max: 10 }), { ok: false, reason });
    }
  });
});
