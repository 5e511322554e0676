import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Messenger,
  RemoteError,
  WebviewMessenger,
  type Envelope,
  type FromWebview,
  type GridData,
  type ToWebview,
} from '../../src/shared/protocol';
import {
  validateCellIndices,
  validateFromWebview,
  validateGridData,
  validatePersistedState,
} from '../../src/shared/validate';

const ctx = { cellCount: 100 }; // a 10 × 10 grid

function accepted(raw: unknown, c = ctx): FromWebview {
  const r = validateFromWebview(raw, c);
  assert.ok(r.ok, `expected accepted, got: ${r.ok ? '' : r.reason}`);
  return r.value.body;
}

function rejected(raw: unknown, c = ctx): string {
  const r = validateFromWebview(raw, c);
  assert.ok(
    !r.ok,
    `expected rejected: ${JSON.stringify(raw, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Int32Array) : v))}`,
  );
  return r.reason;
}

describe('validateFromWebview: accepted messages', () => {
  it('ready, reload, log, runCommand', () => {
    assert.deepEqual(accepted({ id: 1, body: { type: 'ready' } }), { type: 'ready' });
    assert.deepEqual(accepted({ id: 2, body: { type: 'reload' } }), { type: 'reload' });
    assert.deepEqual(accepted({ id: 3, body: { type: 'log', level: 'warn', message: 'x' } }), {
      type: 'log',
      level: 'warn',
      message: 'x',
    });
    assert.deepEqual(accepted({ id: 4, body: { type: 'runCommand', command: 'salvage' } }), {
      type: 'runCommand',
      command: 'salvage',
    });
    assert.deepEqual(accepted({ id: 5, body: { type: 'runCommand', command: 'merge' } }), {
      type: 'runCommand',
      command: 'merge',
    });
  });

  it('writeMask with an Int32Array: sorted, de-duplicated, a copy', () => {
    const cells = Int32Array.from([12, 3, 99, 3, 0]);
    const body = accepted({ id: 7, body: { type: 'writeMask', cells } });
    assert.equal(body.type, 'writeMask');
    if (body.type !== 'writeMask') return;
    assert.ok(body.cells instanceof Int32Array);
    assert.deepEqual(Array.from(body.cells), [0, 3, 12, 99]);
    assert.notEqual(body.cells.buffer, cells.buffer);
  });

  it('writeMask with a plain array of integers (JSON transport)', () => {
    const body = accepted({ id: 8, body: { type: 'writeMask', cells: [5, 6] } });
    assert.deepEqual(body.type === 'writeMask' && Array.from(body.cells), [5, 6]);
  });

  it('extra fields are dropped: a path never gets through', () => {
    const body = accepted({
      id: 9,
      path: '/etc/passwd',
      body: { type: 'writeMask', cells: Int32Array.of(1), path: '/etc/passwd', dest: '/tmp/x.nc', command: 'rm' },
    });
    assert.deepEqual(Object.keys(body).sort(), ['cells', 'type']);
    const cmd = accepted({ id: 10, body: { type: 'runCommand', command: 'merge', args: ['--output', '/'] } });
    assert.deepEqual(cmd, { type: 'runCommand', command: 'merge' });
    const ready = accepted({ id: 11, body: { type: 'ready', runFolder: '/somewhere/else' } });
    assert.deepEqual(ready, { type: 'ready' });
  });

  it('long log text is truncated', () => {
    const body = accepted({ id: 12, body: { type: 'log', level: 'error', message: 'x'.repeat(100_000) } });
    assert.ok(body.type === 'log' && body.message.length <= 4000);
  });
});

