/**
 * The one request/reply helper over postMessage, used by both channels of the extension: the Run
 * Status Grid webview (src/shared/protocol.ts) and the core worker thread
 * (src/extension/coreWorkerProtocol.ts).
 *
 * Every message travels in an {@link Envelope}: `id` numbers the message on the sending side;
 * `inReplyTo` is set on replies and names the request answered, so a request is a typed promise on
 * the requesting side ({@link Messenger.request}). A reply with `progress` is a note about a request
 * still running. Message bodies are discriminated unions on `type`; {@link Handlers} and
 * {@link Validators} are mapped over those types, so a message type without a handler or a validator
 * does not compile.
 *
 * No imports at all: part of the webview bundle as well as of Node code.
 * Model: microsoft/vscode-hexeditor `shared/protocol.ts` (its MessageHandler serves the webview and
 * the diff worker alike).
 */

/** A message body: one member of a discriminated union on `type`. */
export interface Message {
  type: string;
}

export interface Envelope<T> {
  /** Per-sender message number. */
  id: number;
  /** On replies: the `id` of the request answered. */
  inReplyTo?: number;
  /** On a reply: a progress note; the request stays pending. */
  progress?: true;
  body: T;
}

/** The reply to a request that failed (or was rejected): it rejects the request's promise. */
export interface ErrorReply {
  type: 'error';
  message: string;
  /** Class name of the error on the replying side, when it matters to the requester. */
  name?: string;
  stack?: string;
}

/** A request failed on the other side (the other side replied with an {@link ErrorReply}). */
export class RemoteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemoteError';
  }
}

export type Validated<T> = { ok: true; value: T } | { ok: false; reason: string };

/** The member of the union `M` whose type is `K`. */
export type MessageOf<M extends Message, K extends M['type']> = Extract<M, { type: K }>;

/**
 * One handler per message type. What a handler returns (or resolves to) is the reply to the message;
 * undefined sends no reply (an event).
 */
export type Handlers<M extends Message, R = unknown> = {
  [K in M['type']]: (body: MessageOf<M, K>, envelope: Envelope<MessageOf<M, K>>) => R;
};

/**
 * One validator per message type, for messages from a less trusted side. It gets the raw body (an
 * object whose `type` is `K`) and returns a fresh message holding only the known fields, or a reason.
 */
export type Validators<M extends Message, C> = {
  [K in M['type']]: (raw: Record<string, unknown> & { type: K }, context: C) => Validated<MessageOf<M, K>>;
};

export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !ArrayBuffer.isView(x);
}

const describeType = (type: unknown) => JSON.stringify(String(type)).slice(0, 80);

/** The table's entry for `type`, never an inherited property (a `type` of "toString" is unknown). */
function entryFor<T>(table: Record<string, T>, type: unknown): T | undefined {
  return typeof type === 'string' && Object.prototype.hasOwnProperty.call(table, type) ? table[type] : undefined;
}

/** Validates a message body with the validator of its type; an unknown type is rejected. */
export function validateMessage<M extends Message, C>(
  validators: Validators<M, C>,
  raw: unknown,
  context: C,
): Validated<M> {
  if (!isRecord(raw)) return { ok: false, reason: 'message body is not an object' };
  const validate = entryFor(validators as Record<string, (raw: unknown, context: C) => Validated<M>>, raw.type);
  if (!validate) return { ok: false, reason: `unknown message type ${describeType(raw.type)}` };
  return validate(raw, context);
}

export interface MessengerOptions<TOut extends Message> {
  /** Turns a handler's result into the reply body (default: the result itself). */
  toReply?(result: unknown): TOut;
  /** Turns what a handler threw into the error reply (default: its message). */
  toErrorReply?(err: unknown): ErrorReply;
  /** Turns an error reply into the error a request rejects with (default: a {@link RemoteError}). */
  toError?(reply: ErrorReply): Error;
}

const errorMessage = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * One side of a postMessage channel. `TOut` is what this side sends, `TIn` what it receives.
 * Replies (`inReplyTo` set) settle the matching pending request; anything else goes to `onMessage`
 * (usually `(body, envelope) => void messenger.handle(handlers, envelope)`). Incoming messages must
 * already be validated when they come from the less trusted side.
 */
