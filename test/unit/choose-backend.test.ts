import { beforeEach, describe, expect, it } from 'vitest';
import { findBackendFactory, getBackend, registerBackend } from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu/dist/backend_cpu';
import { addBackendPlugin, BACKEND_ORDER, type BackendName } from '../../src/model/backend-registry';
import { chooseBackend, type ChoiceStore, type ChooseBackendOptions, type StoredChoice } from '../../src/model/choose-backend';

// Four fake backends: each is tfjs's CPU backend under another name, so activation is real;
// a run takes the milliseconds the test gives it, on a fake clock.

interface FakeDevice {
  /** Milliseconds per run, one per run in turn (the last repeats); absent: not supported. */
  runs?: number[];
  startFails?: boolean;
  runFails?: boolean;
  gpu?: string;
}

let clock = 0;
let loads: BackendName[] = [];
/** Runs per backend, the untimed first one included. */
let runCounts: Partial<Record<BackendName, number>> = {};
let device: Partial<Record<BackendName, FakeDevice>> = {};

function addFakePlugins(): void {
  for (const name of BACKEND_ORDER) {
    addBackendPlugin({
      name,
      isSupported: async () => device[name]?.runs !== undefined,
      describeDevice: async () => device[name]?.gpu ?? '',
      register() {
        if (device[name]?.startFails) throw new Error(`${name} cannot start`);
        if (!findBackendFactory(name)) registerBackend(name, () => new MathBackendCPU(), 1);
      },
    });
  }
}

/** The model on `backend`: each run advances the clock by the backend's next time. */
async function load(backend: BackendName): Promise<{ run(): Promise<unknown>; dispose(): void }> {
  loads.push(backend);
  const fake = device[backend]!;
  let run = 0;
  return {
    async run() {
      if (fake.runFails) throw new Error('shader failed to compile');
      clock += fake.runs![Math.min(run, fake.runs!.length - 1)]!;
      run += 1;
      runCounts[backend] = (runCounts[backend] ?? 0) + 1;
    },
    dispose() {},
  };
}

function memoryStore(): ChoiceStore & { stored?: StoredChoice } {
  const store: ChoiceStore & { stored?: StoredChoice } = {
    read: async () => store.stored,
    write: async (choice) => void (store.stored = choice),
  };
  return store;
}

const options = (store: ChoiceStore, patch: Partial<ChooseBackendOptions> = {}): ChooseBackendOptions => ({
  choice: 'auto', wasmPaths: '/dist/', modelKey: 'games@1.0.0 abc', load, store, runs: 5, now: () => clock, ...patch,
});

beforeEach(() => {
  clock = 0;
  loads = [];
  runCounts = {};
  device = { webgpu: { runs: [8], gpu: 'Acme X1' }, webgl: { runs: [3], gpu: 'Acme X1' }, wasm: { runs: [5] }, cpu: { runs: [12] } };
  addFakePlugins();
});

