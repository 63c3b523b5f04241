import type { Context } from '../context.js';
import { WoError } from '../errors.js';

export async function killCommand(_ctx: Context, ..._args: unknown[]): Promise<number> {
  throw new WoError('wo kill is not implemented yet', 1);
}
