/** The actor the test API client acts as: the test token's name. */
export { TEST_ACTOR as ACTOR } from '../support/auth.js';
