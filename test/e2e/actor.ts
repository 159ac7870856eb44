/** The actor the test API client acts as (the token's name once auth exists). */
export const ACTOR = 'anonymous';
