import type { Context } from '../context.js';
import { WoError } from '../errors.js';

export async function runCommand(_ctx: Context, ..._args: unknown[]): Promise<number> {
  throw new WoError('wo run is not implemented yet', 1);
}
