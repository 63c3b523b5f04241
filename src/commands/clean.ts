import type { Context } from '../context.js';
import { WoError } from '../errors.js';

export async function cleanCommand(_ctx: Context, ..._args: unknown[]): Promise<number> {
  throw new WoError('wo clean is not implemented yet', 1);
}