describe('validateFromWebview: forged or malformed messages are rejected', () => {
  it('not an envelope', () => {
    for (const raw of [
      null,
      undefined,
      42,
      'ready',
      [],
      [{ type: 'ready' }],
      { body: { type: 'ready' } },
      { type: 'ready' },
    ])
      rejected(raw);
  });

  it('bad ids and replies', () => {
    for (const id of [-1, 1.5, '1', NaN, Infinity, null, {}]) rejected({ id, body: { type: 'ready' } });
    assert.match(rejected({ id: 1, inReplyTo: 0, body: { type: 'ready' } }), /reply/);
  });

  it('unknown or mistyped message types', () => {
    for (const body of [
      null,
      [],
      'ready',
      { type: 'Ready' },
      { type: 'exec' },
      { type: 'writeFile', path: '/x' },
      { type: 1 },
      { type: ['ready'] },
      { type: '__proto__' },
      { type: 'constructor' },
    ]) {
      rejected({ id: 1, body });
    }
  });

  it('runCommand only for salvage and merge', () => {
    for (const command of [
      'dvmdostem.salvage',
      'workbench.action.terminal.sendSequence',
      'SALVAGE',
      '',
      undefined,
      1,
      ['salvage'],
      { toString: () => 'salvage' },
    ]) {
      rejected({ id: 1, body: { type: 'runCommand', command } });
    }
  });

  it('log needs a known level and a string', () => {
    rejected({ id: 1, body: { type: 'log', level: 'debug', message: 'x' } });
    rejected({ id: 1, body: { type: 'log', level: 'info', message: { toString: () => 'x' } } });
  });

  it('writeMask: wrong container types', () => {
    for (const cells of [
      undefined,
      null,
      3,
      '1,2,3',
      { 0: 1, length: 1 },
      new Float64Array([1]),
      new Uint32Array([1]),
      new Float32Array([1]),
      new Uint8Array([1]),
      new ArrayBuffer(8),
    ]) {
      assert.match(rejected({ id: 1, body: { type: 'writeMask', cells } }), /writeMask/);
    }
  });

  it('writeMask: non-integer, out-of-range or non-number cells', () => {
    for (const cells of [
      [1.5],
      [-1],
      [100],
      [1e9],
      [NaN],
      [Infinity],
      ['3'],
      [null],
      [[1]],
      [true],
      Int32Array.of(-1),
      Int32Array.of(100),
      Int32Array.of(5, 2147483647),
    ]) {
      assert.match(rejected({ id: 1, body: { type: 'writeMask', cells } }), /writeMask/, JSON.stringify(cells));
    }
  });

  it('writeMask: empty, too many, or before any grid was sent', () => {
    assert.match(rejected({ id: 1, body: { type: 'writeMask', cells: new Int32Array(0) } }), /no cells/);
    assert.match(rejected({ id: 1, body: { type: 'writeMask', cells: new Int32Array(101) } }), /more cell indices/);
    assert.match(
      rejected({ id: 1, body: { type: 'writeMask', cells: Int32Array.of(0) } }, { cellCount: 0 }),
      /no grid/,
    );
  });

  it('validateCellIndices: last cell is in range, one past it is not', () => {
    assert.ok(validateCellIndices(Int32Array.of(99), 100).ok);
    assert.ok(!validateCellIndices(Int32Array.of(100), 100).ok);
  });
});

describe('Messenger: request/response as a typed promise', () => {
  /** Two messengers wired back to back (as the extension and the webview are). */
  function pair() {
    const toWebview: Envelope<ToWebview>[] = [];
    const toHost: Envelope<FromWebview>[] = [];
    const hostGot: FromWebview[] = [];
    const webviewGot: ToWebview[] = [];
    const host = new Messenger<ToWebview, FromWebview>(
      (e) => void toWebview.push(e),
      (b) => void hostGot.push(b),
    );
    const webview = new WebviewMessenger(
      (e) => void toHost.push(e),
      (b) => void webviewGot.push(b),
    );
    return { host, webview, toWebview, toHost, hostGot, webviewGot };
  }

  it('a reply settles the matching request; events go to onMessage', async () => {
    const p = pair();
    const pending = p.webview.call({ type: 'writeMask', cells: Int32Array.of(1, 2) });
    assert.equal(p.toHost.length, 1);
    const req = p.toHost[0];
    assert.equal(req.inReplyTo, undefined);
    p.host.receive(req);
    assert.equal(p.hostGot[0].type, 'writeMask');
    p.host.send({ type: 'loading' });
    p.host.reply(req, { type: 'maskWritten', path: '/x/run-mask.nc' });
    assert.equal(p.toWebview[1].inReplyTo, req.id);
    for (const e of p.toWebview) p.webview.receive(e);
    const reply = await pending;
    assert.deepEqual(reply, { type: 'maskWritten', path: '/x/run-mask.nc' });
    assert.deepEqual(p.webviewGot, [{ type: 'loading' }]);
    assert.equal(p.webview.pendingCount, 0);
  });

  it('an error reply rejects; unknown replies are ignored; dispose rejects the rest', async () => {
    const p = pair();
    const a = p.webview.call({ type: 'runCommand', command: 'merge' });
    const b = p.webview.call({ type: 'reload' });
    p.webview.receive({ id: 50, inReplyTo: 999, body: { type: 'done' } });
    p.webview.receive({ id: 51, inReplyTo: p.toHost[0].id, body: { type: 'error', message: 'no rerun folder' } });
    await assert.rejects(a, (e: unknown) => e instanceof RemoteError && e.message === 'no rerun folder');
    p.webview.dispose('closed');
    await assert.rejects(b, /closed/);
  });

  it('ids increase per sender', () => {
    const p = pair();
    p.webview.send({ type: 'ready' });
    p.webview.send({ type: 'ready' });
    assert.ok(p.toHost[1].id > p.toHost[0].id);
  });
});

