/** The `--profile` table the CLI prints: top functions by their own fuel, then the busiest loops. */
import type { FuelProfile } from './report';

const hex = (offset: number): string => `0x${offset.toString(16)}`;
/** A function without a name is already called `func[index]`: its index once, not twice. */
const label = (name: string, index: number): string =>
  name === `func[${index}]` ? name : `${name} [${index}]`;

export function formatProfileText(profile: FuelProfile, top = 20): string {
  const lines = [
    `profile: ${profile.totalSelf} units in ${profile.calledFunctions} functions called`,
    `  ${'fuel'.padStart(14)} ${'%'.padStart(6)} ${'with callees'.padStart(14)} ${'%'.padStart(6)} ${'calls'.padStart(12)}  function (body offset)`,
  ];
  for (const f of profile.functions.slice(0, top)) {
    const percent = (units: number): string =>
      (profile.totalSelf ? ((units / profile.totalSelf) * 100).toFixed(1) : '0.0').padStart(6);
    lines.push(
      `  ${String(f.self).padStart(14)} ${percent(f.self)} ${String(f.inclusive).padStart(14)} ${percent(f.inclusive)} ${String(f.calls).padStart(12)}  ${label(f.name, f.index)} (${hex(f.offset)}${f.core ? ` in ${f.core}` : ''})`,
    );
  }
  if (profile.loops.length) {
    lines.push(`  ${'iterations'.padStart(14)}  loop (offset) in function`);
    for (const l of profile.loops.slice(0, Math.min(top, 10)))
      lines.push(
        `  ${String(l.iterations).padStart(14)}  ${hex(l.offset)} in ${label(l.functionName, l.functionIndex)}${l.core ? ` (${l.core})` : ''}`,
      );
  }
  return lines.join('\n') + '\n';
}
