/**
 * Moved to src/shared/cellStates.ts (the shared vocabulary). Kept only for src/extension/runsTree.ts,
 * which still imports this path; delete once it imports ../shared/cellStates.
 */
export * from '../shared/cellStates';
