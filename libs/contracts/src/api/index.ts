export * from './api-schema-registry';
export * from './catalog-view';
export * from './job-request.schema';
export * from './job-view';
export * from './problem';
