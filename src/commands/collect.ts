import type { Context } from '../context.js';
import { WoError } from '../errors.js';

export async function collectCommand(_ctx: Context, ..._args: unknown[]): Promise<number> {
  throw new WoError('wo collect is not implemented yet', 1);
}