describe('validatePersistedState (what the serializer gets back after a reload)', () => {
  const good = {
    v: 1,
    runFolderUri: 'file:///data/run',
    runName: 'run',
    layer: 'runtime',
    rows: 10,
    cols: 10,
    view: { scale: 4, ox: 1, oy: 2 },
    selection: [0, 2, 10, 3],
    cursor: { row: 1, col: 2 },
  };

  it('keeps a good state', () => {
    assert.deepEqual(validatePersistedState(good), good);
  });

  it('rejects a state without a usable run folder uri', () => {
    for (const runFolderUri of [undefined, '', 42, '/no/scheme', 'x'.repeat(9000)])
      assert.equal(validatePersistedState({ ...good, runFolderUri }), undefined);
    assert.equal(validatePersistedState(null), undefined);
    assert.equal(validatePersistedState('file:///x'), undefined);
  });

  it('drops bad parts', () => {
    const s = validatePersistedState({
      ...good,
      layer: 'evil',
      view: { scale: -1, ox: 0, oy: 0 },
      selection: [5, 200],
      cursor: { row: 10, col: 0 },
    });
    assert.ok(s);
    assert.equal(s.layer, 'status');
    assert.equal(s.view, null);
    assert.deepEqual(s.selection, []);
    assert.equal(s.cursor, null);
    assert.deepEqual(
      validatePersistedState({ ...good, selection: [10, 3, 0, 2] })?.selection,
      [],
      'runs must be ascending',
    );
  });
});

describe('validateGridData (webview side)', () => {
  const grid = (): GridData => ({
    runName: 'r',
    runFolder: '/r',
    runStatusPath: '/r/run_status.nc',
    format: 'classic',
    mtimeMs: 1,
    rows: 2,
    cols: 3,
    status: Int32Array.of(100, 0, -5, -100, -9999, 7),
    runtime: Float32Array.of(1, NaN, 2, 3, NaN, 4),
    lat: null,
    lon: null,
    counts: { success: 2, fail: 1, timeout: 1, masked: 1, unwritten: 1, other: 0 },
    cellTimelimit: null,
  });

  it('accepts a consistent payload', () => {
    assert.ok(validateGridData(grid()).ok);
  });

  it('rejects inconsistent sizes or types', () => {
    assert.ok(!validateGridData({ ...grid(), status: Int32Array.of(1, 2) }).ok);
    assert.ok(!validateGridData({ ...grid(), status: [100, 0, -5, -100, -9999, 7] }).ok);
    assert.ok(!validateGridData({ ...grid(), runtime: new Float64Array(6) }).ok);
    assert.ok(!validateGridData({ ...grid(), lat: new Float32Array(5) }).ok);
    assert.ok(!validateGridData({ ...grid(), rows: 0 }).ok);
    assert.ok(!validateGridData({ ...grid(), counts: { success: 1 } }).ok);
    assert.ok(!validateGridData({ ...grid(), runName: 5 }).ok);
  });

  it('fail_log reasons: kept when each names a cell of the grid, refused otherwise', () => {
    const failReasons = [{ cell: 3, message: 'Problem with initial parameter files!' }];
    const r = validateGridData({ ...grid(), failReasons });
    assert.ok(r.ok);
    assert.deepEqual(r.value.failReasons, [{ cell: 3, message: 'Problem with initial parameter files!' }]);
    assert.ok(!validateGridData({ ...grid(), failReasons: [{ cell: 6, message: 'x' }] }).ok, 'cell one past the grid');
    assert.ok(!validateGridData({ ...grid(), failReasons: [{ cell: 1, message: 5 }] }).ok, 'message not text');
    assert.ok(!validateGridData({ ...grid(), failReasons: 'x' }).ok, 'not an array');
  });
});
