// Types for charts.mjs, for the TypeScript programs that draw with it (the simulation).
export interface LineSeries {
  name: string;
  points: Array<[number, number]> | number[][];
}

/** See charts.mjs. */
export function lineChart(options: {
  title: string;
  subtitle?: string;
  xLabel?: string;
  yLabel?: string;
  series: LineSeries[];
  yMax?: number;
  references?: Array<{ y: number; label: string }>;
  notes?: string[];
}): string;

/** See charts.mjs. */
export function barChart(options: {
  title: string;
  subtitle?: string;
  unit?: string;
  categories: string[];
  series: string[];
  values: Array<Array<number | null>>;
  format?: (value: number) => string;
  notes?: string[];
}): string;
