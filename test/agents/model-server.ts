// The scripted model server lives in the product now (wo run --rehearse, SPEC §12); the tests use
// the same one.
export * from '../../src/rehearsal/model-server.js';
