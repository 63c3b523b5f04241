import type { Context } from '../context.js';
import { WoError } from '../errors.js';

export async function listCommand(_ctx: Context, ..._args: unknown[]): Promise<number> {
  throw new WoError('wo list is not implemented yet', 1);
}
