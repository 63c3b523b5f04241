import type { Context } from '../context.js';
import { WoError } from '../errors.js';

export async function killAllCommand(_ctx: Context, ..._args: unknown[]): Promise<number> {
  throw new WoError('wo kill-all is not implemented yet', 1);
}
