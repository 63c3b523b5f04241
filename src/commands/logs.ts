import type { Context } from '../context.js';
import { WoError } from '../errors.js';

export async function logsCommand(_ctx: Context, ..._args: unknown[]): Promise<number> {
  throw new WoError('wo logs is not implemented yet', 1);
}
