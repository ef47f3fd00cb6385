export * from './constants.js';
export * from './race-card.js';
export * from './history.js';
export * from './quant.js';
export * from './qual.js';
export * from './agent.js';
export * from './result.js';