export class Messenger<TOut extends Message, TIn extends Message> {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (msg: TIn) => void; reject: (err: Error) => void; progress?: (msg: TIn) => void }
  >();

  constructor(
    // Replies may be ErrorReply bodies: a side that answers requests lists ErrorReply in TOut.
    private readonly postMessage: (msg: Envelope<TOut>) => void | PromiseLike<boolean>,
    private readonly onMessage: (body: TIn, envelope: Envelope<TIn>) => void,
    private readonly options: MessengerOptions<TOut> = {},
  ) {}

  /** Sends a message that expects no reply. */
  send(body: TOut): void {
    void this.postMessage({ id: this.nextId++, body });
  }

  /** Answers a request received from the other side. */
  reply(to: Pick<Envelope<unknown>, 'id'>, body: TOut | ErrorReply): void {
    void this.postMessage({ id: this.nextId++, inReplyTo: to.id, body: body as TOut });
  }

  /** Tells the other side how a request it sent is getting on (the request stays pending). */
  progress(to: Pick<Envelope<unknown>, 'id'>, body: TOut): void {
    void this.postMessage({ id: this.nextId++, inReplyTo: to.id, progress: true, body });
  }

  /**
   * Sends a request; resolves with the reply, rejects on an {@link ErrorReply} (see
   * {@link MessengerOptions.toError}) or when the message cannot be posted.
   */
  request<R extends TIn>(body: TOut, onProgress?: (note: TIn) => void): Promise<R> {
    const id = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (msg: TIn) => void, reject, progress: onProgress });
      try {
        const posted = this.postMessage({ id, body });
        if (posted && typeof posted.then === 'function') {
          posted.then(
            (ok) => {
              if (ok === false) this.fail(id, new Error('the other side is not listening'));
            },
            (err: unknown) => this.fail(id, err instanceof Error ? err : new Error(String(err))),
          );
        }
      } catch (err) {
        this.fail(id, err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  /** Call with every (validated) incoming envelope. */
  receive(envelope: Envelope<TIn | ErrorReply>): void {
    if (envelope.inReplyTo !== undefined) {
      const waiting = this.pending.get(envelope.inReplyTo);
      if (!waiting) return; // stale or unknown reply: ignore
      if (envelope.progress) {
        waiting.progress?.(envelope.body as TIn);
        return;
      }
      this.pending.delete(envelope.inReplyTo);
      const body = envelope.body;
      if (body.type === 'error') waiting.reject(this.errorOf(body as ErrorReply));
      else waiting.resolve(body as TIn);
      return;
    }
    this.onMessage(envelope.body as TIn, envelope as Envelope<TIn>);
  }

  /**
   * Runs the handler of a received message and sends what it returns as the reply (nothing when it
   * returns undefined); a handler that throws is answered with an error reply, an unknown type too.
   */
  async handle(handlers: Handlers<TIn>, envelope: Envelope<TIn>): Promise<void> {
    const handler = entryFor(
      handlers as unknown as Record<string, (body: TIn, envelope: Envelope<TIn>) => unknown>,
      envelope.body.type,
    );
    if (!handler) {
      this.reply(envelope, { type: 'error', message: `unknown message type ${describeType(envelope.body.type)}` });
      return;
    }
    let reply: TOut | ErrorReply | undefined;
    try {
      const result = await handler(envelope.body, envelope);
      reply = this.options.toReply ? this.options.toReply(result) : (result as TOut | undefined);
    } catch (err) {
      reply = this.options.toErrorReply
        ? this.options.toErrorReply(err)
        : { type: 'error', message: errorMessage(err) };
    }
    if (reply !== undefined) this.reply(envelope, reply);
  }

  /** Rejects every pending request (the channel closed). */
  dispose(reason: string | Error = 'closed'): void {
    for (const [id] of this.pending) this.fail(id, typeof reason === 'string' ? new Error(reason) : reason);
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  private errorOf(reply: ErrorReply): Error {
    if (this.options.toError) return this.options.toError(reply);
    return new RemoteError(typeof reply.message === 'string' ? reply.message : 'request failed');
  }

  private fail(id: number, err: Error): void {
    const waiting = this.pending.get(id);
    if (!waiting) return;
    this.pending.delete(id);
    waiting.reject(err);
  }
}

/** Calls the handler of an incoming message's type; an unknown type is ignored (returns undefined). */
export function dispatch<M extends Message, R>(handlers: Handlers<M, R>, envelope: Envelope<M>): R | undefined {
  const handler = entryFor(
    handlers as unknown as Record<string, (body: M, envelope: Envelope<M>) => R>,
    envelope.body.type,
  );
  return handler?.(envelope.body, envelope);
}
