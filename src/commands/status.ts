import type { Context } from '../context.js';
import { WoError } from '../errors.js';

export async function statusCommand(_ctx: Context, ..._args: unknown[]): Promise<number> {
  throw new WoError('wo status is not implemented yet', 1);
}
