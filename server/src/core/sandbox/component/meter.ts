/**
 * Fuel metering of a component's run: every core module jco's glue instantiates is rewritten
 * (core/metering) before it is compiled, and all of them import the one counter, so `sandbox.fuel`
 * limits the whole component and the profile covers every module.
 */
import { METER_MODULE, type FuelCounting, type MeterLayout } from '../../metering/instrument';
import {
  checksFor,
  createFuelCounter,
  meterModule,
  profileRows,
  summarizeProfile,
  type FuelCounter,
} from '../fuel';
import type { FuelProfile } from '../report';

export interface ComponentMeter {
  counter: FuelCounter;
  /** The metered bytes of each core module, by the name the glue asks for. */
  coreModules: Record<string, Uint8Array>;
  /** What the report should say about the metering (core modules that could not be profiled). */
  notes: string[];
  /** The imports of a core module's instance, with the counter's added. */
  imports(imports: Record<string, Record<string, unknown>>): Record<string, Record<string, unknown>>;
  /** Notes an instance of the core module `name` (for the profile). */
  instantiated(name: string, exports: Record<string, unknown>): void;
  profile(): FuelProfile | undefined;
}

/** Meters every core module, or says why one cannot be. */
export function createComponentMeter(
  coreModules: Record<string, Uint8Array>,
  options: { limit?: number; profile: boolean; counting?: FuelCounting; onSample(): void },
): ComponentMeter | { error: string } {
  const metered: Record<string, Uint8Array> = {};
  const layouts = new Map<string, MeterLayout>();
  const notes: string[] = [];
  for (const [name, bytes] of Object.entries(coreModules)) {
    const result = meterModule(bytes, options);
    if (!result.ok) return { error: `${name}: ${result.message}` };
    metered[name] = result.bytes;
    layouts.set(name, result.layout);
    if (result.note) notes.push(`${name}: ${result.note}`);
  }
  const counter = createFuelCounter({ ...options, checks: checksFor(options) });
  const instances: Array<{ name: string; exports: Record<string, unknown> }> = [];
  return {
    counter,
    coreModules: metered,
    notes,
    imports: (imports) => ({ ...imports, [METER_MODULE]: counter.imports }),
    instantiated: (name, exports) => instances.push({ name, exports }),
    profile: () =>
      options.profile
        ? summarizeProfile(
            instances.map((i) => profileRows(layouts.get(i.name)!, i.exports, counter.left(), i.name)),
          )
        : undefined,
  };
}
