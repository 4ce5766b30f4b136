export * from './projection';
export * from './keys-view';
export * from './breakers-view';
export * from './break-glass-view';
export * from './signer-registry-view';
export * from './signing-freeze-view';
export * from './table-projection';
