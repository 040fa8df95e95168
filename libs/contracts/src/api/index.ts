export * from './job-request.schema';
export * from './job-view';
export * from './problem';
