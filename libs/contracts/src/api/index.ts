export * from './api-schema-registry';
export * from './catalog-view';
export * from './job-request.schema';
export * from './job-view';
export * from './problem';
export * from './job-events.schema';
export * from './job-operations.schema';