describe('chooseBackend with auto', () => {
  it('lets the page have its first seconds before a GPU backend is started: beforeGpu runs before webgl and webgpu only', async () => {
    const order: string[] = [];
    const logged = async (backend: BackendName) => (order.push(backend), load(backend));
    await chooseBackend(options(memoryStore(), { load: logged, beforeGpu: async () => void order.push('pause') }));
    expect(order).toEqual(['wasm', 'pause', 'webgpu', 'pause', 'webgl', 'cpu']);
  });

  it('times every supported backend and keeps the fastest active, freeing the others', async () => {
    const { plugin, report } = await chooseBackend(options(memoryStore()));
    expect(plugin.name).toBe('webgl');
    expect(getBackend()).toBe('webgl');
    expect(report).toEqual({ how: 'measured', msPerRun: { webgpu: 8, webgl: 3, wasm: 5, cpu: 12 }, failed: {} });
    expect(loads.sort()).toEqual(['cpu', 'wasm', 'webgl', 'webgpu']);
    expect(['webgpu', 'wasm', 'cpu'].map((name) => findBackendFactory(name))).toEqual([null, null, null]);
  });

  it('takes the median of the timed runs, after an untimed first run', async () => {
    // webgpu: a slow first run (compiling), then one slow outlier among fast runs.
    device.webgpu = { runs: [500, 2, 9, 2, 1, 2] };
    device.webgl = { runs: [1, 3] };
    const { plugin, report } = await chooseBackend(options(memoryStore()));
    expect(report.msPerRun).toMatchObject({ webgpu: 2, webgl: 3 });
    expect(plugin.name).toBe('webgpu');
    expect(runCounts).toMatchObject({ webgpu: 6, webgl: 6, wasm: 6 });
  });

  it('stops timing a backend once a run shows it clearly slower than the best so far (WASM, timed first)', async () => {
    device.webgpu = { runs: [500, 400] };
    device.cpu = { runs: [12, 14, 16, 13, 12, 15] };
    const { plugin, report } = await chooseBackend(options(memoryStore()));
    expect(plugin.name).toBe('webgl');
    expect(report.msPerRun).toEqual({ webgpu: 400, webgl: 3, wasm: 5, cpu: 14 });
    expect(loads[0]).toBe('wasm');
    // WebGPU's 400 ms against WASM's 5, and CPU's 14 against WebGL's 3: one timed run each;
    // WebGL, faster than the best so far: all five.
    expect(runCounts).toEqual({ wasm: 6, webgpu: 2, webgl: 6, cpu: 2 });
  });

  it('leaves out backends that are not supported, fail to start or fail to run, and says why', async () => {
    device.webgpu = undefined;
    device.webgl = { runs: [1], runFails: true };
    device.wasm = { runs: [1], startFails: true };
    const { plugin, report } = await chooseBackend(options(memoryStore()));
    expect(plugin.name).toBe('cpu');
    expect(report.msPerRun).toEqual({ cpu: 12 });
    expect(report.failed).toEqual({ webgpu: 'not supported here', webgl: 'Error: shader failed to compile', wasm: 'Error: wasm cannot start' });
  });

  it('fails with model-backend when no backend runs the model', async () => {
    device = { wasm: { runs: [1], runFails: true }, cpu: { runs: [1], runFails: true } };
    await expect(chooseBackend(options(memoryStore()))).rejects.toMatchObject({ code: 'model-backend' });
  });

  it('reuses a stored choice for the same model version and device without measuring', async () => {
    const store = memoryStore();
    await chooseBackend(options(store));
    loads = [];
    device.webgl!.runs = [100]; // it would now lose, but nothing is measured again
    const { plugin, report } = await chooseBackend(options(store));
    expect(plugin.name).toBe('webgl');
    expect(getBackend()).toBe('webgl');
    expect(report).toEqual({ how: 'cached', msPerRun: { webgpu: 8, webgl: 3, wasm: 5, cpu: 12 }, failed: {} });
    expect(loads).toEqual([]);
  });

  it('measures again for a new model version', async () => {
    const store = memoryStore();
    await chooseBackend(options(store));
    device.webgl!.runs = [100];
    const { plugin, report } = await chooseBackend(options(store, { modelKey: 'games@1.1.0 def' }));
    expect(report.how).toBe('measured');
    expect(plugin.name).toBe('wasm');
    expect(store.stored).toMatchObject({ backend: 'wasm', msPerRun: { webgl: 100 } });
  });

  it('measures again on another device (another GPU, or a backend gone)', async () => {
    const store = memoryStore();
    await chooseBackend(options(store));
    device.webgpu = { runs: [1], gpu: 'Acme X2' };
    const moved = await chooseBackend(options(store));
    expect([moved.report.how, moved.plugin.name]).toEqual(['measured', 'webgpu']);
    device.webgpu = undefined;
    const lost = await chooseBackend(options(store));
    expect([lost.report.how, lost.plugin.name]).toEqual(['measured', 'webgl']);
  });

  it('measures again when the stored backend no longer starts', async () => {
    const store = memoryStore();
    await chooseBackend(options(store));
    device.webgl!.startFails = true;
    const { plugin, report } = await chooseBackend(options(store));
    expect(report.how).toBe('measured');
    expect(report.failed).toEqual({ webgl: 'Error: webgl cannot start' });
    expect(plugin.name).toBe('wasm');
  });

  it('measures without a working store, and still runs', async () => {
    const broken: ChoiceStore = { read: () => Promise.reject(new Error('no cache')), write: () => Promise.reject(new Error('no cache')) };
    const { plugin, report } = await chooseBackend(options(broken));
    expect([report.how, plugin.name]).toEqual(['measured', 'webgl']);
  });
});

describe('chooseBackend with a named backend', () => {
  it('forces it without measuring or storing', async () => {
    const store = memoryStore();
    const { plugin, report } = await chooseBackend(options(store, { choice: 'cpu' }));
    expect(plugin.name).toBe('cpu');
    expect(getBackend()).toBe('cpu');
    expect(report).toEqual({ how: 'forced', msPerRun: {}, failed: {} });
    expect(loads).toEqual([]);
    expect(store.stored).toBeUndefined();
  });

  it('falls back in BACKEND_ORDER when the forced one cannot run here', async () => {
    device.webgl = undefined;
    device.webgpu = { runs: [1], startFails: true };
    const { plugin, report } = await chooseBackend(options(memoryStore(), { choice: 'webgl' }));
    expect(plugin.name).toBe('wasm');
    expect(report.how).toBe('forced');
  });
});
