export { SwitchyardClient, SwitchyardApiError } from './switchyard-client';
