export * from './profile';
export * from './execution-model';
export * from './task-definition';
export * from './execution-record';
export * from './job-data';
export * from './errors';
export * from './telemetry-attributes';
export * from './api';
