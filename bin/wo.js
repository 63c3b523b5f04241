#!/usr/bin/env node
// Entry point of the `wo` command; the program itself lives in dist/ (built from src/).
import { cliEntry } from '../dist/cli.js';

await cliEntry();
