export { pollUntil, PollTimeoutError, type PollOptions } from './poll-until';
