// Moved to src/run/history.ts (what earlier runs say is part of a run: --failed reads it).
export * from '../run/history.js';
