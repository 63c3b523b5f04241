import type { Context } from '../context.js';
import { WoError } from '../errors.js';

export async function attachCommand(_ctx: Context, ..._args: unknown[]): Promise<number> {
  throw new WoError('wo attach is not implemented yet', 1);
}
