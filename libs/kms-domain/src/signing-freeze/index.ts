export * from './signing-freeze';
