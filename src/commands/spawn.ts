import type { Context } from '../context.js';
import { WoError } from '../errors.js';

export async function spawnCommand(_ctx: Context, ..._args: unknown[]): Promise<number> {
  throw new WoError('wo spawn is not implemented yet', 1);
}
