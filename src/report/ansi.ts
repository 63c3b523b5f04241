// A program's terminal output as HTML (SPEC §13): its colours and text styles (SGR) become spans, every
// other escape sequence and control character is removed, and all text is escaped. Pure.
import { stripControl } from '../escapes.js';

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

interface Style {
  fg?: string; // a class (`f1`) or a colour (`#rrggbb`)
  bg?: string;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
  inverse?: boolean;
  strike?: boolean;
}

// xterm's 256-colour cube and grey ramp; the first 16 are the page's own classes.
const CUBE = [0, 95, 135, 175, 215, 255];
const hex = (r: number, g: number, b: number) =>
  `#${[r, g, b].map((v) => Math.max(0, Math.min(255, v)).toString(16).padStart(2, '0')).join('')}`;
function color256(n: number): string | undefined {
  if (!Number.isInteger(n) || n < 0 || n > 255) return undefined;
  if (n < 16) return `c${n}`;
  if (n < 232) {
    const i = n - 16;
    return hex(CUBE[Math.floor(i / 36)]!, CUBE[Math.floor(i / 6) % 6]!, CUBE[i % 6]!);
  }
  const v = 8 + (n - 232) * 10;
  return hex(v, v, v);
}

/** Applies one SGR parameter list (`1;31`, `38;5;208`, `38:2::255:0:0`) to a style. */
function applySgr(style: Style, params: string): Style {
  const s = { ...style };
  // Colon-separated sub-parameters (`38:2::r:g:b`) are read like their semicolon forms.
  const groups = (params === '' ? '0' : params).split(';');
  const nums = groups.flatMap((g) => {
    if (!g.includes(':')) return [Number(g || '0')];
    const parts = g.split(':').map((p) => Number(p || '0'));
    // `38:2:CS:r:g:b` has a colour-space id; `38:2:r:g:b` does not.
    if (parts[1] === 2 && parts.length >= 6) return [parts[0]!, 2, ...parts.slice(-3)];
    return parts;
  });
  for (let i = 0; i < nums.length; i++) {
    const n = nums[i]!;
    if (n === 0) Object.keys(s).forEach((k) => delete s[k as keyof Style]);
    else if (n === 1) s.bold = true;
    else if (n === 2) s.dim = true;
    else if (n === 3) s.italic = true;
    else if (n === 4) s.underline = true;
    else if (n === 7) s.inverse = true;
    else if (n === 9) s.strike = true;
    else if (n === 22) s.bold = s.dim = false;
    else if (n === 23) s.italic = false;
    else if (n === 24) s.underline = false;
    else if (n === 27) s.inverse = false;
    else if (n === 29) s.strike = false;
    else if (n >= 30 && n <= 37) s.fg = `c${n - 30}`;
    else if (n >= 90 && n <= 97) s.fg = `c${n - 90 + 8}`;
    else if (n === 39) delete s.fg;
    else if (n >= 40 && n <= 47) s.bg = `c${n - 40}`;
    else if (n >= 100 && n <= 107) s.bg = `c${n - 100 + 8}`;
    else if (n === 49) delete s.bg;
    else if (n === 38 || n === 48) {
      let c: string | undefined;
      if (nums[i + 1] === 5) {
        c = color256(nums[i + 2]!);
        i += 2;
      } else if (nums[i + 1] === 2) {
        const [r, g, b] = [nums[i + 2], nums[i + 3], nums[i + 4]];
        if ([r, g, b].every((v) => v !== undefined && Number.isFinite(v))) c = hex(r!, g!, b!);
        i += 4;
      } else break; // an unknown colour form: the rest of the list cannot be read reliably
      if (c) s[n === 38 ? 'fg' : 'bg'] = c;
    }
  }
  return s;
}

/** The opening tag for a style, or '' when it is plain. Every value is one this module made. */
function openTag(s: Style): string {
  let fg = s.fg;
  let bg = s.bg;
  if (s.inverse) [fg, bg] = [bg ?? 'rv-fg', fg ?? 'rv-bg'];
  const classes: string[] = [];
  const css: string[] = [];
  if (fg?.startsWith('#')) css.push(`color:${fg}`);
  else if (fg) classes.push(fg === 'rv-fg' ? 'rvf' : `f${fg.slice(1)}`);
  if (bg?.startsWith('#')) css.push(`background:${bg}`);
  else if (bg) classes.push(bg === 'rv-bg' ? 'rvb' : `b${bg.slice(1)}`);
  if (s.bold) classes.push('sb');
  if (s.dim) classes.push('sd');
  if (s.italic) classes.push('si');
  if (s.underline) classes.push('su');
  if (s.strike) classes.push('ss');
  if (!classes.length && !css.length) return '';
  return `<span${classes.length ? ` class="${classes.join(' ')}"` : ''}${css.length ? ` style="${css.join(';')}"` : ''}>`;
}

const SGR = /\x1b\[([0-9;:]*)m/g;

/**
 * Terminal output as HTML for a `<pre>`: SGR colours and styles as spans (the 16 basic colours as
 * classes `f0`–`f15` / `b0`–`b15`, the rest inline), everything else stripped as `wo logs` strips it
 * (a line redrawn with a carriage return keeps its last state), and all text escaped.
 */
export function ansiToHtml(text: string): string {
  let style: Style = {};
  const out: string[] = [];
  for (const rawLine of text.replace(/\r\n/g, '\n').split('\n')) {
    const segments = rawLine.replace(/\r+$/, '').split('\r');
    let html = '';
    for (const segment of segments) {
      // What a carriage return overwrote is dropped, but the styles it set stay in force.
      html = '';
      let open = openTag(style);
      let last = 0;
      const emit = (piece: string) => {
        const plain = stripControl(piece.replace(/\t/g, '    '));
        if (!plain) return;
        html += open ? `${open}${escapeHtml(plain)}</span>` : escapeHtml(plain);
      };
      for (const m of segment.matchAll(SGR)) {
        emit(segment.slice(last, m.index));
        style = applySgr(style, m[1]!);
        open = openTag(style);
        last = m.index + m[0].length;
      }
      emit(segment.slice(last));
    }
    out.push(html);
  }
  while (out.length && out[out.length - 1] === '') out.pop();
  return out.join('\n');
}
